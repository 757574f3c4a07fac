//! Cocreate's embedded default: SQLite in one file, in WAL mode.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use cocreate_store::{
    Dialect, MATCH_END, MATCH_START, SearchQuery, SearchTarget, Sql, StoreError, impl_sql_backend,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection as _, Pool, Sqlite};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a write waits for the one before it.
const WRITER_WAIT: Duration = Duration::from_secs(5);

pub struct SqliteStore {
    pool: Pool<Sqlite>,
    /// Held by the one write transaction of this process (see [`SqliteStore::open_tx`]).
    writer: Arc<Mutex<()>>,
    commits: Arc<AtomicU64>,
}

pub struct SqliteTx {
    tx: sqlx::Transaction<'static, Sqlite>,
    _writer: OwnedMutexGuard<()>,
    commits: Arc<AtomicU64>,
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
            .foreign_keys(true)
            // A larger page cache per connection; no memory map, because SQLite remaps the
            // whole file on every connection each time the file grows, which costs writes more
            // than the map saves reads (measured with the benchmark); the small temporary tables
            // of RETURNING and sorting stay in memory rather than in temporary files.
            .pragma("mmap_size", "0")
            .pragma("cache_size", "-16384")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // An embedded database cannot hang up: a ping before every checkout is pure overhead.
            .test_before_acquire(false)
            // When a COMMIT fails (on a full disk, say) SQLite may already have rolled the
            // transaction back; the rollback sqlx queues on drop then fails, and the connection
            // stays marked as inside a transaction, refusing every later BEGIN. The ping runs
            // that queued rollback; a connection still marked afterwards is closed, not reused.
            .after_release(|connection, _| {
                Box::pin(async move {
                    if connection.is_in_transaction() {
                        connection.ping().await?;
                    }
                    Ok(!connection.is_in_transaction())
                })
            })
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let store = Self {
            pool,
            writer: Arc::new(Mutex::new(())),
            commits: Arc::new(AtomicU64::new(0)),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Writes a consistent copy of the database to `destination`, which must not exist, while
    /// the database stays in use: `VACUUM INTO` copies one read snapshot, compacted.
    pub async fn backup_into(&self, destination: &Path) -> Result<(), StoreError> {
        let destination = destination
            .to_str()
            .ok_or_else(|| StoreError::Database("the backup path is not valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(destination)
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::Database(format!("backup failed: {e}")))?;
        Ok(())
    }

    /// Closes every connection; with the last one SQLite moves its WAL into the database file.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// Makes the SQLite file at `path` ready to be put in place of a database: it must hold a
    /// Cocreate database (one with a migration history); an older one is brought up to date;
    /// it must pass the integrity check; and it is closed with everything in the one file.
    pub async fn prepare_restore(path: &Path) -> Result<(), StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(false);
        let not_cocreate = |detail: String| {
            StoreError::Corrupt(format!(
                "{} is not a Cocreate database: {detail}",
                path.display()
            ))
        };
        let mut connection = sqlx::SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| not_cocreate(e.to_string()))?;
        let migrated: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut connection)
        .await
        .map_err(|e| not_cocreate(e.to_string()))?;
        connection
            .close()
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        if migrated == 0 {
            return Err(not_cocreate("it has no migration history".into()));
        }
        let url = format!("sqlite://{}", path.display());
        let store = Self::connect(&url).await?;
        store.check_integrity().await?;
        store.close().await;
        Ok(())
    }

    /// Starts a write transaction. SQLite has one writer at a time; writers of this process queue
    /// here, in order, instead of in SQLite's busy handler, which waits by sleeping. BEGIN
    /// IMMEDIATE takes the write lock up front: a deferred transaction that later writes can fail
    /// with SQLITE_BUSY instead of waiting its turn (another process, such as the CLI, still
    /// waits in the busy handler).
    async fn open_tx(&self) -> Result<SqliteTx, StoreError> {
        let writer = tokio::time::timeout(WRITER_WAIT, self.writer.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Unavailable("the database is busy; try again".into()))?;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(SqliteTx {
            tx,
            _writer: writer,
            commits: self.commits.clone(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))
    }

    /// SQLite's own integrity check, then its foreign key check; both must come back clean.
    async fn check_integrity(&self) -> Result<(), StoreError> {
        let answer: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        if answer != "ok" {
            return Err(StoreError::Corrupt(answer));
        }
        let broken: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&self.pool)
                .await
                .map_err(|e| StoreError::Database(e.to_string()))?;
        match broken.first() {
            None => Ok(()),
            Some(table) => Err(StoreError::Corrupt(format!(
                "{} rows point at missing rows (first in {table})",
                broken.len()
            ))),
        }
    }
}

impl_sql_backend! {
    store = SqliteStore,
    tx = SqliteTx,
    database = sqlx::Sqlite,
    dialect = DIALECT,
}

const DIALECT: Dialect = Dialect {
    backend: "sqlite",
    numbered_placeholders: false,
    // BEGIN IMMEDIATE already serialises writers: a plain SELECT leases and locks safely.
    skip_locked: "",
    lock_ideas: "",
    lock_rows: "",
    // FTS5 with external content is indexed by the store, in the idea's own transaction.
    index_idea: Some("INSERT INTO ideas_fts (rowid, title, body) VALUES ($1, $2, $3)"),
    unindex_idea: Some(
        "INSERT INTO ideas_fts (ideas_fts, rowid, title, body) VALUES ('delete', $1, $2, $3)",
    ),
    // Bulk loads skip the per-row index and rebuild it once at the end.
    rebuild_search: Some("INSERT INTO ideas_fts (ideas_fts) VALUES ('rebuild')"),
    // A deferred transaction reads one snapshot from its first read.
    snapshot: None,
    // Search indexes (`*_fts*`) are rebuilt from the tables they index; the search log and state
    // (`search_*`) belong to the database they were written in.
    list_tables: "SELECT name FROM sqlite_master WHERE type = 'table' \
                  AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                  AND name NOT LIKE '\\_sqlx%' ESCAPE '\\' \
                  AND name NOT LIKE '%\\_fts%' ESCAPE '\\' \
                  AND name NOT LIKE 'search\\_%' ESCAPE '\\'",
    list_columns: "SELECT name FROM pragma_table_info($1)",
    // AUTOINCREMENT keeps track of the largest id inserted by itself.
    continue_ids: None,
    search: push_search,
};

/// FTS5 matching over the target's `<table>_fts`, ranked by bm25 (titles weigh most). Terms are letters and digits
/// only, so quoting each one cannot break out of the expression.
fn push_search(sql: &mut Sql<'_>, target: &SearchTarget, columns: &str, query: &SearchQuery) {
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
    let SearchTarget {
        table,
        alias,
        joins,
        snippet_index,
        weights,
        ..
    } = *target;
    sql.push(&format!(
        "SELECT {columns}, snippet({table}_fts, {snippet_index}, '{MATCH_START}', '{MATCH_END}', ' … ', 16) AS snippet, \
         bm25({table}_fts, {weights}) AS rank \
         FROM {table}_fts JOIN {table} {alias} ON {alias}.id = {table}_fts.rowid{joins} WHERE {table}_fts MATCH "
    ));
    sql.bind(expression);
}
