//! Helpers shared by Cocreate's tests. Each test gets its own empty database, so tests run in
//! parallel on both backends.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod proxy;
mod server;
mod skips;
mod smtp;

use std::sync::Arc;

use cocreate_store::Store;
use cocreate_store_postgres::PostgresStore;
use cocreate_store_sqlite::SqliteStore;
use rand::Rng;
use sqlx::Connection;

pub use proxy::TcpProxy;
pub use server::{Backend, ServerOptions, TestServer, spawn, spawn_with};
pub use skips::{Suite, skip};
pub use smtp::{SmtpBehaviour, SmtpStub};

/// The environment variable that points the PostgreSQL suites at a server.
pub const POSTGRES_URL_VAR: &str = "COCREATE_TEST_POSTGRES_URL";

/// A fresh SQLite database URL in a temporary directory that lives as long as the process.
pub fn fresh_sqlite_url() -> String {
    let dir = tempfile::Builder::new()
        .prefix("cocreate-test-")
        .tempdir()
        .expect("temporary directory")
        .keep();
    format!("sqlite://{}", dir.join("cocreate.db").display())
}

/// A fresh, migrated SQLite store.
pub async fn fresh_sqlite() -> Option<Arc<dyn Store>> {
    let store = SqliteStore::connect(&fresh_sqlite_url())
        .await
        .expect("open SQLite");
    Some(Arc::new(store))
}

/// Whether tests run in CI, where a suite that cannot reach its server must fail, not skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A URL of a new, empty PostgreSQL database, or `None` (skip) when no server is configured
/// outside CI. In CI a missing configuration fails the test.
pub async fn fresh_postgres_url() -> Option<String> {
    let Ok(base) = std::env::var(POSTGRES_URL_VAR) else {
        skip(Suite::Postgres, &format!("{POSTGRES_URL_VAR} is not set"));
        return None;
    };
    let name = format!("cocreate_test_{:016x}", rand::rng().random::<u64>());
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {base}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&base).expect("valid PostgreSQL URL");
    url.set_path(&name);
    Some(url.to_string())
}

/// A fresh, migrated PostgreSQL store, or `None` when skipped (see [`fresh_postgres_url`]).
pub async fn fresh_postgres() -> Option<Arc<dyn Store>> {
    let url = fresh_postgres_url().await?;
    let store = PostgresStore::connect(&url).await.expect("open PostgreSQL");
    Some(Arc::new(store))
}
