//! Feedback imported in batches (CSV, JSON Lines, e-mail): each row carries a key naming its
//! source, and a row whose key is there already is skipped, so importing the same file again
//! adds nothing. Authors are found or made a batch at a time, and the products' counts move
//! once per batch.

use std::collections::HashMap;

use async_trait::async_trait;
use cocreate_core::{FeedbackChannel, Timestamp};

use crate::feedback::EMAIL_CONTACTS;
use crate::{Sql, SqlTx, StoreResult};

/// Rows per statement: ten values each, well under both databases' limit on bound values.
const IMPORT_BATCH: usize = 1_000;

/// One imported piece of feedback. Its author is the account using `author_email`, or else the
/// contact known by it.
#[derive(Debug, Clone)]
pub struct ImportedFeedback<'a> {
    pub product_id: i64,
    pub body: &'a str,
    pub rating: Option<i64>,
    pub channel: FeedbackChannel,
    /// Normalised, as core's `Email` keeps it.
    pub author_email: &'a str,
    pub author_name: Option<&'a str>,
    /// Who imported it, when an account did.
    pub submitted_by: Option<i64>,
    pub tags: &'a str,
    pub created_at: Timestamp,
    pub import_key: &'a str,
}

#[async_trait]
pub trait FeedbackImportTx {
    /// Adds the rows whose import key is new, each once, and counts them on their products;
    /// returns the keys added.
    async fn import_feedback(
        &mut self,
        rows: &[ImportedFeedback<'_>],
        now: Timestamp,
    ) -> StoreResult<Vec<String>>;
}

/// Per product: pieces added, pieces rated, and the sum of their ratings.
type Counts = HashMap<i64, (i64, i64, i64)>;

#[async_trait]
impl<T: SqlTx + ?Sized> FeedbackImportTx for T {
    async fn import_feedback(
        &mut self,
        rows: &[ImportedFeedback<'_>],
        now: Timestamp,
    ) -> StoreResult<Vec<String>> {
        let mut added = Vec::with_capacity(rows.len());
        let mut counts = Counts::new();
        for batch in rows.chunks(IMPORT_BATCH) {
            let (accounts, contacts) = authors(self, batch, now).await?;
            let mut sql = Sql::new(
                "INSERT INTO feedback (product_id, body, rating, channel, author_account_id, \
                 author_contact_id, submitted_by, tags, created_at, import_key) ",
            );
            sql.values(batch, |row| {
                let account = accounts.get(row.author_email).copied();
                let contact = match account {
                    Some(_) => None,
                    None => contacts.get(row.author_email).copied(),
                };
                [
                    row.product_id.into(),
                    row.body.into(),
                    row.rating.into(),
                    row.channel.as_str().into(),
                    account.into(),
                    contact.into(),
                    row.submitted_by.into(),
                    row.tags.into(),
                    row.created_at.into(),
                    row.import_key.into(),
                ]
            })
            .push(" ON CONFLICT DO NOTHING RETURNING product_id, rating, import_key");
            for mut row in self.fetch_sql(&sql).await? {
                let product = row.int("product_id")?;
                let rating = row.maybe_int("rating")?;
                let count = counts.entry(product).or_default();
                count.0 += 1;
                if let Some(rating) = rating {
                    count.1 += 1;
                    count.2 += rating;
                }
                added.push(row.text("import_key")?);
            }
        }
        for (product, (pieces, rated, sum)) in counts {
            self.execute(
                "UPDATE products SET feedback_count = feedback_count + $1, \
                 rating_count = rating_count + $2, rating_sum = rating_sum + $3 WHERE id = $4",
                &[pieces.into(), rated.into(), sum.into(), product.into()],
            )
            .await?;
        }
        Ok(added)
    }
}

/// The accounts using the batch's addresses, and contacts (found or made) for the others.
async fn authors<T: SqlTx + ?Sized>(
    tx: &mut T,
    batch: &[ImportedFeedback<'_>],
    now: Timestamp,
) -> StoreResult<(HashMap<String, i64>, HashMap<String, i64>)> {
    let mut names: HashMap<&str, Option<&str>> = HashMap::new();
    for row in batch {
        let name = names.entry(row.author_email).or_default();
        if name.is_none() {
            *name = row.author_name;
        }
    }
    let mut sql = Sql::new("SELECT id, email FROM accounts WHERE email IN (");
    sql.list(names.keys().copied()).push(")");
    let mut accounts = HashMap::new();
    for mut row in tx.fetch_sql(&sql).await? {
        accounts.insert(row.text("email")?, row.int("id")?);
    }
    let others: Vec<(&str, Option<&str>)> = names
        .into_iter()
        .filter(|(email, _)| !accounts.contains_key(*email))
        .collect();
    let mut contacts = HashMap::new();
    if others.is_empty() {
        return Ok((accounts, contacts));
    }
    let mut insert = Sql::new("INSERT INTO contacts (source, external_ref, name, created_at) ");
    insert
        .values(&others, |(email, name)| {
            [
                EMAIL_CONTACTS.into(),
                (*email).into(),
                (*name).into(),
                now.into(),
            ]
        })
        .push(
            " ON CONFLICT (source, external_ref) DO UPDATE \
             SET name = COALESCE(contacts.name, excluded.name)",
        );
    tx.execute_sql(&insert).await?;
    let mut select = Sql::new("SELECT id, external_ref FROM contacts WHERE source = ");
    select
        .bind(EMAIL_CONTACTS)
        .push(" AND external_ref IN (")
        .list(others.iter().map(|(email, _)| *email))
        .push(")");
    for mut row in tx.fetch_sql(&select).await? {
        contacts.insert(row.text("external_ref")?, row.int("id")?);
    }
    Ok((accounts, contacts))
}
