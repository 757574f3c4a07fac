//! Products and feedback at scale: the catalogue and a product's page for signed-in readers,
//! the staff's inbox (as it opens, and narrowed by channel and rating), the API's list, a piece
//! of feedback and an idea's evidence (1,000 requests linked to it) under load, then feedback
//! sent through the API by every connection at once, with the products' counts checked exact
//! afterwards, and each sender's own feedback read.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use serde_json::json;

use crate::{Phase, Served, Target, load, p99_under_20_ms, share_of_health, signed_in_get};

const READS: [&str; 8] = [
    "catalogue, signed in",
    "product page, signed in",
    "feedback inbox, staff",
    "feedback inbox narrowed to a channel and rating, staff",
    "feedback list (API), staff",
    "a piece of feedback, staff",
    "idea with 1,000 requests as evidence (API), staff",
    "your feedback, signed in",
];
/// Pieces of feedback linked to one idea before its evidence is read.
const EVIDENCE: usize = 1_000;
const WRITES: &str = "feedback sent (API)";
/// Pieces of feedback each connection sends.
const SENT_PER_CONNECTION: u64 = 200;

/// What the feedback writes left behind.
pub(crate) struct FeedbackWritten {
    pub acknowledged: u64,
    pub counted: i64,
    pub miscounted_products: i64,
}

impl FeedbackWritten {
    pub(crate) fn targets(&self, phases: &[Phase], health: &Phase) -> Vec<Target> {
        let mut targets = Vec::new();
        for name in READS {
            if let Some(phase) = phases.iter().find(|p| p.name == name) {
                targets.push(share_of_health(name, phase, health));
                targets.push(p99_under_20_ms(name, phase));
            }
        }
        targets.push((
            "feedback counted on its product after the writes".into(),
            format!(
                "{} counted of {} acknowledged, {} miscounted products",
                self.counted, self.acknowledged, self.miscounted_products
            ),
            "all, exactly".into(),
            u64::try_from(self.counted).ok() == Some(self.acknowledged)
                && self.miscounted_products == 0,
        ));
        targets
    }
}

