//! The HTML pages, one module per feature. This module holds what they share: the page layout,
//! page errors, form bodies and form messages, and the routes. Each handler parses its input,
//! calls one use case and renders; a refused form is shown again with the message next to the
//! field at fault.

use askama::Template;
use axum::Router;
use axum::extract::{
    DefaultBodyLimit, Extension, FromRequest, Multipart, Path, Query, Request, State,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cocreate_app::{
    AccountInput, Actor, AppError, ChallengeInput, FlagView, IdeaFilter, IdeaInput, IdeaPage,
    IdeaView, InvitationView, ListOrder, LogoUpload, Resolution, RevisionView, SearchFacets,
    SearchFilter, SearchResults, SearchScope, SignedIn, SpaceInput, SpaceView, Thread,
};
use cocreate_core::markdown::DiffKind;
use cocreate_core::{AccountKind, Action, Audience, OrgRole, Stage};
use cocreate_store::{
    Account, ApiToken, AuditEntry, Challenge, ContentKind, Invitation, OutboxMail, SearchHit,
    Snippet, Subject,
};
use serde::Deserialize;

use crate::error::HttpError;
use crate::session::CurrentActor;
use crate::{PagePath, WebState, next_cursor};

mod accounts;
mod challenges;
mod dashboard;
mod dialogue;
mod duplicates;
mod erasure;
mod feedback;
mod feedback_import;
mod ideas;
mod moderation;
mod notifications;
mod opinions;
mod organisation;
mod pairwise;
mod people;
pub(crate) mod personal_data;
mod products;
mod search;
mod spaces;
mod themes;
mod timeline;

pub(crate) use self::ideas::read_upload;
use self::{
    accounts::*,
    challenges::*,
    dashboard::*,
    dialogue::*,
    duplicates::*,
    erasure::*,
    feedback::*,
    feedback_import::*,
    ideas::*,
    moderation::*,
    notifications::*,
    opinions::*,
    organisation::*,
    pairwise::*,
    people::*,
    personal_data::{member_data, my_data},
    products::*,
    search::*,
    spaces::*,
    themes::*,
    timeline::*,
};

/// A question asked before an action that cannot be undone, answered with a form button (no
/// JavaScript needed), with a way back for a person who changes their mind.
#[derive(Template)]
#[template(path = "confirm.html")]
pub(super) struct ConfirmPage {
    pub(super) layout: Layout,
    pub(super) heading: &'static str,
    pub(super) text: &'static str,
    pub(super) action: String,
    pub(super) submit: &'static str,
    /// Where "Cancel" leads; none when there is nothing to go back to.
    pub(super) back: Option<String>,
    /// The action cannot be undone, and its button says so.
    pub(super) destructive: bool,
}

/// An error shown as a page, or a detour to the sign-in page.
pub enum PageError {
    Http(HttpError),
    SignInFirst,
}

impl<E: Into<HttpError>> From<E> for PageError {
    fn from(error: E) -> Self {
        Self::Http(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::Http(error) => error_page(&error),
            Self::SignInFirst => Redirect::to("/signin").into_response(),
        }
    }
}

pub(crate) type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    detail: &'a str,
}

pub fn error_page(error: &HttpError) -> Response {
    let title = match error.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::TOO_MANY_REQUESTS => "Slow down",
        _ if error.code == "busy" => "Busy",
        StatusCode::FORBIDDEN => "Not allowed",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let page = ErrorPage {
        title,
        detail: &error.detail,
    };
    let mut response = (error.status, Html(page.render().unwrap_or_default())).into_response();
    if let Some(seconds) = error.retry_after() {
        response.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    response
}

/// A form body; an unreadable one (another content type, invalid UTF-8 after percent-decoding,
/// a value of the wrong shape) is a clear 400 page rather than a silently mangled value.
pub struct PageForm<T>(pub T);

impl<T, S> FromRequest<S> for PageForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let unreadable = |why: &str| {
            PageError::Http(HttpError::bad_request(format!(
                "the form could not be read: {why}"
            )))
        };
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(unreadable("expected application/x-www-form-urlencoded"));
        }
        let body = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => PageError::Http(HttpError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the form is too large",
                )),
                _ => unreadable(&rejection.body_text()),
            })?;
        if percent_encoding::percent_decode(&body)
            .decode_utf8()
            .is_err()
        {
            return Err(unreadable("it is not valid UTF-8 text"));
        }
        serde_urlencoded::from_bytes(&body)
            .map(Self)
            .map_err(|e| unreadable(&e.to_string()))
    }
}

