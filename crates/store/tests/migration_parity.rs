//! Both backends' migration trees must stay in step: the same numbered files, with the same names,
//! creating the same tables.

use std::path::{Path, PathBuf};

fn migrations(backend: &str) -> Vec<(String, String)> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../store-{backend}/migrations"));
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.map(|e| e.path()).unwrap_or_default())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            (
                file_name(&path),
                std::fs::read_to_string(&path).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn first_word(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The tables a migration leaves behind: a table built only to replace another (SQLite's way of
/// changing a column, renamed at once) is not a new one, and search indexes are each engine's own
/// (FTS5 virtual tables on SQLite, `<table>_search` tables on PostgreSQL).
fn created_tables(sql: &str) -> Vec<String> {
    let renamed: Vec<String> = sql
        .lines()
        .filter_map(|line| line.trim().strip_prefix("ALTER TABLE "))
        .filter(|rest| rest.contains(" RENAME TO "))
        .map(first_word)
        .collect();
    let mut tables: Vec<String> = sql
        .lines()
        .filter_map(|line| line.trim().strip_prefix("CREATE TABLE "))
        .map(first_word)
        .filter(|table| !renamed.contains(table) && !table.ends_with("_search"))
        .collect();
    tables.sort();
    tables
}

#[test]
fn migration_trees_have_the_same_numbering_and_tables() {
    let sqlite = migrations("sqlite");
    let postgres = migrations("postgres");
    assert!(!sqlite.is_empty());
    let names = |files: &[(String, String)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&sqlite),
        names(&postgres),
        "migration files differ between backends"
    );
    for ((name, a), (_, b)) in sqlite.iter().zip(&postgres) {
        let number = name.split('_').next().unwrap_or_default();
        assert!(
            number.len() == 4 && number.bytes().all(|c| c.is_ascii_digit()),
            "{name} must start with a 4-digit number"
        );
        assert_eq!(
            created_tables(a),
            created_tables(b),
            "{name} creates different tables"
        );
    }
}
