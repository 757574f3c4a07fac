//! Every create and update input, as JSON through the API and as a form through the pages (files
//! as multipart), and the query strings of pages, lists and search (cursors included), sent
//! through the real router to a real SQLite database: whatever the bytes, the answer is never a
//! 500.

#![no_main]

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use cocreate_app::{AccountInput, Actor, App, AppConfig, IdeaInput, SpaceInput};
use cocreate_core::{AccountKind, Audience, OrgRole, SystemClock};
use cocreate_store::Subject;
use cocreate_store_sqlite::SqliteStore;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

/// (method, path): the body or query string comes from the fuzzer.
const TARGETS: &[(&str, &str)] = &[
    ("POST", "/api/v1/accounts"),
    ("POST", "/api/v1/password-resets"),
    ("POST", "/api/v1/password-resets/not-a-token"),
    ("PUT", "/api/v1/organisation"),
    ("POST", "/api/v1/spaces"),
    ("PUT", "/api/v1/spaces/fuzz"),
    ("POST", "/api/v1/spaces/fuzz/members"),
    ("PUT", "/api/v1/members/2"),
    ("POST", "/api/v1/invitations"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/spaces/fuzz/challenges"),
    ("PUT", "/api/v1/challenges/1"),
    ("POST", "/api/v1/challenges/1/cover"),
    ("POST", "/api/v1/spaces/fuzz/ideas"),
    ("PUT", "/api/v1/ideas/1"),
    ("POST", "/api/v1/ideas/1/transitions"),
    ("POST", "/api/v1/ideas/1/merge"),
    ("POST", "/api/v1/ideas/1/co-authors"),
    ("POST", "/api/v1/ideas/1/attachments"),
    ("POST", "/api/v1/ideas/1/comments"),
    ("POST", "/api/v1/challenges/1/comments"),
    ("PUT", "/api/v1/comments/1"),
    ("POST", "/api/v1/flags"),
    ("POST", "/api/v1/moderation/comment/1/hide"),
    ("GET", "/api/v1/spaces/fuzz/ideas?"),
    ("GET", "/api/v1/search?"),
    ("GET", "/api/v1/search/comments?"),
    ("GET", "/api/v1/search/challenges?"),
    ("GET", "/api/v1/spaces/fuzz/similar?"),
    ("GET", "/api/v1/notifications?"),
    ("GET", "/api/v1/members?"),
    ("GET", "/api/v1/audit-log?"),
    ("GET", "/api/v1/outbox?"),
    ("POST", "/signup"),
    ("POST", "/signin"),
    ("POST", "/reset"),
    ("POST", "/profile/password"),
    ("POST", "/profile/email"),
    ("POST", "/profile/tokens"),
    ("POST", "/admin/organisation"),
    ("POST", "/admin/organisation/logo"),
    ("POST", "/admin/members/2"),
    ("POST", "/admin/invitations"),
    ("POST", "/spaces"),
    ("POST", "/spaces/fuzz"),
    ("POST", "/spaces/fuzz/members"),
    ("POST", "/spaces/fuzz/ideas"),
    ("POST", "/spaces/fuzz/challenges"),
    ("POST", "/challenges/1"),
    ("POST", "/challenges/1/ideas"),
    ("POST", "/challenges/1/comments"),
    ("POST", "/challenges/1/cover"),
    ("POST", "/ideas/1/edit"),
    ("POST", "/ideas/1/stage"),
    ("POST", "/ideas/1/merge"),
    ("POST", "/ideas/1/co-authors"),
    ("POST", "/ideas/1/attachments"),
    ("POST", "/ideas/1/comments"),
    ("POST", "/comments/1/edit"),
    ("POST", "/flags"),
    ("POST", "/moderation/comment/1/hide"),
    ("GET", "/spaces/fuzz?"),
    ("GET", "/challenges/1?"),
    ("GET", "/ideas/1?"),
    ("GET", "/search?"),
    ("GET", "/notifications?"),
    ("GET", "/admin/members?"),
    ("GET", "/admin/audit?"),
];

/// The paths that take a file: their body is multipart, with this boundary.
const UPLOADS: &[&str] = &["/attachments", "/cover", "/logo"];
const BOUNDARY: &str = "fuzz";

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    bearer: String,
    cookie: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("temporary directory");
        let (router, bearer, cookie) = runtime.block_on(async {
            let url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
            let store = Arc::new(SqliteStore::connect(&url).await.expect("database"));
            let config = AppConfig {
                base_url: url::Url::parse("http://127.0.0.1:8080").expect("URL"),
                secret_key: secrecy::SecretString::from(
                    "fuzz-secret-key-fuzz-secret-key-0123".to_owned(),
                ),
                smtp: None,
                sign_in_attempts_per_minute: 1_000_000,
                files: cocreate_app::local_files(dir.path()).expect("files"),
            };
            let app = App::new(store, Arc::new(SystemClock), config);
            let input = AccountInput {
                email: "admin@fuzz.example",
                name: "Fuzz Admin",
                password: "fuzz-password-long",
            };
            let account = app
                .create_account_as_operator(&input, AccountKind::Employee, OrgRole::Admin)
                .await
                .expect("admin");
            let admin = Actor::from_account(&account, None);
            // Account 2, whose access the member routes change: the admin's stays as it is.
            let member = AccountInput {
                email: "member@fuzz.example",
                name: "Fuzz Member",
                password: "fuzz-password-long",
            };
            app.create_account_as_operator(&member, AccountKind::Customer, OrgRole::Member)
                .await
                .expect("member");
            let space = SpaceInput {
                name: "Fuzz",
                slug: "fuzz",
                description: "",
                audience: Audience::Public,
            };
            app.create_space(&admin, &space).await.expect("space");
            let challenge = cocreate_app::ChallengeInput {
                title: "A challenge",
                problem: "Why",
                questions: "",
                tags: "",
                tiers: "",
                opens_at: "",
                closes_at: "",
            };
            app.create_challenge(&admin, "fuzz", &challenge)
                .await
                .expect("challenge");
            let idea = IdeaInput {
                title: "An idea",
                body: "Its body",
                tags: "",
                challenge_id: Some(1),
                publish: true,
            };
            app.propose_idea(&admin, "fuzz", &idea).await.expect("idea");
            app.add_comment(&admin, Subject::Idea(1), None, "A comment")
                .await
                .expect("comment");
            let bearer = app
                .create_api_token(&admin, "fuzz")
                .await
                .expect("token")
                .secret;
            let cookie = app
                .sign_in("admin@fuzz.example", "fuzz-password-long")
                .await
                .expect("session")
                .session_token;
            let options = cocreate_web::WebOptions {
                auth_requests_per_minute: 1_000_000_000,
                write_requests_per_minute: 1_000_000_000,
                ..cocreate_web::WebOptions::default()
            };
            (cocreate_web::router(app, &options), bearer, cookie)
        });
        Fixture {
            runtime,
            router,
            bearer,
            cookie,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let fixture = fixture();
    let (method, path) = TARGETS[choice as usize % TARGETS.len()];
    let mut builder = Request::builder().method(method);
    let body = if method == "GET" {
        builder = builder.uri(format!("{path}{}", String::from_utf8_lossy(rest)).replace(' ', "+"));
        Body::empty()
    } else {
        let content_type = if UPLOADS.iter().any(|end| path.ends_with(end)) {
            format!("multipart/form-data; boundary={BOUNDARY}")
        } else if path.starts_with("/api/") {
            "application/json".to_owned()
        } else {
            "application/x-www-form-urlencoded".to_owned()
        };
        builder = builder.uri(path).header(header::CONTENT_TYPE, content_type);
        Body::from(rest.to_vec())
    };
    let authenticated = if path.starts_with("/api/") {
        builder.header(header::AUTHORIZATION, format!("Bearer {}", fixture.bearer))
    } else {
        builder.header(
            header::COOKIE,
            format!("cocreate_session={}", fixture.cookie),
        )
    };
    // A URI the fuzzer made unparseable never reaches Cocreate: the HTTP server refuses it.
    let Ok(mut request) = authenticated.body(body) else {
        return;
    };
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 9))));
    let response = fixture
        .runtime
        .block_on(fixture.router.clone().oneshot(request))
        .expect("the router always answers");
    assert_ne!(
        response.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "{method} {path} with {rest:?}"
    );
});
