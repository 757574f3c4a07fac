//! Moderation: flags and the moderators' queue.

use super::*;

#[derive(Deserialize)]
pub(super) struct FlagFields {
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) id: i64,
    #[serde(default)]
    pub(super) reason: String,
}

pub(super) fn content_kind(text: &str) -> Result<ContentKind, AppError> {
    text.parse()
        .map_err(|_| AppError::invalid("kind", "must be idea or comment"))
}

/// The idea or challenge a flagged or moderated item belongs to, for the way back.
pub(super) async fn subject_of(
    state: &WebState,
    actor: &Actor,
    kind: ContentKind,
    id: i64,
) -> Result<Subject, AppError> {
    match kind {
        ContentKind::Idea => Ok(Subject::Idea(id)),
        ContentKind::Comment => state.app.comment_subject(actor, id).await,
    }
}

pub(super) async fn flag(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(fields): PageForm<FlagFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let kind = content_kind(&fields.kind)?;
    match state.app.flag(actor, kind, fields.id, &fields.reason).await {
        Ok(()) => {
            let subject = subject_of(&state, actor, kind, fields.id).await?;
            Ok(Redirect::to(&format!("{}?done=flagged", subject.path())).into_response())
        }
        Err(error) => {
            let form_error = FormError::from_app(error)?;
            let subject = subject_of(&state, actor, kind, fields.id).await?;
            discussion_page(&state, actor, subject, form_error).await
        }
    }
}

#[derive(Template)]
#[template(path = "moderation.html")]
pub(super) struct ModerationPage {
    pub(super) layout: Layout,
    pub(super) items: Vec<FlagView>,
}

impl ModerationPage {
    /// The anchor of the item after the one at `index`, or nothing after the last.
    fn anchor_after(&self, index: usize) -> String {
        self.items
            .get(index + 1)
            .map(|next| format!("flag-{}", next.flag.id))
            .unwrap_or_default()
    }
}

pub(super) async fn moderation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let actor = require(&actor)?;
    let items = state.app.moderation_queue(actor).await?;
    let mut layout = layout(&state, Some(actor)).await?;
    layout.notice = notice_for(query.done.as_deref());
    ok(&ModerationPage { layout, items })
}

#[derive(Deserialize)]
pub(super) struct ReasonFields {
    #[serde(default)]
    pub(super) reason: String,
    /// Set by the queue's forms: the queue, at the item after this one.
    #[serde(default)]
    pub(super) back_to_queue: Option<String>,
}

/// Where a moderator goes after acting from the queue: back to it, at the next item (the
/// anchor `#flag-N`), with the outcome said.
fn back_to_queue(anchor: &str) -> String {
    let flag = anchor
        .strip_prefix("flag-")
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    match flag {
        Some(id) => format!("/moderation?done=moderated#flag-{id}"),
        None => "/moderation?done=moderated".to_owned(),
    }
}

pub(super) async fn moderate(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((kind, id, action)): Path<(String, i64, String)>,
    PageForm(fields): PageForm<ReasonFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let kind = content_kind(&kind)?;
    let resolution = match action.as_str() {
        "hide" => Resolution::Hide,
        "show" => Resolution::Show,
        "dismiss" => Resolution::Dismiss,
        _ => return Err(HttpError::not_found().into()),
    };
    match state
        .app
        .moderate(actor, kind, id, resolution, &fields.reason)
        .await
    {
        Ok(subject) => {
            let to = match &fields.back_to_queue {
                Some(anchor) => back_to_queue(anchor),
                None => format!("{}?done=moderated", subject.path()),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(error) => {
            let form_error = FormError::from_app(error)?;
            let subject = subject_of(&state, actor, kind, id).await?;
            discussion_page(&state, actor, subject, form_error).await
        }
    }
}
