//! Opinions: short statements in a challenge, each voted agree, disagree or pass by accounts or by
//! contacts (people known without an account, such as the participants of an imported Polis
//! conversation). Each statement's counts are kept in the transaction of every vote.

use async_trait::async_trait;
use cocreate_core::{Opinion, Timestamp};

use crate::{Sql, SqlArg, SqlRead, SqlRow, SqlTx, StoreError, StoreResult};

/// A statement and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub id: i64,
    pub challenge_id: i64,
    pub body: String,
    pub author_account_id: Option<i64>,
    pub hidden: bool,
    /// Its id where it was imported from.
    pub external_ref: Option<String>,
    pub agrees: i64,
    pub disagrees: i64,
    pub passes: i64,
    /// Bumped by each change to its counts, so that unchanged versions mean unchanged votes.
    pub version: i64,
    pub created_at: Timestamp,
}

/// Who voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Voter {
    Account(i64),
    Contact(i64),
}

/// A vote on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpinionVote {
    pub statement_id: i64,
    pub voter: Voter,
    pub opinion: Opinion,
}

/// A statement of an imported conversation.
#[derive(Debug, Clone)]
pub struct ImportedStatement<'a> {
    pub external_ref: String,
    pub body: &'a str,
    pub author_contact_id: Option<i64>,
    pub hidden: bool,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait OpinionRead {
    /// The challenge's statements, oldest first; the hidden ones too when `with_hidden`.
    async fn statements(&self, challenge_id: i64, with_hidden: bool)
    -> StoreResult<Vec<Statement>>;
    async fn statement(&self, id: i64) -> StoreResult<Option<Statement>>;
    /// The account's votes on the challenge's statements.
    async fn opinions_of(
        &self,
        challenge_id: i64,
        account_id: i64,
    ) -> StoreResult<Vec<(i64, Opinion)>>;
    /// Every vote on the challenge's shown statements.
    async fn opinion_votes(&self, challenge_id: i64) -> StoreResult<Vec<OpinionVote>>;
    /// The external reference of each contact among `ids` that has one, by id.
    async fn contact_refs(&self, ids: &[i64]) -> StoreResult<Vec<(i64, String)>>;
    /// The challenge imported from `source`, if it was.
    async fn challenge_of_source(&self, source: &str) -> StoreResult<Option<i64>>;
}

