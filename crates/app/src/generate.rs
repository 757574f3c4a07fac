//! Generated data at scale, for trying Cocreate with a realistic volume and for benchmarks: a
//! public space with challenges, many accounts, ideas, supports and threaded comments, products
//! and feedback on them, loaded in
//! bulk with every counter, tier and rank computed exactly as the use cases would.

use cocreate_core::ranks::{hot, trending_since};
use cocreate_core::{
    AccountKind, Audience, OrgRole, Stage, SupportRules, TierOutcome, Timestamp, markdown,
};
use cocreate_store::{
    ChallengeFields, LoadedIdea, NewAccount, NewComment, NewIdea, NewSpace, Subject,
};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::seq::{SliceRandom, index};
use rand::{Rng, SeedableRng};

use crate::{App, AppError, AppResult, secrets};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratePlan {
    pub accounts: usize,
    pub ideas: usize,
    pub supports: usize,
    pub comments: usize,
    /// Pieces of feedback on the space's products.
    pub feedback: usize,
    /// The same seed generates the same data set.
    pub seed: u64,
}

impl GeneratePlan {
    /// `ideas` ideas with 10 supports and 3 comments each on average, 2 pieces of feedback per
    /// idea, and one account per 5 ideas (at least 1,000, so the most supported ideas find
    /// enough distinct supporters).
    pub fn scaled(ideas: usize) -> Self {
        Self {
            accounts: (ideas / 5).max(1_000),
            ideas,
            supports: ideas * 10,
            comments: ideas * 3,
            feedback: ideas * 2,
            seed: 7,
        }
    }

