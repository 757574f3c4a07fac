//! Configuration: defaults, then an optional `cocreate.toml`, then `COCREATE_*` environment
//! variables (nested keys with `__`, e.g. `COCREATE_SMTP__HOST`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use cocreate_app::{AppConfig, SmtpSecurity, SmtpSettings};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use rand::RngCore;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// `sqlite://path` (default: `cocreate.db` in the data directory) or `postgres://…`.
    pub database_url: Option<String>,
    /// The address people use to reach Cocreate (default: `http://<bind>`).
    pub base_url: Option<String>,
    /// Where the SQLite database, uploaded files (`files/`) and the generated secret key live.
    pub data_dir: PathBuf,
    /// Keys token hashes; generated into the data directory on first run when not given.
    #[serde(skip_serializing)]
    pub secret_key: Option<SecretString>,
    pub smtp: Option<SmtpConfig>,
    /// Sign-in attempts allowed per e-mail address per minute.
    pub sign_in_attempts_per_minute: u32,
    /// Requests per minute per client address on the sign-in, sign-up and reset forms.
    pub auth_requests_per_minute: u32,
    /// Writing requests per minute per client address.
    pub write_requests_per_minute: u32,
    /// Reverse proxies (addresses or networks, e.g. `127.0.0.1` or `10.0.0.0/8`) whose
    /// `X-Forwarded-For` header names the client; the rate limits then count the client's address.
    pub trusted_proxies: Vec<String>,
    /// How long records are kept after they stop working or mattering.
    pub retention: cocreate_app::RetentionPeriods,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default = "default_security")]
    pub security: String,
    pub username: Option<String>,
    #[serde(skip_serializing)]
    pub password: Option<SecretString>,
    /// Sender, e.g. `Cocreate <noreply@example.org>`.
    pub from: String,
    /// Seconds before an SMTP conversation is abandoned.
    #[serde(default = "default_smtp_timeout")]
    pub timeout_seconds: u64,
}

/// Printed without secrets: the key and the SMTP password are redacted by their type, and the
/// database URL's password here.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field(
                "database_url",
                &self.database_url.as_deref().map(without_password),
            )
            .field("base_url", &self.base_url)
            .field("data_dir", &self.data_dir)
            .field("secret_key", &self.secret_key)
            .field("smtp", &self.smtp)
            .field(
                "sign_in_attempts_per_minute",
                &self.sign_in_attempts_per_minute,
            )
            .field("auth_requests_per_minute", &self.auth_requests_per_minute)
            .field("write_requests_per_minute", &self.write_requests_per_minute)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("retention", &self.retention)
            .finish()
    }
}

/// `url` with its password, in the user part or as a `password` parameter, replaced.
fn without_password(url: &str) -> String {
    const HIDDEN: &str = "REDACTED";
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Whatever it holds cannot be told apart from a secret.
        return HIDDEN.to_owned();
    };
    // A user part the parser did not read as one (a password with a `?` in it, say) may hold
    // the password anywhere.
    if url.contains('@') && parsed.username().is_empty() && parsed.password().is_none() {
        return HIDDEN.to_owned();
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(HIDDEN));
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(key, value)| {
            let value = if key.eq_ignore_ascii_case("password") {
                HIDDEN.to_owned()
            } else {
                value.into_owned()
            };
            (key.into_owned(), value)
        })
        .collect();
    if !pairs.is_empty() {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

fn default_smtp_port() -> u16 {
    587
}
fn default_security() -> String {
    "starttls".into()
}
fn default_smtp_timeout() -> u64 {
    10
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            base_url: None,
            data_dir: PathBuf::from("data"),
            secret_key: None,
            smtp: None,
            sign_in_attempts_per_minute: 10,
            auth_requests_per_minute: 30,
            write_requests_per_minute: 600,
            trusted_proxies: Vec::new(),
            retention: cocreate_app::RetentionPeriods::default(),
        }
    }
}

/// `COCREATE_*` variables that are not settings of this file (read elsewhere), lower-cased.
const NOT_SETTINGS: &[&str] = &[
    "config",
    "log",
    "new_password",
    "test_postgres_url",
    "bench_postgres_url",
    "crash_kills",
];

/// Which database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite(String),
    Postgres(String),
}

