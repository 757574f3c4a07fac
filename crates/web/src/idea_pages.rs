//! The pages of co-creation: a space with its challenges and ideas, a challenge, an idea with its
//! support and history, and the forms that propose, support and decide.

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Extension, Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use cocreate_app::{
    Actor, AppError, ChallengeInput, FlagView, IdeaFilter, IdeaInput, IdeaPage, IdeaView,
    ListOrder, Resolution, RevisionView, SearchFilter, SearchResults, SearchScope, SpaceView,
    Thread,
};
use cocreate_core::markdown::DiffKind;
use cocreate_core::{Audience, Stage};
use cocreate_store::{Account, Challenge, ContentKind, SearchHit, Snippet, Subject};
use serde::Deserialize;

use crate::error::HttpError;
use crate::pages::{
    FormError, Layout, PageForm, PageResult, layout, notice_for, ok, refused, require,
};
use crate::session::CurrentActor;
use crate::{PagePath, WebState};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/spaces/{slug}/ideas", post(propose_in_space))
        .route("/spaces/{slug}/challenges", post(create_challenge))
        .route("/challenges/{id}", get(challenge).post(update_challenge))
        .route("/challenges/{id}/ideas", post(propose_in_challenge))
        .route("/ideas/{id}", get(idea))
        .route("/ideas/{id}/support", post(support))
        .route("/ideas/{id}/withdraw", post(withdraw))
        .route("/ideas/{id}/publish", post(publish))
        .route("/ideas/{id}/stage", post(move_stage))
        .route("/ideas/{id}/merge", post(merge))
        .route("/ideas/{id}/edit", post(edit_idea))
        .route(
            "/ideas/{id}/attachments",
            post(upload).layer(DefaultBodyLimit::max(
                cocreate_app::MAX_ATTACHMENT_BYTES + 64 * 1024,
            )),
        )
        .route("/attachments/{id}/{name}", get(download))
        .route(
            "/challenges/{id}/cover",
            get(cover).post(upload_cover).layer(DefaultBodyLimit::max(
                cocreate_app::MAX_ATTACHMENT_BYTES + 64 * 1024,
            )),
        )
        .route("/ideas/{id}/co-authors", post(invite_co_author))
        .route("/ideas/{id}/co-authors/accept", post(accept_co_author))
        .route(
            "/ideas/{id}/co-authors/{account}/remove",
            post(remove_co_author),
        )
        .route("/ideas/{id}/revisions", get(revisions))
        .route("/ideas/{id}/comments", post(add_comment))
        .route("/challenges/{id}/comments", post(add_challenge_comment))
        .route("/ideas/{id}/follow", post(follow))
        .route("/ideas/{id}/unfollow", post(unfollow))
        .route("/comments/{id}/edit", post(edit_comment))
        .route("/comments/{id}/delete", post(delete_comment))
        .route("/notifications", get(notifications))
        .route("/flags", post(flag))
        .route("/moderation", get(moderation))
        .route("/moderation/{kind}/{id}/{action}", post(moderate))
        .route("/search", get(search))
        .route("/spaces/{slug}/similar", get(similar))
}

/// The list parameters of a space or challenge page.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    sort: Option<String>,
    stage: Option<String>,
    tag: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

impl ListQuery {
    fn filter(&self, challenge_id: Option<i64>) -> Result<IdeaFilter, AppError> {
        let stage = match self.stage.as_deref().filter(|s| !s.is_empty()) {
            Some(stage) => Some(stage.parse::<Stage>()?),
            None => None,
        };
        Ok(IdeaFilter {
            challenge_id,
            stage,
            tag: self.tag.clone().filter(|t| !t.trim().is_empty()),
            order: ListOrder::parse(self.sort.as_deref().unwrap_or(""))?,
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
        })
    }
}

/// The idea list as a page shows it, with the links that keep its filters.
pub struct IdeaList {
    pub base: String,
    pub order: ListOrder,
    pub orders: [ListOrder; 4],
    pub stage: String,
    pub tag: String,
    /// `&stage=…&tag=…`, already escaped for a URL.
    pub filter_query: String,
    pub stages: &'static [Stage],
    pub page: IdeaPage,
}

