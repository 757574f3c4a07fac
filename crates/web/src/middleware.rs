//! Request-wide concerns: who is asking, cross-site request refusal, per-address rate limits,
//! metrics, and uniform answers for errors raised outside handlers.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cocreate_app::Claim;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use crate::error::{HttpError, problem_response};
use crate::pages::error_page;
use crate::session::{Authorization, CurrentActor, authorization};
use crate::{WebOptions, WebState};

fn is_api(request: &Request) -> bool {
    request.uri().path().starts_with("/api/")
}

/// Answers an error in the form the client expects: problem+json for the API, a page otherwise.
pub fn reject(api: bool, error: HttpError) -> Response {
    if api {
        problem_response(&error)
    } else {
        error_page(&error)
    }
}

/// Resolves the session cookie or bearer token into a [`CurrentActor`]. A bearer token that is
/// wrong, or an `Authorization` header that is not `Bearer <token>`, is refused outright rather
/// than treated as anonymous, so integrations notice.
pub async fn resolve_actor(
    State(state): State<WebState>,
    mut request: Request,
    next: Next,
) -> Response {
    let api = is_api(&request);
    let actor = if let Authorization::Bearer(token) = authorization(request.headers()) {
        match state.app.actor_from_api_token(token).await {
            Ok(Some(actor)) => Some(actor),
            Ok(None) => {
                return reject(
                    api,
                    HttpError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "the bearer token is invalid or revoked",
                    ),
                );
            }
            Err(error) => return reject(api, error.into()),
        }
    } else if authorization(request.headers()) == Authorization::Malformed {
        return reject(
            api,
            HttpError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "the Authorization header must be `Bearer <token>`",
            ),
        );
    } else if let Some(token) = state.cookie.token(request.headers()) {
        match state.app.actor_from_session(&token).await {
            Ok(actor) => actor,
            Err(error) => return reject(api, error.into()),
        }
    } else {
        None
    };
    request.extensions_mut().insert(CurrentActor(actor));
    next.run(request).await
}

/// Refuses unsafe requests that a browser reports as coming from another site. Requests with a
/// bearer token carry no ambient credentials and are let through.
pub async fn csrf(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || matches!(authorization(request.headers()), Authorization::Bearer(_)) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let same_site = match fetch_site {
        Some(site) => site == "same-origin" || site == "none",
        None => match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            Some(origin) => {
                let base = state.app.config().base_url.origin().ascii_serialization();
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
                origin == base
                    || host.is_some_and(|host| {
                        origin
                            .strip_prefix("http://")
                            .or_else(|| origin.strip_prefix("https://"))
                            == Some(host)
                    })
            }
            // No browser signal at all: not a browser, so no ambient cookie to abuse.
            None => true,
        },
    };
    if same_site {
        next.run(request).await
    } else {
        reject(
            is_api(&request),
            HttpError::new(
                StatusCode::FORBIDDEN,
                "csrf_rejected",
                "cross-site requests are refused",
            ),
        )
    }
}

/// Per-address request budgets.
pub struct Limits {
    auth: DefaultKeyedRateLimiter<IpAddr>,
    writes: DefaultKeyedRateLimiter<IpAddr>,
    max_body_bytes: usize,
    trusted_proxies: Vec<IpNet>,
    /// When the budgets last forgot the addresses they no longer need (ms since `started`).
    last_pruned_ms: AtomicU64,
    started: Instant,
}

/// How often the budgets forget addresses whose budget is full again.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

fn per_minute(n: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(60) / n.get())
        .unwrap_or_else(|| Quota::per_minute(n))
        .allow_burst(n)
}

