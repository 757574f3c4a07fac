//! Spaces, the admin area and the HTTP protections on both backends: who can see what (by page
//! and by API, with guessed URLs), invitations, roles, the audit log, the outbox, CSRF, rate
//! limits, headers and the operational endpoints.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::{Backend, ServerOptions, TestServer, spawn, spawn_with};
use common::*;
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

on_both_backends!(
    spaces_are_visible_only_to_their_audience,
    admin_creates_internal_space_a_customer_cannot_find,
    space_members_and_bad_input,
    admin_invites_an_employee_who_accepts,
    accepting_an_invitation_signed_in_starts_a_new_session,
    roles_change_and_the_last_admin_stays,
    admin_area_is_not_found_for_others,
    organisation_profile_and_logo,
    cross_site_posts_are_refused,
    writes_are_rate_limited_per_address,
    operational_endpoints_and_headers,
);

/// Viewers used across the access tests, each with a browser session and an API token.
struct Viewers {
    anonymous: Client,
    people: Vec<(&'static str, Client, String)>,
}

async fn viewers(server: &TestServer) -> Viewers {
    let mut people = Vec::new();
    for (label, kind, role) in [
        ("customer", AccountKind::Customer, OrgRole::Member),
        ("employee", AccountKind::Employee, OrgRole::Member),
        ("partner", AccountKind::Partner, OrgRole::Member),
        (
            "customer-moderator",
            AccountKind::Customer,
            OrgRole::Moderator,
        ),
        ("member-of-lab", AccountKind::Customer, OrgRole::Member),
        ("admin", AccountKind::Customer, OrgRole::Admin),
    ] {
        let client = account(server, &format!("{label}@example.org"), kind, role).await;
        let token = api_token(server, &client).await;
        people.push((label, client, token));
    }
    Viewers {
        anonymous: client(),
        people,
    }
}

async fn create_spaces(server: &TestServer, admin_token: &str) {
    for (name, audience) in [
        ("Open", "public"),
        ("Clients", "customers"),
        ("Staff", "internal"),
        ("Resellers", "partners"),
        ("Lab", "invite_only"),
    ] {
        let response = client()
            .post(server.url("/api/v1/spaces"))
            .bearer_auth(admin_token)
            .json(&json!({"name": name, "audience": audience, "description": format!("The {name} space")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{name}");
    }
    let added = client()
        .post(server.url("/api/v1/spaces/lab/members"))
        .bearer_auth(admin_token)
        .json(&json!({"email": "member-of-lab@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
}

async fn spaces_are_visible_only_to_their_audience(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let viewers = viewers(&server).await;
    let admin_token = viewers
        .people
        .iter()
        .find(|p| p.0 == "admin")
        .unwrap()
        .2
        .clone();
    create_spaces(&server, &admin_token).await;
    let expected: &[(&str, &[&str])] = &[
        ("anonymous", &["open"]),
        ("customer", &["clients", "open"]),
        ("employee", &["clients", "open", "resellers", "staff"]),
        ("partner", &["open", "resellers"]),
        ("customer-moderator", &["clients", "open"]),
        ("member-of-lab", &["clients", "lab", "open"]),
        ("admin", &["clients", "lab", "open", "resellers", "staff"]),
    ];
    let all = [
        "open",
        "clients",
        "staff",
        "resellers",
        "lab",
        "no-such-space",
    ];
    for (label, visible) in expected {
        let (client, token) = if *label == "anonymous" {
            (&viewers.anonymous, None)
        } else {
            let person = viewers.people.iter().find(|p| p.0 == *label).unwrap();
            (&person.1, Some(person.2.as_str()))
        };
        // The list, by API.
        let mut request = client.get(server.url("/api/v1/spaces"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let listed: Vec<Value> = request.send().await.unwrap().json().await.unwrap();
        let mut slugs: Vec<&str> = listed.iter().map(|s| s["slug"].as_str().unwrap()).collect();
        slugs.sort_unstable();
        assert_eq!(slugs, *visible, "API list for {label}");
        // The list, by page.
        let html = read_page(client, server.url("/spaces")).await;
        for slug in all {
            assert_eq!(
                html.contains(&format!("href=\"/spaces/{slug}\"")),
                visible.contains(&slug),
                "page list for {label}: {slug}"
            );
        }
        // Guessed URLs: what one may not see is exactly as absent as what does not exist.
        for slug in all {
            let page = client
                .get(server.url(&format!("/spaces/{slug}")))
                .send()
                .await
                .unwrap();
            let mut api = client.get(server.url(&format!("/api/v1/spaces/{slug}")));
            if let Some(token) = token {
                api = api.bearer_auth(token);
            }
            let api = api.send().await.unwrap();
            let want = if visible.contains(&slug) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(page.status(), want, "page /spaces/{slug} for {label}");
            assert_eq!(api.status(), want, "API /spaces/{slug} for {label}");
            if want == StatusCode::NOT_FOUND {
                let body: Value = api.json().await.unwrap();
                assert_eq!(
                    body["detail"],
                    "There is nothing here, or you may not see it."
                );
            }
            for suffix in ["/members"] {
                let mut members = client.get(server.url(&format!("/api/v1/spaces/{slug}{suffix}")));
                if let Some(token) = token {
                    members = members.bearer_auth(token);
                }
                let status = members.send().await.unwrap().status();
                let allowed = *label == "admin" && visible.contains(&slug);
                if allowed {
                    assert_eq!(status, StatusCode::OK);
                } else {
                    assert!(
                        matches!(
                            status,
                            StatusCode::NOT_FOUND
                                | StatusCode::FORBIDDEN
                                | StatusCode::UNAUTHORIZED
                        ),
                        "{label} {slug}{suffix}: {status}"
                    );
                    if !visible.contains(&slug) {
                        assert!(
                            status != StatusCode::FORBIDDEN,
                            "an unseen space must not answer 403 ({label} {slug})"
                        );
                    }
                }
            }
        }
    }
}

async fn admin_creates_internal_space_a_customer_cannot_find(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let admin = account(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let created = post_form(
        &admin,
        server.url("/spaces"),
        &[
            ("name", "Design Studio"),
            ("slug", ""),
            ("description", "Staff only"),
            ("audience", "internal"),
        ],
    )
    .await;
    assert_eq!(
        (created.status(), location(&created)),
        (StatusCode::SEE_OTHER, "/spaces/design-studio")
    );
    let customer = account(
        &server,
        "customer@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let token = api_token(&server, &customer).await;
    assert_eq!(
        customer
            .get(server.url("/spaces/design-studio"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client()
            .get(server.url("/api/v1/spaces/design-studio"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        !read_page(&customer, server.url("/"))
            .await
            .contains("Design Studio")
    );
    // A customer may not create or edit spaces either.
    let refused = post_form(
        &customer,
        server.url("/spaces"),
        &[("name", "Mine"), ("audience", "public")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let employee = account(
        &server,
        "employee@example.org",
        AccountKind::Employee,
        OrgRole::Member,
    )
    .await;
    let page = employee
        .get(server.url("/spaces/design-studio"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Staff only"));
    let edit = post_form(
        &employee,
        server.url("/spaces/design-studio"),
        &[("name", "Taken over"), ("audience", "public")],
    )
    .await;
    assert_eq!(edit.status(), StatusCode::FORBIDDEN);
    // The audit log recorded the creation.
    let audit = read_page(&admin, server.url("/admin/audit")).await;
    assert!(
        audit.contains("space.create") && audit.contains("space:design-studio"),
        "{audit}"
    );
    // Each admin tab names itself, so history and browser tabs tell them apart.
    for (path, title) in [
        ("/admin/audit", "Audit log"),
        ("/admin/members", "Members"),
        ("/admin/invitations", "Invitations"),
        ("/admin/outbox", "Outbox"),
        ("/admin/organisation", "Organisation"),
    ] {
        let page = read_page(&admin, server.url(path)).await;
        assert!(
            page.contains(&format!("<title>&#x2068;{title} · Admin&#x2069;")),
            "{path}: {}",
            &page[..page.len().min(400)]
        );
    }
}

async fn space_members_and_bad_input(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let admin = account(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let token = api_token(&server, &admin).await;
    let api = client();
    let post = |body: Value| {
        api.post(server.url("/api/v1/spaces"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let cases = [
        (
            json!({"name": "", "audience": "public"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            json!({"name": "x".repeat(121), "audience": "public"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            json!({"name": "Ok", "slug": "Bad Slug", "audience": "public"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "slug",
        ),
        (
            json!({"name": "!!!", "audience": "public"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "slug",
        ),
        (
            json!({"name": "Ok", "description": "d".repeat(4001), "audience": "public"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "description",
        ),
    ];
    for (body, status, field) in cases {
        let response = post(body.clone()).await.unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["field"],
            field,
            "{body}"
        );
    }
    let bad_audience = post(json!({"name": "Ok", "audience": "everyone"}))
        .await
        .unwrap();
    assert_eq!(bad_audience.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        post(json!({"name": "Garden", "audience": "invite_only"}))
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let duplicate = post(json!({"name": "Garden", "audience": "public"}))
        .await
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert_eq!(duplicate.json::<Value>().await.unwrap()["field"], "slug");
    assert!(
        server.app.spaces(None).await.unwrap().is_empty(),
        "no refused input created a space"
    );

    // Members: the creator is listed; unknown accounts and repeats are refused clearly.
    let members: Vec<Value> = api
        .get(server.url("/api/v1/spaces/garden/members"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(members.len(), 1);
    let unknown = post_form(
        &admin,
        server.url("/spaces/garden/members"),
        &[("email", "nobody@example.org")],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("no account has this e-mail address")
    );
    let guest = account(
        &server,
        "guest@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    assert_eq!(
        guest
            .get(server.url("/spaces/garden"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_form(
            &admin,
            server.url("/spaces/garden/members"),
            &[("email", "guest@example.org")]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        guest
            .get(server.url("/spaces/garden"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let again = post_form(
        &admin,
        server.url("/spaces/garden/members"),
        &[("email", "guest@example.org")],
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let guest_id = server
        .store
        .account_by_email("guest@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let removed = api
        .delete(server.url(&format!("/api/v1/spaces/garden/members/{guest_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        guest
            .get(server.url("/spaces/garden"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    // Editing keeps the slug and changes the audience.
    let edited = api
        .put(server.url("/api/v1/spaces/garden"))
        .bearer_auth(&token)
        .json(&json!({"name": "Public garden", "audience": "public"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(
        guest
            .get(server.url("/spaces/garden"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

async fn admin_invites_an_employee_who_accepts(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let admin = account(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let bad = post_form(
        &admin,
        server.url("/admin/invitations"),
        &[
            ("email", "not an email"),
            ("kind", "employee"),
            ("role", "member"),
        ],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_role = post_form(
        &admin,
        server.url("/admin/invitations"),
        &[
            ("email", "erin@example.org"),
            ("kind", "employee"),
            ("role", "owner"),
        ],
    )
    .await;
    assert_eq!(bad_role.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent = post_form(
        &admin,
        server.url("/admin/invitations"),
        &[
            ("email", "Erin@Example.org"),
            ("kind", "employee"),
            ("role", "moderator"),
        ],
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let link = server
        .link_in_mail("erin@example.org", "/invitations/")
        .await;
    let erin = client();
    let page = read_page(&erin, server.url(&link)).await;
    assert!(page.contains("erin@example.org") && page.contains("employee"));
    let weak = post_form(
        &erin,
        server.url(&link),
        &[("name", "Erin"), ("password", "weak")],
    )
    .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let accepted = post_form(
        &erin,
        server.url(&link),
        &[("name", "Erin Engineer"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let account = server
        .store
        .account_by_email("erin@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (account.kind, account.role),
        (AccountKind::Employee, OrgRole::Moderator)
    );
    assert_eq!(
        erin.get(server.url("/profile"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // Single use.
    let reused = post_form(
        &client(),
        server.url(&link),
        &[("name", "Mallory"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(reused.status(), StatusCode::GONE);
    // Expired invitations are refused.
    let token = api_token(&server, &admin).await;
    let created = client()
        .post(server.url("/api/v1/invitations"))
        .bearer_auth(&token)
        .json(&json!({"email": "late@example.org", "kind": "partner", "role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let late_link = server
        .link_in_mail("late@example.org", "/invitations/")
        .await;
    server
        .clock
        .advance_minutes(cocreate_app::INVITATION_MINUTES + 1);
    assert_eq!(
        client()
            .get(server.url(&late_link))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::GONE
    );
    let before = count_accounts(&server).await;
    let late = post_form(
        &client(),
        server.url(&late_link),
        &[("name", "Late"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(
        late.status(),
        StatusCode::GONE,
        "an expired link cannot be accepted"
    );
    assert_eq!(
        count_accounts(&server).await,
        before,
        "and makes no account"
    );
    // Admins see it all in the audit log and the outbox.
    let audit: Value = client()
        .get(server.url("/api/v1/audit-log"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"invitation.create") && actions.contains(&"invitation.accept"),
        "{actions:?}"
    );
    let outbox = read_page(&admin, server.url("/admin/outbox")).await;
    assert!(outbox.contains("erin@example.org") && outbox.contains("Join"));
    let listed: Value = client()
        .get(server.url("/api/v1/invitations"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

/// The session cookie a response sets, as `name=value`.
/// A customer who is invited to become an employee, and accepts while signed in, gets the new
/// rights in a new session: the session from before the change ends.
async fn accepting_an_invitation_signed_in_starts_a_new_session(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, admin_token) = org_admin(&server).await;
    let before = signed_up_cookie(&server, "cara@example.org", "Cara").await;
    invite(&server, &admin_token, "cara@example.org", "employee").await;
    let link = server
        .link_in_mail("cara@example.org", "/invitations/")
        .await;
    let accepted = client()
        .post(server.url(&link))
        .header(header::COOKIE, &before)
        .form(&[("name", ""), ("password", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        (accepted.status(), location(&accepted)),
        (StatusCode::SEE_OTHER, "/?done=saved")
    );
    let after = session_cookie(&accepted);
    assert_ne!(before, after);
    let profile = |cookie: String| {
        client()
            .get(server.url("/profile"))
            .header(header::COOKIE, cookie)
            .send()
    };
    assert_eq!(
        profile(before).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(profile(after).await.unwrap().status(), StatusCode::OK);
    let cara = server
        .store
        .account_by_email("cara@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cara.kind, AccountKind::Employee);
}

async fn roles_change_and_the_last_admin_stays(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let admin = account(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let token = api_token(&server, &admin).await;
    let admin_id = server
        .store
        .account_by_email("admin@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let last = client()
        .put(server.url(&format!("/api/v1/members/{admin_id}")))
        .bearer_auth(&token)
        .json(&json!({"kind": "employee", "role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(last.status(), StatusCode::CONFLICT);
    assert_eq!(last.json::<Value>().await.unwrap()["field"], "role");
    // Nor by accepting an invitation to a lesser role.
    let (status, _) = api(
        &server,
        &token,
        "POST",
        "/api/v1/invitations",
        Some(json!({"email": "admin@example.org", "kind": "employee", "role": "member"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let link = server
        .link_in_mail("admin@example.org", "/invitations/")
        .await;
    let demoted = post_form(&admin, server.url(&link), &[]).await;
    assert_eq!(demoted.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        demoted
            .text()
            .await
            .unwrap()
            .contains("the last admin cannot stop being an admin")
    );
    let still = server.store.account_by_email("admin@example.org").await;
    assert_eq!(still.unwrap().unwrap().role, OrgRole::Admin);
    let casey = account(
        &server,
        "casey@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let casey_id = server
        .store
        .account_by_email("casey@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let page = post_form(
        &admin,
        server.url(&format!("/admin/members/{casey_id}")),
        &[("kind", "partner"), ("role", "admin")],
    )
    .await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        casey
            .get(server.url("/admin/members"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "casey is now an admin"
    );
    let members: Value = client()
        .get(server.url("/api/v1/members?limit=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(members["items"].as_array().unwrap().len(), 1);
    let next = members["next"].as_i64().unwrap();
    let rest: Value = client()
        .get(server.url(&format!("/api/v1/members?cursor={next}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["role"], "admin");
    assert_eq!(rest["items"][0]["kind"], "partner");
    let bad = post_form(
        &admin,
        server.url(&format!("/admin/members/{casey_id}")),
        &[("kind", "alien"), ("role", "admin")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = client()
        .put(server.url("/api/v1/members/999999"))
        .bearer_auth(&token)
        .json(&json!({"kind": "employee", "role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let audit = read_page(&admin, server.url("/admin/audit")).await;
    assert!(audit.contains("account.access"));
}

async fn admin_area_is_not_found_for_others(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let moderator = account(
        &server,
        "mod@example.org",
        AccountKind::Employee,
        OrgRole::Moderator,
    )
    .await;
    let token = api_token(&server, &moderator).await;
    for path in [
        "/admin/organisation",
        "/admin/members",
        "/admin/invitations",
        "/admin/audit",
        "/admin/outbox",
    ] {
        assert_eq!(
            moderator
                .get(server.url(path))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            client()
                .get(server.url(path))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND,
            "{path} anonymous"
        );
    }
    for path in [
        "/api/v1/members",
        "/api/v1/invitations",
        "/api/v1/audit-log",
        "/api/v1/outbox",
    ] {
        assert_eq!(
            client()
                .get(server.url(path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let update = client()
        .put(server.url("/api/v1/organisation"))
        .bearer_auth(&token)
        .json(&json!({"name": "Hijacked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(update.status(), StatusCode::NOT_FOUND);
    let invite = post_form(
        &moderator,
        server.url("/admin/invitations"),
        &[
            ("email", "x@example.org"),
            ("kind", "employee"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(invite.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.app.organisation().await.unwrap().name, "Cocreate");
    assert!(server.store.invitations().await.unwrap().is_empty());
}

async fn organisation_profile_and_logo(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let admin = account(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let saved = post_form(
        &admin,
        server.url("/admin/organisation"),
        &[("name", "Acme Labs"), ("description", "We build with you")],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let empty = post_form(
        &admin,
        server.url("/admin/organisation"),
        &[("name", " "), ("description", "")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let org: Value = client()
        .get(server.url("/api/v1/organisation"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (org["name"].as_str(), org["logo_url"].is_null()),
        (Some("Acme Labs"), true)
    );
    assert!(
        client()
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Acme Labs")
    );

    let upload = |bytes: Vec<u8>, name: &'static str| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        admin
            .post(server.url("/admin/organisation/logo"))
            .multipart(reqwest::multipart::Form::new().part("logo", part))
            .send()
    };
    let svg = upload(b"<svg onload=alert(1)></svg>".to_vec(), "logo.png")
        .await
        .unwrap();
    assert_eq!(
        svg.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "content decides, not the name"
    );
    let big = upload(
        [b"\x89PNG\r\n\x1a\n".to_vec(), vec![0; 600 * 1024]].concat(),
        "big.png",
    )
    .await
    .unwrap();
    assert!(
        matches!(
            big.status(),
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::PAYLOAD_TOO_LARGE
        ),
        "{}",
        big.status()
    );
    // An image that declares 65,535 × 65,535 pixels is refused, whatever its weight.
    let png_of = |width: &[u8; 4]| {
        [
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            width.to_vec(),
            width.to_vec(),
            b"\x08\x06\x00\x00\x00\x1f\x15\xc4\x89".to_vec(),
        ]
        .concat()
    };
    let bomb = upload(png_of(b"\x00\x00\xff\xff"), "logo.png")
        .await
        .unwrap();
    assert_eq!(bomb.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bomb.text().await.unwrap().contains("million pixels"));
    let png = png_of(b"\x00\x00\x00\x01");
    assert_eq!(
        upload(png.clone(), "logo.png").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let logo = client().get(server.url("/logo")).send().await.unwrap();
    assert_eq!(logo.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(logo.bytes().await.unwrap().to_vec(), png);
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let admin = account(
        &server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let forged = admin
        .post(server.url("/admin/organisation"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("name", "Pwned"), ("description", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.text().await.unwrap().contains("cross-site"));
    let fetch = admin
        .post(server.url("/signout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(fetch.status(), StatusCode::FORBIDDEN);
    let api = admin
        .put(server.url("/api/v1/organisation"))
        .header(header::ORIGIN, "https://evil.example")
        .json(&json!({"name": "Pwned"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "csrf_rejected");
    assert_eq!(server.app.organisation().await.unwrap().name, "Cocreate");
    // The same request from our own origin goes through.
    let own = admin
        .post(server.url("/admin/organisation"))
        .header(header::ORIGIN, server.base.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "Ours"), ("description", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert_eq!(server.app.organisation().await.unwrap().name, "Ours");
}

async fn writes_are_rate_limited_per_address(backend: Backend) {
    let web = cocreate_web::WebOptions {
        auth_requests_per_minute: 3,
        write_requests_per_minute: 1000,
        ..cocreate_web::WebOptions::default()
    };
    let options = ServerOptions {
        web: Some(web),
        ..ServerOptions::default()
    };
    let Some(server) = spawn_with(backend, options).await else {
        return;
    };
    for i in 0..3 {
        let response = post_form(
            &client(),
            server.url("/signup"),
            &[
                ("email", &format!("u{i}@example.org")),
                ("name", "U"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let limited = post_form(
        &client(),
        server.url("/signup"),
        &[
            ("email", "u9@example.org"),
            ("name", "U"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()[header::RETRY_AFTER], "60");
    let api = client()
        .post(server.url("/api/v1/password-resets"))
        .json(&json!({"email": "u0@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "rate_limited");
    // Every form that guesses or creates accounts shares the budget: trying one password on
    // many addresses is refused as surely as many passwords on one.
    let attempts: [(&str, &[(&str, &str)]); 5] = [
        (
            "/signin",
            &[("email", "u5@example.org"), ("password", PASSWORD)],
        ),
        ("/reset", &[("email", "u1@example.org")]),
        (
            "/invitations/made-up-token",
            &[("name", "U"), ("password", PASSWORD)],
        ),
        (
            "/profile/password",
            &[("current_password", PASSWORD), ("new_password", PASSWORD)],
        ),
        (
            "/profile/email",
            &[("email", "new@example.org"), ("password", PASSWORD)],
        ),
    ];
    for (path, fields) in attempts {
        let refused = post_form(&client(), server.url(path), fields).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
    }
    assert_eq!(count_accounts(&server).await, 3);
    // Reading is not limited.
    assert_eq!(
        client()
            .get(server.url("/signup"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

async fn operational_endpoints_and_headers(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let health = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let csp = health.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(health.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(health.headers()[header::REFERRER_POLICY], "same-origin");
    // Pages, styles and JSON are compressed for clients that accept it; not for others.
    for (path, encoding) in [
        ("/", "br"),
        ("/static/app.css", "gzip"),
        ("/api/v1/openapi.json", "br"),
    ] {
        let compressed = client()
            .get(server.url(path))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(compressed.status(), StatusCode::OK, "{path}");
        assert_eq!(
            compressed
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            Some(encoding),
            "{path}"
        );
    }
    let plain = client().get(server.url("/")).send().await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(
        client()
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ready\nsearch: index\n"
    );
    let page = client()
        .get(server.url("/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let css = client()
        .get(server.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert!(
        css.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    // Every page is labelled and has landmarks.
    for path in ["/", "/signup", "/signin", "/reset", "/spaces"] {
        let html = client()
            .get(server.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("<main")
                && html.contains("<nav aria-label=\"Main\"")
                && html.contains("lang=\"en\""),
            "{path}"
        );
        let inputs = html.matches("<input id=").count();
        let labels = html.matches("<label for=").count();
        assert_eq!(inputs, labels, "every field of {path} has a label");
    }
    let _ = Audience::Public;
}