pub(crate) async fn feedback_phases(
    served: &Served,
    slug: &str,
    tokens: Arc<Vec<String>>,
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<(Vec<Phase>, FeedbackWritten)> {
    let store = served.app.store();
    let (space, product) = busiest_product(served, slug).await?;
    eprintln!(
        "  feedback: {} holds {} pieces of feedback",
        product.slug, product.feedback_count
    );
    let (staff_actor, staff) = crate::staff_with_token(
        &served.app,
        "feedback@bench.cocreate.example",
        "Bench Triage",
    )
    .await?;
    let staff_tokens = Arc::new(vec![staff.as_str().to_owned(); connections]);
    let mut phases = Vec::new();
    let reads = [
        (READS[0], format!("/spaces/{slug}/products"), &tokens),
        (READS[1], format!("/products/{}", product.slug), &tokens),
        (READS[2], "/feedback".to_owned(), &staff_tokens),
        (
            READS[3],
            "/feedback?status=all&channel=email&rating=1".to_owned(),
            &staff_tokens,
        ),
        (
            READS[4],
            format!("/api/v1/feedback?product={}&limit=50", product.slug),
            &staff_tokens,
        ),
    ];
    for (name, path, readers) in reads {
        let request = signed_in_get(served.url(&path), Arc::clone(readers));
        phases.push(load(name, connections, seconds, u64::MAX, request).await?);
    }
    let idea = link_evidence(served, &staff_actor, space.id).await?;
    let newest = store
        .feedback_list(&cocreate_store::FeedbackFilter {
            space_ids: &[space.id],
            limit: 1,
            ..cocreate_store::FeedbackFilter::default()
        })
        .await
        .map_err(|e| anyhow!("{e}"))?
        .first()
        .map(|item| item.id)
        .context("no feedback to read")?;
    let items: Arc<Vec<String>> = Arc::new(
        (0..2_000)
            .map(|k| served.url(&format!("/feedback/{}", newest - k * 37)))
            .collect(),
    );
    let staff_token = Arc::clone(&staff);
    phases.push(
        load(
            READS[5],
            connections,
            seconds,
            u64::MAX,
            Arc::new(move |client, worker, i| {
                let url = &items[(worker * 61 + i as usize) % items.len()];
                client.get(url).bearer_auth(staff_token.as_str())
            }),
        )
        .await?,
    );
    let request = signed_in_get(
        served.url(&format!("/api/v1/ideas/{idea}/evidence")),
        Arc::clone(&staff_tokens),
    );
    phases.push(load(READS[6], connections, seconds, u64::MAX, request).await?);

    let url = served.url("/api/v1/feedback");
    let target = product.slug.clone();
    let tokens_for_own = Arc::clone(&tokens);
    let writes = load(
        WRITES,
        connections,
        Duration::from_secs(60),
        SENT_PER_CONNECTION,
        Arc::new(move |client, worker, i| {
            client.post(&url).bearer_auth(&tokens[worker]).json(&json!({
                "product": target,
                "body": format!("Benchmark note {i} from connection {worker}."),
                "rating": 1 + (i % 5),
            }))
        }),
    )
    .await?;
    let acknowledged = writes.requests - writes.errors;
    let after = store
        .product_by_slug(&product.slug)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .context("the product vanished")?;
    let written = FeedbackWritten {
        acknowledged,
        counted: after.feedback_count - product.feedback_count,
        miscounted_products: store
            .miscounted_products()
            .await
            .map_err(|e| anyhow!("{e}"))?,
    };
    phases.push(writes);
    // Each connection's account now has its feedback to list.
    let request = signed_in_get(served.url("/my/feedback"), tokens_for_own);
    phases.push(load(READS[7], connections, seconds, u64::MAX, request).await?);
    Ok((phases, written))
}

/// The generated space and its product with the most feedback.
pub(crate) async fn busiest_product(
    served: &Served,
    slug: &str,
) -> anyhow::Result<(cocreate_store::Space, cocreate_store::Product)> {
    let store = served.app.store();
    let space = store
        .space_by_slug(slug)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .context("no generated space")?;
    let product = store
        .products_of_space(space.id)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .into_iter()
        .max_by_key(|p| p.feedback_count)
        .context("the generated space has no products")?;
    Ok((space, product))
}

/// Links the newest pieces of feedback to the space's newest open idea as its evidence;
/// answers the idea's id.
async fn link_evidence(
    served: &Served,
    staff: &cocreate_app::Actor,
    space_id: i64,
) -> anyhow::Result<i64> {
    let store = served.app.store();
    let ids: Vec<i64> = store
        .feedback_list(&cocreate_store::FeedbackFilter {
            space_ids: &[space_id],
            limit: EVIDENCE as i64,
            ..cocreate_store::FeedbackFilter::default()
        })
        .await
        .map_err(|e| anyhow!("{e}"))?
        .iter()
        .map(|item| item.id)
        .collect();
    let idea = store
        .ideas(&cocreate_store::IdeaQuery {
            space_id,
            challenge_id: None,
            stage: Some(cocreate_core::Stage::Gathering),
            tag: None,
            order: cocreate_store::IdeaOrder::Newest,
            viewer_id: None,
            all_drafts: false,
            after: None,
            limit: 1,
        })
        .await
        .map_err(|e| anyhow!("{e}"))?
        .first()
        .map(|idea| idea.id)
        .context("no open idea to link feedback to")?;
    for chunk in ids.chunks(cocreate_app::MAX_BULK_FEEDBACK) {
        served
            .app
            .link_feedback(staff, chunk, idea)
            .await
            .map_err(|e| anyhow!("{e}"))?;
    }
    Ok(idea)
}
