//! The staff dashboard on both backends: a space's weeks counted from what was written, the
//! stage funnel from the ideas' history, sentiment read from the week's texts (another language
//! marked, not scored), top contributors, the figures as charts, tables, CSV and JSON, kept for
//! five minutes, and only staff seeing any of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_core::{AccountKind, Audience, OrgRole, Stage};
use cocreate_insights::{SentimentTally, read_sentiment};
use cocreate_store::Subject;
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    the_dashboard_counts_the_weeks_and_reads_what_people_said,
    only_staff_see_a_dashboard_and_an_empty_space_has_no_made_up_figures,
    a_challenges_dashboard_counts_only_the_challenge,
);

const PRAISE: &str = "Love this! The market would be brilliant for the whole town.";
const COMPLAINT: &str = "The last market was a terrible mess, awful parking and angry neighbours.";
const FRENCH: &str = "J'adore cette idée, mais il faudrait aussi des places pour les vélos.";

async fn dashboard(server: &TestServer, token: &str, space: &str) -> Value {
    let (status, body) = api(
        server,
        token,
        "GET",
        &format!("/api/v1/spaces/{space}/dashboard"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn last_weeks(dashboard: &Value, n: usize) -> Vec<(i64, i64, i64)> {
    let weeks = dashboard["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12, "{dashboard}");
    weeks[weeks.len() - n..]
        .iter()
        .map(|week| {
            (
                week["ideas"].as_i64().unwrap(),
                week["comments"].as_i64().unwrap(),
                week["supports"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn the_dashboard_counts_the_weeks_and_reads_what_people_said(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Town", Audience::Public).await;
    create_space(&server, &admin, "Lake", Audience::Public).await;
    let (casey, _) = customer(&server, "casey@example.org").await;
    let (dana, _) = customer(&server, "dana@example.org").await;
    let road_title = "Widen Smallhouse Road";
    let road_body = "Three lanes from the junction with Campbell Lane to the bridge.";
    let road = published_idea(&server, &casey, "town", road_title, road_body).await;
    // Another space's activity is not this one's.
    let elsewhere = published_idea(&server, &casey, "lake", "A jetty", "For rowing boats.").await;
    server.app.support(&dana, elsewhere.id).await.unwrap();

    server.clock.advance_minutes(8 * 24 * 60);
    let market_title = "A farmers market by the library";
    let market_body = "On Saturdays, a short walk from the bus station.";
    let market = published_idea(&server, &casey, "town", market_title, market_body).await;
    let mut comments = Vec::new();
    // The complaint is on a challenge of the space, the rest on the idea.
    let challenge = challenge_with_tiers(&server, &admin, "town", "Market days", "2/30").await;
    for (text, subject) in [
        (PRAISE, Subject::Idea(market.id)),
        (COMPLAINT, Subject::Challenge(challenge.id)),
        (FRENCH, Subject::Idea(market.id)),
    ] {
        let comment = server
            .app
            .add_comment(&dana, subject, None, text, false)
            .await
            .unwrap();
        comments.push(comment.id);
    }
    for n in 0..3 {
        let (fan, _) = customer(&server, &format!("fan{n}@example.org")).await;
        server.app.support(&fan, market.id).await.unwrap();
    }
    server
        .app
        .move_idea(
            &admin,
            road.id,
            Stage::Review,
            "Enough support to look at it closely.",
        )
        .await
        .unwrap();

    let figures = dashboard(&server, &admin_token, "town").await;
    assert_eq!(figures["space"], "town");
    // The road eight days ago, in the week before last; the rest in the last week.
    assert_eq!(
        last_weeks(&figures, 3),
        vec![(0, 0, 0), (1, 0, 0), (1, 3, 3)],
        "{figures}"
    );
    let early: i64 = figures["weeks"].as_array().unwrap()[..9]
        .iter()
        .map(|week| week["ideas"].as_i64().unwrap() + week["supports"].as_i64().unwrap())
        .sum();
    assert_eq!(early, 0);

    // Sentiment: exactly the texts of each week, read as the insights crate reads them.
    let mut expected = SentimentTally::default();
    for text in [
        format!("{market_title}\n{market_body}"),
        PRAISE.to_owned(),
        COMPLAINT.to_owned(),
        FRENCH.to_owned(),
    ] {
        expected.add(read_sentiment(&text));
    }
    let last = &figures["weeks"][11]["sentiment"];
    assert_eq!(
        (
            last["positive"].as_u64(),
            last["neutral"].as_u64(),
            last["negative"].as_u64(),
            last["other_language"].as_u64()
        ),
        (
            Some(expected.positive),
            Some(expected.neutral),
            Some(expected.negative),
            Some(1)
        ),
        "{figures}"
    );
    assert!(expected.positive >= 1 && expected.negative >= 1);
    let mean = last["mean"].as_f64().unwrap();
    assert!((mean - expected.mean().unwrap()).abs() < 1e-9, "{last}");
    assert_eq!(figures["weeks"][0]["sentiment"]["mean"], Value::Null);
    assert_eq!(figures["most_negative"][0]["id"], comments[1]);
    assert_eq!(figures["most_negative"][0]["kind"], "comment");
    assert_eq!(figures["most_positive"][0]["id"], comments[0]);

    // The funnel from the ideas' history: both published, one in review.
    let funnel: Vec<(String, i64)> = figures["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            (
                step["stage"].as_str().unwrap().to_owned(),
                step["ideas"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        funnel,
        [
            ("gathering_support", 2),
            ("in_review", 1),
            ("accepted", 0),
            ("launched", 0)
        ]
        .map(|(stage, ideas)| (stage.to_owned(), ideas))
    );
    assert_eq!(figures["funnel"][0]["conversion"], Value::Null);
    assert_eq!(figures["funnel"][1]["conversion"].as_f64(), Some(0.5));
    assert_eq!(figures["funnel"][3]["conversion"], Value::Null);

    // Dana wrote three comments, Casey two ideas here (the jetty is another space's).
    let contributors: Vec<(String, i64, i64)> = figures["contributors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|person| {
            (
                person["name"].as_str().unwrap().to_owned(),
                person["ideas"].as_i64().unwrap(),
                person["comments"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(contributors.len(), 2, "{figures}");
    assert_eq!((contributors[0].1, contributors[0].2), (0, 3));
    assert_eq!((contributors[1].1, contributors[1].2), (2, 0));

    // The figures are kept for five minutes, then computed afresh.
    published_idea(
        &server,
        &casey,
        "town",
        "Benches on the green",
        "Four of them.",
    )
    .await;
    let kept = dashboard(&server, &admin_token, "town").await;
    assert_eq!(kept["computed_at"], figures["computed_at"]);
    assert_eq!(last_weeks(&kept, 1), vec![(1, 3, 3)]);
    server.clock.advance_minutes(5);
    let fresh = dashboard(&server, &admin_token, "town").await;
    assert_ne!(fresh["computed_at"], figures["computed_at"]);
    assert_eq!(last_weeks(&fresh, 1), vec![(2, 3, 3)]);

    // The page: three charts, each with its table and CSV link; the texts link to where they were written.
    let staff = staff_browser(&server).await;
    let page = read_page(&staff, server.url("/spaces/town/dashboard")).await;
    assert_eq!(page.matches("<svg role=\"img\"").count(), 3, "{page}");
    for text in [
        "Activity per week",
        "Ideas that reached each stage",
        "Sentiment per week",
        "Top contributors",
        "/spaces/town/dashboard/activity.csv",
        "/spaces/town/dashboard/contributors.csv",
        &format!("/challenges/{}#comment-{}", challenge.id, comments[1]),
        &format!("/ideas/{}#comment-{}", market.id, comments[0]),
        "terrible mess",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    let csv = staff
        .get(server.url("/spaces/town/dashboard/activity.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Week from,Ideas,Comments,Supports");
    assert_eq!(lines.len(), 13, "{csv}");
    assert!(lines[12].ends_with(",2,3,3"), "{csv}");
    let funnel_csv = read_page(&staff, server.url("/spaces/town/dashboard/funnel.csv")).await;
    assert!(funnel_csv.contains("In review,1,33%"), "{funnel_csv}");
    let missing = staff
        .get(server.url("/spaces/town/dashboard/secrets.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn only_staff_see_a_dashboard_and_an_empty_space_has_no_made_up_figures(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Quiet", Audience::Public).await;
    let (_, customer_token) = customer(&server, "casey@example.org").await;
    let path = "/api/v1/spaces/quiet/dashboard";
    assert_api_get(&server, Some(&customer_token), path, StatusCode::FORBIDDEN).await;
    assert_api_get(&server, None, path, StatusCode::UNAUTHORIZED).await;
    let nowhere = "/api/v1/spaces/nowhere/dashboard";
    assert_api_get(&server, Some(&admin_token), nowhere, StatusCode::NOT_FOUND).await;
    let member = account(
        &server,
        "erin@example.org",
        AccountKind::Customer,
        OrgRole::Member,
    )
    .await;
    for path in [
        "/spaces/quiet/dashboard",
        "/spaces/quiet/dashboard/activity.csv",
    ] {
        let refused = member.get(server.url(path)).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
    }

    let figures = dashboard(&server, &admin_token, "quiet").await;
    assert!(
        last_weeks(&figures, 12)
            .iter()
            .all(|week| *week == (0, 0, 0))
    );
    assert!(
        figures["weeks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|week| week["sentiment"]["mean"].is_null())
    );
    assert!(
        figures["funnel"]
            .as_array()
            .unwrap()
            .iter()
            .all(|step| step["ideas"] == 0 && step["conversion"].is_null())
    );
    assert_eq!(figures["contributors"].as_array().unwrap().len(), 0);
    let staff = staff_browser(&server).await;
    let page = read_page(&staff, server.url("/spaces/quiet/dashboard")).await;
    assert_eq!(page.matches("<svg role=\"img\"").count(), 3, "{page}");
    for text in [
        "Nobody wrote an idea or a comment",
        "mean –",
        "No recent idea or comment",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    assert!(!page.contains("NaN"), "{page}");
}

async fn a_challenges_dashboard_counts_only_the_challenge(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, admin_token) = org_admin(&server).await;
    create_space(&server, &admin, "Town", Audience::Public).await;
    let (casey, casey_token) = customer(&server, "casey@example.org").await;
    let challenge = challenge_with_tiers(&server, &admin, "town", "Market days", "2/30").await;
    let inside = cocreate_app::IdeaInput {
        title: "Stalls for local bakers",
        body: "Fresh bread every Saturday.",
        tags: "",
        challenge_id: Some(challenge.id),
        publish: true,
    };
    let inside = server
        .app
        .propose_idea(&casey, "town", &inside)
        .await
        .unwrap();
    let outside = published_idea(&server, &casey, "town", "Benches", "On the green.").await;
    for (subject, text) in [
        (Subject::Idea(inside.id), PRAISE),
        (Subject::Challenge(challenge.id), COMPLAINT),
        (Subject::Idea(outside.id), "Not part of the challenge."),
    ] {
        server
            .app
            .add_comment(&casey, subject, None, text, false)
            .await
            .unwrap();
    }
    server.app.support(&admin, inside.id).await.unwrap();
    server.app.support(&admin, outside.id).await.unwrap();

    let path = format!("/api/v1/challenges/{}/dashboard", challenge.id);
    let (status, figures) = api(&server, &admin_token, "GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(figures["challenge_id"], challenge.id);
    assert_eq!(last_weeks(&figures, 1), vec![(1, 2, 1)], "{figures}");
    assert_eq!(figures["funnel"][0]["ideas"], 1);
    assert_eq!(figures["themes"], serde_json::json!([]));
    assert_eq!(figures["most_negative"][0]["kind"], "comment");
    // The space's dashboard counts both ideas.
    let space = dashboard(&server, &admin_token, "town").await;
    assert_eq!(last_weeks(&space, 1), vec![(2, 3, 2)], "{space}");

    assert_api_get(&server, Some(&casey_token), &path, StatusCode::FORBIDDEN).await;
    assert_api_get(&server, None, &path, StatusCode::UNAUTHORIZED).await;
    assert_api_get(
        &server,
        Some(&admin_token),
        "/api/v1/challenges/999999/dashboard",
        StatusCode::NOT_FOUND,
    )
    .await;

    let staff = staff_browser(&server).await;
    let page = read_page(
        &staff,
        server.url(&format!("/challenges/{}/dashboard", challenge.id)),
    )
    .await;
    for text in [
        "Dashboard: Market days",
        "Opinion map",
        "No opinion groups yet",
        "Themes are found for a whole space",
        &format!("/challenges/{}/dashboard/activity.csv", challenge.id),
        &format!("/challenges/{}#comment-", challenge.id),
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    assert_eq!(page.matches("<svg role=\"img\"").count(), 3, "{page}");
    let csv = read_page(
        &staff,
        server.url(&format!(
            "/challenges/{}/dashboard/activity.csv",
            challenge.id
        )),
    )
    .await;
    assert!(csv.lines().last().unwrap().ends_with(",1,2,1"), "{csv}");
    let challenge_page =
        read_page(&staff, server.url(&format!("/challenges/{}", challenge.id))).await;
    assert!(challenge_page.contains(&format!("href=\"/challenges/{}/dashboard\"", challenge.id)));
}
