//! A short-lived cache of the pages anonymous visitors read most (space, challenge and idea
//! pages, and searches: a word in the news is searched by many at once). They are the same for every anonymous visitor, so a burst of visitors costs one
//! render. An entry is used only while this process has committed nothing since it was stored
//! and for at most [`FRESH_FOR`]: writes made here show at once, writes of other server
//! processes sharing a PostgreSQL database within that time. Signed-in people are never served
//! from it: their pages show their own supports, drafts and forms.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::WebState;
use crate::session::{Authorization, authorization};

/// How long an entry may be used at most.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// Entries kept at most; when full, the cache starts over.
const MAX_ENTRIES: usize = 2_000;
/// Larger pages are not kept.
const MAX_PAGE_BYTES: usize = 512 * 1024;

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    stored_at: Instant,
    commits: u64,
    content_type: HeaderValue,
    body: Bytes,
}

impl PageCache {
    fn get(&self, key: &str, commits: u64) -> Option<(HeaderValue, Bytes)> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.commits == commits && entry.stored_at.elapsed() < FRESH_FOR)
            .then(|| (entry.content_type.clone(), entry.body.clone()))
    }

    fn put(&self, key: String, entry: Entry) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, entry);
        }
    }
}

fn is_cacheable(state: &WebState, request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && authorization(request.headers()) == Authorization::Absent
        && state.cookie.token(request.headers()).is_none()
        && (path == "/search"
            || ["/spaces/", "/challenges/", "/ideas/"]
                .iter()
                .any(|prefix| path.starts_with(prefix)))
}

pub async fn anonymous_pages(
    State(state): State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_cacheable(&state, &request) {
        return next.run(request).await;
    }
    let key = request.uri().to_string();
    // Read before rendering: a write that lands during the render makes the entry stale.
    let commits = state.app.data_version();
    if let Some((content_type, body)) = state.page_cache.get(&key, commits) {
        return ([(header::CONTENT_TYPE, content_type)], body).into_response();
    }
    let response = next.run(request).await;
    let Some(content_type) = response.headers().get(header::CONTENT_TYPE).cloned() else {
        return response;
    };
    if response.status() != StatusCode::OK || response.headers().len() > 1 {
        // Only plain pages: anything setting cookies or other headers is answered as it is.
        return response;
    }
    // Pages are rendered into memory whole, so reading the body back cannot fail or grow.
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the page could not be read; try again",
        )
            .into_response();
    };
    if body.len() <= MAX_PAGE_BYTES {
        state.page_cache.put(
            key,
            Entry {
                stored_at: Instant::now(),
                commits,
                content_type,
                body: body.clone(),
            },
        );
    }
    Response::from_parts(parts, Body::from(body))
}
