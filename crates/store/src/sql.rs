//! What every area's SQL runs on. Each area of the store (accounts, spaces, ideas, …) keeps its
//! statements in a file of its own, written once for both databases: `$n` placeholders,
//! `RETURNING` and `ON CONFLICT` read the same on SQLite and PostgreSQL. An area's read trait has
//! a blanket implementation over [`SqlRead`] and its write trait one over [`SqlTx`]; a backend
//! crate implements those two small traits once, with [`crate::impl_sql_backend`], and describes
//! in its [`Dialect`] the few clauses the databases write differently.

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{SearchQuery, SearchTarget, StoreError, StoreResult};

/// One argument of a statement. Each carries its type even when null, because PostgreSQL types
/// a parameter by what is bound to it.
#[derive(Debug, Clone)]
pub enum SqlArg<'a> {
    Int(Option<i64>),
    Text(Option<Cow<'a, str>>),
    Bytes(Option<Cow<'a, [u8]>>),
}

impl From<i64> for SqlArg<'_> {
    fn from(value: i64) -> Self {
        Self::Int(Some(value))
    }
}

impl From<Option<i64>> for SqlArg<'_> {
    fn from(value: Option<i64>) -> Self {
        Self::Int(value)
    }
}

/// Flags are stored as 0 or 1.
impl From<bool> for SqlArg<'_> {
    fn from(value: bool) -> Self {
        Self::Int(Some(i64::from(value)))
    }
}

impl From<Timestamp> for SqlArg<'_> {
    fn from(value: Timestamp) -> Self {
        Self::Int(Some(value.millis()))
    }
}

impl From<Option<Timestamp>> for SqlArg<'_> {
    fn from(value: Option<Timestamp>) -> Self {
        Self::Int(value.map(Timestamp::millis))
    }
}

impl<'a> From<&'a str> for SqlArg<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(Some(Cow::Borrowed(value)))
    }
}

impl<'a> From<Option<&'a str>> for SqlArg<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Self::Text(value.map(Cow::Borrowed))
    }
}

impl<'a> From<&'a String> for SqlArg<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(Some(Cow::Borrowed(value)))
    }
}

impl From<String> for SqlArg<'_> {
    fn from(value: String) -> Self {
        Self::Text(Some(Cow::Owned(value)))
    }
}

impl From<Option<String>> for SqlArg<'_> {
    fn from(value: Option<String>) -> Self {
        Self::Text(value.map(Cow::Owned))
    }
}

impl<'a> From<Option<&'a [u8]>> for SqlArg<'a> {
    fn from(value: Option<&'a [u8]>) -> Self {
        Self::Bytes(value.map(Cow::Borrowed))
    }
}

/// One value of a row read through [`SqlRead::fetch`] or [`SqlTx::fetch`].
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl SqlValue {
    pub fn int(&self, column: &str) -> StoreResult<i64> {
        match self {
            Self::Int(value) => Ok(*value),
            other => Err(StoreError::Corrupt(format!(
                "{column}: {other:?} is not an integer"
            ))),
        }
    }

    pub fn maybe_int(&self, column: &str) -> StoreResult<Option<i64>> {
        match self {
            Self::Null => Ok(None),
            other => other.int(column).map(Some),
        }
    }

    pub fn text(&self, column: &str) -> StoreResult<&str> {
        match self {
            Self::Text(value) => Ok(value),
            other => Err(StoreError::Corrupt(format!(
                "{column}: {other:?} is not text"
            ))),
        }
    }

    /// Text that names a value of a domain type (a kind, a role, an audience).
    pub fn parse<T: std::str::FromStr>(&self, column: &str) -> StoreResult<T> {
        let text = self.text(column)?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("{column}: {text:?} is not valid")))
    }
}

/// A row read by name. Text and bytes are taken out of the row as they are read, so each value
/// is copied once, from the database's buffer.
#[derive(Debug, Clone)]
pub struct SqlRow {
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

impl SqlRow {
    pub fn new(columns: Arc<[String]>, values: Vec<SqlValue>) -> Self {
        Self { columns, values }
    }

