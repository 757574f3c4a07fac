//! Crash safety: `cocreate serve` is killed with SIGKILL at random moments while clients support
//! ideas, comment and edit ideas at once, and started again. Afterwards every write that was
//! acknowledged must be stored, every counter must equal its rows, and the database must pass its
//! integrity check, and the search index must find the last comments and edits — on SQLite and
//! PostgreSQL. Each backend is killed 20 times here; the long run
//! sets `COCREATE_CRASH_KILLS` (see docs/RELIABILITY.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cocreate::config::Config;
use cocreate_app::{AccountInput, Actor, App, GeneratePlan, IdeaInput};
use cocreate_core::{AccountKind, OrgRole, SystemClock};
use cocreate_store::Store;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// Clients writing at once, each with its own account.
const WRITERS: usize = 8;

/// Writes the server acknowledged (answered 2xx), which must survive any crash after.
#[derive(Default)]
struct Ledger {
    /// (account, idea)
    supports: Vec<(i64, i64)>,
    /// (comment id, body)
    comments: Vec<(i64, String)>,
    /// (idea, body) of each acknowledged edit.
    edits: Vec<(i64, String)>,
    /// Answers other than 2xx (a killed server answers nothing, so there should be none).
    refused: Vec<String>,
}

struct Writer {
    index: usize,
    account_id: i64,
    token: String,
    own_idea: i64,
    /// Ideas to support, in this writer's order; `next` moves on whatever the answer, so an
    /// (account, idea) pair is sent at most once. Once through the list, the writer comments.
    targets: Vec<i64>,
    next: usize,
    sent: usize,
    rng: StdRng,
}

/// Kills per backend; 20 unless this variable says otherwise.
const KILLS_VAR: &str = "COCREATE_CRASH_KILLS";

