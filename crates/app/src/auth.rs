//! Accounts and sessions: sign up, sign in and out, passwords, resets and e-mail changes.

use cocreate_core::{AccountKind, DisplayName, Email, OrgRole, Password};
use cocreate_store::{Account, AccountToken, NewAccount, NewMail, Session, TokenPurpose, Tx};

use crate::secrets::{hash_token, new_token};
use crate::{Actor, App, AppError, AppResult, EMAIL_CHANGE_MINUTES, RESET_MINUTES, SESSION_DAYS};

/// What a new account is made of, as typed.
pub struct AccountInput<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
}

/// A new browser session: the token goes into the cookie, the actor into the request.
pub struct SignedIn {
    pub actor: Actor,
    /// The account as it was when the session began.
    pub account: Account,
    pub session_token: String,
}

struct ValidAccount {
    email: Email,
    name: DisplayName,
    password: Password,
}

fn validate(input: &AccountInput<'_>) -> AppResult<ValidAccount> {
    Ok(ValidAccount {
        email: Email::parse(input.email)?,
        name: DisplayName::parse(input.name)?,
        password: Password::parse(input.password)?,
    })
}

impl App {
    /// A hash of a random password nobody knows, checked when an address has no account so
    /// that the answer takes as long as for a real one.
    async fn unknown_account_hash(&self) -> AppResult<String> {
        self.unknown_account_hash
            .get_or_try_init(|| self.passwords.hash(new_token()))
            .await
            .cloned()
    }

    pub(crate) fn hash(&self, token: &str) -> String {
        hash_token(&self.config.secret_key, token)
    }

    /// Creates an account inside `tx` (the caller commits), mapping a taken address to a clear error.
    pub(crate) async fn insert_account(
        &self,
        tx: &mut dyn Tx,
        input: &AccountInput<'_>,
        kind: AccountKind,
        role: OrgRole,
    ) -> AppResult<Account> {
        let valid = validate(input)?;
        let password_hash = self
            .passwords
            .hash(valid.password.expose().to_owned())
            .await?;
        tx.insert_account(&NewAccount {
            email: valid.email.as_str(),
            name: valid.name.as_str(),
            handle: &cocreate_core::dialogue::handle_for(valid.name.as_str()),
            password_hash: &password_hash,
            kind,
            role,
            created_at: self.now(),
        })
        .await
        .map_err(|e| match e {
            cocreate_store::StoreError::Conflict { .. } => AppError::conflict(
                "email",
                "an account with this e-mail address already exists",
            ),
            other => other.into(),
        })
    }

    /// Starts a session for `account` inside `tx`.
    pub(crate) async fn open_session(
        &self,
        tx: &mut dyn Tx,
        account: &Account,
    ) -> AppResult<SignedIn> {
        let token = new_token();
        let now = self.now();
        let session = Session {
            token_hash: self.hash(&token),
            account_id: account.id,
            created_at: now,
            expires_at: now.plus_minutes(SESSION_DAYS * 24 * 60),
        };
        tx.insert_session(&session).await?;
        Ok(SignedIn {
            actor: Actor::from_account(account, Some(session.token_hash)),
            account: account.clone(),
            session_token: token,
        })
    }

    pub(crate) async fn enqueue_mail(
        &self,
        tx: &mut dyn Tx,
        to: &str,
        subject: &str,
        body: &str,
    ) -> AppResult<()> {
        tx.enqueue_mail(&NewMail {
            to_address: to,
            subject,
            body: &self.sealer.seal(body)?,
            created_at: self.now(),
        })
        .await?;
        Ok(())
    }

    /// Signs up a customer account and signs it in.
    pub async fn sign_up(&self, input: &AccountInput<'_>) -> AppResult<SignedIn> {
        // Read before the transaction, never through the pool while it holds a connection.
        let org = self.store.organisation().await?;
        let waiting = self.waiting_feedback(input.email).await?;
        let mut tx = self.store.begin().await?;
        let account = self
            .insert_account(&mut *tx, input, AccountKind::Customer, OrgRole::Member)
            .await?;
        let body = format!(
            "Hello {},\n\nwelcome to {}. You can sign in at {} with this address.\n",
            account.name,
            org.name,
            self.link("/signin")
        );
        self.enqueue_mail(
            &mut *tx,
            &account.email,
            &format!("Welcome to {}", org.name),
            &body,
        )
        .await?;
        // The welcome first, then what waits for the address.
        self.offer_feedback_claim(&mut *tx, &account, waiting)
            .await?;
        let signed_in = self.open_session(&mut *tx, &account).await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        Ok(signed_in)
    }