    /// The values in the order the statement selects them.
    pub fn values(&self) -> &[SqlValue] {
        &self.values
    }

    pub fn into_values(self) -> Vec<SqlValue> {
        self.values
    }

    fn position(&self, column: &str) -> StoreResult<usize> {
        self.columns
            .iter()
            .position(|name| name == column)
            .ok_or_else(|| StoreError::Corrupt(format!("the row has no column {column}")))
    }

    fn value(&self, column: &str) -> StoreResult<&SqlValue> {
        Ok(&self.values[self.position(column)?])
    }

    fn take(&mut self, column: &str) -> StoreResult<SqlValue> {
        let index = self.position(column)?;
        Ok(std::mem::replace(&mut self.values[index], SqlValue::Null))
    }

    pub fn int(&self, column: &str) -> StoreResult<i64> {
        self.value(column)?.int(column)
    }

    pub fn maybe_int(&self, column: &str) -> StoreResult<Option<i64>> {
        self.value(column)?.maybe_int(column)
    }

    pub fn time(&self, column: &str) -> StoreResult<Timestamp> {
        self.int(column).map(Timestamp)
    }

    pub fn maybe_time(&self, column: &str) -> StoreResult<Option<Timestamp>> {
        Ok(self.maybe_int(column)?.map(Timestamp))
    }

    /// Whether a 0-or-1 column holds 1.
    pub fn flag(&self, column: &str) -> StoreResult<bool> {
        Ok(self.int(column)? != 0)
    }

    /// Takes the column's text out of the row.
    pub fn text(&mut self, column: &str) -> StoreResult<String> {
        self.maybe_text(column)?
            .ok_or_else(|| StoreError::Corrupt(format!("{column} is null")))
    }

    pub fn maybe_text(&mut self, column: &str) -> StoreResult<Option<String>> {
        match self.take(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Text(text) => Ok(Some(text)),
            other => Err(StoreError::Corrupt(format!(
                "{column}: {other:?} is not text"
            ))),
        }
    }

    pub fn maybe_bytes(&mut self, column: &str) -> StoreResult<Option<Vec<u8>>> {
        match self.take(column)? {
            SqlValue::Null => Ok(None),
            SqlValue::Bytes(bytes) => Ok(Some(bytes)),
            other => Err(StoreError::Corrupt(format!(
                "{column}: {other:?} is not bytes"
            ))),
        }
    }

    /// Text that names a value of a domain type (a kind, a role, a stage).
    pub fn parse<T: std::str::FromStr>(&self, column: &str) -> StoreResult<T> {
        self.value(column)?.parse(column)
    }

    pub fn maybe_parse<T: std::str::FromStr>(&self, column: &str) -> StoreResult<Option<T>> {
        match self.value(column)? {
            SqlValue::Null => Ok(None),
            value => value.parse(column).map(Some),
        }
    }
}

/// A statement put together piece by piece, each bound value taking the next placeholder.
#[derive(Debug, Default)]
pub struct Sql<'a> {
    text: String,
    /// Where in `text` each placeholder goes, in the order of `args`.
    placeholders: Vec<usize>,
    args: Vec<SqlArg<'a>>,
}

impl<'a> Sql<'a> {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            placeholders: Vec::new(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<SqlArg<'a>>) -> &mut Self {
        self.placeholders.push(self.text.len());
        self.args.push(value.into());
        self
    }

