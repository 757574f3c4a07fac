//! A real Cocreate server on a free loopback port, on either backend, with a clock tests move.

use std::sync::Arc;

use cocreate_app::{App, AppConfig, SmtpSettings, Worker};
use cocreate_core::{ManualClock, Timestamp};
use cocreate_store::{OutboxMail, Store};
use cocreate_store_postgres::PostgresStore;
use cocreate_store_sqlite::SqliteStore;
use cocreate_web::WebOptions;

use crate::{fresh_postgres_url, fresh_sqlite_url};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to start a test server.
#[derive(Clone, Default)]
pub struct ServerOptions {
    /// Reuse this database instead of a fresh one (to test restarts).
    pub database_url: Option<String>,
    pub smtp: Option<SmtpSettings>,
    pub web: Option<WebOptions>,
    pub sign_in_attempts_per_minute: Option<u32>,
    /// Keep the search index here instead of a fresh directory (to test restarts).
    pub search_dir: Option<std::path::PathBuf>,
    /// Start no search index: the database answers searches.
    pub without_search_index: bool,
}

pub struct TestServer {
    /// e.g. `http://127.0.0.1:41234`, without a trailing slash.
    pub base: String,
    pub app: Arc<App>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub database_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Starts a server on a fresh database of `backend`, or `None` when that backend is skipped.
pub async fn spawn(backend: Backend) -> Option<TestServer> {
    spawn_with(backend, ServerOptions::default()).await
}

pub async fn spawn_with(backend: Backend, options: ServerOptions) -> Option<TestServer> {
    let database_url = match (&options.database_url, backend) {
        (Some(url), _) => url.clone(),
        (None, Backend::Sqlite) => fresh_sqlite_url(),
        (None, Backend::Postgres) => fresh_postgres_url().await?,
    };
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(
            SqliteStore::connect(&database_url)
                .await
                .expect("open SQLite"),
        ),
        Backend::Postgres => Arc::new(
            PostgresStore::connect(&database_url)
                .await
                .expect("open PostgreSQL"),
        ),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let clock = Arc::new(ManualClock::new(Timestamp(chrono_now_millis())));
    let config = AppConfig {
        base_url: url::Url::parse(&base).expect("base URL"),
        secret_key: secrecy::SecretString::from(
            "test-secret-key-test-secret-key-0123456789".to_owned(),
        ),
        smtp: options.smtp.clone(),
        sign_in_attempts_per_minute: options.sign_in_attempts_per_minute.unwrap_or(1000),
        files: cocreate_app::local_files(&tempfile::tempdir().expect("files directory").keep())
            .expect("file store"),
        retention: cocreate_app::RetentionPeriods::default(),
    };
    let app = App::new(store.clone(), clock.clone(), config);
    if !options.without_search_index {
        let search_dir = match &options.search_dir {
            Some(dir) => dir.clone(),
            None => tempfile::tempdir().expect("index directory").keep(),
        };
        app.start_search_index(&search_dir).expect("search index");
        wait_for_search_index(&app).await;
    }
    let web = options.web.clone().unwrap_or(WebOptions {
        auth_requests_per_minute: 10_000,
        write_requests_per_minute: 100_000,
        ..WebOptions::default()
    });
    let router = cocreate_web::router(app.clone(), &web);
    let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        cocreate_web::serve(listener, router, &web, async {
            let _ = signal.await;
        })
        .await
        .expect("serve");
    });
    Some(TestServer {
        base,
        app,
        store,
        clock,
        database_url,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

/// Waits until the index answers searches, so tests search through it, as a running server
/// does once it has caught up.
pub async fn wait_for_search_index(app: &App) {
    for _ in 0..1000 {
        if app.search_status() == cocreate_app::SearchStatus::Ready {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the search index is still {}", app.search_status());
}

fn chrono_now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task");
        }
    }

    /// Every mail in the outbox, newest first, with its body opened.
    pub async fn mails(&self) -> Vec<OutboxMail> {
        self.store
            .outbox(i64::MAX, 1000)
            .await
            .expect("read outbox")
            .into_iter()
            .map(|mail| self.app.opened(mail).expect("open a mail's body"))
            .collect()
    }

    /// The newest mail to `to`.
    pub async fn last_mail_to(&self, to: &str) -> OutboxMail {
        self.mails()
            .await
            .into_iter()
            .find(|m| m.to_address == to)
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }

    /// The first link in the newest mail to `to` whose path starts with `path_prefix`, as a path.
    pub async fn link_in_mail(&self, to: &str, path_prefix: &str) -> String {
        let mail = self.last_mail_to(to).await;
        let start = format!("{}{path_prefix}", self.base);
        mail.body
            .split_whitespace()
            .find(|word| word.starts_with(&start))
            .map(|link| link.trim_start_matches(&self.base).to_owned())
            .unwrap_or_else(|| panic!("no {path_prefix} link in mail: {}", mail.body))
    }

    /// Delivers every waiting piece of news (notifications to followers, mail to supporters
    /// enqueued), as the background worker would.
    pub async fn deliver_news(&self) {
        self.app
            .deliver_news(usize::MAX)
            .await
            .expect("deliver news");
    }

    /// Delivers waiting news, then due mail once, as the background worker would.
    pub async fn deliver_mail(&self) -> usize {
        self.deliver_news().await;
        Worker::new(self.app.clone())
            .expect("worker")
            .deliver_mail()
            .await
            .expect("deliver")
    }
}
