//! Products and feedback on both backends: a space's catalogue kept by staff, ideas naming the
//! product they are about, feedback from the product page (signed in or by e-mail address) and
//! from the API (with idempotency keys, and on a customer's behalf), exact counts under
//! concurrent writers, and the staff's inbox with its filters, paging and bulk closing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_core::{AccountKind, Audience, OrgRole, Stage};
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    products_gather_their_ideas_and_feedback_from_the_page_and_the_api,
    only_staff_triage_feedback_and_authors_read_their_own,
    concurrent_feedback_keeps_exact_counts,
    staff_link_answer_and_turn_feedback_into_ideas,
    feedback_given_by_address_joins_the_account_that_proves_it,
    partners_speak_for_customers_and_see_only_what_they_sent,
);

async fn send(server: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    api(server, token, "POST", "/api/v1/feedback", Some(body)).await
}

async fn product(server: &TestServer, token: &str) -> Value {
    let (status, product) = api(server, token, "GET", "/api/v1/products/trail-tent", None).await;
    assert_eq!(status, StatusCode::OK, "{product}");
    product
}

async fn products_gather_their_ideas_and_feedback_from_the_page_and_the_api(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, staff_token) = gear_with_a_tent(&server).await;
    let (casey, casey_token) = customer(&server, "casey@example.org").await;

    // The catalogue is the staff's: a taken address, a bad status, an empty name and a
    // customer are refused.
    assert_api_refusals(
        &server,
        &staff_token,
        ("POST", "/api/v1/spaces/gear/products"),
        vec![
            (
                json!({"name": "Trail tent", "status": "available"}),
                409,
                "slug",
            ),
            (
                json!({"name": "Stove", "status": "sold-out"}),
                400,
                "status",
            ),
            (json!({"name": " ", "status": "planned"}), 422, "name"),
        ],
    )
    .await;
    let (status, _) = api(
        &server,
        &casey_token,
        "POST",
        "/api/v1/spaces/gear/products",
        Some(json!({"name": "My tent", "status": "planned"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An idea names the product it is about; the product lists it among its open ideas, and
    // among its launched ideas once launched.
    let idea = published_idea(
        &server,
        &casey,
        "gear",
        "A longer vestibule",
        "Room for boots.",
    )
    .await;
    let (status, named) = api(
        &server,
        &staff_token,
        "PUT",
        &format!("/api/v1/ideas/{}/product", idea.id),
        Some(json!({"product": "trail-tent"})),
    )
    .await;
    assert_eq!(
        (status, &named["slug"]),
        (StatusCode::OK, &json!("trail-tent")),
        "{named}"
    );
    let listed = product(&server, &casey_token).await;
    assert_eq!(listed["open_ideas"][0]["id"], idea.id, "{listed}");
    assert_eq!(listed["launched_ideas"], json!([]));
    for to in [Stage::Review, Stage::Accepted, Stage::Launched] {
        server
            .app
            .move_idea(&staff, idea.id, to, "On its way.")
            .await
            .unwrap();
    }
    let launched = product(&server, &casey_token).await;
    assert_eq!(launched["open_ideas"], json!([]));
    assert_eq!(launched["launched_ideas"][0]["id"], idea.id, "{launched}");
    let page = read_page(&client(), server.url(&format!("/ideas/{}", idea.id))).await;
    assert!(page.contains("href=\"/products/trail-tent\""), "{page}");
    let (status, problem) = api(
        &server,
        &casey_token,
        "PUT",
        &format!("/api/v1/ideas/{}/product", idea.id),
        Some(json!({"product": null})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    // A visitor gives feedback on the product page with an e-mail address; a missing address
    // and a rating out of range are refused next to their fields, keeping what was typed.
    let visitor = client();
    let page = read_page(&visitor, server.url("/products/trail-tent")).await;
    assert!(page.contains("name=\"email\""), "{page}");
    for (fields, message) in [
        (
            vec![("body", "Too warm inside."), ("rating", "4")],
            "author email is needed without an account: give your e-mail address, or sign in",
        ),
        (
            vec![
                ("body", "Too warm inside."),
                ("rating", "9"),
                ("email", "robin@example.net"),
            ],
            "rating must be a whole number from 1 to 5",
        ),
    ] {
        let refused = post_form(
            &visitor,
            server.url("/products/trail-tent/feedback"),
            &fields,
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        assert!(html.contains(message), "{html}");
        assert!(
            html.contains("Too warm inside."),
            "what was typed stays: {html}"
        );
    }
    let sent = post_form(
        &visitor,
        server.url("/products/trail-tent/feedback"),
        &[
            ("body", "Pitched it alone in three minutes."),
            ("rating", "5"),
            ("email", "Robin@Example.net"),
            ("name", "Robin"),
        ],
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&sent),
        "/products/trail-tent?done=feedback#feedback"
    );

    // A customer's app sends feedback with an idempotency key: a retry records nothing more.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = client()
            .post(server.url("/api/v1/feedback"))
            .bearer_auth(&casey_token)
            .header("Idempotency-Key", "feedback-1")
            .json(&json!({"product": "trail-tent", "body": "The zip snags.", "rating": 2}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let item: Value = response.json().await.unwrap();
        assert_eq!(item["author"]["account_id"], casey.id, "{item}");
        assert_eq!(item["channel"], "api");
        ids.push(item["id"].as_i64().unwrap());
    }
    assert_eq!(ids[0], ids[1]);

    // Only staff speak for someone else, or tag; bad input is refused by field.
    assert_api_refusals(
        &server,
        &casey_token,
        ("POST", "/api/v1/feedback"),
        vec![
            (
                json!({"product": "trail-tent", "body": "Hi", "author_email": "else@example.org"}),
                422,
                "author_email",
            ),
            (
                json!({"product": "trail-tent", "body": "Hi", "tags": ["zip"]}),
                422,
                "tags",
            ),
            (
                json!({"product": "trail-tent", "body": "Hi", "rating": 0}),
                422,
                "rating",
            ),
            (json!({"product": "trail-tent", "body": ""}), 422, "body"),
            (
                json!({"product": "trail-tent", "body": "x".repeat(4_001)}),
                422,
                "body",
            ),
            (
                json!({"product": "trail-tent", "body": "Hi", "rating": "five"}),
                400,
                "rating",
            ),
        ],
    )
    .await;
    let (status, _) = send(
        &server,
        &casey_token,
        json!({"product": "no-such", "body": "Hi"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Staff's integration speaks for customers: an unknown address becomes a contact (the
    // same contact each time), a known one its account.
    let (status, for_contact) = send(
        &server,
        &staff_token,
        json!({"product": "trail-tent", "body": "Poles bend in the wind.", "rating": 3,
               "tags": ["wind", "poles"], "author_email": "robin@example.net", "author_name": "Robin H"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{for_contact}");
    assert_eq!(for_contact["author"]["kind"], "contact");
    assert_eq!(for_contact["author"]["email"], "robin@example.net");
    assert_eq!(
        for_contact["author"]["name"], "Robin",
        "the first name given stays"
    );
    assert_eq!(for_contact["submitted_by"], staff.id);
    assert_eq!(for_contact["tags"], json!(["wind", "poles"]));
    let (status, for_casey) = send(
        &server,
        &staff_token,
        json!({"product": "trail-tent", "body": "Called support about the zip.",
               "author_email": "casey@example.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{for_casey}");
    assert_eq!(for_casey["author"]["account_id"], casey.id);
    assert_eq!(for_casey["submitted_by"], staff.id);

    // Four pieces, three rated (5, 2, 3): counted on the product as they came.
    let counted = product(&server, &casey_token).await;
    assert_eq!(counted["feedback_count"], 4, "{counted}");
    assert_eq!(counted["rating_count"], 3);
    assert_eq!(counted["mean_rating"], 3.3);
    let page = read_page(&client(), server.url("/products/trail-tent")).await;
    assert!(page.contains("3.3 of 5 from 3 ratings"), "{page}");
    let page = read_page(&client(), server.url("/spaces/gear/products")).await;
    assert!(page.contains("href=\"/products/trail-tent\""), "{page}");
}

async fn only_staff_triage_feedback_and_authors_read_their_own(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, staff_token) = gear_with_a_tent(&server).await;
    let (_, casey_token) = customer(&server, "casey@example.org").await;
    let (_, dana_token) = customer(&server, "dana@example.org").await;
    let mut ids = Vec::new();
    for (token, body) in [
        (
            &casey_token,
            json!({"product": "trail-tent", "body": "Too warm.", "rating": 4}),
        ),
        (
            &dana_token,
            json!({"product": "trail-tent", "body": "Too cold.", "rating": 1}),
        ),
        (
            &staff_token,
            json!({"product": "trail-tent", "body": "Rang about pegs.", "tags": ["pegs"],
                   "author_email": "robin@example.net"}),
        ),
    ] {
        let (status, item) = send(&server, token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{item}");
        ids.push(item["id"].as_i64().unwrap());
    }

    // The inbox is the staff's: newest first, filtered, paged.
    let list = |query: &str| {
        let server = &server;
        let token = staff_token.clone();
        let path = format!("/api/v1/feedback{query}");
        async move {
            let (status, body) = api(server, &token, "GET", &path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            let found: Vec<i64> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_i64().unwrap())
                .collect();
            (found, body["next"].as_i64())
        }
    };
    assert_eq!(list("").await, (vec![ids[2], ids[1], ids[0]], None));
    assert_eq!(list("?rating=1").await.0, vec![ids[1]]);
    assert_eq!(list("?tag=pegs").await.0, vec![ids[2]]);
    assert_eq!(list("?channel=web").await.0, Vec::<i64>::new());
    assert_eq!(list("?product=trail-tent&status=new").await.0.len(), 3);
    let (first, next) = list("?limit=2").await;
    assert_eq!((first, next), (vec![ids[2], ids[1]], Some(ids[1])));
    assert_eq!(
        list(&format!("?limit=2&cursor={}", ids[1])).await,
        (vec![ids[0]], None)
    );
    for (query, field) in [
        ("?rating=6", "rating"),
        ("?product=nope", "product"),
        ("?limit=0", "limit"),
    ] {
        let (status, problem) = api(
            &server,
            &staff_token,
            "GET",
            &format!("/api/v1/feedback{query}"),
            None,
        )
        .await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{query}: {problem}"
        );
    }
    let (status, _) = api(&server, &casey_token, "GET", "/api/v1/feedback", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Authors read their own feedback, nobody else's; staff read all of it.
    let read = |token: &str, id: i64| {
        let token = token.to_owned();
        let server = &server;
        async move {
            api(
                server,
                &token,
                "GET",
                &format!("/api/v1/feedback/{id}"),
                None,
            )
            .await
            .0
        }
    };
    assert_eq!(read(&casey_token, ids[0]).await, StatusCode::OK);
    assert_eq!(read(&casey_token, ids[1]).await, StatusCode::NOT_FOUND);
    assert_eq!(read(&dana_token, ids[0]).await, StatusCode::NOT_FOUND);
    assert_eq!(read(&staff_token, ids[1]).await, StatusCode::OK);

    // Closing needs a reason; "linked" and "answered" are not set by hand.
    assert_api_refusals(
        &server,
        &staff_token,
        ("POST", "/api/v1/feedback/status"),
        vec![
            (json!({"ids": [ids[0]], "status": "closed"}), 422, "reason"),
            (
                json!({"ids": [ids[0]], "status": "answered", "reason": "x"}),
                422,
                "status",
            ),
            (
                json!({"ids": [], "status": "closed", "reason": "x"}),
                422,
                "ids",
            ),
            (
                json!({"ids": vec![1; 201], "status": "closed", "reason": "x"}),
                422,
                "ids",
            ),
        ],
    )
    .await;
    let (status, _) = api(
        &server,
        &casey_token,
        "POST",
        "/api/v1/feedback/status",
        Some(json!({"ids": [ids[0]], "status": "closed", "reason": "mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, closed) = api(
        &server,
        &staff_token,
        "POST",
        "/api/v1/feedback/status",
        Some(json!({"ids": [ids[0], ids[1]], "status": "closed", "reason": "Known; fixed in spring."})),
    )
    .await;
    assert_eq!(
        (status, closed["changed"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{closed}"
    );
    assert_eq!(list("?status=closed").await.0, vec![ids[1], ids[0]]);
    assert_eq!(list("?unanswered=true").await.0, vec![ids[2]]);
    let item = feedback_as(&server, &casey_token, ids[0]).await;
    assert_eq!(item["status"], "closed");
    assert_eq!(item["status_note"], "Known; fixed in spring.");

    // Staff who may not read a space do not triage its feedback.
    let (admin, admin_token) = person(
        &server,
        "root@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    create_space(&server, &admin, "Secret lab", Audience::InviteOnly).await;
    let (status, _) = api(
        &server,
        &admin_token,
        "POST",
        "/api/v1/spaces/secret-lab/products",
        Some(json!({"name": "Prototype", "status": "planned"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, secret) = send(
        &server,
        &admin_token,
        json!({"product": "prototype", "body": "Leaks."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    let secret = secret["id"].as_i64().unwrap();
    assert!(!list("").await.0.contains(&secret));
    assert_eq!(read(&staff_token, secret).await, StatusCode::NOT_FOUND);
    let (_, none) = api(
        &server,
        &staff_token,
        "POST",
        "/api/v1/feedback/status",
        Some(json!({"ids": [secret], "status": "closed", "reason": "Not mine to close."})),
    )
    .await;
    assert_eq!(none["changed"], 0, "{none}");
    let (status, _) = api(
        &server,
        &casey_token,
        "GET",
        "/api/v1/products/prototype",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The inbox page: staff see and bulk-close; a customer is refused; a visitor signs in first.
    let browser = staff_browser(&server).await;
    let inbox = read_page(&browser, server.url("/feedback")).await;
    assert!(inbox.contains("Rang about pegs."), "{inbox}");
    assert!(
        !inbox.contains("Too warm."),
        "closed feedback is not new: {inbox}"
    );
    let closed = post_form(
        &browser,
        server.url("/feedback/status"),
        &[
            ("ids", &ids[2].to_string()),
            ("ids", &secret.to_string()),
            ("status", "closed"),
            ("reason", "Pegs are in the new kit."),
            ("back", "/feedback?status=&before="),
        ],
    )
    .await;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&closed),
        "/feedback?status=&before=&done=feedback-closed"
    );
    let inbox = read_page(&browser, server.url("/feedback?done=feedback-closed")).await;
    assert!(inbox.contains("No feedback matches."), "{inbox}");
    let all = read_page(&browser, server.url("/feedback?status=all&rating=1")).await;
    assert!(
        all.contains("Too cold.") && !all.contains("Too warm."),
        "{all}"
    );
    let bad = browser
        .get(server.url("/feedback?rating=9"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let casey_browser = account(
        &server,
        "casey2@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let refused = casey_browser
        .get(server.url("/feedback"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let visitor = client().get(server.url("/feedback")).send().await.unwrap();
    assert_eq!(location(&visitor), "/signin?next=%2Ffeedback");
}

async fn concurrent_feedback_keeps_exact_counts(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    gear_with_a_tent(&server).await;
    let writers = 24;
    let bodies = (0..writers)
        .map(|n| json!({"product": "trail-tent", "body": format!("Note {n}"), "rating": 1 + n % 5}))
        .collect();
    let statuses = send_at_once(&server, "POST", "/api/v1/feedback", bodies).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    let stored = server
        .store
        .product_by_slug("trail-tent")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.feedback_count, writers);
    assert_eq!(stored.rating_count, writers);
    assert_eq!(
        stored.rating_sum,
        (0..writers).map(|n| 1 + n % 5).sum::<i64>()
    );
    assert_eq!(server.store.miscounted_products().await.unwrap(), 0);
}

async fn staff_link_answer_and_turn_feedback_into_ideas(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, staff_token) = gear_with_a_tent(&server).await;
    let (casey, casey_token) = customer(&server, "casey@example.org").await;
    let (dana, _) = customer(&server, "dana@example.org").await;
    let idea = published_idea(&server, &dana, "gear", "Lighter poles", "Carbon, please.").await;
    let mut ids = Vec::new();
    for (token, body) in [
        (
            &casey_token,
            json!({"product": "trail-tent", "body": "The poles are heavy."}),
        ),
        (
            &casey_token,
            json!({"product": "trail-tent", "body": "A repair kit in the bag."}),
        ),
        (
            &staff_token,
            json!({"product": "trail-tent", "body": "Heavy poles, says a caller.",
                   "author_email": "robin@example.net"}),
        ),
    ] {
        let (status, item) = send(&server, token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{item}");
        ids.push(item["id"].as_i64().unwrap());
    }

    // Linking is the staff's, to a published idea they may curate.
    let link = |token: &str, body: Value| {
        let token = token.to_owned();
        let server = &server;
        async move { api(server, &token, "POST", "/api/v1/feedback/link", Some(body)).await }
    };
    let (status, _) = link(&casey_token, json!({"ids": [ids[0]], "idea_id": idea.id})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let draft = server
        .app
        .propose_idea(
            &dana,
            "gear",
            &cocreate_app::IdeaInput {
                title: "Unfinished",
                body: "Draft",
                tags: "",
                challenge_id: None,
                publish: false,
            },
        )
        .await
        .unwrap();
    for idea_id in [draft.id, 9_999] {
        let (status, problem) =
            link(&staff_token, json!({"ids": [ids[0]], "idea_id": idea_id})).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("idea_id")),
            "{problem}"
        );
    }
    let (status, linked) = link(
        &staff_token,
        json!({"ids": [ids[0], ids[2]], "idea_id": idea.id}),
    )
    .await;
    assert_eq!(
        (status, linked["changed"].as_i64()),
        (StatusCode::OK, Some(2)),
        "{linked}"
    );

    // Everyone sees how many asked; only staff see who and where.
    let evidence = |token: Option<String>| {
        let server = &server;
        let path = format!("/api/v1/ideas/{}/evidence", idea.id);
        async move {
            let request = client().get(server.url(&path));
            let request = match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            };
            request.send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    let public = evidence(None).await;
    assert_eq!(
        (
            public["people"].as_i64(),
            public["requests"].as_array().map(Vec::len)
        ),
        (Some(2), Some(0)),
        "{public}"
    );
    let full = evidence(Some(staff_token.clone())).await;
    assert_eq!(full["requests"].as_array().unwrap().len(), 2, "{full}");
    assert_eq!(full["requests"][0]["author"]["email"], "robin@example.net");
    let page = read_page(&client(), server.url(&format!("/ideas/{}", idea.id))).await;
    assert!(
        page.contains("2 customers asked for this") && !page.contains("robin@example.net"),
        "{page}"
    );
    let item = feedback_as(&server, &casey_token, ids[0]).await;
    assert_eq!(
        (item["status"].as_str(), item["idea_id"].as_i64()),
        (Some("linked"), Some(idea.id)),
        "{item}"
    );

    // A decision on the idea reaches those who asked, not only its supporters.
    server
        .app
        .move_idea(&staff, idea.id, Stage::Review, "The team looks at it.")
        .await
        .unwrap();
    server.deliver_news().await;
    let (_, notes) = api(&server, &casey_token, "GET", "/api/v1/notifications", None).await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("Lighter poles")),
        "{notes}"
    );
    let mail = server.last_mail_to("casey@example.org").await;
    assert!(mail.body.contains("The team looks at it."), "{}", mail.body);
    let told_twice = server
        .mails()
        .await
        .iter()
        .filter(|m| m.to_address == "dana@example.org")
        .count();
    assert_eq!(told_twice, 1, "the author is told once");

    // Answers reach the author by mail, contacts included, and show with the feedback.
    let answer = |id: i64, text: &str| {
        let server = &server;
        let token = staff_token.clone();
        let body = json!({"answer": text});
        async move {
            api(
                server,
                &token,
                "POST",
                &format!("/api/v1/feedback/{id}/answer"),
                Some(body),
            )
            .await
        }
    };
    let (status, problem) = answer(ids[2], " ").await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("answer")),
        "{problem}"
    );
    let (status, answered) = answer(ids[2], "Carbon poles come in spring.").await;
    assert_eq!(
        (status, answered["status"].as_str()),
        (StatusCode::OK, Some("answered")),
        "{answered}"
    );
    let mail = server.last_mail_to("robin@example.net").await;
    assert!(
        mail.body.contains("Carbon poles come in spring.")
            && mail.body.contains("Heavy poles, says a caller."),
        "{}",
        mail.body
    );
    let (status, _) = api(
        &server,
        &casey_token,
        "POST",
        &format!("/api/v1/feedback/{}/answer", ids[0]),
        Some(json!({"answer": "Me?"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    answer(ids[0], "Thank you, linked to the poles idea.").await;
    let page = read_page(
        &casey_browser(&server).await,
        server.url(&format!("/feedback/{}", ids[0])),
    )
    .await;
    assert!(
        page.contains("Thank you, linked to the poles idea."),
        "{page}"
    );

    // Feedback becomes an idea in its author's name, linked and told; a contact's cannot.
    let into_idea = |id: i64, title: &str| {
        let (server, token) = (&server, staff_token.clone());
        let body = json!({ "title": title });
        async move {
            let path = format!("/api/v1/feedback/{id}/idea");
            api(server, &token, "POST", &path, Some(body)).await
        }
    };
    let (status, problem) = into_idea(ids[2], "Lighter poles again").await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("author")),
        "{problem}"
    );
    let (status, made) = into_idea(ids[1], "A repair kit in the tent bag").await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        (made["author_id"].as_i64(), made["body"].as_str()),
        (Some(casey.id), Some("A repair kit in the bag."))
    );
    let made_id = made["id"].as_i64().unwrap();
    let item = feedback_as(&server, &casey_token, ids[1]).await;
    assert_eq!(item["idea_id"].as_i64(), Some(made_id), "{item}");
    let listed = product(&server, &casey_token).await;
    assert!(
        listed["open_ideas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == made_id),
        "{listed}"
    );
    let mail = server.last_mail_to("casey@example.org").await;
    assert!(
        mail.subject.contains("is now an idea") && mail.body.contains(&format!("/ideas/{made_id}")),
        "{}",
        mail.subject
    );
}

/// A browser signed in as casey@example.org (made by `customer`), through the sign-in form.
async fn casey_browser(server: &TestServer) -> reqwest::Client {
    let browser = client();
    let signed_in = post_form(
        &browser,
        server.url("/signin"),
        &[("email", "casey@example.org"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    browser
}

async fn feedback_given_by_address_joins_the_account_that_proves_it(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, staff_token) = gear_with_a_tent(&server).await;
    let visitor = client();
    for body in ["Too warm inside.", "The pegs bend."] {
        let sent = post_form(
            &visitor,
            server.url("/products/trail-tent/feedback"),
            &[("body", body), ("email", "robin@example.net")],
        )
        .await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    }

    // Signing up with the address mails it a link; nothing moves until it is used.
    let robin = client();
    sign_up(&server, &robin, "Robin@example.net", "Robin").await;
    let link = server
        .link_in_mail("robin@example.net", "/feedback/claim/")
        .await;
    let mine = read_page(&robin, server.url("/my/feedback")).await;
    assert!(mine.contains("You have given no feedback yet."), "{mine}");
    let eve = client();
    sign_up(&server, &eve, "eve@example.org", "Eve").await;
    assert!(
        server
            .mails()
            .await
            .iter()
            .all(|m| m.to_address != "eve@example.org" || !m.body.contains("/feedback/claim/")),
        "no feedback waits for eve's address"
    );

    // The link works only for the account it was mailed to, and once.
    let stolen = eve.post(server.url(&link)).send().await.unwrap();
    assert_eq!(stolen.status(), StatusCode::GONE);
    let visitor_try = client().get(server.url(&link)).send().await.unwrap();
    assert!(
        location(&visitor_try).starts_with("/signin?next="),
        "{}",
        location(&visitor_try)
    );
    let confirm = read_page(&robin, server.url(&link)).await;
    assert!(confirm.contains("Add it to my account"), "{confirm}");
    let claimed = robin.post(server.url(&link)).send().await.unwrap();
    assert_eq!(claimed.status(), StatusCode::OK);
    let text = claimed.text().await.unwrap();
    assert!(
        text.contains("2 pieces of feedback are yours now."),
        "{text}"
    );
    let again = robin.post(server.url(&link)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE);

    let mine = read_page(&robin, server.url("/my/feedback")).await;
    assert!(
        mine.contains("Too warm inside.") && mine.contains("The pegs bend."),
        "{mine}"
    );
    let robin_id = server
        .store
        .account_by_email("robin@example.net")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (_, inbox) = api(&server, &staff_token, "GET", "/api/v1/feedback", None).await;
    for item in inbox["items"].as_array().unwrap() {
        assert_eq!(
            item["author"]["account_id"].as_i64(),
            Some(robin_id),
            "{item}"
        );
    }
    let eves = read_page(&eve, server.url("/my/feedback")).await;
    assert!(!eves.contains("Too warm inside."), "{eves}");
}

/// A piece of feedback as the holder of `token` reads it through the API.
async fn feedback_as(server: &TestServer, token: &str, id: i64) -> Value {
    let (status, item) = api(
        server,
        token,
        "GET",
        &format!("/api/v1/feedback/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{item}");
    item
}

async fn partners_speak_for_customers_and_see_only_what_they_sent(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    gear_with_a_tent(&server).await;
    let (casey, casey_token) = customer(&server, "casey@example.org").await;
    let (parker, parker_token) = person(
        &server,
        "parker@partner.example",
        AccountKind::Partner,
        OrgRole::Member,
    )
    .await;
    let (status, casey_own) = send(
        &server,
        &casey_token,
        json!({"product": "trail-tent", "body": "Casey's own words."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{casey_own}");

    // A partner names the customer by address: an account's becomes the author; a new address
    // a contact; a malformed one is refused by field. A customer may not speak for another.
    let (status, for_casey) = send(
        &server,
        &parker_token,
        json!({"product": "trail-tent", "body": "Casey says the zip snags.",
               "author_email": "casey@example.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{for_casey}");
    assert_eq!(for_casey["author"]["account_id"].as_i64(), Some(casey.id));
    assert_eq!(for_casey["submitted_by"].as_i64(), Some(parker.id));
    let (status, for_contact) = send(
        &server,
        &parker_token,
        json!({"product": "trail-tent", "body": "Kim wants a bigger porch.",
               "author_email": "kim@example.net", "author_name": "Kim"}),
    )
    .await;
    assert_eq!(
        (status, &for_contact["author"]["kind"]),
        (StatusCode::CREATED, &json!("contact"))
    );
    assert_api_refused(
        &server,
        &parker_token,
        ("POST", "/api/v1/feedback"),
        json!({"product": "trail-tent", "body": "Hi", "author_email": "kim at example"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "author_email",
    )
    .await;

    // The customer is the author: it is in their own list, and they were told.
    let (_, mine) = api(&server, &casey_token, "GET", "/api/v1/me/feedback", None).await;
    let bodies: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Casey says the zip snags.", "Casey's own words."]);
    let mail = server.last_mail_to("casey@example.org").await;
    assert!(
        mail.subject.contains("sent us feedback in your name")
            && mail.body.contains("Casey says the zip snags."),
        "{}",
        mail.subject
    );
    assert!(
        server
            .last_mail_to("kim@example.net")
            .await
            .body
            .contains("bigger porch")
    );

    // The partner reads what it sent, and nothing else of the customer's.
    let id = |item: &Value| item["id"].as_i64().unwrap();
    let read = |id: i64| {
        let (server, token) = (&server, parker_token.clone());
        async move {
            api(
                server,
                &token,
                "GET",
                &format!("/api/v1/feedback/{id}"),
                None,
            )
            .await
            .0
        }
    };
    assert_eq!(read(id(&for_casey)).await, StatusCode::OK);
    assert_eq!(read(id(&for_contact)).await, StatusCode::OK);
    assert_eq!(read(id(&casey_own)).await, StatusCode::NOT_FOUND);
    let (_, sent) = api(&server, &parker_token, "GET", "/api/v1/me/feedback", None).await;
    let sent_ids: Vec<i64> = sent["sent"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(sent_ids, [id(&for_contact), id(&for_casey)]);
    assert_eq!(sent["items"], json!([]), "{sent}");
    let (status, _) = api(&server, &parker_token, "GET", "/api/v1/feedback", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a partner has no inbox");

    assert_api_refused(
        &server,
        &casey_token,
        ("POST", "/api/v1/feedback"),
        json!({"product": "trail-tent", "body": "Hi", "author_email": "kim@example.net"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "author_email",
    )
    .await;
}
