//! Helpers for the HTTP suites: a cookie-keeping client that does not follow redirects, and
//! shortcuts for signing up and making admins.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::TestServer;
use reqwest::{Client, Response, StatusCode, header};
use serde_json::json;

pub const PASSWORD: &str = "correct horse battery";

/// Runs each named `async fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(cocreate_testkit::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(cocreate_testkit::Backend::Postgres).await;
                }
            )+
        }
    };
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn post_form(client: &Client, url: String, fields: &[(&str, &str)]) -> Response {
    client.post(url).form(fields).send().await.unwrap()
}

pub fn location(response: &Response) -> &str {
    response
        .headers()
        .get(header::LOCATION)
        .map_or("", |v| v.to_str().unwrap())
}

/// Signs up through the form; the client keeps the session.
pub async fn sign_up(server: &TestServer, client: &Client, email: &str, name: &str) {
    let response = post_form(
        client,
        server.url("/signup"),
        &[("email", email), ("name", name), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap()
    );
}

/// A signed-in client for a new account of the given kind and role.
pub async fn account(server: &TestServer, email: &str, kind: AccountKind, role: OrgRole) -> Client {
    let client = client();
    sign_up(server, &client, email, "Test Person").await;
    if (kind, role) != (AccountKind::Customer, OrgRole::Member) {
        server
            .app
            .set_access_as_operator(email, role, Some(kind))
            .await
            .unwrap();
    }
    client
}

/// Creates an API token through the profile form and returns its secret.
pub async fn api_token(server: &TestServer, client: &Client) -> String {
    let page = post_form(
        client,
        server.url("/profile/tokens"),
        &[("name", "test token")],
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let start = html.find("id=\"new-token\">").expect("token shown") + "id=\"new-token\">".len();
    let end = html[start..].find('<').unwrap();
    html[start..start + end].to_owned()
}

pub async fn count_accounts(server: &TestServer) -> i64 {
    server.store.count_accounts().await.unwrap()
}

/// An account made by the operator, with an API token; returns (actor, token).
pub async fn person(
    server: &TestServer,
    email: &str,
    kind: AccountKind,
    role: OrgRole,
) -> (cocreate_app::Actor, String) {
    let input = cocreate_app::AccountInput {
        email,
        name: email.split('@').next().unwrap(),
        password: PASSWORD,
    };
    let account = server
        .app
        .create_account_as_operator(&input, kind, role)
        .await
        .unwrap();
    let actor = cocreate_app::Actor::from_account(&account, None);
    let token = server
        .app
        .create_api_token(&actor, "tests")
        .await
        .unwrap()
        .secret;
    (actor, token)
}

/// The organisation's admin, `admin@example.org`, an employee; returns (actor, token).
pub async fn org_admin(server: &TestServer) -> (cocreate_app::Actor, String) {
    person(
        server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await
}

/// A customer account with an API token; returns (actor, token).
pub async fn customer(server: &TestServer, email: &str) -> (cocreate_app::Actor, String) {
    person(server, email, AccountKind::Customer, OrgRole::Member).await
}

/// Sends an API request with a bearer token; returns the status and the JSON (or text) body.
pub async fn api(
    server: &TestServer,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// New customers `voter0@…`, `voter1@…` each send one of `bodies` at the same moment; answers
/// their statuses.
pub async fn send_at_once(
    server: &TestServer,
    method: &str,
    path: &str,
    bodies: Vec<serde_json::Value>,
) -> Vec<StatusCode> {
    let mut tokens = Vec::new();
    for n in 0..bodies.len() {
        tokens.push(customer(server, &format!("voter{n}@example.org")).await.1);
    }
    let mut writes = tokio::task::JoinSet::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    for (token, body) in tokens.into_iter().zip(bodies) {
        let request = client()
            .request(method.clone(), server.url(path))
            .bearer_auth(token)
            .json(&body);
        writes.spawn(async move { request.send().await.unwrap().status() });
    }
    writes.join_all().await
}

/// Sends an API request that must be refused with `status` and a problem naming `field`.
pub async fn assert_api_refused(
    server: &TestServer,
    token: &str,
    (method, path): (&str, &str),
    body: serde_json::Value,
    status: StatusCode,
    field: &str,
) {
    let (got, problem) = api(server, token, method, path, Some(body)).await;
    assert_eq!(
        (got, problem["field"].as_str()),
        (status, Some(field)),
        "{method} {path}: {problem}"
    );
}

/// Sends each body, which must be refused with its status and a problem naming its field.
pub async fn assert_api_refusals(
    server: &TestServer,
    token: &str,
    (method, path): (&str, &str),
    refusals: Vec<(serde_json::Value, u16, &str)>,
) {
    for (body, status, field) in refusals {
        let status = StatusCode::from_u16(status).unwrap();
        assert_api_refused(server, token, (method, path), body, status, field).await;
    }
}

/// A space made by `admin` (slug from the name).
pub async fn create_space(
    server: &TestServer,
    admin: &cocreate_app::Actor,
    name: &str,
    audience: cocreate_core::Audience,
) {
    let input = cocreate_app::SpaceInput {
        name,
        slug: "",
        description: "",
        audience,
    };
    server.app.create_space(admin, &input).await.unwrap();
}

/// A published idea (no tags, no challenge) by `author` in the space `slug`.
pub async fn published_idea(
    server: &TestServer,
    author: &cocreate_app::Actor,
    slug: &str,
    title: &str,
    body: &str,
) -> cocreate_store::Idea {
    let input = cocreate_app::IdeaInput {
        title,
        body,
        tags: "",
        challenge_id: None,
        publish: true,
    };
    server.app.propose_idea(author, slug, &input).await.unwrap()
}

/// Asserts that a request whose body is over the limit was refused: either with a 413 problem, or,
/// when the server closed the connection after refusing the body unread, with the upload cut off.
/// Callers check afterwards that nothing was stored.
pub async fn assert_refused_as_too_large(sent: reqwest::Result<Response>) {
    match sent {
        Ok(response) => {
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let problem: serde_json::Value = response.json().await.unwrap();
            assert_eq!(problem["code"], "payload_too_large", "{problem}");
        }
        Err(error) => assert!(
            error.is_request() || error.is_body(),
            "the refusal cut the upload off, nothing else: {error:?}"
        ),
    }
}

/// A challenge open now, with the given support tiers (or the space's default when empty).
pub async fn challenge_with_tiers(
    server: &TestServer,
    staff: &cocreate_app::Actor,
    space: &str,
    title: &str,
    tiers: &str,
) -> cocreate_store::Challenge {
    let input = cocreate_app::ChallengeInput {
        title,
        problem: "Why",
        questions: "",
        tags: "",
        tiers,
        opens_at: "",
        closes_at: "",
    };
    server
        .app
        .create_challenge(staff, space, &input)
        .await
        .unwrap()
}

/// The text of a page as `client` sees it.
pub async fn read_page(client: &Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// The text of a page as a visitor (not signed in) sees it.
pub async fn visitor_page(server: &TestServer, path: &str) -> String {
    read_page(&client(), server.url(path)).await
}

/// The `name=value` of the cookie a response sets (the session, after signing up or in).
pub fn session_cookie(response: &Response) -> String {
    let set = response.headers()[header::SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// Signs up a new account in a fresh browser; returns its session cookie as `name=value`.
pub async fn signed_up_cookie(server: &TestServer, email: &str, name: &str) -> String {
    let signed_up = post_form(
        &client(),
        server.url("/signup"),
        &[("email", email), ("name", name), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_up.status(), StatusCode::SEE_OTHER);
    session_cookie(&signed_up)
}

/// Invites `email` as an account of `kind` (a member) through the API, as the admin holding
/// `admin_token`.
pub async fn invite(server: &TestServer, admin_token: &str, email: &str, kind: &str) {
    let (status, body) = api(
        server,
        admin_token,
        "POST",
        "/api/v1/invitations",
        Some(serde_json::json!({"email": email, "kind": kind, "role": "member"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A browser signed in as an employee with the admin role (staff everywhere).
pub async fn staff_browser(server: &TestServer) -> Client {
    account(
        server,
        "sam@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await
}

/// GETs an API path with a bearer token, or with none, and checks the status.
pub async fn assert_api_get(
    server: &TestServer,
    token: Option<&str>,
    path: &str,
    status: StatusCode,
) {
    let request = client().get(server.url(path));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), status, "GET {path}");
}

/// A public space "Gear" with the product "Trail tent", made by an employee; returns the
/// employee's actor and token.
pub async fn gear_with_a_tent(server: &TestServer) -> (cocreate_app::Actor, String) {
    let (admin, _) = org_admin(server).await;
    create_space(server, &admin, "Gear", Audience::Public).await;
    let (staff, staff_token) = person(
        server,
        "erin@example.org",
        AccountKind::Employee,
        OrgRole::Member,
    )
    .await;
    let (status, product) = api(
        server,
        &staff_token,
        "POST",
        "/api/v1/spaces/gear/products",
        Some(json!({"name": "Trail tent", "description": "Two people, 1.4 kg.", "status": "available"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    assert_eq!(product["slug"], "trail-tent");
    assert_eq!(product["space"], "gear");
    (staff, staff_token)
}
