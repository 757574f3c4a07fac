//! The customer list: everyone who gave feedback, each listed once at their newest piece that
//! matches the filters, most recently heard from first. It is read newest first through the
//! feedback's time index; a piece is skipped when its author has a newer matching one (an index
//! range of theirs), so a page stops after its customers, however many there are.

use async_trait::async_trait;
use cocreate_core::{FeedbackChannel, Timestamp};

use crate::feedback::{COLUMNS, item};
use crate::{FeedbackItem, Sql, SqlRead, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFilter<'a> {
    /// The spaces whose products' feedback the reader triages.
    pub space_ids: &'a [i64],
    pub product_id: Option<i64>,
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
}

/// The filter's conditions on the feedback `f` (the unary pluses keep them from choosing the
/// index: the newest-first scan of time goes first).
fn matching<'a>(sql: &mut Sql<'a>, f: &str, filter: &CustomerFilter<'a>) {
    sql.push(&format!(
        " AND +{f}.product_id IN (SELECT id FROM products WHERE space_id IN ("
    ))
    .list(filter.space_ids.iter().copied())
    .push("))");
    if let Some(product_id) = filter.product_id {
        sql.push(&format!(" AND +{f}.product_id = "))
            .bind(product_id);
    }
    if let Some(channel) = filter.channel {
        sql.push(&format!(" AND {f}.channel = "))
            .bind(channel.as_str());
    }
    if let Some(tag) = filter.tag {
        sql.push(&format!(" AND {f}.tags LIKE "))
            .bind(format!("%,{tag},%"));
    }
    if let Some(until) = filter.until {
        sql.push(&format!(" AND {f}.created_at < ")).bind(until);
    }
}

#[async_trait]
impl<S: SqlRead + ?Sized> CustomerRead for S {
    async fn customers(&self, filter: &CustomerFilter<'_>) -> StoreResult<Vec<FeedbackItem>> {
        if filter.space_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(format!(
            "{COLUMNS}(f.author_account_id IS NOT NULL OR f.author_contact_id IS NOT NULL)"
        ));
        matching(&mut sql, "f", filter);
        if let Some(since) = filter.since {
            sql.push(" AND f.created_at >= ").bind(since);
        }
        if let Some((at, id)) = filter.before {
            sql.push(" AND (f.created_at < ")
                .bind(at)
                .push(" OR (f.created_at = ")
                .bind(at)
                .push(" AND f.id < ")
                .bind(id)
                .push("))");
        }
        for author in ["author_account_id", "author_contact_id"] {
            sql.push(&format!(
                " AND NOT EXISTS (SELECT 1 FROM feedback g WHERE g.{author} = f.{author} \
                 AND g.created_at >= f.created_at AND (g.created_at > f.created_at OR g.id > f.id)"
            ));
            matching(&mut sql, "g", filter);
            sql.push(")");
        }
        sql.push(" ORDER BY f.created_at DESC, f.id DESC LIMIT ")
            .bind(filter.limit);
        self.fetch_sql(&sql).await?.into_iter().map(item).collect()
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
