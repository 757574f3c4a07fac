//! Upgrading a database that holds a discussion: migration 0013 rebuilds `comments` and `flags`
//! (SQLite cannot relax NOT NULL in place). Every row, link and search entry must come through.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;

use cocreate_store::prelude::*;
use cocreate_store::{ContentKind, SearchQuery, Subject};
use cocreate_store_sqlite::SqliteStore;
use sqlx::sqlite::SqlitePoolOptions;

#[tokio::test]
async fn upgrading_keeps_every_comment_flag_and_notification() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/upgrade.db?mode=rwc", dir.path().display());

    // The schema as it was before comments could belong to challenges, with a discussion in it.
    let pool = SqlitePoolOptions::new().connect(&url).await.unwrap();
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = Cow::Owned(
        before
            .migrations
            .iter()
            .filter(|m| m.version < 13)
            .cloned()
            .collect(),
    );
    before.run(&pool).await.unwrap();
    for statement in [
        "INSERT INTO accounts (id, email, name, password_hash, kind, role, created_at) VALUES (1, 'ada@example.org', 'Ada', 'x', 'customer', 'member', 0)",
        "INSERT INTO spaces (id, slug, name, audience, created_by, created_at) VALUES (1, 'ideas', 'Ideas', 'public', 1, 0)",
        "INSERT INTO ideas (id, space_id, title, body, body_html, author_id, stage, tiers, created_at, updated_at, comments) VALUES (1, 1, 'Lantern', 'Light', 'Light', 1, 'gathering_support', '100/60', 0, 0, 2)",
        "INSERT INTO comments (id, idea_id, parent_id, depth, author_id, body, body_html, created_at) VALUES (1, 1, NULL, 0, 1, 'Brighter please', 'b', 0), (2, 1, 1, 1, 1, 'Solar bananas', 's', 1)",
        "INSERT INTO notifications (account_id, idea_id, comment_id, text, created_at) VALUES (1, 1, 2, 'Ada commented', 1)",
        "INSERT INTO flags (target_kind, target_id, space_id, idea_id, reporter_id, reason, created_at) VALUES ('comment', 2, 1, 1, 1, 'spam', 1)",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = SqliteStore::connect(&url).await.unwrap();
    let thread = store.comments(Subject::Idea(1)).await.unwrap();
    assert_eq!(
        thread
            .iter()
            .map(|c| (c.id, c.parent_id, c.body.as_str(), c.author_handle.as_str()))
            .collect::<Vec<_>>(),
        [
            (1, None, "Brighter please", "member-1"),
            (2, Some(1), "Solar bananas", "member-1")
        ]
    );
    let flags = store.open_flags(&[1], 10).await.unwrap();
    assert_eq!(
        (flags[0].target_kind, flags[0].subject),
        (ContentKind::Comment, Subject::Idea(1))
    );
    let notes = store.notifications(1, i64::MAX, 10).await.unwrap();
    assert_eq!((notes[0].idea_id, notes[0].comment_id), (Some(1), Some(2)));
    let found = store
        .search_comments(&SearchQuery {
            space_ids: vec![1],
            terms: vec!["bananas".to_owned()],
            any: false,
            drafter: None,
            challenge_id: None,
            stage: None,
            tag: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "the search index still points at the rows");
    assert_eq!(store.miscounted_ideas().await.unwrap(), 0);
    store.integrity_check().await.unwrap();

    // New comments continue the numbering and keep foreign keys enforced.
    let mut tx = store.begin().await.unwrap();
    let orphan = tx
        .insert_comment(&cocreate_store::NewComment {
            subject: Subject::Idea(99),
            parent_id: None,
            depth: 0,
            author_id: 1,
            body: "Nowhere",
            body_html: "n",
            official: false,
            created_at: cocreate_core::Timestamp(2),
        })
        .await;
    assert!(orphan.is_err(), "a comment on a missing idea is refused");
}
