//! Feedback on products from every channel: by an account, or by a contact known by e-mail
//! only. Each product's feedback and rating counts are kept in the transaction that adds one.

use async_trait::async_trait;
use cocreate_core::{FeedbackChannel, FeedbackStatus, Timestamp};

use crate::{Sql, SqlArg, SqlRead, SqlRow, SqlTx, StoreError, StoreResult};

/// The `source` of contacts known by their e-mail address, which is their `external_ref`.
pub const EMAIL_CONTACTS: &str = "email";

/// Who gave a piece of feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackAuthor {
    Account {
        id: i64,
        name: String,
        handle: String,
    },
    Contact {
        id: i64,
        email: String,
        name: Option<String>,
    },
    /// The account or contact was removed since.
    Gone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackItem {
    pub id: i64,
    pub product_id: i64,
    pub product_slug: String,
    pub product_name: String,
    pub space_id: i64,
    pub body: String,
    pub rating: Option<i64>,
    pub channel: FeedbackChannel,
    pub author: FeedbackAuthor,
    /// The account that sent it in for its author, when another (an integration's).
    pub submitted_by: Option<i64>,
    /// As core's `Tags` store them: `,a,b,`.
    pub tags: String,
    pub status: FeedbackStatus,
    /// Why it was closed.
    pub status_note: Option<String>,
    pub status_by: Option<i64>,
    pub status_at: Option<Timestamp>,
    /// The idea it is evidence for, once linked.
    pub idea_id: Option<i64>,
    /// Staff's answer to its author.
    pub answer: Option<String>,
    pub created_at: Timestamp,
}

impl FeedbackItem {
    pub fn tag_list(&self) -> Vec<&str> {
        self.tags.split(',').filter(|t| !t.is_empty()).collect()
    }
}

pub struct NewFeedback<'a> {
    pub product_id: i64,
    pub body: &'a str,
    pub rating: Option<i64>,
    pub channel: FeedbackChannel,
    pub author_account_id: Option<i64>,
    pub author_contact_id: Option<i64>,
    pub submitted_by: Option<i64>,
    pub tags: &'a str,
    pub created_at: Timestamp,
}

