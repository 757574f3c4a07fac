//! Pairwise ranking at scale: answers written to one generated challenge (with every answer
//! checked counted afterwards), then the next pair and the ranking read under load, and a
//! session that alternates asking for a pair with answering one, so that every read finds the
//! strengths changed by the answers in between.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use serde_json::json;

use crate::{Phase, Served, load, signed_in_get};

/// Answers each connection sends at most in the write phase.
const ANSWERS_PER_CONNECTION: u64 = 300;

/// The phases, and the answers sent against those the ranking counts afterwards.
pub(crate) struct PairwiseRun {
    pub phases: Vec<Phase>,
    pub sent: u64,
    pub counted: i64,
}

/// The pair connection `worker` answers at its `i`-th request: a different pair for every
/// (worker, i) while `i` stays under a challenge's ideas over the connections.
fn pair_of(ideas: &[i64], connections: usize, worker: usize, i: u64) -> (i64, i64) {
    let m = ideas.len();
    let first = (worker + connections * i as usize) % m;
    let second = (first + 1 + i as usize % (m - 1)) % m;
    (ideas[first], ideas[second])
}

pub(crate) async fn pairwise_phases(
    served: &Served,
    gathering: &[i64],
    tokens: Arc<Vec<String>>,
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<PairwiseRun> {
    let store = served.app.store();
    let idea = store
        .idea(gathering[0])
        .await
        .map_err(|e| anyhow!("{e}"))?
        .context("idea vanished")?;
    let challenge = idea
        .challenge_id
        .context("the generated idea is in no challenge")?;
    let ideas = Arc::new(
        store
            .compared_ideas(challenge)
            .await
            .map_err(|e| anyhow!("{e}"))?,
    );
    eprintln!(
        "  pairwise: challenge {challenge} compares {} ideas",
        ideas.len()
    );
    let url = served.url(&format!("/api/v1/challenges/{challenge}/pairwise"));
    let answer = {
        let (url, ideas, tokens) = (url.clone(), ideas.clone(), tokens.clone());
        move |client: &reqwest::Client, worker: usize, i: u64| {
            let (first, second) = pair_of(&ideas, connections, worker, i);
            let pick = ["first", "second", "skip"][i as usize % 3];
            client
                .post(&url)
                .bearer_auth(&tokens[worker])
                .json(&json!({"first_idea_id": first, "second_idea_id": second, "pick": pick}))
        }
    };
    let writes = load(
        "pairwise answers",
        connections,
        Duration::from_secs(60),
        ANSWERS_PER_CONNECTION,
        Arc::new(answer.clone()),
    )
    .await?;
    let sent = writes.requests - writes.errors;
    let ranking = served.url(&format!("/api/v1/challenges/{challenge}/pairwise/ranking"));
    let counted = reqwest::Client::new()
        .get(&ranking)
        .send()
        .await?
        .error_for_status()?
        .json::<serde_json::Value>()
        .await?["answers"]
        .as_i64()
        .context("the ranking has no answer count")?;
    let pair = load(
        "pair to compare, signed in",
        connections,
        seconds,
        u64::MAX,
        signed_in_get(url.clone(), tokens.clone()),
    )
    .await?;
    let ranked = load(
        "pairwise ranking, signed in",
        connections,
        seconds,
        u64::MAX,
        signed_in_get(
            served.url(&format!("/challenges/{challenge}/ranking")),
            tokens.clone(),
        ),
    )
    .await?;
    // Odd requests answer a pair the write phase did not reach; even ones ask for the next pair.
    let session = load(
        "pairwise session (pair, then answer), signed in",
        connections,
        seconds,
        u64::MAX,
        Arc::new(move |client, worker, i| {
            if i % 2 == 0 {
                client.get(&url).bearer_auth(&tokens[worker])
            } else {
                answer(client, worker, ANSWERS_PER_CONNECTION + i / 2)
            }
        }),
    )
    .await?;
    Ok(PairwiseRun {
        phases: vec![writes, pair, ranked, session],
        sent,
        counted,
    })
}