    /// Checks the password and opens a new session. Attempts per address are throttled.
    pub async fn sign_in(&self, email: &str, password: &str) -> AppResult<SignedIn> {
        let email = Email::parse(email).map_err(|_| AppError::InvalidCredentials)?;
        if self
            .sign_in_limiter
            .check_key(&email.as_str().to_owned())
            .is_err()
        {
            return Err(AppError::Throttled);
        }
        let account = self.store.account_by_email(email.as_str()).await?;
        // Verify against a fixed hash when the account is unknown, so timing does not tell.
        let hash = match &account {
            Some(account) => account.password_hash.clone(),
            None => self.unknown_account_hash().await?,
        };
        let matches = self.passwords.verify(password.to_owned(), hash).await?;
        let Some(account) = account.filter(|_| matches) else {
            return Err(AppError::InvalidCredentials);
        };
        let mut tx = self.store.begin().await?;
        let signed_in = self.open_session(&mut *tx, &account).await?;
        self.commit(tx).await?;
        Ok(signed_in)
    }

    pub async fn sign_out(&self, actor: &Actor) -> AppResult<()> {
        if let Some(hash) = &actor.session_hash {
            let mut tx = self.store.begin().await?;
            tx.delete_session(hash).await?;
            self.commit(tx).await?;
        }
        Ok(())
    }

    /// The actor behind a session cookie's token, if the session is live.
    pub async fn actor_from_session(&self, token: &str) -> AppResult<Option<Actor>> {
        let hash = self.hash(token);
        let found = self.store.session(&hash, self.now()).await?;
        Ok(found.map(|(session, account)| Actor::from_account(&account, Some(session.token_hash))))
    }

    /// The actor behind a bearer API token, if it is live; notes when it was last used.
    pub async fn actor_from_api_token(&self, token: &str) -> AppResult<Option<Actor>> {
        let Some((api_token, account)) = self.store.api_token(&self.hash(token)).await? else {
            return Ok(None);
        };
        self.note_token_use(&api_token);
        Ok(Some(Actor::from_account(&account, None)))
    }

    /// Stores a new one-time token for the account and returns it (to be mailed, never kept).
    pub(crate) async fn issue_account_token(
        &self,
        tx: &mut dyn Tx,
        account_id: i64,
        purpose: TokenPurpose,
        new_email: Option<&str>,
        valid_minutes: i64,
    ) -> AppResult<String> {
        let token = new_token();
        let now = self.now();
        tx.insert_account_token(&AccountToken {
            token_hash: self.hash(&token),
            account_id,
            purpose,
            new_email: new_email.map(str::to_owned),
            created_at: now,
            expires_at: now.plus_minutes(valid_minutes),
        })
        .await?;
        Ok(token)
    }

    /// The actor's account, if `password` is its password; otherwise an error on `field`.
    async fn check_password(
        &self,
        actor: &Actor,
        password: &str,
        field: &'static str,
    ) -> AppResult<Account> {
        let account = self
            .store
            .account_by_id(actor.id)
            .await?
            .ok_or(AppError::NotFound)?;
        // A stolen session must not become a way to guess the password faster than sign-in. The
        // budget is the account's own: guesses at its sign-in from elsewhere do not block it.
        if self
            .sign_in_limiter
            .check_key(&format!("account:{}", account.id))
            .is_err()
        {
            return Err(AppError::Throttled);
        }
        if self
            .passwords
            .verify(password.to_owned(), account.password_hash.clone())
            .await?
        {
            Ok(account)
        } else {
            Err(AppError::invalid(field, "is not your current password"))
        }
    }

    /// Changes the password after checking the current one; every other session ends, and so
    /// does every reset or e-mail change link still open.
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> AppResult<()> {
        let new = Password::parse_field("new_password", new)?;
        let account = self
            .check_password(actor, current, "current_password")
            .await?;
        let hash = self.passwords.hash(new.expose().to_owned()).await?;
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(actor.id, &hash).await?;
        tx.delete_sessions_of(actor.id, actor.session_hash.as_deref())
            .await?;
        // Links mailed before the change (to reset it, or to move the account to another
        // address) must not outlive it.
        tx.revoke_account_tokens(actor.id, self.now()).await?;
        self.enqueue_mail(
            &mut *tx,
            &account.email,
            "Your password was changed",
            "Your Cocreate password was just changed. If this was not you, reset it now.\n",
        )
        .await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        Ok(())
    }

