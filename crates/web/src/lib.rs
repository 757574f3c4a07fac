//! Cocreate over HTTP: server-rendered pages that work without JavaScript, the JSON API under
//! `/api/v1` with its OpenAPI document, and the operational endpoints. Handlers parse, call one
//! use case and render; every decision is the app's.

mod api;
mod charts;
mod error;
mod middleware;
mod page_cache;
mod pages;
mod serve;
mod session;
mod upload;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use cocreate_app::App;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi_document;
pub use error::{ERROR_CODES, Problem};
pub use serve::serve;

/// Limits and settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebOptions {
    /// Largest request body accepted anywhere (uploads included).
    pub max_body_bytes: usize,
    /// A request that takes longer is answered 503; at shutdown, requests in flight get this long.
    pub request_timeout: Duration,
    /// A connection that has not sent a whole request head this long after it opened, or after
    /// its last response, is closed.
    pub header_read_timeout: Duration,
    /// Requests per minute per client address on sign-in, sign-up, reset and invitation forms.
    pub auth_requests_per_minute: u32,
    /// Unsafe (writing) requests per minute per client address.
    pub write_requests_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default: the peer's
    /// address is the client's).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for WebOptions {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            auth_requests_per_minute: 30,
            write_requests_per_minute: 600,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Where something lives among the pages.
pub(crate) trait PagePath {
    fn path(&self) -> String;
}

impl PagePath for cocreate_store::Subject {
    fn path(&self) -> String {
        match self {
            Self::Idea(id) => format!("/ideas/{id}"),
            Self::Challenge(id) => format!("/challenges/{id}"),
        }
    }
}

#[derive(Clone)]
pub(crate) struct WebState {
    pub app: Arc<App>,
    pub cookie: session::CookieSettings,
    pub metrics: PrometheusHandle,
    pub limits: Arc<middleware::Limits>,
    pub page_cache: Arc<page_cache::PageCache>,
    pub charts: Arc<charts::DrawnCharts>,
}

/// The cursor for the page after `items`, a full page of `limit`; `None` after the last page.
pub(crate) fn next_cursor<T>(items: &[T], limit: i64, id: fn(&T) -> i64) -> Option<i64> {
    (items.len() as i64 >= limit)
        .then(|| items.last().map(id))
        .flatten()
}

/// The process-wide Prometheus recorder (a recorder can be installed only once per process).
fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by an embedding program); then our
            // handle renders an empty page rather than failing start-up.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The whole HTTP surface of Cocreate.
pub fn router(app: Arc<App>, options: &WebOptions) -> Router {
    let secure = app.config().base_url.scheme() == "https";
    let state = WebState {
        cookie: session::CookieSettings::new(secure),
        metrics: prometheus(),
        limits: Arc::new(middleware::Limits::new(options)),
        page_cache: Arc::new(page_cache::PageCache::default()),
        charts: Arc::default(),
        app,
    };
    let security_headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    let mut router = Router::new()
        .merge(pages::routes(state.clone()))
        .merge(api::routes())
        // Runs after the actor is known (layers added later run first).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::idempotency,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::resolve_actor,
        ))
        // Outside the actor: a page served from the cache needs no session lookup.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_cache::anonymous_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::csrf,
        ))
        .merge(pages::operational_routes())
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(axum::middleware::from_fn(
            middleware::problem_for_framework_errors,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            options.request_timeout,
        ))
        // gzip or brotli, as the client accepts; images (but SVG) and tiny bodies stay as they are.
        .layer(CompressionLayer::new());
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// A request's log span names its route's pattern, never its URI: paths carry one-time tokens
/// (`/reset/{token}`) and query strings carry what people searched for.
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", axum::extract::MatchedPath::as_str);
    tracing::debug_span!("request", method = %request.method(), route)
}
