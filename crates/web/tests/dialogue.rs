//! The dialogue on ideas over HTTP on both backends: threads, official answers, edits, deletes,
//! follows and notifications, with their bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_app::{Actor, ChallengeInput, IdeaInput, SpaceInput};
use cocreate_core::text::{isolate, quoted};
use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    supporters_hear_of_tiers_and_decisions_in_the_app,
    a_thread_grows_flattens_and_notifies,
    comments_are_edited_and_deleted_by_the_right_people,
    bad_comments_are_refused,
    flags_reach_moderators_who_hide_and_show,
    challenges_have_a_discussion_of_their_own,
    mentions_notify_the_people_named,
    notifications_keep_nothing_their_reader_can_no_longer_see,
    news_reaches_those_who_may_read_it_when_delivered,
    news_for_many_followers_is_delivered_once_in_batches,
);

/// A public space with one published idea by `author`; returns the idea id.
async fn idea(server: &TestServer, admin: &Actor, author: &Actor) -> i64 {
    server
        .app
        .create_space(
            admin,
            &SpaceInput {
                name: "Ideas",
                slug: "",
                description: "",
                audience: Audience::Public,
            },
        )
        .await
        .unwrap();
    let input = IdeaInput {
        title: "Trail map app",
        body: "Offline maps.",
        tags: "",
        challenge_id: None,
        publish: true,
    };
    server
        .app
        .propose_idea(author, "ideas", &input)
        .await
        .unwrap()
        .id
}

async fn a_thread_grows_flattens_and_notifies(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = org_admin(&server).await;
    let (author, author_token) = person(
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
    let (_, staff) = person(
        &server,
        "staff@example.org",
        AccountKind::Employee,
        OrgRole::Member,
    )
    .await;
    let id = idea(&server, &admin, &author).await;
    server.app.set_following(&author, id, true).await.unwrap();

    let (status, first) = api(
        &server,
        &fan,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "Would it work **offline**?"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        (first["depth"].as_i64(), first["official"].as_bool()),
        (Some(0), Some(false))
    );
    assert!(
        first["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>offline</strong>")
    );
    let mut parent = first["id"].as_i64().unwrap();
    let mut depths = Vec::new();
    for (i, token) in [&staff, &fan, &author_token, &fan].iter().enumerate() {
        let (status, reply) = api(
            &server,
            token,
            "POST",
            &format!("/api/v1/ideas/{id}/comments"),
            Some(json!({"body": format!("Reply {i}"), "parent_id": parent, "official": i == 0})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        depths.push(reply["depth"].as_i64().unwrap());
        assert_eq!(
            reply["official"],
            i == 0,
            "official only when staff ask for it"
        );
        parent = reply["id"].as_i64().unwrap();
    }
    assert_eq!(
        depths,
        [1, 2, 3, 3],
        "replies past the cap stay at the deepest level"
    );
    let (_, thread) = api(
        &server,
        &fan,
        "GET",
        &format!("/api/v1/ideas/{id}/comments"),
        None,
    )
    .await;
    let bodies: Vec<&str> = thread
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Would it work **offline**?",
            "Reply 0",
            "Reply 1",
            "Reply 2",
            "Reply 3"
        ]
    );
    let (_, detail) = api(&server, &fan, "GET", &format!("/api/v1/ideas/{id}"), None).await;
    assert_eq!(detail["history"].as_array().unwrap().len(), 1);

    // The author followed; the commenters follow from their first comment. Followers are told
    // by the news job.
    server.deliver_news().await;
    let (_, notes) = api(&server, &author_token, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["unread"].as_i64(), Some(4), "{notes}");
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("answered officially"))
    );
    let (_, fan_notes) = api(&server, &fan, "GET", "/api/v1/notifications", None).await;
    assert_eq!(
        fan_notes["unread"].as_i64(),
        Some(2),
        "not told of their own comments: {fan_notes}"
    );
    let (status, _) = api(
        &server,
        &author_token,
        "POST",
        "/api/v1/notifications/read",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, notes) = api(&server, &author_token, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["unread"].as_i64(), Some(0));
    let (status, _) = api(
        &server,
        &fan,
        "DELETE",
        &format!("/api/v1/ideas/{id}/follow"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    api(
        &server,
        &staff,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "One more"})),
    )
    .await;
    server.deliver_news().await;
    let (_, fan_notes) = api(&server, &fan, "GET", "/api/v1/notifications", None).await;
    assert_eq!(
        fan_notes["unread"].as_i64(),
        Some(2),
        "unfollowed: no more notifications"
    );

    // The same in the browser's pages: the header counts unread, the page lists and reads them.
    let browser = client();
    post_form(
        &browser,
        server.url("/signin"),
        &[("email", "author@example.org"), ("password", PASSWORD)],
    )
    .await;
    let page = read_page(&browser, server.url(&format!("/ideas/{id}"))).await;
    assert!(
        page.contains("Discussion (6)")
            && page.contains("Official answer")
            && page.contains("Reply 3"),
        "{page}"
    );
    assert!(
        page.contains("1<span class=\"visually-hidden\"> unread"),
        "header shows one unread"
    );
    let posted = post_form(
        &browser,
        server.url(&format!("/ideas/{id}/comments")),
        &[("body", "Thanks all"), ("parent_id", "")],
    )
    .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    let list = read_page(&browser, server.url("/notifications")).await;
    assert!(
        list.contains(&format!("{} commented", isolate("staff")))
            || list.contains(&format!("{} answered officially", isolate("staff"))),
        "{list}"
    );
    let again = read_page(&browser, server.url("/")).await;
    assert!(
        !again.contains("visually-hidden\"> unread"),
        "read after viewing"
    );

    // Only one's own comment may be deleted and nobody reports themselves; only staff are offered
    // the official answer.
    let own = location(&posted)
        .rsplit_once("#comment-")
        .map(|(_, id)| id.to_owned())
        .expect("back at the new comment");
    let page = read_page(&browser, server.url(&format!("/ideas/{id}"))).await;
    let own_block = comment_block(&page, &own);
    assert!(
        own_block.contains(&format!("href=\"/comments/{own}/delete\""))
            && !own_block.contains("<summary>Report</summary>"),
        "{own_block}"
    );
    let first_block = comment_block(&page, &first["id"].to_string());
    assert!(
        first_block.contains("<summary>Report</summary>") && !first_block.contains("/delete"),
        "{first_block}"
    );
    assert!(
        !page.contains("name=\"official\""),
        "customers answer unofficially"
    );
    let staff_browser = client();
    post_form(
        &staff_browser,
        server.url("/signin"),
        &[("email", "staff@example.org"), ("password", PASSWORD)],
    )
    .await;
    let staff_page = read_page(&staff_browser, server.url(&format!("/ideas/{id}"))).await;
    assert!(
        staff_page.contains("name=\"official\""),
        "staff may answer officially"
    );

    // Deleting asks first, with a way back to the comment; only the confirmation deletes.
    let asked = browser
        .get(server.url(&format!("/comments/{own}/delete")))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("Delete this comment?")
            && asked.contains(&format!("href=\"/ideas/{id}#comment-{own}\">Cancel")),
        "{asked}"
    );
    let refused = staff_browser
        .get(server.url(&format!("/comments/{own}/delete")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "not the author's");
    let (_, still) = api(
        &server,
        &author_token,
        "GET",
        &format!("/api/v1/ideas/{id}/comments"),
        None,
    )
    .await;
    assert!(
        still.to_string().contains("Thanks all"),
        "asking deletes nothing"
    );
    let deleted = post_form(
        &browser,
        server.url(&format!("/comments/{own}/delete")),
        &[],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let page = read_page(&browser, server.url(location(&deleted))).await;
    assert!(
        comment_block(&page, &own).contains("This comment was deleted."),
        "{page}"
    );
}

/// The part of a thread page that shows one comment.
fn comment_block<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"comment-{id}\""))
        .unwrap_or_else(|| panic!("comment {id} is not on the page"));
    let rest = &page[start..];
    let end = rest[1..]
        .find("<li class=\"comment")
        .map_or(rest.len(), |end| end + 1);
    &rest[..end]
}

