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

/// Every column that points at an account either makes its rows that person's data, in the
/// download of their data, or is listed with the reason it does not.
#[tokio::test]
async fn every_column_naming_an_account_is_in_the_personal_data_or_says_why_not() {
    use cocreate_store::personal_data::{NOT_PERSONAL, PERSONAL_TABLES};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/personal.db?mode=rwc", dir.path().display());
    SqliteStore::connect(&url).await.unwrap();
    let pool = SqlitePoolOptions::new().connect(&url).await.unwrap();
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.name, k.\"from\" FROM sqlite_master t, pragma_foreign_key_list(t.name) k \
         WHERE t.type = 'table' AND k.\"table\" = 'accounts' ORDER BY 1, 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(columns.len() > 20, "{columns:?}");
    for (table, column) in &columns {
        let personal = PERSONAL_TABLES
            .iter()
            .any(|p| p.table == table && p.by.contains(&column.as_str()));
        let explained = NOT_PERSONAL
            .iter()
            .any(|(t, c, _)| t == table && c == column);
        assert!(
            personal != explained,
            "{table}.{column} names an account: list it once, in PERSONAL_TABLES or NOT_PERSONAL"
        );
    }
}
