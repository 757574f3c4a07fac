//! Cocreate on PostgreSQL, for larger deployments and many server processes.

use std::time::Duration;

use cocreate_store::{StoreError, impl_sql_store};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Postgres};

pub struct PostgresStore {
    pool: Pool<Postgres>,
}

pub struct PostgresTx {
    tx: sqlx::Transaction<'static, Postgres>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
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
}

impl_sql_store! {
    store = PostgresStore,
    tx = PostgresTx,
    database = sqlx::Postgres,
    backend = "postgres",
    begin = "BEGIN",
    // Several server processes may poll the outbox at once: each skips rows another has locked.
    lease_clause = " FOR UPDATE SKIP LOCKED",
    // Concurrent supports of one idea wait for each other on its row.
    lock_idea_clause = " FOR UPDATE OF i",
}
