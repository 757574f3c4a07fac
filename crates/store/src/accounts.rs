//! Accounts, their sessions, and the one-time tokens of password resets and e-mail changes.

use async_trait::async_trait;
use cocreate_core::{AccountKind, OrgRole, Timestamp};

use crate::sql::ints;
use crate::{
    Account, AccountToken, NewAccount, Session, Sql, SqlArg, SqlRead, SqlRow, SqlTx, StoreResult,
    TokenPurpose,
};

#[async_trait]
pub trait AccountRead {
    async fn account_by_id(&self, id: i64) -> StoreResult<Option<Account>>;
    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>>;
    /// The accounts with these handles (unknown ones are left out).
    async fn accounts_by_handles(&self, handles: &[String]) -> StoreResult<Vec<Account>>;
    /// Accounts in id order, starting after `after_id`.
    async fn accounts(&self, after_id: i64, limit: i64) -> StoreResult<Vec<Account>>;
    async fn count_accounts(&self) -> StoreResult<i64>;
    /// The live session with this token hash and its account.
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Session, Account)>>;
}

#[async_trait]
pub trait AccountTx {
    /// Fails with `Conflict { field: "email" }` when the address is taken.
    async fn insert_account(&mut self, account: &NewAccount<'_>) -> StoreResult<Account>;
    /// The account, read inside this transaction.
    async fn account_by_id(&mut self, id: i64) -> StoreResult<Option<Account>>;
    async fn set_password_hash(&mut self, account_id: i64, password_hash: &str) -> StoreResult<()>;
    async fn set_email(&mut self, account_id: i64, email: &str) -> StoreResult<()>;
    async fn set_role(&mut self, account_id: i64, role: OrgRole) -> StoreResult<()>;
    async fn set_kind(&mut self, account_id: i64, kind: AccountKind) -> StoreResult<()>;
    /// The ids of all admins, locked until the transaction ends (so two demotions cannot both
    /// see another admin left).
    async fn lock_admin_ids(&mut self) -> StoreResult<Vec<i64>>;

    async fn insert_session(&mut self, session: &Session) -> StoreResult<()>;
    async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of the account except the one with `keep_hash`; returns how many.
    async fn delete_sessions_of(
        &mut self,
        account_id: i64,
        keep_hash: Option<&str>,
    ) -> StoreResult<u64>;

    async fn insert_account_token(&mut self, token: &AccountToken) -> StoreResult<()>;
    /// Marks the token used and returns it, if it exists, has this purpose, is unused and unexpired.
    async fn consume_account_token(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> StoreResult<Option<AccountToken>>;
    /// Marks every open token of the account used (reset and e-mail change links alike); returns
    /// how many were open.
    async fn revoke_account_tokens(&mut self, account_id: i64, now: Timestamp) -> StoreResult<u64>;
}

/// The columns of an account row `a`.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id, a.email, a.name, a.handle, a.password_hash, a.kind, a.role, a.created_at";

pub(crate) fn account(row: &mut SqlRow) -> StoreResult<Account> {
    Ok(Account {
        id: row.int("id")?,
        email: row.text("email")?,
        name: row.text("name")?,
        handle: row.text("handle")?,
        password_hash: row.text("password_hash")?,
        kind: row.parse("kind")?,
        role: row.parse("role")?,
        created_at: row.time("created_at")?,
    })
}

pub(crate) fn accounts(rows: Vec<SqlRow>) -> StoreResult<Vec<Account>> {
    rows.into_iter().map(|mut row| account(&mut row)).collect()
}

fn account_token(row: &mut SqlRow) -> StoreResult<AccountToken> {
    Ok(AccountToken {
        token_hash: row.text("token_hash")?,
        account_id: row.int("account_id")?,
        purpose: row.parse("purpose")?,
        new_email: row.maybe_text("new_email")?,
        created_at: row.time("created_at")?,
        expires_at: row.time("expires_at")?,
    })
}

fn by_id() -> String {
    format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1")
}

const INSERT_ACCOUNT: &str = "INSERT INTO accounts \
     (email, name, password_hash, kind, role, created_at, handle) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const CONSUME_TOKEN: &str = "UPDATE account_tokens SET used_at = $1 \
     WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
     RETURNING token_hash, account_id, purpose, new_email, created_at, expires_at";

#[async_trait]
impl<S: SqlRead + ?Sized> AccountRead for S {
    async fn account_by_id(&self, id: i64) -> StoreResult<Option<Account>> {
        let row = self.fetch_optional(&by_id(), &[id.into()]).await?;
        row.map(|mut row| account(&mut row)).transpose()
    }

    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.email = $1");
        let row = self.fetch_optional(&sql, &[email.into()]).await?;
        row.map(|mut row| account(&mut row)).transpose()
    }

    async fn accounts_by_handles(&self, handles: &[String]) -> StoreResult<Vec<Account>> {
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.handle IN ("
        ));
        sql.list(handles).push(") ORDER BY a.id");
        accounts(self.fetch_sql(&sql).await?)
    }

