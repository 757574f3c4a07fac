//! Timelines as pages: "Your timeline" for everyone, any customer's for staff, and the staff's
//! customer list with its filters.

use cocreate_app::{Customer, CustomerList, CustomerQuery, TimelineQuery, TimelineView};
use cocreate_core::{FeedbackChannel, TimelineKind};
use cocreate_store::{FeedbackAuthor, TimelineEvent, TimelineSubject};

use super::feedback::{FeedbackText, author_text};
use super::*;

/// A timeline's filters as they arrive in the address.
#[derive(Deserialize, Default)]
pub(super) struct TimelineParams {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    before: String,
}

impl TimelineParams {
    fn query(&self) -> Result<TimelineQuery, AppError> {
        Ok(TimelineQuery {
            kind: match self.kind.as_str() {
                "" => None,
                text => Some(text.parse::<TimelineKind>()?),
            },
            product: Some(self.product.clone()).filter(|p| !p.is_empty()),
            before: Some(self.before.clone()).filter(|b| !b.is_empty()),
        })
    }
}

/// What each kind of event is called in the filter.
fn kind_label(kind: &TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Proposed => "Ideas proposed",
        TimelineKind::CoAuthored => "Co-authored",
        TimelineKind::Supported => "Supported",
        TimelineKind::Commented => "Comments",
        TimelineKind::Feedback => "Feedback",
        TimelineKind::Answered => "Answers",
        TimelineKind::Stage => "Stage changes",
    }
}

/// One event as a sentence.
fn event_text(event: &TimelineEvent, own: bool) -> String {
    let who = if own { "You" } else { "They" };
    let title = event.title.as_deref().unwrap_or("an idea");
    let product = event.product_name.as_deref().unwrap_or("a product");
    match event.kind {
        TimelineKind::Proposed => format!("{who} proposed “{title}”"),
        TimelineKind::CoAuthored => format!("{who} joined “{title}” as a co-author"),
        TimelineKind::Supported => format!("{who} supported “{title}”"),
        TimelineKind::Commented => format!("{who} commented on “{title}”"),
        TimelineKind::Feedback => {
            let channel = event.channel.map_or("", |c| match c {
                FeedbackChannel::Web => " on the web",
                FeedbackChannel::Api => " through an app",
                FeedbackChannel::Email => " by e-mail",
                FeedbackChannel::Import => " in an imported file",
            });
            let stars = event
                .rating
                .map(|r| format!(", rated {r} of 5"))
                .unwrap_or_default();
            format!("{who} gave feedback on {product}{channel}{stars}")
        }
        TimelineKind::Answered => format!("We answered the feedback on {product}"),
        TimelineKind::Stage => format!(
            "“{title}” moved to {}",
            event
                .to_stage
                .map_or("another stage".to_owned(), |s| s.label().to_lowercase())
        ),
    }
}

/// Where an event leads.
fn event_link(event: &TimelineEvent) -> Option<String> {
    match event.kind {
        TimelineKind::Feedback | TimelineKind::Answered => Some(format!("/feedback/{}", event.id)),
        TimelineKind::Commented => match (event.idea_id, event.challenge_id) {
            (Some(idea), _) => Some(format!("/ideas/{idea}#comment-{}", event.id)),
            (None, Some(challenge)) => {
                Some(format!("/challenges/{challenge}#comment-{}", event.id))
            }
            _ => None,
        },
        _ => event.idea_id.map(|idea| format!("/ideas/{idea}")),
    }
}

#[derive(Template)]
#[template(path = "timeline.html")]
pub(super) struct TimelinePage {
    pub(super) layout: Layout,
    pub(super) view: TimelineView,
    pub(super) params: TimelineParams,
    /// This timeline's address, without filters.
    pub(super) base: String,
    pub(super) kinds: &'static [TimelineKind],
    pub(super) next_page: Option<String>,
}

