//! The HTML pages. Each handler parses its input, calls one use case and renders; a refused form
//! is shown again with the message next to the field at fault.

use askama::Template;
use axum::Router;
use axum::extract::{Extension, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cocreate_app::{
    AccountInput, Actor, AppError, InvitationView, LogoUpload, SignedIn, SpaceInput, SpaceView,
};
use cocreate_core::{AccountKind, Action, Audience, OrgRole};
use cocreate_store::{Account, ApiToken, AuditEntry, Invitation, OutboxMail};
use serde::Deserialize;

use crate::error::HttpError;
use crate::session::CurrentActor;
use crate::{WebState, next_cursor};

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
    pub unread: i64,
}

pub struct Layout {
    pub org_name: String,
    pub has_logo: bool,
    pub actor: Option<ActorView>,
    pub notice: Option<&'static str>,
}

pub(crate) async fn layout(state: &WebState, actor: Option<&Actor>) -> Result<Layout, PageError> {
    let org = state.app.organisation().await?;
    let actor = match actor {
        Some(a) => Some(ActorView {
            name: a.name.clone(),
            is_admin: a.may(Action::ManageOrganisation),
            is_moderator: a.role != cocreate_core::OrgRole::Member,
            unread: state.app.unread_notifications(a).await?,
        }),
        None => None,
    };
    Ok(Layout {
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
        _ => None,
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    done: Option<String>,
}

pub fn routes() -> Router<WebState> {
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
        .route("/spaces", get(spaces).post(create_space))
        .route(
            "/spaces/{slug}",
            get(crate::idea_pages::space).post(update_space),
        )
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
        .route("/admin/invitations", get(admin_invitations).post(invite))
        .route("/admin/audit", get(admin_audit))
        .route("/admin/outbox", get(admin_outbox))
        .route(
            "/invitations/{token}",
            get(invitation_page).post(accept_invitation),
        )
        .route("/logo", get(logo))
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
        Ok(()) => "ready".into_response(),
        Err(error) => crate::error::problem_response(&error.into()),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/app.css"),
    )
        .into_response()
}

async fn similar_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/similar.js"),
    )
        .into_response()
}

async fn logo(State(state): State<WebState>) -> PageResult {
    let logo = state.app.organisation_logo().await?;
    let content_type = HeaderValue::from_str(&logo.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(([(header::CONTENT_TYPE, content_type)], logo.bytes).into_response())
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    description: String,
    spaces: Vec<SpaceView>,
}

async fn home(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let mut layout = layout(&state, actor.get()).await?;
    layout.notice = notice_for(done.done.as_deref());
    let description = state.app.organisation().await?.description;
    let spaces = state.app.spaces(actor.get()).await?;
    ok(&HomePage {
        layout,
        description,
        spaces,
    })
}

#[derive(Template)]
#[template(path = "account_form.html")]
struct AccountForm {
    layout: Layout,
    heading: &'static str,
    intro: Option<&'static str>,
    action: String,
    submit: &'static str,
    show_name: bool,
    show_email: bool,
    show_password: bool,
    password_autocomplete: &'static str,
    name: String,
    email: String,
    error: FormError,
}

impl AccountForm {
    fn signup(layout: Layout) -> Self {
        Self {
            layout,
            heading: "Create your account",
            intro: None,
            action: "/signup".into(),
            submit: "Sign up",
            show_name: true,
            show_email: true,
            show_password: true,
            password_autocomplete: "new-password",
            name: String::new(),
            email: String::new(),
            error: FormError::default(),
        }
    }

    fn signin(layout: Layout) -> Self {
        Self {
            heading: "Sign in",
            action: "/signin".into(),
            submit: "Sign in",
            show_name: false,
            password_autocomplete: "current-password",
            ..Self::signup(layout)
        }
    }

    fn reset_request(layout: Layout) -> Self {
        Self {
            heading: "Reset your password",
            intro: Some(
                "Type your account's e-mail address; we send a link to choose a new password.",
            ),
            action: "/reset".into(),
            submit: "Send link",
            show_name: false,
            show_password: false,
            ..Self::signup(layout)
        }
    }

    fn reset(layout: Layout, token: &str) -> Self {
        Self {
            heading: "Choose a new password",
            intro: Some("All your sessions will be signed out and you will be signed in here."),
            action: format!("/reset/{token}"),
            submit: "Set password",
            show_name: false,
            show_email: false,
            ..Self::signup(layout)
        }
    }

    fn with_error(mut self, error: FormError) -> Self {
        self.error = error;
        self
    }
}

#[derive(Deserialize)]
struct AccountFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn signup_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    ok(&AccountForm::signup(layout(&state, actor.get()).await?))
}

