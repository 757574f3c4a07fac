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
            Ok(Redirect::to(&format!("{}?done=moderated", subject.path())).into_response())
        }
        Err(error) => {
            let form_error = FormError::from_app(error)?;
            let subject = subject_of(&state, actor, kind, id).await?;
            discussion_page(&state, actor, subject, form_error).await
        }
    }
}
