//! A person's right to be forgotten: an admin erases a person or a contact on their request.
//! Their name, addresses and handle are replaced, their ideas, comments, feedback and statements
//! say they were erased, and others' mentions of them name the erased handle; every row stays,
//! so supports, votes, counts and figures stay exact. One transaction, audited with the reason.

use cocreate_core::dialogue::{mentions, replace_mentions};
use cocreate_core::markdown::render;
use cocreate_core::{Action, Markdown, OrgRole, allows};
use cocreate_store::{Erased, Erasure, TimelineSubject};

use crate::{Actor, App, AppError, AppResult, Customer};

/// What an erased person is called.
pub const ERASED_NAME: &str = "Erased person";
/// What replaces everything they wrote.
pub const ERASED_TEXT: &str = "This was erased at its author's request.";
/// What their ideas are called.
pub const ERASED_TITLE: &str = "Erased idea";
/// The longest reason an erasure records.
pub const MAX_ERASURE_REASON: usize = 500;

fn reason_of(reason: &str) -> AppResult<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "say whose request this answers, for the audit log",
        ));
    }
    if reason.chars().count() > MAX_ERASURE_REASON {
        return Err(AppError::invalid(
            "reason",
            format!("must be at most {MAX_ERASURE_REASON} characters"),
        ));
    }
    Ok(reason)
}

impl App {
    fn erasure<'a>(&self, handle: &'a str, email: &'a str, html: &'a str) -> Erasure<'a> {
        Erasure {
            name: ERASED_NAME,
            handle,
            email,
            text: ERASED_TEXT,
            html,
            title: ERASED_TITLE,
            at: self.now(),
        }
    }

    /// Who an erasure would be of, for the page that asks for it (admins).
    pub async fn erasure_subject(
        &self,
        actor: &Actor,
        subject: TimelineSubject,
    ) -> AppResult<Customer> {
        if !allows(actor.viewer(), Action::ErasePeople) {
            return Err(AppError::NotFound);
        }
        self.customer(subject, true).await
    }

    /// Erases the account `id` (admins; not themselves, nor another admin until demoted).
    pub async fn erase_account(&self, actor: &Actor, id: i64, reason: &str) -> AppResult<Erased> {
        if !allows(actor.viewer(), Action::ErasePeople) {
            return Err(AppError::NotFound);
        }
        let reason = reason_of(reason)?;
        let account = self
            .store
            .account_by_id(id)
            .await?
            .ok_or(AppError::NotFound)?;
        if account.id == actor.id {
            return Err(AppError::conflict(
                "account",
                "you cannot erase your own account; another admin can",
            ));
        }
        if account.role == OrgRole::Admin {
            return Err(AppError::conflict(
                "account",
                "this is an admin: make them a member first",
            ));
        }
        let handle = format!("erased_{id}");
        let email = format!("erased_{id}@erased.invalid");
        let html = render(ERASED_TEXT);
        let mut tx = self.store.begin().await?;
        let erased = tx
            .erase_account(
                id,
                (&account.name, &account.email),
                &self.erasure(&handle, &email, &html),
            )
            .await
            .map_err(|error| match error {
                cocreate_store::StoreError::NotFound => {
                    AppError::conflict("account", "this person was erased already")
                }
                other => other.into(),
            })?;
        // Others' mentions of them name the erased handle, in text and on the page.
        for text in tx.texts_mentioning(&account.handle).await? {
            let Some(body) = replace_mentions(&text.body, &account.handle, &handle) else {
                continue;
            };
            let people: Vec<String> = self
                .store
                .accounts_by_handles(&mentions(&body))
                .await?
                .into_iter()
                .map(|a| a.handle.to_ascii_lowercase())
                .chain(std::iter::once(handle.clone()))
                .collect();
            let html = Markdown {
                html: String::new(),
                source: body,
            }
            .linking_mentions(&people);
            tx.rewrite_text(&text, &html.source, &html.html).await?;
        }
        self.audit(
            &mut *tx,
            Some(actor),
            "account.erased",
            &format!("account:{id}"),
            reason,
        )
        .await?;
        self.commit(tx).await?;
        Ok(erased)
    }

    /// Erases a contact known without an account (admins).
    pub async fn erase_contact(&self, actor: &Actor, id: i64, reason: &str) -> AppResult<Erased> {
        if !allows(actor.viewer(), Action::ErasePeople) {
            return Err(AppError::NotFound);
        }
        let reason = reason_of(reason)?;
        let contact = self.store.contact(id).await?.ok_or(AppError::NotFound)?;
        let html = render(ERASED_TEXT);
        let reference = format!("erased_{}", contact.id);
        let mut tx = self.store.begin().await?;
        let erased = tx
            .erase_contact(id, &self.erasure(&reference, &reference, &html))
            .await
            .map_err(|error| match error {
                cocreate_store::StoreError::NotFound => {
                    AppError::conflict("contact", "this contact was erased already")
                }
                other => other.into(),
            })?;
        self.audit(
            &mut *tx,
            Some(actor),
            "contact.erased",
            &format!("contact:{id}"),
            reason,
        )
        .await?;
        self.commit(tx).await?;
        Ok(erased)
    }
}
