//! Feedback rows read from a CSV or JSON Lines file (`cocreate feedback import`, the import
//! page, `POST /api/v1/feedback/imports`): a column mapping names where each field is, each row
//! is checked as the feedback form checks it, and a refused row names its line and reason.
//! Reading streams: one row at a time is held, never the file.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cocreate_core::{
    DisplayName, Email, FeedbackChannel, FeedbackText, Rating, Tags, Timestamp, ValidationError,
};

use crate::feedback_import::{
    Batches, ImportReport, ImportRow, ImportTarget, Incoming, ROWS_PER_BATCH, RowProblem,
    hand_over, import_key,
};
use crate::{Actor, App, AppError, AppResult};

/// The longest row read; a longer one is refused (in CSV, it ends the import: it is most often a
/// quote left open, which would swallow the rest of the file).
pub const MAX_ROW_BYTES: usize = 1 << 20;
/// How far ahead of a CSV row's start the reader may have read before the row is too long:
/// the row's limit plus the reader's buffer.
const READ_AHEAD_LIMIT: u64 = MAX_ROW_BYTES as u64 + 64 * 1024;
/// Unmapped JSON keys a report names.
const MAX_UNUSED_COLUMNS: usize = 20;

/// How a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// With a header row naming the columns.
    Csv { delimiter: u8 },
    /// One JSON object per line.
    JsonLines,
}

impl ImportFormat {
    /// The format called `name` (`csv`, `tsv`, `jsonl`), with `delimiter` for CSV (default `,`).
    pub fn parse(name: &str, delimiter: Option<&str>) -> AppResult<Self> {
        let delimiter = match delimiter.map(|d| d.trim_matches(' ')) {
            None | Some("") => None,
            Some("\\t" | "tab" | "\t") => Some(b'\t'),
            Some(d) if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
            Some(_) => {
                return Err(AppError::invalid(
                    "delimiter",
                    "must be one character, such as , ; or \\t",
                ));
            }
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Self::Csv {
                delimiter: delimiter.unwrap_or(b','),
            }),
            "tsv" => Ok(Self::Csv {
                delimiter: delimiter.unwrap_or(b'\t'),
            }),
            "jsonl" | "ndjson" | "json" => Ok(Self::JsonLines),
            _ => Err(AppError::invalid(
                "format",
                "must be csv, tsv or jsonl (JSON Lines)",
            )),
        }
    }
}

/// A field of a piece of feedback that a column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportField {
    Text,
    Product,
    Rating,
    Email,
    Name,
    CreatedAt,
    Tags,
    Id,
}

impl ImportField {
    pub const ALL: [Self; 8] = [
        Self::Text,
        Self::Product,
        Self::Rating,
        Self::Email,
        Self::Name,
        Self::CreatedAt,
        Self::Tags,
        Self::Id,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Product => "product",
            Self::Rating => "rating",
            Self::Email => "email",
            Self::Name => "name",
            Self::CreatedAt => "created_at",
            Self::Tags => "tags",
            Self::Id => "id",
        }
    }

    /// What the field holds, for forms and help.
    pub const fn about(self) -> &'static str {
        match self {
            Self::Text => "The feedback itself (required)",
            Self::Product => "The product's slug (required unless a default product is chosen)",
            Self::Rating => "A rating from 1 to 5",
            Self::Email => "The customer's e-mail address (required)",
            Self::Name => "The customer's name",
            Self::CreatedAt => "When it was given: 2026-03-01, 2026-03-01 09:30:00 or RFC 3339",
            Self::Tags => "Tags, separated by commas",
            Self::Id => "The row's id in its source: rows are known again by it",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which column (a CSV header, a JSON key) holds each field; by default, the field's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping([String; 8]);

impl Default for ColumnMapping {
    fn default() -> Self {
        Self(ImportField::ALL.map(|field| field.name().to_owned()))
    }
}

impl ColumnMapping {
    pub fn column(&self, field: ImportField) -> &str {
        &self.0[field.index()]
    }

    /// Reads the field from column `column`; an empty name keeps the default.
    pub fn set(&mut self, field: ImportField, column: &str) {
        let column = column.trim();
        if !column.is_empty() {
            self.0[field.index()] = column.to_owned();
        }
    }

    /// Applies `field=column`, as the command line gives it.
    pub fn assign(&mut self, assignment: &str) -> AppResult<()> {
        let (field, column) = assignment.split_once('=').ok_or_else(|| {
            AppError::invalid("map", "is written field=column, e.g. text=Comment")
        })?;
        let field = ImportField::ALL
            .into_iter()
            .find(|f| f.name() == field.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "map",
                    format!(
                        "names \"{}\", which is not a field; the fields are {}",
                        field.trim(),
                        ImportField::ALL.map(ImportField::name).join(", ")
                    ),
                )
            })?;
        self.set(field, column);
        Ok(())
    }
}

