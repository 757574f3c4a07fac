//! Ideas: the idea page, support, publishing, stage changes and merges, editing and revisions, co-authors, and files.

use super::*;

#[derive(Deserialize, Default, Clone)]
pub struct IdeaFields {
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) body: String,
    #[serde(default)]
    pub(super) tags: String,
    #[serde(default)]
    pub(super) challenge_id: Option<i64>,
    #[serde(default)]
    pub(super) publish: String,
}

pub struct ProposeForm {
    pub action: String,
    /// Where the page's script asks for similar ideas while the title is typed.
    pub similar_source: String,
    pub challenge_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub tags: String,
    pub offered_tags: String,
    pub error: FormError,
}

impl ProposeForm {
    pub(super) fn new(
        action: String,
        slug: &str,
        challenge: Option<&Challenge>,
        fields: IdeaFields,
        error: FormError,
    ) -> Self {
        Self {
            action,
            similar_source: format!("/spaces/{slug}/similar"),
            challenge_id: challenge.map(|c| c.id),
            offered_tags: challenge
                .map(|c| c.tags.replace(',', ", "))
                .unwrap_or_default(),
            title: fields.title,
            body: fields.body,
            tags: fields.tags,
            error,
        }
    }
}

#[derive(Template)]
#[template(path = "idea.html")]
pub(super) struct IdeaPageView {
    pub(super) layout: Layout,
    pub(super) v: IdeaView,
    /// The feedback linked to it: how many asked, and for staff, who and where.
    pub(super) evidence: cocreate_app::Evidence,
    pub(super) thread: Thread,
    pub(super) thread_path: String,
    pub(super) error: FormError,
}

impl IdeaPageView {
    pub(super) fn requester(item: &cocreate_store::FeedbackItem) -> String {
        super::feedback::author_text(&item.author)
    }

    /// The other idea of a pair this idea is in.
    pub(super) fn other_side<'a>(
        pair: &'a cocreate_store::DuplicatePair,
        idea_id: &i64,
    ) -> &'a cocreate_store::DuplicateSide {
        if pair.first.idea_id == *idea_id {
            &pair.second
        } else {
            &pair.first
        }
    }
}

pub(super) async fn idea_page(
    state: &WebState,
    actor: Option<&Actor>,
    id: i64,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let v = state.app.idea(actor, id).await?;
    let thread = state.app.thread(actor, Subject::Idea(id)).await?;
    let evidence = state.app.idea_evidence(actor, id).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice;
    let page = IdeaPageView {
        layout,
        v,
        evidence,
        thread,
        thread_path: Subject::Idea(id).path(),
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    idea_page(
        &state,
        actor.get(),
        id,
        notice_for(query.done.as_deref()),
        FormError::default(),
    )
    .await
}

/// Runs an action on an idea, then shows the idea: with a notice on success, with the
/// message on a refusal a person can act on.
pub(super) async fn on_idea(
    state: &WebState,
    actor: &Actor,
    id: i64,
    done: &str,
    result: Result<cocreate_store::Idea, AppError>,
) -> PageResult {
    match result {
        Ok(idea) => Ok(Redirect::to(&format!("/ideas/{}?done={done}", idea.id)).into_response()),
        Err(error) => idea_page(state, Some(actor), id, None, FormError::from_app(error)?).await,
    }
}

/// Where a form sent from a list goes back to.
#[derive(Deserialize)]
pub(super) struct BackQuery {
    back: Option<String>,
}

/// Supports an idea; from a card, back to the list at that card.
pub(super) async fn support(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(query): Query<BackQuery>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = state.app.support(actor, id).await;
    match (result, query.back.as_deref().and_then(local_path)) {
        (Ok(_), Some(back)) => {
            let separator = if back.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!("{back}{separator}done=supported#idea-{id}")).into_response())
        }
        (result, _) => on_idea(&state, actor, id, "supported", result).await,
    }
}

pub(super) async fn withdraw(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = state.app.withdraw_support(actor, id).await;
    on_idea(&state, actor, id, "withdrawn", result).await
}

pub(super) async fn publish(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = state.app.publish_idea(actor, id).await;
    on_idea(&state, actor, id, "published", result).await
}

#[derive(Deserialize)]
pub(super) struct MoveFields {
    #[serde(default)]
    pub(super) to: String,
    #[serde(default)]
    pub(super) rationale: String,
}

pub(super) async fn move_stage(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<MoveFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = match fields.to.parse::<Stage>() {
        Ok(to) => state.app.move_idea(actor, id, to, &fields.rationale).await,
        Err(error) => Err(error.into()),
    };
    on_idea(&state, actor, id, "moved", result).await
}

#[derive(Deserialize)]
pub(super) struct MergeFields {
    #[serde(default)]
    pub(super) into: String,
    #[serde(default)]
    pub(super) rationale: String,
}

