//! Erasure on request: a person's (or a contact's) name, addresses and text leave the database,
//! their rows stay. Ideas, comments, feedback and statements keep their place, their supports
//! and votes, so that every count and aggregate stays exact; what they said is replaced by a
//! note that it was erased. Sessions, tokens, follows and notifications go; mail waiting for
//! their address goes; the audit log and invitations stop naming their address. The search
//! index follows through its change log, which the text changes write.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{EMAIL_CONTACTS, SqlTx, StoreError, StoreResult};

/// What an erased person becomes, and what replaces their text.
#[derive(Debug, Clone, Copy)]
pub struct Erasure<'a> {
    pub name: &'a str,
    pub handle: &'a str,
    pub email: &'a str,
    /// The text of their ideas, revisions, comments, feedback, answers to it and statements.
    pub text: &'a str,
    /// The same, rendered for pages.
    pub html: &'a str,
    /// Their ideas' new title.
    pub title: &'a str,
    pub at: Timestamp,
}

/// How much was erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    pub ideas: u64,
    pub comments: u64,
    pub feedback: u64,
    pub statements: u64,
}

/// Someone else's idea or comment whose text may mention an erased handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentioningText {
    /// `idea` or `comment`.
    pub kind: &'static str,
    pub id: i64,
    pub body: String,
}

