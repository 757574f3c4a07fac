//! Support: who supports which idea, the counters and ranks kept on each idea, and merging one
//! idea's support into another's.

use std::collections::BTreeMap;

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::sql::ints;
use crate::{RankInput, Sql, SqlRead, SqlTx, StoreResult, SupporterCount};

#[async_trait]
pub trait SupportRead {
    /// Which of `idea_ids` the account supports.
    async fn supported_among(&self, account_id: i64, idea_ids: &[i64]) -> StoreResult<Vec<i64>>;
    /// Every idea after `after_id`, in id order, with its stored ranks and the supporters it
    /// gained since `recent_since`: what a full check of the ranks reads.
    async fn ideas_to_rank(
        &self,
        recent_since: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<RankInput>>;
    /// The ideas, in id order after `after_id`, that have a support recorded in `[from, to)`:
    /// those whose trending count drops when the window's start moves from `from` to `to`.
    async fn ideas_supported_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<i64>>;
    /// Ideas whose stored supporter or comment count differs from the rows behind it (zero when
    /// every counter is exact).
    async fn miscounted_ideas(&self) -> StoreResult<i64>;
}

#[async_trait]
pub trait SupportTx {
    /// Records many (idea, account) supports at once, skipping those already recorded; returns
    /// how many supporters each idea gained. The ideas' rows are left for
    /// [`SupportTx::set_supporters`], so each idea is rewritten once with its count and ranks.
    async fn add_supports(
        &mut self,
        supports: &[(i64, i64)],
        now: Timestamp,
    ) -> StoreResult<Vec<(i64, i64)>>;
    /// Writes each idea's new supporter count with the ranks it moves, in one statement.
    async fn set_supporters(
        &mut self,
        counts: &[SupporterCount],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Removes the account's support; returns the new count, or `None` if it had none.
    async fn remove_support(&mut self, idea_id: i64, account_id: i64) -> StoreResult<Option<i64>>;
    /// How many supporters each of these ideas gained since `since` (ideas with none are left
    /// out).
    async fn recent_supporters(
        &mut self,
        ids: &[i64],
        since: Timestamp,
    ) -> StoreResult<Vec<(i64, i64)>>;
    /// Stores (id, hot, trending) for a batch of ideas.
    /// Returns how many ideas' ranks moved (those unchanged are not written).
    async fn set_ranks(&mut self, ranks: &[(i64, i64, i64)]) -> StoreResult<u64>;
    /// Moves every support of `from` to `into` (one per account) and marks `from` merged;
    /// returns `into`'s new count.
    async fn merge_idea(&mut self, from: i64, into: i64, now: Timestamp) -> StoreResult<i64>;
}

const TO_RANK: &str = "SELECT i.id, i.supporters, i.comments, i.created_at, i.hot, i.trending, \
     (SELECT COUNT(*) FROM supports s WHERE s.idea_id = i.id AND s.created_at >= $1) AS recent \
     FROM ideas i WHERE i.id > $2 ORDER BY i.id LIMIT $3";
const SUPPORTED_BETWEEN: &str = "SELECT DISTINCT idea_id FROM supports \
     WHERE created_at >= $1 AND created_at < $2 AND idea_id > $3 ORDER BY idea_id LIMIT $4";
const MISCOUNTED: &str = "SELECT COUNT(*) AS n FROM ideas i \
     WHERE i.supporters <> (SELECT COUNT(*) FROM supports s WHERE s.idea_id = i.id) \
     OR i.comments <> (SELECT COUNT(*) FROM comments c \
     WHERE c.idea_id = i.id AND c.deleted_at IS NULL)";
const MERGE_SUPPORTS: &str = "INSERT INTO supports (idea_id, account_id, created_at) \
     SELECT $1, account_id, created_at FROM supports WHERE idea_id = $2 \
     ON CONFLICT (idea_id, account_id) DO NOTHING";
const MARK_MERGED: &str = "UPDATE ideas SET stage = 'merged', merged_into = $1, supporters = 0, \
     tier_deadline = NULL, updated_at = $2 WHERE id = $3";
const RECOUNT: &str = "UPDATE ideas SET supporters = \
     (SELECT COUNT(*) FROM supports WHERE idea_id = $1), updated_at = $2 \
     WHERE id = $1 RETURNING supporters";

#[async_trait]
impl<S: SqlRead + ?Sized> SupportRead for S {
    async fn supported_among(&self, account_id: i64, idea_ids: &[i64]) -> StoreResult<Vec<i64>> {
        if idea_ids.is_empty() {
            return Ok(Vec::new());
        }
        // One (idea, account) lookup per listed idea, so the cost does not grow with how many
        // ideas the account supports: asked for `account_id = ? AND idea_id IN (…)`,
        // PostgreSQL reads all of the account's supports and filters them.
        let mut sql = Sql::new("SELECT i.id AS idea_id FROM ideas i WHERE i.id IN (");
        sql.list(idea_ids.iter().copied())
            .push(
                ") AND (SELECT COUNT(*) FROM supports s WHERE s.idea_id = i.id AND s.account_id = ",
            )
            .bind(account_id)
            .push(") > 0");
        ints(&self.fetch_sql(&sql).await?, "idea_id")
    }

