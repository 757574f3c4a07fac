//! A database written before the search vectors moved to tables of their own (migration 15) is
//! brought up to date with every row still found by search, and later edits keep it in step; the
//! per-table triggers of migration 16 write the same vectors as the shared one of 15; migration 18
//! sets the upkeep of `ideas`.

#![allow(clippy::unwrap_used)]

use cocreate_core::Timestamp;
use cocreate_store::conformance::word_search;
use cocreate_store::prelude::*;
use cocreate_store::{IdeaText, SupporterCount};
use cocreate_store_postgres::PostgresStore;
use cocreate_testkit::fresh_postgres_url;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

const BEFORE_SEARCH_TABLES: i64 = 14;
const SHARED_SEARCH_TRIGGER: i64 = 15;

/// A new database migrated up to `version`, holding an account, a space, a challenge, an idea and
/// a comment written with that version's schema.
async fn seeded_at(version: i64) -> Option<(String, PgPool)> {
    let url = fresh_postgres_url().await?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    sqlx::migrate!("./migrations")
        .run_to(version, &pool)
        .await
        .unwrap();
    for statement in [
        "INSERT INTO accounts (id, email, name, password_hash, kind, role, created_at, handle) \
         VALUES (1, 'ada@example.org', 'Ada', 'x', 'customer', 'admin', 0, 'ada')",
        "INSERT INTO spaces (id, slug, name, audience, created_by, created_at) \
         VALUES (1, 'outdoors', 'Outdoors', 'public', 1, 0)",
        "INSERT INTO challenges (id, space_id, title, problem, problem_html, tiers, created_by, created_at) \
         VALUES (1, 1, 'Warmer nights', 'Sleeping bags are heavy', '', '[]', 1, 0)",
        "INSERT INTO ideas (id, space_id, title, body, body_html, author_id, stage, tiers, created_at, updated_at) \
         VALUES (1, 1, 'Lighter tents', 'Carbon poles weigh less', '', 1, 'gathering_support', '[]', 0, 0)",
        "INSERT INTO comments (id, idea_id, depth, author_id, body, body_html, created_at) \
         VALUES (1, 1, 0, 1, 'Titanium pegs too', '', 0)",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    Some((url, pool))
}

#[tokio::test]
async fn search_survives_the_move_of_its_vectors() {
    let Some((url, pool)) = seeded_at(BEFORE_SEARCH_TABLES).await else {
        return;
    };

    let store = PostgresStore::connect(&url).await.unwrap();
    let found = |hits: Vec<i64>| hits == [1];
    let ideas = |word: &'static str| {
        let store = &store;
        async move {
            store
                .search_ideas(&word_search(1, word))
                .await
                .unwrap()
                .into_iter()
                .map(|hit| hit.idea.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(found(ideas("carbon").await));
    let comments = store
        .search_comments(&word_search(1, "titanium"))
        .await
        .unwrap();
    assert_eq!(
        comments
            .iter()
            .map(|hit| hit.comment_id)
            .collect::<Vec<_>>(),
        [1]
    );
    let challenges = store
        .search_challenges(&word_search(1, "sleeping"))
        .await
        .unwrap();
    assert_eq!(
        challenges
            .iter()
            .map(|hit| hit.challenge.id)
            .collect::<Vec<_>>(),
        [1]
    );

    // A support rewrites the idea's counters and leaves its vector's row alone; an edit
    // reindexes it.
    let vector_version = || async {
        sqlx::query_scalar::<_, String>("SELECT xmin::text FROM ideas_search WHERE id = 1")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = vector_version().await;
    let mut tx = store.begin().await.unwrap();
    let locked = tx.lock_ideas(&[1]).await.unwrap();
    let gained = tx.add_supports(&[(1, 1)], Timestamp(1)).await.unwrap();
    assert_eq!(gained, [(1, 1)]);
    let count = SupporterCount {
        idea_id: 1,
        supporters: locked[0].supporters + 1,
        hot: 5,
        trending: 1,
    };
    tx.set_supporters(&[count], Timestamp(1)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(vector_version().await, before);
    let mut tx = store.begin().await.unwrap();
    tx.edit_idea(
        1,
        1,
        &IdeaText {
            title: "Lighter tents",
            body: "Aluminium poles weigh less",
            body_html: "",
            tags: "",
        },
        Timestamp(2),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(ideas("carbon").await.is_empty());
    assert!(found(ideas("aluminium").await));
    assert_ne!(vector_version().await, before);
}

/// Migration 16's per-table trigger functions write the same vectors as migration 15's shared
/// one: rows indexed before it and indexed again after it carry equal vectors.
#[tokio::test]
async fn per_table_search_triggers_write_the_same_vectors() {
    let Some((_, pool)) = seeded_at(SHARED_SEARCH_TRIGGER).await else {
        return;
    };
    let vectors = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT search::text FROM ideas_search UNION ALL SELECT search::text FROM comments_search \
             UNION ALL SELECT search::text FROM challenges_search",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let before = vectors().await;
    assert_eq!(before.len(), 3);
    assert!(
        before[0].contains(":1A"),
        "titles are weighted A: {}",
        before[0]
    );

    // Forget every vector, then have the new triggers write them again.
    sqlx::migrate!("./migrations").run(&pool).await.unwrap();
    for statement in [
        "DELETE FROM ideas_search",
        "DELETE FROM comments_search",
        "DELETE FROM challenges_search",
        "UPDATE ideas SET title = title, body = body",
        "UPDATE comments SET body = body",
        "UPDATE challenges SET title = title, problem = problem",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    assert_eq!(vectors().await, before);
}

/// Migration 18: `ideas`, rewritten by every support and comment, is vacuumed in smaller passes,
/// analyzed less often, and analyzed without the free text no query filters on.
#[tokio::test]
async fn ideas_are_vacuumed_often_and_analyzed_without_their_text() {
    let Some((_, pool)) = seeded_at(SHARED_SEARCH_TRIGGER).await else {
        return;
    };
    sqlx::migrate!("./migrations").run(&pool).await.unwrap();
    let options: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(reloptions) FROM pg_class WHERE relname = 'ideas' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        options,
        [
            "autovacuum_analyze_scale_factor=0.5",
            "autovacuum_vacuum_scale_factor=0.05"
        ]
    );
    sqlx::query("ANALYZE ideas").execute(&pool).await.unwrap();
    let analyzed: Vec<String> = sqlx::query_scalar(
        "SELECT attname::text FROM pg_stats WHERE tablename = 'ideas' \
         AND attname IN ('title', 'body', 'body_html', 'stage', 'tags') ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(analyzed, ["stage", "tags"]);
}