#[async_trait]
pub trait OpinionTx {
    async fn insert_statement(
        &mut self,
        challenge_id: i64,
        body: &str,
        author_account_id: i64,
        now: Timestamp,
    ) -> StoreResult<i64>;
    /// Records the account's vote on the statement, replacing an earlier one, and keeps the
    /// statement's counts exact. `NotFound` when there is no such statement.
    async fn cast_opinion(
        &mut self,
        statement_id: i64,
        account_id: i64,
        opinion: Opinion,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn record_challenge_source(&mut self, source: &str, challenge_id: i64)
    -> StoreResult<()>;
    /// The contacts met at `source` as `refs`, made where missing; their ids in the same order.
    async fn load_contacts(
        &mut self,
        source: &str,
        refs: &[String],
        now: Timestamp,
    ) -> StoreResult<Vec<i64>>;
    /// The imported statements of the challenge, added where missing; their ids in order.
    async fn load_statements(
        &mut self,
        challenge_id: i64,
        statements: &[ImportedStatement<'_>],
    ) -> StoreResult<Vec<i64>>;
    /// Adds the contacts' votes (statement, contact, opinion, when) that are not there yet,
    /// then counts the challenge's statements afresh. Returns the votes added.
    async fn load_contact_votes(
        &mut self,
        challenge_id: i64,
        votes: &[(i64, i64, Opinion, Timestamp)],
    ) -> StoreResult<u64>;
}

const STATEMENT_COLUMNS: &str = "id, challenge_id, body, author_account_id, hidden, external_ref, \
     agrees, disagrees, passes, version, created_at";
/// Rows per statement of a bulk load: well under both databases' limit on bound values.
const LOAD_BATCH: usize = 2_000;

fn statement(row: &mut SqlRow) -> StoreResult<Statement> {
    Ok(Statement {
        id: row.int("id")?,
        challenge_id: row.int("challenge_id")?,
        body: row.text("body")?,
        author_account_id: row.maybe_int("author_account_id")?,
        hidden: row.flag("hidden")?,
        external_ref: row.maybe_text("external_ref")?,
        agrees: row.int("agrees")?,
        disagrees: row.int("disagrees")?,
        passes: row.int("passes")?,
        version: row.int("version")?,
        created_at: row.time("created_at")?,
    })
}

fn opinion_of(row: &SqlRow) -> StoreResult<Opinion> {
    let value = row.int("opinion")?;
    Opinion::from_value(value)
        .ok_or_else(|| StoreError::Corrupt(format!("opinion {value} is not 1, -1 or 0")))
}

/// The change to (agrees, disagrees, passes) of adding `opinion` (+1) or taking it away (-1).
fn counts(opinion: Opinion, by: i64) -> [i64; 3] {
    match opinion {
        Opinion::Agree => [by, 0, 0],
        Opinion::Disagree => [0, by, 0],
        Opinion::Pass => [0, 0, by],
    }
}

#[async_trait]
impl<S: SqlRead + ?Sized> OpinionRead for S {
    async fn statements(
        &self,
        challenge_id: i64,
        with_hidden: bool,
    ) -> StoreResult<Vec<Statement>> {
        let sql = format!(
            "SELECT {STATEMENT_COLUMNS} FROM statements WHERE challenge_id = $1 \
             AND (hidden = 0 OR $2 = 1) ORDER BY id"
        );
        let rows = self
            .fetch(&sql, &[challenge_id.into(), with_hidden.into()])
            .await?;
        rows.into_iter()
            .map(|mut row| statement(&mut row))
            .collect()
    }

    async fn statement(&self, id: i64) -> StoreResult<Option<Statement>> {
        let sql = format!("SELECT {STATEMENT_COLUMNS} FROM statements WHERE id = $1");
        let row = self.fetch_optional(&sql, &[id.into()]).await?;
        row.map(|mut row| statement(&mut row)).transpose()
    }

    async fn opinions_of(
        &self,
        challenge_id: i64,
        account_id: i64,
    ) -> StoreResult<Vec<(i64, Opinion)>> {
        let sql = "SELECT v.statement_id, v.opinion FROM opinion_votes v \
             JOIN statements s ON s.id = v.statement_id \
             WHERE s.challenge_id = $1 AND v.account_id = $2";
        let rows = self
            .fetch(sql, &[challenge_id.into(), account_id.into()])
            .await?;
        rows.iter()
            .map(|row| Ok((row.int("statement_id")?, opinion_of(row)?)))
            .collect()
    }

    async fn opinion_votes(&self, challenge_id: i64) -> StoreResult<Vec<OpinionVote>> {
        let sql = "SELECT v.statement_id, v.account_id, v.contact_id, v.opinion \
             FROM opinion_votes v JOIN statements s ON s.id = v.statement_id \
             WHERE s.challenge_id = $1 AND s.hidden = 0";
        let rows = self.fetch(sql, &[challenge_id.into()]).await?;
        rows.iter()
            .map(|row| {
                let voter = match (row.maybe_int("account_id")?, row.maybe_int("contact_id")?) {
                    (Some(account), _) => Voter::Account(account),
                    (None, Some(contact)) => Voter::Contact(contact),
                    (None, None) => {
                        return Err(StoreError::Corrupt("a vote without a voter".into()));
                    }
                };
                Ok(OpinionVote {
                    statement_id: row.int("statement_id")?,
                    voter,
                    opinion: opinion_of(row)?,
                })
            })
            .collect()
    }

    async fn contact_refs(&self, ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        let mut found = Vec::with_capacity(ids.len());
        for batch in ids.chunks(LOAD_BATCH) {
            let mut sql = Sql::new("SELECT id, external_ref FROM contacts WHERE id IN (");
            sql.list(batch.iter().copied()).push(")");
            for mut row in self.fetch_sql(&sql).await? {
                found.push((row.int("id")?, row.text("external_ref")?));
            }
        }
        Ok(found)
    }

    async fn challenge_of_source(&self, source: &str) -> StoreResult<Option<i64>> {
        let sql = "SELECT challenge_id FROM challenge_sources WHERE source = $1";
        let row = self.fetch_optional(sql, &[source.into()]).await?;
        row.map(|row| row.int("challenge_id")).transpose()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> OpinionTx for T {
    async fn insert_statement(
        &mut self,
        challenge_id: i64,
        body: &str,
        author_account_id: i64,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO statements (challenge_id, body, author_account_id, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id";
        self.insert_returning_id(
            sql,
            &[
                challenge_id.into(),
                body.into(),
                author_account_id.into(),
                now.into(),
            ],
        )
        .await
    }

    async fn cast_opinion(
        &mut self,
        statement_id: i64,
        account_id: i64,
        opinion: Opinion,
        now: Timestamp,
    ) -> StoreResult<()> {
        // Holding the statement's row makes each vote on it see the one before.
        let lock = format!(
            "SELECT id FROM statements WHERE id = $1 {}",
            self.dialect().lock_rows
        );
        self.fetch_optional(&lock, &[statement_id.into()])
            .await?
            .ok_or(StoreError::NotFound)?;
        let earlier = self
            .fetch_optional(
                "SELECT opinion FROM opinion_votes WHERE statement_id = $1 AND account_id = $2",
                &[statement_id.into(), account_id.into()],
            )
            .await?
            .map(|row| opinion_of(&row))
            .transpose()?;
        let mut change = counts(opinion, 1);
        match earlier {
            Some(same) if same == opinion => return Ok(()),
            Some(earlier) => {
                self.execute(
                    "UPDATE opinion_votes SET opinion = $1, voted_at = $2 \
                     WHERE statement_id = $3 AND account_id = $4",
                    &[
                        opinion.value().into(),
                        now.into(),
                        statement_id.into(),
                        account_id.into(),
                    ],
                )
                .await?;
                for (total, taken) in change.iter_mut().zip(counts(earlier, -1)) {
                    *total += taken;
                }
            }
            None => {
                self.execute(
                    "INSERT INTO opinion_votes (statement_id, account_id, opinion, voted_at) \
                     VALUES ($1, $2, $3, $4)",
                    &[
                        statement_id.into(),
                        account_id.into(),
                        opinion.value().into(),
                        now.into(),
                    ],
                )
                .await?;
            }
        }
        let [agrees, disagrees, passes] = change;
        self.execute(
            "UPDATE statements SET agrees = agrees + $1, disagrees = disagrees + $2, \
             passes = passes + $3, version = version + 1 WHERE id = $4",
            &[
                agrees.into(),
                disagrees.into(),
                passes.into(),
                statement_id.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn record_challenge_source(
        &mut self,
        source: &str,
        challenge_id: i64,
    ) -> StoreResult<()> {
        self.execute(
            "INSERT INTO challenge_sources (source, challenge_id) VALUES ($1, $2)",
            &[source.into(), challenge_id.into()],
        )
        .await?;
        Ok(())
    }

    async fn load_contacts(
        &mut self,
        source: &str,
        refs: &[String],
        now: Timestamp,
    ) -> StoreResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(refs.len());
        for batch in refs.chunks(LOAD_BATCH) {
            let mut insert = Sql::new("INSERT INTO contacts (source, external_ref, created_at) ");
            insert
                .values(batch, |external_ref| {
                    [source.into(), external_ref.into(), now.into()]
                })
                .push(" ON CONFLICT (source, external_ref) DO NOTHING");
            self.execute_sql(&insert).await?;
            let mut select = Sql::new("SELECT id, external_ref FROM contacts WHERE source = ");
            select
                .bind(source)
                .push(" AND external_ref IN (")
                .list(batch.iter().map(String::as_str))
                .push(")");
            ids.extend(in_order(batch, self.fetch_sql(&select).await?)?);
        }
        Ok(ids)
    }

    async fn load_statements(
        &mut self,
        challenge_id: i64,
        statements: &[ImportedStatement<'_>],
    ) -> StoreResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(statements.len());
        for batch in statements.chunks(LOAD_BATCH / 4) {
            let mut insert = Sql::new(
                "INSERT INTO statements (challenge_id, external_ref, body, author_contact_id, \
                 hidden, created_at) ",
            );
            insert
                .values(batch, |s| {
                    [
                        challenge_id.into(),
                        s.external_ref.as_str().into(),
                        s.body.into(),
                        s.author_contact_id.into(),
                        s.hidden.into(),
                        s.created_at.into(),
                    ]
                })
                .push(" ON CONFLICT (challenge_id, external_ref) DO NOTHING");
            self.execute_sql(&insert).await?;
            let refs: Vec<String> = batch.iter().map(|s| s.external_ref.clone()).collect();
            let mut select =
                Sql::new("SELECT id, external_ref FROM statements WHERE challenge_id = ");
            select
                .bind(challenge_id)
                .push(" AND external_ref IN (")
                .list(refs.iter().map(String::as_str))
                .push(")");
            ids.extend(in_order(&refs, self.fetch_sql(&select).await?)?);
        }
        Ok(ids)
    }

    async fn load_contact_votes(
        &mut self,
        challenge_id: i64,
        votes: &[(i64, i64, Opinion, Timestamp)],
    ) -> StoreResult<u64> {
        let mut added = 0;
        for batch in votes.chunks(LOAD_BATCH / 2) {
            let mut insert = Sql::new(
                "INSERT INTO opinion_votes (statement_id, contact_id, opinion, voted_at) ",
            );
            insert
                .values(batch, |(statement, contact, opinion, at)| {
                    [
                        (*statement).into(),
                        (*contact).into(),
                        opinion.value().into(),
                        (*at).into(),
                    ]
                })
                .push(
                    " ON CONFLICT (statement_id, contact_id) WHERE contact_id IS NOT NULL \
                     DO NOTHING",
                );
            added += self.execute_sql(&insert).await?;
        }
        let count = |value: i64| -> SqlArg<'static> { value.into() };
        let recount = "UPDATE statements SET \
             agrees = (SELECT COUNT(*) FROM opinion_votes v WHERE v.statement_id = statements.id AND v.opinion = $1), \
             disagrees = (SELECT COUNT(*) FROM opinion_votes v WHERE v.statement_id = statements.id AND v.opinion = $2), \
             passes = (SELECT COUNT(*) FROM opinion_votes v WHERE v.statement_id = statements.id AND v.opinion = $3), \
             version = version + $5 \
             WHERE challenge_id = $4";
        self.execute(
            recount,
            &[
                count(Opinion::Agree.value()),
                count(Opinion::Disagree.value()),
                count(Opinion::Pass.value()),
                challenge_id.into(),
                // New votes are a change the challenge's analysis must see.
                i64::from(added > 0).into(),
            ],
        )
        .await?;
        Ok(added)
    }
}

/// The ids of `refs` from rows of (id, external_ref), in the order of `refs`.
fn in_order(refs: &[String], rows: Vec<SqlRow>) -> StoreResult<Vec<i64>> {
    let mut by_ref = std::collections::HashMap::with_capacity(rows.len());
    for mut row in rows {
        by_ref.insert(row.text("external_ref")?, row.int("id")?);
    }
    refs.iter()
        .map(|external_ref| {
            by_ref.get(external_ref).copied().ok_or_else(|| {
                StoreError::Corrupt(format!("{external_ref} was loaded but is not found"))
            })
        })
        .collect()
}