    async fn ideas_to_rank(
        &self,
        recent_since: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<RankInput>> {
        let args = [recent_since.into(), after_id.into(), limit.into()];
        let rows = self.fetch(TO_RANK, &args).await?;
        rows.iter()
            .map(|row| {
                Ok(RankInput {
                    id: row.int("id")?,
                    supporters: row.int("supporters")?,
                    comments: row.int("comments")?,
                    created_at: row.time("created_at")?,
                    recent_supporters: row.int("recent")?,
                    hot: row.int("hot")?,
                    trending: row.int("trending")?,
                })
            })
            .collect()
    }

    async fn ideas_supported_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<i64>> {
        let args = [from.into(), to.into(), after_id.into(), limit.into()];
        ints(&self.fetch(SUPPORTED_BETWEEN, &args).await?, "idea_id")
    }

    async fn miscounted_ideas(&self) -> StoreResult<i64> {
        self.fetch_one(MISCOUNTED, &[]).await?.int("n")
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> SupportTx for T {
    async fn add_supports(
        &mut self,
        supports: &[(i64, i64)],
        now: Timestamp,
    ) -> StoreResult<Vec<(i64, i64)>> {
        if supports.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("INSERT INTO supports (idea_id, account_id, created_at) ");
        sql.values(supports, |(idea_id, account_id)| {
            [(*idea_id).into(), (*account_id).into(), now.into()]
        })
        .push(" ON CONFLICT (idea_id, account_id) DO NOTHING RETURNING idea_id");
        let mut added: BTreeMap<i64, i64> = BTreeMap::new();
        for idea_id in ints(&self.fetch_sql(&sql).await?, "idea_id")? {
            *added.entry(idea_id).or_default() += 1;
        }
        Ok(added.into_iter().collect())
    }

    async fn set_supporters(
        &mut self,
        counts: &[SupporterCount],
        now: Timestamp,
    ) -> StoreResult<()> {
        if counts.is_empty() {
            return Ok(());
        }
        // One rewrite of each row: on PostgreSQL every rewrite of an indexed column is a new
        // row version with an entry in each of the table's indexes.
        let mut sql = Sql::new("WITH v (id, supporters, hot, trending) AS (");
        sql.values(counts, |count| {
            [
                count.idea_id.into(),
                count.supporters.into(),
                count.hot.into(),
                count.trending.into(),
            ]
        })
        .push(
            ") UPDATE ideas SET supporters = v.supporters, hot = v.hot, trending = v.trending, \
             updated_at = ",
        )
        .bind(now)
        .push(" FROM v WHERE ideas.id = v.id");
        self.execute_sql(&sql).await?;
        Ok(())
    }

    async fn remove_support(&mut self, idea_id: i64, account_id: i64) -> StoreResult<Option<i64>> {
        let sql = "DELETE FROM supports WHERE idea_id = $1 AND account_id = $2";
        if self
            .execute(sql, &[idea_id.into(), account_id.into()])
            .await?
            == 0
        {
            return Ok(None);
        }
        let sql = "UPDATE ideas SET supporters = supporters - 1 WHERE id = $1 RETURNING supporters";
        let row = self.fetch_one(sql, &[idea_id.into()]).await?;
        Ok(Some(row.int("supporters")?))
    }

    async fn recent_supporters(
        &mut self,
        ids: &[i64],
        since: Timestamp,
    ) -> StoreResult<Vec<(i64, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT idea_id, COUNT(*) AS n FROM supports WHERE created_at >= ");
        sql.bind(since)
            .push(" AND idea_id IN (")
            .list(ids.iter().copied())
            .push(") GROUP BY idea_id");
        let rows = self.fetch_sql(&sql).await?;
        rows.iter()
            .map(|row| Ok((row.int("idea_id")?, row.int("n")?)))
            .collect()
    }

    async fn set_ranks(&mut self, ranks: &[(i64, i64, i64)]) -> StoreResult<u64> {
        // One statement per chunk, writing only the ranks that moved: on PostgreSQL every
        // rewrite of an indexed column is a new row version.
        let mut moved = 0;
        for chunk in ranks.chunks(500) {
            let mut sql = Sql::new("WITH v (id, hot, trending) AS (");
            sql.values(chunk, |(id, hot, trending)| {
                [(*id).into(), (*hot).into(), (*trending).into()]
            })
            .push(
                ") UPDATE ideas SET hot = v.hot, trending = v.trending FROM v \
                 WHERE ideas.id = v.id AND (ideas.trending <> v.trending OR ideas.hot <> v.hot)",
            );
            moved += self.execute_sql(&sql).await?;
        }
        Ok(moved)
    }

    async fn merge_idea(&mut self, from: i64, into: i64, now: Timestamp) -> StoreResult<i64> {
        self.execute(MERGE_SUPPORTS, &[into.into(), from.into()])
            .await?;
        self.execute("DELETE FROM supports WHERE idea_id = $1", &[from.into()])
            .await?;
        self.execute(MARK_MERGED, &[into.into(), now.into(), from.into()])
            .await?;
        let row = self.fetch_one(RECOUNT, &[into.into(), now.into()]).await?;
        row.int("supporters")
    }
}
