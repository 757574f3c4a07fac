//! Invitations to join the organisation, each with a one-time link.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{Invitation, NewInvitation, SqlRead, SqlRow, SqlTx, StoreResult};

#[async_trait]
pub trait InvitationRead {
    async fn invitations(&self) -> StoreResult<Vec<Invitation>>;
    /// A usable (unaccepted, unexpired) invitation with this token hash.
    async fn open_invitation(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Invitation>>;
}

#[async_trait]
pub trait InvitationTx {
    async fn insert_invitation(
        &mut self,
        invitation: &NewInvitation<'_>,
    ) -> StoreResult<Invitation>;
    /// Marks the invitation accepted by `account_id`, if it is still open.
    async fn accept_invitation(
        &mut self,
        invitation_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
}

const COLUMNS: &str = "id, email, kind, role, invited_by, created_at, expires_at, accepted_at";
const INSERT: &str = "INSERT INTO invitations \
     (email, kind, role, token_hash, invited_by, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
const ACCEPT: &str = "UPDATE invitations SET accepted_at = $1, accepted_by = $2 \
     WHERE id = $3 AND accepted_at IS NULL AND expires_at > $1";

fn invitation(mut row: SqlRow) -> StoreResult<Invitation> {
    Ok(Invitation {
        id: row.int("id")?,
        email: row.text("email")?,
        kind: row.parse("kind")?,
        role: row.parse("role")?,
        invited_by: row.int("invited_by")?,
        created_at: row.time("created_at")?,
        expires_at: row.time("expires_at")?,
        accepted_at: row.maybe_time("accepted_at")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> InvitationRead for S {
    async fn invitations(&self) -> StoreResult<Vec<Invitation>> {
        let sql = format!("SELECT {COLUMNS} FROM invitations ORDER BY id DESC LIMIT 500");
        let rows = self.fetch(&sql, &[]).await?;
        rows.into_iter().map(invitation).collect()
    }

    async fn open_invitation(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Invitation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM invitations \
             WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2"
        );
        let row = self
            .fetch_optional(&sql, &[token_hash.into(), now.into()])
            .await?;
        row.map(invitation).transpose()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> InvitationTx for T {
    async fn insert_invitation(&mut self, new: &NewInvitation<'_>) -> StoreResult<Invitation> {
        let args = [
            new.email.into(),
            new.kind.as_str().into(),
            new.role.as_str().into(),
            new.token_hash.into(),
            new.invited_by.into(),
            new.created_at.into(),
            new.expires_at.into(),
        ];
        Ok(Invitation {
            id: self.insert_returning_id(INSERT, &args).await?,
            email: new.email.to_owned(),
            kind: new.kind,
            role: new.role,
            invited_by: new.invited_by,
            created_at: new.created_at,
            expires_at: new.expires_at,
            accepted_at: None,
        })
    }

    async fn accept_invitation(
        &mut self,
        invitation_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let args = [now.into(), account_id.into(), invitation_id.into()];
        Ok(self.execute(ACCEPT, &args).await? == 1)
    }
}