/// A form's error message and the field it concerns.
#[derive(Debug, Default, Clone)]
pub struct FormError {
    pub message: Option<String>,
    pub field: Option<String>,
}

impl FormError {
    pub fn is(&self, field: &str) -> bool {
        self.field.as_deref() == Some(field)
    }

    /// Turns refusals a person can fix into a form message; anything else stays a page error.
    pub(crate) fn from_app(error: AppError) -> Result<Self, PageError> {
        let field = match &error {
            AppError::Validation(v) => Some(v.field.to_owned()),
            AppError::Conflict { field, .. } => Some((*field).to_owned()),
            AppError::InvalidCredentials => Some("password".to_owned()),
            AppError::Throttled | AppError::InvalidToken => None,
            _ => return Err(error.into()),
        };
        let http = HttpError::from(error);
        Ok(Self {
            message: Some(http.detail),
            field,
        })
    }
}

pub struct ActorView {
    pub name: String,
    pub is_admin: bool,
    pub is_moderator: bool,
    /// Employees and admins, who triage feedback.
    pub is_staff: bool,
    pub unread: i64,
}

pub struct Layout {
    pub org_name: String,
    pub has_logo: bool,
    pub zone: cocreate_core::TimeZone,
    /// When the page is made, for what is past and what is to come.
    pub now: cocreate_core::Timestamp,
    pub actor: Option<ActorView>,
    pub notice: Option<&'static str>,
}

/// A timestamp, however many references deep a template holds it.
pub trait Moment {
    fn moment(&self) -> cocreate_core::Timestamp;
}

impl Moment for cocreate_core::Timestamp {
    fn moment(&self) -> cocreate_core::Timestamp {
        *self
    }
}

impl<T: Moment + ?Sized> Moment for &T {
    fn moment(&self) -> cocreate_core::Timestamp {
        (**self).moment()
    }
}

impl Layout {
    /// A moment as people read it: in the organisation's time zone.
    pub fn when(&self, at: impl Moment) -> String {
        self.zone.display(at.moment())
    }

    /// The day a moment falls on, as `YYYY-MM-DD`.
    pub fn day(&self, at: impl Moment) -> String {
        self.zone.day_of(at.moment())
    }

    /// Whether a moment is already past when the page is made.
    pub fn has_passed(&self, at: impl Moment) -> bool {
        at.moment() <= self.now
    }

    /// The last day before a deadline that falls at the end of a day, e.g. a challenge's close.
    pub fn last_day(&self, until: impl Moment) -> String {
        self.zone.last_day_before(until.moment())
    }
}

pub(crate) async fn layout(state: &WebState, actor: Option<&Actor>) -> Result<Layout, PageError> {
    let org = state.app.organisation().await?;
    let actor = match actor {
        Some(a) => Some(ActorView {
            name: a.name.clone(),
            is_admin: a.may(Action::ManageOrganisation),
            is_moderator: a.role != cocreate_core::OrgRole::Member,
            is_staff: a.kind == AccountKind::Employee || a.role == OrgRole::Admin,
            unread: state.app.unread_notifications(a).await?,
        }),
        None => None,
    };
    Ok(Layout {
        zone: cocreate_core::TimeZone::stored(&org.time_zone),
        now: state.app.now(),
        org_name: org.name,
        has_logo: org.has_logo,
        actor,
        notice: None,
    })
}

