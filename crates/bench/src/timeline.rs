//! Timelines and the customer list at scale: one customer with 10 events on their timeline and
//! one with 10,000 (supports and feedback, made through the app as people make them), each
//! reading the first page of their own timeline under load; staff reading the long timeline and
//! the customer list. The long timeline is wanted as fast as the short one (≤ 1.2× slower).

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use cocreate_app::{AccountInput, Actor, FeedbackInput};
use cocreate_core::{AccountKind, FeedbackChannel, OrgRole};

use crate::{Phase, Served, Target, load, p99_under_20_ms, share_of_health, signed_in_get};

const SHORT: &str = "your timeline, 10 events";
const LONG: &str = "your timeline, 10,000 events";
const STAFF_READS: [&str; 2] = [
    "a customer's timeline of 10,000 events, staff",
    "customer list, staff",
];
/// Events on the long timeline, of which this many are feedback (the rest supports).
const LONG_EVENTS: usize = 10_000;
const LONG_FEEDBACK: usize = 1_000;

/// How the two timelines compare.
pub(crate) struct TimelineSizes {
    pub short_events: usize,
    pub long_events: usize,
}

impl TimelineSizes {
    pub(crate) fn targets(&self, phases: &[Phase], health: &Phase) -> Vec<Target> {
        let find = |name: &str| phases.iter().find(|p| p.name == name);
        let mut targets = Vec::new();
        if let (Some(short), Some(long)) = (find(SHORT), find(LONG)) {
            let ratio = short.per_second() / long.per_second();
            targets.push((
                format!(
                    "first page of a timeline of {} events / of {} events, time per request",
                    self.long_events, self.short_events
                ),
                format!("{ratio:.2}×"),
                "≤ 1.2×".into(),
                ratio <= 1.2 && self.long_events >= LONG_EVENTS,
            ));
        }
        for name in [SHORT, LONG].into_iter().chain(STAFF_READS) {
            if let Some(phase) = find(name) {
                targets.push(share_of_health(name, phase, health));
                targets.push(p99_under_20_ms(name, phase));
            }
        }
        targets
    }
}

/// A customer account made for the run, with an API token.
async fn customer(served: &Served, email: &str) -> anyhow::Result<(Actor, Arc<String>)> {
    let account = served
        .app
        .create_account_as_operator(
            &AccountInput {
                email,
                name: "Bench Customer",
                password: "benchmark-password",
            },
            AccountKind::Customer,
            OrgRole::Member,
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let actor = Actor::from_account(&account, None);
    let token = served
        .app
        .create_api_token(&actor, "benchmark")
        .await
        .map_err(|e| anyhow!("{e}"))?
        .secret;
    Ok((actor, Arc::new(token)))
}

/// Gives `actor` `supports` supports (of `ideas`, which must hold that many) and `feedback`
/// pieces of feedback on `product`; answers how many events that made.
async fn make_history(
    served: &Served,
    actor: &Actor,
    ideas: &[i64],
    supports: usize,
    (product, feedback): (&str, usize),
) -> anyhow::Result<usize> {
    for id in ideas.iter().take(supports) {
        served
            .app
            .support(actor, *id)
            .await
            .map_err(|e| anyhow!("support of idea {id}: {e}"))?;
    }
    for k in 0..feedback {
        let body = format!("Benchmark feedback {k} on the way things are.");
        served
            .app
            .send_feedback(
                Some(actor),
                product,
                &FeedbackInput {
                    body: &body,
                    rating: Some(1 + (k % 5) as i64),
                    ..FeedbackInput::default()
                },
                FeedbackChannel::Api,
            )
            .await
            .map_err(|e| anyhow!("feedback: {e}"))?;
    }
    Ok(supports.min(ideas.len()) + feedback)
}

/// `ideas` are ideas still gathering support that the run's other writes leave alone.
pub(crate) async fn timeline_phases(
    served: &Served,
    slug: &str,
    ideas: &[i64],
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<(Vec<Phase>, TimelineSizes)> {
    let (_, product) = crate::feedback::busiest_product(served, slug).await?;
    let (short_actor, short_token) =
        customer(served, "short-timeline@bench.cocreate.example").await?;
    let short_events = make_history(served, &short_actor, ideas, 5, (&product.slug, 5)).await?;
    let (long_actor, long_token) = customer(served, "long-timeline@bench.cocreate.example").await?;
    eprintln!("  timeline: giving one customer {LONG_EVENTS} events");
    let long_events = make_history(
        served,
        &long_actor,
        ideas,
        LONG_EVENTS - LONG_FEEDBACK,
        (&product.slug, LONG_FEEDBACK),
    )
    .await?;
    let (_, staff) = crate::staff_with_token(
        &served.app,
        "timeline@bench.cocreate.example",
        "Bench Staff",
    )
    .await?;
    let mut phases = Vec::new();
    let reads = [
        (SHORT, "/timeline".to_owned(), &short_token),
        (LONG, "/timeline".to_owned(), &long_token),
        (
            STAFF_READS[0],
            format!("/customers/accounts/{}", long_actor.id),
            &staff,
        ),
        (STAFF_READS[1], "/customers".to_owned(), &staff),
    ];
    for (name, path, token) in reads {
        let tokens = Arc::new(vec![token.as_str().to_owned(); connections]);
        let request = signed_in_get(served.url(&path), tokens);
        phases.push(load(name, connections, seconds, u64::MAX, request).await?);
    }
    Ok((
        phases,
        TimelineSizes {
            short_events,
            long_events,
        },
    ))
}