fn kills() -> usize {
    std::env::var(KILLS_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// Fills the database: a generated public space, and one account, API token and idea per writer.
async fn prepare(config: &Config) -> Vec<Writer> {
    let store = cocreate::open_store(config).await.unwrap();
    let app = App::new(store, Arc::new(SystemClock), config.app_config().unwrap());
    let plan = GeneratePlan {
        accounts: 20,
        ideas: 1_000,
        supports: 2_000,
        comments: 60,
        feedback: 100,
        seed: 11,
    };
    let generated = app.generate(&plan, &|_| {}).await.unwrap();
    let mut writers = Vec::new();
    for index in 0..WRITERS {
        let account = app
            .create_account_as_operator(
                &AccountInput {
                    email: &format!("writer{index}@crash.example"),
                    name: &format!("Writer {index}"),
                    password: "crash-test-password",
                },
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await
            .unwrap();
        let actor = Actor::from_account(&account, None);
        let token = app.create_api_token(&actor, "crash").await.unwrap().secret;
        let own_idea = app
            .propose_idea(
                &actor,
                &generated.space_slug,
                &IdeaInput {
                    title: &format!("Writer {index}'s idea"),
                    body: "The first version.",
                    tags: "",
                    challenge_id: None,
                    publish: true,
                },
            )
            .await
            .unwrap()
            .id;
        let mut targets = generated.idea_ids.clone();
        targets.rotate_left(index * 37);
        writers.push(Writer {
            index,
            account_id: account.id,
            token,
            own_idea,
            targets,
            next: 0,
            sent: 0,
            rng: StdRng::seed_from_u64(index as u64),
        });
    }
    writers
}

/// Starts `cocreate serve` on a free port and waits until `/healthz` answers.
async fn serve(data_dir: &Path, database_url: &str, http: &reqwest::Client) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cocreate"))
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env_remove(KILLS_VAR)
        .env("COCREATE_CONFIG", data_dir.join("absent.toml"))
        .env("COCREATE_DATA_DIR", data_dir)
        .env("COCREATE_DATABASE_URL", database_url)
        .env("COCREATE_BIND", format!("127.0.0.1:{port}"))
        .env("COCREATE_WRITE_REQUESTS_PER_MINUTE", "100000000")
        .env("COCREATE_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if let Ok(response) = http.get(format!("{base}/healthz")).send().await
            && response.status().is_success()
        {
            return (child, base);
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("cocreate exited instead of starting again after a crash: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "cocreate did not start again after a crash"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends one write and records it in the ledger if the server acknowledged it.
async fn write_once(
    writer: &mut Writer,
    http: &reqwest::Client,
    base: &str,
    ledger: &Mutex<Ledger>,
) {
    let mut roll = writer.rng.random_range(0..100);
    if roll < 60 && writer.next == writer.targets.len() {
        roll = 60;
    }
    writer.sent += 1;
    let mark = format!("writer {} write {}", writer.index, writer.sent);
    let request = if roll < 60 {
        let idea = writer.targets[writer.next];
        writer.next += 1;
        http.put(format!("{base}/api/v1/ideas/{idea}/support"))
    } else if roll < 85 {
        let idea = writer.targets[writer.rng.random_range(0..writer.targets.len())];
        http.post(format!("{base}/api/v1/ideas/{idea}/comments"))
            .json(&json!({ "body": mark }))
    } else {
        http.put(format!("{base}/api/v1/ideas/{}", writer.own_idea))
            .json(&json!({ "title": format!("Writer {}'s idea", writer.index), "body": mark }))
    };
    let Ok(response) = request.bearer_auth(&writer.token).send().await else {
        return; // the server died before answering: not acknowledged
    };
    let status = response.status();
    let url = response.url().path().to_owned();
    let Ok(answer) = response.json::<serde_json::Value>().await else {
        return; // the server died while answering: not acknowledged
    };
    let mut ledger = ledger.lock().unwrap();
    if !status.is_success() {
        ledger.refused.push(format!("{status} {url}: {answer}"));
    } else if roll < 60 {
        let idea = writer.targets[writer.next - 1];
        ledger.supports.push((writer.account_id, idea));
    } else if roll < 85 {
        ledger.comments.push((answer["id"].as_i64().unwrap(), mark));
    } else {
        ledger.edits.push((writer.own_idea, mark));
    }
}

/// Checks the database against the ledger with the server stopped.
async fn check(config: &Config, ledger: &Ledger) {
    let store: Arc<dyn Store> = cocreate::open_store(config).await.unwrap();
    store.integrity_check().await.unwrap();
    assert_eq!(
        store.miscounted_ideas().await.unwrap(),
        0,
        "a stored counter differs from its rows"
    );
    let mut supported: HashMap<i64, Vec<i64>> = HashMap::new();
    for &(account, idea) in &ledger.supports {
        supported.entry(account).or_default().push(idea);
    }
    for (account, ideas) in supported {
        let stored = store.supported_among(account, &ideas).await.unwrap();
        let lost = ideas.iter().filter(|i| !stored.contains(i)).count();
        assert_eq!(lost, 0, "acknowledged supports of account {account} lost");
    }
    for (id, body) in &ledger.comments {
        let comment = store.comment(*id).await.unwrap();
        assert_eq!(
            comment.map(|c| c.body).as_deref(),
            Some(body.as_str()),
            "acknowledged comment {id} lost"
        );
    }
    let mut revisions: HashMap<i64, Vec<String>> = HashMap::new();
    for (idea, body) in &ledger.edits {
        if !revisions.contains_key(idea) {
            let stored = store.idea_revisions(*idea).await.unwrap();
            revisions.insert(*idea, stored.into_iter().map(|r| r.body).collect());
        }
        assert!(
            revisions[idea].contains(body),
            "acknowledged edit of idea {idea} lost: {body}"
        );
    }
}

/// Starts the server once more and searches for the last acknowledged comments and the edited
/// ideas' bodies: the server was killed moments after their commits, often before the index
/// applied them.
async fn check_search(
    data_dir: &Path,
    database_url: &str,
    http: &reqwest::Client,
    ledger: &Ledger,
) {
    let (mut server, base) = serve(data_dir, database_url, http).await;
    let started = Instant::now();
    loop {
        let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
        if ready.text().await.unwrap().contains("search: index") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the index never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let found = |path: String| {
        let http = http.clone();
        async move {
            let hits: serde_json::Value =
                http.get(path).send().await.unwrap().json().await.unwrap();
            hits.as_array().unwrap().clone()
        }
    };
    for (id, mark) in ledger.comments.iter().rev().take(10) {
        let hits = found(format!("{base}/api/v1/search/comments?q=%22{mark}%22")).await;
        assert!(
            hits.iter()
                .any(|hit| hit["comment_id"].as_i64() == Some(*id)),
            "acknowledged comment {id} ({mark}) is not found: {hits:?}"
        );
    }
    // An edit may have committed after the last one acknowledged: each idea is searched for by
    // the body it has now.
    let edited: std::collections::BTreeSet<i64> =
        ledger.edits.iter().map(|(idea, _)| *idea).collect();
    for idea in edited {
        let current: serde_json::Value = http
            .get(format!("{base}/api/v1/ideas/{idea}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let body = current["body"].as_str().unwrap();
        let hits = found(format!("{base}/api/v1/search?q=%22{body}%22")).await;
        assert!(
            hits.iter().any(|hit| hit["id"].as_i64() == Some(idea)),
            "idea {idea} is not found by its body ({body}): {hits:?}"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

async fn crash_repeatedly(data_dir: &Path, database_url: String) {
    let config = Config {
        data_dir: data_dir.to_owned(),
        database_url: Some(database_url.clone()),
        ..Config::default()
    };
    let mut writers = prepare(&config).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut rng = StdRng::seed_from_u64(kills() as u64);
    for _ in 0..kills() {
        let (mut server, base) = serve(data_dir, &database_url, &http).await;
        let stop = Arc::new(AtomicBool::new(false));
        let running: Vec<_> = writers
            .drain(..)
            .map(|mut writer| {
                let (http, base, ledger, stop) =
                    (http.clone(), base.clone(), ledger.clone(), stop.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        write_once(&mut writer, &http, &base, &ledger).await;
                    }
                    writer
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.random_range(100..800))).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for task in running {
            writers.push(task.await.unwrap());
        }
    }
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    assert!(
        ledger.refused.is_empty(),
        "refused writes: {:?}",
        ledger.refused
    );
    // Enough acknowledged writes that the check below means something.
    assert!(
        ledger.supports.len() >= kills() && !ledger.comments.is_empty() && !ledger.edits.is_empty(),
        "too few acknowledged writes: {} supports, {} comments, {} edits",
        ledger.supports.len(),
        ledger.comments.len(),
        ledger.edits.len()
    );
    check(&config, &ledger).await;
    check_search(data_dir, &database_url, &http, &ledger).await;
    eprintln!(
        "{} kills: {} supports, {} comments, {} edits acknowledged and found",
        kills(),
        ledger.supports.len(),
        ledger.comments.len(),
        ledger.edits.len()
    );
}

/// One crash run at a time: each restart takes a free port, which the other run's restart could
/// take in the same moment, and then this run's clients would talk to the other server.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write_through_kills() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cocreate.db").display());
    crash_repeatedly(dir.path(), url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_through_kills() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(url) = cocreate_testkit::fresh_postgres_url().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    crash_repeatedly(dir.path(), url).await;
}
