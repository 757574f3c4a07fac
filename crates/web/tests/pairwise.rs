//! Pairwise ranking on both backends: "which of these two?" answered through the API and the
//! pages, each pair asked once per person, answers replaced rather than added, exact tallies under
//! concurrent answers, the ranking the answers give, bad input refused by field, and who may
//! compare what.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use cocreate_app::{Actor, IdeaInput};
use cocreate_core::{AccountKind, Audience, OrgRole, Stage};
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    pairs_are_asked_once_and_rank_the_ideas,
    answers_are_exact_under_concurrency_and_bad_input_is_refused,
    only_readers_see_and_only_contributors_compare,
);

/// An idea in the challenge, published or kept as a draft.
async fn challenge_idea(
    server: &TestServer,
    author: &Actor,
    space: &str,
    challenge: i64,
    title: &str,
    publish: bool,
) -> i64 {
    let input = IdeaInput {
        title,
        body: "Why it helps.",
        tags: "",
        challenge_id: Some(challenge),
        publish,
    };
    server
        .app
        .propose_idea(author, space, &input)
        .await
        .unwrap()
        .id
}

/// A server with a public space `town`, a challenge with the published ideas `titles` in it, and
/// a customer; returns it with the admin, the challenge's id, the ideas' ids (in the order of
/// `titles`) and the customer's token.
async fn town(
    backend: Backend,
    titles: &[&str],
) -> Option<(TestServer, Actor, i64, Vec<i64>, String)> {
    let server = spawn(backend).await?;
    let (admin, _) = org_admin(&server).await;
    create_space(&server, &admin, "Town", Audience::Public).await;
    let challenge = challenge_with_tiers(&server, &admin, "town", "The square", "").await;
    let mut ideas = Vec::new();
    for title in titles {
        ideas.push(challenge_idea(&server, &admin, "town", challenge.id, title, true).await);
    }
    let (_, casey) = customer(&server, "casey@example.org").await;
    Some((server, admin, challenge.id, ideas, casey))
}

fn pair_of(next: &Value) -> Option<(i64, i64)> {
    Some((
        next["first"]["id"].as_i64()?,
        next["second"]["id"].as_i64()?,
    ))
}

async fn ranking(server: &TestServer, token: &str, challenge: i64) -> Value {
    let path = format!("/api/v1/challenges/{challenge}/pairwise/ranking");
    let (status, ranking) = api(server, token, "GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{ranking}");
    ranking
}