impl Config {
    /// Loads defaults, then `file` (if it exists), then the environment.
    pub fn load(file: &Path) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if file.exists() {
            figment = figment.merge(Toml::file(file));
        }
        // The conventional DATABASE_URL is honoured, below COCREATE_DATABASE_URL.
        if let Ok(url) = std::env::var("DATABASE_URL") {
            figment = figment.merge(Serialized::default("database_url", url));
        }
        figment = figment.merge(
            Env::prefixed("COCREATE_")
                .filter(|key| !NOT_SETTINGS.contains(&key.as_str().to_ascii_lowercase().as_str()))
                .split("__"),
        );
        figment.extract().with_context(|| {
            format!(
                "invalid configuration (from defaults, {}, COCREATE_* variables)",
                file.display()
            )
        })
    }

    pub fn backend(&self) -> anyhow::Result<Backend> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("cocreate.db").display()),
        };
        parse_backend(&url)
    }

    pub fn base_url(&self) -> anyhow::Result<url::Url> {
        let raw = self
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind));
        let url =
            url::Url::parse(&raw).with_context(|| format!("base_url {raw:?} is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("base_url must start with http:// or https:// (got {raw:?})");
        }
        Ok(url)
    }

    /// The trusted proxies as networks (a bare address is a network of one).
    pub fn trusted_proxy_networks(&self) -> anyhow::Result<Vec<IpNet>> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "trusted_proxies: {entry:?} is not an IP address or network (e.g. 10.0.0.0/8)"
                        )
                    })
            })
            .collect()
    }

    /// Where this process keeps its search index: each process has its own.
    pub fn search_index_dir(&self) -> PathBuf {
        self.data_dir.join("search-index")
    }

    /// The secret key: configured, or read from (or generated into) `<data_dir>/secret.key`.
    pub fn secret_key(&self) -> anyhow::Result<SecretString> {
        if let Some(key) = &self.secret_key {
            return Ok(key.clone());
        }
        let path = self.data_dir.join("secret.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let key = existing.trim().to_owned();
            if key.len() >= 32 {
                return Ok(SecretString::from(key));
            }
            bail!("{} holds a key shorter than 32 characters", path.display());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let key = hex::encode(bytes);
        write_private(&path, &key).with_context(|| format!("cannot write {}", path.display()))?;
        tracing::info!(path = %path.display(), "generated a new secret key");
        Ok(SecretString::from(key))
    }

    pub fn app_config(&self) -> anyhow::Result<AppConfig> {
        let smtp = match &self.smtp {
            None => None,
            Some(smtp) => Some(SmtpSettings {
                host: smtp.host.clone(),
                port: smtp.port,
                security: match smtp.security.as_str() {
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::Tls,
                    "none" => SmtpSecurity::None,
                    other => bail!("smtp.security must be starttls, tls or none (got {other:?})"),
                },
                username: smtp.username.clone(),
                password: smtp.password.clone(),
                from: smtp.from.clone(),
                timeout: Duration::from_secs(smtp.timeout_seconds),
            }),
        };
        if self.retention.idempotency_hours == 0 {
            // A key removed while its request is still being answered could be used twice.
            bail!("retention.idempotency_hours must be at least 1");
        }
        Ok(AppConfig {
            base_url: self.base_url()?,
            secret_key: self.secret_key()?,
            smtp,
            sign_in_attempts_per_minute: self.sign_in_attempts_per_minute,
            files: cocreate_app::local_files(&self.data_dir.join("files"))
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            retention: self.retention,
        })
    }
}

/// Accepts `sqlite:` and `postgres(ql)://` URLs and refuses anything else, rather than guessing.
pub fn parse_backend(url: &str) -> anyhow::Result<Backend> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Backend::Sqlite(url.to_owned())),
        "postgres" | "postgresql" => Ok(Backend::Postgres(url.to_owned())),
        _ => bail!(
            "unsupported database URL scheme {scheme:?}: use sqlite://path/to/file.db or postgres://user@host/db"
        ),
    }
}

/// The file of a `sqlite:` URL (`sqlite://path`, `sqlite:path`, options after `?` ignored).
pub fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("{url:?} names no database file");
    }
    Ok(PathBuf::from(path))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    create_private(path)?.write_all(contents.as_bytes())
}

/// Creates a new file only its owner may read, failing if it exists.
#[cfg(unix)]
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Creates a new file, failing if it exists.
#[cfg(not(unix))]
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return its large error type
mod tests {
    use super::*;

