//! Files attached to ideas; the bytes live in the object store, the rows here.

use async_trait::async_trait;

use crate::{Attachment, NewAttachment, SqlRead, SqlRow, SqlTx, StoreResult};

#[async_trait]
pub trait AttachmentRead {
    async fn attachments(&self, idea_id: i64) -> StoreResult<Vec<Attachment>>;
    async fn attachment(&self, id: i64) -> StoreResult<Option<Attachment>>;
}

#[async_trait]
pub trait AttachmentTx {
    async fn insert_attachment(&mut self, attachment: &NewAttachment<'_>) -> StoreResult<i64>;
    async fn count_attachments(&mut self, idea_id: i64) -> StoreResult<i64>;
}

const COLUMNS: &str =
    "id, idea_id, uploader_id, file_name, content_type, size, storage_key, created_at";
const INSERT: &str = "INSERT INTO attachments \
     (idea_id, uploader_id, file_name, content_type, size, storage_key, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

fn attachment(mut row: SqlRow) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: row.int("id")?,
        idea_id: row.int("idea_id")?,
        uploader_id: row.int("uploader_id")?,
        file_name: row.text("file_name")?,
        content_type: row.text("content_type")?,
        size: row.int("size")?,
        storage_key: row.text("storage_key")?,
        created_at: row.time("created_at")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> AttachmentRead for S {
    async fn attachments(&self, idea_id: i64) -> StoreResult<Vec<Attachment>> {
        let sql = format!("SELECT {COLUMNS} FROM attachments WHERE idea_id = $1 ORDER BY id");
        let rows = self.fetch(&sql, &[idea_id.into()]).await?;
        rows.into_iter().map(attachment).collect()
    }

    async fn attachment(&self, id: i64) -> StoreResult<Option<Attachment>> {
        let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = $1");
        let row = self.fetch_optional(&sql, &[id.into()]).await?;
        row.map(attachment).transpose()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> AttachmentTx for T {
    async fn insert_attachment(&mut self, new: &NewAttachment<'_>) -> StoreResult<i64> {
        let args = [
            new.idea_id.into(),
            new.uploader_id.into(),
            new.file_name.into(),
            new.content_type.into(),
            new.size.into(),
            new.storage_key.into(),
            new.created_at.into(),
        ];
        self.insert_returning_id(INSERT, &args).await
    }

    async fn count_attachments(&mut self, idea_id: i64) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) AS n FROM attachments WHERE idea_id = $1";
        self.fetch_one(sql, &[idea_id.into()]).await?.int("n")
    }
}