    /// Mails a reset link when the address has an account, at most [`crate::RESET_MAILS_PER_HOUR`] an
    /// hour. Says nothing either way, so the form cannot be used to find out who has an account.
    pub async fn request_password_reset(&self, email: &str) -> AppResult<()> {
        let email = Email::parse(email)?;
        let Some(account) = self.store.account_by_email(email.as_str()).await? else {
            return Ok(());
        };
        if self.reset_mail_limiter.check_key(&account.email).is_err() {
            tracing::info!(
                account = account.id,
                "reset link not sent: the hour's budget is spent"
            );
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        let token = self
            .issue_account_token(
                &mut *tx,
                account.id,
                TokenPurpose::PasswordReset,
                None,
                RESET_MINUTES,
            )
            .await?;
        let body = format!(
            "Hello {},\n\nto choose a new password, open this link within {RESET_MINUTES} minutes:\n\n{}\n\nIf you did not ask for this, ignore this message.\n",
            account.name,
            self.link(&format!("/reset/{token}"))
        );
        self.enqueue_mail(&mut *tx, &account.email, "Reset your password", &body)
            .await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        Ok(())
    }

    /// Sets a new password with a reset token (once), ends all sessions and open links, and signs
    /// in anew.
    pub async fn reset_password(&self, token: &str, new: &str) -> AppResult<SignedIn> {
        let new = Password::parse_field("new_password", new)?;
        let hash = self.passwords.hash(new.expose().to_owned()).await?;
        let mut tx = self.store.begin().await?;
        let used = tx
            .consume_account_token(&self.hash(token), TokenPurpose::PasswordReset, self.now())
            .await?
            .ok_or(AppError::InvalidToken)?;
        let account = tx
            .account_by_id(used.account_id)
            .await?
            .ok_or(AppError::InvalidToken)?;
        tx.set_password_hash(account.id, &hash).await?;
        tx.delete_sessions_of(account.id, None).await?;
        tx.revoke_account_tokens(account.id, self.now()).await?;
        let signed_in = self.open_session(&mut *tx, &account).await?;
        self.commit(tx).await?;
        Ok(signed_in)
    }

    /// Mails a confirmation link to the new address; the change happens when it is opened.
    pub async fn request_email_change(
        &self,
        actor: &Actor,
        new_email: &str,
        password: &str,
    ) -> AppResult<()> {
        let new_email = Email::parse(new_email)?;
        let account = self.check_password(actor, password, "password").await?;
        if new_email.as_str() == account.email {
            return Err(AppError::invalid("email", "is already your address"));
        }
        if self
            .store
            .account_by_email(new_email.as_str())
            .await?
            .is_some()
        {
            return Err(AppError::conflict(
                "email",
                "an account with this e-mail address already exists",
            ));
        }
        let mut tx = self.store.begin().await?;
        let token = self
            .issue_account_token(
                &mut *tx,
                actor.id,
                TokenPurpose::EmailChange,
                Some(new_email.as_str()),
                EMAIL_CHANGE_MINUTES,
            )
            .await?;
        let body = format!(
            "Hello {},\n\nto use this address for Cocreate, open this link within a day:\n\n{}\n",
            account.name,
            self.link(&format!("/email/confirm/{token}"))
        );
        self.enqueue_mail(
            &mut *tx,
            new_email.as_str(),
            "Confirm your new e-mail address",
            &body,
        )
        .await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        Ok(())
    }

    /// Applies a confirmed e-mail change (once) and tells the old address.
    pub async fn confirm_email_change(&self, token: &str) -> AppResult<String> {
        let mut tx = self.store.begin().await?;
        let used = tx
            .consume_account_token(&self.hash(token), TokenPurpose::EmailChange, self.now())
            .await?
            .ok_or(AppError::InvalidToken)?;
        let new_email = used.new_email.ok_or(AppError::InvalidToken)?;
        let account = tx
            .account_by_id(used.account_id)
            .await?
            .ok_or(AppError::InvalidToken)?;
        tx.set_email(account.id, &new_email)
            .await
            .map_err(|e| match e {
                cocreate_store::StoreError::Conflict { .. } => AppError::conflict(
                    "email",
                    "an account with this e-mail address already exists",
                ),
                other => other.into(),
            })?;
        // Reset links went to the old address: they must not reach the account any more.
        tx.revoke_account_tokens(account.id, self.now()).await?;
        let body = format!(
            "Your Cocreate account now uses {new_email} instead of this address. If this was not you, contact your administrator.\n"
        );
        self.enqueue_mail(
            &mut *tx,
            &account.email,
            "Your e-mail address was changed",
            &body,
        )
        .await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        Ok(new_email)
    }
}