    #[test]
    fn unknown_schemes_are_refused() {
        let err = parse_backend("mysql://localhost/db")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unsupported database URL scheme \"mysql\""),
            "{err}"
        );
        assert!(parse_backend("cocreate.db").is_err());
        assert_eq!(
            parse_backend("sqlite://x.db").unwrap(),
            Backend::Sqlite("sqlite://x.db".into())
        );
        assert!(matches!(
            parse_backend("postgresql://h/db").unwrap(),
            Backend::Postgres(_)
        ));
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://data/cocreate.db?mode=rwc").unwrap(),
            PathBuf::from("data/cocreate.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/c.db").unwrap(),
            PathBuf::from("/var/lib/c.db")
        );
        assert_eq!(sqlite_path("sqlite:c.db").unwrap(), PathBuf::from("c.db"));
        assert!(sqlite_path("sqlite::memory:").is_err());
    }

    #[test]
    fn secret_key_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        use secrecy::ExposeSecret;
        let first = config.secret_key().unwrap();
        let second = config.secret_key().unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert_eq!(first.expose_secret().len(), 64);
    }

    #[test]
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "cocreate.toml",
                "bind = \"127.0.0.1:9000\"\ndata_dir = \"/tmp/x\"\n",
            )?;
            jail.set_env("COCREATE_DATA_DIR", "/tmp/y");
            jail.set_env("COCREATE_SMTP__HOST", "mail.example.org");
            jail.set_env("COCREATE_SMTP__FROM", "Cocreate <noreply@example.org>");
            let config = Config::load(Path::new("cocreate.toml")).unwrap();
            assert_eq!(config.bind.port(), 9000);
            assert_eq!(config.data_dir, PathBuf::from("/tmp/y"));
            assert_eq!(config.smtp.as_ref().unwrap().host, "mail.example.org");
            assert_eq!(config.smtp.as_ref().unwrap().port, 587);
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "COCREATE_TRUSTED_PROXIES",
                "[127.0.0.1, \"10.0.0.0/8\", \"::1\"]",
            );
            let config = Config::load(Path::new("cocreate.toml")).unwrap();
            let networks = config.trusted_proxy_networks().unwrap();
            let shown: Vec<String> = networks.iter().map(ToString::to_string).collect();
            assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
            jail.set_env("COCREATE_TRUSTED_PROXIES", "[\"proxy.example.org\"]");
            let config = Config::load(Path::new("cocreate.toml")).unwrap();
            let err = config.trusted_proxy_networks().unwrap_err().to_string();
            assert!(
                err.contains("\"proxy.example.org\" is not an IP address"),
                "{err}"
            );
            Ok(())
        });
    }

    #[test]
    fn retention_periods_are_read_and_checked() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "cocreate.toml",
                "[retention]\nread_notification_days = 14\n",
            )?;
            jail.set_env("COCREATE_DATA_DIR", jail.directory().display().to_string());
            let config = Config::load(Path::new("cocreate.toml")).unwrap();
            assert_eq!(config.retention.read_notification_days, 14);
            assert_eq!(
                config.retention.expired_days, 7,
                "the rest keep their defaults"
            );
            assert_eq!(config.app_config().unwrap().retention, config.retention);
            jail.set_env("COCREATE_RETENTION__IDEMPOTENCY_HOURS", "0");
            let config = Config::load(Path::new("cocreate.toml")).unwrap();
            let err = config.app_config().err().unwrap().to_string();
            assert!(
                err.contains("idempotency_hours must be at least 1"),
                "{err}"
            );
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("cocreate.toml", "bnd = \"127.0.0.1:9000\"\n")?;
            let err = Config::load(Path::new("cocreate.toml")).unwrap_err();
            assert!(format!("{err:#}").contains("bnd"), "{err:#}");
            Ok(())
        });
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let config = Config {
            database_url: Some(
                "postgres://cocreate:hunter2@db.example.org/cocreate?password=hunter3&sslmode=require"
                    .into(),
            ),
            secret_key: Some(SecretString::from("the-secret-key")),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        for secret in ["hunter2", "hunter3", "the-secret-key"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("cocreate:REDACTED@db.example.org"),
            "{shown}"
        );
        assert!(shown.contains("sslmode=require"), "{shown}");
        assert_eq!(
            without_password("sqlite://data/cocreate.db"),
            "sqlite://data/cocreate.db"
        );
        assert_eq!(without_password("not a url: hunter2"), "REDACTED");
        assert_eq!(without_password("postgres://u:12?34@db/x"), "REDACTED");
    }
}
