//! Feedback imported through the API: a CSV or JSON Lines file as the request body (streamed,
//! never held whole), and one e-mail message as a mail relay forwards it.

use axum::body::Body;
use axum::extract::Query;
use axum::http::HeaderMap;
use cocreate_app::{
    ColumnMapping, FeedbackImport, ImportField, ImportFormat, ImportReport, MAX_MAIL_BYTES,
    MailFile, MailImport,
};

use super::*;
use crate::upload::{MAX_IMPORT_UPLOAD_BYTES, streamed_body};

#[derive(Serialize, ToSchema)]
pub struct RowProblemOut {
    /// The row's line in the file, or the message's number.
    line: u64,
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportOut {
    /// When true, nothing was written: the counts say what the import would do.
    dry_run: bool,
    /// Rows (or messages) read.
    rows: u64,
    imported: u64,
    /// Rows imported before (or repeated in the file): importing the same file again adds nothing.
    already_imported: u64,
    refused: u64,
    /// Bounces and automatic replies, left out.
    ignored: u64,
    /// The first 1,000 refused rows, each with its line and reason.
    problems: Vec<RowProblemOut>,
    /// Columns no field was read from.
    unused_columns: Vec<String>,
}

pub(super) fn report_out(report: ImportReport) -> ImportReportOut {
    ImportReportOut {
        dry_run: report.dry_run,
        rows: report.rows,
        imported: report.imported,
        already_imported: report.already_imported,
        refused: report.refused,
        ignored: report.ignored,
        problems: report
            .problems
            .into_iter()
            .map(|p| RowProblemOut {
                line: p.line,
                reason: p.reason,
            })
            .collect(),
        unused_columns: report.unused_columns,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackImportQuery {
    /// `csv`, `tsv` or `jsonl`; by default from the `Content-Type` (`text/csv`,
    /// `text/tab-separated-values`, `application/x-ndjson`).
    format: Option<String>,
    /// The CSV's delimiter (default `,`).
    delimiter: Option<String>,
    /// The product (its slug) of rows that name none.
    product: Option<String>,
    /// Report what the import would do, and write nothing.
    #[serde(default)]
    dry_run: bool,
    /// The column holding the text (default `text`).
    text_column: Option<String>,
    /// The column holding the product's slug (default `product`).
    product_column: Option<String>,
    /// The column holding the rating, 1 to 5 (default `rating`).
    rating_column: Option<String>,
    /// The column holding the customer's address (default `email`).
    email_column: Option<String>,
    /// The column holding the customer's name (default `name`).
    name_column: Option<String>,
    /// The column holding when it was given (default `created_at`).
    created_at_column: Option<String>,
    /// The column holding tags (default `tags`).
    tags_column: Option<String>,
    /// The column holding the row's id in its source (default `id`).
    id_column: Option<String>,
}

impl FeedbackImportQuery {
    fn import(&self, headers: &HeaderMap) -> Result<FeedbackImport, AppError> {
        let content_type = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let named = match content_type.split(';').next().unwrap_or_default().trim() {
            "text/tab-separated-values" => Some("tsv"),
            "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" => {
                Some("jsonl")
            }
            "text/csv" => Some("csv"),
            _ => None,
        };
        let format = self.format.as_deref().or(named).ok_or_else(|| {
            AppError::invalid(
                "format",
                "is needed: name it (csv, tsv or jsonl) or send the file as text/csv, \
                 text/tab-separated-values or application/x-ndjson",
            )
        })?;
        let mut columns = ColumnMapping::default();
        for (field, column) in [
            (ImportField::Text, &self.text_column),
            (ImportField::Product, &self.product_column),
            (ImportField::Rating, &self.rating_column),
            (ImportField::Email, &self.email_column),
            (ImportField::Name, &self.name_column),
            (ImportField::CreatedAt, &self.created_at_column),
            (ImportField::Tags, &self.tags_column),
            (ImportField::Id, &self.id_column),
        ] {
            columns.set(field, column.as_deref().unwrap_or_default());
        }
        Ok(FeedbackImport {
            format: ImportFormat::parse(format, self.delimiter.as_deref())?,
            columns,
            product: self.product.clone().filter(|p| !p.trim().is_empty()),
            dry_run: self.dry_run,
        })
    }
}

/// Imports feedback from the CSV or JSON Lines file in the body (at most 64 MiB; the command
/// `cocreate feedback import` takes any size). Good rows import and refused rows are reported
/// with their line and reason; a file that cannot be read imports nothing (422). Importing the
/// same file again adds nothing, so no idempotency key is needed. Staff import into the
/// products of the spaces they curate.
#[utoipa::path(post, path = "/api/v1/feedback/imports", tag = "feedback", params(FeedbackImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The file: CSV with a header row, or JSON Lines"),
    responses((status = 200, body = ImportReportOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn import_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<FeedbackImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<ImportReportOut>> {
    let actor = signed_in(&actor)?;
    let import = query.import(&headers)?;
    let source = streamed_body(body, MAX_IMPORT_UPLOAD_BYTES);
    let report = state
        .app
        .import_feedback(Some(actor), source, &import)
        .await?;
    Ok(Json(report_out(report)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailQuery {
    /// The product (its slug) when the recipient's address names none (as in
    /// `feedback+slug@example.org`).
    product: Option<String>,
    /// Report what the import would do, and write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Takes one e-mail message (RFC 5322, at most 10 MiB) as a mail relay forwards it: its sender
/// becomes the feedback's author, its subject and text (quotes and signature trimmed) the
/// feedback. 201 when it became feedback; 200 when it was a bounce or an automatic reply, or
/// came before (by its Message-ID); 422 naming the reason when it cannot be feedback.
#[utoipa::path(post, path = "/api/v1/feedback/mail", tag = "feedback", params(MailQuery),
    request_body(content = String, content_type = "message/rfc822", description = "The raw message"),
    responses((status = 201, body = ImportReportOut), (status = 200, body = ImportReportOut),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn import_mail(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<MailQuery>,
    body: Body,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let bytes = axum::body::to_bytes(body, MAX_MAIL_BYTES)
        .await
        .map_err(|_| {
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the message is larger than the limit of {} MiB",
                    MAX_MAIL_BYTES >> 20
                ),
            )
        })?;
    let file = MailFile {
        name: "the message".into(),
        reader: Box::new(std::io::Cursor::new(bytes)),
    };
    let import = MailImport {
        product: query.product.filter(|p| !p.trim().is_empty()),
        dry_run: query.dry_run,
    };
    let report = state
        .app
        .import_mail(Some(actor), vec![file], &import)
        .await?;
    if let Some(problem) = report.problems.first() {
        return Err(AppError::invalid("message", problem.reason.clone()).into());
    }
    let status = if report.imported > 0 && !report.dry_run {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report_out(report))).into_response())
}
