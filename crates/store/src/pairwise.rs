//! Pairwise ranking: "which of these two ideas?" answers in a challenge, one per pair per person,
//! with each compared pair's tally kept in the transaction of every answer.

use async_trait::async_trait;
use cocreate_core::{Stage, Timestamp};

use crate::{Sql, SqlRead, SqlTx, StoreError, StoreResult};

/// The answers on a pair of ideas; `low_idea_id` is the lower id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairwiseTally {
    pub low_idea_id: i64,
    pub high_idea_id: i64,
    pub low_wins: i64,
    pub high_wins: i64,
    pub skips: i64,
}

/// A pair's answer: the lower id first, and the idea picked (`None` for a skip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairAnswer {
    pub low_idea_id: i64,
    pub high_idea_id: i64,
    pub picked: Option<i64>,
}

/// The stages whose ideas are compared: those still open to a decision or decided in favour.
pub const COMPARED_STAGES: &[Stage] = &[
    Stage::Gathering,
    Stage::Review,
    Stage::Accepted,
    Stage::Launched,
];

#[async_trait]
pub trait PairwiseRead {
    /// The challenge's ideas everyone may read in [`COMPARED_STAGES`], by id.
    async fn compared_ideas(&self, challenge_id: i64) -> StoreResult<Vec<i64>>;
    /// Bumped by every answer in the challenge; 0 before the first.
    async fn pairwise_version(&self, challenge_id: i64) -> StoreResult<i64>;
    async fn pairwise_tallies(&self, challenge_id: i64) -> StoreResult<Vec<PairwiseTally>>;
    /// The pairs the account has answered in the challenge, as (lower, higher) idea ids.
    async fn answered_pairs(
        &self,
        challenge_id: i64,
        account_id: i64,
    ) -> StoreResult<Vec<(i64, i64)>>;
    /// The titles of the ideas among `ids`, by id.
    async fn idea_titles(&self, ids: &[i64]) -> StoreResult<Vec<(i64, String)>>;
}

