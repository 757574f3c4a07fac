//! Access and abuse, on both backends: every object endpoint of an idea in an invite-only space
//! answers 404 to an outsider exactly as to a made-up id, writes beyond the per-address budget
//! are refused with 429 and change nothing, and `X-Forwarded-For` names the client only when a
//! trusted proxy sent it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::{Backend, ServerOptions, TestServer, spawn, spawn_with};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    invite_only_ideas_are_not_found_by_outsiders,
    writes_beyond_the_budget_are_refused,
    forwarded_addresses_count_only_behind_trusted_proxies,
);

async fn invite_only_ideas_are_not_found_by_outsiders(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = person(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    create_space(&server, &admin, "Inner circle", Audience::InviteOnly).await;
    let (member, member_token) = customer(&server, "member@example.org").await;
    server
        .app
        .add_space_member(&admin, "inner-circle", &member.email)
        .await
        .unwrap();
    let idea = published_idea(
        &server,
        &admin,
        "inner-circle",
        "Secret gear",
        "Only for members.",
    )
    .await;
    let comment = server
        .app
        .add_comment(
            &member,
            cocreate_store::Subject::Idea(idea.id),
            None,
            "Looks good",
        )
        .await
        .unwrap();
    let file = server
        .app
        .attach(&admin, idea.id, "plan.txt", b"the plan".to_vec())
        .await
        .unwrap();
    let (_, outsider_token) = customer(&server, "outsider@example.org").await;
    let outsider = client();
    sign_up(&server, &outsider, "outsider2@example.org", "Outsider").await;

    let id = idea.id;
    let reads = [
        format!("/api/v1/ideas/{id}"),
        format!("/api/v1/ideas/{id}/comments"),
        format!("/api/v1/ideas/{id}/revisions"),
        format!("/api/v1/ideas/{id}/attachments"),
        format!("/api/v1/ideas/{id}/co-authors"),
    ];
    let writes = [
        ("PUT", format!("/api/v1/ideas/{id}/support"), None),
        ("DELETE", format!("/api/v1/ideas/{id}/support"), None),
        ("PUT", format!("/api/v1/ideas/{id}/follow"), None),
        (
            "POST",
            format!("/api/v1/ideas/{id}/comments"),
            Some(json!({ "body": "hi" })),
        ),
        (
            "PUT",
            format!("/api/v1/ideas/{id}"),
            Some(json!({ "title": "Mine", "body": "now" })),
        ),
        ("POST", format!("/api/v1/ideas/{id}/publish"), None),
        (
            "POST",
            format!("/api/v1/ideas/{id}/co-authors/accept"),
            None,
        ),
        (
            "PUT",
            format!("/api/v1/comments/{}", comment.id),
            Some(json!({ "body": "edited" })),
        ),
        ("DELETE", format!("/api/v1/comments/{}", comment.id), None),
    ];
    // A member sees the idea: the refusals below are about the outsider, not a broken route.
    for path in &reads {
        let (status, body) = api(&server, &member_token, "GET", path, None).await;
        assert_eq!(status, StatusCode::OK, "member: {path}: {body}");
    }
    for path in &reads {
        let (status, body) = api(&server, &outsider_token, "GET", path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "outsider: {path}: {body}");
        assert_eq!(body["code"], "not_found", "{path}: {body}");
        let made_up = path.replace(&id.to_string(), "999999");
        let (_, unknown) = api(&server, &outsider_token, "GET", &made_up, None).await;
        assert_eq!(
            body, unknown,
            "an outsider learns nothing a made-up id would not tell"
        );
    }
    for (method, path, body) in &writes {
        let (status, answer) = api(&server, &outsider_token, method, path, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "outsider: {method} {path}: {answer}"
        );
    }
    for page in [
        format!("/ideas/{id}"),
        format!("/ideas/{id}/revisions"),
        format!("/attachments/{}/plan.txt", file.id),
    ] {
        let status = outsider
            .get(server.url(&page))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND, "outsider page {page}");
    }
    let (_, found) = api(
        &server,
        &outsider_token,
        "GET",
        "/api/v1/search?q=secret",
        None,
    )
    .await;
    assert!(!found.to_string().contains("Secret gear"), "{found}");
    let (_, found) = api(
        &server,
        &member_token,
        "GET",
        "/api/v1/search?q=secret",
        None,
    )
    .await;
    assert!(found.to_string().contains("Secret gear"), "{found}");

    // Nothing the outsider sent changed anything.
    let after = server.store.idea(id).await.unwrap().unwrap();
    assert_eq!(
        (after.supporters, after.comments, after.title.as_str()),
        (0, 1, "Secret gear")
    );
    assert_eq!(
        server
            .store
            .comment(comment.id)
            .await
            .unwrap()
            .unwrap()
            .body,
        "Looks good"
    );
}

