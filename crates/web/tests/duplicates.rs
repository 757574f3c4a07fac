//! Possible duplicates on both backends: ideas much alike found as they arrive and queued for
//! staff, a pair side by side, a merge that keeps every supporter and closes the pair, a
//! dismissal that stays when the pair is found again, bad input refused by field, and only staff
//! seeing any of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use cocreate_app::Actor;
use cocreate_core::{AccountKind, Audience, OrgRole, Stage};
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    duplicates_are_queued_as_they_arrive_and_merged_with_their_supporters,
    a_dismissed_pair_stays_dismissed_and_bad_input_is_refused,
);

async fn propose(server: &TestServer, author: &Actor, space: &str, title: &str, body: &str) -> i64 {
    published_idea(server, author, space, title, body).await.id
}

/// The space's queue once it holds `pairs` pairs (the finder works beside the writes).
async fn queue_of(server: &TestServer, token: &str, space: &str, pairs: usize) -> Value {
    let path = format!("/api/v1/spaces/{space}/duplicates");
    let started = Instant::now();
    loop {
        let (status, queue) = api(server, token, "GET", &path, None).await;
        assert_eq!(status, StatusCode::OK, "{queue}");
        if queue["pairs"].as_array().unwrap().len() == pairs
            || started.elapsed() > Duration::from_secs(10)
        {
            return queue;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn supporters(server: &TestServer, idea: i64) -> i64 {
    server.store.idea(idea).await.unwrap().unwrap().supporters
}

async fn duplicates_are_queued_as_they_arrive_and_merged_with_their_supporters(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Town", Audience::Public).await;
    create_space(&server, &admin, "Lake", Audience::Public).await;
    let (casey, casey_token) = customer(&server, "casey@example.org").await;
    let (dana, _) = customer(&server, "dana@example.org").await;
    let road = propose(
        &server,
        &casey,
        "town",
        "Widen Smallhouse Road to three lanes",
        "Traffic backs up every morning at the Campbell Lane junction.",
    )
    .await;
    propose(
        &server,
        &casey,
        "town",
        "A farmers market by the library",
        "Fresh food on Saturdays, a short walk from the bus station.",
    )
    .await;
    // The same words in another space are no duplicate of this one.
    propose(
        &server,
        &casey,
        "lake",
        "Widen Smallhouse Road to three lanes",
        "Traffic backs up every morning at the Campbell Lane junction.",
    )
    .await;
    let lanes = propose(
        &server,
        &dana,
        "town",
        "Smallhouse Road needs three lanes",
        "Every morning the traffic backs up at the junction with Campbell Lane.",
    )
    .await;
    // Supporters of either, one of them of both: after the merge each counts once.
    for (n, ideas) in [vec![road], vec![lanes], vec![road, lanes]]
        .iter()
        .enumerate()
    {
        let (fan, _) = customer(&server, &format!("fan{n}@example.org")).await;
        for idea in ideas {
            server.app.support(&fan, *idea).await.unwrap();
        }
    }
    assert_eq!(
        (
            supporters(&server, road).await,
            supporters(&server, lanes).await
        ),
        (2, 2)
    );

    let queue = queue_of(&server, &admin_token, "town", 1).await;
    let pairs = queue["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{queue}");
    let pair = &pairs[0];
    assert_eq!(
        (
            pair["first"]["idea_id"].as_i64(),
            pair["second"]["idea_id"].as_i64()
        ),
        (Some(road), Some(lanes))
    );
    let similarity = pair["similarity"].as_f64().unwrap();
    assert!((0.5..1.0).contains(&similarity), "{pair}");
    assert_eq!(pair["status"], "open");
    assert_eq!(pair["first"]["supporters"], 2);
    assert_eq!(queue["next"], Value::Null);
    assert_eq!(
        queue_of(&server, &admin_token, "lake", 0).await["pairs"],
        json!([])
    );
    let id = pair["id"].as_i64().unwrap();

    // Only staff see the queue and the pair.
    let (status, _) = api(
        &server,
        &casey_token,
        "GET",
        "/api/v1/spaces/town/duplicates",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let anonymous = client()
        .get(server.url("/api/v1/spaces/town/duplicates"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let customer_page = account(
        &server,
        "erin@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let refused = customer_page
        .get(server.url(&format!("/duplicates/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Staff read the queue and the pair side by side, and merge from there.
    let staff = staff_browser(&server).await;
    let listed = read_page(&staff, server.url("/spaces/town/duplicates")).await;
    assert!(
        listed.contains(&format!("href=\"/duplicates/{id}\"")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("{}% alike", (similarity * 100.0).round())),
        "{listed}"
    );
    // Each idea's page shows staff the pair it is in, and nobody else.
    let idea_page = read_page(&staff, server.url(&format!("/ideas/{road}"))).await;
    assert!(
        idea_page.contains(&format!("href=\"/duplicates/{id}\""))
            && idea_page.contains("alike: <span dir=\"auto\">Smallhouse Road needs three lanes"),
        "{idea_page}"
    );
    let seen_by_customer = read_page(&customer_page, server.url(&format!("/ideas/{road}"))).await;
    assert!(
        !seen_by_customer.contains("Possible duplicates"),
        "{seen_by_customer}"
    );
    let side_by_side = read_page(&staff, server.url(&format!("/duplicates/{id}"))).await;
    for text in [
        "Widen Smallhouse Road to three lanes",
        "Smallhouse Road needs three lanes",
        "Traffic backs up every morning",
        "Merge this into the other",
        "They are different ideas",
    ] {
        assert!(
            side_by_side.contains(text),
            "{text} missing: {side_by_side}"
        );
    }
    let merged = post_form(
        &staff,
        server.url(&format!("/duplicates/{id}/merge")),
        &[
            ("keep_idea_id", &road.to_string()),
            ("rationale", "The same road, the same lanes."),
        ],
    )
    .await;
    assert_eq!(merged.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&merged),
        "/spaces/town/duplicates?done=duplicate-merged"
    );
    let after = read_page(&staff, server.url(location(&merged))).await;
    assert!(after.contains("The ideas were merged"), "{after}");
    assert!(
        after.contains("No possible duplicates are waiting"),
        "{after}"
    );
    assert_eq!(supporters(&server, road).await, 3);
    let gone = server.store.idea(lanes).await.unwrap().unwrap();
    assert_eq!((gone.stage, gone.merged_into), (Stage::Merged, Some(road)));
    let closed = server.store.duplicate_pair(id).await.unwrap().unwrap();
    assert_eq!(closed.status.as_str(), "merged");
    assert_eq!(
        queue_of(&server, &admin_token, "town", 0).await["pairs"],
        json!([])
    );
    // A decided pair cannot be decided again.
    let body = json!({"keep_idea_id": road, "rationale": "Again."});
    let (status, problem) = api(
        &server,
        &admin_token,
        "POST",
        &format!("/api/v1/duplicates/{id}/merge"),
        Some(body),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::CONFLICT, Some("status")),
        "{problem}"
    );
    server.stop().await;
}

async fn a_dismissed_pair_stays_dismissed_and_bad_input_is_refused(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Town", Audience::Public).await;
    let (casey, _) = customer(&server, "casey@example.org").await;
    let bikes = propose(
        &server,
        &casey,
        "town",
        "Bike lanes on College Street",
        "Painted lanes from the university to the square.",
    )
    .await;
    let trucks = propose(
        &server,
        &casey,
        "town",
        "Truck lanes on College Street",
        "Painted lanes from the university to the square.",
    )
    .await;
    // Too few words to say anything by: never compared.
    propose(&server, &casey, "town", "Parking", "More.").await;
    propose(&server, &casey, "town", "Parking!", "More?").await;
    let queue = queue_of(&server, &admin_token, "town", 1).await;
    assert_eq!(queue["pairs"].as_array().unwrap().len(), 1, "{queue}");
    let id = queue["pairs"][0]["id"].as_i64().unwrap();
    let merge = format!("/api/v1/duplicates/{id}/merge");

    // Bad input, named by field; nothing changes.
    assert_api_refusals(
        &server,
        &admin_token,
        ("POST", &merge),
        vec![
            (
                json!({"keep_idea_id": bikes + 1000, "rationale": "No."}),
                422,
                "keep_idea_id",
            ),
            (
                json!({"keep_idea_id": bikes, "rationale": "  "}),
                422,
                "rationale",
            ),
            (json!({"keep_idea_id": bikes}), 400, "rationale"),
            (
                json!({"keep_idea_id": "first", "rationale": "No."}),
                400,
                "keep_idea_id",
            ),
        ],
    )
    .await;
    let (status, problem) = api(
        &server,
        &admin_token,
        "GET",
        "/api/v1/spaces/town/duplicates?after=soon",
        None,
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("after")),
        "{problem}"
    );
    let (status, _) = api(
        &server,
        &admin_token,
        "POST",
        "/api/v1/duplicates/999999/dismiss",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        server.store.idea(trucks).await.unwrap().unwrap().stage,
        Stage::Gathering
    );

    // Different ideas in like words: dismissed, and they stay so when found again.
    let dismiss = format!("/api/v1/duplicates/{id}/dismiss");
    let (status, dismissed) = api(&server, &admin_token, "POST", &dismiss, None).await;
    assert_eq!(
        (status, dismissed["status"].as_str()),
        (StatusCode::OK, Some("dismissed")),
        "{dismissed}"
    );
    let (status, again) = api(&server, &admin_token, "POST", &dismiss, None).await;
    assert_eq!(
        (status, again["field"].as_str()),
        (StatusCode::CONFLICT, Some("status")),
        "{again}"
    );
    server
        .app
        .edit_idea(
            &casey,
            trucks,
            "Truck lanes on College Street",
            "Painted lanes from the university to the square, for deliveries.",
            "",
        )
        .await
        .unwrap();
    // A new duplicate of both arrives after the edit: once its pairs are queued, the edit has
    // been taken in too.
    let square = propose(
        &server,
        &casey,
        "town",
        "A bike lane on College Street",
        "Painted lanes from the university to the square.",
    )
    .await;
    let queue = queue_of(&server, &admin_token, "town", 2).await;
    let pairs: Vec<(i64, i64)> = queue["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair["first"]["idea_id"].as_i64().unwrap(),
                pair["second"]["idea_id"].as_i64().unwrap(),
            )
        })
        .collect();
    // The exact restatement first; the dismissed pair is not back.
    assert_eq!(pairs, [(bikes, square), (trucks, square)], "{queue}");
    let kept = server.store.duplicate_pair(id).await.unwrap().unwrap();
    assert_eq!(kept.status.as_str(), "dismissed");
    server.stop().await;
}
