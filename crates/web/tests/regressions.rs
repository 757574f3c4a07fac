//! Each test here guards a flaw found in review and fixed, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_app::IdeaInput;
use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::{Backend, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    a_challenge_filter_cannot_reach_into_another_space,
    new_api_tokens_are_never_replayed,
    deleted_flagged_comments_leave_the_queue_usable,
    staff_published_drafts_gather_support,
    merged_supporters_count_toward_the_targets_tiers,
    foreign_drafts_do_not_end_a_list_early,
    followers_who_lost_access_are_not_told,
    hidden_comments_cannot_be_edited,
);

async fn a_challenge_filter_cannot_reach_into_another_space(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = org_admin(&server).await;
    let (_, customer) = person(
        &server,
        "customer@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    create_space(&server, &admin, "Open", Audience::Public).await;
    create_space(&server, &admin, "Staff", Audience::Internal).await;
    let challenge = challenge_with_tiers(&server, &admin, "staff", "Internal", "").await;
    let idea = IdeaInput {
        title: "Secret plan",
        body: "Internal",
        tags: "",
        challenge_id: Some(challenge.id),
        publish: true,
    };
    server
        .app
        .propose_idea(&admin, "staff", &idea)
        .await
        .unwrap();
    let (status, body) = api(
        &server,
        &customer,
        "GET",
        &format!("/api/v1/spaces/open/ideas?challenge={}", challenge.id),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let anonymous = client()
        .get(server.url(&format!(
            "/api/v1/spaces/open/ideas?challenge={}",
            challenge.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
}

async fn new_api_tokens_are_never_replayed(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, token) = person(
        &server,
        "ada@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let create = || {
        client()
            .post(server.url("/api/v1/tokens"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "same")
            .json(&json!({"name": "CRM"}))
            .send()
    };
    let first: serde_json::Value = create().await.unwrap().json().await.unwrap();
    let second = create().await.unwrap();
    assert!(
        !second.headers().contains_key("idempotent-replayed"),
        "a secret is never stored to replay"
    );
    let second: serde_json::Value = second.json().await.unwrap();
    assert_ne!(first["secret"], second["secret"]);
}

async fn deleted_flagged_comments_leave_the_queue_usable(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = org_admin(&server).await;
    let (writer, writer_token) = person(
        &server,
        "writer@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, moderator) = person(
        &server,
        "mod@example.org",
        AccountKind::Customer,
        OrgRole::Moderator,
    )
    .await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    let idea = published_idea(&server, &writer, "ideas", "T", "B").await;
    let (_, comment) = api(
        &server,
        &writer_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", idea.id),
        Some(json!({"body": "oops"})),
    )
    .await;
    let cid = comment["id"].as_i64().unwrap();
    api(
        &server,
        &writer_token,
        "POST",
        "/api/v1/flags",
        Some(json!({"kind": "comment", "id": cid, "reason": "mine"})),
    )
    .await;
    assert_eq!(
        api(
            &server,
            &writer_token,
            "DELETE",
            &format!("/api/v1/comments/{cid}"),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, queue) = api(&server, &moderator, "GET", "/api/v1/moderation/flags", None).await;
    assert_eq!(
        (status, queue.as_array().map(Vec::len)),
        (StatusCode::OK, Some(0)),
        "{queue}"
    );
}

async fn staff_published_drafts_gather_support(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, staff) = org_admin(&server).await;
    let (author, _) = person(
        &server,
        "author@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, fan) = person(
        &server,
        "fan@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    let draft = server
        .app
        .propose_idea(
            &author,
            "ideas",
            &IdeaInput {
                title: "T",
                body: "B",
                tags: "",
                challenge_id: None,
                publish: false,
            },
        )
        .await
        .unwrap();
    let (status, moved) = api(
        &server,
        &staff,
        "POST",
        &format!("/api/v1/ideas/{}/transitions", draft.id),
        Some(json!({"to": "gathering_support", "rationale": "Ready"})),
    )
    .await;
    assert_eq!(
        (status, moved["tier_deadline"].is_string()),
        (StatusCode::OK, true),
        "{moved}"
    );
    let (status, supported) = api(
        &server,
        &fan,
        "PUT",
        &format!("/api/v1/ideas/{}/support", draft.id),
        None,
    )
    .await;
    assert_eq!(
        (status, supported["supporters"].as_i64()),
        (StatusCode::OK, Some(1)),
        "{supported}"
    );
}

async fn merged_supporters_count_toward_the_targets_tiers(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, staff) = org_admin(&server).await;
    let (author, _) = person(
        &server,
        "author@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    let input = cocreate_app::ChallengeInput {
        title: "C",
        problem: "Why",
        questions: "",
        tags: "",
        tiers: "2/10",
        opens_at: "",
        closes_at: "",
    };
    let challenge = server
        .app
        .create_challenge(&admin, "ideas", &input)
        .await
        .unwrap();
    let new_idea = |title: &'static str| IdeaInput {
        title,
        body: "B",
        tags: "",
        challenge_id: Some(challenge.id),
        publish: true,
    };
    let target = server
        .app
        .propose_idea(&author, "ideas", &new_idea("Target"))
        .await
        .unwrap();
    let duplicate = server
        .app
        .propose_idea(&author, "ideas", &new_idea("Duplicate"))
        .await
        .unwrap();
    let (_, one) = person(
        &server,
        "one@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, two) = person(
        &server,
        "two@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    api(
        &server,
        &one,
        "PUT",
        &format!("/api/v1/ideas/{}/support", target.id),
        None,
    )
    .await;
    api(
        &server,
        &two,
        "PUT",
        &format!("/api/v1/ideas/{}/support", duplicate.id),
        None,
    )
    .await;
    let (status, merged) = api(
        &server,
        &staff,
        "POST",
        &format!("/api/v1/ideas/{}/merge", duplicate.id),
        Some(json!({"into": target.id, "rationale": "Same"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(
        (merged["supporters"].as_i64(), merged["stage"].as_str()),
        (Some(2), Some("in_review")),
        "the last tier was reached: {merged}"
    );
}

async fn foreign_drafts_do_not_end_a_list_early(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = org_admin(&server).await;
    let (author, _) = person(
        &server,
        "author@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, reader) = person(
        &server,
        "reader@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    for i in 0..25 {
        let publish = i != 20;
        let title: &'static str = Box::leak(format!("Idea {i}").into_boxed_str());
        server
            .app
            .propose_idea(
                &author,
                "ideas",
                &IdeaInput {
                    title,
                    body: "B",
                    tags: "",
                    challenge_id: None,
                    publish,
                },
            )
            .await
            .unwrap();
        server.clock.advance_minutes(1);
    }
    let (_, first) = api(&server, &reader, "GET", "/api/v1/spaces/ideas/ideas", None).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let cursor = first["next"].as_str().expect("a next page").to_owned();
    let (_, second) = api(
        &server,
        &reader,
        "GET",
        &format!("/api/v1/spaces/ideas/ideas?cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(
        second["items"].as_array().unwrap().len(),
        4,
        "24 published ideas in all"
    );
}

async fn followers_who_lost_access_are_not_told(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    let (_, guest) = person(
        &server,
        "guest@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    create_space(&server, &admin, "Lab", Audience::InviteOnly).await;
    server
        .app
        .add_space_member(&admin, "lab", "guest@example.org")
        .await
        .unwrap();
    let idea = published_idea(&server, &admin, "lab", "T", "B").await;
    assert_eq!(
        api(
            &server,
            &guest,
            "PUT",
            &format!("/api/v1/ideas/{}/follow", idea.id),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let guest_id = server
        .store
        .account_by_email("guest@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    server
        .app
        .remove_space_member(&admin, "lab", guest_id)
        .await
        .unwrap();
    api(
        &server,
        &admin_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", idea.id),
        Some(json!({"body": "Secret progress"})),
    )
    .await;
    let (_, notes) = api(&server, &guest, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["unread"].as_i64(), Some(0), "{notes}");
}

async fn hidden_comments_cannot_be_edited(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = org_admin(&server).await;
    let (writer, writer_token) = person(
        &server,
        "writer@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, moderator) = person(
        &server,
        "mod@example.org",
        AccountKind::Customer,
        OrgRole::Moderator,
    )
    .await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    let idea = published_idea(&server, &writer, "ideas", "T", "B").await;
    let (_, comment) = api(
        &server,
        &writer_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", idea.id),
        Some(json!({"body": "spam"})),
    )
    .await;
    let cid = comment["id"].as_i64().unwrap();
    api(
        &server,
        &moderator,
        "POST",
        &format!("/api/v1/moderation/comment/{cid}/hide"),
        Some(json!({"reason": "Spam"})),
    )
    .await;
    let (status, _) = api(
        &server,
        &writer_token,
        "PUT",
        &format!("/api/v1/comments/{cid}"),
        Some(json!({"body": "now harmless"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}
