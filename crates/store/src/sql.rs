//! The SQL both backends share, written once. SQLite and PostgreSQL accept the same statements
//! here (`$n` placeholders, `RETURNING`, `ON CONFLICT`); what differs between them — how a write
//! transaction starts and how pending jobs are leased — is passed in by each backend crate, which
//! expands this macro over its own pool type. A generic implementation over `sqlx::Database`
//! would need a bound for every encoded type and executor lifetime; expanding per backend keeps
//! the code concrete and the two backends unable to drift.

/// Implements [`crate::Store`] for `$store` (a struct with a `pool: sqlx::Pool<$db>` field) and
/// defines `$tx`, its transaction type.
#[macro_export]
macro_rules! impl_sql_store {
    (
        store = $store:ident,
        tx = $tx:ident,
        database = $db:ty,
        backend = $backend:literal,
        lease_clause = $lease_clause:literal,
        lock_idea_clause = $lock_idea_clause:literal,
        lock_rows_clause = $lock_rows_clause:literal,
        index_idea = $index_idea:literal,
        unindex_idea = $unindex_idea:literal,
        rebuild_search = $rebuild_search:literal,
        push_search = $push_search:path,
        snapshot = $snapshot:literal,
        list_tables = $list_tables:literal,
        list_columns = $list_columns:literal,
        continue_ids = $continue_ids:literal $(,)?
    ) => {
        mod sql_store_impl {
            use super::$store;
            use ::cocreate_core::{AccountKind, Audience, OrgRole, Stage, Timestamp};
            use ::cocreate_store::*;
            use ::sqlx::Row as _;

            type DbRow = <$db as ::sqlx::Database>::Row;

            fn map_err(error: ::sqlx::Error) -> StoreError {
                match error {
                    ::sqlx::Error::RowNotFound => StoreError::NotFound,
                    ::sqlx::Error::PoolTimedOut
                    | ::sqlx::Error::PoolClosed
                    | ::sqlx::Error::Io(_)
                    | ::sqlx::Error::Tls(_) => StoreError::Unavailable(error.to_string()),
                    // SQLITE_FULL, and PostgreSQL's disk_full.
                    ::sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("13" | "53100")) => {
                        StoreError::StorageFull
                    }
                    // PostgreSQL shutting down or refusing connections (class 57P), or a
                    // connection exception (class 08).
                    ::sqlx::Error::Database(db)
                        if db.code().is_some_and(|code| code.starts_with("57P") || code.starts_with("08")) =>
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

            fn get<'r, T>(row: &'r DbRow, column: &str) -> StoreResult<T>
            where
                T: ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            {
                row.try_get(column).map_err(map_err)
            }

            fn parse<T: ::std::str::FromStr>(row: &DbRow, column: &str) -> StoreResult<T>
            where
                T::Err: ::std::fmt::Display,
            {
                let text: String = get(row, column)?;
                text.parse()
                    .map_err(|e: T::Err| StoreError::Corrupt(format!("{column}: {e}")))
            }

            fn ts(row: &DbRow, column: &str) -> StoreResult<Timestamp> {
                Ok(Timestamp(get(row, column)?))
            }

            fn opt_ts(row: &DbRow, column: &str) -> StoreResult<Option<Timestamp>> {
                Ok(get::<Option<i64>>(row, column)?.map(Timestamp))
            }

            const ACCOUNT_COLUMNS: &str =
                "a.id, a.email, a.name, a.handle, a.password_hash, a.kind, a.role, a.created_at";

            fn account(row: &DbRow) -> StoreResult<Account> {
                Ok(Account {
                    id: get(row, "id")?,
                    email: get(row, "email")?,
                    name: get(row, "name")?,
                    handle: get(row, "handle")?,
                    password_hash: get(row, "password_hash")?,
                    kind: parse::<AccountKind>(row, "kind")?,
                    role: parse::<OrgRole>(row, "role")?,
                    created_at: ts(row, "created_at")?,
                })
            }

            const API_TOKEN_COLUMNS: &str =
                "t.id AS token_id, t.account_id, t.name AS token_name, t.prefix, t.created_at AS token_created_at, t.last_used_at, t.revoked_at";

            fn api_token(row: &DbRow) -> StoreResult<ApiToken> {
                Ok(ApiToken {
                    id: get(row, "token_id")?,
                    account_id: get(row, "account_id")?,
                    name: get(row, "token_name")?,
                    prefix: get(row, "prefix")?,
                    created_at: ts(row, "token_created_at")?,
                    last_used_at: opt_ts(row, "last_used_at")?,
                    revoked_at: opt_ts(row, "revoked_at")?,
                })
            }

            const INVITATION_COLUMNS: &str =
                "id, email, kind, role, invited_by, created_at, expires_at, accepted_at";

            fn invitation(row: &DbRow) -> StoreResult<Invitation> {
                Ok(Invitation {
                    id: get(row, "id")?,
                    email: get(row, "email")?,
                    kind: parse::<AccountKind>(row, "kind")?,
                    role: parse::<OrgRole>(row, "role")?,
                    invited_by: get(row, "invited_by")?,
                    created_at: ts(row, "created_at")?,
                    expires_at: ts(row, "expires_at")?,
                    accepted_at: opt_ts(row, "accepted_at")?,
                })
            }

            const SPACE_COLUMNS: &str =
                "id, slug, name, description, audience, created_by, created_at";

            fn space(row: &DbRow) -> StoreResult<Space> {
                Ok(Space {
                    id: get(row, "id")?,
                    slug: get(row, "slug")?,
                    name: get(row, "name")?,
                    description: get(row, "description")?,
                    audience: parse::<Audience>(row, "audience")?,
                    created_by: get(row, "created_by")?,
                    created_at: ts(row, "created_at")?,
                })
            }

            const MAIL_COLUMNS: &str = "id, to_address, subject, body, status, attempts, next_attempt_at, last_error, created_at";

            fn mail(row: &DbRow) -> StoreResult<OutboxMail> {
                Ok(OutboxMail {
                    id: get(row, "id")?,
                    to_address: get(row, "to_address")?,
                    subject: get(row, "subject")?,
                    body: get(row, "body")?,
                    status: parse::<MailStatus>(row, "status")?,
                    attempts: get(row, "attempts")?,
                    next_attempt_at: ts(row, "next_attempt_at")?,
                    last_error: get(row, "last_error")?,
                    created_at: ts(row, "created_at")?,
                })
            }

            fn account_token(row: &DbRow) -> StoreResult<AccountToken> {
                Ok(AccountToken {
                    token_hash: get(row, "token_hash")?,
                    account_id: get(row, "account_id")?,
                    purpose: parse::<TokenPurpose>(row, "purpose")?,
                    new_email: get(row, "new_email")?,
                    created_at: ts(row, "created_at")?,
                    expires_at: ts(row, "expires_at")?,
                })
            }

            const CHALLENGE_COLUMNS: &str = "id, space_id, title, problem, problem_html, questions, tags, tiers, opens_at, closes_at, cover_key, cover_type, created_by, created_at";

            fn challenge(row: &DbRow) -> StoreResult<Challenge> {
                Ok(Challenge {
                    id: get(row, "id")?,
                    space_id: get(row, "space_id")?,
                    title: get(row, "title")?,
                    problem: get(row, "problem")?,
                    problem_html: get(row, "problem_html")?,
                    questions: get(row, "questions")?,
                    tags: get(row, "tags")?,
                    tiers: get(row, "tiers")?,
                    opens_at: opt_ts(row, "opens_at")?,
                    closes_at: opt_ts(row, "closes_at")?,
                    cover: get::<Option<String>>(row, "cover_key")?.zip(get::<Option<String>>(row, "cover_type")?),
                    created_by: get(row, "created_by")?,
                    created_at: ts(row, "created_at")?,
                })
            }

            /// The columns of an idea row, with its author's name from `accounts a`.
            const IDEA_COLUMNS: &str = "i.id, i.space_id, i.challenge_id, i.title, i.body, i.body_html, i.tags, \
                 i.author_id, a.name AS author_name, i.stage, i.supporters, i.tiers, i.tier, i.tier_deadline, \
                 i.merged_into, i.comments, i.hidden_at, i.hidden_reason, i.hot, i.trending, i.created_at, i.updated_at";

            fn idea_from() -> String {
                format!("SELECT {IDEA_COLUMNS} FROM ideas i JOIN accounts a ON a.id = i.author_id")
            }

            /// Appends `value, value, …` with each value bound, for `IN (…)` lists.
            fn push_list<'t, T>(sql: &mut ::sqlx::QueryBuilder<$db>, values: impl IntoIterator<Item = T>)
            where
                T: ::sqlx::Encode<'t, $db> + ::sqlx::Type<$db>,
            {
                let mut list = sql.separated(", ");
                for value in values {
                    list.push_bind(value);
                }
            }

            /// The conditions every search applies to ideas (its own results, or the ideas of the
            /// comments it finds): published, not hidden, in the viewer's spaces, and the filters.
            fn push_idea_filters(sql: &mut ::sqlx::QueryBuilder<$db>, query: &SearchQuery) {
                sql.push(" AND i.stage <> 'draft' AND i.hidden_at IS NULL AND i.space_id IN (");
                push_list(sql, query.space_ids.iter().copied());
                sql.push(")");
                if let Some(challenge_id) = query.challenge_id {
                    sql.push(" AND i.challenge_id = ").push_bind(challenge_id);
                }
                if let Some(stage) = query.stage {
                    sql.push(" AND i.stage = ").push_bind(stage.as_str());
                }
                if let Some(tag) = &query.tag {
                    sql.push(" AND i.tags LIKE ").push_bind(format!("%,{tag},%"));
                }
            }

            fn hidden(row: &DbRow) -> StoreResult<Option<(Timestamp, String)>> {
                let at = opt_ts(row, "hidden_at")?;
                let reason: Option<String> = get(row, "hidden_reason")?;
                Ok(at.map(|at| (at, reason.unwrap_or_default())))
            }

            fn idea(row: &DbRow) -> StoreResult<Idea> {
                Ok(Idea {
                    id: get(row, "id")?,
                    space_id: get(row, "space_id")?,
                    challenge_id: get(row, "challenge_id")?,
                    title: get(row, "title")?,
                    body: get(row, "body")?,
                    body_html: get(row, "body_html")?,
                    tags: get(row, "tags")?,
                    author_id: get(row, "author_id")?,
                    author_name: get(row, "author_name")?,
                    stage: parse::<Stage>(row, "stage")?,
                    supporters: get(row, "supporters")?,
                    tiers: get(row, "tiers")?,
                    tier: get(row, "tier")?,
                    tier_deadline: opt_ts(row, "tier_deadline")?,
                    merged_into: get(row, "merged_into")?,
                    comments: get(row, "comments")?,
                    hidden: hidden(row)?,
                    hot: get(row, "hot")?,
                    trending: get(row, "trending")?,
                    created_at: ts(row, "created_at")?,
                    updated_at: ts(row, "updated_at")?,
                })
            }

            const COMMENT_FROM: &str = "SELECT c.id, c.idea_id, c.challenge_id, c.parent_id, c.depth, c.author_id, a.name AS author_name, a.handle AS author_handle, \
                 c.body, c.body_html, c.official, c.created_at, c.edited_at, c.deleted_at, c.hidden_at, c.hidden_reason \
                 FROM comments c JOIN accounts a ON a.id = c.author_id";

            fn comment(row: &DbRow) -> StoreResult<Comment> {
                Ok(Comment {
                    id: get(row, "id")?,
                    subject: subject(row)?,
                    parent_id: get(row, "parent_id")?,
                    depth: get(row, "depth")?,
                    author_id: get(row, "author_id")?,
                    author_name: get(row, "author_name")?,
                    author_handle: get(row, "author_handle")?,
                    body: get(row, "body")?,
                    body_html: get(row, "body_html")?,
                    official: get::<i64>(row, "official")? != 0,
                    created_at: ts(row, "created_at")?,
                    edited_at: opt_ts(row, "edited_at")?,
                    deleted_at: opt_ts(row, "deleted_at")?,
                    hidden: hidden(row)?,
                })
            }

            /// The idea or challenge a row belongs to, from its `idea_id` and `challenge_id`.
            fn subject(row: &DbRow) -> StoreResult<Subject> {
                Subject::from_columns(get(row, "idea_id")?, get(row, "challenge_id")?)
                    .ok_or_else(|| StoreError::Corrupt("a row belongs to neither an idea nor a challenge".into()))
            }

            fn notification(row: &DbRow) -> StoreResult<Notification> {
                Ok(Notification {
                    id: get(row, "id")?,
                    account_id: get(row, "account_id")?,
                    idea_id: get(row, "idea_id")?,
                    challenge_id: get(row, "challenge_id")?,
                    comment_id: get(row, "comment_id")?,
                    text: get(row, "text")?,
                    created_at: ts(row, "created_at")?,
                    read_at: opt_ts(row, "read_at")?,
                })
            }

            const ATTACHMENT_COLUMNS: &str = "id, idea_id, uploader_id, file_name, content_type, size, storage_key, created_at";

            fn attachment(row: &DbRow) -> StoreResult<Attachment> {
                Ok(Attachment {
                    id: get(row, "id")?,
                    idea_id: get(row, "idea_id")?,
                    uploader_id: get(row, "uploader_id")?,
                    file_name: get(row, "file_name")?,
                    content_type: get(row, "content_type")?,
                    size: get(row, "size")?,
                    storage_key: get(row, "storage_key")?,
                    created_at: ts(row, "created_at")?,
                })
            }

            fn all<T>(rows: Vec<DbRow>, one: fn(&DbRow) -> StoreResult<T>) -> StoreResult<Vec<T>> {
                rows.iter().map(one).collect()
            }

            /// Reads column `index` of an exported row as its kind says.
            fn export_value(row: &DbRow, index: usize, kind: transfer::ColumnKind) -> StoreResult<transfer::Value> {
                use transfer::{ColumnKind, Value};
                let value = match kind {
                    ColumnKind::Int => row.try_get::<Option<i64>, _>(index).map(|v| v.map(Value::Int)),
                    ColumnKind::Text => row.try_get::<Option<String>, _>(index).map(|v| v.map(Value::Text)),
                    ColumnKind::Bytes => row.try_get::<Option<Vec<u8>>, _>(index).map(|v| v.map(Value::Bytes)),
                };
                Ok(value.map_err(map_err)?.unwrap_or(Value::Null))
            }

            /// Fails unless the database's tables and columns are exactly those the export knows
            /// (search indexes, rebuilt from the tables, aside), so a migration cannot add data an
            /// export would leave out.
            async fn check_export_covers(connection: &mut <$db as ::sqlx::Database>::Connection) -> StoreResult<()> {
                use ::sqlx::Executor as _;
                let unknown = |what: String| StoreError::Corrupt(format!("{what} is not part of the export: add it to cocreate_store::transfer::TABLES"));
                for row in (&mut *connection).fetch_all($list_tables).await.map_err(map_err)? {
                    let name: String = get(&row, "name")?;
                    let Some(spec) = transfer::table_spec(&name) else {
                        return Err(unknown(format!("the table {name}")));
                    };
                    let columns = (&mut *connection).fetch_all(::sqlx::query($list_columns).bind(spec.name)).await.map_err(map_err)?;
                    for column in columns {
                        let column: String = get(&column, "name")?;
                        if !spec.column_names().any(|c| c == column) {
                            return Err(unknown(format!("the column {name}.{column}")));
                        }
                    }
                }
                Ok(())
            }

            /// Loads one table's rows with their ids, leaving its self-references for later.
            async fn load_table(tx: &mut <$db as ::sqlx::Database>::Connection, table: &transfer::TableRows) -> StoreResult<()> {
                use ::sqlx::Executor as _;
                use transfer::{ColumnKind, Value};
                let spec = table.spec;
                for (number, row) in table.rows.iter().enumerate() {
                    let fits = row.len() == spec.columns.len()
                        && row.iter().zip(spec.columns).all(|(value, (_, kind))| value.kind().is_none_or(|k| k == *kind));
                    if !fits {
                        return Err(StoreError::Corrupt(format!("row {} of {} does not match its columns", number + 1, spec.name)));
                    }
                }
                let columns = spec.column_names().collect::<Vec<_>>().join(", ");
                // Well under both backends' limit of bound values per statement.
                let rows_per_statement = 8000 / spec.columns.len();
                for chunk in table.rows.chunks(rows_per_statement) {
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new(format!("INSERT INTO {} ({columns}) ", spec.name));
                    sql.push_values(chunk, |mut bound, row| {
                        for (value, (name, kind)) in row.iter().zip(spec.columns) {
                            let value = if spec.self_references.contains(name) { &Value::Null } else { value };
                            match (value, kind) {
                                (Value::Int(v), _) => bound.push_bind(*v),
                                (Value::Text(v), _) => bound.push_bind(v.clone()),
                                (Value::Bytes(v), _) => bound.push_bind(v.clone()),
                                (Value::Null, ColumnKind::Int) => bound.push_bind(None::<i64>),
                                (Value::Null, ColumnKind::Text) => bound.push_bind(None::<String>),
                                (Value::Null, ColumnKind::Bytes) => bound.push_bind(None::<Vec<u8>>),
                            };
                        }
                    });
                    (&mut *tx).execute(sql.build()).await.map_err(|e| in_table(spec.name, e))?;
                }
                for column in spec.self_references {
                    let position = spec.column_names().position(|c| c == *column).unwrap_or_default();
                    for row in &table.rows {
                        if let (Value::Int(id), Value::Int(target)) = (&row[0], &row[position]) {
                            let sql = format!("UPDATE {} SET {column} = $1 WHERE id = $2", spec.name);
                            (&mut *tx).execute(::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(*target).bind(*id))
                                .await
                                .map_err(|e| in_table(spec.name, e))?;
                        }
                    }
                }
                Ok(())
            }

            /// A failed load, naming the table it failed in.
            fn in_table(table: &str, error: ::sqlx::Error) -> StoreError {
                match map_err(error) {
                    StoreError::Database(why) | StoreError::Corrupt(why) => StoreError::Corrupt(format!("{table}: {why}")),
                    StoreError::Conflict { field } => StoreError::Corrupt(format!("{table}: two rows share one {field}")),
                    other => other,
                }
            }

            #[::async_trait::async_trait]
            impl Store for $store {
                fn backend(&self) -> &'static str {
                    $backend
                }

                fn commits(&self) -> u64 {
                    self.commits.load(::std::sync::atomic::Ordering::Acquire)
                }

                async fn ping(&self) -> StoreResult<()> {
                    ::sqlx::query("SELECT 1").execute(&self.pool).await.map_err(map_err)?;
                    Ok(())
                }

                async fn integrity_check(&self) -> StoreResult<()> {
                    self.check_integrity().await
                }

                async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
                    Ok(Box::new(self.open_tx().await?))
                }

                async fn organisation(&self) -> StoreResult<Organisation> {
                    let row = ::sqlx::query(
                        "SELECT name, description, logo_type, updated_at FROM organisation WHERE id = 1",
                    )
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_err)?;
                    Ok(Organisation {
                        name: get(&row, "name")?,
                        description: get(&row, "description")?,
                        has_logo: get::<Option<String>>(&row, "logo_type")?.is_some(),
                        updated_at: ts(&row, "updated_at")?,
                    })
                }

                async fn organisation_logo(&self) -> StoreResult<Option<Logo>> {
                    let row = ::sqlx::query("SELECT logo, logo_type FROM organisation WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await
                        .map_err(map_err)?;
                    let content_type: Option<String> = get(&row, "logo_type")?;
                    let bytes: Option<Vec<u8>> = get(&row, "logo")?;
                    Ok(content_type.zip(bytes).map(|(content_type, bytes)| Logo { content_type, bytes }))
                }

                async fn account_by_id(&self, id: i64) -> StoreResult<Option<Account>> {
                    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(account).transpose()
                }

                async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>> {
                    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.email = $1");
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(account).transpose()
                }

                async fn accounts_by_handles(&self, handles: &[String]) -> StoreResult<Vec<Account>> {
                    if handles.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new(format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.handle IN ("));
                    push_list(&mut sql, handles.iter().cloned());
                    sql.push(") ORDER BY a.id");
                    let rows = sql.build().fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, account)
                }

                async fn accounts(&self, after_id: i64, limit: i64) -> StoreResult<Vec<Account>> {
                    let sql = format!(
                        "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id > $1 ORDER BY a.id LIMIT $2"
                    );
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(after_id).bind(limit).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, account)
                }

                async fn count_accounts(&self) -> StoreResult<i64> {
                    let row = ::sqlx::query("SELECT COUNT(*) AS n FROM accounts")
                        .fetch_one(&self.pool)
                        .await
                        .map_err(map_err)?;
                    get(&row, "n")
                }

                async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<(Session, Account)>> {
                    let sql = format!(
                        "SELECT s.token_hash, s.created_at AS session_created_at, s.expires_at, {ACCOUNT_COLUMNS} \
                         FROM sessions s JOIN accounts a ON a.id = s.account_id \
                         WHERE s.token_hash = $1 AND s.expires_at > $2"
                    );
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql))
                        .bind(token_hash)
                        .bind(now.millis())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_err)?;
                    row.map(|row| {
                        let account = account(&row)?;
                        let session = Session {
                            token_hash: get(&row, "token_hash")?,
                            account_id: account.id,
                            created_at: ts(&row, "session_created_at")?,
                            expires_at: ts(&row, "expires_at")?,
                        };
                        Ok((session, account))
                    })
                    .transpose()
                }

                async fn api_token(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, Account)>> {
                    let sql = format!(
                        "SELECT {API_TOKEN_COLUMNS}, {ACCOUNT_COLUMNS} FROM api_tokens t \
                         JOIN accounts a ON a.id = t.account_id \
                         WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
                    );
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.map(|row| Ok((api_token(&row)?, account(&row)?))).transpose()
                }

                async fn api_tokens(&self, account_id: i64) -> StoreResult<Vec<ApiToken>> {
                    let sql = format!(
                        "SELECT {API_TOKEN_COLUMNS} FROM api_tokens t WHERE t.account_id = $1 ORDER BY t.id DESC"
                    );
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(account_id).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, api_token)
                }

                async fn invitations(&self) -> StoreResult<Vec<Invitation>> {
                    let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations ORDER BY id DESC LIMIT 500");
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, invitation)
                }

                async fn open_invitation(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<Invitation>> {
                    let sql = format!(
                        "SELECT {INVITATION_COLUMNS} FROM invitations \
                         WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2"
                    );
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql))
                        .bind(token_hash)
                        .bind(now.millis())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_err)?;
                    row.as_ref().map(invitation).transpose()
                }

                async fn spaces(&self) -> StoreResult<Vec<Space>> {
                    let sql = format!("SELECT {SPACE_COLUMNS} FROM spaces ORDER BY name, id");
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, space)
                }

                async fn space_by_slug(&self, slug: &str) -> StoreResult<Option<Space>> {
                    let sql = format!("SELECT {SPACE_COLUMNS} FROM spaces WHERE slug = $1");
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(space).transpose()
                }

                async fn space_by_id(&self, id: i64) -> StoreResult<Option<Space>> {
                    let sql = format!("SELECT {SPACE_COLUMNS} FROM spaces WHERE id = $1");
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(space).transpose()
                }

                async fn space_member_ids(&self, account_id: i64) -> StoreResult<Vec<i64>> {
                    let rows = ::sqlx::query("SELECT space_id FROM space_members WHERE account_id = $1")
                        .bind(account_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_err)?;
                    rows.iter().map(|row| get(row, "space_id")).collect()
                }

                async fn is_space_member(&self, space_id: i64, account_id: i64) -> StoreResult<bool> {
                    let row = ::sqlx::query("SELECT 1 AS one FROM space_members WHERE space_id = $1 AND account_id = $2")
                        .bind(space_id)
                        .bind(account_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_err)?;
                    Ok(row.is_some())
                }

                async fn space_members(&self, space_id: i64) -> StoreResult<Vec<Account>> {
                    let sql = format!(
                        "SELECT {ACCOUNT_COLUMNS} FROM space_members m JOIN accounts a ON a.id = m.account_id \
                         WHERE m.space_id = $1 ORDER BY a.name, a.id"
                    );
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(space_id).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, account)
                }

                async fn challenges(&self, space_id: i64) -> StoreResult<Vec<Challenge>> {
                    let sql = format!("SELECT {CHALLENGE_COLUMNS} FROM challenges WHERE space_id = $1 ORDER BY id DESC");
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(space_id).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, challenge)
                }

                async fn challenge(&self, id: i64) -> StoreResult<Option<Challenge>> {
                    let sql = format!("SELECT {CHALLENGE_COLUMNS} FROM challenges WHERE id = $1");
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(challenge).transpose()
                }

                async fn idea(&self, id: i64) -> StoreResult<Option<Idea>> {
                    let sql = format!("{} WHERE i.id = $1", idea_from());
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(idea).transpose()
                }

                async fn idea_with_space(&self, id: i64) -> StoreResult<Option<(Idea, Space)>> {
                    let sql = format!(
                        "SELECT {IDEA_COLUMNS}, s.slug AS space_slug, s.name AS space_name, s.description AS space_description, \
                         s.audience AS space_audience, s.created_by AS space_created_by, s.created_at AS space_created_at \
                         FROM ideas i JOIN accounts a ON a.id = i.author_id JOIN spaces s ON s.id = i.space_id WHERE i.id = $1"
                    );
                    let Some(row) = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(map_err)? else {
                        return Ok(None);
                    };
                    let idea = idea(&row)?;
                    let space = Space {
                        id: idea.space_id,
                        slug: get(&row, "space_slug")?,
                        name: get(&row, "space_name")?,
                        description: get(&row, "space_description")?,
                        audience: parse::<Audience>(&row, "space_audience")?,
                        created_by: get(&row, "space_created_by")?,
                        created_at: ts(&row, "space_created_at")?,
                    };
                    Ok(Some((idea, space)))
                }

                async fn ideas(&self, query: &IdeaQuery) -> StoreResult<Vec<Idea>> {
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new(format!("{} WHERE ", idea_from()));
                    sql.push("i.space_id = ").push_bind(query.space_id);
                    if let Some(challenge_id) = query.challenge_id {
                        sql.push(" AND i.challenge_id = ").push_bind(challenge_id);
                    }
                    sql.push(" AND i.hidden_at IS NULL");
                    if !query.all_drafts {
                        // As the policy has it: a draft is read by everyone it names, its lead
                        // author and the co-authors (invited or accepted).
                        let viewer = query.viewer_id.unwrap_or(-1);
                        sql.push(" AND (i.stage <> 'draft' OR i.author_id = ")
                            .push_bind(viewer)
                            .push(" OR EXISTS (SELECT 1 FROM idea_authors ia WHERE ia.idea_id = i.id AND ia.account_id = ")
                            .push_bind(viewer)
                            .push("))");
                    }
                    if let Some(stage) = query.stage {
                        sql.push(" AND i.stage = ").push_bind(stage.as_str());
                    }
                    if let Some(tag) = &query.tag {
                        sql.push(" AND i.tags LIKE ").push_bind(format!("%,{tag},%"));
                    }
                    let key = match query.order {
                        IdeaOrder::Newest => "i.created_at",
                        IdeaOrder::Top => "i.supporters",
                        IdeaOrder::Hot => "i.hot",
                        IdeaOrder::Trending => "i.trending",
                    };
                    if let Some((after_key, after_id)) = query.after {
                        sql.push(format!(" AND ({key} < ")).push_bind(after_key);
                        sql.push(format!(" OR ({key} = ")).push_bind(after_key);
                        sql.push(" AND i.id < ").push_bind(after_id).push("))");
                    }
                    sql.push(format!(" ORDER BY {key} DESC, i.id DESC LIMIT ")).push_bind(query.limit);
                    let rows = sql.build().fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, idea)
                }

                async fn supported_among(&self, account_id: i64, idea_ids: &[i64]) -> StoreResult<Vec<i64>> {
                    if idea_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    // One (idea, account) lookup per listed idea, so the cost does not grow with
                    // how many ideas the account supports: asked for `account_id = ? AND idea_id
                    // IN (…)`, PostgreSQL reads all of the account's supports and filters them.
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new("SELECT i.id AS idea_id FROM ideas i WHERE i.id IN (");
                    push_list(&mut sql, idea_ids.iter().copied());
                    sql.push(") AND (SELECT COUNT(*) FROM supports s WHERE s.idea_id = i.id AND s.account_id = ")
                        .push_bind(account_id)
                        .push(") > 0");
                    let rows = sql.build().fetch_all(&self.pool).await.map_err(map_err)?;
                    rows.iter().map(|row| get(row, "idea_id")).collect()
                }

                async fn idea_events(&self, idea_id: i64) -> StoreResult<Vec<IdeaEvent>> {
                    let rows = ::sqlx::query(
                        "SELECT e.id, e.idea_id, e.actor_id, a.name AS actor_name, e.from_stage, e.to_stage, e.rationale, e.created_at \
                         FROM idea_events e LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.idea_id = $1 ORDER BY e.id",
                    )
                    .bind(idea_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            let from: Option<String> = get(row, "from_stage")?;
                            Ok(IdeaEvent {
                                id: get(row, "id")?,
                                idea_id: get(row, "idea_id")?,
                                actor_id: get(row, "actor_id")?,
                                actor_name: get(row, "actor_name")?,
                                from_stage: from
                                    .map(|s| s.parse::<Stage>().map_err(|e| StoreError::Corrupt(e.to_string())))
                                    .transpose()?,
                                to_stage: parse::<Stage>(row, "to_stage")?,
                                rationale: get(row, "rationale")?,
                                created_at: ts(row, "created_at")?,
                            })
                        })
                        .collect()
                }

                async fn attachments(&self, idea_id: i64) -> StoreResult<Vec<Attachment>> {
                    let sql = format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE idea_id = $1 ORDER BY id");
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(idea_id).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, attachment)
                }

                async fn attachment(&self, id: i64) -> StoreResult<Option<Attachment>> {
                    let sql = format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1");
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(attachment).transpose()
                }

                async fn co_authors(&self, idea_id: i64) -> StoreResult<Vec<CoAuthor>> {
                    let rows = ::sqlx::query(
                        "SELECT c.account_id, a.name, c.accepted_at, c.invited_at FROM idea_authors c \
                         JOIN accounts a ON a.id = c.account_id WHERE c.idea_id = $1 ORDER BY c.invited_at, c.account_id",
                    )
                    .bind(idea_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            Ok(CoAuthor {
                                account_id: get(row, "account_id")?,
                                name: get(row, "name")?,
                                accepted_at: opt_ts(row, "accepted_at")?,
                                invited_at: ts(row, "invited_at")?,
                            })
                        })
                        .collect()
                }

                async fn idea_revisions(&self, idea_id: i64) -> StoreResult<Vec<IdeaRevision>> {
                    let rows = ::sqlx::query(
                        "SELECT r.id, r.idea_id, r.editor_id, a.name AS editor_name, r.title, r.body, r.tags, r.created_at \
                         FROM idea_revisions r JOIN accounts a ON a.id = r.editor_id WHERE r.idea_id = $1 ORDER BY r.id",
                    )
                    .bind(idea_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            Ok(IdeaRevision {
                                id: get(row, "id")?,
                                idea_id: get(row, "idea_id")?,
                                editor_id: get(row, "editor_id")?,
                                editor_name: get(row, "editor_name")?,
                                title: get(row, "title")?,
                                body: get(row, "body")?,
                                tags: get(row, "tags")?,
                                created_at: ts(row, "created_at")?,
                            })
                        })
                        .collect()
                }

                async fn comments(&self, subject: Subject) -> StoreResult<Vec<Comment>> {
                    let (column, id) = match subject {
                        Subject::Idea(id) => ("idea_id", id),
                        Subject::Challenge(id) => ("challenge_id", id),
                    };
                    let sql = format!("{COMMENT_FROM} WHERE c.{column} = $1 ORDER BY c.id");
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(&self.pool).await.map_err(map_err)?;
                    all(rows, comment)
                }

                async fn comment(&self, id: i64) -> StoreResult<Option<Comment>> {
                    let sql = format!("{COMMENT_FROM} WHERE c.id = $1");
                    let row = ::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(map_err)?;
                    row.as_ref().map(comment).transpose()
                }

                async fn is_following(&self, idea_id: i64, account_id: i64) -> StoreResult<bool> {
                    let row = ::sqlx::query("SELECT 1 AS one FROM follows WHERE idea_id = $1 AND account_id = $2")
                        .bind(idea_id)
                        .bind(account_id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(map_err)?;
                    Ok(row.is_some())
                }

                async fn notifications(&self, account_id: i64, before_id: i64, limit: i64) -> StoreResult<Vec<Notification>> {
                    let rows = ::sqlx::query(
                        "SELECT id, account_id, idea_id, challenge_id, comment_id, text, created_at, read_at FROM notifications \
                         WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                    )
                    .bind(account_id)
                    .bind(before_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                    all(rows, notification)
                }

                async fn unread_notifications(&self, account_id: i64) -> StoreResult<i64> {
                    let row = ::sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE account_id = $1 AND read_at IS NULL")
                        .bind(account_id)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(map_err)?;
                    get(&row, "n")
                }

                async fn ideas_to_rank(&self, recent_since: Timestamp, after_id: i64, limit: i64) -> StoreResult<Vec<RankInput>> {
                    let rows = ::sqlx::query(
                        "SELECT i.id, i.supporters, i.comments, i.created_at, i.hot, i.trending, \
                         (SELECT COUNT(*) FROM supports s WHERE s.idea_id = i.id AND s.created_at >= $1) AS recent \
                         FROM ideas i WHERE i.id > $2 ORDER BY i.id LIMIT $3",
                    )
                    .bind(recent_since.millis())
                    .bind(after_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            Ok(RankInput {
                                id: get(row, "id")?,
                                supporters: get(row, "supporters")?,
                                comments: get(row, "comments")?,
                                created_at: ts(row, "created_at")?,
                                recent_supporters: get(row, "recent")?,
                                hot: get(row, "hot")?,
                                trending: get(row, "trending")?,
                            })
                        })
                        .collect()
                }

                async fn ideas_supported_between(&self, from: Timestamp, to: Timestamp, after_id: i64, limit: i64) -> StoreResult<Vec<i64>> {
                    let rows = ::sqlx::query(
                        "SELECT DISTINCT idea_id FROM supports WHERE created_at >= $1 AND created_at < $2 AND idea_id > $3 \
                         ORDER BY idea_id LIMIT $4",
                    )
                    .bind(from.millis())
                    .bind(to.millis())
                    .bind(after_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                    rows.iter().map(|row| get(row, "idea_id")).collect()
                }

                async fn open_flags(&self, space_ids: &[i64], limit: i64) -> StoreResult<Vec<Flag>> {
                    if space_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new(
                        "SELECT f.id, f.target_kind, f.target_id, f.space_id, f.idea_id, f.challenge_id, f.reporter_id, a.name AS reporter_name, \
                         f.reason, f.created_at FROM flags f JOIN accounts a ON a.id = f.reporter_id \
                         WHERE f.resolved_at IS NULL AND f.space_id IN (",
                    );
                    push_list(&mut sql, space_ids.iter().copied());
                    sql.push(") ORDER BY f.id LIMIT ").push_bind(limit);
                    let rows = sql.build().fetch_all(&self.pool).await.map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            Ok(Flag {
                                id: get(row, "id")?,
                                target_kind: parse::<ContentKind>(row, "target_kind")?,
                                target_id: get(row, "target_id")?,
                                space_id: get(row, "space_id")?,
                                subject: subject(row)?,
                                reporter_id: get(row, "reporter_id")?,
                                reporter_name: get(row, "reporter_name")?,
                                reason: get(row, "reason")?,
                                created_at: ts(row, "created_at")?,
                            })
                        })
                        .collect()
                }

                async fn search_ideas(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
                    if query.terms.is_empty() || query.space_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new("");
                    $push_search(&mut sql, &SearchTarget::IDEAS, IDEA_COLUMNS, query);
                    push_idea_filters(&mut sql, query);
                    sql.push(" ORDER BY rank, i.id DESC LIMIT ").push_bind(query.limit);
                    let rows = sql.build().fetch_all(&self.pool).await.map_err(map_err)?;
                    rows.iter()
                        .map(|row| Ok(SearchHit { idea: idea(row)?, snippet: Snippet::from_marked(&get::<String>(row, "snippet")?) }))
                        .collect()
                }

                async fn search_comments(&self, query: &SearchQuery) -> StoreResult<Vec<CommentHit>> {
                    if query.terms.is_empty() || query.space_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new("");
                    $push_search(
                        &mut sql,
                        &SearchTarget::COMMENTS,
                        "c.id AS comment_id, c.idea_id, c.challenge_id, COALESCE(i.title, ch.title) AS title",
                        query,
                    );
                    // A comment is found where its idea would be, or on a challenge in the
                    // viewer's spaces when no idea-only filter (stage, tag) is set.
                    sql.push(" AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND ((c.idea_id IS NOT NULL");
                    push_idea_filters(&mut sql, query);
                    sql.push(")");
                    if query.stage.is_none() && query.tag.is_none() {
                        sql.push(" OR (c.challenge_id IS NOT NULL AND ch.space_id IN (");
                        push_list(&mut sql, query.space_ids.iter().copied());
                        sql.push(")");
                        if let Some(challenge_id) = query.challenge_id {
                            sql.push(" AND ch.id = ").push_bind(challenge_id);
                        }
                        sql.push(")");
                    }
                    sql.push(") ORDER BY rank, c.id DESC LIMIT ").push_bind(query.limit);
                    let rows = sql.build().fetch_all(&self.pool).await.map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            Ok(CommentHit {
                                comment_id: get(row, "comment_id")?,
                                subject: subject(row)?,
                                title: get(row, "title")?,
                                snippet: Snippet::from_marked(&get::<String>(row, "snippet")?),
                            })
                        })
                        .collect()
                }

                async fn search_challenges(&self, query: &SearchQuery) -> StoreResult<Vec<ChallengeHit>> {
                    if query.terms.is_empty() || query.space_ids.is_empty() || query.stage.is_some() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new("");
                    let columns = CHALLENGE_COLUMNS
                        .split(", ")
                        .map(|column| format!("ch.{column}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                        + ", s.slug AS space_slug";
                    $push_search(&mut sql, &SearchTarget::CHALLENGES, &columns, query);
                    sql.push(" AND ch.space_id IN (");
                    push_list(&mut sql, query.space_ids.iter().copied());
                    sql.push(")");
                    if let Some(challenge_id) = query.challenge_id {
                        sql.push(" AND ch.id = ").push_bind(challenge_id);
                    }
                    if let Some(tag) = &query.tag {
                        // Offered tags are stored `a,b`.
                        sql.push(" AND (',' || ch.tags || ',') LIKE ").push_bind(format!("%,{tag},%"));
                    }
                    sql.push(" ORDER BY rank, ch.id DESC LIMIT ").push_bind(query.limit);
                    let rows = sql.build().fetch_all(&self.pool).await.map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            Ok(ChallengeHit {
                                challenge: challenge(row)?,
                                space_slug: get(row, "space_slug")?,
                                snippet: Snippet::from_marked(&get::<String>(row, "snippet")?),
                            })
                        })
                        .collect()
                }

                async fn ideas_past_deadline(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Idea>> {
                    let sql = format!(
                        "{} WHERE i.stage = 'gathering_support' AND i.tier_deadline < $1 ORDER BY i.tier_deadline, i.id LIMIT $2",
                        idea_from()
                    );
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql))
                        .bind(now.millis())
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_err)?;
                    all(rows, idea)
                }

                async fn audit_log(&self, before_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
                    let rows = ::sqlx::query(
                        "SELECT l.id, l.actor_id, a.name AS actor_name, l.action, l.target, l.detail, l.created_at \
                         FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id \
                         WHERE l.id < $1 ORDER BY l.id DESC LIMIT $2",
                    )
                    .bind(before_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                    rows.iter()
                        .map(|row| {
                            Ok(AuditEntry {
                                id: get(row, "id")?,
                                actor_id: get(row, "actor_id")?,
                                actor_name: get(row, "actor_name")?,
                                action: get(row, "action")?,
                                target: get(row, "target")?,
                                detail: get(row, "detail")?,
                                created_at: ts(row, "created_at")?,
                            })
                        })
                        .collect()
                }

                async fn outbox(&self, before_id: i64, limit: i64) -> StoreResult<Vec<OutboxMail>> {
                    let sql = format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2");
                    let rows = ::sqlx::query(::sqlx::AssertSqlSafe(sql))
                        .bind(before_id)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(map_err)?;
                    all(rows, mail)
                }

                async fn miscounted_ideas(&self) -> StoreResult<i64> {
                    let row = ::sqlx::query(
                        "SELECT COUNT(*) AS n FROM ideas i \
                         WHERE i.supporters <> (SELECT COUNT(*) FROM supports s WHERE s.idea_id = i.id) \
                         OR i.comments <> (SELECT COUNT(*) FROM comments c WHERE c.idea_id = i.id AND c.deleted_at IS NULL)",
                    )
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_err)?;
                    get(&row, "n")
                }

                async fn finish_load(&self) -> StoreResult<()> {
                    if !$rebuild_search.is_empty() {
                        ::sqlx::query($rebuild_search).execute(&self.pool).await.map_err(map_err)?;
                    }
                    ::sqlx::query("ANALYZE").execute(&self.pool).await.map_err(map_err)?;
                    Ok(())
                }

                async fn export_tables(&self) -> StoreResult<Vec<transfer::TableRows>> {
                    use ::sqlx::Executor as _;
                    let mut tx = self.pool.begin().await.map_err(map_err)?;
                    if !$snapshot.is_empty() {
                        (&mut *tx).execute($snapshot).await.map_err(map_err)?;
                    }
                    check_export_covers(&mut tx).await?;
                    let mut tables = Vec::with_capacity(transfer::TABLES.len());
                    for spec in transfer::TABLES {
                        let sql = format!(
                            "SELECT {} FROM {} ORDER BY {}",
                            spec.column_names().collect::<Vec<_>>().join(", "),
                            spec.name,
                            spec.key.join(", ")
                        );
                        let rows = (&mut *tx).fetch_all(::sqlx::query(::sqlx::AssertSqlSafe(sql))).await.map_err(map_err)?;
                        let rows = rows
                            .iter()
                            .map(|row| spec.columns.iter().enumerate().map(|(i, (_, kind))| export_value(row, i, *kind)).collect())
                            .collect::<StoreResult<Vec<_>>>()?;
                        let mut table = transfer::TableRows { spec, rows };
                        table.sort();
                        tables.push(table);
                    }
                    tx.commit().await.map_err(map_err)?;
                    Ok(tables)
                }

                async fn import_tables(&self, tables: &[transfer::TableRows]) -> StoreResult<()> {
                    use ::sqlx::Executor as _;
                    let mut tx = self.open_tx().await?;
                    for spec in transfer::TABLES.iter().filter(|spec| spec.name != "organisation") {
                        let sql = format!("SELECT 1 AS found FROM {} LIMIT 1", spec.name);
                        if tx.maybe(::sqlx::query(::sqlx::AssertSqlSafe(sql))).await?.is_some() {
                            return Err(StoreError::NotEmpty { table: spec.name });
                        }
                    }
                    // The organisation's one row, made at migration, is replaced by the loaded one.
                    tx.exec(::sqlx::query("DELETE FROM organisation")).await?;
                    for table in tables {
                        load_table(&mut tx.tx, table).await?;
                        if !$continue_ids.is_empty() && table.spec.generates_ids() {
                            let sql = $continue_ids.replace("{table}", table.spec.name);
                            tx.one(::sqlx::query(::sqlx::AssertSqlSafe(sql))).await?;
                        }
                    }
                    if !$rebuild_search.is_empty() {
                        tx.exec(::sqlx::query($rebuild_search)).await?;
                    }
                    let organisations = tx.one(::sqlx::query("SELECT COUNT(*) AS n FROM organisation")).await?;
                    if get::<i64>(&organisations, "n")? != 1 {
                        return Err(StoreError::Corrupt("the organisation must have exactly one row".into()));
                    }
                    Tx::commit(Box::new(tx)).await
                }
            }

            impl super::$tx {
                async fn insert_revision(&mut self, idea_id: i64, editor_id: i64, title: &str, body: &str, tags: &str, at: Timestamp) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query(
                            "INSERT INTO idea_revisions (idea_id, editor_id, title, body, tags, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(idea_id)
                        .bind(editor_id)
                        .bind(title)
                        .bind(body)
                        .bind(tags)
                        .bind(at.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn exec(&mut self, query: ::sqlx::query::Query<'_, $db, <$db as ::sqlx::Database>::Arguments>) -> StoreResult<u64> {
                    use ::sqlx::Executor as _;
                    let result = (&mut *self.tx).execute(query).await.map_err(map_err)?;
                    Ok(result.rows_affected())
                }

                async fn one(&mut self, query: ::sqlx::query::Query<'_, $db, <$db as ::sqlx::Database>::Arguments>) -> StoreResult<DbRow> {
                    use ::sqlx::Executor as _;
                    (&mut *self.tx).fetch_one(query).await.map_err(map_err)
                }

                async fn maybe(&mut self, query: ::sqlx::query::Query<'_, $db, <$db as ::sqlx::Database>::Arguments>) -> StoreResult<Option<DbRow>> {
                    use ::sqlx::Executor as _;
                    (&mut *self.tx).fetch_optional(query).await.map_err(map_err)
                }

                async fn many(&mut self, query: ::sqlx::query::Query<'_, $db, <$db as ::sqlx::Database>::Arguments>) -> StoreResult<Vec<DbRow>> {
                    use ::sqlx::Executor as _;
                    (&mut *self.tx).fetch_all(query).await.map_err(map_err)
                }
            }

            /// A statement of an area's SQL with its arguments bound.
            fn with_args<'q>(sql: &str, args: &[SqlArg<'_>]) -> ::sqlx::query::Query<'q, $db, <$db as ::sqlx::Database>::Arguments> {
                let mut query = ::sqlx::query(::sqlx::AssertSqlSafe(sql.to_owned()));
                for arg in args {
                    query = match *arg {
                        SqlArg::Null => query.bind(None::<i64>),
                        SqlArg::Int(value) => query.bind(value),
                        SqlArg::Text(value) => query.bind(value.to_owned()),
                    };
                }
                query
            }

            #[::async_trait::async_trait]
            impl ::cocreate_store::SqlTx for super::$tx {
                async fn execute_with(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<u64> {
                    self.exec(with_args(sql, args)).await
                }

                async fn fetch_with(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<Vec<Vec<SqlValue>>> {
                    let rows = self.many(with_args(sql, args)).await?;
                    rows.iter()
                        .map(|row| {
                            (0..::sqlx::Row::len(row))
                                .map(|index| {
                                    if let Ok(value) = row.try_get::<Option<i64>, _>(index) {
                                        Ok(value.map_or(SqlValue::Null, SqlValue::Int))
                                    } else {
                                        row.try_get::<Option<String>, _>(index)
                                            .map(|value| value.map_or(SqlValue::Null, SqlValue::Text))
                                            .map_err(|e| StoreError::Corrupt(format!("column {index}: {e}")))
                                    }
                                })
                                .collect()
                        })
                        .collect()
                }

                fn locks_job_rows(&self) -> bool {
                    !$lease_clause.is_empty()
                }
            }

            #[::async_trait::async_trait]
            impl Tx for super::$tx {
                async fn commit(self: Box<Self>) -> StoreResult<()> {
                    let commits = self.commits.clone();
                    self.tx.commit().await.map_err(map_err)?;
                    commits.fetch_add(1, ::std::sync::atomic::Ordering::AcqRel);
                    Ok(())
                }

                async fn update_organisation(&mut self, name: &str, description: &str, now: Timestamp) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query("UPDATE organisation SET name = $1, description = $2, updated_at = $3 WHERE id = 1")
                            .bind(name)
                            .bind(description)
                            .bind(now.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn set_organisation_logo(&mut self, logo: Option<&Logo>, now: Timestamp) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query("UPDATE organisation SET logo = $1, logo_type = $2, updated_at = $3 WHERE id = 1")
                            .bind(logo.map(|l| l.bytes.clone()))
                            .bind(logo.map(|l| l.content_type.clone()))
                            .bind(now.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn insert_account(&mut self, new: &NewAccount<'_>) -> StoreResult<Account> {
                    // The wanted handle when free; otherwise the handle, `-` and the new id,
                    // unique because wanted handles never contain `-`. Taking it waits for (and
                    // never fails on) a concurrent sign-up wanting the same.
                    let insert = "INSERT INTO accounts (email, name, password_hash, kind, role, created_at, handle) \
                                  VALUES ($1, $2, $3, $4, $5, $6, $7)";
                    let first = format!("{insert} ON CONFLICT (handle) DO NOTHING RETURNING id");
                    let bind = |sql: String, handle: Option<&str>| {
                        ::sqlx::query(::sqlx::AssertSqlSafe(sql))
                            .bind(new.email.to_owned())
                            .bind(new.name.to_owned())
                            .bind(new.password_hash.to_owned())
                            .bind(new.kind.as_str())
                            .bind(new.role.as_str())
                            .bind(new.created_at.millis())
                            .bind(handle.map(str::to_owned))
                    };
                    let (id, handle) = match self.maybe(bind(first, Some(new.handle))).await? {
                        Some(row) => (get::<i64>(&row, "id")?, new.handle.to_owned()),
                        None => {
                            let row = self.one(bind(format!("{insert} RETURNING id"), None)).await?;
                            let id: i64 = get(&row, "id")?;
                            let handle = format!("{}-{id}", new.handle);
                            self.exec(::sqlx::query("UPDATE accounts SET handle = $1 WHERE id = $2").bind(&handle).bind(id))
                                .await?;
                            (id, handle)
                        }
                    };
                    Ok(Account {
                        id,
                        email: new.email.to_owned(),
                        name: new.name.to_owned(),
                        handle,
                        password_hash: new.password_hash.to_owned(),
                        kind: new.kind,
                        role: new.role,
                        created_at: new.created_at,
                    })
                }

                async fn account_by_id(&mut self, id: i64) -> StoreResult<Option<Account>> {
                    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
                    let row = self.maybe(::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id)).await?;
                    row.as_ref().map(account).transpose()
                }

                async fn set_password_hash(&mut self, account_id: i64, password_hash: &str) -> StoreResult<()> {
                    self.exec(::sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2").bind(password_hash).bind(account_id))
                        .await?;
                    Ok(())
                }

                async fn set_email(&mut self, account_id: i64, email: &str) -> StoreResult<()> {
                    self.exec(::sqlx::query("UPDATE accounts SET email = $1 WHERE id = $2").bind(email).bind(account_id))
                        .await?;
                    Ok(())
                }

                async fn set_role(&mut self, account_id: i64, role: OrgRole) -> StoreResult<()> {
                    self.exec(::sqlx::query("UPDATE accounts SET role = $1 WHERE id = $2").bind(role.as_str()).bind(account_id))
                        .await?;
                    Ok(())
                }

                async fn set_kind(&mut self, account_id: i64, kind: AccountKind) -> StoreResult<()> {
                    self.exec(::sqlx::query("UPDATE accounts SET kind = $1 WHERE id = $2").bind(kind.as_str()).bind(account_id))
                        .await?;
                    Ok(())
                }

                async fn insert_session(&mut self, session: &Session) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                            .bind(&session.token_hash)
                            .bind(session.account_id)
                            .bind(session.created_at.millis())
                            .bind(session.expires_at.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
                    self.exec(::sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)).await?;
                    Ok(())
                }

                async fn delete_sessions_of(&mut self, account_id: i64, keep_hash: Option<&str>) -> StoreResult<u64> {
                    self.exec(
                        ::sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
                            .bind(account_id)
                            .bind(keep_hash.unwrap_or("")),
                    )
                    .await
                }

                async fn insert_account_token(&mut self, token: &AccountToken) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query(
                            "INSERT INTO account_tokens (token_hash, account_id, purpose, new_email, created_at, expires_at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(&token.token_hash)
                        .bind(token.account_id)
                        .bind(token.purpose.as_str())
                        .bind(token.new_email.as_deref())
                        .bind(token.created_at.millis())
                        .bind(token.expires_at.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn consume_account_token(
                    &mut self,
                    token_hash: &str,
                    purpose: TokenPurpose,
                    now: Timestamp,
                ) -> StoreResult<Option<AccountToken>> {
                    let row = self
                        .maybe(
                            ::sqlx::query(
                                "UPDATE account_tokens SET used_at = $1 \
                                 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
                                 RETURNING token_hash, account_id, purpose, new_email, created_at, expires_at",
                            )
                            .bind(now.millis())
                            .bind(token_hash)
                            .bind(purpose.as_str()),
                        )
                        .await?;
                    row.as_ref().map(account_token).transpose()
                }

                async fn revoke_account_tokens(&mut self, account_id: i64, now: Timestamp) -> StoreResult<u64> {
                    self.exec(
                        ::sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL")
                            .bind(now.millis())
                            .bind(account_id),
                    )
                    .await
                }

                async fn insert_invitation(&mut self, new: &NewInvitation<'_>) -> StoreResult<Invitation> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO invitations (email, kind, role, token_hash, invited_by, created_at, expires_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                            )
                            .bind(new.email)
                            .bind(new.kind.as_str())
                            .bind(new.role.as_str())
                            .bind(new.token_hash)
                            .bind(new.invited_by)
                            .bind(new.created_at.millis())
                            .bind(new.expires_at.millis()),
                        )
                        .await?;
                    Ok(Invitation {
                        id: get(&row, "id")?,
                        email: new.email.to_owned(),
                        kind: new.kind,
                        role: new.role,
                        invited_by: new.invited_by,
                        created_at: new.created_at,
                        expires_at: new.expires_at,
                        accepted_at: None,
                    })
                }

                async fn accept_invitation(&mut self, invitation_id: i64, account_id: i64, now: Timestamp) -> StoreResult<bool> {
                    let changed = self
                        .exec(
                            ::sqlx::query(
                                "UPDATE invitations SET accepted_at = $1, accepted_by = $2 \
                                 WHERE id = $3 AND accepted_at IS NULL AND expires_at > $1",
                            )
                            .bind(now.millis())
                            .bind(account_id)
                            .bind(invitation_id),
                        )
                        .await?;
                    Ok(changed == 1)
                }

                async fn insert_api_token(&mut self, new: &NewApiToken<'_>) -> StoreResult<ApiToken> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_at) \
                                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                            )
                            .bind(new.account_id)
                            .bind(new.name)
                            .bind(new.prefix)
                            .bind(new.token_hash)
                            .bind(new.created_at.millis()),
                        )
                        .await?;
                    Ok(ApiToken {
                        id: get(&row, "id")?,
                        account_id: new.account_id,
                        name: new.name.to_owned(),
                        prefix: new.prefix.to_owned(),
                        created_at: new.created_at,
                        last_used_at: None,
                        revoked_at: None,
                    })
                }

                async fn revoke_api_token(&mut self, token_id: i64, account_id: i64, now: Timestamp) -> StoreResult<bool> {
                    let changed = self
                        .exec(
                            ::sqlx::query(
                                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
                            )
                            .bind(now.millis())
                            .bind(token_id)
                            .bind(account_id),
                        )
                        .await?;
                    Ok(changed == 1)
                }

                async fn touch_api_token(&mut self, token_id: i64, now: Timestamp) -> StoreResult<()> {
                    self.exec(::sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(now.millis()).bind(token_id))
                        .await?;
                    Ok(())
                }

                async fn insert_space(&mut self, new: &NewSpace<'_>) -> StoreResult<Space> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO spaces (slug, name, description, audience, created_by, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                            )
                            .bind(new.slug)
                            .bind(new.name)
                            .bind(new.description)
                            .bind(new.audience.as_str())
                            .bind(new.created_by)
                            .bind(new.created_at.millis()),
                        )
                        .await?;
                    Ok(Space {
                        id: get(&row, "id")?,
                        slug: new.slug.to_owned(),
                        name: new.name.to_owned(),
                        description: new.description.to_owned(),
                        audience: new.audience,
                        created_by: new.created_by,
                        created_at: new.created_at,
                    })
                }

                async fn update_space(&mut self, space_id: i64, name: &str, description: &str, audience: Audience) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query("UPDATE spaces SET name = $1, description = $2, audience = $3 WHERE id = $4")
                            .bind(name)
                            .bind(description)
                            .bind(audience.as_str())
                            .bind(space_id),
                    )
                    .await?;
                    Ok(())
                }

                async fn add_space_member(&mut self, space_id: i64, account_id: i64, now: Timestamp) -> StoreResult<bool> {
                    let changed = self
                        .exec(
                            ::sqlx::query(
                                "INSERT INTO space_members (space_id, account_id, added_at) VALUES ($1, $2, $3) \
                                 ON CONFLICT (space_id, account_id) DO NOTHING",
                            )
                            .bind(space_id)
                            .bind(account_id)
                            .bind(now.millis()),
                        )
                        .await?;
                    Ok(changed == 1)
                }

                async fn remove_space_member(&mut self, space_id: i64, account_id: i64) -> StoreResult<bool> {
                    let changed = self
                        .exec(
                            ::sqlx::query("DELETE FROM space_members WHERE space_id = $1 AND account_id = $2")
                                .bind(space_id)
                                .bind(account_id),
                        )
                        .await?;
                    Ok(changed == 1)
                }

                async fn insert_audit(&mut self, entry: &NewAudit<'_>) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query(
                            "INSERT INTO audit_log (actor_id, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(entry.actor_id)
                        .bind(entry.action)
                        .bind(entry.target)
                        .bind(entry.detail)
                        .bind(entry.created_at.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn insert_challenge(&mut self, space_id: i64, fields: &ChallengeFields<'_>, created_by: i64, now: Timestamp) -> StoreResult<i64> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO challenges (space_id, title, problem, problem_html, questions, tags, tiers, opens_at, closes_at, created_by, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                            )
                            .bind(space_id)
                            .bind(fields.title)
                            .bind(fields.problem)
                            .bind(fields.problem_html)
                            .bind(fields.questions)
                            .bind(fields.tags)
                            .bind(fields.tiers)
                            .bind(fields.opens_at.map(Timestamp::millis))
                            .bind(fields.closes_at.map(Timestamp::millis))
                            .bind(created_by)
                            .bind(now.millis()),
                        )
                        .await?;
                    get(&row, "id")
                }

                async fn update_challenge(&mut self, id: i64, fields: &ChallengeFields<'_>) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query(
                            "UPDATE challenges SET title = $1, problem = $2, problem_html = $3, questions = $4, tags = $5, \
                             tiers = $6, opens_at = $7, closes_at = $8 WHERE id = $9",
                        )
                        .bind(fields.title)
                        .bind(fields.problem)
                        .bind(fields.problem_html)
                        .bind(fields.questions)
                        .bind(fields.tags)
                        .bind(fields.tiers)
                        .bind(fields.opens_at.map(Timestamp::millis))
                        .bind(fields.closes_at.map(Timestamp::millis))
                        .bind(id),
                    )
                    .await?;
                    Ok(())
                }

                async fn set_challenge_cover(&mut self, id: i64, key: &str, content_type: &str) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query("UPDATE challenges SET cover_key = $1, cover_type = $2 WHERE id = $3")
                            .bind(key)
                            .bind(content_type)
                            .bind(id),
                    )
                    .await?;
                    Ok(())
                }

                async fn insert_idea(&mut self, new: &NewIdea<'_>) -> StoreResult<i64> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO ideas (space_id, challenge_id, title, body, body_html, tags, author_id, stage, supporters, \
                                 tiers, tier, tier_deadline, hot, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, 0, $10, $11, $12, $12) RETURNING id",
                            )
                            .bind(new.space_id)
                            .bind(new.challenge_id)
                            .bind(new.title)
                            .bind(new.body)
                            .bind(new.body_html)
                            .bind(new.tags)
                            .bind(new.author_id)
                            .bind(new.stage.as_str())
                            .bind(new.tiers)
                            .bind(new.tier_deadline.map(Timestamp::millis))
                            .bind(new.hot)
                            .bind(new.created_at.millis()),
                        )
                        .await?;
                    let id: i64 = get(&row, "id")?;
                    if !$index_idea.is_empty() {
                        self.exec(::sqlx::query($index_idea).bind(id).bind(new.title).bind(new.body)).await?;
                    }
                    self.insert_revision(id, new.author_id, new.title, new.body, new.tags, new.created_at).await?;
                    Ok(id)
                }

                async fn insert_attachment(&mut self, new: &NewAttachment<'_>) -> StoreResult<i64> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO attachments (idea_id, uploader_id, file_name, content_type, size, storage_key, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                            )
                            .bind(new.idea_id)
                            .bind(new.uploader_id)
                            .bind(new.file_name)
                            .bind(new.content_type)
                            .bind(new.size)
                            .bind(new.storage_key)
                            .bind(new.created_at.millis()),
                        )
                        .await?;
                    get(&row, "id")
                }

                async fn count_attachments(&mut self, idea_id: i64) -> StoreResult<i64> {
                    let row = self.one(::sqlx::query("SELECT COUNT(*) AS n FROM attachments WHERE idea_id = $1").bind(idea_id)).await?;
                    get(&row, "n")
                }

                async fn lock_admin_ids(&mut self) -> StoreResult<Vec<i64>> {
                    let sql = format!("SELECT id FROM accounts WHERE role = 'admin' ORDER BY id{}", $lock_rows_clause);
                    let rows = self.many(::sqlx::query(::sqlx::AssertSqlSafe(sql))).await?;
                    rows.iter().map(|row| get(row, "id")).collect()
                }

                async fn invite_co_author(&mut self, idea_id: i64, account_id: i64, now: Timestamp) -> StoreResult<bool> {
                    let added = self
                        .exec(
                            ::sqlx::query(
                                "INSERT INTO idea_authors (idea_id, account_id, invited_at) VALUES ($1, $2, $3) \
                                 ON CONFLICT (idea_id, account_id) DO NOTHING",
                            )
                            .bind(idea_id)
                            .bind(account_id)
                            .bind(now.millis()),
                        )
                        .await?;
                    Ok(added == 1)
                }

                async fn accept_co_author(&mut self, idea_id: i64, account_id: i64, now: Timestamp) -> StoreResult<bool> {
                    let accepted = self
                        .exec(
                            ::sqlx::query(
                                "UPDATE idea_authors SET accepted_at = $1 WHERE idea_id = $2 AND account_id = $3 AND accepted_at IS NULL",
                            )
                            .bind(now.millis())
                            .bind(idea_id)
                            .bind(account_id),
                        )
                        .await?;
                    Ok(accepted == 1)
                }

                async fn remove_co_author(&mut self, idea_id: i64, account_id: i64) -> StoreResult<bool> {
                    let removed = self
                        .exec(::sqlx::query("DELETE FROM idea_authors WHERE idea_id = $1 AND account_id = $2").bind(idea_id).bind(account_id))
                        .await?;
                    Ok(removed == 1)
                }

                async fn edit_idea(&mut self, id: i64, editor_id: i64, text: &IdeaText<'_>, now: Timestamp) -> StoreResult<()> {
                    if !$unindex_idea.is_empty() {
                        let old = self.one(::sqlx::query("SELECT title, body FROM ideas WHERE id = $1").bind(id)).await?;
                        let (title, body): (String, String) = (get(&old, "title")?, get(&old, "body")?);
                        self.exec(::sqlx::query($unindex_idea).bind(id).bind(title).bind(body)).await?;
                    }
                    self.exec(
                        ::sqlx::query("UPDATE ideas SET title = $1, body = $2, body_html = $3, tags = $4, updated_at = $5 WHERE id = $6")
                            .bind(text.title)
                            .bind(text.body)
                            .bind(text.body_html)
                            .bind(text.tags)
                            .bind(now.millis())
                            .bind(id),
                    )
                    .await?;
                    if !$index_idea.is_empty() {
                        self.exec(::sqlx::query($index_idea).bind(id).bind(text.title).bind(text.body)).await?;
                    }
                    self.insert_revision(id, editor_id, text.title, text.body, text.tags, now).await
                }

                async fn lock_idea(&mut self, id: i64) -> StoreResult<Option<Idea>> {
                    let sql = format!("{} WHERE i.id = $1{}", idea_from(), $lock_idea_clause);
                    let row = self.maybe(::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(id)).await?;
                    row.as_ref().map(idea).transpose()
                }

                async fn lock_ideas(&mut self, ids: &[i64]) -> StoreResult<Vec<Idea>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new(format!("{} WHERE i.id IN (", idea_from()));
                    push_list(&mut sql, ids.iter().copied());
                    sql.push(") ORDER BY i.id").push($lock_idea_clause);
                    let rows = self.many(sql.build()).await?;
                    all(rows, idea)
                }

                async fn add_supports(&mut self, supports: &[(i64, i64)], now: Timestamp) -> StoreResult<Vec<(i64, i64)>> {
                    if supports.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new("INSERT INTO supports (idea_id, account_id, created_at) ");
                    sql.push_values(supports, |mut row, (idea_id, account_id)| {
                        row.push_bind(*idea_id).push_bind(*account_id).push_bind(now.millis());
                    });
                    sql.push(" ON CONFLICT (idea_id, account_id) DO NOTHING RETURNING idea_id");
                    let mut added: ::std::collections::BTreeMap<i64, i64> = ::std::collections::BTreeMap::new();
                    for row in self.many(sql.build()).await? {
                        *added.entry(get(&row, "idea_id")?).or_default() += 1;
                    }
                    Ok(added.into_iter().collect())
                }

                async fn set_supporters(&mut self, counts: &[SupporterCount], now: Timestamp) -> StoreResult<()> {
                    if counts.is_empty() {
                        return Ok(());
                    }
                    // One rewrite of each row: on PostgreSQL every rewrite of an indexed column
                    // is a new row version with an entry in each of the table's indexes.
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new("WITH v (id, supporters, hot, trending) AS (");
                    sql.push_values(counts, |mut row, count| {
                        row.push_bind(count.idea_id)
                            .push_bind(count.supporters)
                            .push_bind(count.hot)
                            .push_bind(count.trending);
                    });
                    sql.push(") UPDATE ideas SET supporters = v.supporters, hot = v.hot, trending = v.trending, updated_at = ")
                        .push_bind(now.millis())
                        .push(" FROM v WHERE ideas.id = v.id");
                    self.exec(sql.build()).await?;
                    Ok(())
                }

                async fn remove_support(&mut self, idea_id: i64, account_id: i64) -> StoreResult<Option<i64>> {
                    let removed = self
                        .exec(
                            ::sqlx::query("DELETE FROM supports WHERE idea_id = $1 AND account_id = $2")
                                .bind(idea_id)
                                .bind(account_id),
                        )
                        .await?;
                    if removed == 0 {
                        return Ok(None);
                    }
                    let row = self
                        .one(::sqlx::query("UPDATE ideas SET supporters = supporters - 1 WHERE id = $1 RETURNING supporters").bind(idea_id))
                        .await?;
                    Ok(Some(get(&row, "supporters")?))
                }

                async fn set_idea_progress(&mut self, idea_id: i64, progress: &IdeaProgress, now: Timestamp) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query("UPDATE ideas SET stage = $1, tier = $2, tier_deadline = $3, updated_at = $4 WHERE id = $5")
                            .bind(progress.stage.as_str())
                            .bind(progress.tier)
                            .bind(progress.tier_deadline.map(Timestamp::millis))
                            .bind(now.millis())
                            .bind(idea_id),
                    )
                    .await?;
                    Ok(())
                }

                async fn insert_idea_event(&mut self, event: &NewIdeaEvent<'_>) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query(
                            "INSERT INTO idea_events (idea_id, actor_id, from_stage, to_stage, rationale, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(event.idea_id)
                        .bind(event.actor_id)
                        .bind(event.from_stage.map(Stage::as_str))
                        .bind(event.to_stage.as_str())
                        .bind(event.rationale)
                        .bind(event.created_at.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn insert_comment(&mut self, new: &NewComment<'_>) -> StoreResult<i64> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO comments (idea_id, challenge_id, parent_id, depth, author_id, body, body_html, official, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                            )
                            .bind(new.subject.idea_id())
                            .bind(new.subject.challenge_id())
                            .bind(new.parent_id)
                            .bind(new.depth)
                            .bind(new.author_id)
                            .bind(new.body)
                            .bind(new.body_html)
                            .bind(i64::from(new.official))
                            .bind(new.created_at.millis()),
                        )
                        .await?;
                    if let Subject::Idea(idea_id) = new.subject {
                        self.exec(::sqlx::query("UPDATE ideas SET comments = comments + 1 WHERE id = $1").bind(idea_id)).await?;
                    }
                    get(&row, "id")
                }

                async fn edit_comment(&mut self, id: i64, body: &str, body_html: &str, now: Timestamp) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query("UPDATE comments SET body = $1, body_html = $2, edited_at = $3 WHERE id = $4")
                            .bind(body)
                            .bind(body_html)
                            .bind(now.millis())
                            .bind(id),
                    )
                    .await?;
                    Ok(())
                }

                async fn delete_comment(&mut self, id: i64, now: Timestamp) -> StoreResult<bool> {
                    let row = self
                        .maybe(
                            ::sqlx::query("UPDATE comments SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL RETURNING idea_id")
                                .bind(now.millis())
                                .bind(id),
                        )
                        .await?;
                    let Some(row) = row else { return Ok(false) };
                    if let Some(idea_id) = get::<Option<i64>>(&row, "idea_id")? {
                        self.exec(::sqlx::query("UPDATE ideas SET comments = comments - 1 WHERE id = $1").bind(idea_id)).await?;
                    }
                    Ok(true)
                }

                async fn set_following(&mut self, idea_id: i64, account_id: i64, follow: bool, now: Timestamp) -> StoreResult<bool> {
                    let changed = if follow {
                        self.exec(
                            ::sqlx::query(
                                "INSERT INTO follows (idea_id, account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (idea_id, account_id) DO NOTHING",
                            )
                            .bind(idea_id)
                            .bind(account_id)
                            .bind(now.millis()),
                        )
                        .await?
                    } else {
                        self.exec(::sqlx::query("DELETE FROM follows WHERE idea_id = $1 AND account_id = $2").bind(idea_id).bind(account_id))
                            .await?
                    };
                    Ok(changed == 1)
                }

                async fn insert_notification(&mut self, new: &NewNotification<'_>) -> StoreResult<()> {
                    self.exec(
                        ::sqlx::query(
                            "INSERT INTO notifications (account_id, idea_id, challenge_id, comment_id, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(new.account_id)
                        .bind(new.idea_id)
                        .bind(new.challenge_id)
                        .bind(new.comment_id)
                        .bind(new.text)
                        .bind(new.created_at.millis()),
                    )
                    .await?;
                    Ok(())
                }

                async fn mark_notifications_read(&mut self, account_id: i64, now: Timestamp) -> StoreResult<u64> {
                    self.exec(
                        ::sqlx::query("UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL")
                            .bind(now.millis())
                            .bind(account_id),
                    )
                    .await
                }

                async fn insert_flag(&mut self, new: &NewFlag<'_>) -> StoreResult<i64> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO flags (target_kind, target_id, space_id, idea_id, challenge_id, reporter_id, reason, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                            )
                            .bind(new.target_kind.as_str())
                            .bind(new.target_id)
                            .bind(new.space_id)
                            .bind(new.subject.idea_id())
                            .bind(new.subject.challenge_id())
                            .bind(new.reporter_id)
                            .bind(new.reason)
                            .bind(new.created_at.millis()),
                        )
                        .await?;
                    get(&row, "id")
                }

                async fn set_hidden(&mut self, kind: ContentKind, id: i64, hidden: Option<(Timestamp, &str)>) -> StoreResult<()> {
                    let sql = match kind {
                        ContentKind::Idea => "UPDATE ideas SET hidden_at = $1, hidden_reason = $2 WHERE id = $3",
                        ContentKind::Comment => "UPDATE comments SET hidden_at = $1, hidden_reason = $2 WHERE id = $3",
                    };
                    self.exec(
                        ::sqlx::query(sql)
                            .bind(hidden.map(|(at, _)| at.millis()))
                            .bind(hidden.map(|(_, reason)| reason))
                            .bind(id),
                    )
                    .await?;
                    Ok(())
                }

                async fn resolve_flags(&mut self, kind: ContentKind, id: i64, by: i64, now: Timestamp) -> StoreResult<u64> {
                    self.exec(
                        ::sqlx::query(
                            "UPDATE flags SET resolved_at = $1, resolved_by = $2 WHERE target_kind = $3 AND target_id = $4 AND resolved_at IS NULL",
                        )
                        .bind(now.millis())
                        .bind(by)
                        .bind(kind.as_str())
                        .bind(id),
                    )
                    .await
                }

                async fn claim_idempotency_key(
                    &mut self,
                    account_id: i64,
                    key: &str,
                    fingerprint: &str,
                    now: Timestamp,
                    stale_before: Timestamp,
                ) -> StoreResult<IdempotencyClaim> {
                    let existing = self
                        .maybe(
                            ::sqlx::query(
                                "SELECT fingerprint, status, body, created_at, applied_at FROM idempotency_keys WHERE account_id = $1 AND key = $2",
                            )
                            .bind(account_id)
                            .bind(key),
                        )
                        .await?;
                    if let Some(row) = existing {
                        let stored: String = get(&row, "fingerprint")?;
                        if stored != fingerprint {
                            return Ok(IdempotencyClaim::Mismatch);
                        }
                        let status: Option<i64> = get(&row, "status")?;
                        let since = ts(&row, "created_at")?;
                        let applied_at: Option<i64> = get(&row, "applied_at")?;
                        if status.is_none() && applied_at.is_some() {
                            return Ok(IdempotencyClaim::AppliedWithoutAnswer);
                        }
                        match status {
                            Some(status) => {
                                let body: Option<String> = get(&row, "body")?;
                                return Ok(IdempotencyClaim::Done { status, body: body.unwrap_or_default() });
                            }
                            None if since >= stale_before => return Ok(IdempotencyClaim::InProgress { since }),
                            None => {
                                // Taken over only if nobody took it over first: the claim's time
                                // is its holder's token (see `mark_idempotency_applied`).
                                let taken = self.exec(
                                    ::sqlx::query(
                                        "UPDATE idempotency_keys SET created_at = $1 WHERE account_id = $2 AND key = $3 \
                                         AND created_at = $4 AND status IS NULL AND applied_at IS NULL",
                                    )
                                    .bind(now.millis())
                                    .bind(account_id)
                                    .bind(key)
                                    .bind(since.millis()),
                                )
                                .await?;
                                return Ok(if taken == 1 {
                                    IdempotencyClaim::New
                                } else {
                                    IdempotencyClaim::InProgress { since: now }
                                });
                            }
                        }
                    }
                    self.exec(
                        ::sqlx::query(
                            "INSERT INTO idempotency_keys (account_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(account_id)
                        .bind(key)
                        .bind(fingerprint)
                        .bind(now.millis()),
                    )
                    .await?;
                    Ok(IdempotencyClaim::New)
                }

                async fn finish_idempotency_key(&mut self, account_id: i64, key: &str, response: Option<(i64, &str)>) -> StoreResult<()> {
                    match response {
                        Some((status, body)) => {
                            self.exec(
                                ::sqlx::query("UPDATE idempotency_keys SET status = $1, body = $2 WHERE account_id = $3 AND key = $4")
                                    .bind(status)
                                    .bind(body)
                                    .bind(account_id)
                                    .bind(key),
                            )
                            .await?;
                        }
                        None => {
                            // A claim whose change was committed stays, so a retry cannot make it twice.
                            self.exec(::sqlx::query("DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND applied_at IS NULL").bind(account_id).bind(key))
                                .await?;
                        }
                    }
                    Ok(())
                }

                async fn load_accounts(&mut self, accounts: &[NewAccount<'_>]) -> StoreResult<Vec<i64>> {
                    let mut ids = Vec::with_capacity(accounts.len());
                    for chunk in accounts.chunks(2000) {
                        let mut sql = ::sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO accounts (email, name, handle, password_hash, kind, role, created_at) ",
                        );
                        sql.push_values(chunk, |mut row, a| {
                            row.push_bind(a.email.to_owned())
                                .push_bind(a.name.to_owned())
                                .push_bind(a.handle.to_owned())
                                .push_bind(a.password_hash.to_owned())
                                .push_bind(a.kind.as_str())
                                .push_bind(a.role.as_str())
                                .push_bind(a.created_at.millis());
                        });
                        sql.push(" RETURNING id");
                        for row in self.many(sql.build()).await? {
                            ids.push(get(&row, "id")?);
                        }
                    }
                    Ok(ids)
                }

                async fn load_ideas(&mut self, ideas: &[LoadedIdea<'_>]) -> StoreResult<Vec<i64>> {
                    let mut ids = Vec::with_capacity(ideas.len());
                    for chunk in ideas.chunks(500) {
                        let mut sql = ::sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO ideas (space_id, challenge_id, title, body, body_html, tags, author_id, stage, supporters, \
                             comments, tiers, tier, tier_deadline, hot, trending, created_at, updated_at) ",
                        );
                        sql.push_values(chunk, |mut row, l| {
                            let i = &l.idea;
                            row.push_bind(i.space_id)
                                .push_bind(i.challenge_id)
                                .push_bind(i.title.to_owned())
                                .push_bind(i.body.to_owned())
                                .push_bind(i.body_html.to_owned())
                                .push_bind(i.tags.to_owned())
                                .push_bind(i.author_id)
                                .push_bind(i.stage.as_str())
                                .push_bind(l.supporters)
                                .push_bind(l.comments)
                                .push_bind(i.tiers.to_owned())
                                .push_bind(l.tier)
                                .push_bind(i.tier_deadline.map(Timestamp::millis))
                                .push_bind(i.hot)
                                .push_bind(l.trending)
                                .push_bind(i.created_at.millis())
                                .push_bind(i.created_at.millis());
                        });
                        sql.push(" RETURNING id");
                        let mut chunk_ids = Vec::with_capacity(chunk.len());
                        for row in self.many(sql.build()).await? {
                            chunk_ids.push(get::<i64>(&row, "id")?);
                        }
                        for select in [
                            "INSERT INTO idea_revisions (idea_id, editor_id, title, body, tags, created_at) \
                             SELECT id, author_id, title, body, tags, created_at FROM ideas WHERE id IN (",
                            "INSERT INTO idea_events (idea_id, actor_id, from_stage, to_stage, rationale, created_at) \
                             SELECT id, author_id, 'draft', 'gathering_support', '', created_at FROM ideas WHERE id IN (",
                        ] {
                            let mut sql = ::sqlx::QueryBuilder::<$db>::new(select);
                            push_list(&mut sql, chunk_ids.iter().copied());
                            sql.push(")");
                            self.exec(sql.build()).await?;
                        }
                        ids.extend(chunk_ids);
                    }
                    Ok(ids)
                }

                async fn load_supports(&mut self, supports: &[(i64, i64, Timestamp)]) -> StoreResult<()> {
                    for chunk in supports.chunks(5000) {
                        let mut sql = ::sqlx::QueryBuilder::<$db>::new("INSERT INTO supports (idea_id, account_id, created_at) ");
                        sql.push_values(chunk, |mut row, (idea_id, account_id, at)| {
                            row.push_bind(*idea_id).push_bind(*account_id).push_bind(at.millis());
                        });
                        self.exec(sql.build()).await?;
                    }
                    Ok(())
                }

                async fn load_comments(&mut self, comments: &[NewComment<'_>]) -> StoreResult<Vec<(i64, Subject)>> {
                    let mut ids = Vec::with_capacity(comments.len());
                    for chunk in comments.chunks(2000) {
                        let mut sql = ::sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO comments (idea_id, challenge_id, parent_id, depth, author_id, body, body_html, official, created_at) ",
                        );
                        sql.push_values(chunk, |mut row, c| {
                            row.push_bind(c.subject.idea_id())
                                .push_bind(c.subject.challenge_id())
                                .push_bind(c.parent_id)
                                .push_bind(c.depth)
                                .push_bind(c.author_id)
                                .push_bind(c.body.to_owned())
                                .push_bind(c.body_html.to_owned())
                                .push_bind(i64::from(c.official))
                                .push_bind(c.created_at.millis());
                        });
                        sql.push(" RETURNING id, idea_id, challenge_id");
                        for row in self.many(sql.build()).await? {
                            ids.push((get(&row, "id")?, subject(&row)?));
                        }
                    }
                    Ok(ids)
                }

                async fn recent_supporters(&mut self, ids: &[i64], since: Timestamp) -> StoreResult<Vec<(i64, i64)>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = ::sqlx::QueryBuilder::<$db>::new("SELECT idea_id, COUNT(*) AS n FROM supports WHERE created_at >= ");
                    sql.push_bind(since.millis()).push(" AND idea_id IN (");
                    push_list(&mut sql, ids.iter().copied());
                    sql.push(") GROUP BY idea_id");
                    let rows = self.many(sql.build()).await?;
                    rows.iter().map(|row| Ok((get(row, "idea_id")?, get(row, "n")?))).collect()
                }

                async fn set_ranks(&mut self, ranks: &[(i64, i64, i64)]) -> StoreResult<u64> {
                    // One statement per chunk, writing only the ranks that moved: on PostgreSQL
                    // every rewrite of an indexed column is a new row version.
                    let mut moved = 0;
                    for chunk in ranks.chunks(500) {
                        let mut sql = ::sqlx::QueryBuilder::<$db>::new("WITH v (id, hot, trending) AS (");
                        sql.push_values(chunk, |mut row, (id, hot, trending)| {
                            row.push_bind(*id).push_bind(*hot).push_bind(*trending);
                        });
                        sql.push(
                            ") UPDATE ideas SET hot = v.hot, trending = v.trending FROM v \
                             WHERE ideas.id = v.id AND (ideas.trending <> v.trending OR ideas.hot <> v.hot)",
                        );
                        moved += self.exec(sql.build()).await?;
                    }
                    Ok(moved)
                }

                async fn merge_idea(&mut self, from: i64, into: i64, now: Timestamp) -> StoreResult<i64> {
                    self.exec(
                        ::sqlx::query(
                            "INSERT INTO supports (idea_id, account_id, created_at) \
                             SELECT $1, account_id, created_at FROM supports WHERE idea_id = $2 \
                             ON CONFLICT (idea_id, account_id) DO NOTHING",
                        )
                        .bind(into)
                        .bind(from),
                    )
                    .await?;
                    self.exec(::sqlx::query("DELETE FROM supports WHERE idea_id = $1").bind(from)).await?;
                    self.exec(
                        ::sqlx::query(
                            "UPDATE ideas SET stage = 'merged', merged_into = $1, supporters = 0, tier_deadline = NULL, updated_at = $2 WHERE id = $3",
                        )
                        .bind(into)
                        .bind(now.millis())
                        .bind(from),
                    )
                    .await?;
                    let row = self
                        .one(
                            ::sqlx::query(
                                "UPDATE ideas SET supporters = (SELECT COUNT(*) FROM supports WHERE idea_id = $1), updated_at = $2 \
                                 WHERE id = $1 RETURNING supporters",
                            )
                            .bind(into)
                            .bind(now.millis()),
                        )
                        .await?;
                    get(&row, "supporters")
                }

                async fn enqueue_mail(&mut self, new: &NewMail<'_>) -> StoreResult<i64> {
                    let row = self
                        .one(
                            ::sqlx::query(
                                "INSERT INTO outbox (to_address, subject, body, status, attempts, next_attempt_at, created_at) \
                                 VALUES ($1, $2, $3, 'pending', 0, $4, $4) RETURNING id",
                            )
                            .bind(new.to_address)
                            .bind(new.subject)
                            .bind(new.body)
                            .bind(new.created_at.millis()),
                        )
                        .await?;
                    get(&row, "id")
                }

                async fn claim_mail(&mut self, now: Timestamp, lease_until: Timestamp, limit: i64) -> StoreResult<Vec<OutboxMail>> {
                    let sql = format!(
                        "SELECT {MAIL_COLUMNS} FROM outbox \
                         WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1) \
                         ORDER BY id LIMIT $2{}",
                        $lease_clause
                    );
                    let rows = self.many(::sqlx::query(::sqlx::AssertSqlSafe(sql)).bind(now.millis()).bind(limit)).await?;
                    let mails = all(rows, mail)?;
                    for claimed in &mails {
                        self.exec(
                            ::sqlx::query("UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id = $2")
                                .bind(lease_until.millis())
                                .bind(claimed.id),
                        )
                        .await?;
                    }
                    Ok(mails
                        .into_iter()
                        .map(|m| OutboxMail { attempts: m.attempts + 1, ..m })
                        .collect())
                }

                async fn finish_mail(&mut self, mail_id: i64, outcome: &MailOutcome, now: Timestamp) -> StoreResult<()> {
                    let (status, error, next) = match outcome {
                        MailOutcome::Sent => (MailStatus::Sent, None, now),
                        MailOutcome::Logged => (MailStatus::Logged, None, now),
                        MailOutcome::Retry { error, retry_at } => (MailStatus::Pending, Some(error.as_str()), *retry_at),
                        MailOutcome::Dead { error } => (MailStatus::Dead, Some(error.as_str()), now),
                    };
                    self.exec(
                        ::sqlx::query(
                            "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, locked_until = NULL, \
                             finished_at = CASE WHEN $1 = 'pending' THEN NULL ELSE $4 END WHERE id = $5",
                        )
                        .bind(status.as_str())
                        .bind(error)
                        .bind(next.millis())
                        .bind(now.millis())
                        .bind(mail_id),
                    )
                    .await?;
                    Ok(())
                }
            }
        }
    };
}