pub(crate) fn render(status: StatusCode, template: &impl Template) -> PageResult {
    let html = template
        .render()
        .map_err(|e| HttpError::from(AppError::Internal(format!("template: {e}"))))?;
    Ok((status, Html(html)).into_response())
}

pub(crate) fn ok(template: &impl Template) -> PageResult {
    render(StatusCode::OK, template)
}

pub(crate) fn refused(template: &impl Template) -> PageResult {
    render(StatusCode::UNPROCESSABLE_ENTITY, template)
}

/// A path of this site to return to: it starts with one `/` (so `//host` and `/\host`, which a
/// browser reads as another site, are refused), holds no control characters, and is not an
/// account page (returning to the sign-in form would go round in a circle).
pub(crate) fn local_path(candidate: &str) -> Option<String> {
    // The home page is where a person lands anyway (and is welcomed after signing up).
    let local = candidate.starts_with('/')
        && candidate != "/"
        && !candidate.starts_with("//")
        && candidate.len() <= 2048
        && !candidate.chars().any(|c| c.is_control() || c == '\\');
    let account_page = ["/signin", "/signup", "/signout", "/reset"]
        .iter()
        .any(|page| {
            candidate
                .strip_prefix(page)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '/', '#']))
        });
    (local && !account_page).then(|| candidate.to_owned())
}

/// The page of this site the request came from (its `Referer`), as a path to return to.
pub(crate) fn came_from(state: &WebState, headers: &HeaderMap) -> Option<String> {
    let referer = url::Url::parse(headers.get(header::REFERER)?.to_str().ok()?).ok()?;
    if referer.origin() != state.app.config().base_url.origin() {
        return None;
    }
    match referer.query() {
        Some(query) => local_path(&format!("{}?{query}", referer.path())),
        None => local_path(referer.path()),
    }
}

/// Sends a person asked to sign in back where they were afterwards: a redirect to `/signin`
/// gains `?next=` with the page asked for (or, after a form, the page the form was on).
pub(crate) async fn return_after_sign_in(
    State(state): State<WebState>,
    request: Request,
    next: Next,
) -> Response {
    let here = if request.method() == axum::http::Method::GET {
        request
            .uri()
            .path_and_query()
            .and_then(|p| local_path(p.as_str()))
    } else {
        came_from(&state, request.headers())
    };
    let mut response = next.run(request).await;
    let to_sign_in = response.status().is_redirection()
        && response
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == "/signin");
    if let (true, Some(here)) = (to_sign_in, here) {
        let query = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
        if let Ok(location) = HeaderValue::from_str(&format!("/signin?{query}")) {
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    response
}

pub(crate) fn require(actor: &CurrentActor) -> Result<&Actor, PageError> {
    actor.get().ok_or(PageError::SignInFirst)
}

/// Redirects after a successful sign-in, setting the new session cookie.
fn signed_in_redirect(state: &WebState, signed_in: &SignedIn, to: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        state.cookie.set(&signed_in.session_token),
    );
    response
}