async fn pairs_are_asked_once_and_rank_the_ideas(backend: Backend) {
    let titles = ["Fountain", "Benches", "Trees", "Parking"];
    let Some((server, admin, challenge, ideas, casey)) = town(backend, &titles).await else {
        return;
    };
    // Neither a draft nor another challenge's idea is compared.
    challenge_idea(&server, &admin, "town", challenge, "Unfinished", false).await;
    let other = challenge_with_tiers(&server, &admin, "town", "Elsewhere", "").await;
    challenge_idea(&server, &admin, "town", other.id, "Far away", true).await;

    let path = format!("/api/v1/challenges/{challenge}/pairwise");
    // Casey prefers the ideas in the order of `titles`: each pair is asked once, until none
    // remain.
    let mut asked = HashSet::new();
    loop {
        let (status, next) = api(&server, &casey, "GET", &path, None).await;
        assert_eq!(status, StatusCode::OK, "{next}");
        assert_eq!(next["ideas"], 4);
        assert_eq!(next["answered"], asked.len());
        let Some((first, second)) = pair_of(&next) else {
            break;
        };
        assert!(ideas.contains(&first) && ideas.contains(&second) && first != second);
        assert!(
            asked.insert((first.min(second), first.max(second))),
            "({first}, {second}) asked twice"
        );
        let rank = |id| ideas.iter().position(|&i| i == id).unwrap();
        let pick = if rank(first) < rank(second) {
            "first"
        } else {
            "second"
        };
        let body = json!({"first_idea_id": first, "second_idea_id": second, "pick": pick});
        let (status, answered) = api(&server, &casey, "POST", &path, Some(body)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answered}");
    }
    assert_eq!(asked.len(), 6);
    let ranked = ranking(&server, &casey, challenge).await;
    assert_eq!(
        (ranked["compared"].as_i64(), ranked["answers"].as_i64()),
        (Some(4), Some(6))
    );
    let order: Vec<&str> = ranked["ideas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|idea| idea["title"].as_str().unwrap())
        .collect();
    assert_eq!(order, titles);
    let best = &ranked["ideas"][0];
    let (low, score, high) = (
        best["low"].as_f64().unwrap(),
        best["score"].as_f64().unwrap(),
        best["high"].as_f64().unwrap(),
    );
    assert!(
        0.0 < low && low < score && score < high && high < 100.0,
        "{best}"
    );
    assert_eq!(
        (best["rank"].as_i64(), best["comparisons"].as_i64()),
        (Some(1), Some(3))
    );

    // Answering a pair again replaces the earlier answer: Parking now beats Fountain.
    let (fountain, parking) = (ideas[0], ideas[3]);
    let body = json!({"first_idea_id": parking, "second_idea_id": fountain, "pick": "first"});
    let (status, _) = api(&server, &casey, "POST", &path, Some(body)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ranked = ranking(&server, &casey, challenge).await;
    assert_eq!(ranked["answers"], 6);
    assert_eq!(ranked["ideas"][0]["comparisons"], 3);
    let (_, next) = api(&server, &casey, "GET", &path, None).await;
    assert_eq!((pair_of(&next), next["answered"].as_i64()), (None, Some(6)));

    // The pages: a new person answers by form and returns to the next pair.
    let browser = account(
        &server,
        "dana@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    let page = read_page(
        &browser,
        server.url(&format!("/challenges/{challenge}/pairwise")),
    )
    .await;
    assert!(page.contains("Which of these two?"), "{page}");
    assert!(page.contains("You have answered 0 pairs"), "{page}");
    let field = |name: &str| {
        let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        page[at..].split('"').next().unwrap().to_owned()
    };
    let (first, second) = (field("first_idea_id"), field("second_idea_id"));
    let answered = post_form(
        &browser,
        server.url(&format!("/challenges/{challenge}/pairwise")),
        &[
            ("first_idea_id", &first),
            ("second_idea_id", &second),
            ("pick", "skip"),
        ],
    )
    .await;
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&answered),
        format!("/challenges/{challenge}/pairwise?done=compared")
    );
    let page = read_page(&browser, server.url(location(&answered))).await;
    assert!(page.contains("Your answer is counted"), "{page}");
    assert!(page.contains("You have answered 1 pair."), "{page}");
    // A skip counts as an answer but not as a comparison.
    let ranked = ranking(&server, &casey, challenge).await;
    assert_eq!(ranked["answers"], 7);
    let refused = post_form(
        &browser,
        server.url(&format!("/challenges/{challenge}/pairwise")),
        &[
            ("first_idea_id", &first),
            ("second_idea_id", &first),
            ("pick", "first"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("must be a different idea"), "{html}");
    let page = visitor_page(&server, &format!("/challenges/{challenge}/ranking")).await;
    // Fountain and Benches won two comparisons each now, Trees and Parking one.
    let at = |title: &str| page.find(&format!(">{title}</a>")).unwrap();
    assert!(
        at("Fountain").max(at("Benches")) < at("Trees").min(at("Parking")),
        "{page}"
    );
    assert!(page.contains("From 7 answers"), "{page}");
}

async fn answers_are_exact_under_concurrency_and_bad_input_is_refused(backend: Backend) {
    let Some((server, admin, challenge, ideas, casey)) =
        town(backend, &["Fountain", "Benches"]).await
    else {
        return;
    };
    let path = format!("/api/v1/challenges/{challenge}/pairwise");
    let (a, b) = (ideas[0], ideas[1]);
    let draft = challenge_idea(&server, &admin, "town", challenge, "Unfinished", false).await;
    let other = challenge_with_tiers(&server, &admin, "town", "Elsewhere", "").await;
    let elsewhere = challenge_idea(&server, &admin, "town", other.id, "Far away", true).await;
    assert_api_refusals(
        &server,
        &casey,
        ("POST", &path),
        vec![
            (
                json!({"first_idea_id": a, "second_idea_id": a, "pick": "first"}),
                422,
                "second_idea_id",
            ),
            (
                json!({"first_idea_id": draft, "second_idea_id": b, "pick": "first"}),
                422,
                "first_idea_id",
            ),
            (
                json!({"first_idea_id": a, "second_idea_id": elsewhere, "pick": "skip"}),
                422,
                "second_idea_id",
            ),
            (
                json!({"first_idea_id": a, "second_idea_id": 999_999, "pick": "skip"}),
                422,
                "second_idea_id",
            ),
            (
                json!({"first_idea_id": a, "second_idea_id": b, "pick": "both"}),
                400,
                "pick",
            ),
            (
                json!({"first_idea_id": "one", "second_idea_id": b, "pick": "first"}),
                400,
                "first_idea_id",
            ),
            (
                json!({"first_idea_id": a, "pick": "first"}),
                400,
                "second_idea_id",
            ),
        ],
    )
    .await;
    let (status, _) = api(
        &server,
        &casey,
        "POST",
        "/api/v1/challenges/999999/pairwise",
        Some(json!({"first_idea_id": a, "second_idea_id": b, "pick": "first"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ranking(&server, &casey, challenge).await["answers"], 0);

    // Many people answering the same pair at once: every answer counted once.
    let picks = (0..16).map(|n| {
        let pick = ["first", "first", "second", "skip"][n % 4];
        json!({"first_idea_id": a, "second_idea_id": b, "pick": pick})
    });
    let statuses = send_at_once(&server, "POST", &path, picks.collect()).await;
    assert_eq!(statuses, [StatusCode::NO_CONTENT; 16]);
    let ranked = ranking(&server, &casey, challenge).await;
    assert_eq!(ranked["answers"], 16);
    // 8 picks of the first, 4 of the second, 4 skips.
    assert_eq!(ranked["ideas"][0]["title"], "Fountain");
    assert_eq!(ranked["ideas"][0]["comparisons"], 12);
    assert_eq!(ranked["ideas"][1]["comparisons"], 12);

    // A declined idea leaves the comparison: the set of compared ideas is read again within a
    // second of the last time.
    server
        .app
        .move_idea(&admin, b, Stage::Declined, "There is no room for benches.")
        .await
        .unwrap();
    let declined = std::time::Instant::now();
    loop {
        let ranked = ranking(&server, &casey, challenge).await;
        if ranked["compared"] == 1 {
            assert_eq!(ranked["ideas"][0]["title"], "Fountain");
            break;
        }
        assert!(
            declined.elapsed() < std::time::Duration::from_secs(3),
            "the declined idea is still ranked: {ranked}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn only_readers_see_and_only_contributors_compare(backend: Backend) {
    let Some((server, admin, public, ideas, casey)) = town(backend, &["Fountain"]).await else {
        return;
    };
    // One idea is not a pair.
    let path = format!("/api/v1/challenges/{public}/pairwise");
    let (status, next) = api(&server, &casey, "GET", &path, None).await;
    assert_eq!(
        (status, next["ideas"].as_i64(), pair_of(&next)),
        (StatusCode::OK, Some(1), None)
    );
    let page = visitor_page(&server, &format!("/challenges/{public}/pairwise")).await;
    assert!(
        page.contains("once at least two are gathering support"),
        "{page}"
    );
    // A visitor reads the ranking but answers nothing.
    let anonymous = client();
    let listed = anonymous
        .get(server.url(&format!("{path}/ranking")))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    for sent in [
        anonymous.get(server.url(&path)).send().await.unwrap(),
        anonymous
            .post(server.url(&path))
            .json(&json!({"first_idea_id": ideas[0], "second_idea_id": ideas[0], "pick": "first"}))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(sent.status(), StatusCode::UNAUTHORIZED);
    }
    challenge_idea(&server, &admin, "town", public, "Benches", true).await;
    let page = visitor_page(&server, &format!("/challenges/{public}/pairwise")).await;
    assert!(page.contains("to compare ideas"), "{page}");

    // An internal challenge is not found by a customer, nor by a visitor.
    create_space(&server, &admin, "Staff room", Audience::Internal).await;
    let internal = challenge_with_tiers(&server, &admin, "staff-room", "Rotas", "").await;
    let first = challenge_idea(&server, &admin, "staff-room", internal.id, "Swaps", true).await;
    let second = challenge_idea(&server, &admin, "staff-room", internal.id, "Shifts", true).await;
    let internal_path = format!("/api/v1/challenges/{}/pairwise", internal.id);
    let answer = json!({"first_idea_id": first, "second_idea_id": second, "pick": "first"});
    for (method, path, body) in [
        ("GET", internal_path.clone(), None),
        ("POST", internal_path.clone(), Some(answer)),
        ("GET", format!("{internal_path}/ranking"), None),
    ] {
        let (status, _) = api(&server, &casey, method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    for page in ["pairwise", "ranking"] {
        let response = anonymous
            .get(server.url(&format!("/challenges/{}/{page}", internal.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{page}");
    }
}
