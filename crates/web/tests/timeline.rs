//! Timelines and the customer list, on both backends: a customer's timeline holds everything
//! that touched them, newest first and paged without gaps or repeats; staff read anyone's and
//! list customers once each with filters; nobody else reads either.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_app::Actor;
use cocreate_core::{AccountKind, OrgRole, Stage};
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    a_customers_timeline_holds_everything_that_touched_them,
    staff_list_customers_once_each_and_read_a_contacts_timeline,
);

/// A GET refused with 422 and a problem naming `field`.
async fn refused(server: &TestServer, token: &str, path: &str, field: &str) {
    let (status, problem) = api(server, token, "GET", path, None).await;
    // A value of the wrong shape is a bad request (400); a well-formed one that names nothing,
    // unprocessable (422).
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{path}: {problem}"
    );
    assert_eq!(problem["field"].as_str(), Some(field), "{path}: {problem}");
}

fn kinds(page: &Value) -> Vec<&str> {
    page["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events: {page}"))
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

async fn a_customers_timeline_holds_everything_that_touched_them(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, staff_token) = gear_with_a_tent(&server).await;
    let (dana, _) = customer(&server, "dana@example.org").await;
    let danas = published_idea(&server, &dana, "gear", "Dana's lantern", "Brighter.").await;
    let browser = account(
        &server,
        "casey@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let casey = Actor::from_account(
        &server
            .store
            .account_by_email("casey@example.org")
            .await
            .unwrap()
            .unwrap(),
        None,
    );
    let token = api_token(&server, &browser).await;
    published_idea(&server, &casey, "gear", "Casey's stove", "Lighter.").await;
    let support = format!("/api/v1/ideas/{}/support", danas.id);
    let (status, _) = api(&server, &token, "PUT", &support, None).await;
    assert!(status.is_success(), "{status}");
    let comments = format!("/api/v1/ideas/{}/comments", danas.id);
    let comment = json!({"body": "Casey's comment on the lantern."});
    let (status, _) = api(&server, &token, "POST", &comments, Some(comment)).await;
    assert_eq!(status, StatusCode::CREATED);
    let feedback = json!({"product": "trail-tent", "body": "The zip sticks.", "rating": 3});
    let (status, sent) = api(&server, &token, "POST", "/api/v1/feedback", Some(feedback)).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let answer = format!("/api/v1/feedback/{}/answer", sent["id"]);
    let (status, body) = api(
        &server,
        &staff_token,
        "POST",
        &answer,
        Some(json!({"answer": "A new zip ships in May."})),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    server
        .app
        .move_idea(&staff, danas.id, Stage::Review, "The team looks at it.")
        .await
        .unwrap();
    server.deliver_news().await;

    let (status, own) = api(&server, &token, "GET", "/api/v1/me/timeline", None).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(
        kinds(&own),
        [
            "stage",
            "answered",
            "feedback",
            "commented",
            "supported",
            "proposed"
        ]
    );
    let events = own["events"].as_array().unwrap();
    assert_eq!(events[0]["to_stage"], "in_review");
    assert_eq!(events[0]["text"], "The team looks at it.");
    assert_eq!(events[1]["text"], "A new zip ships in May.");
    assert_eq!(events[2]["product"], "trail-tent");
    assert_eq!(events[2]["rating"], 3);
    assert_eq!(events[3]["text"], "Casey's comment on the lantern.");
    assert_eq!(events[4]["idea_id"], danas.id);
    assert_eq!(events[5]["title"], "Casey's stove");
    assert!(own["next"].is_null());
    // A person's own address is not repeated to them; staff see it.
    assert!(own["customer"]["email"].is_null());

    let (_, only) = api(
        &server,
        &token,
        "GET",
        "/api/v1/me/timeline?kind=feedback",
        None,
    )
    .await;
    assert_eq!(kinds(&only), ["feedback"]);
    let (_, tent) = api(
        &server,
        &token,
        "GET",
        "/api/v1/me/timeline?product=trail-tent",
        None,
    )
    .await;
    assert_eq!(kinds(&tent), ["answered", "feedback"]);
    refused(&server, &token, "/api/v1/me/timeline?kind=sold", "kind").await;
    refused(
        &server,
        &token,
        "/api/v1/me/timeline?product=nope",
        "product",
    )
    .await;
    refused(
        &server,
        &token,
        "/api/v1/me/timeline?cursor=yesterday",
        "before",
    )
    .await;

    // Staff read it too, with the address; Dana may not, nor list customers.
    let path = format!("/api/v1/customers/accounts/{}/timeline", casey.id);
    let (status, seen) = api(&server, &staff_token, "GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(kinds(&seen), kinds(&own));
    assert_eq!(seen["customer"]["email"], "casey@example.org");
    let dana_token = server
        .app
        .create_api_token(&dana, "dana")
        .await
        .unwrap()
        .secret;
    assert_api_get(&server, Some(&dana_token), &path, StatusCode::NOT_FOUND).await;
    assert_api_get(
        &server,
        Some(&dana_token),
        "/api/v1/customers",
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_api_get(
        &server,
        None,
        "/api/v1/me/timeline",
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // A long history pages without gaps or repeats: 32 more supports.
    for n in 0..32 {
        let idea =
            published_idea(&server, &dana, "gear", &format!("Dana's idea {n}"), "More.").await;
        let (status, _) = api(
            &server,
            &token,
            "PUT",
            &format!("/api/v1/ideas/{}/support", idea.id),
            None,
        )
        .await;
        assert!(status.is_success(), "{status}");
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/me/timeline".to_owned();
    loop {
        let (status, page) = api(&server, &token, "GET", &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let events = page["events"].as_array().unwrap();
        assert!(events.len() <= 30);
        seen.extend(events.iter().map(|e| (e["kind"].clone(), e["id"].clone())));
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/me/timeline?cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6 + 32);
    let mut distinct = seen.clone();
    distinct.sort_by_key(|(kind, id)| (kind.to_string(), id.as_i64()));
    distinct.dedup();
    assert_eq!(distinct.len(), seen.len(), "an event was listed twice");

    // The pages: Casey's own, and staff's view of it.
    let page = read_page(&browser, server.url("/timeline")).await;
    assert!(page.contains("Your timeline"), "{page}");
    assert!(page.contains("s idea 31”</a>"), "{page}");
    assert!(page.contains("You supported “Dana"), "{page}");
    assert!(page.contains("Older events"), "{page}");
    let staff_page = read_page(
        &staff_browser(&server).await,
        server.url(&format!("/customers/accounts/{}?kind=feedback", casey.id)),
    )
    .await;
    assert!(
        staff_page.contains("They gave feedback on Trail tent"),
        "{staff_page}"
    );
    assert!(staff_page.contains("casey@example.org"), "{staff_page}");
}

async fn staff_list_customers_once_each_and_read_a_contacts_timeline(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, staff_token) = gear_with_a_tent(&server).await;
    let (status, _) = api(
        &server,
        &staff_token,
        "POST",
        "/api/v1/spaces/gear/products",
        Some(
            json!({"name": "Camp stove", "description": "Burns anything.", "status": "available"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let send = |body: Value| {
        let server = &server;
        let token = staff_token.clone();
        async move {
            let (status, sent) = api(server, &token, "POST", "/api/v1/feedback", Some(body)).await;
            assert_eq!(status, StatusCode::CREATED, "{sent}");
            sent
        }
    };
    for n in 0..31 {
        send(
            json!({"product": "trail-tent", "body": format!("Survey answer {n}."),
            "author_email": format!("camper{n}@example.org")}),
        )
        .await;
    }
    let first = send(
        json!({"product": "trail-tent", "body": "Too warm.", "tags": ["heat"],
        "author_email": "robin@example.org", "author_name": "Robin"}),
    )
    .await;
    let (_, casey_token) = customer(&server, "casey@example.org").await;
    let (status, _) = api(
        &server,
        &casey_token,
        "POST",
        "/api/v1/feedback",
        Some(json!({"product": "camp-stove", "body": "Loud.", "rating": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let latest = send(
        json!({"product": "trail-tent", "body": "Still too warm.", "tags": ["heat"],
        "author_email": "robin@example.org"}),
    )
    .await;

    // Everyone once, most recently heard from first, over two pages.
    let (status, page) = api(&server, &staff_token, "GET", "/api/v1/customers", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let customers = page["customers"].as_array().unwrap();
    assert_eq!(customers.len(), 30);
    assert_eq!(customers[0]["id"], latest["id"]);
    assert_eq!(customers[0]["author"]["email"], "robin@example.org");
    assert_eq!(customers[1]["author"]["kind"], "account");
    let next = page["next"].as_str().unwrap().to_owned();
    let (_, rest) = api(
        &server,
        &staff_token,
        "GET",
        &format!("/api/v1/customers?cursor={next}"),
        None,
    )
    .await;
    let mut who: Vec<String> = customers
        .iter()
        .chain(rest["customers"].as_array().unwrap())
        .map(|c| c["author"].to_string())
        .collect();
    assert_eq!(who.len(), 33, "{rest}");
    who.sort();
    who.dedup();
    assert_eq!(who.len(), 33, "a customer was listed twice");
    assert!(rest["next"].is_null());

    // Filters.
    let list = |query: &str| {
        let server = &server;
        let token = staff_token.clone();
        let path = format!("/api/v1/customers?{query}");
        async move {
            let (status, page) = api(server, &token, "GET", &path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            page["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["body"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("product=camp-stove").await, ["Loud."]);
    assert_eq!(list("tag=heat").await, ["Still too warm."]);
    assert_eq!(list("channel=email").await, Vec::<String>::new());
    assert_eq!(list("since=2999-01-01").await, Vec::<String>::new());
    assert_eq!(
        list("since=2000-01-01&product=camp-stove&channel=api").await,
        ["Loud."]
    );
    refused(
        &server,
        &staff_token,
        "/api/v1/customers?product=nope",
        "product",
    )
    .await;
    refused(
        &server,
        &staff_token,
        "/api/v1/customers?since=yesterday",
        "since",
    )
    .await;
    refused(
        &server,
        &staff_token,
        "/api/v1/customers?since=2026-02-01&until=2026-01-01",
        "until",
    )
    .await;
    refused(
        &server,
        &staff_token,
        "/api/v1/customers?cursor=x",
        "before",
    )
    .await;

    // A contact's timeline: their feedback, newest first.
    let contact = first["author"]["contact_id"].as_i64().unwrap();
    let path = format!("/api/v1/customers/contacts/{contact}/timeline");
    let (status, timeline) = api(&server, &staff_token, "GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    assert_eq!(kinds(&timeline), ["feedback", "feedback"]);
    assert_eq!(timeline["events"][0]["text"], "Still too warm.");
    assert_eq!(timeline["customer"]["kind"], "contact");
    assert_eq!(timeline["customer"]["email"], "robin@example.org");
    assert_eq!(timeline["customer"]["name"], "Robin");
    assert_api_get(&server, Some(&casey_token), &path, StatusCode::NOT_FOUND).await;
    assert_api_get(
        &server,
        Some(&staff_token),
        "/api/v1/customers/contacts/999999/timeline",
        StatusCode::NOT_FOUND,
    )
    .await;

    // The pages.
    let browser = staff_browser(&server).await;
    let page = read_page(&browser, server.url("/customers?tag=heat")).await;
    assert!(
        page.contains(">Robin &#60;robin@example.org&#62;</a>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/customers/contacts/{contact}")),
        "{page}"
    );
    assert!(!page.contains("camper"), "{page}");
    let page = read_page(
        &browser,
        server.url(&format!("/customers/contacts/{contact}")),
    )
    .await;
    assert!(page.contains("Still too warm."), "{page}");
    assert!(
        page.contains("Known without an account by the address robin@example.org"),
        "{page}"
    );
}