fn url_escape(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl IdeaList {
    fn new(base: String, filter: &IdeaFilter, page: IdeaPage) -> Self {
        let stage = filter
            .stage
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        let tag = filter.tag.clone().unwrap_or_default();
        let mut filter_query = String::new();
        if !stage.is_empty() {
            filter_query.push_str(&format!("&stage={}", url_escape(&stage)));
        }
        if !tag.is_empty() {
            filter_query.push_str(&format!("&tag={}", url_escape(&tag)));
        }
        Self {
            base,
            order: filter.order,
            orders: ListOrder::ALL,
            stage,
            tag,
            filter_query,
            stages: Stage::ALL,
            page,
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct IdeaFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    challenge_id: Option<i64>,
    #[serde(default)]
    publish: String,
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
    fn new(
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

#[derive(Deserialize, Default, Clone)]
pub struct ChallengeFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    problem: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    tiers: String,
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
}

impl ChallengeFields {
    fn input(&self) -> ChallengeInput<'_> {
        ChallengeInput {
            title: &self.title,
            problem: &self.problem,
            questions: &self.questions,
            tags: &self.tags,
            tiers: &self.tiers,
            opens_at: &self.opens_at,
            closes_at: &self.closes_at,
        }
    }

    fn of(challenge: &Challenge) -> Self {
        let date = |t: Option<cocreate_core::Timestamp>| {
            t.map(|t| t.to_rfc3339()[..10].to_owned())
                .unwrap_or_default()
        };
        Self {
            title: challenge.title.clone(),
            problem: challenge.problem.clone(),
            questions: challenge.questions.clone(),
            tags: challenge.tags.clone(),
            tiers: challenge.tiers.clone(),
            opens_at: date(challenge.opens_at),
            closes_at: date(challenge.closes_at),
        }
    }
}

pub struct ChallengeForm {
    pub action: String,
    pub submit: &'static str,
    pub title: String,
    pub problem: String,
    pub questions: String,
    pub tags: String,
    pub tiers: String,
    pub opens_at: String,
    pub closes_at: String,
    pub error: FormError,
}

impl ChallengeForm {
    fn new(
        action: String,
        submit: &'static str,
        fields: ChallengeFields,
        error: FormError,
    ) -> Self {
        Self {
            action,
            submit,
            title: fields.title,
            problem: fields.problem,
            questions: fields.questions,
            tags: fields.tags,
            tiers: fields.tiers,
            opens_at: fields.opens_at,
            closes_at: fields.closes_at,
            error,
        }
    }
}

#[derive(Template)]
#[template(path = "space.html")]
struct SpacePage {
    layout: Layout,
    view: SpaceView,
    challenges: Vec<Challenge>,
    list: IdeaList,
    propose: ProposeForm,
    challenge_form: ChallengeForm,
    members: Vec<Account>,
    audiences: &'static [Audience],
    error: FormError,
}

/// What a space page shows besides its defaults: a refused form, kept as typed.
#[derive(Default)]
struct SpaceForms {
    error: FormError,
    idea: Option<IdeaFields>,
    challenge: Option<ChallengeFields>,
}

async fn space_page(
    state: &WebState,
    actor: Option<&Actor>,
    slug: &str,
    query: &ListQuery,
    forms: SpaceForms,
) -> PageResult {
    let filter = query.filter(None)?;
    let contents = state.app.space_page(actor, slug, &filter).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice_for(query.done.as_deref());
    let idea_error = if forms.idea.is_some() {
        forms.error.clone()
    } else {
        FormError::default()
    };
    let challenge_error = if forms.challenge.is_some() {
        forms.error.clone()
    } else {
        FormError::default()
    };
    let page = SpacePage {
        challenges: contents.challenges,
        list: IdeaList::new(format!("/spaces/{slug}"), &filter, contents.ideas),
        propose: ProposeForm::new(
            format!("/spaces/{slug}/ideas"),
            slug,
            None,
            forms.idea.unwrap_or_default(),
            idea_error,
        ),
        challenge_form: ChallengeForm::new(
            format!("/spaces/{slug}/challenges"),
            "Create challenge",
            forms.challenge.unwrap_or_default(),
            challenge_error,
        ),
        layout,
        view: contents.view,
        members: contents.members,
        audiences: Audience::ALL,
        error: forms.error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

/// The space page again after a refused space or member form.
pub async fn space_page_refused(
    state: &WebState,
    actor: &Actor,
    slug: &str,
    error: FormError,
) -> PageResult {
    space_page(
        state,
        Some(actor),
        slug,
        &ListQuery::default(),
        SpaceForms {
            error,
            ..SpaceForms::default()
        },
    )
    .await
}

pub async fn space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    space_page(&state, actor.get(), &slug, &query, SpaceForms::default()).await
}

fn idea_input(fields: &IdeaFields, challenge_id: Option<i64>) -> IdeaInput<'_> {
    IdeaInput {
        title: &fields.title,
        body: &fields.body,
        tags: &fields.tags,
        challenge_id,
        publish: fields.publish != "no",
    }
}

async fn propose_in_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(fields): PageForm<IdeaFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .propose_idea(actor, &slug, &idea_input(&fields, fields.challenge_id))
        .await
    {
        Ok(idea) => Ok(Redirect::to(&format!("/ideas/{}", idea.id)).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: Some(fields),
                challenge: None,
            };
            space_page(&state, Some(actor), &slug, &ListQuery::default(), forms).await
        }
    }
}

async fn create_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(fields): PageForm<ChallengeFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .create_challenge(actor, &slug, &fields.input())
        .await
    {
        Ok(challenge) => Ok(Redirect::to(&format!("/challenges/{}", challenge.id)).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: None,
                challenge: Some(fields),
            };
            space_page(&state, Some(actor), &slug, &ListQuery::default(), forms).await
        }
    }
}

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengePage {
    layout: Layout,
    view: SpaceView,
    challenge: Challenge,
    questions: Vec<String>,
    is_open: bool,
    list: IdeaList,
    propose: ProposeForm,
    challenge_form: ChallengeForm,
    thread: Thread,
    thread_path: String,
    /// Comments not deleted.
    comment_count: usize,
    error: FormError,
}

