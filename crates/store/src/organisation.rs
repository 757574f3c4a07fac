//! The organisation's one row: its name, description, time zone and logo.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{Logo, Organisation, SqlRead, SqlTx, StoreResult};

#[async_trait]
pub trait OrganisationRead {
    async fn organisation(&self) -> StoreResult<Organisation>;
    async fn organisation_logo(&self) -> StoreResult<Option<Logo>>;
}

#[async_trait]
pub trait OrganisationTx {
    async fn update_organisation(
        &mut self,
        name: &str,
        description: &str,
        time_zone: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn set_organisation_logo(
        &mut self,
        logo: Option<&Logo>,
        now: Timestamp,
    ) -> StoreResult<()>;
}

#[async_trait]
impl<S: SqlRead + ?Sized> OrganisationRead for S {
    async fn organisation(&self) -> StoreResult<Organisation> {
        let sql = "SELECT name, description, logo_type, time_zone, updated_at \
                   FROM organisation WHERE id = 1";
        let mut row = self.fetch_one(sql, &[]).await?;
        Ok(Organisation {
            name: row.text("name")?,
            description: row.text("description")?,
            has_logo: row.maybe_text("logo_type")?.is_some(),
            time_zone: row.text("time_zone")?,
            updated_at: row.time("updated_at")?,
        })
    }

    async fn organisation_logo(&self) -> StoreResult<Option<Logo>> {
        let sql = "SELECT logo, logo_type FROM organisation WHERE id = 1";
        let mut row = self.fetch_one(sql, &[]).await?;
        let content_type = row.maybe_text("logo_type")?;
        let bytes = row.maybe_bytes("logo")?;
        Ok(content_type.zip(bytes).map(|(content_type, bytes)| Logo {
            content_type,
            bytes,
        }))
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> OrganisationTx for T {
    async fn update_organisation(
        &mut self,
        name: &str,
        description: &str,
        time_zone: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let sql = "UPDATE organisation SET name = $1, description = $2, time_zone = $3, \
                   updated_at = $4 WHERE id = 1";
        let args = [
            name.into(),
            description.into(),
            time_zone.into(),
            now.into(),
        ];
        self.execute(sql, &args).await?;
        Ok(())
    }

    async fn set_organisation_logo(
        &mut self,
        logo: Option<&Logo>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let sql = "UPDATE organisation SET logo = $1, logo_type = $2, updated_at = $3 WHERE id = 1";
        let args = [
            logo.map(|logo| logo.bytes.as_slice()).into(),
            logo.map(|logo| logo.content_type.as_str()).into(),
            now.into(),
        ];
        self.execute(sql, &args).await?;
        Ok(())
    }
}