async fn signup(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let input = AccountInput {
        email: &form.email,
        name: &form.name,
        password: &form.password,
    };
    match state.app.sign_up(&input).await {
        Ok(signed_in) => Ok(signed_in_redirect(&state, &signed_in, "/?done=welcome")),
        Err(error) => {
            let page = AccountForm {
                name: form.name,
                email: form.email,
                ..AccountForm::signup(layout(&state, actor.get()).await?)
            };
            refused(&page.with_error(FormError::from_app(error)?))
        }
    }
}

async fn signin_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    ok(&AccountForm::signin(layout(&state, actor.get()).await?))
}

async fn signin(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    match state.app.sign_in(&form.email, &form.password).await {
        Ok(signed_in) => {
            // A session that was already open is replaced, never reused (no fixation).
            if let Some(previous) = actor.get() {
                state.app.sign_out(previous).await?;
            }
            Ok(signed_in_redirect(&state, &signed_in, "/"))
        }
        Err(error) => {
            let page = AccountForm {
                email: form.email,
                ..AccountForm::signin(layout(&state, actor.get()).await?)
            };
            let status_page = page.with_error(FormError::from_app(error)?);
            render(StatusCode::UNAUTHORIZED, &status_page)
        }
    }
}

async fn signout(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    if let Some(actor) = actor.get() {
        state.app.sign_out(actor).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.cookie.clear());
    Ok(response)
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    heading: &'static str,
    text: String,
    link: Option<(&'static str, &'static str)>,
}

async fn reset_request_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    ok(&AccountForm::reset_request(
        layout(&state, actor.get()).await?,
    ))
}

async fn reset_request(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let layout = layout(&state, actor.get()).await?;
    match state.app.request_password_reset(&form.email).await {
        Ok(()) => ok(&MessagePage {
            layout,
            heading: "Check your mail",
            text: format!(
                "If {} has an account, a link to choose a new password is on its way. It works once, within an hour.",
                form.email.trim()
            ),
            link: None,
        }),
        Err(error) => {
            let page = AccountForm {
                email: form.email,
                ..AccountForm::reset_request(layout)
            };
            refused(&page.with_error(FormError::from_app(error)?))
        }
    }
}

async fn reset_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    ok(&AccountForm::reset(
        layout(&state, actor.get()).await?,
        &token,
    ))
}

async fn reset(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    match state.app.reset_password(&token, &form.password).await {
        Ok(signed_in) => Ok(signed_in_redirect(
            &state,
            &signed_in,
            "/profile?done=password",
        )),
        Err(error) => {
            let page = AccountForm::reset(layout(&state, actor.get()).await?, &token);
            refused(&page.with_error(FormError::from_app(error)?))
        }
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    layout: Layout,
    heading: &'static str,
    text: &'static str,
    action: String,
    submit: &'static str,
}

async fn email_confirm_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    ok(&ConfirmPage {
        layout: layout(&state, actor.get()).await?,
        heading: "Confirm your new e-mail address",
        text: "Press the button to start using this address for your account.",
        action: format!("/email/confirm/{token}"),
        submit: "Confirm address",
    })
}

