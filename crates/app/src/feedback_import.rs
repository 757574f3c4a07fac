//! Feedback imported in bulk: rows of a CSV or JSON Lines file (see [`crate::feedback_rows`]),
//! or e-mail messages. A reader thread turns the source into
//! checked rows a batch at a time while this side writes them, so memory stays flat however
//! large the file. Everything is written in one transaction: good rows import, refused rows are
//! reported with their line and reason, and a file that cannot be read at all imports nothing.
//! Each row carries a key naming its source, so importing the same file again adds nothing; a
//! dry run does all of it and rolls back, so it reports exactly what the import would do.

use std::collections::HashMap;

use cocreate_core::{FeedbackChannel, Timestamp};
use cocreate_store::{ImportedFeedback, Product};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::{Actor, App, AppError, AppResult};

/// The refused rows a report lists one by one; it counts all of them.
pub const MAX_REPORTED_PROBLEMS: usize = 1_000;
/// Rows a reader hands over at a time.
pub(crate) const ROWS_PER_BATCH: usize = 1_000;
/// Batches read ahead of the writer: what bounds an import's memory.
const BATCHES_AHEAD: usize = 2;

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The row's line in the file (CSV, JSON Lines), or the message's number (mail, from 1).
    pub line: u64,
    pub reason: String,
}

/// What an import did, or (a dry run) would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Rows (or messages) read.
    pub rows: u64,
    pub imported: u64,
    /// Rows already imported before, or repeated within the file.
    pub already_imported: u64,
    /// Rows refused for a problem; the first [`MAX_REPORTED_PROBLEMS`] are in `problems`.
    pub refused: u64,
    /// Messages that are not feedback: bounces and automatic replies.
    pub ignored: u64,
    pub problems: Vec<RowProblem>,
    /// Columns of the file that no field was read from.
    pub unused_columns: Vec<String>,
}

impl ImportReport {
    pub(crate) fn refuse(&mut self, problem: RowProblem) {
        self.refused += 1;
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(problem);
        }
    }
}

/// One checked row, ready to write.
#[derive(Debug, Clone)]
pub(crate) struct ImportRow {
    pub line: u64,
    /// The product's slug; none means the import's default product.
    pub product: Option<String>,
    pub body: String,
    pub rating: Option<i64>,
    /// Normalised.
    pub email: String,
    pub name: Option<String>,
    /// Stored form.
    pub tags: String,
    pub created_at: Option<Timestamp>,
    pub key: String,
}

/// What a reader hands over.
#[derive(Debug, Clone)]
pub(crate) enum Incoming {
    Row(Box<ImportRow>),
    Refused(RowProblem),
    /// A message that is not feedback (a bounce, an automatic reply).
    Ignored,
}

/// The reader's side of an import: batches of rows, or the reason the source cannot be read,
/// which ends the import with nothing imported.
pub(crate) type Batches = mpsc::Sender<Result<Vec<Incoming>, AppError>>;

/// Hands a batch to the writer; an error when the writer has stopped (its own error ends the
/// import), which stops the reader too.
pub(crate) fn hand_over(batches: &Batches, batch: Vec<Incoming>) -> Result<(), AppError> {
    batches
        .blocking_send(Ok(batch))
        .map_err(|_| AppError::Internal("the import's writer stopped".into()))
}

/// A key naming a row by what it says, so the same row read again is known.
pub(crate) fn import_key(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0x1f]);
    }
    hex::encode(hash.finalize())
}

/// How an import is written.
pub(crate) struct ImportTarget<'a> {
    pub actor: Option<&'a Actor>,
    /// The product of rows that name none.
    pub product: Option<&'a str>,
    pub channel: FeedbackChannel,
    pub dry_run: bool,
}

impl App {
    /// The products `actor` may import feedback into: staff, those of the spaces they curate;
    /// none (the operator), every product.
    pub async fn importable_products(&self, actor: Option<&Actor>) -> AppResult<Vec<Product>> {
        let space_ids = match actor {
            Some(actor) => self.triaged_space_ids(actor).await?,
            None => self
                .store
                .spaces()
                .await?
                .iter()
                .map(|space| space.id)
                .collect(),
        };
        let mut products = Vec::new();
        for space_id in space_ids {
            products.extend(self.store.products_of_space(space_id).await?);
        }
        Ok(products)
    }

    /// Starts `read` on a thread of its own, handing it the sender of its batches, and writes
    /// what it reads (see the module documentation).
    pub(crate) async fn run_import<F>(
        &self,
        target: &ImportTarget<'_>,
        read: F,
    ) -> AppResult<ImportReport>
    where
        F: FnOnce(&Batches) -> Result<Vec<String>, AppError> + Send + 'static,
    {
        let products: HashMap<String, i64> = self
            .importable_products(target.actor)
            .await?
            .into_iter()
            .map(|product| (product.slug, product.id))
            .collect();
        if let Some(slug) = target.product
            && !products.contains_key(slug)
        {
            return Err(AppError::invalid(
                "product",
                format!("\"{slug}\" is not one of the products you may import into"),
            ));
        }
        let (sender, mut batches) = mpsc::channel(BATCHES_AHEAD);
        let reader = tokio::task::spawn_blocking(move || match read(&sender) {
            Ok(unused_columns) => unused_columns,
            Err(error) => {
                // The writer stops at this error; when it has stopped already, so has the import.
                let _ = sender.blocking_send(Err(error));
                Vec::new()
            }
        });
        let now = self.now();
        let submitted_by = target.actor.map(|actor| actor.id);
        let mut written = ImportReport {
            dry_run: target.dry_run,
            ..ImportReport::default()
        };
        let mut tx = self.store.begin().await?;
        while let Some(batch) = batches.recv().await {
            let mut rows = Vec::with_capacity(batch.as_ref().map_or(0, Vec::len));
            for incoming in batch? {
                written.rows += 1;
                let row = match incoming {
                    Incoming::Row(row) => row,
                    Incoming::Refused(problem) => {
                        written.refuse(problem);
                        continue;
                    }
                    Incoming::Ignored => {
                        written.ignored += 1;
                        continue;
                    }
                };
                let slug = row.product.as_deref().or(target.product);
                match slug.and_then(|slug| products.get(slug)) {
                    Some(&product_id) => rows.push((product_id, row)),
                    None => written.refuse(RowProblem {
                        line: row.line,
                        reason: match slug {
                            Some(slug) => {
                                format!("product \"{slug}\" is not one you may import into")
                            }
                            None => "names no product, and the import has no default".into(),
                        },
                    }),
                }
            }
            let imported: Vec<ImportedFeedback<'_>> = rows
                .iter()
                .map(|(product_id, row)| ImportedFeedback {
                    product_id: *product_id,
                    body: &row.body,
                    rating: row.rating,
                    channel: target.channel,
                    author_email: &row.email,
                    author_name: row.name.as_deref(),
                    submitted_by,
                    tags: &row.tags,
                    created_at: row.created_at.unwrap_or(now),
                    import_key: &row.key,
                })
                .collect();
            let added = tx.import_feedback(&imported, now).await?.len() as u64;
            written.imported += added;
            written.already_imported += imported.len() as u64 - added;
        }
        written.unused_columns = reader
            .await
            .map_err(|e| AppError::Internal(format!("reading the import: {e}")))?;
        if !target.dry_run && written.imported > 0 {
            self.commit(tx).await?;
        }
        Ok(written)
    }
}
