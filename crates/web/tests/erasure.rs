//! Erasure on request, on both backends: after an admin erases a customer, nothing finds them by
//! name, address or handle — not search, the export, timelines, others' mentions or
//! notifications — while every count stays exact; the erasure is audited; only admins erase,
//! and not themselves. A contact known by e-mail only is erased the same way.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_store::TimelineSubject;
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    an_erased_customer_cannot_be_found_and_every_count_stays,
    an_erased_contact_leaves_no_address,
);

/// Searches for Casey's words: their idea's text and title, and their comment.
const SEARCHES: [&str; 3] = [
    "/api/v1/search?q=caseyish",
    "/api/v1/search?q=stove",
    "/api/v1/search/comments?q=loves",
];

/// What a search answers once the index has applied the latest changes (within a second):
/// asked again until it is empty, or not, as `empty` wants.
async fn searched(server: &TestServer, token: &str, path: &str, empty: bool) -> Value {
    let mut found = Value::Null;
    for _ in 0..50 {
        let (status, answer) = api(server, token, "GET", path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        found = answer;
        if found.as_array().is_some_and(Vec::is_empty) == empty {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    found
}

/// Sends a request that must succeed; answers its JSON.
async fn send(
    server: &TestServer,
    token: &str,
    method: &str,
    path: String,
    body: Option<Value>,
) -> Value {
    let (status, answer) = api(server, token, method, &path, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

/// Everything the database holds, as text, to look for a trace in.
async fn everything(server: &TestServer) -> String {
    let export = server.app.export_organisation().await.unwrap();
    format!("{:?}", export.tables).to_lowercase()
}

async fn an_erased_customer_cannot_be_found_and_every_count_stays(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, staff_token) = gear_with_a_tent(&server).await;
    let admin = server
        .store
        .account_by_email("admin@example.org")
        .await
        .unwrap()
        .unwrap();
    let admin = cocreate_app::Actor::from_account(&admin, None);
    let admin_token = server
        .app
        .create_api_token(&admin, "admin")
        .await
        .unwrap()
        .secret;
    let (dana, dana_token) = customer(&server, "dana@example.org").await;
    let danas = published_idea(&server, &dana, "gear", "Dana's lantern", "Brighter.").await;
    let (casey, casey_token) = customer(&server, "casey@example.org").await;
    let caseys = published_idea(
        &server,
        &casey,
        "gear",
        "Casey's quiet stove",
        "Caseyish burners.",
    )
    .await;
    send(
        &server,
        &casey_token,
        "PUT",
        format!("/api/v1/ideas/{}/support", danas.id),
        None,
    )
    .await;
    send(
        &server,
        &casey_token,
        "POST",
        format!("/api/v1/ideas/{}/comments", danas.id),
        Some(json!({"body": "Casey loves the lantern."})),
    )
    .await;
    send(
        &server,
        &dana_token,
        "PUT",
        format!("/api/v1/ideas/{}/support", caseys.id),
        None,
    )
    .await;
    send(
        &server,
        &dana_token,
        "POST",
        format!("/api/v1/ideas/{}/comments", caseys.id),
        Some(json!({"body": "Thanks @casey, this is quiet."})),
    )
    .await;
    send(
        &server,
        &dana_token,
        "POST",
        format!("/api/v1/ideas/{}/comments", danas.id),
        Some(json!({"body": "Ask @caseyfan about batteries."})),
    )
    .await;
    let feedback = send(
        &server,
        &casey_token,
        "POST",
        "/api/v1/feedback".into(),
        Some(json!({"product": "trail-tent", "body": "Casey's zip sticks.", "rating": 2})),
    )
    .await;
    send(
        &server,
        &staff_token,
        "POST",
        format!("/api/v1/feedback/{}/answer", feedback["id"]),
        Some(json!({"answer": "Thank you, casey: a new zip ships in May."})),
    )
    .await;
    server.deliver_news().await;
    assert!(everything(&server).await.contains("casey"));
    for search in SEARCHES {
        let found = searched(&server, &dana_token, search, false).await;
        assert_eq!(found.as_array().map(Vec::len), Some(1), "{search}: {found}");
    }

    // Only admins erase, with a reason, and not themselves.
    let path = format!("/api/v1/members/{}/erasure", casey.id);
    let reason = json!({"reason": "Request 2026-118, received by mail"});
    let (status, _) = api(&server, &staff_token, "POST", &path, Some(reason.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api(&server, &dana_token, "POST", &path, Some(reason.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = api(
        &server,
        &admin_token,
        "POST",
        &path,
        Some(json!({"reason": " "})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let own = format!("/api/v1/members/{}/erasure", admin.id);
    let (status, problem) = api(&server, &admin_token, "POST", &own, Some(reason.clone())).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::CONFLICT, Some("account"))
    );
    // Nothing was erased by the refusals.
    assert!(
        server
            .store
            .account_by_email("casey@example.org")
            .await
            .unwrap()
            .is_some()
    );

    let (status, erased) = api(&server, &admin_token, "POST", &path, Some(reason.clone())).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(
        erased,
        json!({"ideas": 1, "comments": 1, "feedback": 1, "statements": 0})
    );
    let (status, problem) = api(&server, &admin_token, "POST", &path, Some(reason)).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::CONFLICT, Some("account"))
    );

    // No trace of Casey by name, address or handle.
    let all = everything(&server).await;
    for trace in [
        "casey@example.org",
        "casey's",
        "@casey,",
        "casey loves",
        "thank you, casey",
        "caseyish",
    ] {
        assert!(!all.contains(trace), "{trace} is still stored");
    }
    assert!(
        all.contains("@caseyfan"),
        "another person's handle was touched"
    );
    assert!(
        server
            .store
            .account_by_email("casey@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert_api_get(
        &server,
        Some(&casey_token),
        "/api/v1/me",
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_api_get(
        &server,
        Some(&dana_token),
        "/api/v1/people/casey",
        StatusCode::NOT_FOUND,
    )
    .await;
    // Search finds none of their words (their idea's title and text, their comment) once the
    // index has applied the change, which it does within a second.
    for search in SEARCHES {
        assert_eq!(
            searched(&server, &dana_token, search, true).await,
            json!([]),
            "{search}"
        );
    }
    let thread = visitor_page(&server, &format!("/ideas/{}", caseys.id)).await;
    assert!(
        thread.contains(&format!("@erased_{}", casey.id)),
        "{thread}"
    );
    assert!(!thread.to_lowercase().contains("casey"), "{thread}");

    // Every count stays: supports, comments, feedback and its product's figures.
    let (_, lantern) = api(
        &server,
        &dana_token,
        "GET",
        &format!("/api/v1/ideas/{}", danas.id),
        None,
    )
    .await;
    assert_eq!(lantern["supporters"], 1, "{lantern}");
    let (_, stove) = api(
        &server,
        &dana_token,
        "GET",
        &format!("/api/v1/ideas/{}", caseys.id),
        None,
    )
    .await;
    assert_eq!(stove["supporters"], 1, "{stove}");
    assert_eq!(stove["title"], "Erased idea");
    let (_, tent) = api(
        &server,
        &staff_token,
        "GET",
        "/api/v1/products/trail-tent",
        None,
    )
    .await;
    assert_eq!(
        (
            tent["feedback_count"].as_i64(),
            tent["rating_count"].as_i64()
        ),
        (Some(1), Some(1)),
        "{tent}"
    );
    assert_eq!(server.store.miscounted_products().await.unwrap(), 0);

    // Their timeline keeps its events, nameless and wordless.
    let timeline = server
        .app
        .timeline(
            &admin,
            TimelineSubject::Account(casey.id),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(timeline.customer.display_name(), cocreate_app::ERASED_NAME);
    assert_eq!(timeline.events.len(), 5, "{:?}", timeline.events);
    assert!(
        timeline
            .events
            .iter()
            .filter_map(|e| e.text.as_deref())
            .all(|text| text == cocreate_app::ERASED_TEXT)
    );

    // The audit log has the erasure and its reason, and no address.
    let (_, log) = api(&server, &admin_token, "GET", "/api/v1/audit-log", None).await;
    let entry = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "account.erased")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(entry["target"], format!("account:{}", casey.id));
    assert_eq!(entry["detail"], "Request 2026-118, received by mail");

    // The page asks for the reason and says what erasing does.
    let browser = staff_browser(&server).await;
    let page = read_page(
        &browser,
        server.url(&format!("/admin/members/{}/erase", dana.id)),
    )
    .await;
    assert!(page.contains("cannot be undone"), "{page}");
    let refused = post_form(
        &browser,
        server.url(&format!("/admin/members/{}/erase", dana.id)),
        &[("reason", "")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = post_form(
        &browser,
        server.url(&format!("/admin/members/{}/erase", dana.id)),
        &[("reason", "Request 2026-119")],
    )
    .await;
    assert_eq!(location(&done), "/admin/members?done=erased");
    assert!(
        server
            .store
            .account_by_email("dana@example.org")
            .await
            .unwrap()
            .is_none()
    );
}

async fn an_erased_contact_leaves_no_address(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, staff_token) = gear_with_a_tent(&server).await;
    let (status, sent) = api(
        &server,
        &staff_token,
        "POST",
        "/api/v1/feedback",
        Some(
            json!({"product": "trail-tent", "body": "Robin finds the tent too warm.",
            "author_email": "robin@example.org", "author_name": "Robin Hood"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let contact = sent["author"]["contact_id"].as_i64().unwrap();
    let admin = server
        .store
        .account_by_email("admin@example.org")
        .await
        .unwrap()
        .unwrap();
    let admin_token = server
        .app
        .create_api_token(&cocreate_app::Actor::from_account(&admin, None), "admin")
        .await
        .unwrap()
        .secret;
    let path = format!("/api/v1/customers/contacts/{contact}/erasure");
    let reason = json!({"reason": "Request 2026-120"});
    let (status, _) = api(&server, &staff_token, "POST", &path, Some(reason.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, erased) = api(&server, &admin_token, "POST", &path, Some(reason)).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(erased["feedback"], 1);
    let all = everything(&server).await;
    for trace in ["robin@example.org", "robin hood", "finds the tent"] {
        assert!(!all.contains(trace), "{trace} is still stored");
    }
    let timeline = server
        .app
        .timeline(
            &staff,
            TimelineSubject::Contact(contact),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        timeline.customer.display_name(),
        format!("erased_{contact}")
    );
    assert_eq!(timeline.events.len(), 1);
    let (_, tent) = api(
        &server,
        &staff_token,
        "GET",
        "/api/v1/products/trail-tent",
        None,
    )
    .await;
    assert_eq!(tent["feedback_count"], 1, "{tent}");
    assert_api_get(
        &server,
        Some(&admin_token),
        "/api/v1/customers/contacts/999999/timeline",
        StatusCode::NOT_FOUND,
    )
    .await;
}
