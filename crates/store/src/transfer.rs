//! What a whole-organisation export holds: every stored table, column by column, in an order
//! in which each row's references come before it. Both backends dump and load these tables with
//! the same columns and value kinds, so an export re-exported from the other backend is equal.

use std::cmp::Ordering;

use crate::{Sql, SqlArg, SqlRow, SqlTx, SqlValue, StoreError, StoreResult};

/// How a column's values are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Text,
    Bytes,
}

/// One stored table as exported.
#[derive(Debug, PartialEq, Eq)]
pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnKind)],
    /// The primary key: rows are exported in its order.
    pub key: &'static [&'static str],
    /// Columns pointing at rows of the same table that may come later; they are loaded after
    /// every row of the table is in.
    pub self_references: &'static [&'static str],
}

impl TableSpec {
    pub fn column_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|(name, _)| *name)
    }

    /// Whether the database generates this table's ids, so that after a load its generator must
    /// continue past the largest loaded one (the organisation's single row has the fixed id 1).
    pub fn generates_ids(&self) -> bool {
        self.key == ["id"] && self.name != "organisation"
    }
}

/// Columns holding the key of a file in the file store, which an export carries with the rows.
pub const FILE_COLUMNS: &[(&str, &str)] = &[
    ("attachments", "storage_key"),
    ("challenges", "cover_key"),
    ("products", "image_key"),
];

use ColumnKind::{Bytes, Int, Text};

const fn table(
    name: &'static str,
    columns: &'static [(&'static str, ColumnKind)],
    key: &'static [&'static str],
) -> TableSpec {
    TableSpec {
        name,
        columns,
        key,
        self_references: &[],
    }
}

