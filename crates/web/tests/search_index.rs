//! The embedded search index across restarts, on both backends: changes committed while no
//! index followed them (a crash between a commit and its indexing) are found after a restart; a
//! damaged index, or one built from another database, is rebuilt rather than trusted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use cocreate_app::{Actor, Resolution, SearchStatus};
use cocreate_core::Audience;
use cocreate_store::ContentKind;
use cocreate_testkit::{Backend, ServerOptions, TestServer, spawn_with};
use common::*;
use serde_json::Value;

on_both_backends!(
    the_index_catches_up_after_a_crash_and_rebuilds_when_it_must,
    readyz_says_who_answers_searches_and_both_find_the_same,
);

async fn server_on(
    backend: Backend,
    database_url: Option<String>,
    search_dir: &Path,
) -> Option<TestServer> {
    spawn_with(
        backend,
        ServerOptions {
            database_url,
            search_dir: Some(search_dir.to_owned()),
            ..ServerOptions::default()
        },
    )
    .await
}

/// Titles of the ideas an anonymous visitor finds for `q`, best first.
async fn found(server: &TestServer, q: &str) -> Vec<String> {
    let hits: Value = client()
        .get(server.url(&format!("/api/v1/search?q={q}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    hits.as_array()
        .unwrap_or_else(|| panic!("{hits}"))
        .iter()
        .map(|hit| hit["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn admin_with_space(server: &TestServer) -> Actor {
    let (admin, _) = org_admin(server).await;
    create_space(server, &admin, "Ideas", Audience::Public).await;
    admin
}

/// Flips a byte in the middle of every file of the index.
fn damage(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        if let Some(byte) = bytes.get_mut(middle) {
            *byte ^= 0xff;
            std::fs::write(&path, bytes).unwrap();
        }
    }
}

async fn the_index_catches_up_after_a_crash_and_rebuilds_when_it_must(backend: Backend) {
    let index_dir = tempfile::tempdir().unwrap();
    let Some(first) = server_on(backend, None, index_dir.path()).await else {
        return;
    };
    let database_url = first.database_url.clone();
    let admin = admin_with_space(&first).await;
    let lantern = published_idea(&first, &admin, "ideas", "Solar lantern", "Lights a tent.").await;
    assert_eq!(found(&first, "solar").await, ["Solar lantern"]);
    first.stop().await;

    // Another process commits while this index follows nothing: as if its own process had
    // committed and died before indexing.
    let other_index = tempfile::tempdir().unwrap();
    let other = server_on(backend, Some(database_url.clone()), other_index.path())
        .await
        .unwrap();
    let (admin, _) = org_admin_again(&other).await;
    published_idea(
        &other,
        &admin,
        "ideas",
        "Solar stove",
        "Cooks with sunlight.",
    )
    .await;
    other
        .app
        .moderate(
            &admin,
            ContentKind::Idea,
            lantern.id,
            Resolution::Hide,
            "Spam",
        )
        .await
        .unwrap();
    other.stop().await;

    let restarted = server_on(backend, Some(database_url.clone()), index_dir.path())
        .await
        .unwrap();
    assert_eq!(
        found(&restarted, "solar").await,
        ["Solar stove"],
        "the new idea is found and the hidden one is not"
    );
    restarted.stop().await;

    damage(index_dir.path());
    let repaired = server_on(backend, Some(database_url.clone()), index_dir.path())
        .await
        .unwrap();
    assert_eq!(found(&repaired, "stove").await, ["Solar stove"]);
    repaired.stop().await;

    // The same directory on another database (an import into a fresh one, say): its ids mean
    // other ideas there, so the index is rebuilt, not caught up.
    let elsewhere = server_on(backend, None, index_dir.path()).await.unwrap();
    let admin = admin_with_space(&elsewhere).await;
    published_idea(&elsewhere, &admin, "ideas", "Tea kettle", "Boils water.").await;
    published_idea(&elsewhere, &admin, "ideas", "Cup holder", "Holds a cup.").await;
    assert!(found(&elsewhere, "stove").await.is_empty());
    assert_eq!(found(&elsewhere, "kettle").await, ["Tea kettle"]);
    elsewhere.stop().await;
}

async fn readiness(server: &TestServer) -> String {
    let response = client().get(server.url("/readyz")).send().await.unwrap();
    response.text().await.unwrap()
}

/// The admin account of a server restarted on an existing database.
async fn org_admin_again(server: &TestServer) -> (Actor, ()) {
    let account = server
        .store
        .account_by_email("admin@example.org")
        .await
        .unwrap()
        .unwrap();
    (Actor::from_account(&account, None), ())
}

async fn readyz_says_who_answers_searches_and_both_find_the_same(backend: Backend) {
    let index_dir = tempfile::tempdir().unwrap();
    let Some(server) = server_on(backend, None, index_dir.path()).await else {
        return;
    };
    let ready = readiness(&server).await;
    assert_eq!(ready, "ready\nsearch: index\n");
    assert_eq!(server.app.search_status(), SearchStatus::Ready);
    let admin = admin_with_space(&server).await;
    published_idea(&server, &admin, "ideas", "Solar lantern", "Lights a tent.").await;
    published_idea(
        &server,
        &admin,
        "ideas",
        "Lantern hook",
        "Hangs a solar lantern.",
    )
    .await;
    // Found at once: a search waits for the index to apply what was committed before it.
    let by_index = found(&server, "solar+lantern").await;
    assert_eq!(by_index.len(), 2);
    let database_url = server.database_url.clone();
    server.stop().await;

    // A process without an index answers from the database's own full-text search, and says so.
    let unindexed = spawn_with(
        backend,
        ServerOptions {
            database_url: Some(database_url),
            without_search_index: true,
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap();
    let ready = readiness(&unindexed).await;
    assert_eq!(
        ready,
        "ready\nsearch: database (no index in this process)\n"
    );
    assert_eq!(found(&unindexed, "solar+lantern").await, by_index);
    unindexed.stop().await;
}
