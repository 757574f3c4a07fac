//! The session cookie and the actor a request acts as.

use axum::http::{HeaderMap, HeaderValue, header};
use cocreate_app::{Actor, SESSION_DAYS};
use cookie::{Cookie, SameSite};

/// The session cookie's name and attributes. With an https base URL the cookie is
/// `__Host-`-prefixed and `Secure`; browsers refuse such cookies over plain http, so a plain-http
/// deployment (a laptop, a test) uses an unprefixed name.
#[derive(Debug, Clone)]
pub struct CookieSettings {
    pub name: &'static str,
    secure: bool,
}

impl CookieSettings {
    pub fn new(secure: bool) -> Self {
        Self {
            name: if secure {
                "__Host-cocreate_session"
            } else {
                "cocreate_session"
            },
            secure,
        }
    }

    pub fn set(&self, token: &str) -> HeaderValue {
        self.header(token, SESSION_DAYS * 24 * 3600)
    }

    pub fn clear(&self) -> HeaderValue {
        self.header("", 0)
    }

    fn header(&self, value: &str, max_age_seconds: i64) -> HeaderValue {
        let cookie = Cookie::build((self.name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::seconds(max_age_seconds))
            .secure(self.secure)
            .build();
        HeaderValue::from_str(&cookie.encoded().to_string())
            .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The session token in the request's cookies, if any.
    pub fn token(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse_encoded)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == self.name)
            .map(|cookie| cookie.value().to_owned())
            .filter(|value| !value.is_empty())
    }
}

/// The actor resolved for this request, put into the request's extensions by the middleware.
#[derive(Debug, Clone)]
pub struct CurrentActor(pub Option<Actor>);

impl CurrentActor {
    pub fn get(&self) -> Option<&Actor> {
        self.0.as_ref()
    }
}

/// The bearer token of an `Authorization` header, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}
