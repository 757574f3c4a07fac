//! Personal API tokens for integrations: shown once, stored as a keyed hash, revocable.

use cocreate_core::DisplayName;
use cocreate_store::{ApiToken, NewApiToken};

use crate::secrets::new_token;
use crate::{Actor, App, AppError, AppResult};

/// Every token starts with this, so leaked tokens are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "cct_";

/// A token just made: `secret` is shown this once and never again.
pub struct CreatedApiToken {
    pub token: ApiToken,
    pub secret: String,
}

impl App {
    pub async fn create_api_token(&self, actor: &Actor, name: &str) -> AppResult<CreatedApiToken> {
        let name = DisplayName::parse(name)?;
        let secret = format!("{TOKEN_PREFIX}{}", new_token());
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let mut tx = self.store.begin().await?;
        let token = tx
            .insert_api_token(&NewApiToken {
                account_id: actor.id,
                name: name.as_str(),
                prefix: &prefix,
                token_hash: &self.hash(&secret),
                created_at: self.now(),
            })
            .await?;
        tx.commit().await?;
        Ok(CreatedApiToken { token, secret })
    }

    /// The actor's own tokens, revoked ones included.
    pub async fn api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiToken>> {
        Ok(self.store.api_tokens(actor.id).await?)
    }

    /// Revokes one of the actor's own live tokens; anyone else's is "not found".
    pub async fn revoke_api_token(&self, actor: &Actor, token_id: i64) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        if !tx.revoke_api_token(token_id, actor.id, self.now()).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }
}
