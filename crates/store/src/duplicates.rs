//! Possible duplicates: pairs of ideas in a space whose words are much alike, found as ideas
//! arrive (the app's duplicate finder), waiting in a queue until staff merge one into the other
//! or mark them distinct.

use async_trait::async_trait;
use cocreate_core::{Stage, Timestamp};

use crate::{Sql, SqlRead, SqlRow, SqlTx, StoreError, StoreResult};

/// The stages of ideas that may be compared for duplicates: those open to a merge, or to being
/// merged into.
pub const DUPLICATE_STAGES: &[Stage] = &[Stage::Gathering, Stage::Review, Stage::Accepted];

/// Two ideas found alike; `first_idea_id` is the lower id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundDuplicate {
    pub space_id: i64,
    pub first_idea_id: i64,
    pub second_idea_id: i64,
    /// How alike, in thousandths (1000: the same words).
    pub similarity: i64,
}

/// What became of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateStatus {
    Open,
    /// Staff found them distinct.
    Dismissed,
    /// One of the two was merged (into the other, or elsewhere).
    Merged,
}

impl DuplicateStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Dismissed => "dismissed",
            Self::Merged => "merged",
        }
    }

    fn parse(text: &str) -> StoreResult<Self> {
        [Self::Open, Self::Dismissed, Self::Merged]
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("duplicate_pairs.status holds {text:?}")))
    }
}

/// One side of a pair as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateSide {
    pub idea_id: i64,
    pub title: String,
    pub stage: Stage,
    pub supporters: i64,
}

/// A pair in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicatePair {
    pub id: i64,
    pub space_id: i64,
    pub similarity: i64,
    pub status: DuplicateStatus,
    pub found_at: Timestamp,
    pub first: DuplicateSide,
    pub second: DuplicateSide,
}

impl DuplicatePair {
    /// How alike the two are, in whole percent.
    pub fn percent_alike(&self) -> i64 {
        (self.similarity + 5) / 10
    }
}

/// Where a page of the queue starts: after the pair with this similarity and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateCursor {
    pub similarity: i64,
    pub id: i64,
}

const PAIR_COLUMNS: &str = "SELECT p.id, p.space_id, p.similarity, p.status, p.found_at, \
     a.id AS a_id, a.title AS a_title, a.stage AS a_stage, a.supporters AS a_supporters, \
     b.id AS b_id, b.title AS b_title, b.stage AS b_stage, b.supporters AS b_supporters \
     FROM duplicate_pairs p JOIN ideas a ON a.id = p.first_idea_id \
     JOIN ideas b ON b.id = p.second_idea_id ";

#[async_trait]
pub trait DuplicateRead {
    /// The space's open pairs whose ideas are both still shown and open to a merge, most alike
    /// first, after `after`.
    async fn duplicate_queue(
        &self,
        space_id: i64,
        after: Option<DuplicateCursor>,
        limit: i64,
    ) -> StoreResult<Vec<DuplicatePair>>;
    async fn duplicate_pair(&self, id: i64) -> StoreResult<Option<DuplicatePair>>;
    /// The open pairs the idea is in, most alike first.
    async fn duplicates_of_idea(&self, idea_id: i64) -> StoreResult<Vec<DuplicatePair>>;
}

