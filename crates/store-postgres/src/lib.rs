//! Cocreate on PostgreSQL, for larger deployments and many server processes.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use cocreate_store::{
    Dialect, MATCH_END, MATCH_START, SearchQuery, SearchTarget, Sql, StoreError, impl_sql_backend,
};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Postgres};

pub struct PostgresStore {
    pool: Pool<Postgres>,
    commits: Arc<AtomicU64>,
}

pub struct PostgresTx {
    tx: sqlx::Transaction<'static, Postgres>,
    commits: Arc<AtomicU64>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // A ping before every checkout doubles the round trips of short queries; a connection
            // that broke fails its next query, and the pool drops it.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let store = Self {
            pool,
            commits: Arc::new(AtomicU64::new(0)),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn open_tx(&self) -> Result<PostgresTx, StoreError> {
        let tx = self
            .pool
            .begin()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(PostgresTx {
            tx,
            commits: self.commits.clone(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))
    }

    /// Checks every B-tree index of the schema against its table with the `amcheck` extension
    /// (created when missing, which takes a superuser). PostgreSQL enforces foreign keys itself.
    async fn check_integrity(&self) -> Result<(), StoreError> {
        let failed = |e: sqlx::Error| StoreError::Database(e.to_string());
        sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
            .execute(&self.pool)
            .await
            .map_err(failed)?;
        let indexes: Vec<String> = sqlx::query_scalar(
            "SELECT c.oid::regclass::text FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_am a ON a.oid = c.relam \
             WHERE a.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        for index in indexes {
            sqlx::query("SELECT bt_index_check($1::regclass, true)")
                .bind(&index)
                .execute(&self.pool)
                .await
                .map_err(|e| StoreError::Corrupt(format!("index {index}: {e}")))?;
        }
        Ok(())
    }
}

impl_sql_backend! {
    store = PostgresStore,
    tx = PostgresTx,
    database = sqlx::Postgres,
    dialect = DIALECT,
}

const DIALECT: Dialect = Dialect {
    backend: "postgres",
    numbered_placeholders: true,
    // Several server processes may poll for jobs at once: each skips rows another has locked.
    skip_locked: " FOR UPDATE SKIP LOCKED",
    // Concurrent supports of one idea wait for each other on its row. No key of an idea ever
    // changes, so the lock leaves alone the key-share locks that inserting a comment or support
    // takes on its idea (a full `FOR UPDATE` after the comment's own insert deadlocked two
    // comments of one idea, each waiting on the other's key-share).
    lock_ideas: " FOR NO KEY UPDATE OF i",
    lock_rows: " FOR UPDATE",
    // Search vectors are kept in `<table>_search` by triggers: nothing to index by hand.
    index_idea: None,
    unindex_idea: None,
    rebuild_search: None,
    // An export reads one snapshot of every table.
    snapshot: Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
    list_tables: "SELECT table_name::text AS name FROM information_schema.tables \
                  WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%' \
                  AND table_name NOT LIKE '%\\_search' \
                  AND table_name NOT LIKE 'search\\_%'",
    list_columns: "SELECT column_name::text AS name FROM information_schema.columns \
                   WHERE table_schema = current_schema() AND table_name = $1",
    // Identity columns continue after the largest loaded id.
    continue_ids: Some(
        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
         COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
    ),
    search: push_search,
};

/// tsvector matching with a GIN index, ranked by ts_rank (negated, so lower sorts first as
/// with SQLite's bm25). Terms are letters and digits only, so they cannot form operators.
fn push_search(sql: &mut Sql<'_>, target: &SearchTarget, columns: &str, query: &SearchQuery) {
    let terms: Vec<String> = query
        .terms
        .iter()
        .map(|term| {
            if query.any {
                format!("{term}:*")
            } else {
                term.clone()
            }
        })
        .collect();
    let expression = terms.join(if query.any { " | " } else { " & " });
    let SearchTarget {
        table,
        alias,
        joins,
        snippet_column,
        ..
    } = *target;
    sql.push(&format!(
        "SELECT {columns}, ts_headline('english', {alias}.{snippet_column}, to_tsquery('english', "
    ));
    sql.bind(expression.clone());
    sql.push(&format!(
        "), 'StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=24, MinWords=8') AS snippet, -ts_rank({table}_search.search, to_tsquery('english', "
    ));
    sql.bind(expression.clone());
    sql.push(&format!(
        ")) AS rank FROM {table} {alias} JOIN {table}_search ON {table}_search.id = {alias}.id{joins} \
         WHERE {table}_search.search @@ to_tsquery('english', "
    ));
    sql.bind(expression);
    sql.push(")");
}
