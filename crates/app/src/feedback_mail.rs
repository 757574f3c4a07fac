//! Feedback sent by e-mail: raw RFC 5322 messages, one posted by a mail relay
//! (`POST /api/v1/feedback/mail`), or `.eml` files and mbox mailboxes given to
//! `cocreate feedback import-mail`. The sender becomes the author; the subject and the text
//! the sender wrote (HTML turned to text, quotes and signature trimmed) become the feedback.
//! Bounces and automatic replies are counted and left out. A message is known again by its
//! Message-ID, so a mailbox imported twice adds nothing.

use std::io::{BufRead, BufReader, Read};

use cocreate_core::mail_text::reply_text;
use cocreate_core::{DisplayName, Email, FeedbackChannel, FeedbackText, Tags, Timestamp};
use mail_parser::{Message, MessageParser, MimeHeaders};

use crate::feedback_import::{
    Batches, ImportReport, ImportRow, ImportTarget, Incoming, ROWS_PER_BATCH, RowProblem,
    hand_over, import_key,
};
use crate::{Actor, App, AppError, AppResult};

/// The largest message taken (larger ones are refused, and counted).
pub const MAX_MAIL_BYTES: usize = 10 << 20;

/// A file of mail: one message, or an mbox mailbox (told apart by its first line).
pub struct MailFile {
    /// How reports name it.
    pub name: String,
    pub reader: Box<dyn Read + Send>,
}

/// How mail is imported.
#[derive(Debug, Clone, Default)]
pub struct MailImport {
    /// The product (its slug) of messages whose recipient names none, as in
    /// `feedback+slug@example.org`.
    pub product: Option<String>,
    pub dry_run: bool,
}

/// What one message is, for an import.
fn message_row(number: u64, raw: &[u8], now: Timestamp) -> Incoming {
    let refuse = |reason: String| {
        Incoming::Refused(RowProblem {
            line: number,
            reason,
        })
    };
    if raw.len() > MAX_MAIL_BYTES {
        return refuse(format!(
            "is larger than the limit of {} MiB",
            MAX_MAIL_BYTES >> 20
        ));
    }
    let Some(message) = MessageParser::default().parse(raw) else {
        return refuse("is not an e-mail message (RFC 5322)".into());
    };
    if is_automatic(&message) {
        return Incoming::Ignored;
    }
    let Some(sender) = message.from().and_then(|from| from.first()) else {
        return refuse("names no sender (From), so it is not an e-mail message".into());
    };
    let email = match Email::parse(sender.address().unwrap_or_default()) {
        Ok(email) => email,
        Err(error) => {
            return refuse(format!("has a sender (From) that {}", error.message));
        }
    };
    let Some(body) = message.body_text(0) else {
        return refuse("has no text: neither a plain text nor an HTML part".into());
    };
    let written = reply_text(&body);
    let subject = message.subject().map(str::trim).unwrap_or_default();
    let text = match (
        subject.is_empty() || written.starts_with(subject),
        written.is_empty(),
    ) {
        (_, true) if subject.is_empty() => String::new(),
        (_, true) => subject.to_owned(),
        (true, false) => written,
        (false, false) => format!("{subject}\n\n{written}"),
    };
    let body = match FeedbackText::parse(&text) {
        Ok(body) => body,
        Err(error) if text.trim().is_empty() => {
            return refuse(format!(
                "has no text of its own, only quotes or a signature (its text {})",
                error.message
            ));
        }
        Err(error) => return refuse(format!("has a text that {}", error.message)),
    };
    let created_at = message
        .date()
        .map(|date| Timestamp(date.to_timestamp().saturating_mul(1_000)))
        .filter(|at| *at <= now);
    let key = match message.message_id() {
        Some(id) => import_key(&["mail", id]),
        None => import_key(&["mail", email.as_str(), body.as_str()]),
    };
    Incoming::Row(Box::new(ImportRow {
        line: number,
        product: product_of_recipient(&message),
        body: body.as_str().to_owned(),
        rating: None,
        name: sender
            .name()
            .and_then(|name| DisplayName::parse(name).ok())
            .map(|name| name.as_str().to_owned()),
        email: email.as_str().to_owned(),
        tags: Tags::default().to_stored(),
        created_at,
        key,
    }))
}

/// Bounces (delivery reports, mail from the mailer daemon) and automatic replies (RFC 3834's
/// Auto-Submitted, and the headers vacation responders use).
fn is_automatic(message: &Message<'_>) -> bool {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    let report = message.content_type().is_some_and(|t| {
        t.ctype().eq_ignore_ascii_case("multipart")
            && t.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let daemon = message
        .from()
        .and_then(|from| from.first())
        .and_then(|sender| sender.address())
        .and_then(|address| address.split('@').next())
        .is_some_and(|local| {
            ["mailer-daemon", "postmaster"].contains(&local.to_ascii_lowercase().as_str())
        });
    report
        || daemon
        || header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || header("Precedence")
            .is_some_and(|v| ["bulk", "junk", "auto_reply"].contains(&v.as_str()))
        || header("Return-Path").is_some_and(|v| v == "<>")
}

/// The product a recipient's address names after a `+`, as in `feedback+slug@example.org`.
fn product_of_recipient(message: &Message<'_>) -> Option<String> {
    let to = message.to()?;
    to.iter()
        .filter_map(|recipient| recipient.address())
        .find_map(|address| {
            let local = address.split('@').next()?;
            let (_, tag) = local.split_once('+')?;
            Some(tag.to_ascii_lowercase()).filter(|t| !t.is_empty())
        })
}

/// Reads every message of the files, in order, numbering them from 1.
fn read_mail(files: Vec<MailFile>, now: Timestamp, batches: &Batches) -> AppResult<Vec<String>> {
    let mut batch = Vec::with_capacity(ROWS_PER_BATCH);
    let mut number = 0;
    for file in files {
        let mut reader = BufReader::new(file.reader);
        let unreadable = |e: std::io::Error| {
            AppError::invalid("file", format!("cannot be read ({}): {e}", file.name))
        };
        let is_mbox = reader.fill_buf().map_err(unreadable)?.starts_with(b"From ");
        if is_mbox {
            for message in mail_parser::mailbox::mbox::MessageIterator::new(reader) {
                number += 1;
                let message = message.map_err(unreadable)?;
                batch.push(message_row(number, message.contents(), now));
                if batch.len() == ROWS_PER_BATCH {
                    hand_over(batches, std::mem::take(&mut batch))?;
                }
            }
        } else {
            number += 1;
            let mut raw = Vec::new();
            reader
                .take(MAX_MAIL_BYTES as u64 + 1)
                .read_to_end(&mut raw)
                .map_err(unreadable)?;
            batch.push(message_row(number, &raw, now));
        }
    }
    if !batch.is_empty() {
        hand_over(batches, batch)?;
    }
    Ok(Vec::new())
}

impl App {
    /// Imports the messages of `files` as feedback (see the module documentation); `actor` is
    /// staff (an integration's token) importing into the spaces they curate, or none for the
    /// operator.
    pub async fn import_mail(
        &self,
        actor: Option<&Actor>,
        files: Vec<MailFile>,
        import: &MailImport,
    ) -> AppResult<ImportReport> {
        let now = self.now();
        let target = ImportTarget {
            actor,
            product: import.product.as_deref(),
            channel: FeedbackChannel::Email,
            dry_run: import.dry_run,
        };
        self.run_import(&target, move |batches| read_mail(files, now, batches))
            .await
    }
}