#[async_trait]
pub trait PairwiseTx {
    /// Records the account's answer on the pair, replacing an earlier one, and keeps the pair's
    /// tally exact.
    async fn answer_pair(
        &mut self,
        challenge_id: i64,
        account_id: i64,
        answer: PairAnswer,
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// The change to a tally's (low wins, high wins, skips) of adding (+1) or taking away (-1) an
/// answer.
fn tally_change(answer: &PairAnswer, by: i64) -> [i64; 3] {
    match answer.picked {
        Some(id) if id == answer.low_idea_id => [by, 0, 0],
        Some(_) => [0, by, 0],
        None => [0, 0, by],
    }
}

#[async_trait]
impl<S: SqlRead + ?Sized> PairwiseRead for S {
    async fn compared_ideas(&self, challenge_id: i64) -> StoreResult<Vec<i64>> {
        let mut sql = Sql::new("SELECT id FROM ideas WHERE challenge_id = ");
        sql.bind(challenge_id)
            .push(" AND hidden_at IS NULL AND stage IN (")
            .list(COMPARED_STAGES.iter().map(|stage| stage.as_str()))
            .push(") ORDER BY id");
        self.fetch_sql(&sql)
            .await?
            .iter()
            .map(|row| row.int("id"))
            .collect()
    }

    async fn pairwise_version(&self, challenge_id: i64) -> StoreResult<i64> {
        let sql = "SELECT version FROM pairwise_versions WHERE challenge_id = $1";
        let row = self.fetch_optional(sql, &[challenge_id.into()]).await?;
        Ok(row.map(|row| row.int("version")).transpose()?.unwrap_or(0))
    }

    async fn pairwise_tallies(&self, challenge_id: i64) -> StoreResult<Vec<PairwiseTally>> {
        let sql = "SELECT low_idea_id, high_idea_id, low_wins, high_wins, skips \
             FROM pairwise_tallies WHERE challenge_id = $1";
        let rows = self.fetch(sql, &[challenge_id.into()]).await?;
        rows.iter()
            .map(|row| {
                Ok(PairwiseTally {
                    low_idea_id: row.int("low_idea_id")?,
                    high_idea_id: row.int("high_idea_id")?,
                    low_wins: row.int("low_wins")?,
                    high_wins: row.int("high_wins")?,
                    skips: row.int("skips")?,
                })
            })
            .collect()
    }

    async fn answered_pairs(
        &self,
        challenge_id: i64,
        account_id: i64,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let sql = "SELECT low_idea_id, high_idea_id FROM pairwise_answers \
             WHERE challenge_id = $1 AND account_id = $2";
        let rows = self
            .fetch(sql, &[challenge_id.into(), account_id.into()])
            .await?;
        rows.iter()
            .map(|row| Ok((row.int("low_idea_id")?, row.int("high_idea_id")?)))
            .collect()
    }

    async fn idea_titles(&self, ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT id, title FROM ideas WHERE id IN (");
        sql.list(ids.iter().copied()).push(")");
        self.fetch_sql(&sql)
            .await?
            .into_iter()
            .map(|mut row| Ok((row.int("id")?, row.text("title")?)))
            .collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> PairwiseTx for T {
    async fn answer_pair(
        &mut self,
        challenge_id: i64,
        account_id: i64,
        answer: PairAnswer,
        now: Timestamp,
    ) -> StoreResult<()> {
        if answer.low_idea_id >= answer.high_idea_id {
            return Err(StoreError::Corrupt(format!(
                "a pair ({}, {}) not in order",
                answer.low_idea_id, answer.high_idea_id
            )));
        }
        // Bumping the challenge's version first holds its row: answers in a challenge queue,
        // so each sees the one before.
        self.execute(
            "INSERT INTO pairwise_versions (challenge_id, version) VALUES ($1, 1) \
             ON CONFLICT (challenge_id) DO UPDATE SET version = pairwise_versions.version + 1",
            &[challenge_id.into()],
        )
        .await?;
        let earlier = self
            .fetch_optional(
                "SELECT picked_idea_id FROM pairwise_answers \
                 WHERE account_id = $1 AND low_idea_id = $2 AND high_idea_id = $3",
                &[
                    account_id.into(),
                    answer.low_idea_id.into(),
                    answer.high_idea_id.into(),
                ],
            )
            .await?
            .map(|row| {
                Ok::<_, StoreError>(PairAnswer {
                    picked: row.maybe_int("picked_idea_id")?,
                    ..answer
                })
            })
            .transpose()?;
        let mut change = tally_change(&answer, 1);
        match earlier {
            Some(same) if same == answer => return Ok(()),
            Some(earlier) => {
                self.execute(
                    "UPDATE pairwise_answers SET picked_idea_id = $1, answered_at = $2 \
                     WHERE account_id = $3 AND low_idea_id = $4 AND high_idea_id = $5",
                    &[
                        answer.picked.into(),
                        now.into(),
                        account_id.into(),
                        answer.low_idea_id.into(),
                        answer.high_idea_id.into(),
                    ],
                )
                .await?;
                for (total, taken) in change.iter_mut().zip(tally_change(&earlier, -1)) {
                    *total += taken;
                }
            }
            None => {
                self.execute(
                    "INSERT INTO pairwise_answers (challenge_id, account_id, low_idea_id, \
                     high_idea_id, picked_idea_id, answered_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        challenge_id.into(),
                        account_id.into(),
                        answer.low_idea_id.into(),
                        answer.high_idea_id.into(),
                        answer.picked.into(),
                        now.into(),
                    ],
                )
                .await?;
            }
        }
        let [low_wins, high_wins, skips] = change;
        self.execute(
            "INSERT INTO pairwise_tallies (challenge_id, low_idea_id, high_idea_id, low_wins, \
             high_wins, skips) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (low_idea_id, high_idea_id) DO UPDATE SET \
             low_wins = pairwise_tallies.low_wins + excluded.low_wins, \
             high_wins = pairwise_tallies.high_wins + excluded.high_wins, \
             skips = pairwise_tallies.skips + excluded.skips",
            &[
                challenge_id.into(),
                answer.low_idea_id.into(),
                answer.high_idea_id.into(),
                low_wins.into(),
                high_wins.into(),
                skips.into(),
            ],
        )
        .await?;
        Ok(())
    }
}
