//! Opinions on both backends: statements voted agree, disagree or pass through the API and the
//! pages with exact counts, who may vote and see what, Polis exports imported with counts that
//! match their files (and once only), and the opinion groups the votes form.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use cocreate_app::{PolisExport, PolisImported};
use cocreate_core::{AccountKind, Audience, Opinion, OrgRole};
use cocreate_insights::polis::PolisConversation;
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    statements_are_voted_with_exact_counts,
    only_readers_see_and_only_contributors_vote,
    polis_exports_import_with_their_counts_and_once,
    opinion_groups_form_and_members_are_for_staff,
);

/// A server with a public space `town` and a challenge in it; returns it with the admin and
/// their token, and the challenge's id.
async fn town(backend: Backend) -> Option<(TestServer, cocreate_app::Actor, String, i64)> {
    let server = spawn(backend).await?;
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Town", Audience::Public).await;
    let id = new_challenge(&server, &admin_token, "town", "The town square").await;
    Some((server, admin, admin_token, id))
}

/// A challenge made through the API in the space `slug`; answers its id.
async fn new_challenge(server: &TestServer, token: &str, slug: &str, title: &str) -> i64 {
    let (status, challenge) = api(
        server,
        token,
        "POST",
        &format!("/api/v1/spaces/{slug}/challenges"),
        Some(json!({"title": title, "problem": "What should we do?"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{challenge}");
    challenge["id"].as_i64().unwrap()
}

fn polis_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/polis")
        .join(name)
}

fn polis_export(name: &str) -> PolisExport<File> {
    let dir = polis_dir(name);
    let open = |file: &str| File::open(dir.join(file)).ok();
    PolisExport {
        name: name.to_owned(),
        comments: open("comments.csv").unwrap(),
        votes: open("votes.csv"),
        participants_votes: open("participants-votes.csv"),
        summary: open("summary.csv"),
    }
}

async fn import(server: &TestServer, name: &str) -> PolisImported {
    server
        .app
        .import_polis(Some("town"), polis_export(name))
        .await
        .unwrap()
}

async fn statements_are_voted_with_exact_counts(backend: Backend) {
    let Some((server, _, _, challenge)) = town(backend).await else {
        return;
    };
    let (_, casey) = customer(&server, "casey@example.org").await;
    let path = format!("/api/v1/challenges/{challenge}/statements");
    let (status, statement) = api(
        &server,
        &casey,
        "POST",
        &path,
        Some(json!({"body": "  Trees, not parking.  "})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{statement}");
    assert_eq!(statement["body"], "Trees, not parking.");
    let id = statement["id"].as_i64().unwrap();
    let vote = format!("/api/v1/statements/{id}/vote");
    let counts = |s: &Value| {
        (
            s["agrees"].as_i64().unwrap(),
            s["disagrees"].as_i64().unwrap(),
            s["passes"].as_i64().unwrap(),
        )
    };
    let (status, voted) = api(
        &server,
        &casey,
        "PUT",
        &vote,
        Some(json!({"opinion": "agree"})),
    )
    .await;
    assert_eq!((status, counts(&voted)), (StatusCode::OK, (1, 0, 0)));
    assert_eq!(voted["mine"], "agree");
    // A changed vote moves between the counts; the same vote again changes nothing.
    for _ in 0..2 {
        let body = Some(json!({"opinion": "disagree"}));
        let (_, voted) = api(&server, &casey, "PUT", &vote, body).await;
        assert_eq!(counts(&voted), (0, 1, 0));
    }
    // Bad input names its field.
    for (body, field) in [
        (json!({"body": ""}), "body"),
        (json!({"body": "x".repeat(2_001)}), "body"),
        (json!({"body": "a\u{0}b"}), "body"),
    ] {
        assert_api_refused(
            &server,
            &casey,
            ("POST", &path),
            body,
            StatusCode::UNPROCESSABLE_ENTITY,
            field,
        )
        .await;
    }
    for body in [
        json!({"opinion": "maybe"}),
        json!({"opinion": 1}),
        json!({}),
    ] {
        let (status, problem) = api(&server, &casey, "PUT", &vote, Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("opinion"),
            "{problem}"
        );
    }
    let (_, problem) = api(
        &server,
        &casey,
        "PUT",
        &vote,
        Some(json!({"opinion": "maybe"})),
    )
    .await;
    assert_eq!(problem["field"], "opinion", "{problem}");
    let (status, _) = api(
        &server,
        &casey,
        "PUT",
        "/api/v1/statements/999999/vote",
        Some(json!({"opinion": "agree"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Many people voting at once: every vote counted once.
    let opinions = (0..16).map(|n| {
        let opinion = ["agree", "disagree", "pass", "agree"][n % 4];
        json!({ "opinion": opinion })
    });
    let statuses = send_at_once(&server, "PUT", &vote, opinions.collect()).await;
    assert_eq!(statuses, [StatusCode::OK; 16]);
    let (_, listed) = api(&server, &casey, "GET", &path, None).await;
    assert_eq!(counts(&listed[0]), (8, 1 + 4, 4));
    assert_eq!(listed[0]["mine"], "disagree");

    // The pages: a vote by form returns to the statement, with the vote shown.
    let browser = account(
        &server,
        "dana@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let response = post_form(
        &browser,
        server.url(&format!("/statements/{id}/vote")),
        &[("opinion", "pass")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/challenges/{challenge}/opinions?done=voted#statement-{id}")
    );
    let page = browser
        .get(server.url(location(&response)))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Trees, not parking."), "{html}");
    assert!(html.contains("You voted <strong>pass</strong>"), "{html}");
    assert!(html.contains("8 agree · 5 disagree · 5 pass"), "{html}");
    let refused = post_form(
        &browser,
        server.url(&format!("/challenges/{challenge}/statements")),
        &[("body", "")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("must not be empty"));
    let added = post_form(
        &browser,
        server.url(&format!("/challenges/{challenge}/statements")),
        &[("body", "A fountain for the summer.")],
    )
    .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert!(location(&added).starts_with(&format!(
        "/challenges/{challenge}/opinions?done=statement#statement-"
    )));
}

async fn only_readers_see_and_only_contributors_vote(backend: Backend) {
    let Some((server, admin, admin_token, _)) = town(backend).await else {
        return;
    };
    create_space(&server, &admin, "Staff room", Audience::Internal).await;
    let internal = new_challenge(&server, &admin_token, "staff-room", "Rotas").await;
    let path = format!("/api/v1/challenges/{internal}/statements");
    let (status, statement) = api(
        &server,
        &admin_token,
        "POST",
        &path,
        Some(json!({"body": "Swaps by the week."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let vote = format!("/api/v1/statements/{}/vote", statement["id"]);
    let (_, casey) = customer(&server, "casey@example.org").await;
    // A customer cannot find the internal challenge, its statements or its groups, nor vote.
    for (method, path, body) in [
        ("GET", path.clone(), None),
        ("POST", path.clone(), Some(json!({"body": "Let me in"}))),
        ("PUT", vote.clone(), Some(json!({"opinion": "agree"}))),
        (
            "GET",
            format!("/api/v1/challenges/{internal}/opinion-groups"),
            None,
        ),
    ] {
        let (status, _) = api(&server, &casey, method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let anonymous = client();
    let page = anonymous
        .get(server.url(&format!("/challenges/{internal}/opinions")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    // Anyone may read a public challenge's statements; voting needs an account.
    let (_, town_challenges) = api(
        &server,
        &casey,
        "GET",
        "/api/v1/spaces/town/challenges",
        None,
    )
    .await;
    let public = town_challenges[0]["id"].as_i64().unwrap();
    let (_, statement) = api(
        &server,
        &casey,
        "POST",
        &format!("/api/v1/challenges/{public}/statements"),
        Some(json!({"body": "Benches in the shade."})),
    )
    .await;
    let listed = anonymous
        .get(server.url(&format!("/api/v1/challenges/{public}/statements")))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let vote = anonymous
        .put(server.url(&format!("/api/v1/statements/{}/vote", statement["id"])))
        .json(&json!({"opinion": "agree"}))
        .send()
        .await
        .unwrap();
    assert_eq!(vote.status(), StatusCode::UNAUTHORIZED);
    let page = anonymous
        .get(server.url(&format!("/challenges/{public}/opinions")))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Benches in the shade."));
    assert!(html.contains("to vote and to add statements"), "{html}");
    assert!(
        !html.contains("/vote\""),
        "no vote form for the anonymous reader"
    );
    // A hidden (moderated-out) statement is shown to moderators only and takes no votes.
    let imported = import(&server, "15-per-hour-seattle").await.challenge_id;
    let all = server.store.statements(imported, true).await.unwrap();
    let hidden = all
        .iter()
        .find(|s| s.hidden)
        .expect("seattle has moderated-out comments");
    let (_, moderator) = person(
        &server,
        "mo@example.org",
        AccountKind::Customer,
        OrgRole::Moderator,
    )
    .await;
    let listed = |token: String| {
        let server = &server;
        async move {
            let (_, listed) = api(
                server,
                &token,
                "GET",
                &format!("/api/v1/challenges/{imported}/statements"),
                None,
            )
            .await;
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == hidden.id)
        }
    };
    assert!(listed(moderator.clone()).await, "moderators see it");
    assert!(!listed(casey.clone()).await, "others do not");
    let (status, _) = api(
        &server,
        &moderator,
        "PUT",
        &format!("/api/v1/statements/{}/vote", hidden.id),
        Some(json!({"opinion": "agree"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn polis_exports_import_with_their_counts_and_once(backend: Backend) {
    let Some((server, _, _, _)) = town(backend).await else {
        return;
    };
    for name in [
        "15-per-hour-seattle",
        "american-assembly.bowling-green",
        "brexit-consensus",
        "march-on.operation-marchin-orders",
        "scoop-hivemind.ubi",
    ] {
        let dir = polis_dir(name);
        let open = |file: &str| File::open(dir.join(file)).ok();
        let files = PolisConversation::read(
            open("comments.csv").unwrap(),
            open("votes.csv"),
            open("participants-votes.csv"),
        )
        .unwrap();
        let first = import(&server, name).await;
        assert!(first.created, "{name}");
        assert_eq!(first.statements, files.comments.len(), "{name}");
        assert_eq!(first.votes_added, files.votes.len() as u64, "{name}");
        let stored = server
            .store
            .statements(first.challenge_id, true)
            .await
            .unwrap();
        assert_eq!(stored.len(), files.comments.len(), "{name}");
        assert_eq!(
            stored.iter().filter(|s| s.hidden).count(),
            files.comments.iter().filter(|c| c.hidden).count(),
            "{name}"
        );
        // Each statement's counts are those of the file's votes on it.
        let mut expected: HashMap<String, (i64, i64, i64)> = HashMap::new();
        for vote in &files.votes {
            let counts = expected.entry(vote.statement.to_string()).or_default();
            match vote.opinion {
                Opinion::Agree => counts.0 += 1,
                Opinion::Disagree => counts.1 += 1,
                Opinion::Pass => counts.2 += 1,
            }
        }
        for statement in &stored {
            let key = statement.external_ref.clone().unwrap();
            assert_eq!(
                (statement.agrees, statement.disagrees, statement.passes),
                expected.get(&key).copied().unwrap_or_default(),
                "{name}: statement {key}"
            );
        }
        let participants: std::collections::BTreeSet<u64> = files
            .votes
            .iter()
            .map(|v| v.voter)
            .chain(files.comments.iter().map(|c| c.author))
            .collect();
        assert_eq!(first.participants, participants.len(), "{name}");
        // Again: the same challenge, nothing added.
        let again = import(&server, name).await;
        assert_eq!(
            (again.challenge_id, again.created, again.votes_added),
            (first.challenge_id, false, 0),
            "{name}"
        );
        assert_eq!(
            server
                .store
                .statements(first.challenge_id, true)
                .await
                .unwrap(),
            stored,
            "{name}"
        );
    }
    // A broken file names itself and its line, and nothing is imported.
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("comments.csv"), "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,1,2,0,0,1,Hello\n2,x,two,2,0,0,1,Hi\n").unwrap();
    let export = PolisExport {
        name: "broken".to_owned(),
        comments: File::open(broken.path().join("comments.csv")).unwrap(),
        votes: None,
        participants_votes: None,
        summary: None,
    };
    let error = server
        .app
        .import_polis(Some("town"), export)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "comments.csv: line 3: comment-id \"two\" is not a whole number"
    );
    assert_eq!(
        server
            .store
            .challenge_of_source("polis:broken")
            .await
            .unwrap(),
        None
    );
}

async fn opinion_groups_form_and_members_are_for_staff(backend: Backend) {
    let Some((server, _, admin_token, challenge)) = town(backend).await else {
        return;
    };
    // Too few votes: the groups say why there are none.
    let groups = format!("/api/v1/challenges/{challenge}/opinion-groups");
    let (status, none) = api(&server, &admin_token, "GET", &groups, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(none["not_enough_data"].is_string(), "{none}");
    assert_eq!(none["groups"], json!([]));

    let imported = import(&server, "brexit-consensus").await;
    let groups = format!(
        "/api/v1/challenges/{}/opinion-groups",
        imported.challenge_id
    );
    let (status, found) = api(&server, &admin_token, "GET", &groups, None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let sizes: Vec<i64> = found["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["size"].as_i64().unwrap())
        .collect();
    assert!(sizes.len() >= 2, "{found}");
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest first: {sizes:?}"
    );
    // Staff see each member by the contact's Polis participant id; sizes add up.
    let members: Vec<&Value> = found["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["members"].as_array().unwrap())
        .collect();
    assert_eq!(members.len() as i64, sizes.iter().sum::<i64>());
    assert!(members.iter().all(|m| {
        m["contact_ref"]
            .as_str()
            .is_some_and(|r| r.parse::<u64>().is_ok())
    }));
    assert!(
        found["groups"][0]["distinctive"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "{found}"
    );
    // A customer sees the groups and the map, not who is in them.
    let (_, casey) = customer(&server, "casey@example.org").await;
    let (_, seen) = api(&server, &casey, "GET", &groups, None).await;
    assert_eq!(seen["groups"][0]["size"], found["groups"][0]["size"]);
    assert_eq!(seen["groups"][0]["members"], json!([]));
    assert_eq!(
        seen["map"].as_array().unwrap().len(),
        found["map"].as_array().unwrap().len()
    );
    assert!(
        seen["map"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["you"] == false)
    );
    // The page draws the map; a participant who voted finds themselves on it.
    let statements = server
        .store
        .statements(imported.challenge_id, false)
        .await
        .unwrap();
    let voter = account(
        &server,
        "erin@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    for statement in &statements {
        let response = post_form(
            &voter,
            server.url(&format!("/statements/{}/vote", statement.id)),
            &[("opinion", "agree")],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let page = voter
        .get(server.url(&format!(
            "/challenges/{}/opinion-groups",
            imported.challenge_id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<svg viewBox=\"0 0 300 300\" role=\"img\""),
        "{html}"
    );
    assert!(html.contains("You are in <strong>group "), "{html}");
    assert!(
        html.matches("r=\"3\" class=\"g").count() >= 100,
        "a dot per grouped participant"
    );
    assert!(html.contains(" you\"/>"), "the viewer's dot is ringed");
}