/// An import of a CSV or JSON Lines file.
#[derive(Debug, Clone)]
pub struct FeedbackImport {
    pub format: ImportFormat,
    pub columns: ColumnMapping,
    /// The product of rows that name none (or of every row, when the file has no product column).
    pub product: Option<String>,
    pub dry_run: bool,
}

/// A row's fields as read, before they are checked.
type RawFields<'a> = [Option<&'a str>; 8];

/// What every reader needs to check a row.
struct Checker {
    columns: ColumnMapping,
    product: Option<String>,
    now: Timestamp,
}

impl Checker {
    fn check(&self, line: u64, fields: &RawFields<'_>) -> Incoming {
        match self.row(line, fields) {
            Ok(row) => Incoming::Row(Box::new(row)),
            Err(reason) => Incoming::Refused(RowProblem { line, reason }),
        }
    }

    fn row(&self, line: u64, fields: &RawFields<'_>) -> Result<ImportRow, String> {
        let get = |field: ImportField| {
            fields[field.index()]
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let problem = |field: ImportField, error: ValidationError| {
            format!(
                "{} (column \"{}\") {}",
                field.name(),
                self.columns.column(field),
                error.message
            )
        };
        let missing = |field: ImportField| {
            format!(
                "has no {} (column \"{}\")",
                field.name(),
                self.columns.column(field)
            )
        };
        let body =
            FeedbackText::parse(get(ImportField::Text).ok_or_else(|| missing(ImportField::Text))?)
                .map_err(|e| problem(ImportField::Text, e))?;
        let email =
            Email::parse(get(ImportField::Email).ok_or_else(|| missing(ImportField::Email))?)
                .map_err(|e| problem(ImportField::Email, e))?;
        let rating_text = get(ImportField::Rating).unwrap_or_default();
        let rating =
            Rating::parse_optional(rating_text).map_err(|e| problem(ImportField::Rating, e))?;
        let name = get(ImportField::Name)
            .map(DisplayName::parse)
            .transpose()
            .map_err(|e| problem(ImportField::Name, e))?;
        let tags = Tags::parse(get(ImportField::Tags).unwrap_or_default())
            .map_err(|e| problem(ImportField::Tags, e))?;
        let created_text = get(ImportField::CreatedAt).unwrap_or_default();
        let created_at = get(ImportField::CreatedAt)
            .map(|text| Timestamp::parse("created_at", text))
            .transpose()
            .map_err(|e| problem(ImportField::CreatedAt, e))?;
        if created_at.is_some_and(|at| at > self.now.plus_minutes(24 * 60)) {
            return Err(format!(
                "created_at (column \"{}\") is in the future",
                self.columns.column(ImportField::CreatedAt)
            ));
        }
        let product = get(ImportField::Product).map(str::to_owned);
        let slug = product
            .as_deref()
            .or(self.product.as_deref())
            .unwrap_or_default();
        let key = match get(ImportField::Id) {
            Some(id) => import_key(&["id", slug, id]),
            None => import_key(&[
                "row",
                slug,
                email.as_str(),
                created_text,
                body.as_str(),
                rating_text,
            ]),
        };
        Ok(ImportRow {
            line,
            product,
            body: body.as_str().to_owned(),
            rating: rating.map(Rating::value),
            email: email.as_str().to_owned(),
            name: name.map(|n| n.as_str().to_owned()),
            tags: tags.to_stored(),
            created_at,
            key,
        })
    }
}

/// Collects checked rows and hands them over a batch at a time.
struct Batcher<'a> {
    batches: &'a Batches,
    batch: Vec<Incoming>,
}

impl<'a> Batcher<'a> {
    fn new(batches: &'a Batches) -> Self {
        Self {
            batches,
            batch: Vec::with_capacity(ROWS_PER_BATCH),
        }
    }

    fn push(&mut self, incoming: Incoming) -> AppResult<()> {
        self.batch.push(incoming);
        if self.batch.len() == ROWS_PER_BATCH {
            hand_over(self.batches, std::mem::take(&mut self.batch))?;
        }
        Ok(())
    }