async fn email_confirm(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    let layout = layout(&state, actor.get()).await?;
    match state.app.confirm_email_change(&token).await {
        Ok(email) => ok(&MessagePage {
            layout,
            heading: "Address confirmed",
            text: format!("Your account now uses {email}."),
            link: Some(("/profile", "Go to your profile")),
        }),
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    layout: Layout,
    name: String,
    handle: String,
    email: String,
    kind: AccountKind,
    role: OrgRole,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    error: FormError,
}

async fn profile_page(
    state: &WebState,
    actor: &Actor,
    notice: Option<&'static str>,
    error: FormError,
    new_token: Option<String>,
) -> PageResult {
    let mut layout = layout(state, Some(actor)).await?;
    layout.notice = notice;
    let page = ProfilePage {
        layout,
        name: actor.name.clone(),
        handle: actor.handle.clone(),
        email: actor.email.clone(),
        kind: actor.kind,
        role: actor.role,
        tokens: state.app.api_tokens(actor).await?,
        new_token,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

async fn profile(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require(&actor)?;
    profile_page(
        &state,
        actor,
        notice_for(done.done.as_deref()),
        FormError::default(),
        None,
    )
    .await
}

#[derive(Deserialize)]
struct PasswordFields {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<PasswordFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .change_password(actor, &form.current_password, &form.new_password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/profile?done=password").into_response()),
        Err(error) => profile_page(&state, actor, None, FormError::from_app(error)?, None).await,
    }
}

async fn change_email(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .request_email_change(actor, &form.email, &form.password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/profile?done=email-sent").into_response()),
        Err(error) => profile_page(&state, actor, None, FormError::from_app(error)?, None).await,
    }
}

async fn create_token(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.create_api_token(actor, &form.name).await {
        // Shown in this response only; never stored or shown again.
        Ok(created) => {
            profile_page(
                &state,
                actor,
                None,
                FormError::default(),
                Some(created.secret),
            )
            .await
        }
        Err(error) => profile_page(&state, actor, None, FormError::from_app(error)?, None).await,
    }
}

async fn revoke_token(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.revoke_api_token(actor, id).await?;
    Ok(Redirect::to("/profile?done=revoked").into_response())
}

#[derive(Deserialize, Default)]
struct SpaceFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    audience: String,
}

impl SpaceFields {
    fn input(&self) -> Result<SpaceInput<'_>, AppError> {
        Ok(SpaceInput {
            name: &self.name,
            slug: &self.slug,
            description: &self.description,
            audience: self.audience.parse::<Audience>()?,
        })
    }
}

#[derive(Template)]
#[template(path = "spaces.html")]
struct SpacesPage {
    layout: Layout,
    spaces: Vec<SpaceView>,
    can_create: bool,
    audiences: &'static [Audience],
    form: SpaceFields,
    error: FormError,
}

async fn spaces_page(
    state: &WebState,
    actor: Option<&Actor>,
    form: SpaceFields,
    error: FormError,
) -> PageResult {
    let page = SpacesPage {
        layout: layout(state, actor).await?,
        spaces: state.app.spaces(actor).await?,
        can_create: actor.is_some_and(|a| a.may(Action::CreateSpace)),
        audiences: Audience::ALL,
        form,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

async fn spaces(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    let form = SpaceFields {
        audience: Audience::Public.as_str().into(),
        ..SpaceFields::default()
    };
    spaces_page(&state, actor.get(), form, FormError::default()).await
}

async fn create_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<SpaceFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = match form.input() {
        Ok(input) => state.app.create_space(actor, &input).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(space) => Ok(Redirect::to(&format!("/spaces/{}", space.slug)).into_response()),
        Err(error) => spaces_page(&state, Some(actor), form, FormError::from_app(error)?).await,
    }
}

async fn update_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<SpaceFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = match form.input() {
        Ok(input) => state
            .app
            .update_space(actor, &slug, &input)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{slug}?done=saved")).into_response()),
        Err(error) => {
            crate::idea_pages::space_page_refused(&state, actor, &slug, FormError::from_app(error)?)
                .await
        }
    }
}

async fn add_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.add_space_member(actor, &slug, &form.email).await {
        Ok(_) => Ok(Redirect::to(&format!("/spaces/{slug}?done=saved")).into_response()),
        Err(error) => {
            crate::idea_pages::space_page_refused(&state, actor, &slug, FormError::from_app(error)?)
                .await
        }
    }
}

