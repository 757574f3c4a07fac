//! Themes on both backends: a space's ideas and comments grouped by what they are about, with
//! size, trend and sentiment; staff's names, pins and merges kept when the themes are computed
//! again; bad input refused by field; only staff seeing any of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeSet, HashMap};

use cocreate_core::Audience;
use cocreate_store::Subject;
use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    themes_group_what_people_say_and_keep_staff_edits_across_computations,
    only_staff_see_themes_and_bad_edits_are_refused,
    merges_made_while_the_themes_are_computed_stay,
);

const TENTS: [&str; 6] = [
    "A lighter tent with carbon poles",
    "Tent poles that fold shorter for the tent bag",
    "Tent pegs that hold the tent in sand",
    "A tent that pitches in one minute",
    "Repair kit for tent fabric and tent poles",
    "Tent with a second door and shorter poles",
];
const BIKES: [&str; 6] = [
    "Bike racks at the station for every bike",
    "Protected bike lanes on the high street",
    "Bike lanes to the school",
    "Covered bike parking by the library",
    "Bike repair stand near the bike lanes",
    "Secure bike parking at the station",
];
const MARKET: [&str; 6] = [
    "Farmers market with fresh bread",
    "Fresh vegetables at the Saturday market",
    "Market stalls for bakers and fresh bread",
    "Fresh fish at the market",
    "A bread and cheese market on Sundays",
    "Market with fresh fruit and vegetables",
];