    fn check(&self) -> AppResult<()> {
        let limits = [
            ("accounts", self.accounts, 1, 10_000_000),
            ("ideas", self.ideas, 1, 10_000_000),
            ("supports", self.supports, 0, 100_000_000),
            ("comments", self.comments, 0, 100_000_000),
            ("feedback", self.feedback, 0, 100_000_000),
        ];
        for (field, value, min, max) in limits {
            if !(min..=max).contains(&value) {
                return Err(AppError::invalid(
                    field,
                    format!("must be between {min} and {max}"),
                ));
            }
        }
        if self.supports > self.ideas.saturating_mul(self.accounts) {
            return Err(AppError::invalid(
                "supports",
                "cannot exceed ideas × accounts (one support per account per idea)",
            ));
        }
        Ok(())
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub space_slug: String,
    pub account_ids: Vec<i64>,
    pub idea_ids: Vec<i64>,
    pub supports: usize,
    pub comments: usize,
    /// The slugs of the space's products.
    pub product_slugs: Vec<String>,
    pub feedback: usize,
}

/// The password of every generated account.
pub const GENERATED_PASSWORD: &str = "cocreate-demo";

/// Ideas per transaction: bounds memory and shows progress.
const BATCH: usize = 5_000;
/// Ideas are published within this many days before now, inside the first tier's window, so all
/// of them are still gathering support (or in review) when the data set is used.
const SPREAD_DAYS: i64 = 55;
const DAY: i64 = 24 * 60 * 60 * 1000;

const ADJECTIVES: &[&str] = &[
    "Lighter",
    "Modular",
    "Solar",
    "Foldable",
    "Repairable",
    "Quieter",
    "Warmer",
    "Recycled",
    "Waterproof",
    "Compact",
    "Refillable",
    "Insulated",
    "Adjustable",
    "Reflective",
    "Stackable",
];
const PRODUCTS: &[&str] = &[
    "tent poles",
    "backpack frame",
    "camp stove",
    "sleeping bag",
    "water filter",
    "headlamp",
    "rain jacket",
    "trekking poles",
    "cook set",
    "hammock",
    "map case",
    "tent pegs",
    "dry bag",
    "camp chair",
    "lantern",
];
const REASONS: &[&str] = &[
    "so a long trail weighs less",
    "so it lasts more than one season",
    "so families can set it up in minutes",
    "so it works in freezing rain",
    "so spare parts can be swapped on the trail",
    "so it packs into the side pocket",
];
const TAGS: &[&str] = &[
    "weight",
    "durability",
    "repair",
    "winter",
    "family",
    "packing",
    "safety",
    "price",
];
const REMARKS: &[&str] = &[
    "I would buy this tomorrow.",
    "We tried something similar on a week-long trip and it held up well.",
    "Could this share parts with the current model?",
    "Please keep the price close to today's.",
    "A **bright colour** would help find it in the dark.",
    "How would this survive a river crossing?",
    "Our scout group would test a prototype.",
    "Agreed — the current one is the weak point of my kit.",
];

impl App {
    /// Fills the database with a generated public space (see the module documentation).
    /// `progress` hears a line after each batch.
    pub async fn generate(
        &self,
        plan: &GeneratePlan,
        progress: &(dyn Fn(&str) + Sync),
    ) -> AppResult<Generated> {
        plan.check()?;
        let mut rng = StdRng::seed_from_u64(plan.seed);
        let now = self.now();
        // Each run gets its own space and addresses, so generating twice adds a second set.
        let run = format!("{:x}", now.millis());
        let password_hash = secrets::hash_password(GENERATED_PASSWORD.to_owned()).await?;
        let rules = SupportRules::default();
        let tiers = rules.to_string();

        let (space_slug, space_id, challenge_ids, account_ids) = {
            let mut tx = self.store.begin().await?;
            let emails: Vec<String> = (0..plan.accounts)
                .map(|n| format!("person{n}.{run}@generated.cocreate.example"))
                .collect();
            let names: Vec<String> = (0..plan.accounts).map(|n| format!("Person {n}")).collect();
            let handles: Vec<String> = (0..plan.accounts)
                .map(|n| format!("person{n}_{run}"))
                .collect();
            let accounts: Vec<NewAccount<'_>> = emails
                .iter()
                .zip(&names)
                .zip(&handles)
                .enumerate()
                .map(|(n, ((email, name), handle))| NewAccount {
                    email,
                    name,
                    handle,
                    password_hash: &password_hash,
                    kind: [
                        AccountKind::Customer,
                        AccountKind::Employee,
                        AccountKind::Partner,
                    ][usize::from(n % 10 == 0) + usize::from(n % 20 == 0)],
                    role: OrgRole::Member,
                    created_at: now.plus_millis(-SPREAD_DAYS * DAY - 1000),
                })
                .collect();
            let account_ids = tx.load_accounts(&accounts).await?;
            let slug = format!("generated-{run}");
            let space = tx
                .insert_space(&NewSpace {
                    slug: &slug,
                    name: &format!("Generated ideas {run}"),
                    description: "A generated data set: challenges, ideas, supports and comments at scale.",
                    audience: Audience::Public,
                    created_by: account_ids[0],
                    created_at: now.plus_millis(-SPREAD_DAYS * DAY - 1000),
                })
                .await?;
            let mut challenge_ids = Vec::new();
            for product in PRODUCTS.iter().take(10) {
                let title = format!("How might we improve our {product}?");
                let problem = format!(
                    "Tell us what holds our {product} back on the trail, and what would fix it."
                );
                let fields = ChallengeFields {
                    title: &title,
                    problem: &problem,
                    problem_html: &markdown::render(&problem),
                    questions: "What breaks first?\nWhat would you pay for?",
                    tags: "weight,durability,repair",
                    tiers: &tiers,
                    opens_at: None,
                    closes_at: None,
                };
                let id = tx
                    .insert_challenge(
                        space.id,
                        &fields,
                        account_ids[0],
                        now.plus_millis(-SPREAD_DAYS * DAY),
                    )
                    .await?;
                challenge_ids.push(id);
            }
            tx.commit().await?;
            (slug, space.id, challenge_ids, account_ids)
        };

        let support_counts = spread(&mut rng, plan.supports, plan.ideas, plan.accounts);
        let comment_counts = spread(&mut rng, plan.comments, plan.ideas, usize::MAX);
        let mut idea_ids = Vec::with_capacity(plan.ideas);
        for start in (0..plan.ideas).step_by(BATCH) {
            let end = (start + BATCH).min(plan.ideas);
            let batch = Batch::generate(
                &mut rng,
                &support_counts[start..end],
                &comment_counts[start..end],
                &account_ids,
                now,
            );
            let ids = self
                .load_batch(
                    &batch,
                    space_id,
                    &challenge_ids,
                    &account_ids,
                    &rules,
                    &tiers,
                    now,
                    &mut rng,
                )
                .await?;
            idea_ids.extend(ids);
            progress(&format!(
                "{} of {} ideas loaded with their supports and comments",
                end, plan.ideas
            ));
        }
        let voice = self
            .generate_voice(
                &mut rng,
                space_id,
                &run,
                PRODUCTS,
                &idea_ids,
                &account_ids,
                plan.feedback,
                now,
                SPREAD_DAYS * DAY,
                progress,
            )
            .await?;
        self.store.finish_load().await?;
        Ok(Generated {
            space_slug,
            account_ids,
            idea_ids,
            supports: plan.supports,
            comments: plan.comments,
            product_slugs: voice.product_slugs,
            feedback: voice.feedback,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn load_batch(
        &self,
        batch: &Batch,
        space_id: i64,
        challenge_ids: &[i64],
        account_ids: &[i64],
        rules: &SupportRules,
        tiers: &str,
        now: Timestamp,
        rng: &mut StdRng,
    ) -> AppResult<Vec<i64>> {
        let texts: Vec<(String, String, String, String)> =
            batch.ideas.iter().map(|_| idea_text(rng)).collect();
        let mut loaded = Vec::with_capacity(batch.ideas.len());
        let mut reached_review = Vec::new();
        for (n, (idea, (title, body, body_html, tags))) in
            batch.ideas.iter().zip(&texts).enumerate()
        {
            let (stage, tier, tier_deadline) = match rules.advance(
                rules.start(idea.created_at),
                idea.supporters(),
                idea.created_at,
            ) {
                TierOutcome::Gathering(state) => {
                    (Stage::Gathering, state.tier, Some(state.deadline))
                }
                TierOutcome::ReachedReview => {
                    reached_review.push(n);
                    (Stage::Review, rules.tiers().len() as i64, None)
                }
            };
            loaded.push(LoadedIdea {
                idea: NewIdea {
                    space_id,
                    // One idea in five goes to the space's open ideas box.
                    challenge_id: (n % 5 != 0)
                        .then(|| challenge_ids[rng.random_range(0..challenge_ids.len())]),
                    title,
                    body,
                    body_html,
                    tags,
                    author_id: account_ids[rng.random_range(0..account_ids.len())],
                    stage,
                    tiers,
                    tier_deadline,
                    hot: hot(idea.supporters(), idea.comments as i64, idea.created_at),
                    created_at: idea.created_at,
                },
                supporters: idea.supporters(),
                comments: idea.comments as i64,
                tier,
                trending: idea.trending(now),
            });
        }

        let mut tx = self.store.begin().await?;
        let ids = tx.load_ideas(&loaded).await?;
        for n in reached_review {
            self.record_reached_review(&mut *tx, ids[n], batch.ideas[n].supporters())
                .await?;
        }
        let supports: Vec<(i64, i64, Timestamp)> = batch
            .ideas
            .iter()
            .zip(&ids)
            .flat_map(|(idea, id)| {
                idea.supports
                    .iter()
                    .map(|(account, at)| (*id, *account, *at))
            })
            .collect();
        tx.load_supports(&supports).await?;

        // Comments: about two in three start a thread; the rest reply to one.
        let remarks: Vec<(String, String)> = REMARKS
            .iter()
            .map(|r| ((*r).to_owned(), markdown::render(r)))
            .collect();
        let comment = |rng: &mut StdRng, idea_id: i64, at: Timestamp| {
            let (body, body_html) = &remarks[rng.random_range(0..remarks.len())];
            NewComment {
                subject: Subject::Idea(idea_id),
                parent_id: None,
                depth: 0,
                author_id: account_ids[rng.random_range(0..account_ids.len())],
                body,
                body_html,
                official: false,
                created_at: at,
            }
        };
        let mut threads = Vec::new();
        let mut replies_due = Vec::new();
        for (idea, id) in batch.ideas.iter().zip(&ids) {
            let starts = idea.comments - idea.comments / 3;
            for _ in 0..starts {
                let at = between(rng, idea.created_at, now);
                threads.push(comment(rng, *id, at));
            }
            replies_due.push((*id, idea.comments - starts));
        }
        let started = tx.load_comments(&threads).await?;
        let mut thread_of: std::collections::HashMap<Subject, Vec<(i64, Timestamp)>> =
            std::collections::HashMap::new();
        for ((comment_id, subject), new) in started.iter().zip(&threads) {
            thread_of
                .entry(*subject)
                .or_default()
                .push((*comment_id, new.created_at));
        }
        let mut replies = Vec::new();
        for (idea_id, count) in replies_due {
            let Some(parents) = thread_of.get(&Subject::Idea(idea_id)) else {
                continue;
            };
            for _ in 0..count {
                let (parent, parent_at) = parents[rng.random_range(0..parents.len())];
                let at = between(rng, parent_at, now);
                let mut reply = comment(rng, idea_id, at);
                reply.parent_id = Some(parent);
                reply.depth = 1;
                replies.push(reply);
            }
        }
        tx.load_comments(&replies).await?;
        tx.commit().await?;
        Ok(ids)
    }
}

/// One batch of generated ideas, before it is stored.
struct Batch {
    ideas: Vec<GeneratedIdea>,
}

struct GeneratedIdea {
    created_at: Timestamp,
    /// (account id, when) of each supporter.
    supports: Vec<(i64, Timestamp)>,
    comments: usize,
}

impl GeneratedIdea {
    fn supporters(&self) -> i64 {
        self.supports.len() as i64
    }

    fn trending(&self, now: Timestamp) -> i64 {
        let since = trending_since(now);
        self.supports.iter().filter(|(_, at)| *at >= since).count() as i64
    }
}

impl Batch {
    fn generate(
        rng: &mut StdRng,
        supports: &[usize],
        comments: &[usize],
        account_ids: &[i64],
        now: Timestamp,
    ) -> Self {
        let ideas = supports
            .iter()
            .zip(comments)
            .map(|(&count, &comments)| {
                let created_at = now.plus_millis(-rng.random_range(DAY..SPREAD_DAYS * DAY));
                let supports = index::sample(rng, account_ids.len(), count)
                    .into_iter()
                    .map(|n| (account_ids[n], between(rng, created_at, now)))
                    .collect();
                GeneratedIdea {
                    created_at,
                    supports,
                    comments,
                }
            })
            .collect();
        Self { ideas }
    }
}

/// Splits `total` over `slots` with a long tail (a few ideas draw many supporters, most draw a
/// few), each slot at most `cap`; the counts add up to `total` exactly.
fn spread(rng: &mut StdRng, total: usize, slots: usize, cap: usize) -> Vec<usize> {
    // Zipf-like weights 1/rank^0.8, shuffled so popularity does not follow creation order.
    let mut weights: Vec<f64> = (1..=slots)
        .map(|rank| 1.0 / (rank as f64).powf(0.8))
        .collect();
    weights.shuffle(rng);
    let sum: f64 = weights.iter().sum();
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| ((total as f64 * w / sum) as usize).min(cap))
        .collect();
    let mut missing = total - counts.iter().sum::<usize>().min(total);
    if missing > 0
        && let Ok(pick) = WeightedIndex::new(&weights)
    {
        while missing > 0 {
            let slot = pick.sample(rng);
            if counts[slot] < cap {
                counts[slot] += 1;
                missing -= 1;
            }
        }
    }
    counts
}

fn between(rng: &mut StdRng, from: Timestamp, to: Timestamp) -> Timestamp {
    if to.millis() <= from.millis() {
        return from;
    }
    Timestamp(rng.random_range(from.millis()..to.millis()))
}

/// A title, body (Markdown and HTML) and stored tags.
fn idea_text(rng: &mut StdRng) -> (String, String, String, String) {
    let adjective = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    let product = PRODUCTS[rng.random_range(0..PRODUCTS.len())];
    let reason = REASONS[rng.random_range(0..REASONS.len())];
    let title = format!("{adjective} {product}");
    let body = format!(
        "Make the {product} {} {reason}.\n\n- keep what works today\n- test it with people who use it every week",
        adjective.to_lowercase()
    );
    let first = TAGS[rng.random_range(0..TAGS.len())];
    let second = TAGS[rng.random_range(0..TAGS.len())];
    let tags = if first == second {
        format!(",{first},")
    } else {
        format!(",{first},{second},")
    };
    let html = markdown::render(&body);
    (title, body, html, tags)
}
