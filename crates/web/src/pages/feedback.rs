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
    let ids = chosen_ids(&fields)?;
    let status = form_value(&fields, "status")
        .parse::<FeedbackStatus>()
        .map_err(AppError::from)?;
    state
        .app
        .set_feedback_status(actor, &ids, status, form_value(&fields, "reason"))
        .await?;
    let done = if status == FeedbackStatus::Closed {
        "feedback-closed"
    } else {
        "feedback-reopened"
    };
    Ok(back_with(form_value(&fields, "back"), done))
}

/// A bulk form's first value named `name` (empty when missing).
fn form_value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, value)| value.as_str())
}

/// The feedback chosen in a bulk form: every `ids` value.
fn chosen_ids(fields: &[(String, String)]) -> Result<Vec<i64>, AppError> {
    fields
        .iter()
        .filter(|(key, _)| key == "ids")
        .map(|(_, value)| {
            value
                .parse::<i64>()
                .map_err(|_| AppError::invalid("ids", "not a feedback id"))
        })
        .collect()
}

/// Back to the page the form was on (the inbox by default), saying what was done.
fn back_with(back: &str, done: &str) -> Response {
    let back = local_path(back).unwrap_or_else(|| "/feedback".to_owned());
    let separator = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{back}{separator}done={done}")).into_response()
}

/// What the item page's forms hold, as typed when one was refused.
#[derive(Deserialize, Default)]
pub(super) struct ItemFields {
    #[serde(default)]
    pub(super) answer: String,
    #[serde(default)]
    pub(super) idea: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) body: String,
}

#[derive(Template)]
#[template(path = "feedback_item.html")]
pub(super) struct ItemPage {
    pub(super) layout: Layout,
    pub(super) view: FeedbackView,
    pub(super) fields: ItemFields,
    pub(super) error: FormError,
    /// Which form the error belongs to: `answer`, `link` or `idea`.
    pub(super) refused_form: &'static str,
}

async fn item_page(
    state: &WebState,
    actor: &Actor,
    id: i64,
    notice: Option<&'static str>,
    fields: ItemFields,
    refusal: Option<(&'static str, FormError)>,
) -> PageResult {
    let view = state.app.feedback_item(actor, id).await?;
    let mut layout = layout(state, Some(actor)).await?;
    layout.notice = notice;
    let (refused_form, error) = refusal.unwrap_or_default();
    let page = ItemPage {
        layout,
        view,
        fields,
        error,
        refused_form,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn feedback_item(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require(&actor)?;
    let notice = notice_for(done.done.as_deref());
    item_page(&state, actor, id, notice, ItemFields::default(), None).await
}

/// The idea a person points at: its number, `#12`, or its address (`/ideas/12`, or with the
/// site in front).
fn idea_number(text: &str) -> Result<i64, AppError> {
    let text = text.trim().trim_end_matches('/');
    let number = text
        .rsplit_once("/ideas/")
        .map_or(text, |(_, after)| after)
        .trim_start_matches('#');
    number
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            AppError::invalid(
                "idea_id",
                "must be the idea's number or its address, such as /ideas/12",
            )
        })
}

/// Shows the item page again with the form's refusal, or the page error it is.
async fn refused_on_item(
    state: &WebState,
    actor: &Actor,
    id: i64,
    form: &'static str,
    fields: ItemFields,
    error: AppError,
) -> PageResult {
    let error = FormError::from_app(error)?;
    item_page(state, actor, id, None, fields, Some((form, error))).await
}

pub(super) async fn answer_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<ItemFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.answer_feedback(actor, id, &fields.answer).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/feedback/{id}?done=feedback-answered")).into_response())
        }
        Err(error) => refused_on_item(&state, actor, id, "answer", fields, error).await,
    }
}

pub(super) async fn link_one(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<ItemFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let linked = match idea_number(&fields.idea) {
        Ok(idea) => state.app.link_feedback(actor, &[id], idea).await,
        Err(error) => Err(error),
    };
    match linked {
        Ok(_) => Ok(Redirect::to(&format!("/feedback/{id}?done=feedback-linked")).into_response()),
        Err(error) => refused_on_item(&state, actor, id, "link", fields, error).await,
    }
}

pub(super) async fn idea_from_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<ItemFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .idea_from_feedback(actor, id, &fields.title, &fields.body)
        .await
    {
        Ok(idea) => Ok(
            Redirect::to(&format!("/ideas/{}?done=idea-from-feedback", idea.id)).into_response(),
        ),
        Err(error) => refused_on_item(&state, actor, id, "idea", fields, error).await,
    }
}

/// Linking the chosen items of the inbox (`ids`, repeated) to the idea typed.
pub(super) async fn link_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> PageResult {
    let actor = require(&actor)?;
    let ids = chosen_ids(&fields)?;
    let idea = idea_number(form_value(&fields, "idea"))?;
    state.app.link_feedback(actor, &ids, idea).await?;
    Ok(back_with(form_value(&fields, "back"), "feedback-linked"))
}

pub(super) async fn claim_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    let actor = require(&actor)?;
    ok(&ConfirmPage {
        layout: layout(&state, Some(actor)).await?,
        heading: "Keep your earlier feedback",
        text: "The feedback you gave with your address before you had an account becomes part of your account, with our answers.",
        action: format!("/feedback/claim/{token}"),
        submit: "Add it to my account",
        back: None,
        destructive: false,
    })
}

pub(super) async fn claim(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    let actor = require(&actor)?;
    let moved = state.app.claim_feedback(actor, &token).await?;
    ok(&MessagePage {
        layout: layout(&state, Some(actor)).await?,
        heading: "Your feedback is in your account",
        text: if moved == 1 {
            "One piece of feedback is yours now.".to_owned()
        } else {
            format!("{moved} pieces of feedback are yours now.")
        },
        link: Some(("/my/feedback", "See your feedback")),
    })
}

#[derive(Deserialize, Default)]
pub(super) struct OwnParams {
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "my_feedback.html")]
pub(super) struct OwnPage {
    pub(super) layout: Layout,
    pub(super) own: cocreate_app::OwnFeedback,
}

pub(super) async fn own_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<OwnParams>,
) -> PageResult {
    let actor = require(&actor)?;
    let own = state.app.own_feedback(actor, params.before).await?;
    ok(&OwnPage {
        layout: layout(&state, Some(actor)).await?,
        own,
    })
}