/// A server allowing `per_minute` writes per client address, with an idea to comment on: returns
/// the server, the idea, a customer's API token and the path of the idea's comments.
async fn server_with_write_budget(
    backend: Backend,
    per_minute: u32,
    trusted_proxies: Vec<ipnet::IpNet>,
) -> Option<(TestServer, i64, String, String)> {
    let web = cocreate_web::WebOptions {
        write_requests_per_minute: per_minute,
        trusted_proxies,
        ..cocreate_web::WebOptions::default()
    };
    let options = ServerOptions {
        web: Some(web),
        ..ServerOptions::default()
    };
    let server = spawn_with(backend, options).await?;
    let (admin, _) = person(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    let idea = published_idea(&server, &admin, "ideas", "Quieter fans", "Fans are loud.").await;
    let (_, token) = customer(&server, "ada@example.org").await;
    let path = format!("/api/v1/ideas/{}/comments", idea.id);
    Some((server, idea.id, token, path))
}

async fn writes_beyond_the_budget_are_refused(backend: Backend) {
    let Some((server, idea_id, token, path)) =
        server_with_write_budget(backend, 3, Vec::new()).await
    else {
        return;
    };
    for n in 0..3 {
        let (status, body) = api(
            &server,
            &token,
            "POST",
            &path,
            Some(json!({ "body": format!("comment {n}") })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let response = client()
        .post(server.url(&path))
        .bearer_auth(&token)
        .json(&json!({ "body": "one too many" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "60");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited", "{problem}");
    // Reads are not writes: still answered.
    let (status, _) = api(&server, &token, "GET", &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server.store.idea(idea_id).await.unwrap().unwrap().comments,
        3
    );
}

/// Sends a comment as if from `forwarded_for`; returns the status.
async fn comment_from(
    server: &TestServer,
    token: &str,
    path: &str,
    forwarded_for: &str,
) -> StatusCode {
    client()
        .post(server.url(path))
        .bearer_auth(token)
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "body": format!("from {forwarded_for}") }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn forwarded_addresses_count_only_behind_trusted_proxies(backend: Backend) {
    // Behind a trusted proxy on loopback, each client address has its own budget.
    let loopback = vec!["127.0.0.1/32".parse().unwrap()];
    let Some((server, _, token, path)) = server_with_write_budget(backend, 2, loopback).await
    else {
        return;
    };
    for _ in 0..2 {
        assert_eq!(
            comment_from(&server, &token, &path, "198.51.100.7").await,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        comment_from(&server, &token, &path, "198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Addresses the client wrote itself in front of the proxy's entry do not help it.
    assert_eq!(
        comment_from(&server, &token, &path, "203.0.113.1, 198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        comment_from(&server, &token, &path, "198.51.100.8").await,
        StatusCode::CREATED
    );

    // Without a trusted proxy the header is ignored: a new address in it buys nothing.
    let Some((server, _, token, path)) = server_with_write_budget(backend, 2, Vec::new()).await
    else {
        return;
    };
    for n in 0..2 {
        let claimed = format!("198.51.100.{n}");
        assert_eq!(
            comment_from(&server, &token, &path, &claimed).await,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        comment_from(&server, &token, &path, "198.51.100.9").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
