//! What Cocreate holds about one person, for them to download: every row of every table that a
//! column ties to their account, with secrets (password and token hashes) withheld. Every
//! column that points at an account is either listed here or in [`NOT_PERSONAL`] with the
//! reason, and a test checks the schema against both lists, so a new table cannot be left out.

use crate::transfer::{Value, table_spec};
use crate::{SqlTx, SqlValue, StoreError, StoreResult};

/// A table holding a person's data: the rows where any of `by` is their account.
#[derive(Debug)]
pub struct PersonalTable {
    pub table: &'static str,
    pub by: &'static [&'static str],
    /// Columns left out of the download: secrets, which are no use to anyone but an attacker.
    pub withheld: &'static [&'static str],
}

const fn personal(
    table: &'static str,
    by: &'static [&'static str],
    withheld: &'static [&'static str],
) -> PersonalTable {
    PersonalTable {
        table,
        by,
        withheld,
    }
}

/// Every table that holds a person's data, in the export's table order.
pub const PERSONAL_TABLES: &[PersonalTable] = &[
    personal("accounts", &["id"], &["password_hash"]),
    personal("sessions", &["account_id"], &["token_hash"]),
    personal("invitations", &["accepted_by"], &["token_hash"]),
    personal("api_tokens", &["account_id"], &["token_hash"]),
    personal("spaces", &["created_by"], &[]),
    personal("space_members", &["account_id"], &[]),
    personal("audit_log", &["actor_id"], &[]),
    personal("challenges", &["created_by"], &[]),
    personal("ideas", &["author_id"], &[]),
    personal("supports", &["account_id"], &[]),
    personal("idea_events", &["actor_id"], &[]),
    personal("comments", &["author_id"], &[]),
    personal("follows", &["account_id"], &[]),
    personal("notifications", &["account_id"], &[]),
    personal("flags", &["reporter_id", "resolved_by"], &[]),
    personal("idea_revisions", &["editor_id"], &[]),
    personal("idea_authors", &["account_id"], &[]),
    personal("attachments", &["uploader_id"], &[]),
    personal(
        "feedback",
        &["author_account_id", "submitted_by", "status_by"],
        &["import_key"],
    ),
    personal("stage_news", &["account_id"], &[]),
    personal("statements", &["author_account_id"], &[]),
    personal("opinion_votes", &["account_id"], &[]),
    personal("pairwise_answers", &["account_id"], &[]),
    personal("duplicate_pairs", &["decided_by"], &[]),
];

/// Columns that point at an account without making the row that person's data, and why.
pub const NOT_PERSONAL: &[(&str, &str, &str)] = &[
    (
        "account_tokens",
        "account_id",
        "single-use secrets that reset a password or confirm an address, kept until used or expired",
    ),
    (
        "invitations",
        "invited_by",
        "the addresses of the people they invited: those people's data",
    ),
    (
        "idempotency_keys",
        "account_id",
        "copies of answers already given, kept a day so a repeated request is not done twice",
    ),
    (
        "fanouts",
        "skip_account_id",
        "who not to tell of news they made themselves, kept until everyone else is told",
    ),
];

/// Every row about `account_id` of each of [`PERSONAL_TABLES`] (empty tables too), in key
/// order, without the withheld columns; read in one snapshot.
pub async fn personal_data<T: SqlTx + ?Sized>(
    tx: &mut T,
    account_id: i64,
) -> StoreResult<Vec<PersonalRows>> {
    if let Some(snapshot) = tx.dialect().snapshot {
        tx.execute(snapshot, &[]).await?;
    }
    let mut tables = Vec::with_capacity(PERSONAL_TABLES.len());
    for personal in PERSONAL_TABLES {
        let spec = table_spec(personal.table).ok_or_else(|| {
            StoreError::Corrupt(format!("{} is not an exported table", personal.table))
        })?;
        let columns: Vec<&'static str> = spec
            .column_names()
            .filter(|column| !personal.withheld.contains(column))
            .collect();
        let by: Vec<String> = personal.by.iter().map(|c| format!("{c} = $1")).collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {}",
            columns.join(", "),
            spec.name,
            by.join(" OR "),
            spec.key.join(", ")
        );
        let rows = tx
            .fetch(&sql, &[account_id.into()])
            .await?
            .into_iter()
            .map(|row| row.into_values().into_iter().map(value_of).collect())
            .collect();
        tables.push(PersonalRows {
            table: spec.name,
            columns,
            rows,
        });
    }
    Ok(tables)
}

fn value_of(value: SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Int(v) => Value::Int(v),
        // No personal column holds a fraction; kept as written rather than lost.
        SqlValue::Float(v) => Value::Text(v.to_string()),
        SqlValue::Text(v) => Value::Text(v),
        SqlValue::Bytes(v) => Value::Bytes(v),
    }
}

/// One table's rows about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalRows {
    pub table: &'static str,
    /// The columns of each row, in order (the table's, less the withheld).
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_table_and_column_exists() {
        for personal in PERSONAL_TABLES {
            let spec = table_spec(personal.table).unwrap();
            for column in personal.by.iter().chain(personal.withheld) {
                assert!(
                    spec.column_names().any(|c| c == *column),
                    "{}.{column}",
                    personal.table
                );
            }
        }
        for (table, column, _) in NOT_PERSONAL {
            let spec = table_spec(table).unwrap();
            assert!(
                spec.column_names().any(|c| c == *column),
                "{table}.{column}"
            );
        }
    }
}
