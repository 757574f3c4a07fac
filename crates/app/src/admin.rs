//! What admins do: the organisation's profile, members and roles, invitations, the audit log and
//! the mail outbox. Also the operator's CLI entry points, which act without a signed-in account.

use cocreate_core::text::isolate;
use cocreate_core::{AccountKind, Action, Description, Email, OrgName, OrgRole, TimeZone, allows};
use cocreate_store::{
    Account, AuditEntry, Invitation, Logo, MailStatus, NewInvitation, OutboxMail, Tx,
};

use crate::secrets::new_token;
use crate::{AccountInput, Actor, App, AppError, AppResult, INVITATION_MINUTES, SignedIn};

/// The most an organisation logo may weigh.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

pub struct LogoUpload {
    pub bytes: Vec<u8>,
}

/// What the accept page shows about an invitation.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub email: String,
    pub kind: AccountKind,
    pub role: OrgRole,
    pub organisation: String,
}

impl App {
    fn require(&self, actor: &Actor, action: Action) -> AppResult<()> {
        if allows(actor.viewer(), action) {
            Ok(())
        } else {
            // Admin areas are not advertised to people who may not use them.
            Err(AppError::NotFound)
        }
    }

    /// Changes the organisation's profile; without a time zone, the current one stays.
    pub async fn update_organisation(
        &self,
        actor: &Actor,
        name: &str,
        description: &str,
        time_zone: Option<&str>,
    ) -> AppResult<()> {
        self.require(actor, Action::ManageOrganisation)?;
        let name = OrgName::parse(name)?;
        let description = Description::parse(description)?;
        let time_zone = match time_zone {
            Some(time_zone) => TimeZone::parse("time_zone", time_zone)?,
            None => self.time_zone().await?,
        };
        let mut tx = self.store.begin().await?;
        tx.update_organisation(
            name.as_str(),
            description.as_str(),
            time_zone.name(),
            self.now(),
        )
        .await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "organisation.update",
            "organisation",
            name.as_str(),
        )
        .await?;
        self.commit(tx).await?;
        self.organisation_changed();
        Ok(())
    }

    /// Replaces the logo (PNG, JPEG, GIF or WebP, at most 512 KiB); `None` removes it.
    pub async fn set_organisation_logo(
        &self,
        actor: &Actor,
        upload: Option<LogoUpload>,
    ) -> AppResult<()> {
        self.require(actor, Action::ManageOrganisation)?;
        let logo = match upload {
            None => None,
            Some(upload) => {
                if upload.bytes.is_empty() {
                    return Err(AppError::invalid("logo", "the file is empty"));
                }
                if upload.bytes.len() > MAX_LOGO_BYTES {
                    return Err(AppError::invalid("logo", "must be at most 512 KiB"));
                }
                let content_type = crate::files::sniff(&upload.bytes)
                    .filter(|t| t.starts_with("image/"))
                    .ok_or_else(|| {
                        AppError::invalid("logo", "must be a PNG, JPEG, GIF or WebP image")
                    })?;
                crate::files::check_pixels("logo", &upload.bytes)?;
                Some(Logo {
                    content_type: content_type.to_owned(),
                    bytes: upload.bytes,
                })
            }
        };
        let mut tx = self.store.begin().await?;
        tx.set_organisation_logo(logo.as_ref(), self.now()).await?;
        let detail = if logo.is_some() {
            "replaced"
        } else {
            "removed"
        };
        self.audit(
            &mut *tx,
            Some(actor),
            "organisation.logo",
            "organisation",
            detail,
        )
        .await?;
        self.commit(tx).await?;
        self.organisation_changed();
        Ok(())
    }

    pub async fn organisation_logo(&self) -> AppResult<Logo> {
        self.store
            .organisation_logo()
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Members in id order after `after_id`, one page.
    pub async fn members(
        &self,
        actor: &Actor,
        after_id: i64,
        limit: i64,
    ) -> AppResult<Vec<Account>> {
        self.require(actor, Action::ManageMembers)?;
        Ok(self.store.accounts(after_id, limit.clamp(1, 200)).await?)
    }

    /// Changes a member's role and kind. The last admin cannot stop being one.
    pub async fn set_member_access(
        &self,
        actor: &Actor,
        account_id: i64,
        role: OrgRole,
        kind: AccountKind,
    ) -> AppResult<Account> {
        self.require(actor, Action::ManageMembers)?;
        let account = self
            .store
            .account_by_id(account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.change_access(Some(actor), &account, role, kind).await
    }

    async fn change_access(
        &self,
        actor: Option<&Actor>,
        account: &Account,
        role: OrgRole,
        kind: AccountKind,
    ) -> AppResult<Account> {
        let mut tx = self.store.begin().await?;
        keep_an_admin(&mut *tx, account, role).await?;
        tx.set_role(account.id, role).await?;
        tx.set_kind(account.id, kind).await?;
        let detail = format!("{} → {} {}", account.email, kind, role);
        self.audit(
            &mut *tx,
            actor,
            "account.access",
            &format!("account:{}", account.id),
            &detail,
        )
        .await?;
        self.commit(tx).await?;
        Ok(Account {
            role,
            kind,
            ..account.clone()
        })
    }

    /// Invites someone by e-mail to join as `kind` with `role`.
    pub async fn invite(
        &self,
        actor: &Actor,
        email: &str,
        kind: AccountKind,
        role: OrgRole,
    ) -> AppResult<Invitation> {
        self.require(actor, Action::InviteMembers)?;
        let email = Email::parse(email)?;
        let token = new_token();
        let now = self.now();
        let org = self.store.organisation().await?;
        let mut tx = self.store.begin().await?;
        let invitation = tx
            .insert_invitation(&NewInvitation {
                email: email.as_str(),
                kind,
                role,
                token_hash: &self.hash(&token),
                invited_by: actor.id,
                created_at: now,
                expires_at: now.plus_minutes(INVITATION_MINUTES),
            })
            .await?;
        let body = format!(
            "Hello,\n\n{} invites you to join {} on Cocreate as {} ({}).\nAccept within 7 days:\n\n{}\n",
            actor.name,
            org.name,
            kind,
            role,
            self.link(&format!("/invitations/{token}"))
        );
        self.enqueue_mail(
            &mut *tx,
            email.as_str(),
            &format!("Join {} on Cocreate", isolate(&org.name)),
            &body,
        )
        .await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "invitation.create",
            &format!("invitation:{}", invitation.id),
            &format!("{} as {kind} {role}", email.as_str()),
        )
        .await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        Ok(invitation)
    }

    pub async fn invitations(&self, actor: &Actor) -> AppResult<Vec<Invitation>> {
        self.require(actor, Action::InviteMembers)?;
        Ok(self.store.invitations().await?)
    }

    /// What an open invitation offers, or `InvalidToken`.
    pub async fn invitation(&self, token: &str) -> AppResult<InvitationView> {
        let invitation = self
            .store
            .open_invitation(&self.hash(token), self.now())
            .await?
            .ok_or(AppError::InvalidToken)?;
        Ok(InvitationView {
            email: invitation.email,
            kind: invitation.kind,
            role: invitation.role,
            organisation: self.store.organisation().await?.name,
        })
    }

    /// Accepts an invitation: a signed-in account with the invited address takes on the offered
    /// kind and role, in a new session that replaces the one it had (new rights, new session);
    /// otherwise a new account is made with the given name and password, and signed in.
    pub async fn accept_invitation(
        &self,
        token: &str,
        actor: Option<&Actor>,
        name: &str,
        password: &str,
    ) -> AppResult<SignedIn> {
        let now = self.now();
        let invitation = self
            .store
            .open_invitation(&self.hash(token), now)
            .await?
            .ok_or(AppError::InvalidToken)?;
        // Read before the transaction: a pool read inside it could wait for a connection the
        // transaction's own holds up. The unique address still catches a race.
        let existing = self.store.account_by_email(&invitation.email).await?;
        let mut tx = self.store.begin().await?;
        let (account, signed_in) = match actor {
            Some(actor) if actor.email == invitation.email => {
                let current = existing.ok_or(AppError::NotFound)?;
                keep_an_admin(&mut *tx, &current, invitation.role).await?;
                tx.set_kind(actor.id, invitation.kind).await?;
                tx.set_role(actor.id, invitation.role).await?;
                let account = tx
                    .account_by_id(actor.id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if let Some(old_session) = &actor.session_hash {
                    tx.delete_session(old_session).await?;
                }
                let signed_in = self.open_session(&mut *tx, &account).await?;
                (account, signed_in)
            }
            Some(_) => {
                return Err(AppError::conflict(
                    "email",
                    format!(
                        "this invitation is for {}; sign out and open the link again",
                        invitation.email
                    ),
                ));
            }
            None => {
                if existing.is_some() {
                    return Err(AppError::conflict(
                        "email",
                        format!(
                            "{} already has an account: sign in, then open the link again",
                            invitation.email
                        ),
                    ));
                }
                let input = AccountInput {
                    email: &invitation.email,
                    name,
                    password,
                };
                let account = self
                    .insert_account(&mut *tx, &input, invitation.kind, invitation.role)
                    .await?;
                let signed_in = self.open_session(&mut *tx, &account).await?;
                (account, signed_in)
            }
        };
        if !tx.accept_invitation(invitation.id, account.id, now).await? {
            return Err(AppError::InvalidToken);
        }
        self.audit(
            &mut *tx,
            Some(&Actor::from_account(&account, None)),
            "invitation.accept",
            &format!("invitation:{}", invitation.id),
            &format!(
                "{} as {} {}",
                account.email, invitation.kind, invitation.role
            ),
        )
        .await?;
        self.commit(tx).await?;
        Ok(signed_in)
    }

    /// Newest first, before `before_id`.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        before_id: i64,
        limit: i64,
    ) -> AppResult<Vec<AuditEntry>> {
        self.require(actor, Action::ReadAuditLog)?;
        Ok(self.store.audit_log(before_id, limit.clamp(1, 200)).await?)
    }

    /// Newest first, before `before_id`.
    pub async fn outbox(
        &self,
        actor: &Actor,
        before_id: i64,
        limit: i64,
    ) -> AppResult<Vec<OutboxMail>> {
        self.require(actor, Action::ReadOutbox)?;
        let mails = self.store.outbox(before_id, limit.clamp(1, 200)).await?;
        Ok(mails
            .into_iter()
            .map(|mut mail| {
                // A body sealed under another secret key (the key was changed, or the data
                // came from another deployment) is named, not fatal to the whole list.
                mail.body = self
                    .sealer
                    .open(&mail.body)
                    .unwrap_or_else(|_| UNREADABLE_BODY.to_owned());
                for_admins(mail)
            })
            .collect())
    }

    /// The mail with its body opened (bodies are stored sealed: they carry one-time links).
    pub fn opened(&self, mut mail: OutboxMail) -> AppResult<OutboxMail> {
        mail.body = self.sealer.open(&mail.body)?;
        Ok(mail)
    }

    /// Creates an account from the operator's command line (no actor; audited as the system).
    pub async fn create_account_as_operator(
        &self,
        input: &AccountInput<'_>,
        kind: AccountKind,
        role: OrgRole,
    ) -> AppResult<Account> {
        let mut tx = self.store.begin().await?;
        let account = self.insert_account(&mut *tx, input, kind, role).await?;
        self.audit(
            &mut *tx,
            None,
            "account.create",
            &format!("account:{}", account.id),
            &format!("{} as {kind} {role} (command line)", account.email),
        )
        .await?;
        self.commit(tx).await?;
        Ok(account)
    }

    /// Sets an account's role and kind from the operator's command line.
    pub async fn set_access_as_operator(
        &self,
        email: &str,
        role: OrgRole,
        kind: Option<AccountKind>,
    ) -> AppResult<Account> {
        let email = Email::parse(email)?;
        let account = self
            .store
            .account_by_email(email.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        let kind = kind.unwrap_or(account.kind);
        self.change_access(None, &account, role, kind).await
    }
}

/// What the outbox shows of a body that this server's secret key cannot open.
const UNREADABLE_BODY: &str = "(sealed under another secret key: this server cannot read it)";

/// Paths of the links that carry a one-time token (password reset, invitation, e-mail change).
const TOKEN_LINK_PATHS: [&str; 3] = ["/reset/", "/invitations/", "/email/confirm/"];

/// A mail as admins see it in the outbox: the token of a one-time link is hidden, so reading the
/// outbox never hands an admin someone else's reset link or invitation. Mail kept because no
/// SMTP server is configured shows its links, since relaying them by hand is then the admin's job.
fn for_admins(mut mail: OutboxMail) -> OutboxMail {
    if mail.status != MailStatus::Logged {
        mail.body = hide_link_tokens(&mail.body);
    }
    mail
}

fn hide_link_tokens(body: &str) -> String {
    let mut shown = String::with_capacity(body.len());
    let mut rest = body;
    while let Some((at, path)) = TOKEN_LINK_PATHS
        .iter()
        .filter_map(|path| rest.find(path).map(|at| (at, path)))
        .min()
    {
        let token_start = at + path.len();
        shown.push_str(&rest[..token_start]);
        let token_len = rest[token_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len() - token_start);
        if token_len > 0 {
            shown.push_str("[hidden]");
        }
        rest = &rest[token_start + token_len..];
    }
    shown.push_str(rest);
    shown
}

/// Refuses to take the admin role from the organisation's last admin.
async fn keep_an_admin(tx: &mut dyn Tx, account: &Account, new_role: OrgRole) -> AppResult<()> {
    if account.role == OrgRole::Admin && new_role != OrgRole::Admin {
        let admins = tx.lock_admin_ids().await?;
        if admins.iter().all(|id| *id == account.id) {
            return Err(AppError::conflict(
                "role",
                "the last admin cannot stop being an admin",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::hide_link_tokens;

    #[test]
    fn one_time_link_tokens_are_hidden_and_nothing_else_changes() {
        let body = "Reset: https://c.example/reset/abc-DEF_123\nJoin https://c.example/invitations/xyz. \
                    Confirm https://c.example/email/confirm/q1 and see https://c.example/ideas/7";
        assert_eq!(
            hide_link_tokens(body),
            "Reset: https://c.example/reset/[hidden]\nJoin https://c.example/invitations/[hidden]. \
             Confirm https://c.example/email/confirm/[hidden] and see https://c.example/ideas/7"
        );
        assert_eq!(hide_link_tokens("no links"), "no links");
        assert_eq!(hide_link_tokens("ends with /reset/"), "ends with /reset/");
    }
}
