//! The glue between a backend's sqlx pool and the areas' SQL: how arguments are bound, how rows
//! are read into [`crate::SqlRow`]s, how errors map to [`crate::StoreError`], and the parts of
//! [`crate::Store`] and [`crate::Tx`] that are about connections rather than data. A generic
//! implementation over `sqlx::Database` would need a bound for every encoded type and executor
//! lifetime; this macro expands the same few functions over each backend's concrete types.

/// Implements [`crate::SqlRead`] and [`crate::Store`] for `$store` (a struct with a
/// `pool: sqlx::Pool<$db>` field, a `commits: Arc<AtomicU64>` field and `open_tx` and
/// `check_integrity` methods) and [`crate::SqlTx`] and [`crate::Tx`] for `$tx` (a struct with a
/// `tx: sqlx::Transaction<'static, $db>` field and the same `commits`), with the backend's
/// [`crate::Dialect`] `$dialect`.
#[macro_export]
macro_rules! impl_sql_backend {
    (store = $store:ident, tx = $tx:ident, database = $db:ty, dialect = $dialect:ident $(,)?) => {
        mod sql_backend_impl {
            use super::{$store, $tx};
            use ::cocreate_store::{
                Dialect, SqlArg, SqlRow, SqlValue, Store, StoreError, StoreResult, Tx, transfer,
            };
            use ::sqlx::{Column as _, Row as _, TypeInfo as _, ValueRef as _};

            type DbRow = <$db as ::sqlx::Database>::Row;
            type DbConnection = <$db as ::sqlx::Database>::Connection;
            type DbQuery<'q> = ::sqlx::query::Query<'q, $db, <$db as ::sqlx::Database>::Arguments>;

            static DIALECT: &Dialect = &super::$dialect;

            fn map_err(error: ::sqlx::Error) -> StoreError {
                match error {
                    ::sqlx::Error::RowNotFound => StoreError::NotFound,
                    ::sqlx::Error::PoolTimedOut
                    | ::sqlx::Error::PoolClosed
                    | ::sqlx::Error::Io(_)
                    | ::sqlx::Error::Tls(_) => StoreError::Unavailable(error.to_string()),
                    // SQLITE_FULL, and PostgreSQL's disk_full.
                    ::sqlx::Error::Database(db)
                        if matches!(db.code().as_deref(), Some("13" | "53100")) =>
                    {
                        StoreError::StorageFull
                    }
                    // PostgreSQL shutting down or refusing connections (class 57P), or a
                    // connection exception (class 08).
                    ::sqlx::Error::Database(db)
                        if db.code().is_some_and(|code| {
                            code.starts_with("57P") || code.starts_with("08")
                        }) =>
                    {
                        StoreError::Unavailable(db.to_string())
                    }
                    ::sqlx::Error::Database(db) if db.is_unique_violation() => {
                        let message = format!("{} {}", db.message(), db.constraint().unwrap_or(""));
                        let field = if message.contains("email") {
                            "email"
                        } else if message.contains("slug") {
                            "slug"
                        } else {
                            "id"
                        };
                        StoreError::Conflict { field }
                    }
                    other => StoreError::Database(other.to_string()),
                }
            }

            /// The statement with its arguments bound, each as its own type even when null.
            fn bind<'q>(sql: &str, args: &[SqlArg<'_>]) -> DbQuery<'q> {
                let mut query = ::sqlx::query(::sqlx::AssertSqlSafe(sql.to_owned()));
                for arg in args {
                    query = match arg {
                        SqlArg::Int(value) => query.bind(*value),
                        SqlArg::Text(value) => query.bind(value.as_ref().map(|v| v.to_string())),
                        SqlArg::Bytes(value) => query.bind(value.as_ref().map(|v| v.to_vec())),
                    };
                }
                query
            }

            /// One value, read as the type the database gave it.
            fn value(row: &DbRow, index: usize) -> StoreResult<SqlValue> {
                let raw = row.try_get_raw(index).map_err(map_err)?;
                if raw.is_null() {
                    return Ok(SqlValue::Null);
                }
                let info = raw.type_info().into_owned();
                let read = |error: ::sqlx::Error| {
                    StoreError::Corrupt(format!("column {}: {error}", row.columns()[index].name()))
                };
                if <i64 as ::sqlx::Type<$db>>::compatible(&info) {
                    row.try_get::<i64, _>(index)
                        .map(SqlValue::Int)
                        .map_err(read)
                } else if <i32 as ::sqlx::Type<$db>>::compatible(&info) {
                    // A literal such as `SELECT 1`, on PostgreSQL.
                    row.try_get::<i32, _>(index)
                        .map(|value| SqlValue::Int(i64::from(value)))
                        .map_err(read)
                } else if <bool as ::sqlx::Type<$db>>::compatible(&info) {
                    row.try_get::<bool, _>(index)
                        .map(|value| SqlValue::Int(i64::from(value)))
                        .map_err(read)
                } else if <String as ::sqlx::Type<$db>>::compatible(&info) {
                    row.try_get::<String, _>(index)
                        .map(SqlValue::Text)
                        .map_err(read)
                } else if <Vec<u8> as ::sqlx::Type<$db>>::compatible(&info) {
                    row.try_get::<Vec<u8>, _>(index)
                        .map(SqlValue::Bytes)
                        .map_err(read)
                } else if <f64 as ::sqlx::Type<$db>>::compatible(&info) {
                    row.try_get::<f64, _>(index)
                        .map(SqlValue::Float)
                        .map_err(read)
                } else if <f32 as ::sqlx::Type<$db>>::compatible(&info) {
                    row.try_get::<f32, _>(index)
                        .map(|value| SqlValue::Float(f64::from(value)))
                        .map_err(read)
                } else {
                    Err(StoreError::Corrupt(format!(
                        "column {} has the unexpected type {}",
                        row.columns()[index].name(),
                        info.name()
                    )))
                }
            }

            fn rows(rows: Vec<DbRow>) -> StoreResult<Vec<SqlRow>> {
                let Some(first) = rows.first() else {
                    return Ok(Vec::new());
                };
                let columns: ::std::sync::Arc<[String]> = first
                    .columns()
                    .iter()
                    .map(|column| column.name().to_owned())
                    .collect();
                rows.iter()
                    .map(|row| {
                        let values = (0..columns.len())
                            .map(|index| value(row, index))
                            .collect::<StoreResult<Vec<_>>>()?;
                        Ok(SqlRow::new(columns.clone(), values))
                    })
                    .collect()
            }

            async fn execute_on(
                connection: &mut DbConnection,
                sql: &str,
                args: &[SqlArg<'_>],
            ) -> StoreResult<u64> {
                use ::sqlx::Executor as _;
                let done = connection.execute(bind(sql, args)).await.map_err(map_err)?;
                Ok(done.rows_affected())
            }

            async fn fetch_on(
                connection: &mut DbConnection,
                sql: &str,
                args: &[SqlArg<'_>],
            ) -> StoreResult<Vec<SqlRow>> {
                use ::sqlx::Executor as _;
                rows(
                    connection
                        .fetch_all(bind(sql, args))
                        .await
                        .map_err(map_err)?,
                )
            }

            #[::async_trait::async_trait]
            impl ::cocreate_store::SqlRead for $store {
                fn dialect(&self) -> &'static Dialect {
                    DIALECT
                }

                async fn fetch(&self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<Vec<SqlRow>> {
                    rows(
                        bind(sql, args)
                            .fetch_all(&self.pool)
                            .await
                            .map_err(map_err)?,
                    )
                }
            }

            #[::async_trait::async_trait]
            impl ::cocreate_store::SqlTx for $tx {
                fn dialect(&self) -> &'static Dialect {
                    DIALECT
                }

                async fn execute(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<u64> {
                    execute_on(&mut self.tx, sql, args).await
                }

                async fn fetch(
                    &mut self,
                    sql: &str,
                    args: &[SqlArg<'_>],
                ) -> StoreResult<Vec<SqlRow>> {
                    fetch_on(&mut self.tx, sql, args).await
                }
            }

            /// The read-only transaction an export reads through.
            struct SnapshotTx(::sqlx::Transaction<'static, $db>);

            #[::async_trait::async_trait]
            impl ::cocreate_store::SqlTx for SnapshotTx {
                fn dialect(&self) -> &'static Dialect {
                    DIALECT
                }

                async fn execute(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<u64> {
                    execute_on(&mut self.0, sql, args).await
                }

                async fn fetch(
                    &mut self,
                    sql: &str,
                    args: &[SqlArg<'_>],
                ) -> StoreResult<Vec<SqlRow>> {
                    fetch_on(&mut self.0, sql, args).await
                }
            }

            #[::async_trait::async_trait]
            impl Store for $store {
                fn backend(&self) -> &'static str {
                    DIALECT.backend
                }

                fn commits(&self) -> u64 {
                    self.commits.load(::std::sync::atomic::Ordering::Acquire)
                }

                async fn ping(&self) -> StoreResult<()> {
                    ::sqlx::query("SELECT 1")
                        .execute(&self.pool)
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn integrity_check(&self) -> StoreResult<()> {
                    self.check_integrity().await
                }

                async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
                    Ok(Box::new(self.open_tx().await?))
                }

                async fn finish_load(&self) -> StoreResult<()> {
                    if let Some(rebuild) = DIALECT.rebuild_search {
                        ::sqlx::query(rebuild)
                            .execute(&self.pool)
                            .await
                            .map_err(map_err)?;
                    }
                    ::sqlx::query("ANALYZE")
                        .execute(&self.pool)
                        .await
                        .map_err(map_err)?;
                    Ok(())
                }

                async fn export_tables(&self) -> StoreResult<Vec<transfer::TableRows>> {
                    let mut snapshot = SnapshotTx(self.pool.begin().await.map_err(map_err)?);
                    let tables = transfer::export(&mut snapshot).await?;
                    snapshot.0.commit().await.map_err(map_err)?;
                    Ok(tables)
                }

                async fn personal_data(
                    &self,
                    account_id: i64,
                ) -> StoreResult<Vec<::cocreate_store::personal_data::PersonalRows>> {
                    let mut snapshot = SnapshotTx(self.pool.begin().await.map_err(map_err)?);
                    let tables =
                        ::cocreate_store::personal_data::personal_data(&mut snapshot, account_id)
                            .await?;
                    snapshot.0.commit().await.map_err(map_err)?;
                    Ok(tables)
                }

                async fn import_tables(&self, tables: &[transfer::TableRows]) -> StoreResult<()> {
                    let mut tx = self.open_tx().await?;
                    transfer::import(&mut tx, tables).await?;
                    Tx::commit(Box::new(tx)).await
                }
            }

            #[::async_trait::async_trait]
            impl Tx for $tx {
                async fn commit(self: Box<Self>) -> StoreResult<()> {
                    let commits = self.commits.clone();
                    self.tx.commit().await.map_err(map_err)?;
                    commits.fetch_add(1, ::std::sync::atomic::Ordering::AcqRel);
                    Ok(())
                }
            }
        }
    };
}