    fn finish(self) -> AppResult<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        hand_over(self.batches, self.batch)
    }
}

fn unreadable(error: &std::io::Error) -> AppError {
    AppError::invalid("file", format!("cannot be read: {error}"))
}

impl App {
    /// Imports the CSV or JSON Lines file `source` (see the module documentation); `actor` is
    /// staff importing into the spaces they curate, or none for the operator.
    pub async fn import_feedback<R: Read + Send + 'static>(
        &self,
        actor: Option<&Actor>,
        source: R,
        import: &FeedbackImport,
    ) -> AppResult<ImportReport> {
        let checker = Checker {
            columns: import.columns.clone(),
            product: import.product.clone(),
            now: self.now(),
        };
        let format = import.format;
        let target = ImportTarget {
            actor,
            product: import.product.as_deref(),
            channel: FeedbackChannel::Import,
            dry_run: import.dry_run,
        };
        self.run_import(&target, move |batches| match format {
            ImportFormat::Csv { delimiter } => read_csv(source, delimiter, &checker, batches),
            ImportFormat::JsonLines => read_json_lines(source, &checker, batches),
        })
        .await
    }
}

/// Hands out what it reads and refuses to read far past the start of the current row, so a
/// quote left open cannot make the CSV reader hold the rest of the file as one row.
struct RowGuard<R> {
    inner: R,
    read: u64,
    row_start: Arc<AtomicU64>,
}

impl<R: Read> Read for RowGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self
            .read
            .saturating_sub(self.row_start.load(Ordering::Relaxed))
            > READ_AHEAD_LIMIT
        {
            return Err(std::io::Error::other(RowTooLong));
        }
        let read = self.inner.read(buf)?;
        self.read += read as u64;
        Ok(read)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a row is longer than {MAX_ROW_BYTES} bytes")]
struct RowTooLong;

/// The header's column names, and where each field's column is; a required column that is
/// missing refuses the whole file.
fn locate_columns(
    header: &csv::ByteRecord,
    delimiter: u8,
    checker: &Checker,
) -> AppResult<([Option<usize>; 8], Vec<String>)> {
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let name = std::str::from_utf8(name).map_err(|_| {
                AppError::invalid(
                    "file",
                    "has a header row that is not UTF-8 text: save it as UTF-8",
                )
            })?;
            // A byte-order mark may open the file.
            let name = if index == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            Ok(name.trim().to_owned())
        })
        .collect::<AppResult<_>>()?;
    let mut at = [None; 8];
    for field in ImportField::ALL {
        let column = checker.columns.column(field);
        at[field.index()] = names
            .iter()
            .position(|name| name.eq_ignore_ascii_case(column));
    }
    let mut required = vec![ImportField::Text, ImportField::Email];
    if checker.product.is_none() {
        required.push(ImportField::Product);
    }
    if let Some(&field) = required.iter().find(|f| at[f.index()].is_none()) {
        let hint = [b';', b'\t', b',', b'|']
            .into_iter()
            .filter(|&d| d != delimiter)
            .find(|&d| names.len() == 1 && names[0].contains(char::from(d)))
            .map(|d| {
                format!(
                    " (is it separated by {}? choose that delimiter)",
                    if d == b'\t' {
                        "tabs".to_owned()
                    } else {
                        format!("\"{}\"", char::from(d))
                    }
                )
            })
            .unwrap_or_default();
        return Err(AppError::invalid(
            "columns",
            format!(
                "lack \"{}\", the {} column; the file's columns are {}{hint}",
                checker.columns.column(field),
                field.name(),
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let unused = names
        .iter()
        .enumerate()
        .filter(|(index, _)| !at.contains(&Some(*index)))
        .map(|(_, name)| name.clone())
        .collect();
    Ok((at, unused))
}

fn read_csv<R: Read>(
    source: R,
    delimiter: u8,
    checker: &Checker,
    batches: &Batches,
) -> AppResult<Vec<String>> {
    let row_start = Arc::new(AtomicU64::new(0));
    let guarded = RowGuard {
        inner: source,
        read: 0,
        row_start: Arc::clone(&row_start),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(guarded);
    let too_long = |line: u64| {
        AppError::invalid(
            "file",
            format!(
                "has a row longer than {MAX_ROW_BYTES} bytes at line {line}: is a quote left \
                 open?"
            ),
        )
    };
    let header = match reader.byte_headers() {
        Ok(header) => header.clone(),
        Err(error) => return Err(csv_error(&error, too_long(1))),
    };
    let (at, unused) = locate_columns(&header, delimiter, checker)?;
    let mut batcher = Batcher::new(batches);
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, csv::Position::line);
                batcher.push(csv_row(line, &record, &at, checker))?;
            }
            Err(error) => match error.kind() {
                csv::ErrorKind::UnequalLengths {
                    pos,
                    expected_len,
                    len,
                } => {
                    batcher.push(Incoming::Refused(RowProblem {
                        line: pos.as_ref().map_or(line, csv::Position::line),
                        reason: format!("has {len} fields where the header has {expected_len}"),
                    }))?;
                }
                _ => return Err(csv_error(&error, too_long(line))),
            },
        }
        row_start.store(reader.position().byte(), Ordering::Relaxed);
    }
    batcher.finish()?;
    Ok(unused)
}