pub(crate) fn notice_for(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "password" => Some("Your password was changed. Other sessions were signed out."),
        "email-sent" => Some("Check your new address: we sent a confirmation link."),
        "email" => Some("Your e-mail address was changed."),
        "saved" => Some("Saved."),
        "invited" => Some("Invitation sent."),
        "welcome" => Some("Welcome! You are signed in."),
        "revoked" => Some("The token was revoked."),
        "supported" => Some("Thank you for your support."),
        "withdrawn" => Some("Your support was withdrawn."),
        "published" => Some("Your idea is published and gathering support."),
        "moved" => Some("The idea was moved; its author and supporters were told."),
        "merged" => Some("The ideas were merged."),
        "commented" => Some("Your comment is posted."),
        "edited" => Some("Your comment was updated."),
        "deleted" => Some("The comment was deleted."),
        "following" => Some("You follow this idea now."),
        "flagged" => Some("Thank you: the moderators will look at it."),
        "moderated" => Some("Done; it is in the audit log."),
        "unfollowed" => Some("You no longer follow this idea."),
        "voted" => Some("Your vote is counted; you may change it at any time."),
        "statement" => Some("Your statement is added for everyone to vote on."),
        "compared" => Some("Your answer is counted. Here is the next pair."),
        "duplicate-merged" => {
            Some("The ideas were merged: the supporters moved over, each counted once.")
        }
        "duplicate-dismissed" => Some("Marked as different ideas: the pair will not come back."),
        "themes-refreshing" => Some("The themes are being computed: reload this page in a moment."),
        "theme-saved" => Some("Saved: the name and pin stay when the themes are computed again."),
        "theme-merged" => Some("Merged: the texts of both themes are in this one now."),
        "feedback" => Some("Thank you: your feedback reached the team."),
        "erased" => Some(
            "Erased: their name, addresses and text are gone; their supports and votes still count.",
        ),
        "feedback-closed" => Some("Closed; the feedback stays in its author's history."),
        "feedback-reopened" => Some("Reopened: the feedback is new again."),
        "feedback-answered" => Some("Answered: its author reads your answer here and by mail."),
        "feedback-linked" => {
            Some("Linked: the idea counts it as evidence, and its author hears of its decisions.")
        }
        "idea-from-feedback" => {
            Some("The feedback is now this idea, in its author's name; they were told.")
        }
        _ => None,
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    done: Option<String>,
}

/// The pages; `state` is for the layer that returns people after they sign in.
pub fn routes(state: WebState) -> Router<WebState> {
    Router::new()
        .route("/", get(home))
        .route("/signup", get(signup_page).post(signup))
        .route("/signin", get(signin_page).post(signin))
        .route("/signout", post(signout))
        .route("/reset", get(reset_request_page).post(reset_request))
        .route("/reset/{token}", get(reset_page).post(reset))
        .route(
            "/email/confirm/{token}",
            get(email_confirm_page).post(email_confirm),
        )
        .route("/profile", get(profile))
        .route("/profile/password", post(change_password))
        .route("/profile/email", post(change_email))
        .route("/profile/tokens", post(create_token))
        .route("/profile/tokens/{id}/revoke", post(revoke_token))
        .route("/profile/data", get(my_data))
        .route("/timeline", get(my_timeline))
        .route("/customers", get(customers))
        .route("/customers/accounts/{id}", get(account_timeline))
        .route("/customers/contacts/{id}", get(contact_timeline))
        .route("/spaces", get(spaces).post(create_space))
        .route("/spaces/{slug}", get(space).post(update_space))
        .route("/spaces/{slug}/members", post(add_member))
        .route("/spaces/{slug}/members/{id}/remove", post(remove_member))
        .route(
            "/admin",
            get(|| async { Redirect::to("/admin/organisation") }),
        )
        .route(
            "/admin/organisation",
            get(admin_organisation).post(update_organisation),
        )
        .route("/admin/organisation/logo", post(upload_logo))
        .route("/admin/members", get(admin_members))
        .route("/admin/members/{id}", post(update_member))
        .route("/admin/members/{id}/data", get(member_data))
        .route(
            "/admin/members/{id}/erase",
            get(erase_member_page).post(erase_member),
        )
        .route(
            "/customers/contacts/{id}/erase",
            get(erase_contact_page).post(erase_contact),
        )
        .route("/admin/invitations", get(admin_invitations).post(invite))
        .route("/admin/audit", get(admin_audit))
        .route("/admin/outbox", get(admin_outbox))
        .route(
            "/invitations/{token}",
            get(invitation_page).post(accept_invitation),
        )
        .route("/logo", get(logo))
        .merge(co_creation_routes())
        .layer(axum::middleware::from_fn_with_state(
            state,
            return_after_sign_in,
        ))
}

/// Endpoints for operators and load balancers: no session, no CSRF, no rate limit.
pub fn operational_routes() -> Router<WebState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/metrics",
            get(|State(state): State<WebState>| async move { state.metrics.render() }),
        )
        .route("/static/app.css", get(stylesheet))
        .route("/static/similar.js", get(similar_script))
}

