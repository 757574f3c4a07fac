//! Random tokens and how they are kept: only a keyed hash of a token is ever stored, so a copy of
//! the database does not let anyone sign in, reset a password or accept an invitation.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::{AppError, AppResult};

/// 32 random bytes, URL-safe, from the thread's generator (a CSPRNG seeded by the system's).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// HMAC-SHA256 of the token under the deployment's secret key, hex-encoded.
pub fn hash_token(key: &SecretString, token: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Argon2id with a fresh salt, off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password_now(&password))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing task failed: {e}")))?
}

/// Argon2id with a fresh salt, on this thread (a blocking one).
pub(crate) fn hash_password_now(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored Argon2 `hash`, on this thread (a blocking one; use
/// cases check through `PasswordWork`, which bounds how many run at once).
pub(crate) fn verify_password_now(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_keyed() {
        let a = new_token();
        assert_ne!(a, new_token());
        assert_eq!(a.len(), 43);
        let key1 = SecretString::from("one".to_string());
        let key2 = SecretString::from("two".to_string());
        assert_eq!(hash_token(&key1, &a), hash_token(&key1, &a));
        assert_ne!(hash_token(&key1, &a), hash_token(&key2, &a));
    }

    #[tokio::test]
    async fn passwords_verify() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password_now("correct horse battery", &hash));
        assert!(!verify_password_now("wrong horse battery", &hash));
        assert!(!verify_password_now("x", "not a hash"));
    }
}

/// How many bytes of the cursor's MAC it carries: 64 bits, enough against forgery by guessing
/// while keeping cursors short.
const CURSOR_MAC_BYTES: usize = 8;

fn cursor_mac(key: &SecretString, payload: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"cursor:");
    mac.update(payload.as_bytes());
    mac
}

/// A cursor the client hands back: the payload and a keyed check, so a tampered cursor is
/// refused instead of silently paging somewhere else.
pub fn sign_cursor(key: &SecretString, payload: &str) -> String {
    let tag = cursor_mac(key, payload).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        hex::encode(&tag[..CURSOR_MAC_BYTES])
    )
}

/// The payload of a cursor made by [`sign_cursor`], or `None` if it was changed. The check runs
/// in constant time, so timing tells nothing about how much of a forged tag was right.
pub fn open_cursor(key: &SecretString, cursor: &str) -> Option<String> {
    let (encoded, tag) = cursor.split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
    let tag = hex::decode(tag).ok()?;
    if tag.len() != CURSOR_MAC_BYTES {
        return None;
    }
    cursor_mac(key, payload.as_str())
        .verify_truncated_left(&tag)
        .is_ok()
        .then_some(payload)
}

#[cfg(test)]
mod cursor_tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        let key = SecretString::from("key".to_string());
        let cursor = sign_cursor(&key, "top:12:345");
        assert_eq!(open_cursor(&key, &cursor).as_deref(), Some("top:12:345"));
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode("top:99:1"),
            cursor.split_once('.').unwrap().1
        );
        assert_eq!(open_cursor(&key, &forged), None);
        assert_eq!(open_cursor(&key, "garbage"), None);
        // A shortened or empty tag is refused, not checked against a prefix.
        let (payload, tag) = cursor.split_once('.').unwrap();
        assert_eq!(open_cursor(&key, &format!("{payload}.{}", &tag[..8])), None);
        assert_eq!(open_cursor(&key, &format!("{payload}.")), None);
        assert_eq!(
            open_cursor(&SecretString::from("other".to_string()), &cursor),
            None
        );
    }
}