async fn comments_are_edited_and_deleted_by_the_right_people(backend: Backend) {
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
    let (_, writer) = person(
        &server,
        "writer@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, other) = person(
        &server,
        "other@example.org",
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
    let id = idea(&server, &admin, &author).await;
    let (_, comment) = api(
        &server,
        &writer,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "Frist"})),
    )
    .await;
    let cid = comment["id"].as_i64().unwrap();
    let (_, reply) = api(
        &server,
        &other,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "Reply", "parent_id": cid})),
    )
    .await;
    let (status, _) = api(
        &server,
        &other,
        "PUT",
        &format!("/api/v1/comments/{cid}"),
        Some(json!({"body": "Hacked"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, edited) = api(
        &server,
        &writer,
        "PUT",
        &format!("/api/v1/comments/{cid}"),
        Some(json!({"body": "First"})),
    )
    .await;
    assert_eq!(
        (
            status,
            edited["body"].as_str(),
            edited["edited_at"].is_string()
        ),
        (StatusCode::OK, Some("First"), true)
    );
    server.clock.advance_minutes(16);
    let (status, problem) = api(
        &server,
        &writer,
        "PUT",
        &format!("/api/v1/comments/{cid}"),
        Some(json!({"body": "Later"})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::CONFLICT, Some("body")),
        "the edit window closed"
    );
    let (status, _) = api(
        &server,
        &other,
        "DELETE",
        &format!("/api/v1/comments/{cid}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not someone else's");
    let (status, _) = api(
        &server,
        &moderator,
        "DELETE",
        &format!("/api/v1/comments/{cid}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "moderators may");
    let (status, _) = api(
        &server,
        &writer,
        "DELETE",
        &format!("/api/v1/comments/{cid}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already gone");
    let (_, thread) = api(
        &server,
        &other,
        "GET",
        &format!("/api/v1/ideas/{id}/comments"),
        None,
    )
    .await;
    assert_eq!(
        thread.as_array().unwrap().len(),
        2,
        "the thread keeps its shape"
    );
    assert_eq!(
        (thread[0]["deleted"].as_bool(), thread[0]["body"].as_str()),
        (Some(true), Some(""))
    );
    assert_eq!(thread[1]["id"], reply["id"]);
    let (_, detail) = api(&server, &other, "GET", &format!("/api/v1/ideas/{id}"), None).await;
    assert_eq!(
        detail["comments"].as_i64(),
        Some(1),
        "counts only live comments"
    );
    let (status, _) = api(
        &server,
        &other,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "To the deleted", "parent_id": cid})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let audit = server.store.audit_log(i64::MAX, 10).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "comment.delete"),
        "moderation is audited"
    );
    let page = client()
        .get(server.url(&format!("/ideas/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("This comment was deleted.") && !page.contains("First"));
}

async fn bad_comments_are_refused(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    let (author, author_token) = person(
        &server,
        "author@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let (_, other) = person(
        &server,
        "other@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let id = idea(&server, &admin, &author).await;
    for (body, field) in [
        (json!({"body": "  "}), "body"),
        (json!({"body": "x".repeat(5001)}), "body"),
        (json!({"body": "x", "parent_id": 999_999}), "parent_id"),
    ] {
        let (status, problem) = api(
            &server,
            &other,
            "POST",
            &format!("/api/v1/ideas/{id}/comments"),
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
        &server,
        &other,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "x", "official": true})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only staff answer officially"
    );
    let (status, _) = api(
        &server,
        &other,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "x", "pinned": true})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields");
    let (_, evil) = api(
        &server,
        &other,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "<script>alert(1)</script><img src=x onerror=alert(1)>"})),
    )
    .await;
    let html = evil["body_html"].as_str().unwrap();
    assert!(
        !html.contains("<script") && !html.contains("onerror"),
        "{html}"
    );
    // Drafts, unseen spaces, anonymous writers.
    let draft = server
        .app
        .propose_idea(
            &author,
            "ideas",
            &IdeaInput {
                title: "Draft",
                body: "x",
                tags: "",
                challenge_id: None,
                publish: false,
            },
        )
        .await
        .unwrap()
        .id;
    let (status, _) = api(
        &server,
        &author_token,
        "POST",
        &format!("/api/v1/ideas/{draft}/comments"),
        Some(json!({"body": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = api(
        &server,
        &other,
        "GET",
        &format!("/api/v1/ideas/{draft}/comments"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    create_space(&server, &admin, "Staff", Audience::Internal).await;
    let internal = published_idea(&server, &admin, "staff", "Internal", "x")
        .await
        .id;
    let (_, staff_comment) = api(
        &server,
        &admin_token,
        "POST",
        &format!("/api/v1/ideas/{internal}/comments"),
        Some(json!({"body": "internal"})),
    )
    .await;
    for (method, path) in [
        ("GET", format!("/api/v1/ideas/{internal}/comments")),
        ("PUT", format!("/api/v1/ideas/{internal}/follow")),
        (
            "DELETE",
            format!("/api/v1/comments/{}", staff_comment["id"]),
        ),
    ] {
        let (status, _) = api(&server, &other, method, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (status, _) = api(
        &server,
        &other,
        "POST",
        &format!("/api/v1/ideas/{internal}/comments"),
        Some(json!({"body": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = client()
        .post(server.url(&format!("/api/v1/ideas/{id}/comments")))
        .json(&json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let (_, thread) = api(
        &server,
        &other,
        "GET",
        &format!("/api/v1/ideas/{id}/comments"),
        None,
    )
    .await;
    assert_eq!(
        thread.as_array().unwrap().len(),
        1,
        "only the sanitised one was written"
    );
}

async fn flags_reach_moderators_who_hide_and_show(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = org_admin(&server).await;
    let (author, author_token) = person(
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
    let (_, moderator) = person(
        &server,
        "mod@example.org",
        AccountKind::Customer,
        OrgRole::Moderator,
    )
    .await;
    let id = idea(&server, &admin, &author).await;
    let (_, comment) = api(
        &server,
        &author_token,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "Buy cheap watches"})),
    )
    .await;
    let cid = comment["id"].as_i64().unwrap();

    let (status, _) = api(
        &server,
        &reader,
        "POST",
        "/api/v1/flags",
        Some(json!({"kind": "idea", "id": id, "reason": "Advertising"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, problem) = api(
        &server,
        &reader,
        "POST",
        "/api/v1/flags",
        Some(json!({"kind": "idea", "id": id, "reason": "Again"})),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, problem) = api(
        &server,
        &reader,
        "POST",
        "/api/v1/flags",
        Some(json!({"kind": "comment", "id": cid, "reason": ""})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let (status, _) = api(
        &server,
        &reader,
        "POST",
        "/api/v1/flags",
        Some(json!({"kind": "space", "id": 1, "reason": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = api(
        &server,
        &reader,
        "POST",
        "/api/v1/flags",
        Some(json!({"kind": "comment", "id": cid, "reason": "Spam"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let anonymous = client()
        .post(server.url("/api/v1/flags"))
        .json(&json!({"kind": "idea", "id": id, "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // Only moderators have a queue.
    assert_eq!(
        api(&server, &reader, "GET", "/api/v1/moderation/flags", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, queue) = api(&server, &moderator, "GET", "/api/v1/moderation/flags", None).await;
    assert_eq!(
        (status, queue.as_array().map(Vec::len)),
        (StatusCode::OK, Some(2)),
        "{queue}"
    );
    assert_eq!(
        api(
            &server,
            &reader,
            "POST",
            &format!("/api/v1/moderation/idea/{id}/hide"),
            Some(json!({"reason": "x"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, problem) = api(
        &server,
        &moderator,
        "POST",
        &format!("/api/v1/moderation/idea/{id}/hide"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")),
        "hiding needs a reason"
    );

    // Hiding: gone for readers and lists, kept for its author with the reason.
    let (status, _) = api(
        &server,
        &moderator,
        "POST",
        &format!("/api/v1/moderation/comment/{cid}/hide"),
        Some(json!({"reason": "Spam"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, thread) = api(
        &server,
        &reader,
        "GET",
        &format!("/api/v1/ideas/{id}/comments"),
        None,
    )
    .await;
    assert_eq!(thread[0]["body"], "", "readers do not see a hidden comment");
    let (_, thread) = api(
        &server,
        &moderator,
        "GET",
        &format!("/api/v1/ideas/{id}/comments"),
        None,
    )
    .await;
    assert_eq!(thread[0]["body"], "Buy cheap watches", "moderators do");
    let (status, _) = api(
        &server,
        &reader,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "reply", "parent_id": cid})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no replies to hidden comments"
    );
    let (status, _) = api(
        &server,
        &moderator,
        "POST",
        &format!("/api/v1/moderation/idea/{id}/hide"),
        Some(json!({"reason": "Advertising"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        api(
            &server,
            &reader,
            "GET",
            &format!("/api/v1/ideas/{id}"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client()
            .get(server.url(&format!("/ideas/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, list) = api(&server, &reader, "GET", "/api/v1/spaces/ideas/ideas", None).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let (_, found) = api(&server, &reader, "GET", "/api/v1/search?q=trail", None).await;
    assert!(
        found.as_array().unwrap().is_empty(),
        "search skips hidden ideas"
    );
    let (status, _) = api(
        &server,
        &author_token,
        "GET",
        &format!("/api/v1/ideas/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the author still sees it");
    let (status, _) = api(
        &server,
        &author_token,
        "POST",
        &format!("/api/v1/ideas/{id}/comments"),
        Some(json!({"body": "Why?"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no dialogue on hidden content"
    );
    let (status, _) = api(
        &server,
        &author_token,
        "PUT",
        &format!("/api/v1/ideas/{id}/support"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, queue) = api(&server, &moderator, "GET", "/api/v1/moderation/flags", None).await;
    assert!(
        queue.as_array().unwrap().is_empty(),
        "hiding resolved the flags"
    );
    let audit: Vec<String> = server
        .store
        .audit_log(i64::MAX, 20)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        audit.contains(&"idea.hide".to_owned()) && audit.contains(&"comment.hide".to_owned()),
        "{audit:?}"
    );

    // Showing again, from the pages.
    let browser = client();
    post_form(
        &browser,
        server.url("/signin"),
        &[("email", "mod@example.org"), ("password", PASSWORD)],
    )
    .await;
    let page = read_page(&browser, server.url(&format!("/ideas/{id}"))).await;
    assert!(
        page.contains("Hidden by a moderator: Advertising")
            && page.contains("Show this idea again"),
        "{page}"
    );
    let shown = post_form(
        &browser,
        server.url(&format!("/moderation/idea/{id}/show")),
        &[("reason", "")],
    )
    .await;
    assert_eq!(shown.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api(
            &server,
            &reader,
            "GET",
            &format!("/api/v1/ideas/{id}"),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    let reporter = client();
    post_form(
        &reporter,
        server.url("/signin"),
        &[("email", "reader@example.org"), ("password", PASSWORD)],
    )
    .await;
    let flagged = post_form(
        &reporter,
        server.url("/flags"),
        &[
            ("kind", "idea"),
            ("id", &id.to_string()),
            ("reason", "Still advertising"),
        ],
    )
    .await;
    assert_eq!(flagged.status(), StatusCode::SEE_OTHER);
    let queue = read_page(&browser, server.url("/moderation")).await;
    assert!(
        queue.contains("Still advertising") && queue.contains("Dismiss"),
        "{queue}"
    );
    assert!(
        queue.contains(r#"<input type="hidden" name="back_to_queue" value="">"#),
        "the queue's forms lead back to it (the last item to its top): {queue}"
    );
    let dismissed = post_form(
        &browser,
        server.url(&format!("/moderation/idea/{id}/dismiss")),
        &[("reason", ""), ("back_to_queue", "flag-12")],
    )
    .await;
    assert_eq!(dismissed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&dismissed),
        "/moderation?done=moderated#flag-12",
        "the moderator stays in the queue, at the next item"
    );
    let elsewhere = post_form(
        &browser,
        server.url(&format!("/moderation/idea/{id}/dismiss")),
        &[("reason", ""), ("back_to_queue", "//evil.example/")],
    )
    .await;
    assert_eq!(location(&elsewhere), "/moderation?done=moderated");
    assert!(
        !read_page(&browser, server.url("/moderation"))
            .await
            .contains("Still advertising")
    );
    assert_eq!(
        reporter
            .get(server.url("/moderation"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// A challenge in the space "ideas", closing on `closes_at` (a date, or empty).
async fn challenge(server: &TestServer, staff: &Actor, title: &str, closes_at: &str) -> i64 {
    let input = ChallengeInput {
        title,
        problem: "Packs are too heavy.",
        questions: "",
        tags: "",
        tiers: "",
        opens_at: "",
        closes_at,
    };
    server
        .app
        .create_challenge(staff, "ideas", &input)
        .await
        .unwrap()
        .id
}

async fn challenges_have_a_discussion_of_their_own(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, staff) = org_admin(&server).await;
    let (author, fan) = customer(&server, "fan@example.org").await;
    let idea_id = idea(&server, &admin, &author).await;
    let open = challenge(&server, &admin, "Lighter packs", "").await;
    let closed = challenge(&server, &admin, "Last year's challenge", "2020-01-01").await;
    let path = format!("/api/v1/challenges/{open}/comments");

    let (status, question) = api(
        &server,
        &fan,
        "POST",
        &path,
        Some(json!({"body": "Does the **tent** count as pack weight?"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{question}");
    assert_eq!(
        (
            question["challenge_id"].as_i64(),
            question["idea_id"].is_null()
        ),
        (Some(open), true)
    );
    let question_id = question["id"].as_i64().unwrap();
    let (status, answer) = api(
        &server,
        &staff,
        "POST",
        &path,
        Some(json!({"body": "Yes, everything you carry.", "parent_id": question_id, "official": true})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(
        (answer["official"].as_bool(), answer["depth"].as_i64()),
        (Some(true), Some(1))
    );

    // The person answered is told, with a link to the challenge.
    let (_, notes) = api(&server, &fan, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["unread"].as_i64(), Some(1), "{notes}");
    assert_eq!(notes["items"][0]["challenge_id"].as_i64(), Some(open));
    assert!(
        notes["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "answered officially on {}",
                quoted("Lighter packs")
            ))
    );

    // Threads stay apart: no replying across them, and the idea's counter is untouched.
    let (_, on_idea) = api(
        &server,
        &fan,
        "POST",
        &format!("/api/v1/ideas/{idea_id}/comments"),
        Some(json!({"body": "On the idea"})),
    )
    .await;
    assert_api_refused(
        &server,
        &fan,
        ("POST", &path),
        json!({"body": "Wrong thread", "parent_id": on_idea["id"]}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "parent_id",
    )
    .await;
    let (_, thread) = api(&server, &fan, "GET", &path, None).await;
    assert_eq!(
        thread
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [question_id, answer["id"].as_i64().unwrap()]
    );
    let (_, detail) = api(
        &server,
        &fan,
        "GET",
        &format!("/api/v1/ideas/{idea_id}"),
        None,
    )
    .await;
    assert_eq!(detail["comments"].as_i64(), Some(1), "{detail}");

    // Closed challenges keep their discussion to read; unknown ones are not found.
    assert_api_refused(
        &server,
        &fan,
        ("POST", &format!("/api/v1/challenges/{closed}/comments")),
        json!({"body": "Too late?"}),
        StatusCode::CONFLICT,
        "challenge",
    )
    .await;
    let (status, _) = api(
        &server,
        &fan,
        "POST",
        "/api/v1/challenges/999999/comments",
        Some(json!({"body": "Hello"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Search finds comments on challenges and links to them.
    let (_, found) = api(&server, &fan, "GET", "/api/v1/search/comments?q=tent", None).await;
    assert_eq!(found[0]["challenge_id"].as_i64(), Some(open), "{found}");
    assert_eq!(
        found[0]["url"],
        format!("/challenges/{open}#comment-{question_id}")
    );

    // Flags on them reach moderators, who can hide them.
    let (status, _) = api(
        &server,
        &staff,
        "POST",
        "/api/v1/flags",
        Some(json!({"kind": "comment", "id": question_id, "reason": "Off topic"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, queue) = api(&server, &staff, "GET", "/api/v1/moderation/flags", None).await;
    assert_eq!(
        (
            queue[0]["challenge_id"].as_i64(),
            queue[0]["title"].as_str()
        ),
        (Some(open), Some("Lighter packs")),
        "{queue}"
    );

    // In the browser: the challenge page shows its discussion and takes comments.
    let page = visitor_page(&server, &format!("/challenges/{open}")).await;
    assert!(
        page.contains("Discussion (2)")
            && page.contains("<strong>tent</strong>")
            && page.contains("Official answer"),
        "{page}"
    );
    let browser = client();
    post_form(
        &browser,
        server.url("/signin"),
        &[("email", "fan@example.org"), ("password", PASSWORD)],
    )
    .await;
    let posted = post_form(
        &browser,
        server.url(&format!("/challenges/{open}/comments")),
        &[("body", "Thanks, clear now"), ("parent_id", "")],
    )
    .await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&posted).starts_with(&format!("/challenges/{open}?done=commented#comment-")),
        "{}",
        location(&posted)
    );
    let refused = post_form(
        &browser,
        server.url(&format!("/challenges/{open}/comments")),
        &[("body", ""), ("parent_id", "")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let closed_page = read_page(&browser, server.url(&format!("/challenges/{closed}"))).await;
    assert!(
        !closed_page.contains(&format!("action=\"/challenges/{closed}/comments\"")),
        "no comment form on a closed challenge"
    );
    let (_, thread) = api(&server, &fan, "GET", &path, None).await;
    assert_eq!(thread.as_array().unwrap().len(), 3);
}

async fn mentions_notify_the_people_named(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    let (author, author_token) = customer(&server, "author@example.org").await;
    let (_, fan) = customer(&server, "fan@example.org").await;
    let (_, bystander) = customer(&server, "bystander@example.org").await;
    let (_, me) = api(&server, &fan, "GET", "/api/v1/me", None).await;
    assert_eq!(me["handle"], "fan");
    let id = idea(&server, &admin, &author).await;
    server.app.set_following(&author, id, true).await.unwrap();
    let path = format!("/api/v1/ideas/{id}/comments");

    let (status, comment) = api(
        &server,
        &fan,
        "POST",
        &path,
        Some(
            json!({"body": "@Author and @admin: thoughts? Mail fan@example.org, or ask @nobody."}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    assert_eq!(comment["author_handle"], "fan");
    let (_, notes) = api(&server, &author_token, "GET", "/api/v1/notifications", None).await;
    assert_eq!(
        notes["unread"].as_i64(),
        Some(1),
        "a follower who is also mentioned is told once: {notes}"
    );
    assert!(
        notes["items"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "{} mentioned you on {}",
                isolate("fan"),
                quoted("Trail map app")
            ))
    );
    let (_, notes) = api(&server, &admin_token, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["unread"].as_i64(), Some(1), "{notes}");
    let (_, notes) = api(&server, &bystander, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["unread"].as_i64(), Some(0), "{notes}");

    // A limit on how many people one comment may call on, and nothing written past it.
    let crowd: Vec<String> = (0..11).map(|n| format!("@person{n}")).collect();
    assert_api_refused(
        &server,
        &fan,
        ("POST", &path),
        json!({"body": crowd.join(" ")}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "body",
    )
    .await;
    let (_, thread) = api(&server, &fan, "GET", &path, None).await;
    assert_eq!(thread.as_array().unwrap().len(), 1);

    // People who cannot read the space are not told, even when named.
    create_space(&server, &admin, "Secret plans", Audience::InviteOnly).await;
    let secret = published_idea(&server, &admin, "secret-plans", "Night mode", "Dark.").await;
    let (status, _) = api(
        &server,
        &admin_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", secret.id),
        Some(json!({"body": "What would @bystander say?"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, notes) = api(&server, &bystander, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["unread"].as_i64(), Some(0), "{notes}");

    // The page shows handles so people know how to mention each other.
    let page = visitor_page(&server, &format!("/ideas/{id}")).await;
    assert!(page.contains("@fan</span>"), "{page}");

    // A mention of someone with an account links to their page; other @words stay text.
    let html = comment["body_html"].as_str().unwrap();
    assert!(
        html.contains(r#"<a href="/people/author" rel="nofollow noopener noreferrer">@Author</a>"#)
            && html.contains(
                r#"<a href="/people/admin" rel="nofollow noopener noreferrer">@admin</a>"#
            )
            && !html.contains("/people/nobody"),
        "{html}"
    );
    assert!(
        page.contains(r#"<a href="/people/fan" class="author">"#),
        "commenters' names lead to them: {page}"
    );

    // A person's page shows who they are and the ideas the viewer may see, never their address.
    let person = visitor_page(&server, "/people/author").await;
    assert!(
        person.contains("@author") && person.contains("Trail map app"),
        "{person}"
    );
    assert!(!person.contains("author@example.org"), "{person}");
    let staff_page = visitor_page(&server, "/people/admin").await;
    assert!(
        staff_page.contains("<span class=\"badge\">Team</span>")
            && !staff_page.contains("Night mode"),
        "an invite-only space's idea is not shown to visitors: {staff_page}"
    );
    let titles = |person: &serde_json::Value| -> Vec<String> {
        person["ideas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|idea| idea["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, seen_by_admin) =
        api(&server, &admin_token, "GET", "/api/v1/people/@Admin", None).await;
    assert_eq!(status, StatusCode::OK, "{seen_by_admin}");
    assert!(titles(&seen_by_admin).contains(&"Night mode".to_owned()));
    assert!(seen_by_admin.get("email").is_none());
    let (_, seen_by_bystander) =
        api(&server, &bystander, "GET", "/api/v1/people/admin", None).await;
    assert!(!titles(&seen_by_bystander).contains(&"Night mode".to_owned()));
    assert_eq!(seen_by_bystander["handle"], "admin");
    // A prolific author's ideas come a page at a time, newest first.
    for n in 0..cocreate_app::PERSON_PAGE_SIZE {
        published_idea(&server, &author, "ideas", &format!("Idea {n}"), "More.").await;
    }
    let (_, first) = api(&server, &bystander, "GET", "/api/v1/people/author", None).await;
    let first_titles = titles(&first);
    assert_eq!(
        first_titles.len() as i64,
        cocreate_app::PERSON_PAGE_SIZE,
        "{first}"
    );
    assert_eq!(
        first_titles[0],
        format!("Idea {}", cocreate_app::PERSON_PAGE_SIZE - 1)
    );
    let next = first["next"].as_i64().expect("a second page");
    let (_, second) = api(
        &server,
        &bystander,
        "GET",
        &format!("/api/v1/people/author?before={next}"),
        None,
    )
    .await;
    assert_eq!(titles(&second), ["Trail map app"]);
    assert!(second["next"].is_null());
    let older = visitor_page(&server, "/people/author").await;
    assert!(
        older.contains(&format!("/people/author?before={next}")),
        "{older}"
    );
    let (status, _) = api(&server, &bystander, "GET", "/api/v1/people/nobody", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let missing = client()
        .get(server.url("/people/nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// A member follows an idea in an invite-only space and is told of a comment; once removed from
/// the space, the notification keeps its place but no longer names the idea or links to it, on
/// the page and through the API.
async fn notifications_keep_nothing_their_reader_can_no_longer_see(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Secret plans", Audience::InviteOnly).await;
    let browser = account(
        &server,
        "member@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let token = api_token(&server, &browser).await;
    let member = server
        .app
        .add_space_member(&admin, "secret-plans", "member@example.org")
        .await
        .unwrap();
    let secret = published_idea(&server, &admin, "secret-plans", "Night mode", "Dark.").await;
    let follow = format!("/api/v1/ideas/{}/follow", secret.id);
    let (status, _) = api(&server, &token, "PUT", &follow, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let comments = format!("/api/v1/ideas/{}/comments", secret.id);
    let (status, _) = api(
        &server,
        &admin_token,
        "POST",
        &comments,
        Some(json!({"body": "Shipping soon."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    server.deliver_news().await;
    let (_, notes) = api(&server, &token, "GET", "/api/v1/notifications", None).await;
    assert!(notes.to_string().contains("Night mode"), "{notes}");

    server
        .app
        .remove_space_member(&admin, "secret-plans", member.id)
        .await
        .unwrap();
    let (_, notes) = api(&server, &token, "GET", "/api/v1/notifications", None).await;
    assert!(!notes.to_string().contains("Night mode"), "{notes}");
    let item = &notes["items"][0];
    assert_eq!(item["text"], cocreate_app::NO_LONGER_VISIBLE, "{notes}");
    assert!(
        item["idea_id"].is_null() && item["comment_id"].is_null(),
        "{notes}"
    );
    assert_eq!(notes["unread"].as_i64(), Some(1), "it still counts as news");
    let page = read_page(&browser, server.url("/notifications")).await;
    assert!(page.contains(cocreate_app::NO_LONGER_VISIBLE), "{page}");
    assert!(!page.contains("Night mode"), "{page}");
    assert!(!page.contains(&format!("/ideas/{}", secret.id)), "{page}");
}

/// A comment and a decision write one event each; the news job tells followers and supporters as
/// they are when it runs: someone removed from an invite-only space in between is told nothing,
/// neither in the app nor by mail.
async fn news_reaches_those_who_may_read_it_when_delivered(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Secret plans", Audience::InviteOnly).await;
    let mut members = Vec::new();
    for email in ["stays@example.org", "leaves@example.org"] {
        let (actor, token) = customer(&server, email).await;
        server
            .app
            .add_space_member(&admin, "secret-plans", email)
            .await
            .unwrap();
        members.push((actor, token));
    }
    let secret = published_idea(&server, &admin, "secret-plans", "Night mode", "Dark.").await;
    for (actor, token) in &members {
        let follow = format!("/api/v1/ideas/{}/follow", secret.id);
        let (status, _) = api(&server, token, "PUT", &follow, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        server.app.support(actor, secret.id).await.unwrap();
    }
    let unread = |token: String| {
        let server = &server;
        async move {
            let (_, notes) = api(server, &token, "GET", "/api/v1/notifications", None).await;
            notes["unread"].as_i64().unwrap()
        }
    };
    let (status, _) = api(
        &server,
        &admin_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", secret.id),
        Some(json!({"body": "Shipping soon."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    server
        .app
        .move_idea(
            &admin,
            secret.id,
            cocreate_core::Stage::Declined,
            "Not now.",
        )
        .await
        .unwrap();
    assert_eq!(
        unread(members[0].1.clone()).await,
        0,
        "the comment's transaction told no follower"
    );
    let leaving = &members[1].0;
    server
        .app
        .remove_space_member(&admin, "secret-plans", leaving.id)
        .await
        .unwrap();
    server.deliver_mail().await;
    assert_eq!(
        unread(members[0].1.clone()).await,
        2,
        "the comment and the decision"
    );
    assert_eq!(
        unread(members[1].1.clone()).await,
        0,
        "removed before delivery"
    );
    let mailed: Vec<String> = server
        .mails()
        .await
        .into_iter()
        .filter(|mail| mail.subject.contains("is now declined"))
        .map(|mail| mail.to_address)
        .collect();
    assert!(
        mailed.contains(&"stays@example.org".to_owned()),
        "{mailed:?}"
    );
    assert!(
        mailed.contains(&"admin@example.org".to_owned()),
        "the author: {mailed:?}"
    );
    assert!(
        !mailed.contains(&"leaves@example.org".to_owned()),
        "no decision mail after leaving: {mailed:?}"
    );
    // A comment deleted before its news went out is announced to nobody.
    let (status, regretted) = api(
        &server,
        &admin_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", secret.id),
        Some(json!({"body": "Oops, wrong idea."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api(
        &server,
        &admin_token,
        "DELETE",
        &format!("/api/v1/comments/{}", regretted["id"]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    server.deliver_news().await;
    assert_eq!(unread(members[0].1.clone()).await, 2, "told nothing more");
}

/// More followers than one batch holds, delivered by two workers at once: each follower is told
/// exactly once, and the event is gone afterwards.
async fn news_for_many_followers_is_delivered_once_in_batches(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Open", Audience::Public).await;
    let idea = published_idea(&server, &admin, "open", "Popular", "Many follow it.").await;
    const FOLLOWERS: usize = 450;
    let mut tx = server.store.begin().await.unwrap();
    let mut followers = Vec::new();
    for n in 0..FOLLOWERS {
        let account = tx
            .insert_account(&cocreate_store::NewAccount {
                email: &format!("f{n}@example.org"),
                name: "Follower",
                handle: &format!("f{n}"),
                password_hash: "$argon2id$unused",
                kind: AccountKind::Customer,
                role: OrgRole::Member,
                created_at: server.app.now(),
            })
            .await
            .unwrap();
        tx.set_following(idea.id, account.id, true, server.app.now())
            .await
            .unwrap();
        followers.push(account.id);
    }
    tx.commit().await.unwrap();
    let (status, _) = api(
        &server,
        &admin_token,
        "POST",
        &format!("/api/v1/ideas/{}/comments", idea.id),
        Some(json!({"body": "Thanks, everyone."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (first, second) = tokio::join!(
        server.app.deliver_news(usize::MAX),
        server.app.deliver_news(usize::MAX)
    );
    assert!(
        first.unwrap() + second.unwrap() >= FOLLOWERS.div_ceil(200),
        "delivered in batches"
    );
    for id in followers {
        assert_eq!(
            server.store.unread_notifications(id).await.unwrap(),
            1,
            "follower {id}"
        );
    }
    assert_eq!(
        server.app.deliver_news(usize::MAX).await.unwrap(),
        0,
        "nothing left"
    );
}

/// The texts of `token`'s notifications, newest first.
async fn notification_texts(server: &TestServer, token: &str) -> Vec<String> {
    let (status, notes) = api(server, token, "GET", "/api/v1/notifications", None).await;
    assert_eq!(status, StatusCode::OK, "{notes}");
    notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["text"].as_str().unwrap().to_owned())
        .collect()
}

/// Without SMTP, supporters and the author still learn in the app of each tier an idea climbs,
/// of its reaching review, and of the decision taken on it.
async fn supporters_hear_of_tiers_and_decisions_in_the_app(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, _) = org_admin(&server).await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    let challenge =
        challenge_with_tiers(&server, &admin, "ideas", "Quieter trains", "1/10, 2/10").await;
    let (author, author_token) = customer(&server, "author@example.org").await;
    let (_, first) = customer(&server, "first@example.org").await;
    let (_, second) = customer(&server, "second@example.org").await;
    let idea = server
        .app
        .propose_idea(
            &author,
            "ideas",
            &IdeaInput {
                title: "Quiet coach",
                body: "A carriage without calls.",
                tags: "",
                challenge_id: Some(challenge.id),
                publish: true,
            },
        )
        .await
        .unwrap();
    let support = format!("/api/v1/ideas/{}/support", idea.id);
    let (status, _) = api(&server, &first, "PUT", &support, None).await;
    assert_eq!(status, StatusCode::OK);
    server.deliver_mail().await;
    let title = quoted("Quiet coach");
    let tier = format!("{title} reached tier 1 of 2 with 1 supporter");
    assert_eq!(notification_texts(&server, &first).await, [tier.as_str()]);
    assert_eq!(
        notification_texts(&server, &author_token).await,
        [tier.as_str()]
    );

    let (status, _) = api(&server, &second, "PUT", &support, None).await;
    assert_eq!(status, StatusCode::OK);
    server
        .app
        .move_idea(&admin, idea.id, cocreate_core::Stage::Declined, "Not now.")
        .await
        .unwrap();
    server.deliver_mail().await;
    let review = format!("{title} reached its last tier with 2 supporters and goes to review");
    let declined = format!("{title} is now declined");
    assert_eq!(
        notification_texts(&server, &first).await,
        [declined.as_str(), review.as_str(), tier.as_str()]
    );
    assert_eq!(
        notification_texts(&server, &second).await,
        [declined.as_str(), review.as_str()]
    );
    assert_eq!(
        notification_texts(&server, &author_token).await,
        [declined.as_str(), review.as_str(), tier.as_str()]
    );
}