    async fn accounts(&self, after_id: i64, limit: i64) -> StoreResult<Vec<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id > $1 ORDER BY a.id LIMIT $2"
        );
        accounts(self.fetch(&sql, &[after_id.into(), limit.into()]).await?)
    }

    async fn count_accounts(&self) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) AS n FROM accounts";
        self.fetch_one(sql, &[]).await?.int("n")
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Session, Account)>> {
        let sql = format!(
            "SELECT s.token_hash, s.created_at AS session_created_at, s.expires_at, \
             {ACCOUNT_COLUMNS} FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        );
        let Some(mut row) = self
            .fetch_optional(&sql, &[token_hash.into(), now.into()])
            .await?
        else {
            return Ok(None);
        };
        let account = account(&mut row)?;
        let session = Session {
            token_hash: row.text("token_hash")?,
            account_id: account.id,
            created_at: row.time("session_created_at")?,
            expires_at: row.time("expires_at")?,
        };
        Ok(Some((session, account)))
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> AccountTx for T {
    async fn insert_account(&mut self, new: &NewAccount<'_>) -> StoreResult<Account> {
        // The wanted handle when free; otherwise the handle, `-` and the new id, unique because
        // wanted handles never contain `-`. Taking it waits for (and never fails on) a
        // concurrent sign-up wanting the same.
        let args = |handle: Option<String>| -> [SqlArg<'_>; 7] {
            [
                new.email.into(),
                new.name.into(),
                new.password_hash.into(),
                new.kind.as_str().into(),
                new.role.as_str().into(),
                new.created_at.into(),
                handle.into(),
            ]
        };
        let wanted = format!("{INSERT_ACCOUNT} ON CONFLICT (handle) DO NOTHING RETURNING id");
        let (id, handle) = match self
            .fetch_optional(&wanted, &args(Some(new.handle.to_owned())))
            .await?
        {
            Some(row) => (row.int("id")?, new.handle.to_owned()),
            None => {
                let sql = format!("{INSERT_ACCOUNT} RETURNING id");
                let id = self.insert_returning_id(&sql, &args(None)).await?;
                let handle = format!("{}-{id}", new.handle);
                let sql = "UPDATE accounts SET handle = $1 WHERE id = $2";
                self.execute(sql, &[handle.as_str().into(), id.into()])
                    .await?;
                (id, handle)
            }
        };
        Ok(Account {
            id,
            email: new.email.to_owned(),
            name: new.name.to_owned(),
            handle,
            password_hash: new.password_hash.to_owned(),
            kind: new.kind,
            role: new.role,
            created_at: new.created_at,
        })
    }

    async fn account_by_id(&mut self, id: i64) -> StoreResult<Option<Account>> {
        let row = self.fetch_optional(&by_id(), &[id.into()]).await?;
        row.map(|mut row| account(&mut row)).transpose()
    }

    async fn set_password_hash(&mut self, account_id: i64, password_hash: &str) -> StoreResult<()> {
        let sql = "UPDATE accounts SET password_hash = $1 WHERE id = $2";
        self.execute(sql, &[password_hash.into(), account_id.into()])
            .await?;
        Ok(())
    }

    async fn set_email(&mut self, account_id: i64, email: &str) -> StoreResult<()> {
        let sql = "UPDATE accounts SET email = $1 WHERE id = $2";
        self.execute(sql, &[email.into(), account_id.into()])
            .await?;
        Ok(())
    }

    async fn set_role(&mut self, account_id: i64, role: OrgRole) -> StoreResult<()> {
        let sql = "UPDATE accounts SET role = $1 WHERE id = $2";
        self.execute(sql, &[role.as_str().into(), account_id.into()])
            .await?;
        Ok(())
    }

    async fn set_kind(&mut self, account_id: i64, kind: AccountKind) -> StoreResult<()> {
        let sql = "UPDATE accounts SET kind = $1 WHERE id = $2";
        self.execute(sql, &[kind.as_str().into(), account_id.into()])
            .await?;
        Ok(())
    }

    async fn lock_admin_ids(&mut self) -> StoreResult<Vec<i64>> {
        let sql = format!(
            "SELECT id FROM accounts WHERE role = 'admin' ORDER BY id{}",
            self.dialect().lock_rows
        );
        ints(&self.fetch(&sql, &[]).await?, "id")
    }

    async fn insert_session(&mut self, session: &Session) -> StoreResult<()> {
        let sql = "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4)";
        let args = [
            session.token_hash.as_str().into(),
            session.account_id.into(),
            session.created_at.into(),
            session.expires_at.into(),
        ];
        self.execute(sql, &args).await?;
        Ok(())
    }

    async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        let sql = "DELETE FROM sessions WHERE token_hash = $1";
        self.execute(sql, &[token_hash.into()]).await?;
        Ok(())
    }

    async fn delete_sessions_of(
        &mut self,
        account_id: i64,
        keep_hash: Option<&str>,
    ) -> StoreResult<u64> {
        let sql = "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2";
        self.execute(sql, &[account_id.into(), keep_hash.unwrap_or("").into()])
            .await
    }

    async fn insert_account_token(&mut self, token: &AccountToken) -> StoreResult<()> {
        let sql = "INSERT INTO account_tokens \
                   (token_hash, account_id, purpose, new_email, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        let args = [
            token.token_hash.as_str().into(),
            token.account_id.into(),
            token.purpose.as_str().into(),
            token.new_email.as_deref().into(),
            token.created_at.into(),
            token.expires_at.into(),
        ];
        self.execute(sql, &args).await?;
        Ok(())
    }

    async fn consume_account_token(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> StoreResult<Option<AccountToken>> {
        let args = [now.into(), token_hash.into(), purpose.as_str().into()];
        let row = self.fetch_optional(CONSUME_TOKEN, &args).await?;
        row.map(|mut row| account_token(&mut row)).transpose()
    }

    async fn revoke_account_tokens(&mut self, account_id: i64, now: Timestamp) -> StoreResult<u64> {
        let sql =
            "UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL";
        self.execute(sql, &[now.into(), account_id.into()]).await
    }
}
