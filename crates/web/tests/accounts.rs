//! Accounts over HTTP on both backends: sign up, in and out, sessions, passwords, resets, e-mail
//! changes, API tokens, and every kind of bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_core::{AccountKind, Clock, OrgRole};
use cocreate_testkit::{Backend, ServerOptions, TestServer, spawn, spawn_with};
use common::*;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

on_both_backends!(
    sign_up_sign_out_sign_in,
    sign_up_refuses_bad_input_and_changes_nothing,
    api_refuses_malformed_requests,
    authorization_is_read_as_rfc_9110_has_it,
    signing_in_returns_to_where_the_person_was,
    password_reset_works_once,
    expired_reset_links_are_refused,
    password_change_ends_other_sessions,
    a_new_password_ends_every_open_link_and_session,
    reset_mails_are_limited_per_address,
    email_change_needs_confirmation,
    sessions_rotate_and_tampered_cookies_are_anonymous,
    api_tokens_are_shown_once_and_revocable,
    a_token_request_does_not_wait_to_note_its_use,
    sign_in_is_throttled_per_address,
    password_checks_beyond_their_bound_are_answered_busy,
    data_survives_a_restart,
);

/// Argon2 runs at most one hash per core with a short queue; beyond it a sign-in is answered 503
/// with `Retry-After` at once instead of waiting behind every other, and works again after.
async fn password_checks_beyond_their_bound_are_answered_busy(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada Lovelace").await;
    let work = server.app.password_work();
    let mut held = Vec::new();
    while let Ok(turn) = work.admit() {
        held.push(turn);
        assert!(held.len() <= 1024, "the password work has no bound");
    }
    let busy = post_form(
        &client(),
        server.url("/signin"),
        &[("email", "ada@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers()[header::RETRY_AFTER], "2");
    assert!(busy.text().await.unwrap().contains("busy"));
    drop(held);
    assert_eq!(
        sign_in_status(&server, "ada@example.org", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
}

async fn sign_up_sign_out_sign_in(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let client = client();
    assert_eq!(
        client
            .get(server.url("/signup"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    sign_up(&server, &client, "Ada@Example.org", "Ada Lovelace").await;
    let profile = client.get(server.url("/profile")).send().await.unwrap();
    assert_eq!(profile.status(), StatusCode::OK);
    let html = profile.text().await.unwrap();
    assert!(
        html.contains("Ada Lovelace") && html.contains("ada@example.org"),
        "{html}"
    );

    let out = post_form(&client, server.url("/signout"), &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let profile = client.get(server.url("/profile")).send().await.unwrap();
    assert_eq!(
        (profile.status(), location(&profile)),
        (StatusCode::SEE_OTHER, "/signin?next=%2Fprofile")
    );

    let wrong = post_form(
        &client,
        server.url("/signin"),
        &[
            ("email", "ada@example.org"),
            ("password", "not the password"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("wrong e-mail or password")
    );
    let right = post_form(
        &client,
        server.url("/signin"),
        &[("email", "ADA@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    let cookie = right.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert_eq!(
        client
            .get(server.url("/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // The welcome mail went through the outbox.
    assert!(
        server
            .last_mail_to("ada@example.org")
            .await
            .subject
            .starts_with("Welcome")
    );
}

async fn sign_up_refuses_bad_input_and_changes_nothing(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    sign_up(&server, &client(), "taken@example.org", "First").await;
    let before = count_accounts(&server).await;
    let long_name = "n".repeat(81);
    let long_password = "p".repeat(129);
    let cases: &[(&str, &str, &str, &str)] = &[
        ("TAKEN@example.org", "Second", PASSWORD, "already exists"),
        ("not-an-email", "Name", PASSWORD, "not a valid e-mail"),
        ("a@example.org", "Name", "short", "at least 10"),
        ("a@example.org", "Name", &long_password, "at most 128"),
        ("a@example.org", &long_name, PASSWORD, "at most 80"),
        ("a@example.org", "   ", PASSWORD, "must not be empty"),
    ];
    for (email, name, password, message) in cases {
        let response = post_form(
            &client(),
            server.url("/signup"),
            &[("email", email), ("name", name), ("password", password)],
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email} {name}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "expected {message:?} in {html}");
        assert!(html.contains("role=\"alert\""));
    }
    // Invalid UTF-8 in a form body.
    let response = client()
        .post(server.url("/signup"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(b"email=a%40example.org&name=%FF%FE&password=correcthorse1".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("could not be read"));

    // The same through the API: problem+json naming the field.
    let api = client();
    let response = api
        .post(server.url("/api/v1/accounts"))
        .json(&json!({"email": "Taken@Example.org", "name": "X", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["field"].as_str()),
        (Some("conflict"), Some("email"))
    );
    let response = api
        .post(server.url("/api/v1/accounts"))
        .json(&json!({"email": "b@example.org", "name": "X", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["field"].as_str()),
        (Some("validation_failed"), Some("password"))
    );

    assert_eq!(
        count_accounts(&server).await,
        before,
        "no refused input created an account"
    );
}

async fn api_refuses_malformed_requests(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let api = client();
    let url = server.url("/api/v1/accounts");
    let malformed = api
        .post(&url)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.json::<Value>().await.unwrap()["code"],
        "bad_request"
    );
    let unknown = api
        .post(&url)
        .json(
            &json!({"email": "a@example.org", "name": "A", "password": PASSWORD, "role": "admin"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(
        unknown.json::<Value>().await.unwrap()["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field `role`")
    );
    let wrong_type = api
        .post(&url)
        .json(&json!({"email": 5, "name": "A", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);
    let invalid_utf8 = api
        .post(&url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(b"{\"email\": \"\xff\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_utf8.status(), StatusCode::BAD_REQUEST);
    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    // A fresh connection: the server closes this one after refusing the body unread.
    let too_large = client()
        .post(&url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(huge)
        .send()
        .await;
    assert_refused_as_too_large(too_large).await;
    let no_route = api
        .get(server.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_route.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        no_route.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let unauthenticated = api.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let bad_bearer = api
        .get(server.url("/api/v1/me"))
        .bearer_auth("cct_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_bearer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(count_accounts(&server).await, 0);
}

/// The scheme is case-insensitive; anything but `Bearer <token>` is refused, never anonymous,
/// and a page asked for with a malformed header is refused too.
async fn authorization_is_read_as_rfc_9110_has_it(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, token) = customer(&server, "ada@example.org").await;
    let me = |value: String| {
        let url = server.url("/api/v1/me");
        async move {
            let response = client()
                .get(url)
                .header(header::AUTHORIZATION, value)
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    for scheme in ["Bearer", "bearer", "BEARER", "Bearer  "] {
        let (status, body) = me(format!("{scheme} {token}")).await;
        assert_eq!(status, StatusCode::OK, "{scheme}: {body}");
        assert_eq!(body["email"], "ada@example.org");
    }
    let malformed = [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        format!("Bearer {token} extra"),
        format!("Basic {token}"),
        format!("Token {token}"),
        "nonsense".to_owned(),
    ];
    for value in malformed {
        let (status, body) = me(value.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{value:?}: {body}");
        assert_eq!(body["code"], "unauthenticated", "{value:?}");
    }
    let page = client()
        .get(server.url("/"))
        .header(header::AUTHORIZATION, "Bearer")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
}

/// Asked to sign in (by a link or by a page that needs it), a person comes back to the page
/// they were on; only a path of this site is followed, never another site.
async fn signing_in_returns_to_where_the_person_was(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada Lovelace").await;
    // A page that needs a session sends to the sign-in form with the way back.
    let asked = client()
        .get(server.url("/notifications?page=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&asked), "/signin?next=%2Fnotifications%3Fpage%3D2");
    // The form carries it, and so does its link to the sign-up form.
    let form = client()
        .get(server.url("/signin?next=%2Fideas%2F7"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains(r#"name="next" value="/ideas/7""#)
            && form.contains("/signup?next=%2Fideas%2F7"),
        "{form}"
    );
    // A link from a page of the site fills it from the Referer.
    let from_page = client()
        .get(server.url("/signin"))
        .header(header::REFERER, server.url("/spaces/ideas?sort=top"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        from_page.contains(r#"name="next" value="/spaces/ideas?sort=top""#),
        "{from_page}"
    );
    let from_elsewhere = client()
        .get(server.url("/signin"))
        .header(header::REFERER, "https://elsewhere.example/ideas/1")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!from_elsewhere.contains(r#"name="next""#));
    let sign_in = |next: &'static str| {
        let url = server.url("/signin");
        async move {
            let fields = [
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", next),
            ];
            let response = post_form(&client(), url, &fields).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next}");
            location(&response).to_owned()
        }
    };
    assert_eq!(sign_in("/ideas/7").await, "/ideas/7");
    assert_eq!(
        sign_in("/spaces/ideas?sort=top").await,
        "/spaces/ideas?sort=top"
    );
    for elsewhere in [
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/signin",
        "/signup?next=/x",
        "",
    ] {
        assert_eq!(sign_in(elsewhere).await, "/", "{elsewhere:?}");
    }
    // Signing up returns too.
    let fields = [
        ("email", "grace@example.org"),
        ("name", "Grace Hopper"),
        ("password", PASSWORD),
        ("next", "/ideas/7"),
    ];
    let signed_up = post_form(&client(), server.url("/signup"), &fields).await;
    assert_eq!(signed_up.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_up), "/ideas/7");
}

async fn password_reset_works_once(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    // Unknown addresses get the same answer and no mail.
    let unknown = post_form(
        &client(),
        server.url("/reset"),
        &[("email", "nobody@example.org")],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    assert!(
        server
            .mails()
            .await
            .iter()
            .all(|m| m.to_address != "nobody@example.org")
    );
    let bad = post_form(&client(), server.url("/reset"), &[("email", "nope")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let requested = post_form(
        &client(),
        server.url("/reset"),
        &[("email", "ada@example.org")],
    )
    .await;
    assert_eq!(requested.status(), StatusCode::OK);
    let link = server.link_in_mail("ada@example.org", "/reset/").await;
    let browser = client();
    assert_eq!(
        browser
            .get(server.url(&link))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let short = post_form(&browser, server.url(&link), &[("password", "short")]).await;
    assert_eq!(
        short.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a refused password leaves the token usable"
    );
    let done = post_form(
        &browser,
        server.url(&link),
        &[("password", "a brand new password")],
    )
    .await;
    assert_eq!(
        (done.status(), location(&done)),
        (StatusCode::SEE_OTHER, "/profile?done=password")
    );
    assert_eq!(
        browser
            .get(server.url("/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let again = post_form(
        &client(),
        server.url(&link),
        &[("password", "another new password")],
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("invalid, used or expired")
    );
    assert_eq!(
        sign_in_status(&server, "ada@example.org", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_status(&server, "ada@example.org", "a brand new password").await,
        StatusCode::SEE_OTHER
    );

    // Through the API, a used token is 410 Gone.
    let token = link.trim_start_matches("/reset/");
    let api = client()
        .post(server.url(&format!("/api/v1/password-resets/{token}")))
        .json(&json!({"new_password": "yet another password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::GONE);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "invalid_token");
}

async fn expired_reset_links_are_refused(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    let response = client()
        .post(server.url("/api/v1/password-resets"))
        .json(&json!({"email": "ada@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let link = server.link_in_mail("ada@example.org", "/reset/").await;
    server
        .clock
        .advance_minutes(cocreate_app::RESET_MINUTES + 1);
    let late = post_form(
        &client(),
        server.url(&link),
        &[("password", "a brand new password")],
    )
    .await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let old = post_form(
        &client(),
        server.url("/signin"),
        &[("email", "ada@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(
        old.status(),
        StatusCode::SEE_OTHER,
        "the password did not change"
    );
}

async fn password_change_ends_other_sessions(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let laptop = client();
    sign_up(&server, &laptop, "ada@example.org", "Ada").await;
    let phone = client();
    post_form(
        &phone,
        server.url("/signin"),
        &[("email", "ada@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(
        phone
            .get(server.url("/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let wrong = post_form(
        &laptop,
        server.url("/profile/password"),
        &[
            ("current_password", "wrong password"),
            ("new_password", "a brand new password"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("current password is not your current password")
    );
    let changed = post_form(
        &laptop,
        server.url("/profile/password"),
        &[
            ("current_password", PASSWORD),
            ("new_password", "a brand new password"),
        ],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        laptop
            .get(server.url("/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        phone
            .get(server.url("/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER,
        "others end"
    );
}

async fn email_change_needs_confirmation(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let ada = client();
    sign_up(&server, &ada, "ada@example.org", "Ada").await;
    sign_up(&server, &client(), "eve@example.org", "Eve").await;
    let taken = post_form(
        &ada,
        server.url("/profile/email"),
        &[("email", "EVE@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = post_form(
        &ada,
        server.url("/profile/email"),
        &[
            ("email", "ada@new.example.org"),
            ("password", "wrong password"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let asked = post_form(
        &ada,
        server.url("/profile/email"),
        &[("email", "ada@new.example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    assert!(
        server
            .store
            .account_by_email("ada@example.org")
            .await
            .unwrap()
            .is_some(),
        "nothing changes before confirmation"
    );
    let link = server
        .link_in_mail("ada@new.example.org", "/email/confirm/")
        .await;
    assert_eq!(
        ada.get(server.url(&link)).send().await.unwrap().status(),
        StatusCode::OK,
        "GET only shows a button"
    );
    assert!(
        server
            .store
            .account_by_email("ada@example.org")
            .await
            .unwrap()
            .is_some()
    );
    let confirmed = post_form(&ada, server.url(&link), &[]).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert!(
        server
            .store
            .account_by_email("ada@new.example.org")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        server
            .last_mail_to("ada@example.org")
            .await
            .subject
            .contains("changed"),
        "the old address is told"
    );
    let reused = post_form(&ada, server.url(&link), &[]).await;
    assert_eq!(reused.status(), StatusCode::GONE);
}

/// Asks for a reset link for `email` through the form; returns the newest link mailed there.
async fn reset_link(server: &TestServer, email: &str) -> String {
    let asked = post_form(&client(), server.url("/reset"), &[("email", email)]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    server.link_in_mail(email, "/reset/").await
}

/// The status a fresh browser gets when signing in with `password`: 303 when it is right.
async fn sign_in_status(server: &TestServer, email: &str, password: &str) -> StatusCode {
    post_form(
        &client(),
        server.url("/signin"),
        &[("email", email), ("password", password)],
    )
    .await
    .status()
}

/// The status a fresh browser gets when choosing a new password through a reset `link`.
async fn reset_status(server: &TestServer, link: &str, password: &str) -> StatusCode {
    post_form(&client(), server.url(link), &[("password", password)])
        .await
        .status()
}

async fn is_signed_in(server: &TestServer, session: &reqwest::Client) -> bool {
    let profile = session.get(server.url("/profile")).send().await.unwrap();
    profile.status() == StatusCode::OK
}

/// A reset ends every session, and both a reset and a change of password end every link mailed
/// before: another reset link, and a pending move of the account to a new address (which would
/// otherwise hand the account to whoever asked for it, after the owner took it back).
async fn a_new_password_ends_every_open_link_and_session(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let ada = client();
    sign_up(&server, &ada, "ada@example.org", "Ada").await;
    let elsewhere = client();
    let signed_in = post_form(
        &elsewhere,
        server.url("/signin"),
        &[("email", "ada@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let earlier = reset_link(&server, "ada@example.org").await;
    let asked = post_form(
        &elsewhere,
        server.url("/profile/email"),
        &[("email", "eve@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let move_away = server
        .link_in_mail("eve@example.org", "/email/confirm/")
        .await;
    let latest = reset_link(&server, "ada@example.org").await;
    assert_ne!(earlier, latest);

    let browser = client();
    let reset = post_form(
        &browser,
        server.url(&latest),
        &[("password", "a brand new password")],
    )
    .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    assert!(is_signed_in(&server, &browser).await, "the reset signs in");
    for session in [&ada, &elsewhere] {
        assert!(!is_signed_in(&server, session).await, "older sessions end");
    }
    assert_eq!(
        reset_status(&server, &earlier, "the attacker's password").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let moved = post_form(&client(), server.url(&move_away), &[]).await;
    assert_eq!(moved.status(), StatusCode::GONE);
    assert!(
        server
            .store
            .account_by_email("ada@example.org")
            .await
            .unwrap()
            .is_some(),
        "the account keeps its address"
    );

    // A change of password through the profile does the same to links still open.
    let pending = reset_link(&server, "ada@example.org").await;
    let changed = post_form(
        &browser,
        server.url("/profile/password"),
        &[
            ("current_password", "a brand new password"),
            ("new_password", "yet another password"),
        ],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        reset_status(&server, &pending, "the attacker's password").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        sign_in_status(&server, "ada@example.org", "yet another password").await,
        StatusCode::SEE_OTHER
    );
}

/// Asking again and again for a reset link sends a few, then nothing, with the same answer each
/// time: nobody can flood someone's inbox, and the answer still does not tell who has an account.
async fn reset_mails_are_limited_per_address(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    sign_up(&server, &client(), "bob@example.org", "Bob").await;
    let reset_mails = |to: &'static str| {
        let server = &server;
        async move {
            server
                .mails()
                .await
                .iter()
                .filter(|m| m.to_address == to && m.body.contains("/reset/"))
                .count()
        }
    };
    let mut answers = Vec::new();
    for _ in 0..cocreate_app::RESET_MAILS_PER_HOUR + 2 {
        let asked = post_form(
            &client(),
            server.url("/reset"),
            &[("email", "ada@example.org")],
        )
        .await;
        answers.push((asked.status(), asked.text().await.unwrap()));
    }
    assert_eq!(
        reset_mails("ada@example.org").await,
        cocreate_app::RESET_MAILS_PER_HOUR as usize
    );
    assert!(
        answers.windows(2).all(|pair| pair[0] == pair[1]),
        "every answer is the same"
    );
    assert_eq!(answers[0].0, StatusCode::OK);
    let unknown = post_form(
        &client(),
        server.url("/reset"),
        &[("email", "nobody@example.org")],
    )
    .await;
    // The answer names the address it was given, and nothing else differs.
    let status = unknown.status();
    let text = unknown.text().await.unwrap();
    let unknown = (status, text.replace("nobody@", "ada@"));
    assert_eq!(
        unknown, answers[0],
        "an unknown address is answered the same"
    );
    let api = client()
        .post(server.url("/api/v1/password-resets"))
        .json(&json!({"email": "ada@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::ACCEPTED);
    assert_eq!(
        reset_mails("ada@example.org").await,
        cocreate_app::RESET_MAILS_PER_HOUR as usize
    );
    // Other addresses still get theirs.
    reset_link(&server, "bob@example.org").await;
}

async fn sessions_rotate_and_tampered_cookies_are_anonymous(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    let signin = |cookie: Option<String>| {
        let server_url = server.url("/signin");
        async move {
            let mut request = client()
                .post(server_url)
                .form(&[("email", "ada@example.org"), ("password", PASSWORD)]);
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let response = request.send().await.unwrap();
            let set = response.headers()[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .to_owned();
            set.split(';').next().unwrap().to_owned()
        }
    };
    let first = signin(None).await;
    // Signing in while holding a session replaces it: the old token stops working (no fixation).
    let second = signin(Some(first.clone())).await;
    assert_ne!(first, second);
    let with = |cookie: &str| {
        client()
            .get(server.url("/profile"))
            .header(header::COOKIE, cookie.to_owned())
            .send()
    };
    assert_eq!(with(&second).await.unwrap().status(), StatusCode::OK);
    assert_eq!(with(&first).await.unwrap().status(), StatusCode::SEE_OTHER);
    // A tampered or made-up cookie is simply no session.
    let mut tampered = second.clone();
    tampered.pop();
    tampered.push('x');
    assert_eq!(
        with(&tampered).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        with("cocreate_session=made-up").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    // Expired sessions end.
    server
        .clock
        .advance_minutes(cocreate_app::SESSION_DAYS * 24 * 60 + 1);
    assert_eq!(with(&second).await.unwrap().status(), StatusCode::SEE_OTHER);
    // Signing out ends the session on the server: the same cookie, sent again, is no session.
    let third = signin(None).await;
    assert_eq!(with(&third).await.unwrap().status(), StatusCode::OK);
    let out = client()
        .post(server.url("/signout"))
        .header(header::COOKIE, third.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(with(&third).await.unwrap().status(), StatusCode::SEE_OTHER);
}

async fn api_tokens_are_shown_once_and_revocable(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let ada = account(
        &server,
        "ada@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let token = api_token(&server, &ada).await;
    assert!(token.starts_with("cct_"));
    let profile = read_page(&ada, server.url("/profile")).await;
    assert!(!profile.contains(&token), "the secret is never shown again");
    let api = client();
    let me: Value = api
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "ada@example.org");
    let tokens: Value = api
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tokens[0]["last_used_at"].is_string(), "{tokens}");
    let id = tokens[0]["id"].as_i64().unwrap();
    // Another account cannot see or revoke it.
    let eve = account(
        &server,
        "eve@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let eve_token = api_token(&server, &eve).await;
    let theirs = api
        .delete(server.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&eve_token)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    let page = post_form(
        &eve,
        server.url(&format!("/profile/tokens/{id}/revoke")),
        &[],
    )
    .await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let bad_name = api
        .post(server.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .json(&json!({"name": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_name.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let revoked = api
        .delete(server.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let after = api
        .get(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.get(server.url("/api/v1/me"))
            .bearer_auth(&eve_token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

/// Noting when a token was last used is bookkeeping: the request does not wait for that write,
/// even while another transaction holds SQLite's one writer; the time shows in the token list
/// at once and is stored as soon as the writer is free.
async fn a_token_request_does_not_wait_to_note_its_use(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let ada = account(
        &server,
        "ada@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let token = api_token(&server, &ada).await;
    let api = client();
    let ada_id = server
        .store
        .account_by_email("ada@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let token_id = server.store.api_tokens(ada_id).await.unwrap()[0].id;
    // Hold the very write the request would make: on SQLite the writer lock, on PostgreSQL the
    // token's row as well.
    let mut held = server.store.begin().await.unwrap();
    held.touch_api_token(token_id, cocreate_core::Timestamp(0))
        .await
        .unwrap();
    let me = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        api.get(server.url("/api/v1/me")).bearer_auth(&token).send(),
    )
    .await
    .expect("the request does not wait for the writer")
    .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let account_id = me.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let listed: Value = api
        .get(server.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    assert_eq!(
        server.store.api_tokens(ada_id).await.unwrap()[0].last_used_at,
        None,
        "the use's write is still waiting behind the held one"
    );
    drop(held);
    let mut stored = None;
    for _ in 0..100 {
        stored = server.store.api_tokens(account_id).await.unwrap()[0].last_used_at;
        if stored.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(stored, Some(server.clock.now()), "the use is stored");
}

async fn sign_in_is_throttled_per_address(backend: Backend) {
    let options = ServerOptions {
        sign_in_attempts_per_minute: Some(3),
        ..ServerOptions::default()
    };
    let Some(server) = spawn_with(backend, options).await else {
        return;
    };
    sign_up(&server, &client(), "ada@example.org", "Ada").await;
    for _ in 0..3 {
        let wrong = sign_in_status(&server, "ada@example.org", "guess guess guess").await;
        assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    }
    let throttled = post_form(
        &client(),
        server.url("/signin"),
        &[("email", "ada@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(throttled.status(), StatusCode::UNAUTHORIZED);
    assert!(
        throttled
            .text()
            .await
            .unwrap()
            .contains("too many attempts")
    );
    // The forms that ask a signed-in person for the current password count as guesses too, so a
    // stolen session is no faster way to find the password.
    let bea = client();
    sign_up(&server, &bea, "bea@example.org", "Bea").await;
    let before = server
        .store
        .account_by_email("bea@example.org")
        .await
        .unwrap()
        .unwrap();
    for _ in 0..3 {
        let wrong = post_form(
            &bea,
            server.url("/profile/password"),
            &[
                ("current_password", "guess guess guess"),
                ("new_password", "a brand new password"),
            ],
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    for (path, fields) in [
        (
            "/profile/password",
            [
                ("current_password", PASSWORD),
                ("new_password", "a brand new password"),
            ],
        ),
        (
            "/profile/email",
            [("email", "bea@new.example.org"), ("password", PASSWORD)],
        ),
    ] {
        let throttled = post_form(&bea, server.url(path), &fields).await;
        assert_eq!(
            throttled.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}"
        );
        let text = throttled.text().await.unwrap();
        assert!(text.contains("too many attempts"), "{path}: {text}");
    }
    let after = server.store.account_by_email("bea@example.org").await;
    assert_eq!(
        after.unwrap().unwrap().password_hash,
        before.password_hash,
        "the throttled change did not happen"
    );
    // Guesses at someone's sign-in from elsewhere do not lock their own session out of the
    // current-password forms: those have the account's own budget.
    let cy = client();
    sign_up(&server, &cy, "cy@example.org", "Cy").await;
    for _ in 0..3 {
        let wrong = sign_in_status(&server, "cy@example.org", "guess guess guess").await;
        assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    }
    let asked = post_form(
        &cy,
        server.url("/profile/email"),
        &[("email", "cy@new.example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    // Other addresses are not affected.
    let other = post_form(
        &client(),
        server.url("/signin"),
        &[("email", "eve@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert!(
        other
            .text()
            .await
            .unwrap()
            .contains("wrong e-mail or password")
    );
}

async fn data_survives_a_restart(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let admin = account(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let token = api_token(&server, &admin).await;
    let created = client()
        .post(server.url("/api/v1/spaces"))
        .bearer_auth(&token)
        .json(&json!({"name": "Staff room", "audience": "internal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let url = server.database_url.clone();
    server.stop().await;
    let options = ServerOptions {
        database_url: Some(url),
        ..ServerOptions::default()
    };
    let server = spawn_with(backend, options).await.unwrap();
    let space: Value = client()
        .get(server.url("/api/v1/spaces/staff-room"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(space["audience"], "internal");
    let signin = post_form(
        &client(),
        server.url("/signin"),
        &[("email", "admin@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signin.status(), StatusCode::SEE_OTHER);
}