async fn readyz(State(state): State<WebState>) -> Response {
    match state.app.ready().await {
        // The second line says who answers searches: the index, or the database until the
        // index has caught up (and why).
        Ok(()) => format!("ready\nsearch: {}\n", state.app.search_status()).into_response(),
        Err(error) => crate::error::problem_response(&error.into()),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

async fn similar_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/similar.js"),
    )
        .into_response()
}

async fn logo(State(state): State<WebState>) -> PageResult {
    let logo = state.app.organisation_logo().await?;
    let content_type = HeaderValue::from_str(&logo.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(([(header::CONTENT_TYPE, content_type)], logo.bytes).into_response())
}

/// The routes of co-creation: spaces' contents, challenges, ideas, dialogue, moderation, search.
fn co_creation_routes() -> Router<WebState> {
    Router::new()
        .route("/spaces/{slug}/ideas", post(propose_in_space))
        .route("/spaces/{slug}/challenges", post(create_challenge))
        .route("/challenges/{id}", get(challenge).post(update_challenge))
        .route("/challenges/{id}/ideas", post(propose_in_challenge))
        .route("/challenges/{id}/opinions", get(opinions))
        .route("/challenges/{id}/statements", post(add_statement))
        .route("/statements/{id}/vote", post(vote))
        .route("/challenges/{id}/opinion-groups", get(opinion_groups))
        .route("/challenges/{id}/pairwise", get(pairwise).post(answer_pair))
        .route("/challenges/{id}/ranking", get(pairwise_ranking))
        .route("/spaces/{slug}/dashboard", get(dashboard))
        .route("/spaces/{slug}/dashboard/{file}", get(dashboard_csv))
        .route("/challenges/{id}/dashboard", get(challenge_dashboard))
        .route(
            "/challenges/{id}/dashboard/{file}",
            get(challenge_dashboard_csv),
        )
        .route(
            "/spaces/{slug}/products",
            get(catalogue).post(create_product),
        )
        .route("/products/{slug}", get(product).post(update_product))
        .route("/products/{slug}/feedback", post(send_feedback))
        .route("/ideas/{id}/product", post(set_idea_product))
        .route("/feedback", get(feedback_inbox))
        .route(
            "/feedback/import",
            get(feedback_import_form)
                .post(import_feedback)
                .layer(DefaultBodyLimit::max(
                    crate::upload::MAX_IMPORT_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route("/feedback/status", post(set_feedback_status))
        .route("/feedback/link", post(link_feedback))
        .route("/feedback/{id}", get(feedback_item))
        .route("/feedback/{id}/answer", post(answer_feedback))
        .route("/feedback/{id}/link", post(link_one))
        .route("/feedback/{id}/idea", post(idea_from_feedback))
        .route("/feedback/claim/{token}", get(claim_page).post(claim))
        .route("/my/feedback", get(own_feedback))
        .route("/spaces/{slug}/themes", get(themes))
        .route("/spaces/{slug}/themes/refresh", post(refresh_themes))
        .route("/themes/{id}", get(theme).post(edit_theme))
        .route("/themes/{id}/merge", post(merge_theme))
        .route("/spaces/{slug}/duplicates", get(duplicates))
        .route("/duplicates/{id}", get(duplicate))
        .route("/duplicates/{id}/merge", post(merge_duplicate))
        .route("/duplicates/{id}/dismiss", post(dismiss_duplicate))
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
        .route(
            "/comments/{id}/delete",
            get(confirm_comment_deletion).post(delete_comment),
        )
        .route("/notifications", get(notifications))
        .route("/people/{handle}", get(person))
        .route("/flags", post(flag))
        .route("/moderation", get(moderation))
        .route("/moderation/{kind}/{id}/{action}", post(moderate))
        .route("/search", get(search))
        .route("/spaces/{slug}/similar", get(similar))
}

/// The longest name a theme may have, for its form.
pub(crate) fn theme_label_limit() -> usize {
    cocreate_app::MAX_THEME_LABEL
}