impl Limits {
    pub fn new(options: &WebOptions) -> Self {
        Self {
            auth: RateLimiter::keyed(per_minute(options.auth_requests_per_minute)),
            writes: RateLimiter::keyed(per_minute(options.write_requests_per_minute)),
            max_body_bytes: options.max_body_bytes,
            trusted_proxies: options.trusted_proxies.clone(),
            last_pruned_ms: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// The address a request comes from: the peer's, or, when the peer is a trusted proxy, the
    /// right-most address in `X-Forwarded-For` that is not itself a trusted proxy (addresses
    /// further left were written by the client and prove nothing).
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let trusted =
            |address: &IpAddr| self.trusted_proxies.iter().any(|net| net.contains(address));
        if !trusted(&peer) {
            return peer;
        }
        let mut client = peer;
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            let Ok(address) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = address;
            if !trusted(&address) {
                break;
            }
        }
        client
    }

    /// How many addresses the budgets remember.
    pub fn remembered(&self) -> usize {
        self.auth.len() + self.writes.len()
    }

    /// Forgets the addresses whose budgets are full again (they behave as if never seen), and
    /// reports how many are left in `/metrics`.
    pub fn prune(&self) {
        self.auth.retain_recent();
        self.writes.retain_recent();
        self.auth.shrink_to_fit();
        self.writes.shrink_to_fit();
        metrics::gauge!("cocreate_rate_limit_addresses").set(self.remembered() as f64);
    }

    /// Prunes at most once per [`PRUNE_EVERY`], so memory stays bounded by recent addresses;
    /// returns whether it pruned.
    fn prune_when_due(&self) -> bool {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_pruned_ms.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= PRUNE_EVERY.as_millis() as u64;
        let pruning = due
            && self
                .last_pruned_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
        if pruning {
            self.prune();
        }
        pruning
    }
}

const AUTH_PATHS: &[&str] = &[
    "/signin",
    "/profile/password",
    "/profile/email",
    "/signup",
    "/reset",
    "/invitations",
    "/api/v1/accounts",
    "/api/v1/password-resets",
];

/// Applies the per-address budgets: a stricter one on the forms that guess or create accounts,
/// and a general one on every write.
pub async fn rate_limit(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let limits = &state.limits;
    let address = limits.client_address(peer, request.headers());
    let path = request.uri().path();
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let auth = unsafe_method && AUTH_PATHS.iter().any(|p| path.starts_with(p));
    let limited = (auth && limits.auth.check_key(&address).is_err())
        || (unsafe_method && limits.writes.check_key(&address).is_err());
    if unsafe_method && limits.prune_when_due() {
        state.app.forget_idle_throttles();
    }
    if limited {
        metrics::counter!("cocreate_rate_limited_total").increment(1);
        return reject(
            is_api(&request),
            HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from your address; try again in a minute",
            ),
        );
    }
    next.run(request).await
}

/// Counts requests and their latency by route and status for `/metrics`.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("cocreate_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("cocreate_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Rewrites plain-text errors produced by the framework itself (an unknown route, a body over the
/// limit, a timeout) into the project's error forms.
pub async fn problem_for_framework_errors(request: Request, next: Next) -> Response {
    let api = is_api(&request);
    let response = next.run(request).await;
    let status = response.status();
    let is_plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !is_plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let error = match status {
        StatusCode::NOT_FOUND => HttpError::not_found(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            HttpError::new(status, "payload_too_large", "the request body is too large")
        }
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the request took too long; try again",
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            HttpError::new(status, "bad_request", "this method is not allowed here")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => HttpError::new(
            status,
            "bad_request",
            "unsupported content type; send application/json",
        ),
        s if s.is_client_error() => {
            HttpError::new(s, "bad_request", "the request could not be read")
        }
        s => HttpError::new(s, "internal", "an unexpected error occurred"),
    };
    reject(api, error)
}

/// A panic in a handler becomes a plain 500 problem; the process keeps serving.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    problem_response(&HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "an unexpected error occurred",
    ))
}

