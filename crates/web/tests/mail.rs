//! Mail through the outbox to a real SMTP conversation on loopback, on both backends: delivery,
//! retries with backoff, the dead state, and a server that never answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use cocreate_app::{MAX_MAIL_ATTEMPTS, SmtpSecurity, SmtpSettings};
use cocreate_store::MailStatus;
use cocreate_testkit::{Backend, ServerOptions, SmtpBehaviour, SmtpStub, TestServer, spawn_with};
use common::*;

on_both_backends!(
    mail_is_delivered_over_smtp,
    failing_smtp_retries_with_backoff_then_dies,
    permanent_refusal_dies_at_once,
    silent_smtp_does_not_hold_up_sign_up,
);

async fn server_with(backend: Backend, stub: &SmtpStub, timeout: Duration) -> Option<TestServer> {
    let smtp = SmtpSettings {
        host: "127.0.0.1".into(),
        port: stub.port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Cocreate <noreply@cocreate.test>".into(),
        timeout,
    };
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
    let outbox = admin
        .get(server.url("/admin/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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

async fn silent_smtp_does_not_hold_up_sign_up(backend: Backend) {
    let stub = SmtpStub::start(SmtpBehaviour::Silent).await;
    let Some(server) = server_with(backend, &stub, Duration::from_secs(1)).await else {
        return;
    };
    let started = Instant::now();
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "sign-up does not wait for SMTP"
    );
    server.deliver_mail().await;
    let mail = server.last_mail_to("ada@example.org").await;
    assert_eq!(
        mail.status,
        MailStatus::Pending,
        "a timeout is retried later"
    );
    assert!(mail.last_error.is_some());
}
