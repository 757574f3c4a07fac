//! The customer voice of a generated data set: a catalogue of products, one idea in four naming
//! the product it is about, and feedback on the products from accounts and from contacts known
//! by e-mail, over every channel, with the products' counts made exact afterwards.

use cocreate_core::{FeedbackChannel, ProductStatus, Slug, Timestamp};
use cocreate_store::{EMAIL_CONTACTS, NewFeedback, NewProduct};
use rand::Rng;
use rand::rngs::StdRng;

use crate::{App, AppResult};

/// Feedback rows per transaction: bounds memory and shows progress.
const FEEDBACK_BATCH: usize = 20_000;
/// Contacts known by e-mail only who give part of the generated feedback.
const CONTACTS: usize = 2_000;

const PRAISE: &[&str] = &[
    "Love the {product}: it survived a week of rain without a complaint.",
    "The {product} is light and packs small. Great work.",
    "Best {product} I have owned; the whole family uses it.",
];
const COMPLAINTS: &[&str] = &[
    "The {product} broke on the second trip; the hinge snapped in the cold.",
    "Too heavy for long trails. Please make the {product} lighter.",
    "The {product} leaks at the seams after a few washes.",
    "Spare parts for the {product} are impossible to find.",
];
const QUESTIONS: &[&str] = &[
    "Will the {product} come in a children's size?",
    "Can I repair the {product} myself, or must it go back to the shop?",
];

/// What the voice of a generated space holds.
pub(crate) struct GeneratedVoice {
    pub product_slugs: Vec<String>,
    pub feedback: usize,
}

impl App {
    /// Adds products named `names` to the space, links one idea in four to one of them, and
    /// loads `feedback` pieces of feedback by `account_ids` and by generated contacts.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn generate_voice(
        &self,
        rng: &mut StdRng,
        space_id: i64,
        run: &str,
        names: &[&str],
        idea_ids: &[i64],
        account_ids: &[i64],
        feedback: usize,
        now: Timestamp,
        spread_millis: i64,
        progress: &(dyn Fn(&str) + Sync),
    ) -> AppResult<GeneratedVoice> {
        let mut tx = self.store.begin().await?;
        let mut products = Vec::with_capacity(names.len());
        for (n, name) in names.iter().enumerate() {
            let slug = Slug::from_name(&format!("{name} {run}"))?;
            let status = if n % 7 == 6 {
                ProductStatus::Planned
            } else {
                ProductStatus::Available
            };
            let product = tx
                .insert_product(&NewProduct {
                    space_id,
                    slug: slug.as_str(),
                    name: &capitalised(name),
                    description: &format!("Our {name}, shaped by the people who carry it."),
                    status,
                    created_at: now.plus_millis(-spread_millis),
                })
                .await?;
            products.push(product);
        }
        let pairs: Vec<(i64, i64)> = idea_ids
            .iter()
            .step_by(4)
            .map(|idea| (*idea, products[rng.random_range(0..products.len())].id))
            .collect();
        tx.load_idea_products(&pairs).await?;
        let emails: Vec<String> = (0..CONTACTS)
            .map(|n| format!("customer{n}.{run}@contacts.cocreate.example"))
            .collect();
        let contacts = tx.load_contacts(EMAIL_CONTACTS, &emails, now).await?;
        tx.commit().await?;

        for start in (0..feedback).step_by(FEEDBACK_BATCH) {
            let end = (start + FEEDBACK_BATCH).min(feedback);
            let texts: Vec<(usize, String, Option<i64>)> = (start..end)
                .map(|_| {
                    let product = rng.random_range(0..products.len());
                    let (text, rating) = feedback_text(rng, names[product]);
                    (product, text, rating)
                })
                .collect();
            let rows: Vec<NewFeedback<'_>> = texts
                .iter()
                .map(|(product, text, rating)| {
                    let by_contact = rng.random_ratio(1, 5);
                    let channel = match rng.random_range(0..10) {
                        0..=4 => FeedbackChannel::Web,
                        5..=6 => FeedbackChannel::Api,
                        7..=8 => FeedbackChannel::Email,
                        _ => FeedbackChannel::Import,
                    };
                    NewFeedback {
                        product_id: products[*product].id,
                        body: text,
                        rating: *rating,
                        channel,
                        author_account_id: (!by_contact)
                            .then(|| account_ids[rng.random_range(0..account_ids.len())]),
                        author_contact_id: by_contact
                            .then(|| contacts[rng.random_range(0..contacts.len())]),
                        submitted_by: None,
                        tags: "",
                        created_at: now.plus_millis(-rng.random_range(0..spread_millis)),
                    }
                })
                .collect();
            let mut tx = self.store.begin().await?;
            tx.load_feedback(&rows).await?;
            tx.commit().await?;
            progress(&format!("{end} of {feedback} pieces of feedback loaded"));
        }
        let mut tx = self.store.begin().await?;
        tx.recount_products(space_id).await?;
        tx.commit().await?;
        Ok(GeneratedVoice {
            product_slugs: products.into_iter().map(|p| p.slug).collect(),
            feedback,
        })
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A piece of feedback about `product` and its rating: praise rates high, complaints low,
/// questions rarely rate.
fn feedback_text(rng: &mut StdRng, product: &str) -> (String, Option<i64>) {
    let (templates, rating) = match rng.random_range(0..10) {
        0..=3 => (PRAISE, Some(rng.random_range(4..=5))),
        4..=8 => (COMPLAINTS, Some(rng.random_range(1..=3))),
        _ => (QUESTIONS, None),
    };
    let template = templates[rng.random_range(0..templates.len())];
    (template.replace("{product}", product), rating)
}
