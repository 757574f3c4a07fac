//! What a whole-organisation export holds: every stored table, column by column, in an order
//! in which each row's references come before it. Both backends dump and load these tables with
//! the same columns and value kinds, so an export re-exported from the other backend is equal.

use std::cmp::Ordering;

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
pub const FILE_COLUMNS: &[(&str, &str)] =
    &[("attachments", "storage_key"), ("challenges", "cover_key")];

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
