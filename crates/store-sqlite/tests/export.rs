//! An export must carry every stored table and column: one that a migration adds without
//! telling the export is refused, not silently left out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cocreate_store::{Store, StoreError};
use cocreate_store_sqlite::SqliteStore;
use sqlx::sqlite::SqlitePoolOptions;

async fn export_error_after(statement: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/export.db?mode=rwc", dir.path().display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.export_tables().await.unwrap();
    let pool = SqlitePoolOptions::new().connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .execute(&pool)
        .await
        .unwrap();
    match store.export_tables().await {
        Err(StoreError::Corrupt(why)) => why,
        other => panic!("the export must be refused: {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_column_or_table_stops_the_export() {
    let column = export_error_after("ALTER TABLE ideas ADD COLUMN mood TEXT").await;
    assert!(column.contains("the column ideas.mood"), "{column}");
    let table = export_error_after("CREATE TABLE polls (id INTEGER PRIMARY KEY)").await;
    assert!(table.contains("the table polls"), "{table}");
}
