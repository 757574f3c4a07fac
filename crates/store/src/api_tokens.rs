//! Personal API tokens: only a hash is kept; the prefix identifies a token to its owner.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::accounts::{ACCOUNT_COLUMNS, account};
use crate::{Account, ApiToken, NewApiToken, SqlRead, SqlRow, SqlTx, StoreResult};

#[async_trait]
pub trait ApiTokenRead {
    /// The unrevoked API token with this hash and its account.
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, Account)>>;
    async fn api_tokens(&self, account_id: i64) -> StoreResult<Vec<ApiToken>>;
}

#[async_trait]
pub trait ApiTokenTx {
    async fn insert_api_token(&mut self, token: &NewApiToken<'_>) -> StoreResult<ApiToken>;
    /// Revokes the account's token; false when it has no such live token.
    async fn revoke_api_token(
        &mut self,
        token_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn touch_api_token(&mut self, token_id: i64, now: Timestamp) -> StoreResult<()>;
}

/// The columns of a token row `t`, named apart from an account's.
const COLUMNS: &str = "t.id AS token_id, t.account_id, t.name AS token_name, t.prefix, \
     t.created_at AS token_created_at, t.last_used_at, t.revoked_at";
const INSERT: &str = "INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";
const REVOKE: &str = "UPDATE api_tokens SET revoked_at = $1 \
     WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL";

fn api_token(row: &mut SqlRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: row.int("token_id")?,
        account_id: row.int("account_id")?,
        name: row.text("token_name")?,
        prefix: row.text("prefix")?,
        created_at: row.time("token_created_at")?,
        last_used_at: row.maybe_time("last_used_at")?,
        revoked_at: row.maybe_time("revoked_at")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> ApiTokenRead for S {
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, Account)>> {
        let sql = format!(
            "SELECT {COLUMNS}, {ACCOUNT_COLUMNS} FROM api_tokens t \
             JOIN accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        );
        let Some(mut row) = self.fetch_optional(&sql, &[token_hash.into()]).await? else {
            return Ok(None);
        };
        Ok(Some((api_token(&mut row)?, account(&mut row)?)))
    }

    async fn api_tokens(&self, account_id: i64) -> StoreResult<Vec<ApiToken>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM api_tokens t WHERE t.account_id = $1 ORDER BY t.id DESC"
        );
        let rows = self.fetch(&sql, &[account_id.into()]).await?;
        rows.into_iter()
            .map(|mut row| api_token(&mut row))
            .collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> ApiTokenTx for T {
    async fn insert_api_token(&mut self, new: &NewApiToken<'_>) -> StoreResult<ApiToken> {
        let args = [
            new.account_id.into(),
            new.name.into(),
            new.prefix.into(),
            new.token_hash.into(),
            new.created_at.into(),
        ];
        Ok(ApiToken {
            id: self.insert_returning_id(INSERT, &args).await?,
            account_id: new.account_id,
            name: new.name.to_owned(),
            prefix: new.prefix.to_owned(),
            created_at: new.created_at,
            last_used_at: None,
            revoked_at: None,
        })
    }

    async fn revoke_api_token(
        &mut self,
        token_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let args = [now.into(), token_id.into(), account_id.into()];
        Ok(self.execute(REVOKE, &args).await? == 1)
    }

    async fn touch_api_token(&mut self, token_id: i64, now: Timestamp) -> StoreResult<()> {
        let sql = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
        self.execute(sql, &[now.into(), token_id.into()]).await?;
        Ok(())
    }
}