async fn challenge_page(
    state: &WebState,
    actor: Option<&Actor>,
    id: i64,
    query: &ListQuery,
    forms: SpaceForms,
) -> PageResult {
    let filter = query.filter(Some(id))?;
    let (view, challenge, page) = state.app.challenge_page(actor, &filter).await?;
    let thread = state.app.thread(actor, Subject::Challenge(id)).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice_for(query.done.as_deref());
    let now = state.app.now();
    let is_open = challenge.is_open(now);
    let idea_error = if forms.idea.is_some() {
        forms.error.clone()
    } else {
        FormError::default()
    };
    let challenge_error = if forms.challenge.is_some() {
        forms.error.clone()
    } else {
        FormError::default()
    };
    let page = ChallengePage {
        comment_count: thread
            .comments
            .iter()
            .filter(|c| c.comment.deleted_at.is_none())
            .count(),
        thread,
        thread_path: Subject::Challenge(id).path(),
        questions: challenge.questions.lines().map(str::to_owned).collect(),
        is_open,
        list: IdeaList::new(format!("/challenges/{id}"), &filter, page),
        propose: ProposeForm::new(
            format!("/challenges/{id}/ideas"),
            &view.space.slug,
            Some(&challenge),
            forms.idea.unwrap_or_default(),
            idea_error,
        ),
        challenge_form: ChallengeForm::new(
            format!("/challenges/{id}"),
            "Save challenge",
            forms
                .challenge
                .unwrap_or_else(|| ChallengeFields::of(&challenge)),
            challenge_error,
        ),
        layout,
        view,
        challenge,
        error: forms.error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

async fn challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    challenge_page(&state, actor.get(), id, &query, SpaceForms::default()).await
}

async fn update_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<ChallengeFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.update_challenge(actor, id, &fields.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/challenges/{id}?done=saved")).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: None,
                challenge: Some(fields),
            };
            challenge_page(&state, Some(actor), id, &ListQuery::default(), forms).await
        }
    }
}

async fn propose_in_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<IdeaFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let (view, _) = state.app.challenge(Some(actor), id).await?;
    match state
        .app
        .propose_idea(actor, &view.space.slug, &idea_input(&fields, Some(id)))
        .await
    {
        Ok(idea) => Ok(Redirect::to(&format!("/ideas/{}", idea.id)).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: Some(fields),
                challenge: None,
            };
            challenge_page(&state, Some(actor), id, &ListQuery::default(), forms).await
        }
    }
}

#[derive(Template)]
#[template(path = "idea.html")]
struct IdeaPageView {
    layout: Layout,
    v: IdeaView,
    thread: Thread,
    thread_path: String,
    error: FormError,
}

