//! Texts that would work as a credential if read from a copy of the database: mail bodies (which
//! carry reset, invitation and address-change links) and remembered API answers (an API token is
//! answered once, at its creation). They are stored sealed under a key derived from the
//! deployment's secret key, which lives outside the database, so neither a backup nor an export
//! hands anyone a working link or token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::{AppError, AppResult};

/// What a sealed text starts with, and the version of its format.
const PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 24;

pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    /// The sealer for this secret key. The cipher's key is derived from it for this one use, so
    /// it is never the key that hashes tokens.
    pub fn new(secret_key: &SecretString) -> Self {
        let mut derive =
            <Hmac<Sha256> as Mac>::new_from_slice(secret_key.expose_secret().as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        derive.update(b"cocreate sealed texts v1");
        let key = derive.finalize().into_bytes();
        Self {
            cipher: XChaCha20Poly1305::new(&key),
        }
    }

    /// `plain`, sealed with a fresh random nonce (24 bytes: random nonces never collide in practice).
    pub fn seal(&self, plain: &str) -> AppResult<String> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| AppError::Internal("sealing a text failed".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The text [`Sealer::seal`] sealed. Text stored before sealing existed comes back as it is;
    /// a sealed text that this key cannot open (the secret key changed, or the text was altered)
    /// is an error.
    pub fn open(&self, stored: &str) -> AppResult<String> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let unreadable = || {
            AppError::Internal(
                "a sealed text cannot be opened with this secret key (was the key changed?)".into(),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| unreadable())?;
        if bytes.len() < NONCE_BYTES {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_texts_open_only_with_their_key_and_hide_their_content() {
        let sealer = Sealer::new(&SecretString::from("one".to_string()));
        let plain = "Reset: https://example.org/reset/abcDEF123";
        let sealed = sealer.seal(plain).unwrap();
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("abcDEF123"));
        assert_ne!(
            sealed,
            sealer.seal(plain).unwrap(),
            "each seal has its own nonce"
        );
        assert_eq!(sealer.open(&sealed).unwrap(), plain);
        let other = Sealer::new(&SecretString::from("two".to_string()));
        assert!(other.open(&sealed).is_err());
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer.open(&altered).is_err());
        assert_eq!(
            sealer.open("written before sealing").unwrap(),
            "written before sealing"
        );
    }
}