async fn remove_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((slug, id)): Path<(String, i64)>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.remove_space_member(actor, &slug, id).await?;
    Ok(Redirect::to(&format!("/spaces/{slug}?done=saved")).into_response())
}

pub enum AdminBody {
    Organisation {
        name: String,
        description: String,
    },
    Members {
        members: Vec<Account>,
        next: Option<i64>,
    },
    Invitations {
        invitations: Vec<Invitation>,
        form_email: String,
    },
    Audit {
        entries: Vec<AuditEntry>,
        next: Option<i64>,
    },
    Outbox {
        mails: Vec<OutboxMail>,
        next: Option<i64>,
    },
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    tab: &'static str,
    body: AdminBody,
    kinds: &'static [AccountKind],
    roles: &'static [OrgRole],
    error: FormError,
}

const PAGE_SIZE: i64 = 50;

async fn admin_page(
    state: &WebState,
    actor: &Actor,
    tab: &'static str,
    body: AdminBody,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let mut layout = layout(state, Some(actor)).await?;
    layout.notice = notice;
    let page = AdminPage {
        layout,
        tab,
        body,
        kinds: AccountKind::ALL,
        roles: OrgRole::ALL,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

/// Admin pages do not exist for people the policy does not allow `action`.
fn require_allowed(actor: &CurrentActor, action: Action) -> Result<&Actor, PageError> {
    actor
        .get()
        .filter(|a| a.may(action))
        .ok_or_else(|| PageError::Http(HttpError::not_found()))
}

async fn admin_organisation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageOrganisation)?;
    let org = state.app.organisation().await?;
    let body = AdminBody::Organisation {
        name: org.name,
        description: org.description,
    };
    admin_page(
        &state,
        actor,
        "organisation",
        body,
        notice_for(done.done.as_deref()),
        FormError::default(),
    )
    .await
}

#[derive(Deserialize)]
struct OrganisationFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

async fn update_organisation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<OrganisationFields>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageOrganisation)?;
    match state
        .app
        .update_organisation(actor, &form.name, &form.description)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/organisation?done=saved").into_response()),
        Err(error) => {
            let body = AdminBody::Organisation {
                name: form.name,
                description: form.description,
            };
            admin_page(
                &state,
                actor,
                "organisation",
                body,
                None,
                FormError::from_app(error)?,
            )
            .await
        }
    }
}