/// Which feedback to list: always within `space_ids`, newest first, `limit` of it before the
/// id `before`.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter<'a> {
    pub space_ids: &'a [i64],
    pub product_id: Option<i64>,
    pub channel: Option<FeedbackChannel>,
    pub rating: Option<i64>,
    pub tag: Option<&'a str>,
    pub status: Option<FeedbackStatus>,
    /// Neither answered nor closed.
    pub unanswered: bool,
    pub author_account_id: Option<i64>,
    /// Sent in by this account for someone else.
    pub submitted_by: Option<i64>,
    pub before: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait FeedbackRead {
    async fn feedback_item(&self, id: i64) -> StoreResult<Option<FeedbackItem>>;
    async fn feedback_list(&self, filter: &FeedbackFilter<'_>) -> StoreResult<Vec<FeedbackItem>>;
    /// Feedback given by the contact known by this (normalised) address.
    async fn contact_feedback_count(&self, email: &str) -> StoreResult<i64>;
    /// The feedback linked to an idea as evidence: how many people gave it (accounts and
    /// contacts, each once), and its newest `limit` pieces.
    async fn idea_evidence(
        &self,
        idea_id: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<FeedbackItem>)>;
}

#[async_trait]
pub trait FeedbackTx {
    /// The contact known by this (normalised) address, made if new; a name given now fills in
    /// a missing one.
    async fn email_contact(
        &mut self,
        email: &str,
        name: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<i64>;
    /// Adds the feedback and counts it (and its rating) on its product.
    async fn insert_feedback(&mut self, feedback: &NewFeedback<'_>) -> StoreResult<i64>;
    /// Loads generated feedback in bulk, without counting it on the products (see
    /// [`crate::ProductTx::recount_products`]).
    async fn load_feedback(&mut self, feedback: &[NewFeedback<'_>]) -> StoreResult<()>;
    /// Links the feedback among `ids` that is in one of `space_ids` to the idea as evidence
    /// (status `linked`); how many changed.
    async fn link_feedback(
        &mut self,
        ids: &[i64],
        space_ids: &[i64],
        idea_id: i64,
        by: i64,
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// Moves the feedback of the contact known by this address to the account, whose address
    /// it now proves to be; how many pieces moved.
    async fn claim_contact_feedback(&mut self, email: &str, account_id: i64) -> StoreResult<u64>;
    /// Records staff's answer (status `answered`).
    async fn answer_feedback(
        &mut self,
        id: i64,
        answer: &str,
        by: i64,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Sets the status of the feedback among `ids` that is in one of `spaces`; how many changed.
    async fn set_feedback_status(
        &mut self,
        ids: &[i64],
        space_ids: &[i64],
        status: FeedbackStatus,
        note: Option<&str>,
        by: i64,
        at: Timestamp,
    ) -> StoreResult<u64>;
}

/// A feedback row with its product, author and contact; the caller's conditions follow. The
/// cross join (its condition in the `WHERE`) keeps SQLite's join order: feedback first, read
/// newest first through the index its own conditions choose, so a page stops after its rows.
pub(crate) const COLUMNS: &str = "SELECT f.id, f.product_id, p.slug AS product_slug, \
     p.name AS product_name, p.space_id, f.body, f.rating, f.channel, f.author_account_id, \
     a.name AS account_name, a.handle AS account_handle, f.author_contact_id, \
     c.external_ref AS contact_email, c.name AS contact_name, f.submitted_by, f.tags, f.status, \
     f.status_note, f.status_by, f.status_at, f.idea_id, f.answer, f.created_at FROM feedback f \
     CROSS JOIN products p \
     LEFT JOIN accounts a ON a.id = f.author_account_id \
     LEFT JOIN contacts c ON c.id = f.author_contact_id WHERE p.id = f.product_id AND ";

const INSERT: &str = "INSERT INTO feedback (product_id, body, rating, channel, \
     author_account_id, author_contact_id, submitted_by, tags, created_at) ";

fn feedback_args<'a>(f: &'a NewFeedback<'_>) -> [SqlArg<'a>; 9] {
    [
        f.product_id.into(),
        f.body.into(),
        f.rating.into(),
        f.channel.as_str().into(),
        f.author_account_id.into(),
        f.author_contact_id.into(),
        f.submitted_by.into(),
        f.tags.into(),
        f.created_at.into(),
    ]
}

/// The id of the contact with source `$1` and address `$2`.
const CONTACT: &str = "SELECT id FROM contacts WHERE source = $1 AND external_ref = $2";

/// Narrows an update to the feedback among `ids` on the products of `space_ids`.
fn in_spaces<'a>(sql: &mut Sql<'a>, ids: &'a [i64], space_ids: &'a [i64]) {
    sql.push(" WHERE id IN (")
        .list(ids.iter().copied())
        .push(") AND product_id IN (SELECT id FROM products WHERE space_id IN (")
        .list(space_ids.iter().copied())
        .push("))");
}

pub(crate) fn item(mut row: SqlRow) -> StoreResult<FeedbackItem> {
    let author = match (
        row.maybe_int("author_account_id")?,
        row.maybe_int("author_contact_id")?,
    ) {
        (Some(id), _) => FeedbackAuthor::Account {
            id,
            name: row.text("account_name")?,
            handle: row.text("account_handle")?,
        },
        (None, Some(id)) => FeedbackAuthor::Contact {
            id,
            email: row.text("contact_email")?,
            name: row.maybe_text("contact_name")?,
        },
        (None, None) => FeedbackAuthor::Gone,
    };
    Ok(FeedbackItem {
        id: row.int("id")?,
        product_id: row.int("product_id")?,
        product_slug: row.text("product_slug")?,
        product_name: row.text("product_name")?,
        space_id: row.int("space_id")?,
        body: row.text("body")?,
        rating: row.maybe_int("rating")?,
        channel: row.parse("channel")?,
        author,
        submitted_by: row.maybe_int("submitted_by")?,
        tags: row.text("tags")?,
        status: row.parse("status")?,
        status_note: row.maybe_text("status_note")?,
        status_by: row.maybe_int("status_by")?,
        status_at: row.maybe_time("status_at")?,
        idea_id: row.maybe_int("idea_id")?,
        answer: row.maybe_text("answer")?,
        created_at: row.time("created_at")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> FeedbackRead for S {
    async fn feedback_item(&self, id: i64) -> StoreResult<Option<FeedbackItem>> {
        self.fetch_optional(&format!("{COLUMNS}f.id = $1"), &[id.into()])
            .await?
            .map(item)
            .transpose()
    }

    async fn feedback_list(&self, filter: &FeedbackFilter<'_>) -> StoreResult<Vec<FeedbackItem>> {
        if filter.space_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The spaces are checked row by row (the unary plus keeps SQLite from reading every
        // product's feedback through this term and sorting it): the newest-first scan of the
        // most selective index then stops after one page.
        let mut sql = Sql::new(format!(
            "{COLUMNS}+f.product_id IN (SELECT id FROM products WHERE space_id IN ("
        ));
        sql.list(filter.space_ids.iter().copied()).push("))");
        if let Some(product_id) = filter.product_id {
            sql.push(" AND f.product_id = ").bind(product_id);
        }
        if let Some(channel) = filter.channel {
            sql.push(" AND f.channel = ").bind(channel.as_str());
        }
        if let Some(rating) = filter.rating {
            sql.push(" AND f.rating = ").bind(rating);
        }
        if let Some(tag) = filter.tag {
            sql.push(" AND f.tags LIKE ").bind(format!("%,{tag},%"));
        }
        if let Some(status) = filter.status {
            sql.push(" AND f.status = ").bind(status.as_str());
        }
        if filter.unanswered {
            sql.push(" AND f.status IN ('new', 'linked')");
        }
        if let Some(account_id) = filter.author_account_id {
            sql.push(" AND f.author_account_id = ").bind(account_id);
        }
        if let Some(account_id) = filter.submitted_by {
            sql.push(" AND f.submitted_by = ").bind(account_id);
        }
        if let Some(before) = filter.before {
            sql.push(" AND f.id < ").bind(before);
        }
        sql.push(" ORDER BY f.id DESC LIMIT ").bind(filter.limit);
        self.fetch_sql(&sql).await?.into_iter().map(item).collect()
    }

    async fn contact_feedback_count(&self, email: &str) -> StoreResult<i64> {
        self.fetch_one(
            &format!("SELECT COUNT(*) AS n FROM feedback WHERE author_contact_id = ({CONTACT})"),
            &[EMAIL_CONTACTS.into(), email.into()],
        )
        .await?
        .int("n")
    }

    async fn idea_evidence(
        &self,
        idea_id: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<FeedbackItem>)> {
        let people = self
            .fetch_one(
                "SELECT COUNT(DISTINCT author_account_id) + COUNT(DISTINCT author_contact_id) \
                 AS n FROM feedback WHERE idea_id = $1",
                &[idea_id.into()],
            )
            .await?
            .int("n")?;
        let items = self
            .fetch(
                &format!("{COLUMNS}f.idea_id = $1 ORDER BY f.id DESC LIMIT $2"),
                &[idea_id.into(), limit.into()],
            )
            .await?
            .into_iter()
            .map(item)
            .collect::<StoreResult<_>>()?;
        Ok((people, items))
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> FeedbackTx for T {
    async fn email_contact(
        &mut self,
        email: &str,
        name: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<i64> {
        self.execute(
            "INSERT INTO contacts (source, external_ref, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source, external_ref) DO UPDATE \
             SET name = COALESCE(contacts.name, excluded.name)",
            &[EMAIL_CONTACTS.into(), email.into(), name.into(), now.into()],
        )
        .await?;
        self.fetch_one(CONTACT, &[EMAIL_CONTACTS.into(), email.into()])
            .await?
            .int("id")
    }

    async fn insert_feedback(&mut self, new: &NewFeedback<'_>) -> StoreResult<i64> {
        let mut sql = Sql::new(INSERT);
        sql.values(std::slice::from_ref(new), feedback_args)
            .push(" RETURNING id");
        let id = self
            .fetch_sql(&sql)
            .await?
            .first()
            .ok_or_else(|| StoreError::Database("no feedback id returned".into()))?
            .int("id")?;
        let rated = i64::from(new.rating.is_some());
        let counted = self
            .execute(
                "UPDATE products SET feedback_count = feedback_count + 1, \
                 rating_count = rating_count + $1, rating_sum = rating_sum + $2 WHERE id = $3",
                &[
                    rated.into(),
                    new.rating.unwrap_or(0).into(),
                    new.product_id.into(),
                ],
            )
            .await?;
        if counted != 1 {
            return Err(StoreError::Corrupt(format!(
                "feedback {id} names product {}, which is not there",
                new.product_id
            )));
        }
        Ok(id)
    }

    async fn load_feedback(&mut self, feedback: &[NewFeedback<'_>]) -> StoreResult<()> {
        for chunk in feedback.chunks(1_000) {
            let mut sql = Sql::new(INSERT);
            sql.values(chunk, feedback_args);
            self.execute_sql(&sql).await?;
        }
        Ok(())
    }

    async fn link_feedback(
        &mut self,
        ids: &[i64],
        space_ids: &[i64],
        idea_id: i64,
        by: i64,
        at: Timestamp,
    ) -> StoreResult<u64> {
        if ids.is_empty() || space_ids.is_empty() {
            return Ok(0);
        }
        let mut sql = Sql::new("UPDATE feedback SET status = 'linked', idea_id = ");
        sql.bind(idea_id)
            .push(", status_note = NULL, status_by = ")
            .bind(by)
            .push(", status_at = ")
            .bind(at);
        in_spaces(&mut sql, ids, space_ids);
        self.execute_sql(&sql).await
    }

    async fn claim_contact_feedback(&mut self, email: &str, account_id: i64) -> StoreResult<u64> {
        self.execute(
            "UPDATE feedback SET author_account_id = $1, author_contact_id = NULL \
             WHERE author_contact_id = \
             (SELECT id FROM contacts WHERE source = $2 AND external_ref = $3)",
            &[account_id.into(), EMAIL_CONTACTS.into(), email.into()],
        )
        .await
    }

    async fn answer_feedback(
        &mut self,
        id: i64,
        answer: &str,
        by: i64,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.execute(
            "UPDATE feedback SET status = 'answered', answer = $1, status_note = NULL, \
             status_by = $2, status_at = $3, answered_at = $3 WHERE id = $4",
            &[answer.into(), by.into(), at.into(), id.into()],
        )
        .await?;
        Ok(())
    }

    async fn set_feedback_status(
        &mut self,
        ids: &[i64],
        space_ids: &[i64],
        status: FeedbackStatus,
        note: Option<&str>,
        by: i64,
        at: Timestamp,
    ) -> StoreResult<u64> {
        if ids.is_empty() || space_ids.is_empty() {
            return Ok(0);
        }
        let mut sql = Sql::new("UPDATE feedback SET status = ");
        sql.bind(status.as_str())
            .push(", status_note = ")
            .bind(note)
            .push(", status_by = ")
            .bind(by)
            .push(", status_at = ")
            .bind(at);
        in_spaces(&mut sql, ids, space_ids);
        self.execute_sql(&sql).await
    }
}