/// Every table, parents before children.
pub const TABLES: &[TableSpec] = &[
    table(
        "organisation",
        &[
            ("id", Int),
            ("name", Text),
            ("description", Text),
            ("logo", Bytes),
            ("logo_type", Text),
            ("time_zone", Text),
            ("updated_at", Int),
        ],
        &["id"],
    ),
    table(
        "accounts",
        &[
            ("id", Int),
            ("email", Text),
            ("name", Text),
            ("handle", Text),
            ("password_hash", Text),
            ("kind", Text),
            ("role", Text),
            ("created_at", Int),
            ("erased_at", Int),
        ],
        &["id"],
    ),
    table(
        "sessions",
        &[
            ("token_hash", Text),
            ("account_id", Int),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        &["token_hash"],
    ),
    table(
        "account_tokens",
        &[
            ("token_hash", Text),
            ("account_id", Int),
            ("purpose", Text),
            ("new_email", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
        ],
        &["token_hash"],
    ),
    table(
        "invitations",
        &[
            ("id", Int),
            ("email", Text),
            ("kind", Text),
            ("role", Text),
            ("token_hash", Text),
            ("invited_by", Int),
            ("created_at", Int),
            ("expires_at", Int),
            ("accepted_at", Int),
            ("accepted_by", Int),
        ],
        &["id"],
    ),
    table(
        "api_tokens",
        &[
            ("id", Int),
            ("account_id", Int),
            ("name", Text),
            ("prefix", Text),
            ("token_hash", Text),
            ("created_at", Int),
            ("last_used_at", Int),
            ("revoked_at", Int),
        ],
        &["id"],
    ),
    table(
        "spaces",
        &[
            ("id", Int),
            ("slug", Text),
            ("name", Text),
            ("description", Text),
            ("audience", Text),
            ("created_by", Int),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "space_members",
        &[("space_id", Int), ("account_id", Int), ("added_at", Int)],
        &["space_id", "account_id"],
    ),
    table(
        "products",
        &[
            ("id", Int),
            ("space_id", Int),
            ("slug", Text),
            ("name", Text),
            ("description", Text),
            ("status", Text),
            ("image_key", Text),
            ("image_type", Text),
            ("feedback_count", Int),
            ("rating_count", Int),
            ("rating_sum", Int),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "audit_log",
        &[
            ("id", Int),
            ("actor_id", Int),
            ("action", Text),
            ("target", Text),
            ("detail", Text),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "outbox",
        &[
            ("id", Int),
            ("to_address", Text),
            ("subject", Text),
            ("body", Text),
            ("status", Text),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("locked_until", Int),
            ("last_error", Text),
            ("created_at", Int),
            ("finished_at", Int),
        ],
        &["id"],
    ),
    table(
        "challenges",
        &[
            ("id", Int),
            ("space_id", Int),
            ("title", Text),
            ("problem", Text),
            ("problem_html", Text),
            ("questions", Text),
            ("tags", Text),
            ("tiers", Text),
            ("opens_at", Int),
            ("closes_at", Int),
            ("created_by", Int),
            ("created_at", Int),
            ("cover_key", Text),
            ("cover_type", Text),
        ],
        &["id"],
    ),
    TableSpec {
        self_references: &["merged_into"],
        ..table(
            "ideas",
            &[
                ("id", Int),
                ("space_id", Int),
                ("challenge_id", Int),
                ("title", Text),
                ("body", Text),
                ("body_html", Text),
                ("tags", Text),
                ("author_id", Int),
                ("stage", Text),
                ("supporters", Int),
                ("tiers", Text),
                ("tier", Int),
                ("tier_deadline", Int),
                ("merged_into", Int),
                ("created_at", Int),
                ("updated_at", Int),
                ("comments", Int),
                ("hidden_at", Int),
                ("hidden_reason", Text),
                ("hot", Int),
                ("trending", Int),
            ],
            &["id"],
        )
    },
    table(
        "idea_products",
        &[("idea_id", Int), ("product_id", Int)],
        &["idea_id"],
    ),
    table(
        "supports",
        &[("idea_id", Int), ("account_id", Int), ("created_at", Int)],
        &["idea_id", "account_id"],
    ),
    table(
        "idea_events",
        &[
            ("id", Int),
            ("idea_id", Int),
            ("actor_id", Int),
            ("from_stage", Text),
            ("to_stage", Text),
            ("rationale", Text),
            ("created_at", Int),
        ],
        &["id"],
    ),
    TableSpec {
        self_references: &["parent_id"],
        ..table(
            "comments",
            &[
                ("id", Int),
                ("idea_id", Int),
                ("challenge_id", Int),
                ("parent_id", Int),
                ("depth", Int),
                ("author_id", Int),
                ("body", Text),
                ("body_html", Text),
                ("official", Int),
                ("created_at", Int),
                ("edited_at", Int),
                ("deleted_at", Int),
                ("hidden_at", Int),
                ("hidden_reason", Text),
            ],
            &["id"],
        )
    },
    table(
        "follows",
        &[("idea_id", Int), ("account_id", Int), ("created_at", Int)],
        &["idea_id", "account_id"],
    ),
    table(
        "notifications",
        &[
            ("id", Int),
            ("account_id", Int),
            ("idea_id", Int),
            ("comment_id", Int),
            ("text", Text),
            ("created_at", Int),
            ("read_at", Int),
            ("challenge_id", Int),
        ],
        &["id"],
    ),
    table(
        "fanouts",
        &[
            ("id", Int),
            ("kind", Text),
            ("idea_id", Int),
            ("comment_id", Int),
            ("skip_account_id", Int),
            ("subject", Text),
            ("body", Text),
            ("after_account_id", Int),
            ("failures", Int),
            ("created_at", Int),
            ("event_id", Int),
        ],
        &["id"],
    ),
    table(
        "flags",
        &[
            ("id", Int),
            ("target_kind", Text),
            ("target_id", Int),
            ("space_id", Int),
            ("idea_id", Int),
            ("challenge_id", Int),
            ("reporter_id", Int),
            ("reason", Text),
            ("created_at", Int),
            ("resolved_at", Int),
            ("resolved_by", Int),
        ],
        &["id"],
    ),
    table(
        "idempotency_keys",
        &[
            ("account_id", Int),
            ("key", Text),
            ("fingerprint", Text),
            ("status", Int),
            ("body", Text),
            ("created_at", Int),
            ("applied_at", Int),
        ],
        &["account_id", "key"],
    ),
    table(
        "idea_revisions",
        &[
            ("id", Int),
            ("idea_id", Int),
            ("editor_id", Int),
            ("title", Text),
            ("body", Text),
            ("tags", Text),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "idea_authors",
        &[
            ("idea_id", Int),
            ("account_id", Int),
            ("accepted_at", Int),
            ("invited_at", Int),
        ],
        &["idea_id", "account_id"],
    ),
    table(
        "attachments",
        &[
            ("id", Int),
            ("idea_id", Int),
            ("uploader_id", Int),
            ("file_name", Text),
            ("content_type", Text),
            ("size", Int),
            ("storage_key", Text),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "contacts",
        &[
            ("id", Int),
            ("source", Text),
            ("external_ref", Text),
            ("created_at", Int),
            ("name", Text),
            ("erased_at", Int),
        ],
        &["id"],
    ),
    table(
        "feedback",
        &[
            ("id", Int),
            ("product_id", Int),
            ("body", Text),
            ("rating", Int),
            ("channel", Text),
            ("author_account_id", Int),
            ("author_contact_id", Int),
            ("submitted_by", Int),
            ("tags", Text),
            ("status", Text),
            ("status_note", Text),
            ("status_by", Int),
            ("status_at", Int),
            ("created_at", Int),
            ("idea_id", Int),
            ("answer", Text),
            ("import_key", Text),
            ("answered_at", Int),
        ],
        &["id"],
    ),
    table(
        "stage_news",
        &[("account_id", Int), ("event_id", Int), ("created_at", Int)],
        &["account_id", "event_id"],
    ),
    table(
        "challenge_sources",
        &[("source", Text), ("challenge_id", Int)],
        &["source"],
    ),
    table(
        "statements",
        &[
            ("id", Int),
            ("challenge_id", Int),
            ("body", Text),
            ("author_account_id", Int),
            ("author_contact_id", Int),
            ("hidden", Int),
            ("external_ref", Text),
            ("agrees", Int),
            ("disagrees", Int),
            ("passes", Int),
            ("version", Int),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "opinion_votes",
        &[
            ("id", Int),
            ("statement_id", Int),
            ("account_id", Int),
            ("contact_id", Int),
            ("opinion", Int),
            ("voted_at", Int),
        ],
        &["id"],
    ),
    table(
        "pairwise_answers",
        &[
            ("id", Int),
            ("challenge_id", Int),
            ("account_id", Int),
            ("low_idea_id", Int),
            ("high_idea_id", Int),
            ("picked_idea_id", Int),
            ("answered_at", Int),
        ],
        &["id"],
    ),
    table(
        "pairwise_tallies",
        &[
            ("challenge_id", Int),
            ("low_idea_id", Int),
            ("high_idea_id", Int),
            ("low_wins", Int),
            ("high_wins", Int),
            ("skips", Int),
        ],
        &["low_idea_id", "high_idea_id"],
    ),
    table(
        "pairwise_versions",
        &[("challenge_id", Int), ("version", Int)],
        &["challenge_id"],
    ),
    table(
        "duplicate_pairs",
        &[
            ("id", Int),
            ("space_id", Int),
            ("first_idea_id", Int),
            ("second_idea_id", Int),
            ("similarity", Int),
            ("status", Text),
            ("found_at", Int),
            ("decided_by", Int),
            ("decided_at", Int),
        ],
        &["id"],
    ),
    table(
        "themes",
        &[
            ("id", Int),
            ("space_id", Int),
            ("terms", Text),
            ("label", Text),
            ("pinned", Int),
            ("representative_kind", Text),
            ("representative_id", Int),
            ("items", Int),
            ("recent", Int),
            ("earlier", Int),
            ("sentiment", Int),
            ("scored", Int),
            ("other_language", Int),
        ],
        &["id"],
    ),
    table(
        "theme_items",
        &[
            ("theme_id", Int),
            ("position", Int),
            ("kind", Text),
            ("item_id", Int),
        ],
        &["theme_id", "position"],
    ),
    table(
        "theme_runs",
        &[
            ("space_id", Int),
            ("computed_at", Int),
            ("texts", Int),
            ("themed", Int),
            ("note", Text),
        ],
        &["space_id"],
    ),
];

/// The table called `name`.
pub fn table_spec(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|spec| spec.name == name)
}

/// One stored value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    pub fn kind(&self) -> Option<ColumnKind> {
        match self {
            Value::Null => None,
            Value::Int(_) => Some(ColumnKind::Int),
            Value::Text(_) => Some(ColumnKind::Text),
            Value::Bytes(_) => Some(ColumnKind::Bytes),
        }
    }
}

/// The rows of one table, each with a value for every column of its [`TableSpec`], in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRows {
    pub spec: &'static TableSpec,
    pub rows: Vec<Vec<Value>>,
}

impl TableRows {
    /// Puts the rows in key order, whatever order or collation the database returned them in.
    pub fn sort(&mut self) {
        let key: Vec<usize> = self
            .spec
            .key
            .iter()
            .filter_map(|k| self.spec.column_names().position(|c| c == *k))
            .collect();
        self.rows.sort_by(|a, b| {
            key.iter()
                .map(|&i| a[i].cmp(&b[i]))
                .find(|order| *order != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        });
    }
}

/// Reads every table of [`TABLES`] in one snapshot, rows in key order. Fails with `Corrupt`
/// when the database holds a table or column the export does not know.
pub async fn export<T: SqlTx + ?Sized>(tx: &mut T) -> StoreResult<Vec<TableRows>> {
    if let Some(snapshot) = tx.dialect().snapshot {
        tx.execute(snapshot, &[]).await?;
    }
    check_export_covers(tx).await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    for spec in TABLES {
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            spec.column_names().collect::<Vec<_>>().join(", "),
            spec.name,
            spec.key.join(", ")
        );
        let rows = tx
            .fetch(&sql, &[])
            .await?
            .into_iter()
            .map(|row| exported_row(spec, row))
            .collect::<StoreResult<Vec<_>>>()?;
        let mut table = TableRows { spec, rows };
        table.sort();
        tables.push(table);
    }
    Ok(tables)
}

/// Loads tables given in [`TABLES`] order into a database holding nothing yet but its initial
/// organisation row, ids included; id generators continue after the loaded ids.
pub async fn import<T: SqlTx + ?Sized>(tx: &mut T, tables: &[TableRows]) -> StoreResult<()> {
    for spec in TABLES.iter().filter(|spec| spec.name != "organisation") {
        let sql = format!("SELECT 1 AS found FROM {} LIMIT 1", spec.name);
        if tx.fetch_optional(&sql, &[]).await?.is_some() {
            return Err(StoreError::NotEmpty { table: spec.name });
        }
    }
    // The organisation's one row, made at migration, is replaced by the loaded one.
    tx.execute("DELETE FROM organisation", &[]).await?;
    for table in tables {
        load_table(tx, table).await?;
        if let Some(continue_ids) = tx.dialect().continue_ids
            && table.spec.generates_ids()
        {
            tx.fetch(&continue_ids.replace("{table}", table.spec.name), &[])
                .await?;
        }
    }
    if let Some(rebuild) = tx.dialect().rebuild_search {
        tx.execute(rebuild, &[]).await?;
    }
    let sql = "SELECT COUNT(*) AS n FROM organisation";
    if tx.fetch_one(sql, &[]).await?.int("n")? != 1 {
        return Err(StoreError::Corrupt(
            "the organisation must have exactly one row".into(),
        ));
    }
    Ok(())
}

fn exported_row(spec: &TableSpec, row: SqlRow) -> StoreResult<Vec<Value>> {
    row.into_values()
        .into_iter()
        .zip(spec.columns)
        .map(|(value, (column, kind))| match (value, kind) {
            (SqlValue::Null, _) => Ok(Value::Null),
            (SqlValue::Int(v), Int) => Ok(Value::Int(v)),
            (SqlValue::Text(v), Text) => Ok(Value::Text(v)),
            (SqlValue::Bytes(v), Bytes) => Ok(Value::Bytes(v)),
            (other, _) => Err(StoreError::Corrupt(format!(
                "{}.{column} holds {other:?}, not {kind:?}",
                spec.name
            ))),
        })
        .collect()
}

/// Fails unless the database's tables and columns are exactly those the export knows (search
/// indexes, rebuilt from the tables, aside), so a migration cannot add data an export would
/// leave out.
async fn check_export_covers<T: SqlTx + ?Sized>(tx: &mut T) -> StoreResult<()> {
    let unknown = |what: String| {
        StoreError::Corrupt(format!(
            "{what} is not part of the export: add it to cocreate_store::transfer::TABLES"
        ))
    };
    let dialect = tx.dialect();
    for mut row in tx.fetch(dialect.list_tables, &[]).await? {
        let name = row.text("name")?;
        let Some(spec) = table_spec(&name) else {
            return Err(unknown(format!("the table {name}")));
        };
        for mut column in tx.fetch(dialect.list_columns, &[spec.name.into()]).await? {
            let column = column.text("name")?;
            if !spec.column_names().any(|c| c == column) {
                return Err(unknown(format!("the column {name}.{column}")));
            }
        }
    }
    Ok(())
}

/// Loads one table's rows with their ids, leaving its self-references for later.
async fn load_table<T: SqlTx + ?Sized>(tx: &mut T, table: &TableRows) -> StoreResult<()> {
    let spec = table.spec;
    for (number, row) in table.rows.iter().enumerate() {
        let fits = row.len() == spec.columns.len()
            && row
                .iter()
                .zip(spec.columns)
                .all(|(value, (_, kind))| value.kind().is_none_or(|k| k == *kind));
        if !fits {
            return Err(StoreError::Corrupt(format!(
                "row {} of {} does not match its columns",
                number + 1,
                spec.name
            )));
        }
    }
    let columns = spec.column_names().collect::<Vec<_>>().join(", ");
    // Well under both backends' limit of bound values per statement.
    let rows_per_statement = 8000 / spec.columns.len();
    for chunk in table.rows.chunks(rows_per_statement) {
        let mut sql = Sql::new(format!("INSERT INTO {} ({columns}) VALUES ", spec.name));
        for (index, row) in chunk.iter().enumerate() {
            sql.push(if index > 0 { ", (" } else { "(" });
            sql.list(row.iter().zip(spec.columns).map(|(value, (name, kind))| {
                let value = if spec.self_references.contains(name) {
                    &Value::Null
                } else {
                    value
                };
                loaded_arg(value, *kind)
            }));
            sql.push(")");
        }
        tx.execute_sql(&sql)
            .await
            .map_err(|error| in_table(spec.name, error))?;
    }
    for column in spec.self_references {
        let position = spec
            .column_names()
            .position(|c| c == *column)
            .unwrap_or_default();
        let sql = format!("UPDATE {} SET {column} = $1 WHERE id = $2", spec.name);
        for row in &table.rows {
            if let (Value::Int(id), Value::Int(target)) = (&row[0], &row[position]) {
                tx.execute(&sql, &[(*target).into(), (*id).into()])
                    .await
                    .map_err(|error| in_table(spec.name, error))?;
            }
        }
    }
    Ok(())
}

/// A loaded value, typed as its column is even when null.
fn loaded_arg(value: &Value, kind: ColumnKind) -> SqlArg<'_> {
    match (value, kind) {
        (Value::Int(v), _) => SqlArg::Int(Some(*v)),
        (Value::Text(v), _) => SqlArg::Text(Some(v.as_str().into())),
        (Value::Bytes(v), _) => SqlArg::Bytes(Some(v.as_slice().into())),
        (Value::Null, Int) => SqlArg::Int(None),
        (Value::Null, Text) => SqlArg::Text(None),
        (Value::Null, Bytes) => SqlArg::Bytes(None),
    }
}

/// A failed load, naming the table it failed in.
fn in_table(table: &str, error: StoreError) -> StoreError {
    match error {
        StoreError::Database(why) | StoreError::Corrupt(why) => {
            StoreError::Corrupt(format!("{table}: {why}"))
        }
        StoreError::Conflict { field } => {
            StoreError::Corrupt(format!("{table}: two rows share one {field}"))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_self_reference_and_file_column_is_a_column_of_its_table() {
        for spec in TABLES {
            for name in spec.key.iter().chain(spec.self_references) {
                assert!(
                    spec.column_names().any(|c| c == *name),
                    "{}.{name}",
                    spec.name
                );
            }
        }
        for (table, column) in FILE_COLUMNS {
            let spec = table_spec(table).expect("a known table");
            assert!(spec.columns.contains(&(*column, ColumnKind::Text)));
        }
    }

    #[test]
    fn rows_sort_by_their_key_columns_in_byte_order() {
        let spec = table_spec("supports").expect("supports");
        let mut rows = TableRows {
            spec,
            rows: vec![
                vec![Value::Int(2), Value::Int(1), Value::Int(9)],
                vec![Value::Int(1), Value::Int(3), Value::Int(8)],
                vec![Value::Int(1), Value::Int(2), Value::Int(7)],
            ],
        };
        rows.sort();
        let firsts: Vec<_> = rows.rows.iter().map(|r| r[2].clone()).collect();
        assert_eq!(firsts, [Value::Int(7), Value::Int(8), Value::Int(9)]);
        let sessions = table_spec("sessions").expect("sessions");
        let mut texts = TableRows {
            spec: sessions,
            rows: ["b", "B", "a"]
                .iter()
                .map(|t| {
                    vec![
                        Value::Text((*t).into()),
                        Value::Int(1),
                        Value::Int(0),
                        Value::Int(0),
                    ]
                })
                .collect(),
        };
        texts.sort();
        assert_eq!(texts.rows[0][0], Value::Text("B".into()));
    }
}