#[async_trait]
pub trait ErasureTx {
    /// Erases the account named `name` with address `email` (as they are now): `NotFound` when
    /// it is not there or erased already.
    async fn erase_account(
        &mut self,
        id: i64,
        (name, email): (&str, &str),
        erasure: &Erasure<'_>,
    ) -> StoreResult<Erased>;
    /// Erases a contact: its address or reference, its name and its feedback's text.
    async fn erase_contact(&mut self, id: i64, erasure: &Erasure<'_>) -> StoreResult<Erased>;
    /// Ideas and comments whose text holds `@handle` (any case), to check and rewrite. It reads
    /// every idea and comment once: erasure is rare, and no index holds mentions.
    async fn texts_mentioning(&mut self, handle: &str) -> StoreResult<Vec<MentioningText>>;
    async fn rewrite_text(
        &mut self,
        text: &MentioningText,
        body: &str,
        html: &str,
    ) -> StoreResult<()>;
}

/// The account's own rows that go, by their account column.
const GONE: [&str; 7] = [
    "DELETE FROM sessions WHERE account_id = $1",
    "DELETE FROM api_tokens WHERE account_id = $1",
    "DELETE FROM account_tokens WHERE account_id = $1",
    "DELETE FROM follows WHERE account_id = $1",
    "DELETE FROM notifications WHERE account_id = $1",
    "DELETE FROM space_members WHERE account_id = $1",
    // Stored answers to their requests, which repeat what they sent.
    "DELETE FROM idempotency_keys WHERE account_id = $1",
];

/// Erases the text of the feedback matching `whose` (`$1` is its author) and forgets the import
/// keys made from it; answers how many pieces.
async fn erase_feedback<T: SqlTx + ?Sized>(
    tx: &mut T,
    whose: &str,
    author: i64,
    erasure: &Erasure<'_>,
) -> StoreResult<u64> {
    tx.execute(
        &format!(
            "UPDATE feedback SET body = $2, import_key = NULL, \
             answer = CASE WHEN answer IS NULL THEN NULL ELSE $3 END WHERE {whose}"
        ),
        &[author.into(), erasure.text.into(), erasure.text.into()],
    )
    .await
}

/// Forgets an address everywhere but its owner's row: mail waiting for it, and the audit log
/// and invitations naming it.
async fn forget_address<T: SqlTx + ?Sized>(tx: &mut T, old: &str, new: &str) -> StoreResult<()> {
    tx.execute("DELETE FROM outbox WHERE to_address = $1", &[old.into()])
        .await?;
    tx.execute(
        "UPDATE invitations SET email = $1 WHERE email = $2",
        &[new.into(), old.into()],
    )
    .await?;
    let pattern = like_pattern(old);
    tx.execute(
        "UPDATE audit_log SET detail = REPLACE(detail, $1, $2) WHERE detail LIKE $3 ESCAPE '\\'",
        &[old.into(), new.into(), pattern.into()],
    )
    .await?;
    Ok(())
}

/// Forgets a name in what others were told: notifications and mail that name the person who
/// commented, mentioned or decided (it reads them all: erasure is rare).
async fn forget_name<T: SqlTx + ?Sized>(tx: &mut T, old: &str, new: &str) -> StoreResult<()> {
    let pattern = like_pattern(old);
    for sql in [
        "UPDATE notifications SET text = REPLACE(text, $1, $2) WHERE text LIKE $3 ESCAPE '\\'",
        "UPDATE outbox SET subject = REPLACE(subject, $1, $2), body = REPLACE(body, $1, $2) \
         WHERE subject LIKE $3 ESCAPE '\\' OR body LIKE $3 ESCAPE '\\'",
        "UPDATE fanouts SET subject = REPLACE(subject, $1, $2), body = REPLACE(body, $1, $2) \
         WHERE subject LIKE $3 ESCAPE '\\' OR body LIKE $3 ESCAPE '\\'",
    ] {
        tx.execute(sql, &[old.into(), new.into(), pattern.as_str().into()])
            .await?;
    }
    Ok(())
}

/// `%text%` for LIKE, its own `%`, `_` and `\` taken literally.
fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

#[async_trait]
impl<T: SqlTx + ?Sized> ErasureTx for T {
    async fn erase_account(
        &mut self,
        id: i64,
        (name, email): (&str, &str),
        erasure: &Erasure<'_>,
    ) -> StoreResult<Erased> {
        let changed = self
            .execute(
                "UPDATE accounts SET name = $1, handle = $2, email = $3, password_hash = '!', \
                 role = 'member', erased_at = $4 WHERE id = $5 AND email = $6 \
                 AND erased_at IS NULL",
                &[
                    erasure.name.into(),
                    erasure.handle.into(),
                    erasure.email.into(),
                    erasure.at.into(),
                    id.into(),
                    email.into(),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        for sql in GONE {
            self.execute(sql, &[id.into()]).await?;
        }
        self.execute(
            "UPDATE idea_revisions SET title = $1, body = $2, tags = '' WHERE editor_id = $3 \
             OR idea_id IN (SELECT id FROM ideas WHERE author_id = $3)",
            &[erasure.title.into(), erasure.text.into(), id.into()],
        )
        .await?;
        let ideas = self
            .execute(
                "UPDATE ideas SET title = $1, body = $2, body_html = $3, tags = '' \
                 WHERE author_id = $4",
                &[
                    erasure.title.into(),
                    erasure.text.into(),
                    erasure.html.into(),
                    id.into(),
                ],
            )
            .await?;
        let comments = self
            .execute(
                "UPDATE comments SET body = $1, body_html = $2 WHERE author_id = $3",
                &[erasure.text.into(), erasure.html.into(), id.into()],
            )
            .await?;
        let statements = self
            .execute(
                "UPDATE statements SET body = $1 WHERE author_account_id = $2",
                &[erasure.text.into(), id.into()],
            )
            .await?;
        let mut feedback = erase_feedback(self, "author_account_id = $1", id, erasure).await?;
        // The feedback they gave by address before they had an account, if it was never claimed.
        let contacts = self
            .fetch(
                "SELECT id FROM contacts WHERE source = $1 AND external_ref = $2",
                &[EMAIL_CONTACTS.into(), email.into()],
            )
            .await?;
        for row in contacts {
            let contact = row.int("id")?;
            feedback += self.erase_contact(contact, erasure).await?.feedback;
        }
        forget_address(self, email, erasure.email).await?;
        forget_name(self, name, erasure.name).await?;
        Ok(Erased {
            ideas,
            comments,
            feedback,
            statements,
        })
    }

    async fn erase_contact(&mut self, id: i64, erasure: &Erasure<'_>) -> StoreResult<Erased> {
        let Some(mut row) = self
            .fetch_optional(
                "SELECT source, external_ref FROM contacts WHERE id = $1 AND erased_at IS NULL",
                &[id.into()],
            )
            .await?
        else {
            return Err(StoreError::NotFound);
        };
        let (source, reference) = (row.text("source")?, row.text("external_ref")?);
        let erased_ref = format!("erased_{id}");
        self.execute(
            "UPDATE contacts SET external_ref = $1, name = NULL, erased_at = $2 WHERE id = $3",
            &[erased_ref.as_str().into(), erasure.at.into(), id.into()],
        )
        .await?;
        let feedback = erase_feedback(self, "author_contact_id = $1", id, erasure).await?;
        let statements = self
            .execute(
                "UPDATE statements SET body = $1 WHERE author_contact_id = $2",
                &[erasure.text.into(), id.into()],
            )
            .await?;
        if source == EMAIL_CONTACTS {
            forget_address(self, &reference, &erased_ref).await?;
        }
        Ok(Erased {
            feedback,
            statements,
            ..Erased::default()
        })
    }

    async fn texts_mentioning(&mut self, handle: &str) -> StoreResult<Vec<MentioningText>> {
        let pattern = like_pattern(&format!("@{handle}"));
        let mut found = Vec::new();
        for (kind, table) in [("idea", "ideas"), ("comment", "comments")] {
            let rows = self
                .fetch(
                    &format!(
                        "SELECT id, body FROM {table} WHERE LOWER(body) LIKE LOWER($1) ESCAPE '\\'"
                    ),
                    &[pattern.as_str().into()],
                )
                .await?;
            for mut row in rows {
                found.push(MentioningText {
                    kind,
                    id: row.int("id")?,
                    body: row.text("body")?,
                });
            }
        }
        Ok(found)
    }

    async fn rewrite_text(
        &mut self,
        text: &MentioningText,
        body: &str,
        html: &str,
    ) -> StoreResult<()> {
        let table = if text.kind == "idea" {
            "ideas"
        } else {
            "comments"
        };
        self.execute(
            &format!("UPDATE {table} SET body = $1, body_html = $2 WHERE id = $3"),
            &[body.into(), html.into(), text.id.into()],
        )
        .await?;
        Ok(())
    }
}
