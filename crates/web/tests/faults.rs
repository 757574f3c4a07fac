//! Faults: the database going away under load, and a full disk under SQLite. Each ends in a clear
//! answer (503 or 507 problem+json, never a 500, never a hang) and recovers by itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_testkit::{Backend, ServerOptions, TcpProxy, TestServer, spawn_with};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

/// Longest any answer may take during a fault: well under the 30 s request timeout, above the
/// pool's 5 s wait for a connection.
const ANSWER_WITHIN: Duration = Duration::from_secs(12);

/// An answer seen by the load: status, content type, how long it took.
type Seen = (StatusCode, String, Duration);

/// A public space with one idea, and a customer's API token.
async fn prepared(server: &TestServer) -> (i64, String) {
    let (admin, _) = person(
        server,
        "admin@faults.example",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    create_space(server, &admin, "Ideas", Audience::Public).await;
    let idea = published_idea(server, &admin, "ideas", "Quieter fans", "Fans are loud.").await;
    let (_, token) = customer(server, "customer@faults.example").await;
    (idea.id, token)
}

async fn send(
    server: &TestServer,
    token: &str,
    write: Option<&str>,
    idea: i64,
) -> reqwest::Result<(Seen, serde_json::Value)> {
    let started = Instant::now();
    let request = match write {
        Some(body) => client()
            .post(server.url(&format!("/api/v1/ideas/{idea}/comments")))
            .json(&json!({ "body": body })),
        None => client().get(server.url(&format!("/api/v1/ideas/{idea}"))),
    };
    let response = request.bearer_auth(token).send().await?;
    let status = response.status();
    let kind = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    Ok(((status, kind, started.elapsed()), body))
}

/// Polls `/readyz` until it answers `want`.
async fn ready_becomes(server: &TestServer, want: StatusCode) {
    let started = Instant::now();
    loop {
        let status = client()
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status();
        if status == want {
            return;
        }
        assert!(
            started.elapsed() < ANSWER_WITHIN,
            "/readyz stayed {status}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_unavailable(seen: &Seen, problem: &serde_json::Value) {
    assert_eq!(seen.0, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(seen.1, "application/problem+json");
    assert_eq!(problem["code"], "unavailable", "{problem}");
    assert!(seen.2 < ANSWER_WITHIN, "took {:?}", seen.2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_answers_503_and_service_resumes_by_itself() {
    let Some(url) = cocreate_testkit::fresh_postgres_url().await else {
        return;
    };
    let mut proxied = url::Url::parse(&url).unwrap();
    let target = format!(
        "{}:{}",
        proxied.host_str().unwrap(),
        proxied.port().unwrap_or(5432)
    )
    .to_socket_addrs()
    .unwrap()
    .next()
    .unwrap();
    let proxy = TcpProxy::start(target).await;
    proxied.set_port(Some(proxy.port)).unwrap();
    let options = ServerOptions {
        database_url: Some(proxied.to_string()),
        ..ServerOptions::default()
    };
    let server = Arc::new(spawn_with(Backend::Postgres, options).await.unwrap());
    let (idea, token) = prepared(&server).await;

    // Readers and writers run throughout: before, during and after the outage.
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Vec<(Seen, serde_json::Value)>>> = Arc::default();
    let acknowledged: Arc<Mutex<Vec<i64>>> = Arc::default();
    let load: Vec<_> = (0..4)
        .map(|k| {
            let (server, token, stop, seen, acknowledged) = (
                server.clone(),
                token.clone(),
                stop.clone(),
                seen.clone(),
                acknowledged.clone(),
            );
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = format!("load {k} comment {n}");
                    let write = (n % 2 == 0).then_some(body.as_str());
                    let answer = send(&server, &token, write, idea).await.unwrap();
                    if write.is_some() && answer.0.0 == StatusCode::CREATED {
                        acknowledged
                            .lock()
                            .unwrap()
                            .push(answer.1["id"].as_i64().unwrap());
                    }
                    seen.lock().unwrap().push(answer);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    proxy.cut();
    ready_becomes(&server, StatusCode::SERVICE_UNAVAILABLE).await;
    let (read, problem) = send(&server, &token, None, idea).await.unwrap();
    assert_unavailable(&read, &problem);
    let (write, problem) = send(&server, &token, Some("during the outage"), idea)
        .await
        .unwrap();
    assert_unavailable(&write, &problem);
    tokio::time::sleep(Duration::from_millis(500)).await;

    proxy.restore();
    ready_becomes(&server, StatusCode::OK).await;
    let (write, comment) = send(&server, &token, Some("after the outage"), idea)
        .await
        .unwrap();
    assert_eq!(write.0, StatusCode::CREATED, "{comment}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    for (answer, body) in seen.iter() {
        assert!(
            answer.0.is_success() || answer.0 == StatusCode::SERVICE_UNAVAILABLE,
            "during an outage only 2xx or 503: {answer:?} {body}"
        );
        if !answer.0.is_success() {
            assert_unavailable(answer, body);
        }
    }
    assert!(
        seen.iter()
            .any(|(a, _)| a.0 == StatusCode::SERVICE_UNAVAILABLE)
    );
    // Every comment the load was told was stored is there. (A commit cut off before its answer
    // may be stored though answered 503: the outcome was unknown, never wrongly acknowledged.)
    let stored = server
        .store
        .comments(cocreate_store::Subject::Idea(idea))
        .await
        .unwrap();
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(
        acknowledged
            .iter()
            .all(|id| stored.iter().any(|c| c.id == *id))
    );
    assert!(
        stored.iter().all(|c| c.body != "during the outage"),
        "a write refused while the database was away was kept"
    );
    assert_eq!(server.store.miscounted_ideas().await.unwrap(), 0);
}

/// A small tmpfs, unmounted when dropped: a disk that fills up quickly.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    /// `None` (skip) when this process may not mount, outside CI; in CI that fails.
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(output) if output.status.success() => Some(Self(dir)),
            other => {
                cocreate_testkit::skip(
                    cocreate_testkit::Suite::FullDisk,
                    &format!("cannot mount a tmpfs: {other:?}"),
                );
                None
            }
        }
    }

    /// Fills the disk with one file, which [`SmallDisk::free`] removes.
    fn fill(&self) {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.0.path().join("filler")).unwrap();
        let chunk = vec![0u8; 16 * 1024];
        while filler.write_all(&chunk).is_ok() {}
        let _ = filler.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.0.path().join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_refuses_writes_clearly_reads_on_and_resumes() {
    let Some(disk) = SmallDisk::mount("6m") else {
        return;
    };
    let options = ServerOptions {
        database_url: Some(format!(
            "sqlite://{}",
            disk.0.path().join("cocreate.db").display()
        )),
        ..ServerOptions::default()
    };
    let server = spawn_with(Backend::Sqlite, options).await.unwrap();
    let (idea, token) = prepared(&server).await;
    disk.fill();

    // Comments of 5,000 characters until the database cannot grow: each is stored and
    // acknowledged, or refused as 507 with nothing stored.
    let long = "A comment long enough to need room. ".repeat(140);
    let mut acknowledged = 0;
    let mut refused = None;
    for _ in 0..400 {
        let (seen, body) = send(&server, &token, Some(&long[..5000]), idea)
            .await
            .unwrap();
        match seen.0 {
            StatusCode::CREATED => acknowledged += 1,
            StatusCode::INSUFFICIENT_STORAGE => {
                refused = Some((seen, body));
                break;
            }
            other => panic!("a write on a full disk answered {other}: {body}"),
        }
    }
    let (seen, problem) = refused.expect("a full disk refused no write");
    assert_eq!(seen.1, "application/problem+json");
    assert_eq!(problem["code"], "storage_full", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("disk is full"),
        "{problem}"
    );

    // Reads go on, through the API and the pages.
    let (read, body) = send(&server, &token, None, idea).await.unwrap();
    assert_eq!(read.0, StatusCode::OK, "{body}");
    assert_eq!(body["comments"], acknowledged, "{body}");
    let page = client()
        .get(server.url(&format!("/ideas/{idea}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Once there is room again, writes resume at once, and nothing was corrupted or half-kept.
    disk.free();
    let (write, body) = send(&server, &token, Some("room again"), idea)
        .await
        .unwrap();
    assert_eq!(write.0, StatusCode::CREATED, "{body}");
    let stored = server
        .store
        .comments(cocreate_store::Subject::Idea(idea))
        .await
        .unwrap();
    assert_eq!(stored.len(), acknowledged + 1);
    assert_eq!(server.store.miscounted_ideas().await.unwrap(), 0);
    server.store.integrity_check().await.unwrap();
}

/// More comments at once than the pool has connections: each is answered, none waits for a
/// connection that another comment's transaction holds while itself waiting for one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_takes_more_comments_at_once_than_it_has_connections() {
    let Some(server) = cocreate_testkit::spawn(Backend::Postgres).await else {
        return;
    };
    let (idea, token) = prepared(&server).await;
    let server = Arc::new(server);
    let writers: Vec<_> = (0..64)
        .map(|k| {
            let (server, token) = (server.clone(), token.clone());
            tokio::spawn(async move {
                let body = format!("at once {k}");
                send(&server, &token, Some(&body), idea).await.unwrap()
            })
        })
        .collect();
    for writer in writers {
        let (seen, body) = writer.await.unwrap();
        assert_eq!(seen.0, StatusCode::CREATED, "{body}");
        assert!(seen.2 < Duration::from_secs(4), "waited {:?}", seen.2);
    }
    assert_eq!(server.store.idea(idea).await.unwrap().unwrap().comments, 64);
}
