//! Challenges and ideas over HTTP on both backends: the whole life of an idea through the API
//! and the pages, support counts under concurrency, deadlines, merging, visibility and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_core::{AccountKind, OrgRole};
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    search_finds_comments_and_challenges,
    an_idea_climbs_its_tiers_to_review_and_launch,
    supports_are_exact_under_concurrency,
    missed_deadlines_expire_ideas_and_tell_people,
    merging_moves_supporters_once,
    drafts_and_private_spaces_stay_hidden,
    bad_input_is_refused_and_changes_nothing,
    lists_page_by_cursor_and_filter,
    pages_carry_the_whole_journey,
    search_finds_what_the_viewer_may_see,
    search_counts_by_facet_and_narrows,
    idempotency_keys_make_creates_safe_to_retry,
    a_crash_between_a_create_and_its_answer_does_not_create_twice,
    hot_and_trending_lists_follow_recent_activity,
    edits_keep_a_revision_history,
    co_authors_are_invited_accept_and_co_draft,
    images_and_files_are_checked_stored_and_served,
    challenges_carry_a_cover_image,
    challenge_days_are_whole_days_in_the_organisations_zone,
);

struct World {
    server: TestServer,
    admin: String,
    staff: String,
    customer: String,
}

/// A server with a public space `ideas`, an admin, an employee (staff) and a customer.
async fn world(backend: Backend) -> Option<World> {
    let server = spawn(backend).await?;
    let (_, admin) = org_admin(&server).await;
    let (_, staff) = person(
        &server,
        "staff@example.org",
        AccountKind::Employee,
        OrgRole::Member,
    )
    .await;
    let (_, customer) = person(
        &server,
        "customer@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let created = api(
        &server,
        &admin,
        "POST",
        "/api/v1/spaces",
        Some(json!({"name": "Ideas", "audience": "public"})),
    )
    .await;
    assert_eq!(created.0, StatusCode::CREATED);
    Some(World {
        server,
        admin,
        staff,
        customer,
    })
}

/// A challenge in the space `ideas`, set by staff.
async fn staff_challenge(w: &World, body: Value) -> Value {
    let (status, challenge) = api(
        &w.server,
        &w.staff,
        "POST",
        "/api/v1/spaces/ideas/challenges",
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{challenge}");
    challenge
}

async fn propose(w: &World, token: &str, body: Value) -> i64 {
    let (status, idea) = api(
        &w.server,
        token,
        "POST",
        "/api/v1/spaces/ideas/ideas",
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{idea}");
    idea["id"].as_i64().unwrap()
}

async fn an_idea_climbs_its_tiers_to_review_and_launch(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let challenge = staff_challenge(&w, json!({"title": "Lighter tents", "problem": "Weight **matters** on long hikes.", "questions": ["What would you leave behind?"], "tags": ["tents", "weight"], "tiers": "2/10, 3/10"})).await;
    assert!(
        challenge["problem_html"]
            .as_str()
            .unwrap()
            .contains("<strong>matters</strong>")
    );
    let challenge_id = challenge["id"].as_i64().unwrap();
    let (status, _) = api(
        &w.server,
        &w.customer,
        "POST",
        "/api/v1/spaces/ideas/challenges",
        Some(json!({"title": "Mine", "problem": "x"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "customers do not run challenges"
    );

    let id = propose(&w, &w.customer, json!({"title": "A tent that packs into its own pole", "body": "Like this:\n\n- poles\n- pockets", "tags": ["tents"], "challenge_id": challenge_id})).await;
    let (_, idea) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (
            idea["stage"].as_str(),
            idea["supporters"].as_i64(),
            idea["next_tier_supporters"].as_i64()
        ),
        (Some("gathering_support"), Some(0), Some(2))
    );
    let first_deadline = idea["tier_deadline"].as_str().unwrap().to_owned();

    let mut fans = Vec::new();
    for i in 0..3 {
        fans.push(
            person(
                &w.server,
                &format!("fan{i}@example.org"),
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await
            .1,
        );
    }
    w.server.clock.advance_minutes(60);
    api(
        &w.server,
        &fans[0],
        "PUT",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    let (status, idea) = api(
        &w.server,
        &fans[1],
        "PUT",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{idea}");
    assert_eq!(
        (
            idea["supporters"].as_i64(),
            idea["next_tier_supporters"].as_i64(),
            idea["supported"].as_bool()
        ),
        (Some(2), Some(3), Some(true))
    );
    assert_ne!(
        idea["tier_deadline"].as_str().unwrap(),
        first_deadline,
        "the next tier has its own deadline"
    );
    let (_, idea) = api(
        &w.server,
        &fans[2],
        "PUT",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    assert_eq!(
        (idea["stage"].as_str(), idea["supported"].as_bool()),
        (Some("in_review"), Some(true)),
        "the last tier sends it to review: {idea}"
    );
    let (_, idea) = api(
        &w.server,
        &fans[2],
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    assert_eq!(
        idea["history"].as_array().unwrap().last().unwrap()["actor_name"],
        Value::Null,
        "the supporters, not a person, moved it"
    );
    // Support closes with review.
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "PUT",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, _) = api(
        &w.server,
        &fans[0],
        "DELETE",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "no withdrawing after review");

    // Staff decide in public; customers may not.
    let (status, _) = api(
        &w.server,
        &w.customer,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "accepted", "rationale": "I like it"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "launched", "rationale": "Skip ahead"})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::CONFLICT, Some("stage")),
        "review → launched is illegal"
    );
    let (status, problem) = api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "accepted", "rationale": ""})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rationale"))
    );
    let (status, idea) = api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "accepted", "rationale": "Our designers will build a prototype."})),
    )
    .await;
    assert_eq!(
        (status, idea["stage"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    let (_, idea) = api(
        &w.server,
        &w.admin,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "launched", "rationale": "In stores from March."})),
    )
    .await;
    assert_eq!(idea["stage"], "launched");
    let stages: Vec<&str> = idea["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        ["gathering_support", "in_review", "accepted", "launched"]
    );
    assert_eq!(idea["history"][3]["rationale"], "In stores from March.");
    let (status, _) = api(
        &w.server,
        &w.admin,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "declined", "rationale": "Changed our minds"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "launched is final");
    // The author and every supporter heard about the launch, through the news job.
    w.server.deliver_news().await;
    for to in [
        "customer@example.org",
        "fan0@example.org",
        "fan2@example.org",
    ] {
        assert!(
            w.server
                .last_mail_to(to)
                .await
                .subject
                .contains("is now launched"),
            "{to}"
        );
    }
}

