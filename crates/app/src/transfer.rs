//! A whole organisation as one JSON document: every stored table and every file the tables name.
//! `cocreate export` writes it from one consistent snapshot; `cocreate import` loads it into an
//! empty database on either backend, so an export from SQLite moves an organisation to
//! PostgreSQL. The layout is fixed (tables in schema order, rows in key order, one row per
//! line), so exporting the loaded organisation again gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cocreate_store::StoreError;
use cocreate_store::transfer::{ColumnKind, FILE_COLUMNS, TABLES, TableRows, TableSpec, Value};
use object_store::path::Path as StorePath;
use serde::Deserialize;

use crate::{App, AppError, AppResult};

/// What the first field of an export says it is.
pub const EXPORT_FORMAT: &str = "cocreate-export";
/// The layout version this Cocreate writes and reads.
pub const EXPORT_VERSION: u32 = 2;

/// Everything an organisation holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationExport {
    /// Every table of [`TABLES`], in that order.
    pub tables: Vec<TableRows>,
    /// The files the tables name, by key.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl OrganisationExport {
    /// How many rows the export holds in all.
    pub fn row_count(&self) -> usize {
        self.tables.iter().map(|t| t.rows.len()).sum()
    }
}

/// The file keys named by the tables' file columns.
fn file_keys(tables: &[TableRows]) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for table in tables {
        for (_, column) in FILE_COLUMNS.iter().filter(|(t, _)| *t == table.spec.name) {
            let Some(position) = table.spec.column_names().position(|c| c == *column) else {
                continue;
            };
            for row in &table.rows {
                if let Value::Text(key) = &row[position] {
                    keys.insert(key.clone());
                }
            }
        }
    }
    keys
}

impl App {
    /// Reads the whole organisation in one snapshot, with its files. For the operator's
    /// `cocreate export`, never served over HTTP: it holds password and token hashes.
    pub async fn export_organisation(&self) -> AppResult<OrganisationExport> {
        let tables = self.store.export_tables().await?;
        let mut files = BTreeMap::new();
        for key in file_keys(&tables) {
            let bytes = self.get_file(&key).await.map_err(|error| {
                AppError::Unavailable(format!("the file {key} named in the database: {error:?}"))
            })?;
            files.insert(key, bytes);
        }
        Ok(OrganisationExport { tables, files })
    }

    /// Loads an export into this (empty) database and file store, all rows in one transaction.
    /// The files go first; when the rows fail, they are removed again.
    pub async fn import_organisation(&self, export: &OrganisationExport) -> AppResult<()> {
        // Refused before any file is written; the load checks again inside its transaction.
        if self.store.count_accounts().await? > 0 {
            return Err(StoreError::NotEmpty { table: "accounts" }.into());
        }
        for (key, bytes) in &export.files {
            self.put_file(key, bytes.clone()).await?;
        }
        if let Err(error) = self.store.import_tables(&export.tables).await {
            for key in export.files.keys() {
                self.delete_file(key).await;
            }
            return Err(match error {
                StoreError::Corrupt(why) => AppError::invalid("export", why),
                other => other.into(),
            });
        }
        Ok(())
    }
}