    /// Appends `$a, $b, …` bound to the values, for `IN (…)` lists.
    pub fn list<T: Into<SqlArg<'a>>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.text.push_str(", ");
            }
            self.bind(value);
        }
        self
    }

    /// Appends `VALUES (…), (…)`, one tuple per row with the values `tuple` gives.
    pub fn values<T, const N: usize>(
        &mut self,
        rows: &'a [T],
        tuple: impl Fn(&'a T) -> [SqlArg<'a>; N],
    ) -> &mut Self {
        self.text.push_str("VALUES ");
        for (index, row) in rows.iter().enumerate() {
            self.text.push_str(if index > 0 { ", (" } else { "(" });
            self.list(tuple(row));
            self.text.push(')');
        }
        self
    }

    /// The statement's text, its placeholders numbered (`$1`, `$2`, …) or, where `numbered` is
    /// false, each a plain `?` taking the next argument.
    pub fn render(&self, numbered: bool) -> String {
        let mut text = String::with_capacity(self.text.len() + 4 * self.placeholders.len());
        let mut from = 0;
        for (index, &at) in self.placeholders.iter().enumerate() {
            text.push_str(&self.text[from..at]);
            if numbered {
                text.push('$');
                text.push_str(&(index + 1).to_string());
            } else {
                text.push('?');
            }
            from = at;
        }
        text.push_str(&self.text[from..]);
        text
    }

    pub fn args(&self) -> &[SqlArg<'a>] {
        &self.args
    }
}

/// The clauses a backend writes its own way.
pub struct Dialect {
    /// Which backend this is, e.g. `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Whether statements put together with [`Sql`] number their placeholders (`$1`) or use a
    /// plain `?` for each: on SQLite `$1` is a named parameter, which every bind looks up by
    /// scanning the statement's list of names, so a statement of thousands costs their square.
    pub numbered_placeholders: bool,
    /// Ends a query for pending jobs so that concurrent workers pass over the rows another holds
    /// (`FOR UPDATE SKIP LOCKED`); empty where writers take turns anyway.
    pub skip_locked: &'static str,
    /// Ends a query of ideas (`i`) to hold their rows until the transaction ends.
    pub lock_ideas: &'static str,
    /// Ends a query to hold the rows it reads until the transaction ends.
    pub lock_rows: &'static str,
    /// Indexes an idea for search (`$1` id, `$2` title, `$3` body), where the index is not
    /// kept by the database itself.
    pub index_idea: Option<&'static str>,
    /// Takes an idea's old text out of that index, with the same arguments.
    pub unindex_idea: Option<&'static str>,
    /// Rebuilds that index after a bulk load.
    pub rebuild_search: Option<&'static str>,
    /// Starts the transaction an export reads, so it reads one snapshot of every table.
    pub snapshot: Option<&'static str>,
    /// Names (`name`) the tables of the schema, search indexes left out.
    pub list_tables: &'static str,
    /// Names (`name`) the columns of the table `$1`.
    pub list_columns: &'static str,
    /// Moves a table's id generator past its loaded ids (`{table}` stands for the table).
    pub continue_ids: Option<&'static str>,
    /// Starts a search query: `SELECT <columns>, <snippet> AS snippet, <rank> AS rank FROM
    /// <target's table and joins> WHERE <the query's terms match>`, lower ranks better.
    pub search: fn(&mut Sql<'_>, &SearchTarget, &str, &SearchQuery),
}

/// Reads outside a transaction, each on a connection of the pool.
#[async_trait]
pub trait SqlRead: Send + Sync {
    fn dialect(&self) -> &'static Dialect;