async fn supports_are_exact_under_concurrency(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let id = propose(
        &w,
        &w.customer,
        json!({"title": "Concurrent", "body": "Everyone at once"}),
    )
    .await;
    const FANS: usize = 24;
    let mut tokens = Vec::new();
    for i in 0..FANS {
        tokens.push(
            person(
                &w.server,
                &format!("fan{i}@example.org"),
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await
            .1,
        );
    }
    let url = w.server.url(&format!("/api/v1/ideas/{id}/support"));
    let mut tasks = tokio::task::JoinSet::new();
    for token in tokens.iter().cloned() {
        let url = url.clone();
        tasks.spawn(async move {
            client()
                .put(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    for _ in 0..FANS {
        let (url, token) = (url.clone(), tokens[0].clone());
        tasks.spawn(async move {
            client()
                .put(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let (_, idea) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    assert_eq!(
        idea["supporters"].as_i64(),
        Some(FANS as i64),
        "distinct supporters, each once"
    );
    // Withdrawing in parallel is exact too.
    let mut tasks = tokio::task::JoinSet::new();
    for token in tokens.iter().take(10).cloned() {
        let url = url.clone();
        tasks.spawn(async move {
            client()
                .delete(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let (_, idea) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    assert_eq!(idea["supporters"].as_i64(), Some(FANS as i64 - 10));
}

async fn missed_deadlines_expire_ideas_and_tell_people(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let id = propose(
        &w,
        &w.customer,
        json!({"title": "Slow burner", "body": "Needs time"}),
    )
    .await;
    let (_, fan) = person(
        &w.server,
        "fan@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    api(
        &w.server,
        &fan,
        "PUT",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    assert_eq!(
        w.server.app.expire_overdue_ideas().await.unwrap(),
        0,
        "not yet"
    );
    w.server.clock.advance_minutes(61 * 24 * 60);
    // Past the deadline but before the job runs, support is already closed.
    let (status, _) = api(
        &w.server,
        &w.staff,
        "PUT",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        w.server.store.idea(id).await.unwrap().unwrap().supporters,
        1,
        "the refused support is not kept"
    );
    assert_eq!(w.server.store.miscounted_ideas().await.unwrap(), 0);
    assert_eq!(w.server.app.expire_overdue_ideas().await.unwrap(), 1);
    assert_eq!(
        w.server.app.expire_overdue_ideas().await.unwrap(),
        0,
        "once"
    );
    let (_, idea) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    assert_eq!(idea["stage"], "expired");
    let last = idea["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["to"].as_str(), last["actor_name"].is_null()),
        (Some("expired"), true)
    );
    assert!(
        last["rationale"]
            .as_str()
            .unwrap()
            .contains("1 of the 100 supporters"),
        "{last}"
    );
    w.server.deliver_news().await;
    for to in ["customer@example.org", "fan@example.org"] {
        assert!(
            w.server
                .last_mail_to(to)
                .await
                .subject
                .contains("has expired"),
            "{to}"
        );
    }
}

async fn merging_moves_supporters_once(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let original = propose(
        &w,
        &w.customer,
        json!({"title": "Solar lantern", "body": "Charges by day"}),
    )
    .await;
    let duplicate = propose(
        &w,
        &w.staff,
        json!({"title": "Sun-powered lamp", "body": "Same thing"}),
    )
    .await;
    let mut fans = Vec::new();
    for i in 0..3 {
        fans.push(
            person(
                &w.server,
                &format!("fan{i}@example.org"),
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await
            .1,
        );
    }
    for (idea, fan) in [(original, 0), (original, 1), (duplicate, 1), (duplicate, 2)] {
        api(
            &w.server,
            &fans[fan],
            "PUT",
            &format!("/api/v1/ideas/{idea}/support"),
            None,
        )
        .await;
    }
    let (status, _) = api(
        &w.server,
        &w.customer,
        "POST",
        &format!("/api/v1/ideas/{duplicate}/merge"),
        Some(json!({"into": original, "rationale": "Same idea"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{duplicate}/merge"),
        Some(json!({"into": duplicate, "rationale": "Same"})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("into"))
    );
    let (status, merged) = api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{duplicate}/merge"),
        Some(json!({"into": original, "rationale": "Same idea, joined forces"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(
        (merged["id"].as_i64(), merged["supporters"].as_i64()),
        (Some(original), Some(3))
    );
    let (_, old) = api(
        &w.server,
        &fans[2],
        "GET",
        &format!("/api/v1/ideas/{duplicate}"),
        None,
    )
    .await;
    assert_eq!(
        (old["stage"].as_str(), old["merged_into"].as_i64()),
        (Some("merged"), Some(original))
    );
    let (_, joined) = api(
        &w.server,
        &fans[2],
        "GET",
        &format!("/api/v1/ideas/{original}"),
        None,
    )
    .await;
    assert_eq!(
        joined["supported"], true,
        "the duplicate's supporter now supports the original"
    );
}

async fn drafts_and_private_spaces_stay_hidden(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let draft = propose(
        &w,
        &w.customer,
        json!({"title": "Half-baked", "body": "Not ready", "publish": false}),
    )
    .await;
    let (_, other) = person(
        &w.server,
        "other@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    assert_eq!(
        api(
            &w.server,
            &other,
            "GET",
            &format!("/api/v1/ideas/{draft}"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client()
            .get(w.server.url(&format!("/ideas/{draft}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(
            &w.server,
            &w.staff,
            "GET",
            &format!("/api/v1/ideas/{draft}"),
            None
        )
        .await
        .0,
        StatusCode::OK,
        "staff see drafts"
    );
    let (_, list) = api(&w.server, &other, "GET", "/api/v1/spaces/ideas/ideas", None).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    let (status, _) = api(
        &w.server,
        &other,
        "PUT",
        &format!("/api/v1/ideas/{draft}/support"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api(
        &w.server,
        &other,
        "POST",
        &format!("/api/v1/ideas/{draft}/publish"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, idea) = api(
        &w.server,
        &w.customer,
        "POST",
        &format!("/api/v1/ideas/{draft}/publish"),
        None,
    )
    .await;
    assert_eq!(
        (status, idea["stage"].as_str()),
        (StatusCode::OK, Some("gathering_support"))
    );
    assert_eq!(
        api(
            &w.server,
            &other,
            "GET",
            &format!("/api/v1/ideas/{draft}"),
            None
        )
        .await
        .0,
        StatusCode::OK
    );

    // Ideas in an internal space are as absent as ideas that do not exist.
    let internal = internal_idea(&w, "Internal", "Secret").await;
    for path in [
        format!("/api/v1/ideas/{internal}"),
        format!("/api/v1/ideas/{}", internal + 1000),
        "/api/v1/spaces/staff/ideas".to_owned(),
        "/api/v1/spaces/staff/challenges".to_owned(),
    ] {
        let (status, body) = api(&w.server, &other, "GET", &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            body["detail"],
            "There is nothing here, or you may not see it."
        );
    }
    let (status, _) = api(
        &w.server,
        &other,
        "PUT",
        &format!("/api/v1/ideas/{internal}/support"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        client()
            .get(w.server.url(&format!("/ideas/{internal}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let cases = [
        (json!({"title": "", "body": "x"}), "title"),
        (json!({"title": "t".repeat(141), "body": "x"}), "title"),
        (json!({"title": "Fine", "body": ""}), "body"),
        (json!({"title": "Fine", "body": "b".repeat(20_001)}), "body"),
        (
            json!({"title": "Fine", "body": "x", "tags": ["not a tag!"]}),
            "tags",
        ),
        (
            json!({"title": "Fine", "body": "x", "tags": ["a", "b", "c", "d", "e", "f"]}),
            "tags",
        ),
        (
            json!({"title": "Fine", "body": "x", "challenge_id": 999_999}),
            "challenge_id",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = api(
            &w.server,
            &w.customer,
            "POST",
            "/api/v1/spaces/ideas/ideas",
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}"
        );
    }
    let (status, _) = api(
        &w.server,
        &w.customer,
        "POST",
        "/api/v1/spaces/ideas/ideas",
        Some(json!({"title": "x", "body": "x", "stage": "launched"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields");
    let (_, list) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/spaces/ideas/ideas",
        None,
    )
    .await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing was half-written"
    );

    // Script in Markdown is rendered harmless.
    let id = propose(&w, &w.customer, json!({"title": "<script>alert(1)</script>", "body": "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))"})).await;
    let (_, idea) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    let html = idea["body_html"].as_str().unwrap();
    assert!(
        !html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"),
        "{html}"
    );
    let page = client()
        .get(w.server.url(&format!("/ideas/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("<script>alert(1)")
            && (page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;")),
        "titles are escaped"
    );

    // Challenges: bad tiers, dates, closed.
    let challenge_cases = [
        (
            json!({"title": "C", "problem": "P", "tiers": "10/5, 5/5"}),
            "tiers",
        ),
        (
            json!({"title": "C", "problem": "P", "tiers": "lots"}),
            "tiers",
        ),
        (
            json!({"title": "C", "problem": "P", "opens_at": "2027-05-01", "closes_at": "2027-04-01"}),
            "closes_at",
        ),
        (
            json!({"title": "C", "problem": "P", "opens_at": "tomorrow"}),
            "opens_at",
        ),
        (json!({"title": "C", "problem": ""}), "problem"),
    ];
    for (body, field) in challenge_cases {
        let (status, problem) = api(
            &w.server,
            &w.staff,
            "POST",
            "/api/v1/spaces/ideas/challenges",
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{body}"
        );
    }
    let (_, closed) = api(&w.server, &w.staff, "POST", "/api/v1/spaces/ideas/challenges", Some(json!({"title": "Old", "problem": "Done", "opens_at": "2001-01-01", "closes_at": "2001-02-01", "tags": ["tents"]}))).await;
    let closed_id = closed["id"].as_i64().unwrap();
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "POST",
        "/api/v1/spaces/ideas/ideas",
        Some(json!({"title": "Late", "body": "x", "challenge_id": closed_id})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("challenge_id"))
    );
    assert!(problem["detail"].as_str().unwrap().contains("not open"));

    // Lists: unknown stage, bad sort, tampered cursor.
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/spaces/ideas/ideas?stage=winning",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["field"], "stage", "{problem}");
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/spaces/ideas/ideas?sort=random",
        None,
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sort"))
    );
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/spaces/ideas/ideas?cursor=bmV3OjE6MQ.0000000000000000",
        None,
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"))
    );
    let page = client()
        .get(w.server.url("/spaces/ideas?stage=winning"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A bad tag is refused naming the parameter it came in.
    for path in [
        "/api/v1/spaces/ideas/ideas?tag=%2A%2A",
        "/api/v1/search?q=anything&tag=%2A%2A",
    ] {
        let (status, problem) = api(&w.server, &w.customer, "GET", path, None).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("tag")),
            "{path}: {problem}"
        );
    }
    // Illegal and unknown stage moves.
    let (status, _) = api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "merged", "rationale": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "expired", "rationale": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "only deadlines expire ideas");
    let (_, idea) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    assert_eq!(idea["stage"], "gathering_support");
}

async fn lists_page_by_cursor_and_filter(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let mut ids = Vec::new();
    for i in 0..23 {
        let tags = if i % 2 == 0 {
            json!(["even"])
        } else {
            json!(["odd"])
        };
        ids.push(
            propose(
                &w,
                &w.customer,
                json!({"title": format!("Idea {i}"), "body": "x", "tags": tags}),
            )
            .await,
        );
        w.server.clock.advance_minutes(1);
    }
    api(
        &w.server,
        &w.staff,
        "PUT",
        &format!("/api/v1/ideas/{}/support", ids[5]),
        None,
    )
    .await;
    let (_, first) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/spaces/ideas/ideas",
        None,
    )
    .await;
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(items[0]["id"].as_i64(), Some(ids[22]), "newest first");
    let cursor = first["next"].as_str().unwrap();
    let (_, second) = api(
        &w.server,
        &w.staff,
        "GET",
        &format!("/api/v1/spaces/ideas/ideas?cursor={cursor}"),
        None,
    )
    .await;
    let rest: Vec<i64> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(rest, [ids[2], ids[1], ids[0]]);
    assert!(second["next"].is_null());
    let (status, _) = api(
        &w.server,
        &w.staff,
        "GET",
        &format!("/api/v1/spaces/ideas/ideas?sort=top&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a cursor belongs to its ordering"
    );
    let (_, top) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/spaces/ideas/ideas?sort=top",
        None,
    )
    .await;
    assert_eq!(
        (
            top["items"][0]["id"].as_i64(),
            top["items"][0]["supported"].as_bool()
        ),
        (Some(ids[5]), Some(true))
    );
    assert_eq!(top["items"][1]["supported"], false);
    let (_, odd) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/spaces/ideas/ideas?tag=odd",
        None,
    )
    .await;
    assert_eq!(odd["items"].as_array().unwrap().len(), 11);
    let (_, review) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/spaces/ideas/ideas?stage=in_review",
        None,
    )
    .await;
    assert!(review["items"].as_array().unwrap().is_empty());
    let page = client()
        .get(w.server.url("/spaces/ideas?sort=top&tag=odd"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("href=\"/ideas/{}\"", ids[5]))
            && !page.contains(&format!("href=\"/ideas/{}\"", ids[4]))
    );
}

async fn pages_carry_the_whole_journey(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let customer = client();
    post_form(
        &customer,
        w.server.url("/signin"),
        &[("email", "customer@example.org"), ("password", PASSWORD)],
    )
    .await;
    let staff = client();
    post_form(
        &staff,
        w.server.url("/signin"),
        &[("email", "staff@example.org"), ("password", PASSWORD)],
    )
    .await;

    // Staff frame a challenge; the customer answers it.
    let created = post_form(
        &staff,
        w.server.url("/spaces/ideas/challenges"),
        &[
            ("title", "Quieter stoves"),
            ("problem", "Campsites are loud."),
            ("questions", "When is noise worst?"),
            ("tags", ""),
            ("tiers", "1/30, 2/30"),
            ("opens_at", ""),
            ("closes_at", ""),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let challenge_path = location(&created).to_owned();
    let page = read_page(&customer, w.server.url(&challenge_path)).await;
    assert!(
        page.contains("Campsites are loud.")
            && page.contains("When is noise worst?")
            && page.contains("Propose an idea")
    );
    let refused = post_form(
        &customer,
        w.server.url(&format!("{challenge_path}/ideas")),
        &[
            ("title", ""),
            ("body", "Muffler"),
            ("tags", ""),
            ("publish", "yes"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("title must not be empty") && html.contains("Muffler"),
        "the form keeps what was typed"
    );
    let proposed = post_form(
        &customer,
        w.server.url(&format!("{challenge_path}/ideas")),
        &[
            ("title", "Stove muffler"),
            ("body", "A **sleeve** that dampens the roar"),
            ("tags", ""),
            ("publish", "yes"),
        ],
    )
    .await;
    assert_eq!(proposed.status(), StatusCode::SEE_OTHER);
    let idea_path = location(&proposed).to_owned();
    let page = read_page(&customer, w.server.url(&idea_path)).await;
    assert!(
        page.contains("<strong>sleeve</strong>")
            && page.contains("Support this idea")
            && page.contains("Tier 1 of 2: <strong>1</strong> supporter")
            && page.contains("1 more needed"),
        "{page}"
    );

    // Another customer supports it from the page: the first tier is reached.
    let (_, _) = person(
        &w.server,
        "fan@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let fan = client();
    post_form(
        &fan,
        w.server.url("/signin"),
        &[("email", "fan@example.org"), ("password", PASSWORD)],
    )
    .await;
    // The card in the list offers support and shows how far the idea is from its tier.
    let listed = read_page(&fan, w.server.url("/spaces/ideas?sort=new")).await;
    let idea_id = idea_path.trim_start_matches("/ideas/");
    let action = format!("/ideas/{idea_id}/support?back=%2Fspaces%2Fideas%3Fsort%3Dnew");
    assert!(
        listed.contains(&format!("id=\"idea-{idea_id}\""))
            && listed.contains(&format!("action=\"{action}\""))
            && listed.contains("0 of 1 supporters for tier 1"),
        "{listed}"
    );
    let supported = post_form(&fan, w.server.url(&action), &[]).await;
    assert_eq!(supported.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&supported),
        format!("/spaces/ideas?sort=new&done=supported#idea-{idea_id}"),
        "back to the card it was supported from"
    );
    let back = read_page(&fan, w.server.url("/spaces/ideas?sort=new&done=supported")).await;
    assert!(
        back.contains("Thank you for your support.") && back.contains("You support this"),
        "{back}"
    );
    // A support sent elsewhere than this site lands on the idea instead.
    let withdrawn = post_form(&fan, w.server.url(&format!("{idea_path}/withdraw")), &[]).await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    let supported = post_form(
        &fan,
        w.server.url(&format!(
            "{idea_path}/support?back=https%3A%2F%2Fevil.example%2F"
        )),
        &[],
    )
    .await;
    assert_eq!(supported.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&supported).starts_with(&idea_path),
        "{:?}",
        location(&supported)
    );
    let page = read_page(&fan, w.server.url(&format!("{idea_path}?done=supported"))).await;
    assert!(
        page.contains("You support this idea.")
            && page.contains("Withdraw support")
            && page.contains("Tier 2 of 2: <strong>2</strong> supporters"),
        "{page}"
    );
    let listed = read_page(&fan, w.server.url("/spaces/ideas")).await;
    assert!(listed.contains("You support this"));
    let withdrawn = post_form(&fan, w.server.url(&format!("{idea_path}/withdraw")), &[]).await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    post_form(&fan, w.server.url(&format!("{idea_path}/support")), &[]).await;
    post_form(
        &customer,
        w.server.url(&format!("{idea_path}/support")),
        &[],
    )
    .await;
    let page = read_page(&staff, w.server.url(&idea_path)).await;
    assert!(
        page.contains("In review") && page.contains("Decide (staff)"),
        "two supporters: review"
    );

    // Staff decide from the page; a customer cannot.
    let forbidden = post_form(
        &customer,
        w.server.url(&format!("{idea_path}/stage")),
        &[("to", "accepted"), ("rationale", "Mine!")],
    )
    .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let no_reason = post_form(
        &staff,
        w.server.url(&format!("{idea_path}/stage")),
        &[("to", "accepted"), ("rationale", "")],
    )
    .await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let moved = post_form(
        &staff,
        w.server.url(&format!("{idea_path}/stage")),
        &[("to", "accepted"), ("rationale", "Prototype next month.")],
    )
    .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let page = client()
        .get(w.server.url(&idea_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Accepted (in development)") && page.contains("Prototype next month."),
        "the rationale is public"
    );
    let space = client()
        .get(w.server.url("/spaces/ideas"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(space.contains("Quieter stoves") && space.contains("Stove muffler"));
}

async fn search_finds_what_the_viewer_may_see(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let lantern = propose(&w, &w.customer, json!({"title": "Solar lantern", "body": "A lantern that charges in the sun.", "tags": ["lighting"]})).await;
    let strap = propose(
        &w,
        &w.customer,
        json!({"title": "Pack strap", "body": "A strap that holds the [[solar]] lantern on the pack."}),
    )
    .await;
    let staff_draft = propose(&w, &w.staff, json!({"title": "Solar lantern draft", "body": "Solar lantern, unpublished.", "publish": false})).await;
    let internal = internal_idea(&w, "Solar lantern costing", "Internal numbers.").await;

    let ids = |hits: &Value| {
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let (status, hits) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search?q=solar%20lantern",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{hits}");
    assert_eq!(
        ids(&hits),
        [lantern, strap],
        "best first; not another's draft; no internal ideas for a customer"
    );
    // The author's own brackets stay text; the matches are told apart in `snippet_parts`.
    assert!(
        hits[1]["snippet"]
            .as_str()
            .unwrap()
            .contains("the [[solar]] lantern"),
        "{hits}"
    );
    let matched: Vec<&str> = hits[1]["snippet_parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|part| part["matched"] == true)
        .map(|part| part["text"].as_str().unwrap())
        .collect();
    assert_eq!(matched, ["solar", "lantern"], "{hits}");
    let page = visitor_page(&w.server, "/search?q=solar+lantern").await;
    assert!(
        page.contains("the [[<mark>solar</mark>]] <mark>lantern</mark>"),
        "a user's brackets never become markup: {page}"
    );
    let (_, staff_hits) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/search?q=solar%20lantern",
        None,
    )
    .await;
    assert!(
        ids(&staff_hits).contains(&internal) && ids(&staff_hits).contains(&staff_draft),
        "staff find internal ideas, and their own draft: {staff_hits}"
    );
    let anonymous: Value = client()
        .get(w.server.url("/api/v1/search?q=lantern"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&anonymous), [lantern, strap]);
    let (_, filtered) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search?q=lantern&tag=lighting",
        None,
    )
    .await;
    assert_eq!(ids(&filtered), [lantern]);
    let (status, _) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search?q=lantern&space=staff",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let long = "a".repeat(201);
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/search?q={long}"),
        None,
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("q"))
    );
    let (_, odd) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search?q=%22*()%20OR%20NEAR",
        None,
    )
    .await;
    assert!(
        odd.as_array().unwrap().is_empty(),
        "search syntax is just text: {odd}"
    );

    // While typing a title: any word, as a prefix, in this space only.
    let (_, similar) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/spaces/ideas/similar?title=sola%20lamp",
        None,
    )
    .await;
    assert_eq!(ids(&similar), [lantern, strap]);
    let fragment = client()
        .get(w.server.url("/spaces/ideas/similar?title=sola"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fragment.contains(&format!("href=\"/ideas/{lantern}\"")) && !fragment.contains("costing"),
        "{fragment}"
    );
    let empty = client()
        .get(w.server.url("/spaces/ideas/similar?title=zz"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!empty.contains("<li>"));

    // The page marks the matches, escaped.
    let page = visitor_page(&w.server, "/search?q=solar+lantern").await;
    assert!(
        page.contains("2 ideas, 0 comments and 0 challenges found.") && page.contains("<mark>"),
        "{page}"
    );
}

async fn search_counts_by_facet_and_narrows(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let challenge = staff_challenge(
        &w,
        json!({"title": "Light at camp", "problem": "Evenings are dark."}),
    )
    .await;
    let challenge_id = challenge["id"].as_i64().unwrap();
    propose(&w, &w.customer, json!({"title": "Solar lantern", "body": "Charges by day.", "tags": ["lighting"], "challenge_id": challenge_id})).await;
    propose(&w, &w.customer, json!({"title": "Lantern hook", "body": "Hangs a lantern.", "tags": ["lighting", "camping"]})).await;
    propose(
        &w,
        &w.customer,
        json!({"title": "Lantern case", "body": "Keeps a lantern whole.", "tags": ["camping"]}),
    )
    .await;
    propose(
        &w,
        &w.customer,
        json!({"title": "Lantern draft", "body": "Unpublished lantern.", "publish": false}),
    )
    .await;
    internal_idea(&w, "Lantern costing", "Internal lantern numbers.").await;

    let facets = |token: String, query: &'static str| {
        let server = &w.server;
        async move {
            let (status, facets) = api(
                server,
                &token,
                "GET",
                &format!("/api/v1/search/facets?{query}"),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{facets}");
            facets
        }
    };
    let all = facets(w.customer.clone(), "q=lantern").await;
    assert_eq!(
        (&all["index_ready"], &all["complete"], &all["kinds"]),
        (
            &json!(true),
            &json!(true),
            &json!({"ideas": 4, "comments": 0, "challenges": 0})
        ),
        "the customer's own draft, no internal idea: {all}"
    );
    assert_eq!(
        all["spaces"],
        json!([{"slug": "ideas", "name": "Ideas", "count": 4}])
    );
    assert_eq!(
        all["challenges"],
        json!([{"id": challenge_id, "title": "Light at camp", "count": 1}])
    );
    assert_eq!(
        all["tags"],
        json!([{"tag": "camping", "count": 2}, {"tag": "lighting", "count": 2}]),
        "most first, then by name"
    );
    assert_eq!(
        (&all["stages"][0]["count"], &all["stages"][1]),
        (&json!(3), &json!({"stage": "draft", "count": 1})),
        "{all}"
    );
    let drafts = facets(w.customer.clone(), "q=lantern&stage=draft").await;
    assert_eq!(drafts["kinds"]["ideas"], 1, "{drafts}");
    let staff = facets(w.staff.clone(), "q=lantern").await;
    assert_eq!(
        staff["kinds"]["ideas"], 4,
        "staff find the internal idea, not another's draft"
    );
    assert!(
        staff["spaces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|space| space["slug"] == "staff" && space["count"] == 1),
        "{staff}"
    );
    // Each count is what the filter leaves: narrowing by a tag counts only its ideas.
    let lighting = facets(w.customer.clone(), "q=lantern&tag=lighting").await;
    assert_eq!(lighting["kinds"]["ideas"], 2, "{lighting}");
    let (_, in_challenge) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/search/facets?q=lantern&challenge={challenge_id}"),
        None,
    )
    .await;
    assert_eq!(in_challenge["kinds"]["ideas"], 1, "{in_challenge}");
    let unknown_tag = facets(w.customer.clone(), "q=lantern&tag=nosuchtag").await;
    assert_eq!(
        unknown_tag["kinds"],
        json!({"ideas": 0, "comments": 0, "challenges": 0})
    );
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search/facets?q=lantern&challenge=abc",
        None,
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("challenge")),
        "{problem}"
    );

    // The page shows the counts as links that narrow the search, and the chosen one as current.
    let page = visitor_page(&w.server, "/search?q=lantern").await;
    assert!(
        page.contains("3 ideas, 0 comments and 0 challenges found.")
            && page.contains("Narrow the search"),
        "{page}"
    );
    let narrow = "/search?q=lantern&#38;tag=lighting";
    assert!(page.contains(&format!("href=\"{narrow}\"")), "{page}");
    let narrowed = visitor_page(&w.server, &narrow.replace("&#38;", "&")).await;
    assert!(
        narrowed.contains("2 ideas, 0 comments and 0 challenges found.")
            && narrowed.contains("<span aria-current=\"true\">lighting</span>")
            && narrowed.contains("href=\"/search?q=lantern\">Any tag</a>")
            && !narrowed.contains("Lantern case"),
        "{narrowed}"
    );
    let by_challenge = visitor_page(
        &w.server,
        &format!("/search?q=lantern&challenge={challenge_id}"),
    )
    .await;
    assert!(
        by_challenge.contains("1 idea, 0 comments and 0 challenges found.")
            && by_challenge.contains("<span aria-current=\"true\">Light at camp</span>"),
        "{by_challenge}"
    );
    let refused = client()
        .get(w.server.url("/search?q=lantern&challenge=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("must be a challenge")
    );
}

/// The server stops after a create committed but before its answer was recorded; the retry
/// that follows (once the claim is stale) must not create again: the key was marked applied in
/// the create's own transaction.
async fn a_crash_between_a_create_and_its_answer_does_not_create_twice(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let app = &w.server.app;
    let actor = app
        .actor_from_api_token(&w.customer)
        .await
        .unwrap()
        .unwrap();
    let body = json!({"title": "Crash-safe", "body": "Once only"});
    let bytes = serde_json::to_vec(&body).unwrap();
    let fingerprint =
        cocreate_app::request_fingerprint("POST", "/api/v1/spaces/ideas/ideas", &bytes);
    let cocreate_app::Claim::Fresh { claimed_at } = app
        .claim_idempotent(&actor, "key-crash", &fingerprint)
        .await
        .unwrap()
    else {
        panic!("a new key is fresh");
    };
    let input = cocreate_app::IdeaInput {
        title: "Crash-safe",
        body: "Once only",
        tags: "",
        challenge_id: None,
        publish: true,
    };
    cocreate_app::with_claimed_key(
        actor.id,
        "key-crash".to_owned(),
        claimed_at,
        app.propose_idea(&actor, "ideas", &input),
    )
    .await
    .unwrap();
    // No answer is recorded: the process died here. Later the client retries.
    w.server.clock.advance_minutes(2);
    let retried = client()
        .post(w.server.url("/api/v1/spaces/ideas/ideas"))
        .bearer_auth(&w.customer)
        .header("Idempotency-Key", "key-crash")
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::CONFLICT);
    let problem: Value = retried.json().await.unwrap();
    assert_eq!(problem["field"], "Idempotency-Key", "{problem}");
    let (_, found) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search?q=crash",
        None,
    )
    .await;
    assert_eq!(found.as_array().unwrap().len(), 1, "created once: {found}");
}

async fn idempotency_keys_make_creates_safe_to_retry(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let url = w.server.url("/api/v1/spaces/ideas/ideas");
    let send = |token: String, key: &'static str, body: Value| {
        let url = url.clone();
        async move {
            let response = client()
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let replayed = response.headers().contains_key("idempotent-replayed");
            let status = response.status();
            (status, replayed, response.json::<Value>().await.unwrap())
        }
    };
    let body = json!({"title": "Retry-safe", "body": "Once only"});
    let (status, replayed, first) = send(w.customer.clone(), "key-1", body.clone()).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false));
    let (status, replayed, again) = send(w.customer.clone(), "key-1", body.clone()).await;
    assert_eq!(
        (status, replayed, again["id"].clone()),
        (StatusCode::CREATED, true, first["id"].clone()),
        "the same answer"
    );
    let (status, _, problem) = send(
        w.customer.clone(),
        "key-1",
        json!({"title": "Other", "body": "x"}),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::CONFLICT, Some("Idempotency-Key"))
    );
    let (status, _, other) = send(w.staff.clone(), "key-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "keys belong to their account");
    assert_ne!(other["id"], first["id"]);
    // A refused request frees its key.
    let (status, _, _) = send(
        w.customer.clone(),
        "key-2",
        json!({"title": "", "body": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, replayed, _) = send(
        w.customer.clone(),
        "key-2",
        json!({"title": "Fixed", "body": "x"}),
    )
    .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false));
    let long: &'static str = Box::leak("k".repeat(300).into_boxed_str());
    let (status, _, problem) = send(w.customer.clone(), long, body.clone()).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key"))
    );
    // A key outside visible ASCII is refused each time, not taken for no key (which would
    // create twice).
    for _ in 0..2 {
        let refused = client()
            .post(&url)
            .bearer_auth(&w.customer)
            .header(
                "Idempotency-Key",
                reqwest::header::HeaderValue::from_bytes("é-1".as_bytes()).unwrap(),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem = refused.json::<Value>().await.unwrap();
        assert_eq!(problem["field"], "Idempotency-Key", "{problem}");
    }
    // Many retries at once still create once.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        tasks.spawn(send(
            w.customer.clone(),
            "key-3",
            json!({"title": "Burst", "body": "x"}),
        ));
    }
    let mut created = 0;
    while let Some(result) = tasks.join_next().await {
        let (status, replayed, _) = result.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{status}"
        );
        if status == StatusCode::CREATED && !replayed {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    let (_, list) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search?q=burst",
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "one idea was created");
    let (_, list) = api(
        &w.server,
        &w.customer,
        "GET",
        "/api/v1/search?q=retry",
        None,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2, "one per account");
}

async fn hot_and_trending_lists_follow_recent_activity(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let old = propose(
        &w,
        &w.customer,
        json!({"title": "Old favourite", "body": "x"}),
    )
    .await;
    let mut fans = Vec::new();
    for i in 0..4 {
        fans.push(
            person(
                &w.server,
                &format!("fan{i}@example.org"),
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await
            .1,
        );
    }
    for fan in &fans {
        api(
            &w.server,
            fan,
            "PUT",
            &format!("/api/v1/ideas/{old}/support"),
            None,
        )
        .await;
    }
    w.server.clock.advance_minutes(10 * 24 * 60);
    let fresh = propose(&w, &w.customer, json!({"title": "Fresh take", "body": "x"})).await;
    let quiet = propose(&w, &w.customer, json!({"title": "Quiet one", "body": "x"})).await;
    for fan in &fans[..2] {
        api(
            &w.server,
            fan,
            "PUT",
            &format!("/api/v1/ideas/{fresh}/support"),
            None,
        )
        .await;
    }
    // A support moves the idea's ranks in its own transaction, before any refresh.
    let supported = w.server.store.idea(fresh).await.unwrap().unwrap();
    let unsupported = w.server.store.idea(quiet).await.unwrap().unwrap();
    assert_eq!(supported.trending, 2);
    assert!(supported.hot > unsupported.hot, "{supported:?}");
    // Every write kept its ranks true but one: the old favourite's supports left the week.
    let checked = w.server.app.refresh_ranks().await.unwrap();
    assert_eq!((checked.ideas, checked.moved), (3, 1), "{checked:?}");
    assert_eq!(w.server.store.idea(old).await.unwrap().unwrap().trending, 0);
    let ids = |list: &Value| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let (_, trending) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/spaces/ideas/ideas?sort=trending",
        None,
    )
    .await;
    assert_eq!(
        ids(&trending)[0],
        fresh,
        "support this week trends: {trending}"
    );
    let (_, hot) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/spaces/ideas/ideas?sort=hot",
        None,
    )
    .await;
    assert_eq!(ids(&hot), [fresh, quiet, old], "new activity beats old");
    let (_, top) = api(
        &w.server,
        &w.staff,
        "GET",
        "/api/v1/spaces/ideas/ideas?sort=top",
        None,
    )
    .await;
    assert_eq!(ids(&top)[0], old, "top counts all time");

    // A comment and a withdrawal move the ranks in their own writes.
    let (status, _) = api(
        &w.server,
        &w.customer,
        "POST",
        &format!("/api/v1/ideas/{quiet}/comments"),
        Some(json!({"body": "Worth a look"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let commented = w.server.store.idea(quiet).await.unwrap().unwrap();
    assert!(commented.hot > unsupported.hot, "{commented:?}");
    let (status, _) = api(
        &w.server,
        &fans[0],
        "DELETE",
        &format!("/api/v1/ideas/{fresh}/support"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let withdrawn = w.server.store.idea(fresh).await.unwrap().unwrap();
    assert_eq!(withdrawn.trending, 1);
    assert!(withdrawn.hot < supported.hot, "{withdrawn:?}");

    // Time alone changes only trending; the minute's refresh recounts just the ideas whose
    // supports left the week since the last one.
    w.server.clock.advance_minutes(8 * 24 * 60);
    let refreshed = w
        .server
        .app
        .refresh_trending_resting(checked.as_of, 0)
        .await
        .unwrap();
    assert_eq!((refreshed.ideas, refreshed.moved), (1, 1), "{refreshed:?}");
    let fresh_now = w.server.store.idea(fresh).await.unwrap().unwrap();
    assert_eq!(fresh_now.trending, 0, "a week later it no longer trends");
    assert_eq!(fresh_now.hot, withdrawn.hot, "hot does not move with time");
    let checked = w.server.app.refresh_ranks().await.unwrap();
    assert_eq!(checked.moved, 0, "nothing left wrong: {checked:?}");
    let page = client()
        .get(w.server.url("/spaces/ideas?sort=hot"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("aria-current=\"page\">Hot</a>"),
        "the page shows the chosen order"
    );
}

async fn edits_keep_a_revision_history(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let id = propose(
        &w,
        &w.customer,
        json!({"title": "Bike rack", "body": "Holds one bike", "tags": ["bikes"]}),
    )
    .await;
    let (_, other) = person(
        &w.server,
        "other@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let path = format!("/api/v1/ideas/{id}");
    let (status, _) = api(
        &w.server,
        &other,
        "PUT",
        &path,
        Some(json!({"title": "Mine now", "body": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only its author or staff");
    let (status, problem) = api(
        &w.server,
        &w.customer,
        "PUT",
        &path,
        Some(json!({"title": "", "body": "x"})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("title"))
    );
    let (status, idea) = api(&w.server, &w.customer, "PUT", &path, Some(json!({"title": "Bike rack for two", "body": "Holds two bikes", "tags": ["bikes", "roof"]}))).await;
    assert_eq!(
        (status, idea["title"].as_str()),
        (StatusCode::OK, Some("Bike rack for two")),
        "{idea}"
    );
    let (status, _) = api(&w.server, &w.staff, "PUT", &path, Some(json!({"title": "Bike rack for two", "body": "Holds two bikes safely", "tags": ["bikes", "roof"]}))).await;
    assert_eq!(status, StatusCode::OK, "staff may edit");
    let (_, revisions) = api(&w.server, &other, "GET", &format!("{path}/revisions"), None).await;
    let revisions = revisions.as_array().unwrap().clone();
    assert_eq!(revisions.len(), 3);
    assert_eq!(revisions[0]["editor_name"], "staff");
    let diff: Vec<&str> = revisions[1]["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        diff.contains(&"-# Bike rack")
            && diff.contains(&"+# Bike rack for two")
            && diff.contains(&"+Holds two bikes"),
        "{diff:?}"
    );
    let page = client()
        .get(w.server.url(&format!("/ideas/{id}/revisions")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<ins>+ Holds two bikes safely\n</ins>")
            && page.contains("<del>- Holds two bikes\n</del>"),
        "{page}"
    );
    // One line of the diff for each line of the text: no blank line after a change.
    let diff = page
        .split("<pre class=\"diff\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap();
    assert!(
        !diff.contains("\n\n") && !diff.contains("</ins>\n") && !diff.contains("</del>\n"),
        "{diff}"
    );
    // From the page, too.
    let browser = client();
    post_form(
        &browser,
        w.server.url("/signin"),
        &[("email", "customer@example.org"), ("password", PASSWORD)],
    )
    .await;
    let saved = post_form(
        &browser,
        w.server.url(&format!("/ideas/{id}/edit")),
        &[
            ("title", "Bike rack for three"),
            ("body", "Holds three bikes"),
            ("tags", "bikes"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let refused = post_form(
        &browser,
        w.server.url(&format!("/ideas/{id}/edit")),
        &[("title", ""), ("body", "x"), ("tags", "")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Decided ideas are settled.
    api(
        &w.server,
        &w.staff,
        "POST",
        &format!("/api/v1/ideas/{id}/transitions"),
        Some(json!({"to": "declined", "rationale": "Not now"})),
    )
    .await;
    let (status, _) = api(
        &w.server,
        &w.customer,
        "PUT",
        &path,
        Some(json!({"title": "Again", "body": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn co_authors_are_invited_accept_and_co_draft(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let id = propose(
        &w,
        &w.customer,
        json!({"title": "Shared draft", "body": "First words", "publish": false}),
    )
    .await;
    let (_, ada) = person(
        &w.server,
        "ada@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, eve) = person(
        &w.server,
        "eve@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let invite = |token: String, email: &'static str| {
        let server_url = w.server.url(&format!("/api/v1/ideas/{id}/co-authors"));
        async move {
            let response = client()
                .post(server_url)
                .bearer_auth(token)
                .json(&json!({"email": email}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    assert_eq!(
        api(&w.server, &ada, "GET", &format!("/api/v1/ideas/{id}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND,
        "a draft before the invitation"
    );
    assert_eq!(
        invite(ada.clone(), "eve@example.org").await.0,
        StatusCode::NOT_FOUND,
        "only its authors can see the draft"
    );
    let (status, problem) = invite(w.customer.clone(), "nobody@example.org").await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );
    assert_eq!(
        invite(w.customer.clone(), "customer@example.org").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, invited) = invite(w.customer.clone(), "ada@example.org").await;
    assert_eq!(
        (status, invited["accepted"].as_bool()),
        (StatusCode::CREATED, Some(false))
    );
    assert_eq!(
        invite(w.customer.clone(), "ada@example.org").await.0,
        StatusCode::CONFLICT
    );

    // Invited: can see the draft and is told, but cannot edit until accepting.
    let (status, _) = api(&w.server, &ada, "GET", &format!("/api/v1/ideas/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    // Lists agree with the policy: the draft is listed to the co-author, and to nobody else.
    let listed = |token: String| {
        let server = &w.server;
        async move {
            let (_, list) = api(server, &token, "GET", "/api/v1/spaces/ideas/ideas", None).await;
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|item| item["id"] == id)
        }
    };
    assert!(listed(ada.clone()).await, "the invited co-author lists it");
    assert!(listed(w.customer.clone()).await, "the lead author lists it");
    assert!(!listed(eve.clone()).await, "nobody else does");
    // The account id of the co-author invited `at`th, as the lead author lists them.
    let co_author_id = |at: usize| {
        let server = &w.server;
        let token = w.customer.clone();
        async move {
            let path = format!("/api/v1/ideas/{id}/co-authors");
            let (_, list) = api(server, &token, "GET", &path, None).await;
            list[at]["account_id"].as_i64().unwrap()
        }
    };
    // Search agrees too: a draft is found by its authors, invited ones included, and only them.
    let finds = |token: String| {
        let server = &w.server;
        async move {
            let (status, hits) = api(server, &token, "GET", "/api/v1/search?q=shared", None).await;
            assert_eq!(status, StatusCode::OK, "{hits}");
            hits.as_array().unwrap().iter().any(|hit| hit["id"] == id)
        }
    };
    assert!(finds(ada.clone()).await, "the invited co-author finds it");
    assert!(finds(w.customer.clone()).await, "the lead author finds it");
    assert!(!finds(eve.clone()).await, "nobody else does");
    assert_eq!(
        invite(w.customer.clone(), "eve@example.org").await.0,
        StatusCode::CREATED
    );
    assert!(finds(eve.clone()).await, "once invited, eve finds it");
    let eve_id = co_author_id(1).await;
    let (status, _) = api(
        &w.server,
        &w.customer,
        "DELETE",
        &format!("/api/v1/ideas/{id}/co-authors/{eve_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!finds(eve.clone()).await, "removed, eve no longer finds it");
    let (_, notes) = api(&w.server, &ada, "GET", "/api/v1/notifications", None).await;
    assert!(
        notes["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("invites you to co-author"),
        "{notes}"
    );
    let edit = json!({"title": "Shared draft", "body": "First words, and mine", "tags": []});
    assert_eq!(
        api(
            &w.server,
            &ada,
            "PUT",
            &format!("/api/v1/ideas/{id}"),
            Some(edit.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api(
            &w.server,
            &eve,
            "POST",
            &format!("/api/v1/ideas/{id}/co-authors/accept"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(
            &w.server,
            &ada,
            "POST",
            &format!("/api/v1/ideas/{id}/co-authors/accept"),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api(
            &w.server,
            &ada,
            "POST",
            &format!("/api/v1/ideas/{id}/co-authors/accept"),
            None
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    let (status, idea) = api(
        &w.server,
        &ada,
        "PUT",
        &format!("/api/v1/ideas/{id}"),
        Some(edit),
    )
    .await;
    assert_eq!(
        (status, idea["body"].as_str()),
        (StatusCode::OK, Some("First words, and mine"))
    );
    let (_, revisions) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/ideas/{id}/revisions"),
        None,
    )
    .await;
    assert_eq!(revisions[0]["editor_name"], "ada");
    let (status, _) = api(
        &w.server,
        &ada,
        "POST",
        &format!("/api/v1/ideas/{id}/publish"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "co-authors may publish");
    let page = client()
        .get(w.server.url(&format!("/ideas/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("by <bdi>customer</bdi>, <bdi>ada</bdi>"),
        "both are credited"
    );
    // Leaving ends the right to edit.
    let ada_id = co_author_id(0).await;
    assert_eq!(
        api(
            &w.server,
            &eve,
            "DELETE",
            &format!("/api/v1/ideas/{id}/co-authors/{ada_id}"),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api(
            &w.server,
            &ada,
            "DELETE",
            &format!("/api/v1/ideas/{id}/co-authors/{ada_id}"),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, _) = api(
        &w.server,
        &ada,
        "PUT",
        &format!("/api/v1/ideas/{id}"),
        Some(json!({"title": "x", "body": "y"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

async fn upload(
    server: &TestServer,
    token: &str,
    id: i64,
    name: &'static str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
    let response = client()
        .post(server.url(&format!("/api/v1/ideas/{id}/attachments")))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn images_and_files_are_checked_stored_and_served(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let id = propose(
        &w,
        &w.customer,
        json!({"title": "Tent light", "body": "See the sketch"}),
    )
    .await;
    let (status, file) = upload(&w.server, &w.customer, id, "sketch.png", PNG.to_vec()).await;
    assert_eq!(
        (status, file["content_type"].as_str()),
        (StatusCode::CREATED, Some("image/png")),
        "{file}"
    );
    let url = file["url"].as_str().unwrap().to_owned();
    let served = client().get(w.server.url(&url)).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert!(
        served.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(served.bytes().await.unwrap().to_vec(), PNG);
    let page = client()
        .get(w.server.url(&format!("/ideas/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("<img src=\"{url}\"")),
        "images show inline"
    );

    let (_, other) = person(
        &w.server,
        "other@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    assert_eq!(
        upload(&w.server, &other, id, "mine.png", PNG.to_vec())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    const NAMED_NOTES: &str = "Notes \"final\" — Äpfel.md";
    let refused = [
        ("evil.png", b"<svg onload=alert(1)></svg>".to_vec()),
        ("photo.jpg", PNG.to_vec()),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()),
        ("empty.txt", Vec::new()),
    ];
    for (name, bytes) in refused {
        let (status, problem) = upload(&w.server, &w.customer, id, name, bytes).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("file")),
            "{name}: {problem}"
        );
    }
    let part = reqwest::multipart::Part::bytes(vec![b'a'; 6 * 1024 * 1024]).file_name("huge.txt");
    let huge = client()
        .post(w.server.url(&format!("/api/v1/ideas/{id}/attachments")))
        .bearer_auth(&w.customer)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await;
    assert_refused_as_too_large(huge).await;
    let (status, text) = upload(
        &w.server,
        &w.customer,
        id,
        NAMED_NOTES,
        b"# Notes\n<script>alert(1)</script>".to_vec(),
    )
    .await;
    assert_eq!(
        (status, text["content_type"].as_str()),
        (StatusCode::CREATED, Some("text/plain"))
    );
    let served = client()
        .get(w.server.url(text["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(served.headers()["content-type"], "text/plain");
    let disposition = served.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;"),
        "non-images download: {disposition}"
    );
    // RFC 6266: the exact name in `filename*` (UTF-8, percent-encoded), an ASCII stand-in
    // without quotes in `filename`.
    let (plain, exact) = disposition
        .split_once("; filename*=UTF-8''")
        .expect("an RFC 5987 filename*");
    assert_eq!(
        percent_encoding::percent_decode_str(exact)
            .decode_utf8()
            .unwrap(),
        NAMED_NOTES
    );
    assert_eq!(
        plain, "attachment; filename=\"Notes _final_ _ _pfel.md\"",
        "the stand-in keeps the header well-formed"
    );
    for i in 0..8 {
        let name: &'static str = Box::leak(format!("n{i}.txt").into_boxed_str());
        assert_eq!(
            upload(&w.server, &w.customer, id, name, b"x".to_vec())
                .await
                .0,
            StatusCode::CREATED
        );
    }
    let (status, problem) = upload(&w.server, &w.customer, id, "eleven.txt", b"x".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (_, listed) = api(
        &w.server,
        &other,
        "GET",
        &format!("/api/v1/ideas/{id}/attachments"),
        None,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 10);

    // Files of ideas one may not see are not found.
    let internal = internal_idea(&w, "Secret", "x").await;
    let (status, secret) = upload(&w.server, &w.staff, internal, "plan.png", PNG.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED);
    let secret_url = secret["url"].as_str().unwrap();
    assert_eq!(
        client()
            .get(w.server.url(secret_url))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let as_other = client()
        .get(w.server.url(secret_url))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(as_other.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        client()
            .get(w.server.url("/attachments/999999/x.png"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn challenges_carry_a_cover_image(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let challenge = staff_challenge(&w, json!({"title": "Covers", "problem": "Why"})).await;
    let id = challenge["id"].as_i64().unwrap();
    assert!(challenge["cover_url"].is_null());
    let send = |token: String, name: &'static str, bytes: Vec<u8>| {
        let url = w.server.url(&format!("/api/v1/challenges/{id}/cover"));
        async move {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            client()
                .post(url)
                .bearer_auth(token)
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        send(w.customer.clone(), "cover.png", PNG.to_vec()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(w.staff.clone(), "notes.txt", b"text".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        send(w.staff.clone(), "cover.png", PNG.to_vec()).await,
        StatusCode::NO_CONTENT
    );
    let (_, challenge) = api(
        &w.server,
        &w.customer,
        "GET",
        &format!("/api/v1/challenges/{id}"),
        None,
    )
    .await;
    let url = challenge["cover_url"].as_str().unwrap().to_owned();
    let image = client().get(w.server.url(&url)).send().await.unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().to_vec(), PNG);
    let page = client()
        .get(w.server.url(&format!("/challenges/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("src=\"{url}\"")));
    assert_eq!(
        client()
            .get(w.server.url("/challenges/999999/cover"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn search_finds_comments_and_challenges(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let tent = propose(
        &w,
        &w.customer,
        json!({"title": "Tent door", "body": "A better zip."}),
    )
    .await;
    let comment = |token: &str, idea: i64, body: &str| {
        let server = &w.server;
        let token = token.to_owned();
        let body = body.to_owned();
        async move {
            let (status, made) = api(
                server,
                &token,
                "POST",
                &format!("/api/v1/ideas/{idea}/comments"),
                Some(json!({ "body": body })),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{made}");
            made["id"].as_i64().unwrap()
        }
    };
    let squeak = comment(&w.customer, tent, "The hinge squeaks in frost").await;
    let gone = comment(&w.customer, tent, "Squeaks again, never mind").await;
    let (status, _) = api(
        &w.server,
        &w.customer,
        "DELETE",
        &format!("/api/v1/comments/{gone}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // A comment in a space the customer may not read.
    let internal = internal_idea(&w, "Hinge costing", "x").await;
    let internal_comment = comment(&w.staff, internal, "Supplier hinges squeaks too").await;
    let challenge = staff_challenge(&w, json!({"title": "Quieter hinges", "problem": "Hinges squeak when frozen.", "tags": ["hinges"]})).await;

    let found = |token: &'static str, path: &'static str| {
        let server = &w.server;
        let token = match token {
            "customer" => w.customer.clone(),
            _ => w.staff.clone(),
        };
        async move {
            let (status, hits) = api(server, &token, "GET", path, None).await;
            assert_eq!(status, StatusCode::OK, "{hits}");
            hits.as_array().unwrap().clone()
        }
    };
    let hidden = comment(&w.customer, tent, "Squeaks, buy my hinges").await;
    let (status, _) = api(
        &w.server,
        &w.admin,
        "POST",
        &format!("/api/v1/moderation/comment/{hidden}/hide"),
        Some(json!({"reason": "Spam"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let hits = found("customer", "/api/v1/search/comments?q=squeaks").await;
    assert_eq!(
        hits.len(),
        1,
        "not the deleted one, not the internal one: {hits:?}"
    );
    assert_eq!(hits[0]["comment_id"], squeak);
    assert_eq!(hits[0]["url"], format!("/ideas/{tent}#comment-{squeak}"));
    assert!(
        hits[0]["snippet_parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|part| part["matched"] == true),
        "{hits:?}"
    );
    let staff_hits = found("staff", "/api/v1/search/comments?q=squeaks").await;
    assert!(
        staff_hits
            .iter()
            .any(|h| h["comment_id"] == internal_comment)
    );

    // Edits are searched as they read now.
    let (status, _) = api(
        &w.server,
        &w.customer,
        "PUT",
        &format!("/api/v1/comments/{squeak}"),
        Some(json!({"body": "The hinge rattles in frost"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        found("customer", "/api/v1/search/comments?q=rattles")
            .await
            .len()
            == 1
    );
    assert!(
        found("customer", "/api/v1/search/comments?q=squeaks")
            .await
            .is_empty()
    );

    let challenges = found("customer", "/api/v1/search/challenges?q=frozen%20hinges").await;
    assert_eq!(challenges.len(), 1, "{challenges:?}");
    assert_eq!(
        (&challenges[0]["id"], &challenges[0]["space"]),
        (&challenge["id"], &json!("ideas"))
    );
    assert_eq!(
        found("customer", "/api/v1/search/challenges?q=hinges&tag=hinges")
            .await
            .len(),
        1
    );
    assert!(
        found("customer", "/api/v1/search/challenges?q=hinges&tag=zips")
            .await
            .is_empty()
    );
    assert!(
        found(
            "customer",
            "/api/v1/search/challenges?q=hinges&stage=gathering_support"
        )
        .await
        .is_empty()
    );

    // The search page shows all three kinds to a visitor, with links to each.
    let page = visitor_page(&w.server, "/search?q=hinge").await;
    assert!(
        page.contains("0 ideas, 1 comment and 1 challenge found."),
        "{page}"
    );
    assert!(page.contains(&format!("/ideas/{tent}#comment-{squeak}")));
    assert!(page.contains(&format!("/challenges/{}", challenge["id"])));
    assert!(
        !page.contains("Supplier hinges"),
        "internal comments stay hidden"
    );
}

/// An idea by staff in a new internal space `staff`, which customers may not read.
async fn internal_idea(w: &World, title: &str, body: &str) -> i64 {
    api(
        &w.server,
        &w.admin,
        "POST",
        "/api/v1/spaces",
        Some(json!({"name": "Staff", "audience": "internal"})),
    )
    .await;
    let (status, idea) = api(
        &w.server,
        &w.staff,
        "POST",
        "/api/v1/spaces/staff/ideas",
        Some(json!({"title": title, "body": body})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{idea}");
    idea["id"].as_i64().unwrap()
}

/// A challenge's days are whole days in the organisation's time zone: one whose last day is today
/// is open until the day ends, and pages show times and days in that zone.
async fn challenge_days_are_whole_days_in_the_organisations_zone(backend: Backend) {
    let Some(w) = world(backend).await else {
        return;
    };
    let create = |opens: String, closes: String| {
        let (server, staff) = (&w.server, &w.staff);
        async move {
            api(
                server,
                staff,
                "POST",
                "/api/v1/spaces/ideas/challenges",
                Some(json!({"title": format!("Until {closes}"), "problem": "P", "opens_at": opens, "closes_at": closes})),
            )
            .await
        }
    };
    let utc = cocreate_core::TimeZone::default();
    let now = w.server.app.now();
    let today = utc.day_of(now);
    let yesterday = utc.day_of(now.plus_minutes(-24 * 60));
    let (status, closing_today) = create(String::new(), today.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{closing_today}");
    let (status, idea) = api(
        &w.server,
        &w.customer,
        "POST",
        "/api/v1/spaces/ideas/ideas",
        Some(json!({"title": "Last-minute idea", "body": "Still in time.", "challenge_id": closing_today["id"]})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "open all of its last day: {idea}"
    );
    let (status, closed) = create(String::new(), yesterday.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, late) = api(
        &w.server,
        &w.customer,
        "POST",
        "/api/v1/spaces/ideas/ideas",
        Some(json!({"title": "Too late", "body": "Missed it.", "challenge_id": closed["id"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{late}");
    let (status, same_day) = create(today.clone(), today.clone()).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a one-day challenge: {same_day}"
    );
    let (status, backwards) = create(today.clone(), yesterday.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(backwards["field"], "closes_at", "{backwards}");

    // Only a real zone is taken, and only from admins.
    for zone in ["Mars/Olympus", "UTC+14", "../etc/passwd"] {
        assert_api_refused(
            &w.server,
            &w.admin,
            ("PUT", "/api/v1/organisation"),
            json!({"name": "Northwind", "time_zone": zone}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "time_zone",
        )
        .await;
    }
    let (status, _) = api(
        &w.server,
        &w.staff,
        "PUT",
        "/api/v1/organisation",
        Some(json!({"name": "Northwind", "time_zone": "Pacific/Kiritimati"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "staff do not run the organisation"
    );
    let (status, org) = api(
        &w.server,
        &w.admin,
        "PUT",
        "/api/v1/organisation",
        Some(json!({"name": "Northwind", "time_zone": "Pacific/Kiritimati"})),
    )
    .await;
    assert_eq!(
        (status, &org["time_zone"]),
        (StatusCode::OK, &json!("Pacific/Kiritimati"))
    );
    let (_, org) = api(
        &w.server,
        &w.admin,
        "PUT",
        "/api/v1/organisation",
        Some(json!({"name": "Northwind", "description": "Without a zone"})),
    )
    .await;
    assert_eq!(
        org["time_zone"], "Pacific/Kiritimati",
        "an absent zone is kept"
    );

    // Kiritimati is 14 hours ahead of UTC all year: its days end at 10:00 UTC.
    let kiritimati = cocreate_core::TimeZone::parse("time_zone", "Pacific/Kiritimati").unwrap();
    let day = kiritimati.day_of(w.server.app.now().plus_minutes(3 * 24 * 60));
    let (status, challenge) = create(day.clone(), day.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{challenge}");
    assert_eq!(challenge["closes_at"], format!("{day}T10:00:00Z"));
    let opens = challenge["opens_at"].as_str().unwrap();
    assert!(opens.ends_with("T10:00:00Z") && opens < challenge["closes_at"].as_str().unwrap());

    // Pages say the same days back, in the zone; the edit form offers them as they were typed.
    let staff = account(
        &w.server,
        "curator@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let page = read_page(
        &staff,
        w.server.url(&format!("/challenges/{}", challenge["id"])),
    )
    .await;
    assert!(
        page.contains(&format!("Last day {day} (Pacific/Kiritimati)"))
            && page.contains(&format!("name=\"closes_at\" type=\"date\" aria-describedby=\"challenge-days-hint\" value=\"{day}\""))
            && page.contains(&format!("name=\"opens_at\" type=\"date\" aria-describedby=\"challenge-days-hint\" value=\"{day}\""))
            && page.contains("Whole days in Pacific/Kiritimati")
            && page.contains("+14"),
        "{page}"
    );
    let space = read_page(&staff, w.server.url("/spaces/ideas")).await;
    assert!(
        space.contains("Closed; its last day was ")
            && space.contains(&format!("Opens {day} 00:00 +14"))
            && space.contains(&format!("Open until the end of {day}")),
        "{space}"
    );
    let admin_page = read_page(&staff, w.server.url("/admin/organisation")).await;
    assert!(admin_page.contains("<option selected>Pacific/Kiritimati</option>"));
    let refused = post_form(
        &staff,
        w.server.url("/admin/organisation"),
        &[("name", "Northwind"), ("time_zone", "Nowhere")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("must be a time zone name like Europe/Paris")
    );
    let saved = post_form(
        &staff,
        w.server.url("/admin/organisation"),
        &[("name", "Northwind"), ("time_zone", "Europe/Lisbon")],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, org) = api(&w.server, &w.admin, "GET", "/api/v1/organisation", None).await;
    assert_eq!(org["time_zone"], "Europe/Lisbon");
}