/// The import-ending error a CSV reader met: `too_long` when the row guard stopped it.
fn csv_error(error: &csv::Error, too_long: AppError) -> AppError {
    match error.kind() {
        csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|e| e.is::<RowTooLong>()) => too_long,
        csv::ErrorKind::Io(io) => unreadable(io),
        _ => AppError::invalid("file", format!("is not CSV: {error}")),
    }
}

fn csv_row(
    line: u64,
    record: &csv::ByteRecord,
    at: &[Option<usize>; 8],
    checker: &Checker,
) -> Incoming {
    let mut fields: RawFields<'_> = [None; 8];
    for field in ImportField::ALL {
        let Some(value) = at[field.index()].and_then(|index| record.get(index)) else {
            continue;
        };
        match std::str::from_utf8(value) {
            Ok(text) => fields[field.index()] = Some(text),
            Err(_) => {
                return Incoming::Refused(RowProblem {
                    line,
                    reason: format!(
                        "its {} (column \"{}\") is not UTF-8 text: save the file as UTF-8",
                        field.name(),
                        checker.columns.column(field)
                    ),
                });
            }
        }
    }
    checker.check(line, &fields)
}

fn read_json_lines<R: Read>(
    source: R,
    checker: &Checker,
    batches: &Batches,
) -> AppResult<Vec<String>> {
    let mut reader = BufReader::new(source);
    let mut batcher = Batcher::new(batches);
    let mut unused: Vec<String> = Vec::new();
    let mut buffer = Vec::new();
    let mut line = 0;
    loop {
        buffer.clear();
        let read = (&mut reader)
            .take(MAX_ROW_BYTES as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(|e| unreadable(&e))?;
        if read == 0 {
            break;
        }
        line += 1;
        if buffer.len() > MAX_ROW_BYTES && buffer.last() != Some(&b'\n') {
            reader.skip_until(b'\n').map_err(|e| unreadable(&e))?;
            batcher.push(Incoming::Refused(RowProblem {
                line,
                reason: format!("is longer than {MAX_ROW_BYTES} bytes"),
            }))?;
            continue;
        }
        if buffer.trim_ascii().is_empty() {
            continue;
        }
        let incoming = match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(
            buffer.trim_ascii(),
        ) {
            Ok(object) => json_row(line, &object, checker, &mut unused),
            Err(error) => Incoming::Refused(RowProblem {
                line,
                reason: format!("is not a JSON object: {error}"),
            }),
        };
        batcher.push(incoming)?;
    }
    batcher.finish()?;
    Ok(unused)
}

fn json_row(
    line: u64,
    object: &serde_json::Map<String, serde_json::Value>,
    checker: &Checker,
    unused: &mut Vec<String>,
) -> Incoming {
    use serde_json::Value;
    let mut values: [Option<String>; 8] = Default::default();
    for (key, value) in object {
        let Some(field) = ImportField::ALL
            .into_iter()
            .find(|f| checker.columns.column(*f) == key)
        else {
            if unused.len() < MAX_UNUSED_COLUMNS && !unused.contains(key) {
                unused.push(key.clone());
            }
            continue;
        };
        values[field.index()] = match value {
            Value::Null => None,
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            Value::Array(items) if field == ImportField::Tags => Some(
                items
                    .iter()
                    .map(|item| item.as_str().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => {
                return Incoming::Refused(RowProblem {
                    line,
                    reason: format!(
                        "its {} (key \"{key}\") must be text or a number",
                        field.name()
                    ),
                });
            }
        };
    }
    let fields: RawFields<'_> = std::array::from_fn(|index| values[index].as_deref());
    checker.check(line, &fields)
}