pub(super) async fn merge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<MergeFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = match fields.into.trim().trim_start_matches('#').parse::<i64>() {
        Ok(into) => {
            state
                .app
                .merge_idea(actor, id, into, &fields.rationale)
                .await
        }
        Err(_) => Err(AppError::invalid("into", "must be an idea number")),
    };
    on_idea(&state, actor, id, "merged", result).await
}

pub(super) async fn edit_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<IdeaFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = state
        .app
        .edit_idea(actor, id, &fields.title, &fields.body, &fields.tags)
        .await;
    on_idea(&state, actor, id, "saved", result).await
}

/// The one file of an upload form: its name and bytes, or a clear 400.
pub async fn read_upload(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Vec<u8>), HttpError> {
    let mut multipart = multipart.map_err(|e| {
        HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
    })?;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            HttpError::new(
                e.status(),
                "payload_too_large",
                "the file is larger than allowed (5 MiB)",
            )
        } else {
            HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(unreadable)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(HttpError::bad_request("the upload has no field named file"))
}

pub(super) async fn upload(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let actor = require(&actor)?;
    let (name, bytes) = read_upload(multipart).await?;
    match state.app.attach(actor, id, &name, bytes).await {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}?done=saved")).into_response()),
        Err(error) => idea_page(&state, Some(actor), id, None, FormError::from_app(error)?).await,
    }
}

pub(super) async fn upload_cover(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let actor = require(&actor)?;
    let (name, bytes) = read_upload(multipart).await?;
    match state.app.set_challenge_cover(actor, id, &name, bytes).await {
        Ok(()) => Ok(Redirect::to(&format!("/challenges/{id}?done=saved")).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                ..SpaceForms::default()
            };
            challenge_page(&state, Some(actor), id, &ListQuery::default(), forms).await
        }
    }
}

pub(super) async fn cover(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let (content_type, bytes) = state.app.challenge_cover(actor.get(), id).await?;
    let content_type = axum::http::HeaderValue::from_str(&content_type).unwrap_or(
        axum::http::HeaderValue::from_static("application/octet-stream"),
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("private, max-age=300"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Serves a file with the type its content was recognised as; only images show inline.
pub(super) async fn download(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((id, _name)): Path<(i64, String)>,
) -> PageResult {
    let (attachment, bytes) = state.app.attachment(actor.get(), id).await?;
    let disposition = if attachment.is_image() {
        "inline"
    } else {
        "attachment"
    };
    let content_type = axum::http::HeaderValue::from_str(&attachment.content_type).unwrap_or(
        axum::http::HeaderValue::from_static("application/octet-stream"),
    );
    let disposition = content_disposition(disposition, &attachment.file_name);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("private, max-age=3600"),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub(super) struct EmailField {
    #[serde(default)]
    pub(super) email: String,
}

pub(super) async fn invite_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<EmailField>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.invite_co_author(actor, id, &fields.email).await {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{id}?done=invited")).into_response()),
        Err(error) => idea_page(&state, Some(actor), id, None, FormError::from_app(error)?).await,
    }
}

pub(super) async fn accept_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.accept_co_author(actor, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/ideas/{id}?done=saved")).into_response()),
        Err(error) => idea_page(&state, Some(actor), id, None, FormError::from_app(error)?).await,
    }
}

pub(super) async fn remove_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((id, account)): Path<(i64, i64)>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.remove_co_author(actor, id, account).await?;
    Ok(Redirect::to(&format!("/ideas/{id}?done=saved")).into_response())
}

#[derive(Template)]
#[template(path = "revisions.html")]
pub(super) struct RevisionsPage {
    pub(super) layout: Layout,
    pub(super) v: IdeaView,
    pub(super) revisions: Vec<RevisionView>,
}

pub(super) async fn revisions(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = actor.get();
    let v = state.app.idea(actor, id).await?;
    let revisions = state.app.idea_revisions(actor, id).await?;
    ok(&RevisionsPage {
        layout: layout(&state, actor).await?,
        v,
        revisions,
    })
}

/// The characters RFC 5987 lets stand unencoded in an `ext-value` (its `attr-char`).
pub(super) const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// A `Content-Disposition` header after RFC 6266: `filename*` carries the name exactly, in UTF-8
/// and percent-encoded (RFC 5987), and `filename` an ASCII stand-in for clients that predate it.
pub(crate) fn content_disposition(kind: &str, file_name: &str) -> axum::http::HeaderValue {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact = percent_encoding::utf8_percent_encode(file_name, ATTR_CHAR);
    axum::http::HeaderValue::from_str(&format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{exact}"
    ))
    .unwrap_or(axum::http::HeaderValue::from_static("attachment"))
}
