//! Access and abuse, on both backends: every route on a private object (ideas, drafts, challenges,
//! comments, files, spaces, members, tokens) answers 404 to an outsider exactly as to a made-up id, writes beyond the per-address budget
//! are refused with 429 and change nothing, and `X-Forwarded-For` names the client only when a
//! trusted proxy sent it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::{Backend, ServerOptions, TestServer, spawn, spawn_with};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    private_objects_answer_outsiders_as_made_up_ids,
    writes_beyond_the_budget_are_refused,
    forwarded_addresses_count_only_behind_trusted_proxies,
    no_stored_text_works_as_a_link_or_a_session,
    slow_clients_are_cut_off_and_do_not_hold_shutdown,
);

/// Opens a connection to `server` and sends `bytes` on it.
async fn connection_sending(server: &TestServer, bytes: &[u8]) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt as _;
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

/// A client that sends half a request head and waits, or keeps a connection idle after its
/// answer, is cut off once the head deadline passes; and a shutdown waits for neither.
async fn slow_clients_are_cut_off_and_do_not_hold_shutdown(backend: Backend) {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncReadExt as _;
    let web = |header_read_timeout| cocreate_web::WebOptions {
        header_read_timeout,
        ..cocreate_web::WebOptions::default()
    };
    let options = ServerOptions {
        web: Some(web(Duration::from_secs(1))),
        ..ServerOptions::default()
    };
    let Some(server) = spawn_with(backend, options).await else {
        return;
    };
    let half_head =
        connection_sending(&server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
    let mut idle = connection_sending(&server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut answer = [0_u8; 12];
    idle.read_exact(&mut answer).await.unwrap();
    assert_eq!(
        &answer, b"HTTP/1.1 200",
        "the idle connection was answered first"
    );
    for (what, mut stream) in [("half a head", half_head), ("an idle connection", idle)] {
        let mut rest = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
        assert!(
            closed.is_ok(),
            "{what} is still open 5 s after a 1 s head deadline"
        );
    }
    server.stop().await;

    // With a deadline far away, a shutdown still does not wait for clients that send nothing.
    let options = ServerOptions {
        web: Some(web(Duration::from_secs(120))),
        ..ServerOptions::default()
    };
    let server = spawn_with(backend, options).await.unwrap();
    let mut slow = Vec::new();
    for _ in 0..50 {
        slow.push(connection_sending(&server, b"GET / HTTP/1.1\r\nHo").await);
    }
    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shutdown waited {:?} for 50 clients sending half a head",
        started.elapsed()
    );
    drop(slow);
}

/// A copy of the database (its files on SQLite) or an export, made while a reset link, an
/// invitation, a session and a new API token all still work, holds none of them: tokens are kept
/// as keyed hashes, and the mail bodies that carry links sealed.
async fn no_stored_text_works_as_a_link_or_a_session(backend: Backend) {
    let smtp = cocreate_testkit::SmtpStub::start(cocreate_testkit::SmtpBehaviour::Accept).await;
    let options = ServerOptions {
        smtp: Some(smtp.settings(std::time::Duration::from_secs(5))),
        ..ServerOptions::default()
    };
    let Some(server) = spawn_with(backend, options).await else {
        return;
    };
    let (_, admin) = org_admin(&server).await;
    let cookie = signed_up_cookie(&server, "ada@example.org", "Ada").await;
    let session = cookie.split_once('=').unwrap().1.to_owned();
    post_form(
        &client(),
        server.url("/reset"),
        &[("email", "ada@example.org")],
    )
    .await;
    invite(&server, &admin, "bea@example.org", "customer").await;
    let created: serde_json::Value = client()
        .post(server.url("/api/v1/tokens"))
        .bearer_auth(&admin)
        .json(&json!({"name": "integration"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api_secret = created["secret"].as_str().unwrap().to_owned();
    server.deliver_mail().await;
    // The tokens as they went out: in the mail on the wire, in the API's answer, in the cookie.
    // Quoted-printable soft line breaks undone, as a mail reader would.
    let wire = smtp.messages().join("\n").replace("=\n", "");
    let token_after = |prefix: &str| {
        let start = wire
            .find(prefix)
            .unwrap_or_else(|| panic!("no {prefix} link: {wire}"))
            + prefix.len();
        wire[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect::<String>()
    };
    let (reset, invitation) = (token_after("/reset/"), token_after("/invitations/"));
    let secrets = [
        ("reset link", reset.clone()),
        ("invitation link", invitation.clone()),
        ("session", session.clone()),
        ("API token", api_secret.clone()),
    ];
    for (what, secret) in &secrets {
        assert!(secret.len() >= 32, "{what}: {secret:?}");
    }

    let mut export = Vec::new();
    cocreate_app::write_export(
        &server.app.export_organisation().await.unwrap(),
        &mut export,
    )
    .unwrap();
    let mut copies = vec![("export", export)];
    if backend == Backend::Sqlite {
        let path = server
            .database_url
            .trim_start_matches("sqlite://")
            .to_owned();
        for file in [path.clone(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                copies.push(("database file", bytes));
            }
        }
    }
    for (copy, bytes) in &copies {
        let text = String::from_utf8_lossy(bytes);
        for (what, secret) in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "the {copy} holds a working {what}"
            );
        }
    }
    // Each one did work at the time of the copy.
    let reset_page = client()
        .get(server.url(&format!("/reset/{reset}")))
        .send()
        .await
        .unwrap();
    assert_eq!(reset_page.status(), StatusCode::OK);
    let invited = client()
        .get(server.url(&format!("/invitations/{invitation}")))
        .send()
        .await
        .unwrap();
    assert_eq!(invited.status(), StatusCode::OK);
    let (status, _) = api(&server, &api_secret, "GET", "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK);
    let profile = client()
        .get(server.url("/profile"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.status(), StatusCode::OK);
}

/// The objects an outsider must not reach, or ids and a slug that no object has.
#[derive(Clone)]
struct Ids {
    idea: i64,
    challenge: i64,
    comment: i64,
    file: i64,
    slug: String,
    /// An account that is a member of the space and a co-author.
    member: i64,
    /// The member's API token.
    token: i64,
}

impl Ids {
    fn made_up(&self) -> Self {
        Self {
            idea: 999_999,
            challenge: 999_998,
            comment: 999_997,
            file: 999_996,
            slug: "no-such-space".into(),
            member: 999_995,
            token: 999_994,
        }
    }
}

enum Sent {
    Nothing,
    Json(serde_json::Value),
    Form(Vec<(&'static str, String)>),
    File,
}

/// One request on an object: through the API (with a bearer token) or a page (with the session).
struct Probe {
    api: bool,
    method: &'static str,
    path: String,
    sent: Sent,
}

fn on_api(method: &'static str, path: String, sent: Sent) -> Probe {
    Probe {
        api: true,
        method,
        path,
        sent,
    }
}

fn on_page(method: &'static str, path: String, sent: Sent) -> Probe {
    Probe {
        api: false,
        ..on_api(method, path, sent)
    }
}

fn form(fields: &[(&'static str, &str)]) -> Sent {
    Sent::Form(fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}

/// Every route that names a private object, each with an input it would accept: what differs
/// between the real ids and made-up ones must then be visibility alone.
fn probes(ids: &Ids) -> Vec<Probe> {
    let Ids {
        idea,
        challenge,
        comment,
        file,
        slug,
        member,
        token,
    } = ids;
    let flag = |kind: &str, id: i64| json!({ "kind": kind, "id": id, "reason": "spam" });
    let flag_form = |kind: &str, id: i64| {
        Sent::Form(vec![
            ("kind", kind.to_owned()),
            ("id", id.to_string()),
            ("reason", "spam".to_owned()),
        ])
    };
    let challenge_json = json!({ "title": "Better gear", "problem": "Gear breaks." });
    let idea_json = json!({ "title": "Stronger gear", "body": "Use steel." });
    let idea_form = || form(&[("title", "Stronger gear"), ("body", "Use steel.")]);
    vec![
        on_api("GET", format!("/api/v1/ideas/{idea}"), Sent::Nothing),
        on_api(
            "GET",
            format!("/api/v1/ideas/{idea}/comments"),
            Sent::Nothing,
        ),
        on_api(
            "GET",
            format!("/api/v1/ideas/{idea}/revisions"),
            Sent::Nothing,
        ),
        on_api(
            "GET",
            format!("/api/v1/ideas/{idea}/attachments"),
            Sent::Nothing,
        ),
        on_api(
            "GET",
            format!("/api/v1/ideas/{idea}/co-authors"),
            Sent::Nothing,
        ),
        on_api(
            "PUT",
            format!("/api/v1/ideas/{idea}"),
            Sent::Json(json!({ "title": "Mine", "body": "now" })),
        ),
        on_api(
            "PUT",
            format!("/api/v1/ideas/{idea}/support"),
            Sent::Nothing,
        ),
        on_api(
            "DELETE",
            format!("/api/v1/ideas/{idea}/support"),
            Sent::Nothing,
        ),
        on_api("PUT", format!("/api/v1/ideas/{idea}/follow"), Sent::Nothing),
        on_api(
            "DELETE",
            format!("/api/v1/ideas/{idea}/follow"),
            Sent::Nothing,
        ),
        on_api(
            "POST",
            format!("/api/v1/ideas/{idea}/comments"),
            Sent::Json(json!({ "body": "hi" })),
        ),
        on_api(
            "POST",
            format!("/api/v1/ideas/{idea}/publish"),
            Sent::Nothing,
        ),
        on_api(
            "POST",
            format!("/api/v1/ideas/{idea}/transitions"),
            Sent::Json(json!({ "to": "declined", "rationale": "No." })),
        ),
        on_api(
            "POST",
            format!("/api/v1/ideas/{idea}/merge"),
            Sent::Json(json!({ "into": idea, "rationale": "Same." })),
        ),
        on_api(
            "POST",
            format!("/api/v1/ideas/{idea}/co-authors"),
            Sent::Json(json!({ "email": "outsider@example.org" })),
        ),
        on_api(
            "POST",
            format!("/api/v1/ideas/{idea}/co-authors/accept"),
            Sent::Nothing,
        ),
        on_api(
            "DELETE",
            format!("/api/v1/ideas/{idea}/co-authors/{member}"),
            Sent::Nothing,
        ),
        on_api(
            "POST",
            format!("/api/v1/ideas/{idea}/attachments"),
            Sent::File,
        ),
        on_api(
            "PUT",
            format!("/api/v1/comments/{comment}"),
            Sent::Json(json!({ "body": "edited" })),
        ),
        on_api(
            "DELETE",
            format!("/api/v1/comments/{comment}"),
            Sent::Nothing,
        ),
        on_api(
            "POST",
            "/api/v1/flags".into(),
            Sent::Json(flag("idea", *idea)),
        ),
        on_api(
            "POST",
            "/api/v1/flags".into(),
            Sent::Json(flag("comment", *comment)),
        ),
        on_api(
            "POST",
            format!("/api/v1/moderation/idea/{idea}/hide"),
            Sent::Json(json!({ "reason": "spam" })),
        ),
        on_api(
            "POST",
            format!("/api/v1/moderation/comment/{comment}/hide"),
            Sent::Json(json!({ "reason": "spam" })),
        ),
        on_api(
            "GET",
            format!("/api/v1/challenges/{challenge}"),
            Sent::Nothing,
        ),
        on_api(
            "PUT",
            format!("/api/v1/challenges/{challenge}"),
            Sent::Json(challenge_json.clone()),
        ),
        on_api(
            "GET",
            format!("/api/v1/challenges/{challenge}/comments"),
            Sent::Nothing,
        ),
        on_api(
            "POST",
            format!("/api/v1/challenges/{challenge}/comments"),
            Sent::Json(json!({ "body": "hi" })),
        ),
        on_api(
            "POST",
            format!("/api/v1/challenges/{challenge}/cover"),
            Sent::File,
        ),
        on_api("GET", format!("/api/v1/spaces/{slug}"), Sent::Nothing),
        on_api(
            "PUT",
            format!("/api/v1/spaces/{slug}"),
            Sent::Json(json!({ "name": "Mine", "audience": "public" })),
        ),
        on_api(
            "GET",
            format!("/api/v1/spaces/{slug}/members"),
            Sent::Nothing,
        ),
        on_api(
            "POST",
            format!("/api/v1/spaces/{slug}/members"),
            Sent::Json(json!({ "email": "outsider@example.org" })),
        ),
        on_api(
            "DELETE",
            format!("/api/v1/spaces/{slug}/members/{member}"),
            Sent::Nothing,
        ),
        on_api("GET", format!("/api/v1/spaces/{slug}/ideas"), Sent::Nothing),
        on_api(
            "POST",
            format!("/api/v1/spaces/{slug}/ideas"),
            Sent::Json(idea_json),
        ),
        on_api(
            "GET",
            format!("/api/v1/spaces/{slug}/challenges"),
            Sent::Nothing,
        ),
        on_api(
            "POST",
            format!("/api/v1/spaces/{slug}/challenges"),
            Sent::Json(challenge_json),
        ),
        on_api(
            "GET",
            format!("/api/v1/spaces/{slug}/similar?title=gear"),
            Sent::Nothing,
        ),
        on_api(
            "PUT",
            format!("/api/v1/members/{member}"),
            Sent::Json(json!({ "kind": "employee", "role": "admin" })),
        ),
        on_api("DELETE", format!("/api/v1/tokens/{token}"), Sent::Nothing),
        on_page("GET", format!("/ideas/{idea}"), Sent::Nothing),
        on_page("GET", format!("/ideas/{idea}/revisions"), Sent::Nothing),
        on_page(
            "GET",
            format!("/attachments/{file}/plan.txt"),
            Sent::Nothing,
        ),
        on_page("POST", format!("/ideas/{idea}/edit"), idea_form()),
        on_page("POST", format!("/ideas/{idea}/support"), form(&[])),
        on_page("POST", format!("/ideas/{idea}/withdraw"), form(&[])),
        on_page("POST", format!("/ideas/{idea}/follow"), form(&[])),
        on_page("POST", format!("/ideas/{idea}/unfollow"), form(&[])),
        on_page(
            "POST",
            format!("/ideas/{idea}/comments"),
            form(&[("body", "hi")]),
        ),
        on_page("POST", format!("/ideas/{idea}/publish"), form(&[])),
        on_page(
            "POST",
            format!("/ideas/{idea}/stage"),
            form(&[("to", "declined"), ("rationale", "No.")]),
        ),
        on_page(
            "POST",
            format!("/ideas/{idea}/merge"),
            form(&[("into", &idea.to_string()), ("rationale", "Same.")]),
        ),
        on_page(
            "POST",
            format!("/ideas/{idea}/co-authors"),
            form(&[("email", "outsider@example.org")]),
        ),
        on_page(
            "POST",
            format!("/ideas/{idea}/co-authors/accept"),
            form(&[]),
        ),
        on_page(
            "POST",
            format!("/ideas/{idea}/co-authors/{member}/remove"),
            form(&[]),
        ),
        on_page("POST", format!("/ideas/{idea}/attachments"), Sent::File),
        on_page(
            "POST",
            format!("/comments/{comment}/edit"),
            form(&[("body", "edited")]),
        ),
        on_page("POST", format!("/comments/{comment}/delete"), form(&[])),
        on_page("POST", "/flags".into(), flag_form("idea", *idea)),
        on_page("POST", "/flags".into(), flag_form("comment", *comment)),
        on_page(
            "POST",
            format!("/moderation/idea/{idea}/hide"),
            form(&[("reason", "spam")]),
        ),
        on_page(
            "POST",
            format!("/moderation/comment/{comment}/hide"),
            form(&[("reason", "spam")]),
        ),
        on_page("GET", format!("/challenges/{challenge}"), Sent::Nothing),
        on_page(
            "POST",
            format!("/challenges/{challenge}"),
            form(&[("title", "Better gear"), ("problem", "Gear breaks.")]),
        ),
        on_page(
            "POST",
            format!("/challenges/{challenge}/ideas"),
            idea_form(),
        ),
        on_page(
            "POST",
            format!("/challenges/{challenge}/comments"),
            form(&[("body", "hi")]),
        ),
        on_page(
            "GET",
            format!("/challenges/{challenge}/cover"),
            Sent::Nothing,
        ),
        on_page("POST", format!("/challenges/{challenge}/cover"), Sent::File),
        on_page("GET", format!("/spaces/{slug}"), Sent::Nothing),
        on_page(
            "POST",
            format!("/spaces/{slug}"),
            form(&[("name", "Mine"), ("audience", "public")]),
        ),
        on_page(
            "POST",
            format!("/spaces/{slug}/members"),
            form(&[("email", "outsider@example.org")]),
        ),
        on_page(
            "POST",
            format!("/spaces/{slug}/members/{member}/remove"),
            form(&[]),
        ),
        on_page("POST", format!("/spaces/{slug}/ideas"), idea_form()),
        on_page(
            "POST",
            format!("/spaces/{slug}/challenges"),
            form(&[("title", "Better gear"), ("problem", "Gear breaks.")]),
        ),
        on_page(
            "GET",
            format!("/spaces/{slug}/similar?title=gear"),
            Sent::Nothing,
        ),
        on_page(
            "POST",
            format!("/admin/members/{member}"),
            form(&[("kind", "employee"), ("role", "admin")]),
        ),
        on_page("POST", format!("/profile/tokens/{token}/revoke"), form(&[])),
    ]
}

/// Sends `probe` as the account behind `session` (pages) and `bearer` (API); returns the status and
/// the body.
async fn send(
    server: &TestServer,
    session: &reqwest::Client,
    bearer: &str,
    probe: &Probe,
) -> (StatusCode, String) {
    let method = reqwest::Method::from_bytes(probe.method.as_bytes()).unwrap();
    let mut request = if probe.api {
        client()
            .request(method, server.url(&probe.path))
            .bearer_auth(bearer)
    } else {
        session.request(method, server.url(&probe.path))
    };
    request = match &probe.sent {
        Sent::Nothing => request,
        Sent::Json(value) => request.json(value),
        Sent::Form(fields) => request.form(fields),
        Sent::File => {
            let part = reqwest::multipart::Part::bytes(b"notes".to_vec()).file_name("notes.txt");
            request.multipart(reqwest::multipart::Form::new().part("file", part))
        }
    };
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Tries every route on a private object as an account that cannot see it, and again with ids no
/// object has: each answer is a 404, and the same answer, so an outsider cannot even learn that
/// the object exists. The objects: an idea, its challenge, comment and file in an invite-only
/// space; a draft in a public space; the space's members; another account's API token.
async fn private_objects_answer_outsiders_as_made_up_ids(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Inner circle", Audience::InviteOnly).await;
    create_space(&server, &admin, "Town square", Audience::Public).await;
    let (member, member_token) = customer(&server, "member@example.org").await;
    server
        .app
        .add_space_member(&admin, "inner-circle", &member.email)
        .await
        .unwrap();
    let challenge = server
        .app
        .create_challenge(
            &admin,
            "inner-circle",
            &cocreate_app::ChallengeInput {
                title: "Secret challenge",
                problem: "Only for members.",
                questions: "",
                tags: "",
                tiers: "",
                opens_at: "",
                closes_at: "",
            },
        )
        .await
        .unwrap();
    let idea = published_idea(
        &server,
        &admin,
        "inner-circle",
        "Secret gear",
        "Only for members.",
    )
    .await;
    server
        .app
        .invite_co_author(&admin, idea.id, &member.email)
        .await
        .unwrap();
    server.app.accept_co_author(&member, idea.id).await.unwrap();
    let comment = server
        .app
        .add_comment(
            &member,
            cocreate_store::Subject::Idea(idea.id),
            None,
            "Looks good",
            false,
        )
        .await
        .unwrap();
    let file = server
        .app
        .attach(&admin, idea.id, "plan.txt", b"the plan".to_vec())
        .await
        .unwrap();
    let draft = server
        .app
        .propose_idea(
            &member,
            "town-square",
            &cocreate_app::IdeaInput {
                title: "Unfinished gear",
                body: "Still a draft.",
                tags: "",
                challenge_id: None,
                publish: false,
            },
        )
        .await
        .unwrap();
    let (_, tokens) = api(&server, &member_token, "GET", "/api/v1/tokens", None).await;
    let ids = Ids {
        idea: idea.id,
        challenge: challenge.id,
        comment: comment.id,
        file: file.id,
        slug: "inner-circle".into(),
        member: member.id,
        token: tokens[0]["id"].as_i64().unwrap(),
    };
    let outsider = account(
        &server,
        "outsider@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let outsider_token = api_token(&server, &outsider).await;
    let insider = client();
    let signed_in = post_form(
        &insider,
        server.url("/signin"),
        &[("email", member.email.as_str()), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);

    for ids in [
        ids.clone(),
        Ids {
            idea: draft.id,
            ..ids.clone()
        },
    ] {
        // The member reaches what the outsider is refused, so the refusals are about the outsider.
        // Left out: the challenge has no cover, and only curators list a space's members.
        for probe in probes(&ids).iter().filter(|p| {
            p.method == "GET" && !p.path.ends_with("/cover") && !p.path.ends_with("/members")
        }) {
            let (status, body) = send(&server, &insider, &member_token, probe).await;
            assert_eq!(status, StatusCode::OK, "member: GET {}: {body}", probe.path);
        }
        for (real, made_up) in probes(&ids).iter().zip(probes(&ids.made_up()).iter()) {
            let (status, answer) = send(&server, &outsider, &outsider_token, real).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "outsider: {} {}: {answer}",
                real.method,
                real.path
            );
            let (_, unknown) = send(&server, &outsider, &outsider_token, made_up).await;
            assert_eq!(
                answer, unknown,
                "{} {}: an outsider learns nothing a made-up id would not tell",
                real.method, real.path
            );
        }
    }

    for (token, seen) in [(&outsider_token, false), (&member_token, true)] {
        let (_, found) = api(&server, token, "GET", "/api/v1/search?q=secret", None).await;
        assert_eq!(found.to_string().contains("Secret gear"), seen, "{found}");
    }
    // Nothing the outsider sent changed anything.
    let after = server.store.idea(idea.id).await.unwrap().unwrap();
    assert_eq!(
        (
            after.supporters,
            after.comments,
            after.title.as_str(),
            after.stage
        ),
        (0, 1, "Secret gear", cocreate_core::Stage::Gathering)
    );
    let draft = server.store.idea(draft.id).await.unwrap().unwrap();
    assert_eq!(draft.stage, cocreate_core::Stage::Draft);
    let comment = server.store.comment(comment.id).await.unwrap().unwrap();
    assert_eq!(
        (comment.body.as_str(), comment.hidden),
        ("Looks good", None)
    );
    let (status, members) = api(
        &server,
        &admin_token,
        "GET",
        "/api/v1/spaces/inner-circle/members",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{members}");
    assert!(
        members.to_string().contains("member@example.org"),
        "{members}"
    );
    assert!(
        !members.to_string().contains("outsider@example.org"),
        "{members}"
    );
    let (_, challenge) = api(
        &server,
        &member_token,
        "GET",
        &format!("/api/v1/challenges/{}", challenge.id),
        None,
    )
    .await;
    assert_eq!(challenge["title"], "Secret challenge");
}

/// A server allowing `per_minute` writes per client address, with an idea to comment on: returns
/// the server, the idea, a customer's API token and the path of the idea's comments.
async fn server_with_write_budget(
    backend: Backend,
    per_minute: u32,
    trusted_proxies: Vec<ipnet::IpNet>,
) -> Option<(TestServer, i64, String, String)> {
    let web = cocreate_web::WebOptions {
        write_requests_per_minute: per_minute,
        trusted_proxies,
        ..cocreate_web::WebOptions::default()
    };
    let options = ServerOptions {
        web: Some(web),
        ..ServerOptions::default()
    };
    let server = spawn_with(backend, options).await?;
    let (admin, _) = org_admin(&server).await;
    create_space(&server, &admin, "Ideas", Audience::Public).await;
    let idea = published_idea(&server, &admin, "ideas", "Quieter fans", "Fans are loud.").await;
    let (_, token) = customer(&server, "ada@example.org").await;
    let path = format!("/api/v1/ideas/{}/comments", idea.id);
    Some((server, idea.id, token, path))
}

async fn writes_beyond_the_budget_are_refused(backend: Backend) {
    let Some((server, idea_id, token, path)) =
        server_with_write_budget(backend, 3, Vec::new()).await
    else {
        return;
    };
    for n in 0..3 {
        let (status, body) = api(
            &server,
            &token,
            "POST",
            &path,
            Some(json!({ "body": format!("comment {n}") })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let response = client()
        .post(server.url(&path))
        .bearer_auth(&token)
        .json(&json!({ "body": "one too many" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "60");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited", "{problem}");
    // Reads are not writes: still answered.
    let (status, _) = api(&server, &token, "GET", &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server.store.idea(idea_id).await.unwrap().unwrap().comments,
        3
    );
}

/// Sends a comment as if from `forwarded_for`; returns the status.
async fn comment_from(
    server: &TestServer,
    token: &str,
    path: &str,
    forwarded_for: &str,
) -> StatusCode {
    client()
        .post(server.url(path))
        .bearer_auth(token)
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "body": format!("from {forwarded_for}") }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn forwarded_addresses_count_only_behind_trusted_proxies(backend: Backend) {
    // Behind a trusted proxy on loopback, each client address has its own budget.
    let loopback = vec!["127.0.0.1/32".parse().unwrap()];
    let Some((server, _, token, path)) = server_with_write_budget(backend, 2, loopback).await
    else {
        return;
    };
    for _ in 0..2 {
        assert_eq!(
            comment_from(&server, &token, &path, "198.51.100.7").await,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        comment_from(&server, &token, &path, "198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Addresses the client wrote itself in front of the proxy's entry do not help it.
    assert_eq!(
        comment_from(&server, &token, &path, "203.0.113.1, 198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        comment_from(&server, &token, &path, "198.51.100.8").await,
        StatusCode::CREATED
    );

    // Without a trusted proxy the header is ignored: a new address in it buys nothing.
    let Some((server, _, token, path)) = server_with_write_budget(backend, 2, Vec::new()).await
    else {
        return;
    };
    for n in 0..2 {
        let claimed = format!("198.51.100.{n}");
        assert_eq!(
            comment_from(&server, &token, &path, &claimed).await,
            StatusCode::CREATED
        );
    }
    assert_eq!(
        comment_from(&server, &token, &path, "198.51.100.9").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
