//! The session cookie and the actor a request acts as.

use axum::http::{HeaderMap, HeaderValue, header};
use cocreate_app::{Actor, SESSION_DAYS};

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

    fn header(&self, value: &str, max_age: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.name
        );
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The session token in the request's cookies, if any.
    pub fn token<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name)
            .map(|(_, value)| value)
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
