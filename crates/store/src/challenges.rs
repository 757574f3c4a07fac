//! Challenges: the problems a space asks its people to solve.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{Challenge, ChallengeFields, Sql, SqlArg, SqlRead, SqlRow, SqlTx, StoreResult};

#[async_trait]
pub trait ChallengeRead {
    async fn challenges(&self, space_id: i64) -> StoreResult<Vec<Challenge>>;
    async fn challenge(&self, id: i64) -> StoreResult<Option<Challenge>>;
    /// The titles of the challenges among `ids` that exist, by id, in no particular order.
    async fn challenge_titles(&self, ids: &[i64]) -> StoreResult<Vec<(i64, String)>>;
}

#[async_trait]
pub trait ChallengeTx {
    async fn insert_challenge(
        &mut self,
        space_id: i64,
        fields: &ChallengeFields<'_>,
        created_by: i64,
        now: Timestamp,
    ) -> StoreResult<i64>;
    async fn update_challenge(&mut self, id: i64, fields: &ChallengeFields<'_>) -> StoreResult<()>;
    /// Sets the cover image (object-store key and type).
    async fn set_challenge_cover(
        &mut self,
        id: i64,
        key: &str,
        content_type: &str,
    ) -> StoreResult<()>;
}

/// The columns of a challenge row `ch`.
pub(crate) const CHALLENGE_COLUMNS: &str = "ch.id, ch.space_id, ch.title, ch.problem, \
     ch.problem_html, ch.questions, ch.tags, ch.tiers, ch.opens_at, ch.closes_at, ch.cover_key, \
     ch.cover_type, ch.created_by, ch.created_at";
/// The fields are `$1` to `$8` in both statements, in the order [`field_args`] gives them.
const INSERT: &str = "INSERT INTO challenges (title, problem, problem_html, questions, tags, \
     tiers, opens_at, closes_at, space_id, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
const UPDATE: &str = "UPDATE challenges SET title = $1, problem = $2, problem_html = $3, \
     questions = $4, tags = $5, tiers = $6, opens_at = $7, closes_at = $8 WHERE id = $9";

fn field_args<'a, const N: usize>(
    fields: &'a ChallengeFields<'_>,
    more: [SqlArg<'a>; N],
) -> Vec<SqlArg<'a>> {
    let mut args = vec![
        fields.title.into(),
        fields.problem.into(),
        fields.problem_html.into(),
        fields.questions.into(),
        fields.tags.into(),
        fields.tiers.into(),
        fields.opens_at.into(),
        fields.closes_at.into(),
    ];
    args.extend(more);
    args
}

pub(crate) fn challenge(row: &mut SqlRow) -> StoreResult<Challenge> {
    Ok(Challenge {
        id: row.int("id")?,
        space_id: row.int("space_id")?,
        title: row.text("title")?,
        problem: row.text("problem")?,
        problem_html: row.text("problem_html")?,
        questions: row.text("questions")?,
        tags: row.text("tags")?,
        tiers: row.text("tiers")?,
        opens_at: row.maybe_time("opens_at")?,
        closes_at: row.maybe_time("closes_at")?,
        cover: row
            .maybe_text("cover_key")?
            .zip(row.maybe_text("cover_type")?),
        created_by: row.int("created_by")?,
        created_at: row.time("created_at")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> ChallengeRead for S {
    async fn challenges(&self, space_id: i64) -> StoreResult<Vec<Challenge>> {
        let sql = format!(
            "SELECT {CHALLENGE_COLUMNS} FROM challenges ch WHERE ch.space_id = $1 ORDER BY ch.id DESC"
        );
        let rows = self.fetch(&sql, &[space_id.into()]).await?;
        rows.into_iter()
            .map(|mut row| challenge(&mut row))
            .collect()
    }

    async fn challenge(&self, id: i64) -> StoreResult<Option<Challenge>> {
        let sql = format!("SELECT {CHALLENGE_COLUMNS} FROM challenges ch WHERE ch.id = $1");
        let row = self.fetch_optional(&sql, &[id.into()]).await?;
        row.map(|mut row| challenge(&mut row)).transpose()
    }

    async fn challenge_titles(&self, ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT id, title FROM challenges WHERE id IN (");
        sql.list(ids.iter().copied()).push(")");
        let rows = self.fetch_sql(&sql).await?;
        rows.into_iter()
            .map(|mut row| Ok((row.int("id")?, row.text("title")?)))
            .collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> ChallengeTx for T {
    async fn insert_challenge(
        &mut self,
        space_id: i64,
        fields: &ChallengeFields<'_>,
        created_by: i64,
        now: Timestamp,
    ) -> StoreResult<i64> {
        let args = field_args(fields, [space_id.into(), created_by.into(), now.into()]);
        self.insert_returning_id(INSERT, &args).await
    }

    async fn update_challenge(&mut self, id: i64, fields: &ChallengeFields<'_>) -> StoreResult<()> {
        let args = field_args(fields, [id.into()]);
        self.execute(UPDATE, &args).await?;
        Ok(())
    }

    async fn set_challenge_cover(
        &mut self,
        id: i64,
        key: &str,
        content_type: &str,
    ) -> StoreResult<()> {
        let sql = "UPDATE challenges SET cover_key = $1, cover_type = $2 WHERE id = $3";
        self.execute(sql, &[key.into(), content_type.into(), id.into()])
            .await?;
        Ok(())
    }
}