impl TimelinePage {
    fn address(base: &str, params: &TimelineParams, before: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("kind", params.kind.as_str()),
            ("product", params.product.as_str()),
            ("before", before),
        ])
        .unwrap_or_default();
        format!("{base}?{query}")
    }

    pub(super) fn text(&self, event: &TimelineEvent) -> String {
        event_text(event, self.view.own)
    }

    pub(super) fn link(&self, event: &TimelineEvent) -> Option<String> {
        event_link(event)
    }

    pub(super) fn label(&self, kind: &TimelineKind) -> &'static str {
        kind_label(kind)
    }

    pub(super) fn heading(&self) -> String {
        if self.view.own {
            "Your timeline".to_owned()
        } else {
            self.view.customer.display_name().to_owned()
        }
    }
}

async fn timeline_page(
    state: &WebState,
    actor: &CurrentActor,
    subject: TimelineSubject,
    base: String,
    params: TimelineParams,
) -> PageResult {
    let actor = require(actor)?;
    let view = state.app.timeline(actor, subject, &params.query()?).await?;
    let next_page = view
        .next
        .as_deref()
        .map(|next| TimelinePage::address(&base, &params, next));
    ok(&TimelinePage {
        layout: layout(state, Some(actor)).await?,
        view,
        params,
        base,
        kinds: TimelineKind::ALL,
        next_page,
    })
}

pub(super) async fn my_timeline(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<TimelineParams>,
) -> PageResult {
    let id = require(&actor)?.id;
    timeline_page(
        &state,
        &actor,
        TimelineSubject::Account(id),
        "/timeline".into(),
        params,
    )
    .await
}

pub(super) async fn account_timeline(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(params): Query<TimelineParams>,
) -> PageResult {
    let base = format!("/customers/accounts/{id}");
    timeline_page(&state, &actor, TimelineSubject::Account(id), base, params).await
}

pub(super) async fn contact_timeline(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(params): Query<TimelineParams>,
) -> PageResult {
    let base = format!("/customers/contacts/{id}");
    timeline_page(&state, &actor, TimelineSubject::Contact(id), base, params).await
}

/// The customer list's filters as they arrive in the address.
#[derive(Deserialize, Default)]
pub(super) struct CustomerParams {
    #[serde(default)]
    product: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    before: String,
    done: Option<String>,
}

impl CustomerParams {
    fn query(&self) -> Result<CustomerQuery, AppError> {
        let some = |text: &str| Some(text.to_owned()).filter(|t| !t.is_empty());
        Ok(CustomerQuery {
            product: some(&self.product),
            channel: match self.channel.as_str() {
                "" => None,
                text => Some(text.parse::<FeedbackChannel>()?),
            },
            tag: some(&self.tag),
            since: some(&self.since),
            until: some(&self.until),
            before: some(&self.before),
        })
    }

    fn address(&self, before: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("product", self.product.as_str()),
            ("channel", self.channel.as_str()),
            ("tag", self.tag.as_str()),
            ("since", self.since.as_str()),
            ("until", self.until.as_str()),
            ("before", before),
        ])
        .unwrap_or_default();
        format!("/customers?{query}")
    }
}

/// Where a customer's timeline is.
fn customer_link(author: &FeedbackAuthor) -> Option<String> {
    match author {
        FeedbackAuthor::Account { id, .. } => Some(format!("/customers/accounts/{id}")),
        FeedbackAuthor::Contact { id, .. } => Some(format!("/customers/contacts/{id}")),
        FeedbackAuthor::Gone => None,
    }
}

#[derive(Template)]
#[template(path = "customers.html")]
pub(super) struct CustomersPage {
    pub(super) layout: Layout,
    pub(super) list: CustomerList,
    pub(super) params: CustomerParams,
    pub(super) channels: &'static [FeedbackChannel],
    pub(super) next_page: Option<String>,
}

impl CustomersPage {
    pub(super) fn link(&self, author: &FeedbackAuthor) -> Option<String> {
        customer_link(author)
    }

    pub(super) fn name(&self, author: &FeedbackAuthor) -> String {
        author_text(author)
    }
}

pub(super) async fn customers(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<CustomerParams>,
) -> PageResult {
    let actor = require(&actor)?;
    let list = state.app.customers(actor, &params.query()?).await?;
    let next_page = list.next.as_deref().map(|next| params.address(next));
    let mut layout = layout(&state, Some(actor)).await?;
    layout.notice = notice_for(params.done.as_deref());
    ok(&CustomersPage {
        layout,
        list,
        params,
        channels: FeedbackChannel::ALL,
        next_page,
    })
}
