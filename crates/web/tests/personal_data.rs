//! A person's data, on both backends: a customer downloads everything about them (ideas,
//! comments, support, feedback, notifications, tokens) and nothing about anyone else, with
//! secrets withheld; admins download a member's data to answer a request, audited; nobody
//! else can.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    a_customer_downloads_everything_about_them_and_nothing_else,
    only_admins_download_someone_elses_data,
);

/// Casey, a customer who proposed, commented, supported another's idea and gave feedback; and
/// Dana, whose idea Casey supported. Answers Casey's token and Dana's id.
async fn casey_and_dana(server: &TestServer) -> (String, i64) {
    gear_with_a_tent(server).await;
    let (dana, _) = customer(server, "dana@example.org").await;
    let danas = published_idea(server, &dana, "gear", "Dana's lantern", "Brighter.").await;
    let (casey, casey_token) = customer(server, "casey@example.org").await;
    let caseys = published_idea(server, &casey, "gear", "Casey's stove", "Lighter.").await;
    let (status, _) = api(
        server,
        &casey_token,
        "PUT",
        &format!("/api/v1/ideas/{}/support", danas.id),
        None,
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (status, _) = api(
        server,
        &casey_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", danas.id),
        Some(json!({"body": "Casey's comment on the lantern."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api(
        server,
        &casey_token,
        "POST",
        "/api/v1/feedback",
        Some(
            json!({"product": "trail-tent", "body": "Casey's feedback on the tent.", "rating": 4}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // Dana's reply mentions Casey: a notification of Casey's.
    let (status, _) = api(
        server,
        &server
            .app
            .create_api_token(&dana, "dana")
            .await
            .unwrap()
            .secret,
        "POST",
        &format!("/api/v1/ideas/{}/comments", caseys.id),
        Some(json!({"body": "Dana's reply on the stove, @casey."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    (casey_token, dana.id)
}

fn rows<'a>(data: &'a Value, table: &str) -> &'a Vec<Value> {
    data["tables"][table]
        .as_array()
        .unwrap_or_else(|| panic!("no table {table}: {data}"))
}

async fn a_customer_downloads_everything_about_them_and_nothing_else(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (casey, _) = casey_and_dana(&server).await;
    let response = client()
        .get(server.url("/api/v1/me/data"))
        .bearer_auth(&casey)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"cocreate-data-casey.json\""
    );
    let data: Value = response.json().await.unwrap();
    assert_eq!(data["format"], "cocreate-personal-data");
    assert_eq!(data["account"]["email"], "casey@example.org");
    let ideas = rows(&data, "ideas");
    assert_eq!(ideas.len(), 1, "{ideas:?}");
    assert_eq!(ideas[0]["title"], "Casey's stove");
    assert!(ideas[0]["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(ideas[0]["tier_deadline"].as_str().unwrap().ends_with('Z'));
    assert_eq!(rows(&data, "supports").len(), 1);
    assert_eq!(
        rows(&data, "comments")[0]["body"],
        "Casey's comment on the lantern."
    );
    assert_eq!(
        rows(&data, "feedback")[0]["body"],
        "Casey's feedback on the tent."
    );
    assert!(!rows(&data, "notifications").is_empty(), "{data}");
    let tokens = rows(&data, "api_tokens");
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].get("token_hash").is_none(), "{tokens:?}");
    let own = &rows(&data, "accounts")[0];
    assert_eq!(own["email"], "casey@example.org");
    assert!(own.get("password_hash").is_none(), "{own}");
    // Nothing of anyone else's: Dana's idea and address, the staff's address, a password hash.
    let text = data.to_string();
    for other in [
        "Dana's lantern",
        "dana@example.org",
        "erin@example.org",
        "$argon2",
    ] {
        assert!(!text.contains(other), "{other} in {text}");
    }

    // The same from the profile page, signed in, as a file; signed out, sign in first.
    let browser = account(
        &server,
        "robin@example.org",
        cocreate_core::AccountKind::Customer,
        cocreate_core::OrgRole::Member,
    )
    .await;
    let profile = read_page(&browser, server.url("/profile")).await;
    assert!(profile.contains("href=\"/profile/data\""), "{profile}");
    let file = browser
        .get(server.url("/profile/data"))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let file: Value = file.json().await.unwrap();
    assert_eq!(file["account"]["email"], "robin@example.org");
    let anonymous = client()
        .get(server.url("/profile/data"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(location(&anonymous).starts_with("/signin"));
}

async fn only_admins_download_someone_elses_data(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (casey, dana) = casey_and_dana(&server).await;
    let path = format!("/api/v1/members/{dana}/data");
    let (status, problem) = api(&server, &casey, "GET", &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _) = api(&server, "", "GET", &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (_, admin_token) = person(
        &server,
        "root@example.org",
        cocreate_core::AccountKind::Employee,
        cocreate_core::OrgRole::Admin,
    )
    .await;
    let (status, data) = api(&server, &admin_token, "GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["account"]["email"], "dana@example.org");
    assert_eq!(rows(&data, "ideas")[0]["title"], "Dana's lantern");
    let (_, audit) = api(&server, &admin_token, "GET", "/api/v1/audit-log", None).await;
    let logged = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "account.personal_data" && e["detail"] == "dana@example.org");
    assert!(logged, "{audit}");
    let (status, _) = api(
        &server,
        &admin_token,
        "GET",
        "/api/v1/members/999999/data",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
