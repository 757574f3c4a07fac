//! Cocreate's embedded default: SQLite in one file, in WAL mode.

use std::str::FromStr;
use std::time::Duration;

use cocreate_store::{SearchQuery, StoreError, impl_sql_store};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

pub struct SqliteStore {
    pool: Pool<Sqlite>,
}

pub struct SqliteTx {
    tx: sqlx::Transaction<'static, Sqlite>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`)
    /// and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("invalid SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before it is acknowledged, even across power loss.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))
    }

    /// Runs SQLite's own integrity check; `Ok(())` when it answers "ok".
    pub async fn integrity_check(&self) -> Result<(), StoreError> {
        let answer: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        if answer == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(answer))
        }
    }
}

impl_sql_store! {
    store = SqliteStore,
    tx = SqliteTx,
    database = sqlx::Sqlite,
    backend = "sqlite",
    // Take the write lock up front: a deferred transaction that later writes can fail with
    // SQLITE_BUSY under concurrency instead of waiting its turn.
    begin = "BEGIN IMMEDIATE",
    // BEGIN IMMEDIATE already serialises writers, so a plain SELECT leases safely.
    lease_clause = "",
    // BEGIN IMMEDIATE holds the write lock: reading the idea in the transaction is enough.
    lock_idea_clause = "",
    lock_rows_clause = "",
    // FTS5 with external content is indexed by the store, in the idea's own transaction.
    index_idea = "INSERT INTO ideas_fts (rowid, title, body) VALUES ($1, $2, $3)",
    unindex_idea = "INSERT INTO ideas_fts (ideas_fts, rowid, title, body) VALUES ('delete', $1, $2, $3)",
    push_search = crate::push_idea_search,
}

/// FTS5 matching, ranked by bm25 with the title weighing most. Terms are letters and digits
/// only, so quoting each one cannot break out of the expression.
fn push_idea_search(sql: &mut sqlx::QueryBuilder<Sqlite>, columns: &str, query: &SearchQuery) {
    let terms: Vec<String> = query
        .terms
        .iter()
        .map(|term| {
            if query.any {
                format!("\"{term}\"*")
            } else {
                format!("\"{term}\"")
            }
        })
        .collect();
    let expression = terms.join(if query.any { " OR " } else { " " });
    sql.push(format!(
        "SELECT {columns}, snippet(ideas_fts, 1, '[[', ']]', ' … ', 16) AS snippet, bm25(ideas_fts, 8.0, 1.0) AS rank \
         FROM ideas_fts JOIN ideas i ON i.id = ideas_fts.rowid JOIN accounts a ON a.id = i.author_id WHERE ideas_fts MATCH "
    ));
    sql.push_bind(expression);
}