async fn themes_of(server: &TestServer, token: &str, space: &str) -> Value {
    let (status, body) = api(
        server,
        token,
        "GET",
        &format!("/api/v1/spaces/{space}/themes"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn theme_detail(server: &TestServer, token: &str, id: i64) -> Value {
    let (status, detail) = api(server, token, "GET", &format!("/api/v1/themes/{id}"), None).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    detail
}

async fn space_id(server: &TestServer, slug: &str) -> i64 {
    server.store.space_by_slug(slug).await.unwrap().unwrap().id
}

/// The subject (0 tents, 1 bikes, 2 market) of each theme's texts, by theme id.
async fn subjects(
    server: &TestServer,
    token: &str,
    themes: &Value,
    subject_of: &HashMap<i64, usize>,
) -> HashMap<i64, BTreeSet<usize>> {
    let mut found = HashMap::new();
    for theme in themes["themes"].as_array().unwrap() {
        let id = theme["id"].as_i64().unwrap();
        let detail = theme_detail(server, token, id).await;
        let texts = detail["texts"].as_array().unwrap();
        assert_eq!(
            texts.len() as i64,
            theme["items"].as_i64().unwrap(),
            "{detail}"
        );
        found.insert(
            id,
            texts
                .iter()
                .map(|text| subject_of[&text["idea_id"].as_i64().unwrap()])
                .collect(),
        );
    }
    found
}

/// A space "town" with six ideas on each of three subjects, by Casey.
struct Town {
    admin: cocreate_app::Actor,
    token: String,
    casey: cocreate_app::Actor,
    /// Each idea's subject: 0 tents, 1 bikes, 2 market.
    subject_of: HashMap<i64, usize>,
    id: i64,
}

async fn town_of_three_subjects(server: &TestServer) -> Town {
    let (admin, token) = org_admin(server).await;
    create_space(server, &admin, "Town", Audience::Public).await;
    let (casey, _) = customer(server, "casey@example.org").await;
    let mut subject_of = HashMap::new();
    for (subject, texts) in [TENTS, BIKES, MARKET].iter().enumerate() {
        for text in texts {
            let idea = published_idea(server, &casey, "town", text, text).await;
            subject_of.insert(idea.id, subject);
        }
    }
    let id = space_id(server, "town").await;
    Town {
        admin,
        token,
        casey,
        subject_of,
        id,
    }
}

async fn themes_group_what_people_say_and_keep_staff_edits_across_computations(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let Town {
        admin,
        token,
        casey,
        mut subject_of,
        id: town,
    } = town_of_three_subjects(&server).await;
    let run = server.app.refresh_themes(town).await.unwrap();
    assert_eq!((run.texts, run.themed, run.note), (18, 18, None));

    let themes = themes_of(&server, &token, "town").await;
    assert!(
        themes["computed_at"].is_string() && themes["themed"] == 18,
        "{themes}"
    );
    let grouped = subjects(&server, &token, &themes, &subject_of).await;
    assert!(grouped.len() >= 3, "{themes}");
    for (id, subjects) in &grouped {
        assert_eq!(subjects.len(), 1, "theme {id} mixes subjects: {themes}");
    }
    for theme in themes["themes"].as_array().unwrap() {
        // All written just now: rising from nothing.
        assert_eq!(theme["recent"], theme["items"], "{theme}");
        assert_eq!(
            (theme["earlier"].as_i64(), theme["trend"].as_str()),
            (Some(0), Some("rising"))
        );
        assert!(
            !theme["terms"].as_array().unwrap().is_empty()
                && !theme["representative"].as_str().unwrap().is_empty()
        );
    }
    let theme_of = |subject: usize| {
        *grouped
            .iter()
            .filter(|(_, subjects)| subjects.contains(&subject))
            .map(|(id, _)| id)
            .min()
            .unwrap()
    };
    let (tents, bikes, market) = (theme_of(0), theme_of(1), theme_of(2));

    // Staff name and pin the bikes, and merge the market into the tents.
    let (status, named) = api(
        &server,
        &token,
        "PATCH",
        &format!("/api/v1/themes/{bikes}"),
        Some(json!({"label": "Cycling", "pinned": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{named}");
    assert_eq!(
        (named["name"].as_str(), named["pinned"].as_bool()),
        (Some("Cycling"), Some(true))
    );
    let before_merge = themes_of(&server, &token, "town").await;
    let items_of = |themes: &Value, id: i64| {
        themes["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .map(|t| t["items"].as_i64().unwrap())
    };
    let expected =
        items_of(&before_merge, tents).unwrap() + items_of(&before_merge, market).unwrap();
    // The market's name goes with its texts into the tents, which have none.
    let (status, _) = api(
        &server,
        &token,
        "PATCH",
        &format!("/api/v1/themes/{market}"),
        Some(json!({"label": "Market stalls"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, kept) = api(
        &server,
        &token,
        "POST",
        &format!("/api/v1/themes/{market}/merge"),
        Some(json!({"into_theme_id": tents})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    assert_eq!(
        (
            kept["id"].as_i64(),
            kept["items"].as_i64(),
            kept["name"].as_str()
        ),
        (Some(tents), Some(expected), Some("Market stalls"))
    );
    let (status, _) = api(
        &server,
        &token,
        "GET",
        &format!("/api/v1/themes/{market}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A month later, new ideas on bikes; computed again: the name, the pin and the merge stay.
    server.clock.advance_minutes(31 * 24 * 60);
    for text in [
        "Bike lanes along the river",
        "Bike parking at the market square station",
    ] {
        let idea = published_idea(&server, &casey, "town", text, text).await;
        subject_of.insert(idea.id, 1);
    }
    let comment = server
        .app
        .add_comment(
            &casey,
            Subject::Idea(*subject_of.keys().next().unwrap()),
            None,
            "Love it, brilliant!",
            false,
        )
        .await
        .unwrap();
    assert!(comment.id > 0);
    server.app.refresh_themes(town).await.unwrap();
    let again = themes_of(&server, &token, "town").await;
    let first = &again["themes"][0];
    assert_eq!(
        (
            first["id"].as_i64(),
            first["name"].as_str(),
            first["pinned"].as_bool()
        ),
        (Some(bikes), Some("Cycling"), Some(true)),
        "{again}"
    );
    assert_eq!(
        (first["recent"].as_i64(), first["earlier"].as_i64()),
        (Some(2), Some(first["items"].as_i64().unwrap() - 2))
    );
    let regrouped = subjects(&server, &token, &again, &subject_of).await;
    assert_eq!(regrouped[&bikes], BTreeSet::from([1]), "{again}");
    assert!(
        regrouped[&tents].contains(&0) && regrouped[&tents].contains(&2),
        "{again}"
    );
    assert!(!regrouped.contains_key(&market));

    // A text hidden by the moderators leaves the theme's page and its representative at once.
    let detail = theme_detail(&server, &token, bikes).await;
    let closest = detail["texts"][0]["idea_id"].as_i64().unwrap();
    assert!(
        !detail["theme"]["representative"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    server
        .app
        .moderate(
            &admin,
            cocreate_store::ContentKind::Idea,
            closest,
            cocreate_app::Resolution::Hide,
            "Off-topic.",
        )
        .await
        .unwrap();
    let hidden = theme_detail(&server, &token, bikes).await;
    assert_eq!(hidden["theme"]["representative"], "", "{hidden}");
    assert!(
        hidden["texts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|text| text["idea_id"] != closest),
        "{hidden}"
    );

    // The pages and the dashboard show them.
    let staff = staff_browser(&server).await;
    let page = read_page(&staff, server.url("/spaces/town/themes")).await;
    for text in [
        "Cycling",
        "Pinned",
        "falling: 2 in the last 30 days, 6 in the 30 before",
        &format!("href=\"/themes/{tents}\""),
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    let renamed = post_form(
        &staff,
        server.url(&format!("/themes/{tents}")),
        &[("label", "Outdoors and food")],
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    let theme_page = read_page(&staff, server.url(location(&renamed))).await;
    assert!(
        theme_page.contains("Outdoors and food") && theme_page.contains("A lighter tent"),
        "{theme_page}"
    );
    let dashboard = read_page(&staff, server.url("/spaces/town/dashboard")).await;
    assert!(
        dashboard.contains("Top themes")
            && dashboard.contains("Cycling")
            && dashboard.contains("Outdoors and food"),
        "{dashboard}"
    );
}

async fn only_staff_see_themes_and_bad_edits_are_refused(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (admin, token) = org_admin(&server).await;
    create_space(&server, &admin, "Town", Audience::Public).await;
    create_space(&server, &admin, "Lake", Audience::Public).await;
    let (casey, casey_token) = customer(&server, "casey@example.org").await;
    for (space, texts) in [("town", BIKES), ("lake", MARKET)] {
        for text in texts.iter().chain(&TENTS) {
            published_idea(&server, &casey, space, text, text).await;
        }
        server
            .app
            .refresh_themes(space_id(&server, space).await)
            .await
            .unwrap();
    }
    let town = themes_of(&server, &token, "town").await;
    let lake = themes_of(&server, &token, "lake").await;
    let (one, two) = (
        town["themes"][0]["id"].as_i64().unwrap(),
        town["themes"][1]["id"].as_i64().unwrap(),
    );
    let elsewhere = lake["themes"][0]["id"].as_i64().unwrap();

    let path = "/api/v1/spaces/town/themes";
    assert_api_get(&server, Some(&casey_token), path, StatusCode::FORBIDDEN).await;
    assert_api_get(&server, None, path, StatusCode::UNAUTHORIZED).await;
    assert_api_get(
        &server,
        Some(&casey_token),
        &format!("/api/v1/themes/{one}"),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_api_get(
        &server,
        Some(&token),
        "/api/v1/themes/999999",
        StatusCode::NOT_FOUND,
    )
    .await;
    let member = staff_browser(&server).await;
    let refused = customer_page(&server)
        .await
        .get(server.url(&format!("/themes/{one}")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let merge = format!("/api/v1/themes/{one}/merge");
    assert_api_refusals(
        &server,
        &token,
        ("POST", &merge),
        vec![
            (json!({"into_theme_id": one}), 422, "into_theme_id"),
            (json!({"into_theme_id": elsewhere}), 422, "into_theme_id"),
            (json!({"into_theme_id": 999_999}), 422, "into_theme_id"),
        ],
    )
    .await;
    let edit = format!("/api/v1/themes/{two}");
    assert_api_refusals(
        &server,
        &token,
        ("PATCH", &edit),
        vec![(json!({"label": "x".repeat(81)}), 422, "label")],
    )
    .await;
    let (status, _) = api(
        &server,
        &casey_token,
        "PATCH",
        &edit,
        Some(json!({"label": "Mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The form says what was wrong, at the field.
    let too_long = post_form(
        &member,
        server.url(&format!("/themes/{two}")),
        &[("label", &"x".repeat(81))],
    )
    .await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_long
            .text()
            .await
            .unwrap()
            .contains("at most 80 characters")
    );
    // Nothing was changed by the refusals.
    assert_eq!(
        themes_of(&server, &token, "town").await["themes"],
        town["themes"]
    );

    // A space with too little to group says so, with no made-up themes.
    create_space(&server, &admin, "Quiet", Audience::Public).await;
    published_idea(&server, &casey, "quiet", "Parking", "Parking").await;
    // Never computed: the first look starts the job in the background.
    let first = themes_of(&server, &token, "quiet").await;
    assert_eq!(first["computed_at"], Value::Null, "{first}");
    let started = std::time::Instant::now();
    let quiet = loop {
        let quiet = themes_of(&server, &token, "quiet").await;
        if quiet["computed_at"].is_string() || started.elapsed().as_secs() > 10 {
            break quiet;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(
        quiet["note"]
            .as_str()
            .is_some_and(|note| note.contains("at least 8")),
        "{quiet}"
    );
    assert_eq!(
        (quiet["texts"].as_i64(), quiet["themed"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(quiet["themes"], json!([]));
    let page = read_page(&member, server.url("/spaces/quiet/themes")).await;
    assert!(page.contains("No themes yet"), "{page}");
}

async fn customer_page(server: &TestServer) -> reqwest::Client {
    account(
        server,
        "erin@example.org",
        cocreate_core::AccountKind::Customer,
        cocreate_core::OrgRole::Member,
    )
    .await
}

async fn merges_made_while_the_themes_are_computed_stay(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let Town {
        admin,
        token,
        subject_of,
        id: town,
        ..
    } = town_of_three_subjects(&server).await;
    server.app.refresh_themes(town).await.unwrap();
    let grouped = subjects(
        &server,
        &token,
        &themes_of(&server, &token, "town").await,
        &subject_of,
    )
    .await;
    let ids: Vec<i64> = {
        let mut ids: Vec<i64> = grouped.keys().copied().collect();
        ids.sort();
        ids
    };
    let (into, sources) = (ids[0], &ids[1..]);

    // Every other theme merged into the first at once, while the themes are computed again.
    let mut merges = tokio::task::JoinSet::new();
    for &from in sources {
        let (app, admin) = (std::sync::Arc::clone(&server.app), admin.clone());
        merges.spawn(async move { app.merge_theme(&admin, from, into).await });
    }
    let app = std::sync::Arc::clone(&server.app);
    let computed = tokio::spawn(async move { app.refresh_themes(town).await });
    for kept in merges.join_all().await {
        assert_eq!(kept.unwrap().id, into);
    }
    computed.await.unwrap().unwrap();
    let after = themes_of(&server, &token, "town").await;
    let regrouped = subjects(&server, &token, &after, &subject_of).await;
    assert_eq!(regrouped.len(), 1, "the merges were undone: {after}");
    assert_eq!(regrouped[&into], BTreeSet::from([0, 1, 2]));
    // And the next computation keeps them merged.
    server.app.refresh_themes(town).await.unwrap();
    let again = themes_of(&server, &token, "town").await;
    assert_eq!(again["themes"].as_array().unwrap().len(), 1, "{again}");
    assert_eq!(
        (
            again["themes"][0]["id"].as_i64(),
            again["themes"][0]["items"].as_i64()
        ),
        (Some(into), Some(18))
    );
}