#[async_trait]
pub trait DuplicateTx {
    /// Adds the pairs not yet known and updates the similarity of open ones; a pair staff have
    /// decided on stays decided.
    async fn record_duplicates(
        &mut self,
        found: &[FoundDuplicate],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Closes an open pair as `status`; false when it was not open.
    async fn decide_duplicate(
        &mut self,
        id: i64,
        status: DuplicateStatus,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Refreshes the planner's statistics of the pairs, after many were written at once: with
    /// those of an empty table, PostgreSQL pages the queue by reading every pair of the space.
    async fn analyze_duplicates(&mut self) -> StoreResult<()>;
    /// Closes every open pair the idea is in, as `by` merged it.
    async fn close_duplicates_of(
        &mut self,
        idea_id: i64,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<()>;
}

fn side(row: &mut SqlRow, prefix: &str) -> StoreResult<DuplicateSide> {
    Ok(DuplicateSide {
        idea_id: row.int(&format!("{prefix}_id"))?,
        title: row.text(&format!("{prefix}_title"))?,
        stage: row.parse(&format!("{prefix}_stage"))?,
        supporters: row.int(&format!("{prefix}_supporters"))?,
    })
}

fn pair(mut row: SqlRow) -> StoreResult<DuplicatePair> {
    Ok(DuplicatePair {
        id: row.int("id")?,
        space_id: row.int("space_id")?,
        similarity: row.int("similarity")?,
        status: DuplicateStatus::parse(&row.text("status")?)?,
        found_at: row.time("found_at")?,
        first: side(&mut row, "a")?,
        second: side(&mut row, "b")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> DuplicateRead for S {
    async fn duplicate_queue(
        &self,
        space_id: i64,
        after: Option<DuplicateCursor>,
        limit: i64,
    ) -> StoreResult<Vec<DuplicatePair>> {
        let mut sql = Sql::new(PAIR_COLUMNS);
        sql.push("WHERE p.space_id = ")
            .bind(space_id)
            .push(" AND p.status = 'open'");
        if let Some(after) = after {
            sql.push(" AND (p.similarity < ")
                .bind(after.similarity)
                .push(" OR (p.similarity = ")
                .bind(after.similarity)
                .push(" AND p.id < ")
                .bind(after.id)
                .push("))");
        }
        for side in ["a", "b"] {
            sql.push(&format!(
                " AND {side}.hidden_at IS NULL AND {side}.stage IN ("
            ))
            .list(DUPLICATE_STAGES.iter().map(|stage| stage.as_str()))
            .push(")");
        }
        sql.push(" ORDER BY p.similarity DESC, p.id DESC LIMIT ")
            .bind(limit);
        self.fetch_sql(&sql).await?.into_iter().map(pair).collect()
    }

    async fn duplicate_pair(&self, id: i64) -> StoreResult<Option<DuplicatePair>> {
        let sql = format!("{PAIR_COLUMNS}WHERE p.id = $1");
        self.fetch_optional(&sql, &[id.into()])
            .await?
            .map(pair)
            .transpose()
    }

    async fn duplicates_of_idea(&self, idea_id: i64) -> StoreResult<Vec<DuplicatePair>> {
        let sql = format!(
            "{PAIR_COLUMNS}WHERE p.status = 'open' AND (p.first_idea_id = $1 OR p.second_idea_id = $2) \
             ORDER BY p.similarity DESC, p.id DESC"
        );
        self.fetch(&sql, &[idea_id.into(), idea_id.into()])
            .await?
            .into_iter()
            .map(pair)
            .collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> DuplicateTx for T {
    async fn record_duplicates(
        &mut self,
        found: &[FoundDuplicate],
        now: Timestamp,
    ) -> StoreResult<()> {
        for chunk in found.chunks(500) {
            if let Some(wrong) = chunk.iter().find(|f| f.first_idea_id >= f.second_idea_id) {
                return Err(StoreError::Corrupt(format!(
                    "a duplicate pair ({}, {}) not in order",
                    wrong.first_idea_id, wrong.second_idea_id
                )));
            }
            let mut sql = Sql::new(
                "INSERT INTO duplicate_pairs (space_id, first_idea_id, second_idea_id, \
                 similarity, status, found_at) ",
            );
            sql.values(chunk, |f| {
                [
                    f.space_id.into(),
                    f.first_idea_id.into(),
                    f.second_idea_id.into(),
                    f.similarity.into(),
                    DuplicateStatus::Open.as_str().into(),
                    now.into(),
                ]
            })
            .push(
                " ON CONFLICT (first_idea_id, second_idea_id) DO UPDATE SET \
                 similarity = excluded.similarity WHERE duplicate_pairs.status = 'open'",
            );
            self.execute_sql(&sql).await?;
        }
        Ok(())
    }

    async fn decide_duplicate(
        &mut self,
        id: i64,
        status: DuplicateStatus,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE duplicate_pairs SET status = $1, decided_by = $2, decided_at = $3 \
                 WHERE id = $4 AND status = 'open'",
                &[status.as_str().into(), by.into(), now.into(), id.into()],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn analyze_duplicates(&mut self) -> StoreResult<()> {
        self.execute("ANALYZE duplicate_pairs", &[]).await?;
        Ok(())
    }

    async fn close_duplicates_of(
        &mut self,
        idea_id: i64,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.execute(
            "UPDATE duplicate_pairs SET status = 'merged', decided_by = $1, decided_at = $2 \
             WHERE status = 'open' AND (first_idea_id = $3 OR second_idea_id = $4)",
            &[by.into(), now.into(), idea_id.into(), idea_id.into()],
        )
        .await?;
        Ok(())
    }
}
