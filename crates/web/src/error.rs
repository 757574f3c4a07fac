//! How refusals and failures look over HTTP. The API answers `application/problem+json` with a
//! stable `code` and, for input errors, the offending `field`; pages show the same message in the
//! page layout. Internal details are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cocreate_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`/problems/<code>`).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, documented error code.
    pub code: &'static str,
    /// The input field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Every error code the API can answer with, its status and meaning (also in docs/API.md).
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    (
        "bad_request",
        400,
        "The request could not be read: malformed JSON or form, unknown field, wrong type.",
    ),
    (
        "validation_failed",
        422,
        "A field's value breaks its rule; `field` names it.",
    ),
    (
        "unauthenticated",
        401,
        "Sign in or send a valid bearer token.",
    ),
    ("invalid_credentials", 401, "Wrong e-mail or password."),
    (
        "forbidden",
        403,
        "You can see this but may not do that to it.",
    ),
    ("csrf_rejected", 403, "A cross-site request was refused."),
    ("not_found", 404, "No such thing, or you may not see it."),
    (
        "conflict",
        409,
        "The value collides with an existing one; `field` names it.",
    ),
    (
        "invalid_token",
        410,
        "The link or token is invalid, already used or expired.",
    ),
    (
        "payload_too_large",
        413,
        "The request body is larger than allowed.",
    ),
    (
        "rate_limited",
        429,
        "Too many requests; retry after the `Retry-After` seconds.",
    ),
    (
        "unavailable",
        503,
        "The database is unreachable; retry later.",
    ),
    (
        "busy",
        503,
        "Too many passwords are being checked at once; retry after the `Retry-After` seconds.",
    ),
    ("internal", 500, "An unexpected failure; it was logged."),
];

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub field: Option<String>,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            field: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing here, or you may not see it.",
        )
    }

    /// The `Retry-After` seconds a client should wait, for the refusals that pass with time.
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match (self.status, self.code) {
            (StatusCode::TOO_MANY_REQUESTS, _) => Some(HeaderValue::from_static("60")),
            (_, "busy") => Some(HeaderValue::from_static("2")),
            _ => None,
        }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            field: self.field.clone(),
        }
    }
}

impl From<AppError> for HttpError {
    fn from(error: AppError) -> Self {
        let (status, code) = match &error {
            AppError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            AppError::NotFound => return Self::not_found(),
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            AppError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            AppError::InvalidToken => (StatusCode::GONE, "invalid_token"),
            AppError::Throttled => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            AppError::Unavailable(why) => {
                tracing::warn!(%why, "database unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            AppError::StorageFull => {
                tracing::error!("a write was refused: the database's disk is full");
                (StatusCode::INSUFFICIENT_STORAGE, "storage_full")
            }
            AppError::Internal(why) => {
                tracing::error!(%why, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let field = match &error {
            AppError::Validation(v) => Some(v.field.to_owned()),
            AppError::Conflict { field, .. } => Some((*field).to_owned()),
            _ => None,
        };
        let detail = match &error {
            AppError::Validation(v) => format!("{} {}", v.field.replace('_', " "), v.message),
            other => other.to_string(),
        };
        Self {
            status,
            code,
            detail,
            field,
        }
    }
}

/// An error answered as problem+json (the API).
pub struct ApiError(pub HttpError);

impl<E: Into<HttpError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(&self.0)
    }
}

pub fn problem_response(error: &HttpError) -> Response {
    let body = serde_json::to_vec(&error.problem()).unwrap_or_default();
    let mut response = (error.status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(seconds) = error.retry_after() {
        response.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    response
}

pub type ApiResult<T> = Result<T, ApiError>;
