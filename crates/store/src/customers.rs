//! The customer list: everyone who gave feedback, each listed once at their newest piece that
//! matches the filters, most recently heard from first. It is read newest first through the
//! feedback's time index, a step at a time, until a page of distinct authors is found; on later
//! pages an author listed already is recognised by one index range of theirs.

use std::collections::HashSet;

use async_trait::async_trait;
use cocreate_core::{FeedbackChannel, Timestamp};

use crate::feedback::{COLUMNS, item};
use crate::{FeedbackAuthor, FeedbackItem, Sql, SqlRead, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFilter<'a> {
    /// The products whose feedback counts: those of the spaces the reader triages, or the one
    /// asked for.
    pub product_ids: &'a [i64],
    pub channel: Option<FeedbackChannel>,
    pub tag: Option<&'a str>,
    /// Heard from in this period: from `since`, before `until`.
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// The customers after this one: the time and id of the piece they were listed at.
    pub before: Option<(Timestamp, i64)>,
    pub limit: i64,
}

/// Someone known without an account: by e-mail, or from an imported conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    /// Where they were met: `email`, or a conversation's address.
    pub source: String,
    /// Their address, or who they were where they were met.
    pub external_ref: String,
    pub name: Option<String>,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait CustomerRead {
    /// A page of customers, each as their newest matching piece of feedback.
    async fn customers(&self, filter: &CustomerFilter<'_>) -> StoreResult<Vec<FeedbackItem>>;
    async fn contact(&self, id: i64) -> StoreResult<Option<Contact>>;
    /// Which of the authors of `items` have a piece matching `filter` at or above `start`.
    async fn listed_before(
        &self,
        filter: &CustomerFilter<'_>,
        start: (Timestamp, i64),
        items: &[FeedbackItem],
    ) -> StoreResult<HashSet<(bool, i64)>>;
}

/// Pieces of feedback read per step of the newest-first scan.
const STEP: i64 = 200;

/// The filter's conditions on the feedback `f`, and that it has an author: none of them may
/// choose an index, so the scan walks the time index in order and stops.
fn matching<'a>(sql: &mut Sql<'a>, filter: &CustomerFilter<'a>) {
    sql.push(" AND (f.author_account_id IS NOT NULL OR f.author_contact_id IS NOT NULL)");
    // The unary plus keeps the product list from choosing the index (SQLite would read every
    // listed product's feedback through it and sort it all).
    sql.push(" AND +f.product_id IN (")
        .list(filter.product_ids.iter().copied())
        .push(")");
    if let Some(channel) = filter.channel {
        sql.push(" AND f.channel = ").bind(channel.as_str());
    }
    if let Some(tag) = filter.tag {
        sql.push(" AND f.tags LIKE ").bind(format!("%,{tag},%"));
    }
    if let Some(until) = filter.until {
        sql.push(" AND f.created_at < ").bind(until);
    }
}

/// Who gave a piece: their account (`true`) or contact, by id.
fn author_key(item: &FeedbackItem) -> Option<(bool, i64)> {
    match item.author {
        FeedbackAuthor::Account { id, .. } => Some((true, id)),
        FeedbackAuthor::Contact { id, .. } => Some((false, id)),
        FeedbackAuthor::Gone => None,
    }
}

#[async_trait]
impl<S: SqlRead + ?Sized> CustomerRead for S {
    async fn customers(&self, filter: &CustomerFilter<'_>) -> StoreResult<Vec<FeedbackItem>> {
        // Each author is kept at their first (newest) piece in the scan; on a later page, those
        // with a matching piece at or above the page's start were listed already.
        let mut found: Vec<FeedbackItem> = Vec::new();
        let mut seen = HashSet::new();
        let mut from = filter.before;
        let limit = usize::try_from(filter.limit).unwrap_or(0);
        while found.len() < limit && !filter.product_ids.is_empty() {
            let mut sql = Sql::new(format!("{COLUMNS}1 = 1"));
            matching(&mut sql, filter);
            if let Some(since) = filter.since {
                sql.push(" AND f.created_at >= ").bind(since);
            }
            if let Some((at, id)) = from {
                sql.push(" AND (f.created_at < ")
                    .bind(at)
                    .push(" OR (f.created_at = ")
                    .bind(at)
                    .push(" AND f.id < ")
                    .bind(id)
                    .push("))");
            }
            sql.push(" ORDER BY f.created_at DESC, f.id DESC LIMIT ")
                .bind(STEP);
            let step = self
                .fetch_sql(&sql)
                .await?
                .into_iter()
                .map(item)
                .collect::<StoreResult<Vec<_>>>()?;
            let Some(last) = step.last().map(|item| (item.created_at, item.id)) else {
                break;
            };
            let mut fresh: Vec<FeedbackItem> = step
                .into_iter()
                .filter(|item| author_key(item).is_some_and(|key| seen.insert(key)))
                .collect();
            if let Some(start) = filter.before {
                let listed = self.listed_before(filter, start, &fresh).await?;
                fresh.retain(|item| author_key(item).is_some_and(|key| !listed.contains(&key)));
            }
            found.extend(fresh);
            from = Some(last);
        }
        found.truncate(limit);
        Ok(found)
    }

    async fn listed_before(
        &self,
        filter: &CustomerFilter<'_>,
        (at, id): (Timestamp, i64),
        items: &[FeedbackItem],
    ) -> StoreResult<HashSet<(bool, i64)>> {
        let mut listed = HashSet::new();
        for (account, column) in [(true, "author_account_id"), (false, "author_contact_id")] {
            let ids: Vec<i64> = items
                .iter()
                .filter_map(author_key)
                .filter(|(is_account, _)| *is_account == account)
                .map(|(_, id)| id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            // One index range of each author's pieces, from the page's start up.
            let mut sql = Sql::new(format!(
                "SELECT DISTINCT f.{column} AS author FROM feedback f WHERE f.{column} IN ("
            ));
            sql.list(ids.iter().copied()).push(")");
            matching(&mut sql, filter);
            sql.push(" AND (f.created_at > ")
                .bind(at)
                .push(" OR (f.created_at = ")
                .bind(at)
                .push(" AND f.id >= ")
                .bind(id)
                .push("))");
            for row in self.fetch_sql(&sql).await? {
                listed.insert((account, row.int("author")?));
            }
        }
        Ok(listed)
    }

    async fn contact(&self, id: i64) -> StoreResult<Option<Contact>> {
        let Some(mut row) = self
            .fetch_optional(
                "SELECT id, source, external_ref, name, created_at FROM contacts WHERE id = $1",
                &[id.into()],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(Contact {
            id: row.int("id")?,
            source: row.text("source")?,
            external_ref: row.text("external_ref")?,
            name: row.maybe_text("name")?,
            created_at: row.time("created_at")?,
        }))
    }
}
