//! The staff's feedback inbox (filters, paging, closing and reopening several at once) and one
//! piece of feedback, which its author may read too.

use cocreate_app::{FeedbackInbox, FeedbackQuery, FeedbackView};
use cocreate_core::{FeedbackChannel, FeedbackStatus, Rating};
use cocreate_store::{FeedbackAuthor, FeedbackItem};

use super::*;

/// The inbox's filters as they arrive in the address.
#[derive(Deserialize, Default)]
pub(super) struct InboxParams {
    #[serde(default)]
    product: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    tag: String,
    /// Empty shows new feedback; `all` every status.
    #[serde(default)]
    status: String,
    #[serde(default)]
    unanswered: String,
    /// Continue before this id (the previous page's last).
    #[serde(default)]
    before: String,
    done: Option<String>,
}

impl InboxParams {
    fn query(&self) -> Result<FeedbackQuery, AppError> {
        let channel = match self.channel.as_str() {
            "" => None,
            text => Some(text.parse::<FeedbackChannel>()?),
        };
        let status = match self.status.as_str() {
            "" => Some(FeedbackStatus::New),
            "all" => None,
            text => Some(text.parse::<FeedbackStatus>()?),
        };
        Ok(FeedbackQuery {
            product: Some(self.product.clone()).filter(|p| !p.is_empty()),
            channel,
            rating: Rating::parse_optional(&self.rating)?.map(Rating::value),
            tag: Some(self.tag.clone()).filter(|t| !t.is_empty()),
            status,
            unanswered: !self.unanswered.is_empty(),
            before: self.before()?,
            limit: None,
        })
    }

    fn before(&self) -> Result<Option<i64>, AppError> {
        match self.before.as_str() {
            "" => Ok(None),
            text => text
                .parse::<i64>()
                .map(Some)
                .map_err(|_| AppError::invalid("before", "must be a feedback id")),
        }
    }

    /// The inbox's address with these filters, continuing before `before`.
    fn address(&self, before: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("product", self.product.as_str()),
            ("channel", self.channel.as_str()),
            ("rating", self.rating.as_str()),
            ("tag", self.tag.as_str()),
            ("status", self.status.as_str()),
            ("unanswered", self.unanswered.as_str()),
            ("before", before),
        ])
        .unwrap_or_default();
        format!("/feedback?{query}")
    }

    /// This page's address, to come back to after a bulk action.
    pub(super) fn here(&self) -> String {
        self.address(&self.before)
    }
}

/// How the inbox and an item name a piece of feedback's author.
pub(super) fn author_text(author: &FeedbackAuthor) -> String {
    match author {
        FeedbackAuthor::Account { name, .. } => name.clone(),
        FeedbackAuthor::Contact {
            email,
            name: Some(name),
            ..
        } => format!("{name} <{email}>"),
        FeedbackAuthor::Contact { email, .. } => email.clone(),
        FeedbackAuthor::Gone => "someone no longer known".to_owned(),
    }
}

/// Helpers the feedback templates share.
pub(super) struct FeedbackText;

impl FeedbackText {
    pub(super) fn author(item: &FeedbackItem) -> String {
        author_text(&item.author)
    }

    pub(super) fn stars(item: &FeedbackItem) -> String {
        item.rating
            .map(|r| format!("rated {r} of 5"))
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "feedback_inbox.html")]
pub(super) struct InboxPage {
    pub(super) layout: Layout,
    pub(super) inbox: FeedbackInbox,
    pub(super) params: InboxParams,
    pub(super) channels: &'static [FeedbackChannel],
    pub(super) statuses: &'static [FeedbackStatus],
    pub(super) ratings: std::ops::RangeInclusive<i64>,
    pub(super) next_page: Option<String>,
}

pub(super) async fn feedback_inbox(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<InboxParams>,
) -> PageResult {
    let actor = require(&actor)?;
    let inbox = state.app.feedback_inbox(actor, &params.query()?).await?;
    let mut layout = layout(&state, Some(actor)).await?;
    layout.notice = notice_for(params.done.as_deref());
    let next_page = inbox.next.map(|next| params.address(&next.to_string()));
    ok(&InboxPage {
        layout,
        inbox,
        params,
        channels: FeedbackChannel::ALL,
        statuses: FeedbackStatus::ALL,
        ratings: Rating::MIN..=Rating::MAX,
        next_page,
    })
}

/// Closing or reopening: the chosen items (`ids`, repeated), the new status and a reason.
pub(super) async fn set_feedback_status(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let actor = require(&actor)?;
    let value = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    };
    let ids = fields
        .iter()
        .filter(|(key, _)| key == "ids")
        .map(|(_, value)| {
            value
                .parse::<i64>()
                .map_err(|_| AppError::invalid("ids", "not a feedback id"))
        })
        .collect::<Result<Vec<i64>, AppError>>()?;
    let status = value("status")
        .parse::<FeedbackStatus>()
        .map_err(AppError::from)?;
    state
        .app
        .set_feedback_status(actor, &ids, status, value("reason"))
        .await?;
    let done = if status == FeedbackStatus::Closed {
        "feedback-closed"
    } else {
        "feedback-reopened"
    };
    let back = local_path(value("back")).unwrap_or_else(|| "/feedback".to_owned());
    let separator = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{separator}done={done}")).into_response())
}

#[derive(Template)]
#[template(path = "feedback_item.html")]
pub(super) struct ItemPage {
    pub(super) layout: Layout,
    pub(super) view: FeedbackView,
}

pub(super) async fn feedback_item(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require(&actor)?;
    let view = state.app.feedback_item(actor, id).await?;
    let mut layout = layout(&state, Some(actor)).await?;
    layout.notice = notice_for(done.done.as_deref());
    ok(&ItemPage { layout, view })
}
