//! A person's right to their data: everything Cocreate stores about them, as one JSON
//! document they download from their profile or the API. An admin may download anyone's, to
//! answer a request made another way; that is audited.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cocreate_core::{Action, allows};
use cocreate_store::personal_data::PersonalRows;
use cocreate_store::transfer::Value;
use serde_json::{Map, Value as Json, json};

use crate::{Actor, App, AppError, AppResult};

/// What the first field of a personal data download says it is.
pub const PERSONAL_DATA_FORMAT: &str = "cocreate-personal-data";

impl App {
    /// Everything stored about the account `account_id`, as a JSON document: the person
    /// themselves may read it, and admins (audited). Others are told it does not exist.
    pub async fn personal_data(&self, actor: &Actor, account_id: i64) -> AppResult<Json> {
        let own = actor.id == account_id;
        if !own && !allows(actor.viewer(), Action::ReadPeoplesData) {
            return Err(AppError::NotFound);
        }
        let account = self
            .store
            .account_by_id(account_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !own {
            let mut tx = self.store.begin().await?;
            self.audit(
                &mut *tx,
                Some(actor),
                "account.personal_data",
                &format!("account:{}", account.id),
                &account.email,
            )
            .await?;
            self.commit(tx).await?;
        }
        let tables = self.store.personal_data(account.id).await?;
        let mut document = Map::new();
        for table in &tables {
            document.insert(table.table.to_owned(), Json::Array(rows_as_json(table)));
        }
        Ok(json!({
            "format": PERSONAL_DATA_FORMAT,
            "version": 1,
            "exported_at": self.now().to_rfc3339(),
            "account": {
                "id": account.id,
                "email": account.email,
                "name": account.name,
                "handle": account.handle,
            },
            "tables": document,
        }))
    }
}

/// Each row as an object of its columns; times (`…_at`, `…_deadline`) in RFC 3339, bytes in
/// base64.
fn rows_as_json(table: &PersonalRows) -> Vec<Json> {
    table
        .rows
        .iter()
        .map(|row| {
            let fields = table
                .columns
                .iter()
                .zip(row)
                .map(|(column, value)| {
                    let value = match value {
                        Value::Null => Json::Null,
                        Value::Int(time)
                            if column.ends_with("_at") || column.ends_with("_deadline") =>
                        {
                            Json::String(cocreate_core::Timestamp(*time).to_rfc3339())
                        }
                        Value::Int(n) => json!(n),
                        Value::Text(text) => Json::String(text.clone()),
                        Value::Bytes(bytes) => Json::String(STANDARD.encode(bytes)),
                    };
                    ((*column).to_owned(), value)
                })
                .collect::<Map<_, _>>();
            Json::Object(fields)
        })
        .collect()
}
