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

/// What a request's `Authorization` header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorization<'a> {
    /// No header: the request is anonymous or carries a session cookie.
    Absent,
    Bearer(&'a str),
    /// Another scheme, no token, or bytes that are not a token: refused, never anonymous.
    Malformed,
}

/// Reads the `Authorization` header: `Bearer <token>`, the scheme in any case (RFC 9110).
pub fn authorization(headers: &HeaderMap) -> Authorization<'_> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Authorization::Absent;
    };
    let Ok(value) = value.to_str() else {
        return Authorization::Malformed;
    };
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    let token = token.trim_start();
    let is_token = !token.is_empty() && !token.contains(char::is_whitespace);
    if scheme.eq_ignore_ascii_case("bearer") && is_token {
        Authorization::Bearer(token)
    } else {
        Authorization::Malformed
    }
}