/// Replays the first answer to a creating API request that repeats its `Idempotency-Key`.
pub async fn idempotency(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    // Uploads are not covered: their bodies may be larger than a fingerprint reads.
    // Responses that carry a secret (a new API token) are never stored.
    let secret = request.uri().path().starts_with("/api/v1/tokens");
    // Imports stream bodies larger than a fingerprint reads, and know their rows again anyway.
    let import =
        ["/api/v1/feedback/imports", "/api/v1/feedback/mail"].contains(&request.uri().path());
    let applies =
        request.method() == Method::POST && is_api(&request) && !multipart && !secret && !import;
    // Read whatever the bytes are, so that a key outside the allowed characters is refused by
    // the use case instead of passing as no key at all.
    let key = request
        .headers()
        .get("idempotency-key")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let actor = request
        .extensions()
        .get::<CurrentActor>()
        .and_then(|a| a.0.clone());
    let (Some(key), Some(actor), true) = (key, actor, applies) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.limits.max_body_bytes).await else {
        return reject(
            true,
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is too large",
            ),
        );
    };
    let fingerprint =
        cocreate_app::request_fingerprint(parts.method.as_str(), parts.uri.path(), &bytes);
    let claimed_at = match state.app.claim_idempotent(&actor, &key, &fingerprint).await {
        Err(error) => return reject(true, error.into()),
        Ok(Claim::Answered { status, body }) => {
            let mut response =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return response;
        }
        Ok(Claim::Fresh { claimed_at }) => claimed_at,
    };
    let response = cocreate_app::with_claimed_key(
        actor.id,
        key.clone(),
        claimed_at,
        next.run(Request::from_parts(parts, Body::from(bytes))),
    )
    .await;
    let status = response.status();
    if !status.is_success() {
        if let Err(error) = state.app.finish_idempotent(&actor, &key, None).await {
            tracing::warn!(%error, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    if let Err(error) = state
        .app
        .finish_idempotent(&actor, &key, Some((status.as_u16(), &text)))
        .await
    {
        tracing::warn!(%error, "could not record an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(trusted: &[&str]) -> Limits {
        Limits::new(&WebOptions {
            trusted_proxies: trusted
                .iter()
                .map(|t| t.parse().unwrap_or_else(|e| panic!("{t}: {e}")))
                .collect(),
            ..WebOptions::default()
        })
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}")),
        );
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let peer = ip("10.0.0.5");
        let header = forwarded("203.0.113.9, 198.51.100.7, 10.0.0.2");
        // Nobody trusted: the header is anyone's to write.
        assert_eq!(limits(&[]).client_address(peer, &header), peer);
        // Behind the proxies of 10/8: the right-most address they did not write.
        let behind = limits(&["10.0.0.0/8"]);
        assert_eq!(behind.client_address(peer, &header), ip("198.51.100.7"));
        assert_eq!(behind.client_address(peer, &HeaderMap::new()), peer);
        assert_eq!(
            behind.client_address(peer, &forwarded("not an address")),
            peer
        );
        // A peer outside the trusted networks is the client, whatever it claims.
        assert_eq!(
            behind.client_address(ip("192.0.2.1"), &header),
            ip("192.0.2.1")
        );
        assert_eq!(
            limits(&["::1/128"]).client_address(ip("::1"), &forwarded("2001:db8::7")),
            ip("2001:db8::7")
        );
    }

    #[test]
    fn budgets_forget_addresses_once_their_budget_is_full_again() {
        let limits = Limits::new(&WebOptions {
            write_requests_per_minute: 6000,
            auth_requests_per_minute: 6000,
            ..WebOptions::default()
        });
        for n in 0..1000u32 {
            let address = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            assert!(limits.writes.check_key(&address).is_ok());
            assert!(limits.auth.check_key(&address).is_ok());
        }
        assert_eq!(limits.remembered(), 2000);
        limits.prune();
        assert_eq!(limits.remembered(), 2000, "a spent budget is remembered");
        // 6000 a minute: one request's share comes back after 10 ms.
        std::thread::sleep(Duration::from_millis(50));
        limits.prune();
        assert_eq!(limits.remembered(), 0);
    }
}
