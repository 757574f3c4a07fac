//! Generated data at scale and the parts that make it fast: the generator's counters, search and
//! sign-in; the anonymous page cache never showing a page older than this process's last write;
//! and group-committed supports answering each caller with its own outcome — on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_app::{GENERATED_PASSWORD, GeneratePlan};
use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::{Backend, spawn};
use common::*;
use reqwest::StatusCode;

on_both_backends!(
    generated_data_is_exact_searchable_and_usable,
    anonymous_pages_show_every_write_at_once,
    batched_supports_answer_each_caller,
);

async fn generated_data_is_exact_searchable_and_usable(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let plan = GeneratePlan {
        accounts: 150,
        ideas: 400,
        supports: 4_000,
        comments: 1_200,
        feedback: 900,
        seed: 3,
    };
    let generated = server.app.generate(&plan, &|_| {}).await.unwrap();
    assert_eq!(generated.idea_ids.len(), 400);
    assert_eq!(generated.account_ids.len(), 150);
    assert_eq!(server.store.miscounted_ideas().await.unwrap(), 0);

    let (_, reader) = person(
        &server,
        "reader@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    // Supports and comments add up to the plan, idea by idea.
    let mut supporters = 0;
    let mut comments = 0;
    for id in &generated.idea_ids {
        let idea = server.store.idea(*id).await.unwrap().unwrap();
        supporters += idea.supporters;
        comments += idea.comments;
    }
    assert_eq!((supporters, comments), (4_000, 1_200));

    // Feedback adds up to the plan over the products, each product's counts exact.
    assert_eq!(server.store.miscounted_products().await.unwrap(), 0);
    let mut feedback = 0;
    for slug in &generated.product_slugs {
        let product = server.store.product_by_slug(slug).await.unwrap().unwrap();
        assert!(
            product.rating_count <= product.feedback_count,
            "{product:?}"
        );
        feedback += product.feedback_count;
    }
    assert_eq!(feedback, 900);

    // The hot list is ordered by the stored rank, and search finds generated text.
    let (status, list) = api(
        &server,
        &reader,
        "GET",
        &format!("/api/v1/spaces/{}/ideas?sort=hot", generated.space_slug),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let mut hot = Vec::new();
    for item in items {
        let id = item["id"].as_i64().unwrap();
        hot.push(server.store.idea(id).await.unwrap().unwrap().hot);
    }
    assert!(hot.windows(2).all(|w| w[0] >= w[1]), "{hot:?}");
    let (status, found) = api(&server, &reader, "GET", "/api/v1/search?q=trail", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !found.as_array().unwrap().is_empty(),
        "generated ideas are indexed: {found}"
    );

    // A generated person signs in with the shared password.
    let email = server
        .store
        .account_by_id(generated.account_ids[7])
        .await
        .unwrap()
        .unwrap()
        .email;
    let browser = client();
    let signed_in = post_form(
        &browser,
        server.url("/signin"),
        &[("email", &email), ("password", GENERATED_PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);

    // Impossible plans are refused before anything is written.
    let before = server.store.count_accounts().await.unwrap();
    let error = server
        .app
        .generate(
            &GeneratePlan {
                accounts: 2,
                ideas: 2,
                supports: 5,
                comments: 0,
                feedback: 0,
                seed: 1,
            },
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("supports"), "{error}");
    assert_eq!(server.store.count_accounts().await.unwrap(), before);
}

async fn anonymous_pages_show_every_write_at_once(backend: Backend) {
    let Some((server, admin)) = server_with_open_space(backend).await else {
        return;
    };
    let idea = published_idea(&server, &admin, "open", "Warm gloves", "For winter").await;
    let page = format!("/ideas/{}", idea.id);
    let count = |html: String| {
        html.split("<span id=\"supporter-count\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_owned()
    };
    for expected in ["0", "1", "2"] {
        let html = visitor_page(&server, &page).await;
        // Asked twice: the second answer may come from the cache and must agree.
        let again = visitor_page(&server, &page).await;
        assert_eq!(
            (count(html), count(again)),
            (expected.into(), expected.into())
        );
        let (_, token) = person(
            &server,
            &format!("fan{expected}@example.org"),
            AccountKind::Customer,
            OrgRole::Member,
        )
        .await;
        let (status, _) = api(
            &server,
            &token,
            "PUT",
            &format!("/api/v1/ideas/{}/support", idea.id),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    // A search asked again right after a write finds what was written.
    let search = "/search?q=gloves";
    for _ in 0..2 {
        let found = visitor_page(&server, search).await;
        assert!(found.contains("1 idea, 0 comments"), "{found}");
    }
    published_idea(&server, &admin, "open", "Wool gloves", "Knitted").await;
    let found = visitor_page(&server, search).await;
    assert!(
        found.contains("2 ideas, 0 comments") && found.contains("Wool gloves"),
        "{found}"
    );
    // Signed-in pages are never cached: they carry the viewer's own state.
    let (_, token) = person(
        &server,
        "viewer@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let signed_in = client()
        .get(server.url(&page))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(signed_in.contains("viewer"), "the page names its viewer");
}

async fn batched_supports_answer_each_caller(backend: Backend) {
    let Some((server, admin)) = server_with_open_space(backend).await else {
        return;
    };
    let open = published_idea(&server, &admin, "open", "Open idea", "x").await;
    let closed = published_idea(&server, &admin, "open", "Closed idea", "x").await;
    server
        .app
        .move_idea(
            &admin,
            closed.id,
            cocreate_core::Stage::Declined,
            "Out of scope",
        )
        .await
        .unwrap();
    let mut people = Vec::new();
    for n in 0..24 {
        let (actor, _) = person(
            &server,
            &format!("p{n}@example.org"),
            AccountKind::Customer,
            OrgRole::Member,
        )
        .await;
        people.push(actor);
    }
    // Supports of an open and a closed idea arrive together, so they share batches: each caller
    // still gets its own answer, and the refusals change nothing. The ideas are held (the writer
    // lock on SQLite, their rows on PostgreSQL) until every call has queued, so the calls meet.
    let mut held = server.store.begin().await.unwrap();
    held.lock_ideas(&[open.id, closed.id]).await.unwrap();
    let commits_before = server.store.commits();
    let mut calls = Vec::new();
    for (n, actor) in people.iter().enumerate() {
        let app = server.app.clone();
        let actor = actor.clone();
        let id = if n % 2 == 0 { open.id } else { closed.id };
        calls.push(tokio::spawn(
            async move { (id, app.support(&actor, id).await) },
        ));
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        calls.iter().all(|call| !call.is_finished()),
        "a support was answered while the ideas were held"
    );
    drop(held);
    let mut counts = Vec::new();
    for call in calls {
        let (id, result) = call.await.unwrap();
        if id == open.id {
            counts.push(result.unwrap().supporters);
        } else {
            assert!(result.is_err(), "a declined idea takes no support");
        }
    }
    assert_eq!(counts.len(), 12);
    let commits = server.store.commits() - commits_before;
    assert!(
        commits <= 3,
        "24 supports that arrived together took {commits} commits: they were not batched"
    );
    assert!(
        counts.iter().filter(|&&count| count == 12).count() > 1,
        "callers of one batch share its result: {counts:?}"
    );
    let stored = |id| {
        let store = server.store.clone();
        async move { store.idea(id).await.unwrap().unwrap().supporters }
    };
    assert_eq!((stored(open.id).await, stored(closed.id).await), (12, 0));
    assert_eq!(server.store.miscounted_ideas().await.unwrap(), 0);
}

/// A server with an admin and a public space `open`.
async fn server_with_open_space(
    backend: Backend,
) -> Option<(cocreate_testkit::TestServer, cocreate_app::Actor)> {
    let server = spawn(backend).await?;
    let (admin, _) = org_admin(&server).await;
    create_space(&server, &admin, "Open", Audience::Public).await;
    Some((server, admin))
}
