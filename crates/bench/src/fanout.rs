//! `--fanout-followers N`: what a comment costs on an idea with N followers against one on a
//! quiet idea, and how long the news worker takes to tell every follower. The write path is
//! measured with the worker paused, so the two phases compare the requests alone; the delivery
//! is measured first, with the worker running on an otherwise idle server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use cocreate_core::{AccountKind, OrgRole};
use cocreate_store::NewAccount;

use crate::{
    BackendChoice, Phase, Served, Target, all_met, gathering_ideas, load, supporter_tokens,
    write_phases, write_targets,
};

/// Comments each connection sends in each write phase.
const COMMENTS_PER_CONNECTION: u64 = 30;
/// The longest the delivery to every follower may take.
const DELIVERY_TARGET: Duration = Duration::from_secs(10);

pub(crate) struct FanoutReport {
    backend: BackendChoice,
    ideas: usize,
    followers: usize,
    delivery: Duration,
    /// Followers holding exactly one notification of the timed comment.
    told_once: usize,
    quiet: Phase,
    busy: Phase,
}

pub(crate) async fn fanout(
    args: &crate::Args,
    backend: BackendChoice,
    followers: usize,
) -> anyhow::Result<FanoutReport> {
    let served = Served::start(args, backend, args.ideas).await?;
    let app = served.app.clone();
    let ideas = gathering_ideas(&app, args.ideas as i64).await?;
    let [warm_up, quiet, busy, ..] = ideas.as_slice() else {
        bail!("three ideas gathering support are needed");
    };
    let (warm_up, quiet, busy) = (*warm_up, *quiet, *busy);
    let now = app.now();
    let mut follower_ids = Vec::with_capacity(followers);
    let started = Instant::now();
    for chunk in (0..followers).collect::<Vec<_>>().chunks(1_000) {
        let mut tx = app.store().begin().await.map_err(|e| anyhow!("{e}"))?;
        for n in chunk {
            let account = tx
                .insert_account(&NewAccount {
                    email: &format!("follower{n}@bench.cocreate.example"),
                    name: "Follower",
                    handle: &format!("follower{n}"),
                    // Followers never sign in.
                    password_hash: "$argon2id$v=19$unusable",
                    kind: AccountKind::Customer,
                    role: OrgRole::Member,
                    created_at: now,
                })
                .await
                .map_err(|e| anyhow!("{e}"))?;
            tx.set_following(busy, account.id, true, now)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            follower_ids.push(account.id);
        }
        tx.commit().await.map_err(|e| anyhow!("{e}"))?;
    }
    eprintln!(
        "{backend:?}: {followers} followers of idea {busy} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let n = args.connections;
    let tokens = Arc::new(supporter_tokens(&app, n).await?);

    // Delivery, with the worker running: the follower with the highest id is told last.
    let last = *follower_ids.iter().max().context("no followers")?;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let posted = client
        .post(served.url(&format!("/api/v1/ideas/{busy}/comments")))
        .bearer_auth(&tokens[0])
        .json(&serde_json::json!({"body": "Thanks, all of you."}))
        .send()
        .await?;
    if !posted.status().is_success() {
        bail!("the timed comment was refused: {}", posted.text().await?);
    }
    loop {
        let unread = app
            .store()
            .unread_notifications(last)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        if unread > 0 {
            break;
        }
        if started.elapsed() > Duration::from_secs(300) {
            bail!("the followers were not told within 300 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let delivery = started.elapsed();
    let mut told_once = 0;
    for id in &follower_ids {
        let unread = app
            .store()
            .unread_notifications(*id)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        told_once += usize::from(unread == 1);
    }
    eprintln!(
        "  delivery to {followers} followers: {:.2} s, {told_once} told once",
        delivery.as_secs_f64()
    );

    // The write path alone: the worker rests, so nothing but the requests compete.
    served.worker.abort();
    let comment_on = |idea: i64| {
        let url = served.url(&format!("/api/v1/ideas/{idea}/comments"));
        let tokens = tokens.clone();
        let make: crate::MakeRequest = Arc::new(move |client, worker, i| {
            client
                .post(&url)
                .bearer_auth(&tokens[worker])
                .json(&serde_json::json!({"body": format!("Comment {worker}-{i}")}))
        });
        make
    };
    let limit = Duration::from_secs(120);
    // Connections and statements warm up on a third idea first, so neither measured phase pays
    // for that.
    load(
        "comment, warm-up",
        n,
        limit,
        COMMENTS_PER_CONNECTION,
        comment_on(warm_up),
    )
    .await?;
    let quiet_phase = load(
        "comment, quiet idea",
        n,
        limit,
        COMMENTS_PER_CONNECTION,
        comment_on(quiet),
    )
    .await?;
    let busy_phase = load(
        "comment, busy idea",
        n,
        limit,
        COMMENTS_PER_CONNECTION,
        comment_on(busy),
    )
    .await?;
    served.stop().await?;
    Ok(FanoutReport {
        backend,
        ideas: args.ideas,
        followers,
        delivery,
        told_once,
        quiet: quiet_phase,
        busy: busy_phase,
    })
}

impl FanoutReport {
    fn targets(&self) -> Vec<Target> {
        let ratio = self.busy.millis(0.5) / self.quiet.millis(0.5);
        let clean = self.quiet.errors == 0 && self.busy.errors == 0;
        vec![
            (
                format!("comment median, {} followers / quiet idea", self.followers),
                format!("{ratio:.2}×"),
                "≤ 1.2×".into(),
                ratio <= 1.2 && clean,
            ),
            (
                format!("every one of {} followers told", self.followers),
                format!("{:.2} s", self.delivery.as_secs_f64()),
                format!("≤ {} s", DELIVERY_TARGET.as_secs()),
                self.delivery <= DELIVERY_TARGET,
            ),
            (
                "followers told exactly once".into(),
                format!("{} of {}", self.told_once, self.followers),
                "all".into(),
                self.told_once == self.followers,
            ),
        ]
    }

    pub(crate) fn meets_targets(&self) -> bool {
        all_met(&self.targets())
    }
}

impl std::fmt::Display for FanoutReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "\n### {:?}: fan-out ({} ideas generated)\n",
            self.backend, self.ideas
        )?;
        write_phases(f, [&self.quiet, &self.busy].into_iter())?;
        write_targets(f, &self.targets())
    }
}
