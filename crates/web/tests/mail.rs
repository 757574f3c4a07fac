//! Mail through the outbox to a real SMTP conversation on loopback, on both backends: delivery,
//! retries with backoff, the dead state, and a server that never answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use cocreate_app::MAX_MAIL_ATTEMPTS;
use cocreate_store::MailStatus;
use cocreate_testkit::{Backend, ServerOptions, SmtpBehaviour, SmtpStub, TestServer, spawn_with};
use common::*;

on_both_backends!(
    mail_is_delivered_over_smtp,
    failing_smtp_retries_with_backoff_then_dies,
    permanent_refusal_dies_at_once,
    silent_smtp_does_not_hold_up_sign_up,
    two_workers_on_a_slow_server_send_each_mail_once,
    sent_mail_leaves_the_outbox_after_its_retention,
);

/// Sent mail stays in the outbox for the configured 30 days, then the retention job removes it;
/// mail still pending stays whatever its age.
async fn sent_mail_leaves_the_outbox_after_its_retention(backend: Backend) {
    let stub = SmtpStub::start(SmtpBehaviour::Accept).await;
    let Some(server) = server_with(backend, &stub, Duration::from_secs(5)).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    assert_eq!(server.deliver_mail().await, 1);
    stub.set_behaviour(SmtpBehaviour::Temporary);
    sign_up(&server, &client(), "bea@example.org", "Bea").await;
    server.deliver_mail().await;
    let addresses = |mails: Vec<cocreate_store::OutboxMail>| -> Vec<(String, MailStatus)> {
        mails
            .into_iter()
            .map(|m| (m.to_address, m.status))
            .collect()
    };
    server.clock.advance_minutes(29 * 24 * 60);
    let removed = server.app.remove_expired().await.unwrap();
    assert_eq!(removed.mails, 0, "29 days: kept");
    server.clock.advance_minutes(2 * 24 * 60);
    let removed = server.app.remove_expired().await.unwrap();
    assert_eq!(removed.mails, 1, "31 days: the sent mail goes");
    assert_eq!(
        addresses(server.mails().await),
        [("bea@example.org".to_owned(), MailStatus::Pending)],
        "the mail still to be retried stays"
    );
}

async fn server_with(backend: Backend, stub: &SmtpStub, timeout: Duration) -> Option<TestServer> {
    let smtp = stub.settings(timeout);
    spawn_with(
        backend,
        ServerOptions {
            smtp: Some(smtp),
            ..ServerOptions::default()
        },
    )
    .await
}

async fn mail_is_delivered_over_smtp(backend: Backend) {
    let stub = SmtpStub::start(SmtpBehaviour::Accept).await;
    let Some(server) = server_with(backend, &stub, Duration::from_secs(5)).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    post_form(
        &client(),
        server.url("/reset"),
        &[("email", "ada@example.org")],
    )
    .await;
    assert_eq!(server.deliver_mail().await, 2);
    let messages = stub.messages();
    assert_eq!(messages.len(), 2);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Subject: Welcome to Cocreate"))
    );
    let reset = messages
        .iter()
        .find(|m| m.contains("Subject: Reset your password"))
        .unwrap();
    assert!(
        reset.contains("To: ada@example.org") && reset.contains("/reset/"),
        "{reset}"
    );
    assert!(
        server
            .mails()
            .await
            .iter()
            .all(|m| m.status == MailStatus::Sent)
    );
    assert_eq!(server.deliver_mail().await, 0, "nothing is sent twice");

    // Admins see the mail in the outbox, but not the token that would let them reset Ada's
    // password.
    let link = server.link_in_mail("ada@example.org", "/reset/").await;
    let token = link.trim_start_matches("/reset/");
    let (_, admin_token) = person(
        &server,
        "admin@example.org",
        cocreate_core::AccountKind::Employee,
        cocreate_core::OrgRole::Admin,
    )
    .await;
    let (_, outbox) = api(&server, &admin_token, "GET", "/api/v1/outbox", None).await;
    let outbox = outbox.to_string();
    assert!(outbox.contains("/reset/[hidden]"), "{outbox}");
    assert!(!outbox.contains(token), "{outbox}");
}