    async fn fetch(&self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<Vec<SqlRow>>;

    /// For a statement that gives at most one row.
    async fn fetch_optional(&self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<Option<SqlRow>> {
        Ok(self.fetch(sql, args).await?.into_iter().next())
    }

    async fn fetch_one(&self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<SqlRow> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn fetch_sql(&self, sql: &Sql<'_>) -> StoreResult<Vec<SqlRow>> {
        let text = sql.render(self.dialect().numbered_placeholders);
        self.fetch(&text, sql.args()).await
    }
}

/// Statements inside a write transaction.
#[async_trait]
pub trait SqlTx: Send {
    fn dialect(&self) -> &'static Dialect;

    /// Runs one statement; answers how many rows it changed.
    async fn execute(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<u64>;

    async fn fetch(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<Vec<SqlRow>>;

    /// For a statement that gives at most one row.
    async fn fetch_optional(
        &mut self,
        sql: &str,
        args: &[SqlArg<'_>],
    ) -> StoreResult<Option<SqlRow>> {
        Ok(self.fetch(sql, args).await?.into_iter().next())
    }

    async fn fetch_one(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<SqlRow> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn execute_sql(&mut self, sql: &Sql<'_>) -> StoreResult<u64> {
        let text = sql.render(self.dialect().numbered_placeholders);
        self.execute(&text, sql.args()).await
    }

    async fn fetch_sql(&mut self, sql: &Sql<'_>) -> StoreResult<Vec<SqlRow>> {
        let text = sql.render(self.dialect().numbered_placeholders);
        self.fetch(&text, sql.args()).await
    }

    /// The `id` a statement `… RETURNING id` gave back.
    async fn insert_returning_id(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<i64> {
        self.fetch_one(sql, args).await?.int("id")
    }
}

/// Every row's values of one integer column.
pub(crate) fn ints(rows: &[SqlRow], column: &str) -> StoreResult<Vec<i64>> {
    rows.iter().map(|row| row.int(column)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(columns: &[&str], values: Vec<SqlValue>) -> SqlRow {
        let columns: Arc<[String]> = columns.iter().map(|c| (*c).to_owned()).collect();
        SqlRow::new(columns, values)
    }

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_bound() {
        let pairs = [(1_i64, "a"), (2, "b")];
        let mut sql = Sql::new("INSERT INTO t (n, s) ");
        sql.values(&pairs, |(n, s)| [(*n).into(), (*s).into()])
            .push(" WHERE x IN (")
            .list([7_i64, 8])
            .push(") AND y = ")
            .bind(Some("z"));
        assert_eq!(
            sql.render(true),
            "INSERT INTO t (n, s) VALUES ($1, $2), ($3, $4) WHERE x IN ($5, $6) AND y = $7"
        );
        assert_eq!(
            sql.render(false),
            "INSERT INTO t (n, s) VALUES (?, ?), (?, ?) WHERE x IN (?, ?) AND y = ?"
        );
        assert_eq!(sql.args().len(), 7);
        assert!(matches!(sql.args()[6], SqlArg::Text(Some(ref z)) if z == "z"));
        assert!(matches!(sql.args()[4], SqlArg::Int(Some(7))));
    }

    #[test]
    fn nulls_keep_their_type() {
        assert!(matches!(SqlArg::from(None::<i64>), SqlArg::Int(None)));
        assert!(matches!(SqlArg::from(None::<&str>), SqlArg::Text(None)));
        assert!(matches!(SqlArg::from(None::<&[u8]>), SqlArg::Bytes(None)));
        assert!(matches!(SqlArg::from(true), SqlArg::Int(Some(1))));
    }

    #[test]
    fn a_row_is_read_by_column_name_and_says_what_is_wrong() {
        let mut row = row(
            &["id", "name", "gone", "kind"],
            vec![
                SqlValue::Int(7),
                SqlValue::Text("Ada".into()),
                SqlValue::Null,
                SqlValue::Text("member".into()),
            ],
        );
        assert_eq!(row.int("id").unwrap(), 7);
        assert_eq!(row.maybe_time("gone").unwrap(), None);
        assert_eq!(row.text("name").unwrap(), "Ada");
        let missing = row.int("nope").unwrap_err();
        assert!(matches!(missing, StoreError::Corrupt(ref why) if why.contains("nope")));
        let not_int = row.int("kind").unwrap_err();
        assert!(matches!(not_int, StoreError::Corrupt(ref why) if why.contains("kind")));
        let null_text = row.text("gone").unwrap_err();
        assert!(matches!(null_text, StoreError::Corrupt(ref why) if why.contains("gone")));
        assert!(row.parse::<cocreate_core::OrgRole>("kind").is_ok());
        assert!(row.parse::<cocreate_core::Stage>("kind").is_err());
    }
}
