//! The Prometheus page counts each request under its route and status. A recorder is global to
//! a process, so this suite has a binary of its own, with one test that runs the backends one
//! after the other: nothing else feeds the counters it reads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;

/// The sum of `name`'s samples whose labels include all of `labels`.
fn sample(page: &str, name: &str, labels: &[(&str, &str)]) -> u64 {
    page.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .filter(|line| {
            labels
                .iter()
                .all(|(key, value)| line.contains(&format!("{key}=\"{value}\"")))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn metrics_page(server: &TestServer) -> String {
    visitor_page(server, "/metrics").await
}

async fn requests_are_counted_by_route_and_status(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    const REQUESTS: &str = "cocreate_http_requests_total";
    let home = [("method", "GET"), ("route", "/"), ("status", "200")];
    let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
    let before = metrics_page(&server).await;
    visitor_page(&server, "/").await;
    visitor_page(&server, "/").await;
    visitor_page(&server, "/nothing/here").await;
    let after = metrics_page(&server).await;
    assert_eq!(
        sample(&after, REQUESTS, &home),
        sample(&before, REQUESTS, &home) + 2,
        "{after}"
    );
    assert_eq!(
        sample(&after, REQUESTS, &unmatched),
        sample(&before, REQUESTS, &unmatched) + 1,
        "{after}"
    );
    assert!(
        after.contains("cocreate_http_request_duration_seconds"),
        "{after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_on_both_backends() {
    requests_are_counted_by_route_and_status(Backend::Sqlite).await;
    requests_are_counted_by_route_and_status(Backend::Postgres).await;
}