async fn failing_smtp_retries_with_backoff_then_dies(backend: Backend) {
    let stub = SmtpStub::start(SmtpBehaviour::Temporary).await;
    let Some(server) = server_with(backend, &stub, Duration::from_secs(5)).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    let mut waits = Vec::new();
    for attempt in 1..=MAX_MAIL_ATTEMPTS {
        assert_eq!(server.deliver_mail().await, 1, "attempt {attempt} is due");
        let mail = server.last_mail_to("ada@example.org").await;
        assert_eq!(mail.attempts, attempt);
        if attempt < MAX_MAIL_ATTEMPTS {
            assert_eq!(mail.status, MailStatus::Pending);
            assert!(mail.last_error.as_deref().unwrap().contains("451"));
            assert_eq!(server.deliver_mail().await, 0, "not due before its backoff");
            let wait = mail.next_attempt_at.millis() - server.app.now().millis();
            waits.push(wait);
            server.clock.advance_minutes(wait / 60_000 + 1);
        } else {
            assert_eq!(mail.status, MailStatus::Dead);
        }
    }
    assert!(
        waits.windows(2).all(|w| w[1] == 2 * w[0]),
        "exponential backoff: {waits:?}"
    );
    assert!(stub.messages().is_empty());
    server.clock.advance_minutes(10_000);
    assert_eq!(server.deliver_mail().await, 0, "dead mail is not retried");
    let admin = account(
        &server,
        "admin@example.org",
        cocreate_core::AccountKind::Employee,
        cocreate_core::OrgRole::Admin,
    )
    .await;
    let outbox = read_page(&admin, server.url("/admin/outbox")).await;
    assert!(
        outbox.contains("dead") && outbox.contains("451"),
        "admins see the dead mail"
    );
}

async fn permanent_refusal_dies_at_once(backend: Backend) {
    let stub = SmtpStub::start(SmtpBehaviour::Permanent).await;
    let Some(server) = server_with(backend, &stub, Duration::from_secs(5)).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    server.deliver_mail().await;
    let mail = server.last_mail_to("ada@example.org").await;
    assert_eq!((mail.status, mail.attempts), (MailStatus::Dead, 1));
    assert!(mail.last_error.unwrap().contains("550"));
    stub.set_behaviour(SmtpBehaviour::Accept);
}

/// The background worker is stuck in a conversation with a server that never answers (for up
/// to 2 × 4 s), and meanwhile people still sign up at once: nothing waits for SMTP.
async fn silent_smtp_does_not_hold_up_sign_up(backend: Backend) {
    let stub = SmtpStub::start(SmtpBehaviour::Silent).await;
    let Some(server) = server_with(backend, &stub, Duration::from_secs(4)).await else {
        return;
    };
    let worker = tokio::spawn(cocreate_app::Worker::new(server.app.clone()).unwrap().run());
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    let attempt_started = Instant::now();
    while server.last_mail_to("ada@example.org").await.attempts == 0 {
        assert!(
            attempt_started.elapsed() < Duration::from_secs(5),
            "the worker never took the mail"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    sign_up(&server, &client(), "bea@example.org", "Bea").await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "sign-up waited {:?} while the worker talked to SMTP",
        started.elapsed()
    );
    let mut mail = server.last_mail_to("ada@example.org").await;
    while mail.last_error.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the silent server's delivery never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        mail = server.last_mail_to("ada@example.org").await;
    }
    worker.abort();
    assert_eq!(
        mail.status,
        MailStatus::Pending,
        "a timeout is retried later"
    );
}

/// Two workers (two processes sharing the database) drain the outbox of a slow SMTP server while
/// more time passes than one old batch lease lasted: each mail still leaves exactly once.
async fn two_workers_on_a_slow_server_send_each_mail_once(backend: Backend) {
    let stub = SmtpStub::start(SmtpBehaviour::AcceptAfter(Duration::from_millis(600))).await;
    // Deliveries may take up to 2 × 60 s: a lease must outlast that.
    let Some(server) = server_with(backend, &stub, Duration::from_secs(60)).await else {
        return;
    };
    let addresses = ["ada@example.org", "bea@example.org", "cy@example.org"];
    for address in addresses {
        sign_up(&server, &client(), address, "Someone").await;
    }
    let worker = || cocreate_app::Worker::new(server.app.clone()).unwrap();
    let (first, second) = (worker(), worker());
    let first_run = first.deliver_mail();
    let second_run = async {
        // Once the first worker is inside its first delivery, two minutes pass (as they would
        // for a batch on a slow server), then the second worker starts.
        while server.mails().await.iter().all(|mail| mail.attempts == 0) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.clock.advance_minutes(2);
        second.deliver_mail().await
    };
    let (first_sent, second_sent) = tokio::join!(first_run, second_run);
    let attempted = first_sent.unwrap() + second_sent.unwrap();
    assert_eq!(attempted, addresses.len(), "each mail attempted once");
    let messages = stub.messages();
    for address in addresses {
        let copies = messages.iter().filter(|m| m.contains(address)).count();
        assert_eq!(copies, 1, "{address} got {copies} copies");
    }
    assert!(
        server
            .mails()
            .await
            .iter()
            .all(|mail| mail.status == MailStatus::Sent && mail.attempts == 1)
    );
}