async fn upload_logo(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageOrganisation)?;
    let mut multipart = multipart.map_err(|e| {
        HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
    })?;
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
    })? {
        if field.name() == Some("logo") {
            let data = field.bytes().await.map_err(|e| {
                HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
            })?;
            bytes = Some(data.to_vec());
        }
    }
    let upload = LogoUpload {
        bytes: bytes.unwrap_or_default(),
    };
    match state.app.set_organisation_logo(actor, Some(upload)).await {
        Ok(()) => Ok(Redirect::to("/admin/organisation?done=saved").into_response()),
        Err(error) => {
            let org = state.app.organisation().await?;
            let body = AdminBody::Organisation {
                name: org.name,
                description: org.description,
            };
            admin_page(
                &state,
                actor,
                "organisation",
                body,
                None,
                FormError::from_app(error)?,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
struct PageQuery {
    after: Option<i64>,
    before: Option<i64>,
    done: Option<String>,
}

async fn admin_members(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageMembers)?;
    members_page(
        &state,
        actor,
        query.after.unwrap_or(0),
        notice_for(query.done.as_deref()),
        FormError::default(),
    )
    .await
}

async fn members_page(
    state: &WebState,
    actor: &Actor,
    after: i64,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let members = state.app.members(actor, after, PAGE_SIZE).await?;
    let next = next_cursor(&members, PAGE_SIZE, |a| a.id);
    admin_page(
        state,
        actor,
        "members",
        AdminBody::Members { members, next },
        notice,
        error,
    )
    .await
}

#[derive(Deserialize)]
struct AccessFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    role: String,
}

impl AccessFields {
    fn parse(&self) -> Result<(AccountKind, OrgRole), AppError> {
        Ok((self.kind.parse()?, self.role.parse()?))
    }
}

async fn update_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<AccessFields>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageMembers)?;
    let result = match form.parse() {
        Ok((kind, role)) => state
            .app
            .set_member_access(actor, id, role, kind)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/members?done=saved").into_response()),
        Err(error) => members_page(&state, actor, 0, None, FormError::from_app(error)?).await,
    }
}

async fn admin_invitations(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::InviteMembers)?;
    invitations_page(
        &state,
        actor,
        String::new(),
        notice_for(done.done.as_deref()),
        FormError::default(),
    )
    .await
}

async fn invitations_page(
    state: &WebState,
    actor: &Actor,
    form_email: String,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let invitations = state.app.invitations(actor).await?;
    admin_page(
        state,
        actor,
        "invitations",
        AdminBody::Invitations {
            invitations,
            form_email,
        },
        notice,
        error,
    )
    .await
}

async fn invite(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccessFields>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::InviteMembers)?;
    let result = match form.parse() {
        Ok((kind, role)) => state
            .app
            .invite(actor, &form.email, kind, role)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/invitations?done=invited").into_response()),
        Err(error) => {
            invitations_page(&state, actor, form.email, None, FormError::from_app(error)?).await
        }
    }
}

async fn admin_audit(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ReadAuditLog)?;
    let entries = state
        .app
        .audit_log(actor, query.before.unwrap_or(i64::MAX), PAGE_SIZE)
        .await?;
    let next = next_cursor(&entries, PAGE_SIZE, |e| e.id);
    admin_page(
        &state,
        actor,
        "audit",
        AdminBody::Audit { entries, next },
        None,
        FormError::default(),
    )
    .await
}

async fn admin_outbox(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ReadOutbox)?;
    let mails = state
        .app
        .outbox(actor, query.before.unwrap_or(i64::MAX), PAGE_SIZE)
        .await?;
    let next = next_cursor(&mails, PAGE_SIZE, |m| m.id);
    admin_page(
        &state,
        actor,
        "outbox",
        AdminBody::Outbox { mails, next },
        None,
        FormError::default(),
    )
    .await
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    layout: Layout,
    invitation: InvitationView,
    token: String,
    signed_in: bool,
    name: String,
    error: FormError,
}

async fn invitation_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    let invitation = state.app.invitation(&token).await?;
    ok(&InvitationPage {
        layout: layout(&state, actor.get()).await?,
        invitation,
        token,
        signed_in: actor.get().is_some(),
        name: String::new(),
        error: FormError::default(),
    })
}

async fn accept_invitation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    match state
        .app
        .accept_invitation(&token, actor.get(), &form.name, &form.password)
        .await
    {
        Ok(signed_in) => {
            let notice = if actor.get().is_some() {
                "/?done=saved"
            } else {
                "/?done=welcome"
            };
            Ok(signed_in_redirect(&state, &signed_in, notice))
        }
        Err(error) => {
            let invitation = state.app.invitation(&token).await?;
            refused(&InvitationPage {
                layout: layout(&state, actor.get()).await?,
                invitation,
                token,
                signed_in: actor.get().is_some(),
                name: form.name,
                error: FormError::from_app(error)?,
            })
        }
    }
}