/// Writes the export as JSON: one line per row and per file, in a fixed order.
pub fn write_export(export: &OrganisationExport, out: &mut impl Write) -> std::io::Result<()> {
    write!(
        out,
        "{{\"format\":\"{EXPORT_FORMAT}\",\"version\":{EXPORT_VERSION},\"tables\":["
    )?;
    for (index, table) in export.tables.iter().enumerate() {
        let separator = if index == 0 { "" } else { "," };
        write!(
            out,
            "{separator}\n{{\"name\":\"{}\",\"columns\":",
            table.spec.name
        )?;
        serde_json::to_writer(&mut *out, &table.spec.column_names().collect::<Vec<_>>())?;
        write!(out, ",\"rows\":[")?;
        for (number, row) in table.rows.iter().enumerate() {
            out.write_all(if number == 0 { b"\n[" } else { b",\n[" })?;
            for (position, value) in row.iter().enumerate() {
                if position > 0 {
                    out.write_all(b",")?;
                }
                match value {
                    Value::Null => out.write_all(b"null")?,
                    Value::Int(number) => write!(out, "{number}")?,
                    Value::Text(text) => serde_json::to_writer(&mut *out, text)?,
                    Value::Bytes(bytes) => {
                        serde_json::to_writer(&mut *out, &STANDARD.encode(bytes))?
                    }
                }
            }
            out.write_all(b"]")?;
        }
        out.write_all(b"]}")?;
    }
    out.write_all(b"],\"files\":[")?;
    for (index, (key, bytes)) in export.files.iter().enumerate() {
        out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
        write!(out, "{{\"key\":")?;
        serde_json::to_writer(&mut *out, key)?;
        write!(out, ",\"bytes\":\"{}\"}}", STANDARD.encode(bytes))?;
    }
    out.write_all(b"]}\n")?;
    out.flush()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    version: u32,
    tables: Vec<DocumentTable>,
    files: Vec<DocumentFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentTable {
    name: String,
    columns: Vec<String>,
    rows: Vec<Vec<serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentFile {
    key: String,
    bytes: String,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::invalid("export", message)
}

/// Reads and checks an export written by [`write_export`]: every table of this version with
/// its exact columns, every value of its column's kind, every named file present.
pub fn read_export(input: impl Read) -> AppResult<OrganisationExport> {
    let document: Document = serde_json::from_reader(input)
        .map_err(|e| invalid(format!("this is not a Cocreate export: {e}")))?;
    if document.format != EXPORT_FORMAT {
        return Err(invalid(format!(
            "this is not a Cocreate export (its format is \"{}\")",
            document.format
        )));
    }
    if document.version != EXPORT_VERSION {
        return Err(invalid(format!(
            "this export has layout version {}; this Cocreate reads version {EXPORT_VERSION}",
            document.version
        )));
    }
    let names: Vec<&str> = document.tables.iter().map(|t| t.name.as_str()).collect();
    let expected: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    if names != expected {
        return Err(invalid(format!(
            "the tables must be {} in this order, but are {}; export and import with the same Cocreate version",
            expected.join(", "),
            names.join(", ")
        )));
    }
    let tables = document
        .tables
        .into_iter()
        .zip(TABLES)
        .map(|(table, spec)| read_table(table, spec))
        .collect::<AppResult<Vec<_>>>()?;
    let mut files = BTreeMap::new();
    for file in document.files {
        if StorePath::parse(&file.key).is_err() || file.key.is_empty() {
            return Err(invalid(format!(
                "the file key \"{}\" is not valid",
                file.key
            )));
        }
        let bytes = STANDARD
            .decode(&file.bytes)
            .map_err(|e| invalid(format!("the file {} is not valid base64: {e}", file.key)))?;
        if files.insert(file.key.clone(), bytes).is_some() {
            return Err(invalid(format!("the file {} appears twice", file.key)));
        }
    }
    let keys = file_keys(&tables);
    if let Some(missing) = keys.iter().find(|key| !files.contains_key(*key)) {
        return Err(invalid(format!(
            "the file {missing} is named by a row but missing from the export"
        )));
    }
    if let Some(extra) = files.keys().find(|key| !keys.contains(*key)) {
        return Err(invalid(format!(
            "the file {extra} is in the export but no row names it"
        )));
    }
    Ok(OrganisationExport { tables, files })
}

fn read_table(table: DocumentTable, spec: &'static TableSpec) -> AppResult<TableRows> {
    if !table
        .columns
        .iter()
        .map(String::as_str)
        .eq(spec.column_names())
    {
        return Err(invalid(format!(
            "the table {} must have the columns {}; export and import with the same Cocreate version",
            spec.name,
            spec.column_names().collect::<Vec<_>>().join(", ")
        )));
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    for (number, row) in table.rows.into_iter().enumerate() {
        let at = |column: &str| format!("{} row {}, column {column}", spec.name, number + 1);
        if row.len() != spec.columns.len() {
            return Err(invalid(format!(
                "{} row {} has {} values for {} columns",
                spec.name,
                number + 1,
                row.len(),
                spec.columns.len()
            )));
        }
        let values = row
            .into_iter()
            .zip(spec.columns)
            .map(|(value, (column, kind))| {
                read_value(value, *kind).ok_or_else(|| {
                    let expected = match kind {
                        ColumnKind::Int => "a whole number",
                        ColumnKind::Text => "text",
                        ColumnKind::Bytes => "base64 text",
                    };
                    invalid(format!("{}: expected {expected} or null", at(column)))
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        rows.push(values);
    }
    Ok(TableRows { spec, rows })
}

fn read_value(value: serde_json::Value, kind: ColumnKind) -> Option<Value> {
    match (value, kind) {
        (serde_json::Value::Null, _) => Some(Value::Null),
        (serde_json::Value::Number(number), ColumnKind::Int) => number.as_i64().map(Value::Int),
        (serde_json::Value::String(text), ColumnKind::Text) => Some(Value::Text(text)),
        (serde_json::Value::String(text), ColumnKind::Bytes) => {
            STANDARD.decode(text).ok().map(Value::Bytes)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> OrganisationExport {
        let tables = TABLES
            .iter()
            .map(|spec| TableRows {
                spec,
                rows: Vec::new(),
            })
            .collect::<Vec<_>>();
        let mut export = OrganisationExport {
            tables,
            files: BTreeMap::new(),
        };
        export.tables[0].rows.push(vec![
            Value::Int(1),
            Value::Text("Nörthwind \"Outdoor\"\n".into()),
            Value::Text(String::new()),
            Value::Bytes(vec![0, 1, 254, 255]),
            Value::Text("image/png".into()),
            Value::Text("Europe/Amsterdam".into()),
            Value::Int(-5),
        ]);
        let challenges = TABLES
            .iter()
            .position(|t| t.name == "challenges")
            .unwrap_or(0);
        let mut challenge = vec![Value::Null; export.tables[challenges].spec.columns.len()];
        challenge[12] = Value::Text("challenges/1/cover".into());
        export.tables[challenges].rows.push(challenge);
        export
            .files
            .insert("challenges/1/cover".into(), b"\x89PNG".to_vec());
        export
    }

    fn written(export: &OrganisationExport) -> String {
        let mut out = Vec::new();
        write_export(export, &mut out).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    fn error_of(text: &str) -> String {
        match read_export(text.as_bytes()) {
            Err(error) => error.to_string(),
            Ok(_) => panic!("must be refused: {text}"),
        }
    }

    #[test]
    fn an_export_reads_back_equal_and_writes_the_same_bytes() {
        let export = tiny();
        let text = written(&export);
        assert!(text.starts_with("{\"format\":\"cocreate-export\",\"version\":2,"));
        assert!(text.contains("\n[1,\"Nörthwind \\\"Outdoor\\\"\\n\",\"\",\"AAH+/w==\","));
        let read = read_export(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, export);
        assert_eq!(written(&read), text);
    }

    #[test]
    fn a_broken_export_is_refused_naming_what_is_wrong() {
        let text = written(&tiny());
        assert!(error_of("{\"format\":").contains("this is not a Cocreate export"));
        assert!(
            error_of(&text.replace("cocreate-export", "other")).contains("format is \"other\"")
        );
        assert!(
            error_of(&text.replace("\"version\":2", "\"version\":9")).contains("layout version 9")
        );
        assert!(error_of(&text.replace("\"sessions\"", "\"meetings\"")).contains("meetings"));
        assert!(
            error_of(&text.replace("\"logo_type\"", "\"logo_kind\""))
                .contains("the table organisation must have the columns")
        );
        assert!(
            error_of(&text.replace("[1,\"Nörthwind", "[\"one\",\"Nörthwind"))
                .contains("organisation row 1, column id: expected a whole number or null")
        );
        assert!(
            error_of(&text.replace("\"AAH+/w==\"", "\"not base64!\""))
                .contains("column logo: expected base64 text")
        );
        assert!(
            error_of(&text.replace(",-5]", "]"))
                .contains("organisation row 1 has 6 values for 7 columns")
        );
        assert!(
            error_of(&text.replace(
                "\"key\":\"challenges/1/cover\"",
                "\"key\":\"challenges/2/cover\""
            ))
            .contains("challenges/1/cover is named by a row but missing")
        );
        assert!(
            error_of(&text.replace("challenges/1/cover\",\"bytes\"", "../x\",\"bytes\""))
                .contains("not valid")
        );
    }
}