async fn idea_page(
    state: &WebState,
    actor: Option<&Actor>,
    id: i64,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let v = state.app.idea(actor, id).await?;
    let thread = state.app.thread(actor, Subject::Idea(id)).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice;
    let page = IdeaPageView {
        layout,
        v,
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

async fn idea(
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
async fn on_idea(
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

async fn support(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = state.app.support(actor, id).await;
    on_idea(&state, actor, id, "supported", result).await
}

async fn withdraw(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = state.app.withdraw_support(actor, id).await;
    on_idea(&state, actor, id, "withdrawn", result).await
}

async fn publish(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = state.app.publish_idea(actor, id).await;
    on_idea(&state, actor, id, "published", result).await
}

#[derive(Deserialize)]
struct MoveFields {
    #[serde(default)]
    to: String,
    #[serde(default)]
    rationale: String,
}

async fn move_stage(
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
struct MergeFields {
    #[serde(default)]
    into: String,
    #[serde(default)]
    rationale: String,
}

async fn merge(
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

async fn edit_idea(
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

async fn upload(
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

async fn upload_cover(
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

async fn cover(
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
async fn download(
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
struct EmailField {
    #[serde(default)]
    email: String,
}

async fn invite_co_author(
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

async fn accept_co_author(
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

async fn remove_co_author(
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
struct RevisionsPage {
    layout: Layout,
    v: IdeaView,
    revisions: Vec<RevisionView>,
}

async fn revisions(
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

#[derive(Deserialize)]
struct CommentFields {
    #[serde(default)]
    body: String,
    /// Empty for a comment on the idea itself.
    #[serde(default)]
    parent_id: String,
}

impl CommentFields {
    fn parent(&self) -> Result<Option<i64>, AppError> {
        match self.parent_id.trim() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| AppError::invalid("parent_id", "must be a comment number")),
        }
    }
}

/// Shows the page a discussion is on, with the message of a refusal a person can act on.
async fn discussion_page(
    state: &WebState,
    actor: &Actor,
    subject: Subject,
    error: FormError,
) -> PageResult {
    match subject {
        Subject::Idea(id) => idea_page(state, Some(actor), id, None, error).await,
        Subject::Challenge(id) => {
            let forms = SpaceForms {
                error,
                idea: None,
                challenge: None,
            };
            challenge_page(state, Some(actor), id, &ListQuery::default(), forms).await
        }
    }
}

async fn comment_on(
    state: &WebState,
    actor: &CurrentActor,
    subject: Subject,
    fields: &CommentFields,
) -> PageResult {
    let actor = require(actor)?;
    let result = match fields.parent() {
        Ok(parent) => {
            state
                .app
                .add_comment(actor, subject, parent, &fields.body)
                .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(comment) => Ok(Redirect::to(&format!(
            "{}?done=commented#comment-{}",
            subject.path(),
            comment.id
        ))
        .into_response()),
        Err(error) => discussion_page(state, actor, subject, FormError::from_app(error)?).await,
    }
}

async fn add_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<CommentFields>,
) -> PageResult {
    comment_on(&state, &actor, Subject::Idea(id), &fields).await
}

async fn add_challenge_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<CommentFields>,
) -> PageResult {
    comment_on(&state, &actor, Subject::Challenge(id), &fields).await
}

async fn edit_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<CommentFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.edit_comment(actor, id, &fields.body).await {
        Ok(comment) => Ok(Redirect::to(&format!(
            "{}?done=edited#comment-{id}",
            comment.subject.path()
        ))
        .into_response()),
        Err(error) => {
            let form_error = FormError::from_app(error)?;
            let subject = state.app.comment_subject(actor, id).await?;
            discussion_page(&state, actor, subject, form_error).await
        }
    }
}

async fn delete_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let subject = state.app.delete_comment(actor, id).await?;
    Ok(Redirect::to(&format!("{}?done=deleted", subject.path())).into_response())
}

async fn follow(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.set_following(actor, id, true).await?;
    Ok(Redirect::to(&format!("/ideas/{id}?done=following")).into_response())
}

async fn unfollow(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.set_following(actor, id, false).await?;
    Ok(Redirect::to(&format!("/ideas/{id}?done=unfollowed")).into_response())
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<cocreate_store::Notification>,
    next: Option<i64>,
}

#[derive(Deserialize)]
struct Before {
    before: Option<i64>,
}

/// Shows the notifications, then counts them as read.
async fn notifications(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<Before>,
) -> PageResult {
    let actor = require(&actor)?;
    const PAGE: i64 = 50;
    let items = state
        .app
        .notifications(actor, query.before.unwrap_or(i64::MAX), PAGE)
        .await?;
    let next = crate::next_cursor(&items, PAGE, |n| n.id);
    let page = NotificationsPage {
        layout: layout(&state, Some(actor)).await?,
        items,
        next,
    };
    let response = ok(&page)?;
    state.app.mark_notifications_read(actor).await?;
    Ok(response)
}

#[derive(Deserialize)]
struct FlagFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: i64,
    #[serde(default)]
    reason: String,
}

fn content_kind(text: &str) -> Result<ContentKind, AppError> {
    text.parse()
        .map_err(|_| AppError::invalid("kind", "must be idea or comment"))
}

/// The idea or challenge a flagged or moderated item belongs to, for the way back.
async fn subject_of(
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

async fn flag(
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
struct ModerationPage {
    layout: Layout,
    items: Vec<FlagView>,
}

async fn moderation(
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
struct ReasonFields {
    #[serde(default)]
    reason: String,
}

async fn moderate(
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

/// A search hit as the page shows it: the snippet escaped, then its matches marked.
pub struct HitView {
    pub idea: cocreate_store::Idea,
    pub snippet_html: String,
}

pub struct CommentHitView {
    pub comment_id: i64,
    pub subject: Subject,
    pub title: String,
    pub snippet_html: String,
}

pub struct ChallengeHitView {
    pub challenge: Challenge,
    pub snippet_html: String,
}

fn highlight(snippet: &Snippet) -> String {
    let mut html = String::new();
    for part in snippet.parts() {
        if part.matched {
            html.push_str("<mark>");
        }
        for c in part.text.chars() {
            match c {
                '&' => html.push_str("&amp;"),
                '<' => html.push_str("&lt;"),
                '>' => html.push_str("&gt;"),
                '"' => html.push_str("&quot;"),
                '\'' => html.push_str("&#39;"),
                c => html.push(c),
            }
        }
        if part.matched {
            html.push_str("</mark>");
        }
    }
    html
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    space: String,
    stage: String,
    tag: String,
    spaces: Vec<SpaceView>,
    stages: &'static [Stage],
    hits: Vec<HitView>,
    comment_hits: Vec<CommentHitView>,
    challenge_hits: Vec<ChallengeHitView>,
    error: FormError,
}

#[derive(Deserialize, Default)]
struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    space: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    tag: String,
}

async fn search(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<SearchParams>,
) -> PageResult {
    let actor = actor.get();
    let stage = match params.stage.as_str() {
        "" => None,
        text => Some(text.parse::<Stage>().map_err(AppError::from)?),
    };
    let filter = SearchFilter {
        space: Some(params.space.clone()).filter(|s| !s.is_empty()),
        challenge_id: None,
        stage,
        tag: Some(params.tag.clone()).filter(|t| !t.trim().is_empty()),
    };
    let (found, error) = match state
        .app
        .search_everything(actor, &params.q, &filter, SearchScope::All)
        .await
    {
        Ok(found) => (found, FormError::default()),
        Err(error) => (SearchResults::default(), FormError::from_app(error)?),
    };
    let page = SearchPage {
        layout: layout(&state, actor).await?,
        spaces: state.app.spaces(actor).await?,
        stages: Stage::ALL,
        hits: found
            .ideas
            .into_iter()
            .map(|hit: SearchHit| HitView {
                snippet_html: highlight(&hit.snippet),
                idea: hit.idea,
            })
            .collect(),
        comment_hits: found
            .comments
            .into_iter()
            .map(|hit| CommentHitView {
                snippet_html: highlight(&hit.snippet),
                comment_id: hit.comment_id,
                subject: hit.subject,
                title: hit.title,
            })
            .collect(),
        challenge_hits: found
            .challenges
            .into_iter()
            .map(|hit| ChallengeHitView {
                snippet_html: highlight(&hit.snippet),
                challenge: hit.challenge,
            })
            .collect(),
        q: params.q,
        space: params.space,
        stage: params.stage,
        tag: params.tag,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

#[derive(Template)]
#[template(path = "similar.html")]
struct SimilarFragment {
    hits: Vec<SearchHit>,
}

#[derive(Deserialize)]
struct SimilarParams {
    #[serde(default)]
    title: String,
}

/// The list of similar ideas the propose form shows while a title is typed (an HTML fragment).
async fn similar(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(params): Query<SimilarParams>,
) -> PageResult {
    let hits = state
        .app
        .similar_ideas(actor.get(), &slug, &params.title)
        .await?;
    let html = SimilarFragment { hits }
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok(Html(html).into_response())
}

/// The characters RFC 5987 lets stand unencoded in an `ext-value` (its `attr-char`).
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
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

#[cfg(test)]
mod tests {
    use super::highlight;
    use cocreate_store::Snippet;

    #[test]
    fn snippets_are_escaped_and_only_matches_marked() {
        let snippet = Snippet::from_marked("a [[<b>]] \u{2}<i>\u{3} & \"c\"");
        assert_eq!(
            highlight(&snippet),
            "a [[&lt;b&gt;]] <mark>&lt;i&gt;</mark> &amp; &quot;c&quot;"
        );
    }
}
