//! Spaces and their members.

use async_trait::async_trait;
use cocreate_core::{Audience, Timestamp};

use crate::accounts::{ACCOUNT_COLUMNS, accounts};
use crate::sql::ints;
use crate::{Account, NewSpace, Space, SqlRead, SqlRow, SqlTx, StoreResult};

#[async_trait]
pub trait SpaceRead {
    async fn spaces(&self) -> StoreResult<Vec<Space>>;
    async fn space_by_slug(&self, slug: &str) -> StoreResult<Option<Space>>;
    async fn space_by_id(&self, id: i64) -> StoreResult<Option<Space>>;
    async fn space_member_ids(&self, account_id: i64) -> StoreResult<Vec<i64>>;
    async fn is_space_member(&self, space_id: i64, account_id: i64) -> StoreResult<bool>;
    async fn space_members(&self, space_id: i64) -> StoreResult<Vec<Account>>;
}

#[async_trait]
pub trait SpaceTx {
    /// Fails with `Conflict { field: "slug" }` when the slug is taken.
    async fn insert_space(&mut self, space: &NewSpace<'_>) -> StoreResult<Space>;
    async fn update_space(
        &mut self,
        space_id: i64,
        name: &str,
        description: &str,
        audience: Audience,
    ) -> StoreResult<()>;
    /// Adds the member; false when already listed.
    async fn add_space_member(
        &mut self,
        space_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn remove_space_member(&mut self, space_id: i64, account_id: i64) -> StoreResult<bool>;
}

const COLUMNS: &str = "id, slug, name, description, audience, created_by, created_at";
const INSERT: &str = "INSERT INTO spaces (slug, name, description, audience, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
const ADD_MEMBER: &str = "INSERT INTO space_members (space_id, account_id, added_at) \
     VALUES ($1, $2, $3) ON CONFLICT (space_id, account_id) DO NOTHING";

/// A space from columns named with `prefix` (`space_` where they sit beside an idea's).
pub(crate) fn space(row: &mut SqlRow, prefix: &str) -> StoreResult<Space> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(Space {
        id: row.int(&column("id"))?,
        slug: row.text(&column("slug"))?,
        name: row.text(&column("name"))?,
        description: row.text(&column("description"))?,
        audience: row.parse(&column("audience"))?,
        created_by: row.int(&column("created_by"))?,
        created_at: row.time(&column("created_at"))?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> SpaceRead for S {
    async fn spaces(&self) -> StoreResult<Vec<Space>> {
        let sql = format!("SELECT {COLUMNS} FROM spaces ORDER BY name, id");
        let rows = self.fetch(&sql, &[]).await?;
        rows.into_iter()
            .map(|mut row| space(&mut row, ""))
            .collect()
    }

    async fn space_by_slug(&self, slug: &str) -> StoreResult<Option<Space>> {
        let sql = format!("SELECT {COLUMNS} FROM spaces WHERE slug = $1");
        let row = self.fetch_optional(&sql, &[slug.into()]).await?;
        row.map(|mut row| space(&mut row, "")).transpose()
    }

    async fn space_by_id(&self, id: i64) -> StoreResult<Option<Space>> {
        let sql = format!("SELECT {COLUMNS} FROM spaces WHERE id = $1");
        let row = self.fetch_optional(&sql, &[id.into()]).await?;
        row.map(|mut row| space(&mut row, "")).transpose()
    }

    async fn space_member_ids(&self, account_id: i64) -> StoreResult<Vec<i64>> {
        let sql = "SELECT space_id FROM space_members WHERE account_id = $1";
        ints(&self.fetch(sql, &[account_id.into()]).await?, "space_id")
    }

    async fn is_space_member(&self, space_id: i64, account_id: i64) -> StoreResult<bool> {
        let sql = "SELECT 1 AS one FROM space_members WHERE space_id = $1 AND account_id = $2";
        let row = self
            .fetch_optional(sql, &[space_id.into(), account_id.into()])
            .await?;
        Ok(row.is_some())
    }

    async fn space_members(&self, space_id: i64) -> StoreResult<Vec<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM space_members m JOIN accounts a ON a.id = m.account_id \
             WHERE m.space_id = $1 ORDER BY a.name, a.id"
        );
        accounts(self.fetch(&sql, &[space_id.into()]).await?)
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> SpaceTx for T {
    async fn insert_space(&mut self, new: &NewSpace<'_>) -> StoreResult<Space> {
        let args = [
            new.slug.into(),
            new.name.into(),
            new.description.into(),
            new.audience.as_str().into(),
            new.created_by.into(),
            new.created_at.into(),
        ];
        Ok(Space {
            id: self.insert_returning_id(INSERT, &args).await?,
            slug: new.slug.to_owned(),
            name: new.name.to_owned(),
            description: new.description.to_owned(),
            audience: new.audience,
            created_by: new.created_by,
            created_at: new.created_at,
        })
    }

    async fn update_space(
        &mut self,
        space_id: i64,
        name: &str,
        description: &str,
        audience: Audience,
    ) -> StoreResult<()> {
        let sql = "UPDATE spaces SET name = $1, description = $2, audience = $3 WHERE id = $4";
        let args = [
            name.into(),
            description.into(),
            audience.as_str().into(),
            space_id.into(),
        ];
        self.execute(sql, &args).await?;
        Ok(())
    }

    async fn add_space_member(
        &mut self,
        space_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let args = [space_id.into(), account_id.into(), now.into()];
        Ok(self.execute(ADD_MEMBER, &args).await? == 1)
    }

    async fn remove_space_member(&mut self, space_id: i64, account_id: i64) -> StoreResult<bool> {
        let sql = "DELETE FROM space_members WHERE space_id = $1 AND account_id = $2";
        let removed = self
            .execute(sql, &[space_id.into(), account_id.into()])
            .await?;
        Ok(removed == 1)
    }
}
