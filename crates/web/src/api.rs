//! The JSON API under `/api/v1`. Its OpenAPI document is generated from these handlers and types.

use axum::Json;
use axum::extract::{Extension, FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cocreate_app::{
    AccountInput, Actor, AppError, ChallengeInput, IdeaFilter, IdeaInput, IdeaView, ListOrder,
    SearchFilter, SearchScope, SpaceInput, SpaceView, support_target,
};
use cocreate_core::{AccountKind, Audience, OrgRole, Stage};
use cocreate_store::{
    Account, ApiToken, AuditEntry, Challenge, Idea, IdeaEvent, Invitation, OutboxMail, SearchHit,
    Snippet, Subject,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, HttpError, Problem};
use crate::session::CurrentActor;
use crate::{PagePath, WebState, next_cursor};

#[derive(OpenApi)]
#[openapi(
    info(title = "Cocreate API", version = "1", description = "The JSON API of Cocreate. Authenticate with `Authorization: Bearer <token>` (create tokens on your profile page). Errors are `application/problem+json` with a stable `code` and, for input errors, the offending `field`."),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn api_router() -> OpenApiRouter<WebState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(sign_up))
        .routes(routes!(request_reset))
        .routes(routes!(reset_password))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(list_spaces, create_space))
        .routes(routes!(get_space, update_space))
        .routes(routes!(list_space_members, add_space_member))
        .routes(routes!(remove_space_member))
        .routes(routes!(list_members))
        .routes(routes!(update_member))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(audit_log))
        .routes(routes!(outbox))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_challenges, create_challenge))
        .routes(routes!(get_challenge, update_challenge))
        .routes(routes!(list_ideas, propose_idea))
        .routes(routes!(get_idea, edit_idea))
        .routes(routes!(idea_revisions))
        .routes(routes!(list_co_authors, invite_co_author))
        .routes(routes!(accept_co_author))
        .routes(routes!(list_attachments))
        .merge(
            // Uploads may be larger than other requests.
            OpenApiRouter::new()
                .routes(routes!(upload_attachment))
                .routes(routes!(upload_cover))
                .layer(axum::extract::DefaultBodyLimit::max(
                    cocreate_app::MAX_ATTACHMENT_BYTES + 64 * 1024,
                )),
        )
        .routes(routes!(remove_co_author))
        .routes(routes!(support_idea, withdraw_support))
        .routes(routes!(publish_idea))
        .routes(routes!(move_idea))
        .routes(routes!(merge_idea))
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(list_challenge_comments, add_challenge_comment))
        .routes(routes!(edit_comment, delete_comment))
        .routes(routes!(follow_idea, unfollow_idea))
        .routes(routes!(list_notifications))
        .routes(routes!(read_notifications))
        .routes(routes!(create_flag))
        .routes(routes!(list_flags))
        .routes(routes!(moderate_content))
        .routes(routes!(search_ideas))
        .routes(routes!(search_comments))
        .routes(routes!(search_challenges))
        .routes(routes!(similar_ideas))
}

pub fn routes() -> axum::Router<WebState> {
    let (router, _) = api_router().split_for_parts();
    router.route(
        "/api/v1/openapi.json",
        axum::routing::get(|| async { Json(openapi_document()) }),
    )
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut document = api_router().split_for_parts().1;
    document_common_answers(&mut document);
    document
}

/// Answers any operation may give besides its own, added to each so the document is complete:
/// what the layers in front of every handler answer (unreadable input, an invalid token, a
/// body over the limit, the rate limits, the database away or its disk full), and the policy's
/// refusal of a write. Authentication is
/// optional at the document level: reading public spaces needs none, and operations that need
/// an account answer 401.
fn document_common_answers(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    let every = [
        (
            "400",
            "The request could not be read (body, path or query string).",
        ),
        (
            "401",
            "The bearer token is not valid, or the operation needs an account.",
        ),
        (
            "503",
            "The database is unavailable for the moment; try again.",
        ),
    ];
    let writes = [
        ("403", "The account may not do this here."),
        ("413", "The request body is over the size limit."),
        (
            "429",
            "Too many requests from this address; see `Retry-After`.",
        ),
        ("507", "The server's disk is full: nothing was saved."),
    ];
    document.security = Some(vec![
        SecurityRequirement::default(),
        SecurityRequirement::new("bearer", Vec::<String>::new()),
    ]);
    for item in document.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
        ];
        for (operation, writes_data) in operations {
            let Some(operation) = operation else { continue };
            let answers = every.iter().chain(writes.iter().filter(|_| writes_data));
            for (status, description) in answers {
                operation
                    .responses
                    .responses
                    .entry((*status).to_owned())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
}

/// A JSON body; malformed JSON, unknown fields and wrong types are a 400 problem naming the cause.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Self(value))
            .map_err(|rejection| {
                let status = rejection.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "payload_too_large"
                } else {
                    "bad_request"
                };
                let status = if code == "bad_request" {
                    StatusCode::BAD_REQUEST
                } else {
                    status
                };
                ApiError(HttpError::new(status, code, rejection.body_text()))
            })
    }
}

fn signed_in(actor: &CurrentActor) -> Result<&Actor, ApiError> {
    actor
        .get()
        .ok_or_else(|| ApiError(AppError::Unauthenticated.into()))
}

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    id: i64,
    email: String,
    name: String,
    /// Others mention the account as `@handle`.
    handle: String,
    kind: AccountKind,
    role: OrgRole,
    /// RFC 3339.
    created_at: String,
}

impl From<&Account> for AccountOut {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            email: a.email.clone(),
            name: a.name.clone(),
            handle: a.handle.clone(),
            kind: a.kind,
            role: a.role,
            created_at: a.created_at.to_rfc3339(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    id: i64,
    email: String,
    name: String,
    /// Others mention the account as `@handle`.
    handle: String,
    kind: AccountKind,
    role: OrgRole,
}

/// The account the request acts as.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeOut), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me(Extension(actor): Extension<CurrentActor>) -> ApiResult<Json<MeOut>> {
    let a = signed_in(&actor)?;
    Ok(Json(MeOut {
        id: a.id,
        email: a.email.clone(),
        name: a.name.clone(),
        handle: a.handle.clone(),
        kind: a.kind,
        role: a.role,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpIn {
    email: String,
    name: String,
    /// 10 to 128 characters.
    password: String,
}

/// Creates a customer account. Sign in through the web page to create API tokens.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = SignUpIn, security(()),
    responses((status = 201, body = AccountOut), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn sign_up(
    State(state): State<WebState>,
    ApiJson(body): ApiJson<SignUpIn>,
) -> ApiResult<Response> {
    let input = AccountInput {
        email: &body.email,
        name: &body.name,
        password: &body.password,
    };
    let signed_in = state.app.sign_up(&input).await?;
    Ok((
        StatusCode::CREATED,
        Json(AccountOut::from(&signed_in.account)),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestIn {
    email: String,
}

/// Mails a password-reset link if the address has an account (the answer is the same either way).
#[utoipa::path(post, path = "/api/v1/password-resets", tag = "accounts", request_body = ResetRequestIn, security(()),
    responses((status = 202, description = "Accepted"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn request_reset(
    State(state): State<WebState>,
    ApiJson(body): ApiJson<ResetRequestIn>,
) -> ApiResult<StatusCode> {
    state.app.request_password_reset(&body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetIn {
    new_password: String,
}

/// Sets a new password with the token from a reset mail; the token works once.
#[utoipa::path(post, path = "/api/v1/password-resets/{token}", tag = "accounts", request_body = ResetIn, security(()),
    params(("token" = String, Path, description = "The token from the reset link")),
    responses((status = 204, description = "Password changed; all sessions ended"), (status = 410, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn reset_password(
    State(state): State<WebState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<ResetIn>,
) -> ApiResult<StatusCode> {
    state.app.reset_password(&token, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    name: String,
    description: String,
    /// Where the logo is served, when there is one.
    logo_url: Option<String>,
}

/// The organisation's public profile.
#[utoipa::path(get, path = "/api/v1/organisation", tag = "organisation", security(()), responses((status = 200, body = OrganisationOut)))]
async fn get_organisation(State(state): State<WebState>) -> ApiResult<Json<OrganisationOut>> {
    let org = state.app.organisation().await?;
    Ok(Json(OrganisationOut {
        name: org.name,
        description: org.description,
        logo_url: org.has_logo.then(|| "/logo".to_owned()),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationIn {
    name: String,
    #[serde(default)]
    description: String,
}

/// Changes the organisation's name and description (admins).
#[utoipa::path(put, path = "/api/v1/organisation", tag = "organisation", request_body = OrganisationIn,
    responses((status = 200, body = OrganisationOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_organisation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<OrganisationIn>,
) -> ApiResult<Json<OrganisationOut>> {
    state
        .app
        .update_organisation(signed_in(&actor)?, &body.name, &body.description)
        .await?;
    get_organisation(State(state)).await
}

#[derive(Serialize, ToSchema)]
pub struct SpaceOut {
    slug: String,
    name: String,
    description: String,
    audience: Audience,
    can_contribute: bool,
    can_manage: bool,
    created_at: String,
}

impl From<SpaceView> for SpaceOut {
    fn from(view: SpaceView) -> Self {
        Self {
            slug: view.space.slug,
            name: view.space.name,
            description: view.space.description,
            audience: view.space.audience,
            can_contribute: view.can_contribute,
            can_manage: view.can_manage,
            created_at: view.space.created_at.to_rfc3339(),
        }
    }
}

/// The spaces the caller may see.
#[utoipa::path(get, path = "/api/v1/spaces", tag = "spaces", responses((status = 200, body = Vec<SpaceOut>)))]
async fn list_spaces(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<Json<Vec<SpaceOut>>> {
    let spaces = state.app.spaces(actor.get()).await?;
    Ok(Json(spaces.into_iter().map(SpaceOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpaceIn {
    name: String,
    /// Derived from the name when absent.
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    audience: Audience,
}

/// Creates a space (admins).
#[utoipa::path(post, path = "/api/v1/spaces", tag = "spaces", request_body = SpaceIn,
    responses((status = 201, body = SpaceOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<SpaceIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let input = SpaceInput {
        name: &body.name,
        slug: &body.slug,
        description: &body.description,
        audience: body.audience,
    };
    let space = state.app.create_space(actor, &input).await?;
    let view = state.app.space(Some(actor), &space.slug).await?;
    Ok((StatusCode::CREATED, Json(SpaceOut::from(view))).into_response())
}

/// One space; 404 when it does not exist or the caller may not see it.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}", tag = "spaces", params(("slug" = String, Path)),
    responses((status = 200, body = SpaceOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<Json<SpaceOut>> {
    Ok(Json(state.app.space(actor.get(), &slug).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpaceUpdateIn {
    name: String,
    #[serde(default)]
    description: String,
    audience: Audience,
}

/// Changes a space (admins).
#[utoipa::path(put, path = "/api/v1/spaces/{slug}", tag = "spaces", params(("slug" = String, Path)), request_body = SpaceUpdateIn,
    responses((status = 200, body = SpaceOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<SpaceUpdateIn>,
) -> ApiResult<Json<SpaceOut>> {
    let actor = signed_in(&actor)?;
    let input = SpaceInput {
        name: &body.name,
        slug: "",
        description: &body.description,
        audience: body.audience,
    };
    state.app.update_space(actor, &slug, &input).await?;
    Ok(Json(state.app.space(Some(actor), &slug).await?.into()))
}

/// The member list of a space (admins).
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/members", tag = "spaces", params(("slug" = String, Path)),
    responses((status = 200, body = Vec<AccountOut>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_space_members(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<AccountOut>>> {
    let members = state.app.space_members(signed_in(&actor)?, &slug).await?;
    Ok(Json(members.iter().map(AccountOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpaceMemberIn {
    email: String,
}

/// Lists an existing account as a member of the space (admins).
#[utoipa::path(post, path = "/api/v1/spaces/{slug}/members", tag = "spaces", params(("slug" = String, Path)), request_body = SpaceMemberIn,
    responses((status = 201, body = AccountOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_space_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<SpaceMemberIn>,
) -> ApiResult<Response> {
    let account = state
        .app
        .add_space_member(signed_in(&actor)?, &slug, &body.email)
        .await?;
    Ok((StatusCode::CREATED, Json(AccountOut::from(&account))).into_response())
}

/// Removes a member from the space (admins).
#[utoipa::path(delete, path = "/api/v1/spaces/{slug}/members/{account_id}", tag = "spaces",
    params(("slug" = String, Path), ("account_id" = i64, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn remove_space_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((slug, account_id)): Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .remove_space_member(signed_in(&actor)?, &slug, account_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Cursor {
    /// Continue after (members) or before (logs) this id, from the previous page's `next`.
    cursor: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    items: Vec<AccountOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<i64>,
}

/// All accounts, in id order (admins).
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(Cursor),
    responses((status = 200, body = MemberPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_members(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(page): Query<Cursor>,
) -> ApiResult<Json<MemberPage>> {
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let members = state
        .app
        .members(signed_in(&actor)?, page.cursor.unwrap_or(0), limit)
        .await?;
    Ok(Json(MemberPage {
        next: next_cursor(&members, limit, |a| a.id),
        items: members.iter().map(AccountOut::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessIn {
    kind: AccountKind,
    role: OrgRole,
}

/// Changes an account's kind and role (admins). The last admin cannot be demoted.
#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)), request_body = AccessIn,
    responses((status = 200, body = AccountOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn update_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AccessIn>,
) -> ApiResult<Json<AccountOut>> {
    let account = state
        .app
        .set_member_access(signed_in(&actor)?, id, body.role, body.kind)
        .await?;
    Ok(Json(AccountOut::from(&account)))
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    id: i64,
    email: String,
    kind: AccountKind,
    role: OrgRole,
    created_at: String,
    expires_at: String,
    accepted_at: Option<String>,
}

impl From<&Invitation> for InvitationOut {
    fn from(i: &Invitation) -> Self {
        Self {
            id: i.id,
            email: i.email.clone(),
            kind: i.kind,
            role: i.role,
            created_at: i.created_at.to_rfc3339(),
            expires_at: i.expires_at.to_rfc3339(),
            accepted_at: i.accepted_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// Invitations, newest first (admins).
#[utoipa::path(get, path = "/api/v1/invitations", tag = "members",
    responses((status = 200, body = Vec<InvitationOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_invitations(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<Json<Vec<InvitationOut>>> {
    let invitations = state.app.invitations(signed_in(&actor)?).await?;
    Ok(Json(invitations.iter().map(InvitationOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationIn {
    email: String,
    kind: AccountKind,
    role: OrgRole,
}

/// Invites someone by e-mail (admins); the link works once, for 7 days.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "members", request_body = InvitationIn,
    responses((status = 201, body = InvitationOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_invitation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<InvitationIn>,
) -> ApiResult<Response> {
    let invitation = state
        .app
        .invite(signed_in(&actor)?, &body.email, body.kind, body.role)
        .await?;
    Ok((StatusCode::CREATED, Json(InvitationOut::from(&invitation))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    id: i64,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    action: String,
    target: String,
    detail: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    items: Vec<AuditOut>,
    next: Option<i64>,
}

/// The audit log, newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "members", params(Cursor),
    responses((status = 200, body = AuditPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn audit_log(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(page): Query<Cursor>,
) -> ApiResult<Json<AuditPage>> {
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let entries = state
        .app
        .audit_log(signed_in(&actor)?, page.cursor.unwrap_or(i64::MAX), limit)
        .await?;
    Ok(Json(AuditPage {
        next: next_cursor(&entries, limit, |e: &AuditEntry| e.id),
        items: entries
            .into_iter()
            .map(|e| AuditOut {
                id: e.id,
                actor_id: e.actor_id,
                actor_name: e.actor_name,
                action: e.action,
                target: e.target,
                detail: e.detail,
                created_at: e.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MailOut {
    id: i64,
    to_address: String,
    subject: String,
    body: String,
    /// pending, sent, logged (no SMTP configured) or dead (gave up).
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct OutboxPage {
    items: Vec<MailOut>,
    next: Option<i64>,
}

/// The mail outbox, newest first (admins).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "members", params(Cursor),
    responses((status = 200, body = OutboxPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn outbox(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(page): Query<Cursor>,
) -> ApiResult<Json<OutboxPage>> {
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let mails = state
        .app
        .outbox(signed_in(&actor)?, page.cursor.unwrap_or(i64::MAX), limit)
        .await?;
    Ok(Json(OutboxPage {
        next: next_cursor(&mails, limit, |m: &OutboxMail| m.id),
        items: mails
            .into_iter()
            .map(|m| MailOut {
                id: m.id,
                to_address: m.to_address,
                subject: m.subject,
                body: m.body,
                status: m.status.as_str().to_owned(),
                attempts: m.attempts,
                last_error: m.last_error,
                created_at: m.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenOut {
    id: i64,
    name: String,
    prefix: String,
    created_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl From<&ApiToken> for ApiTokenOut {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created_at: t.created_at.to_rfc3339(),
            last_used_at: t.last_used_at.map(|x| x.to_rfc3339()),
            revoked_at: t.revoked_at.map(|x| x.to_rfc3339()),
        }
    }
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = Vec<ApiTokenOut>), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_tokens(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<Json<Vec<ApiTokenOut>>> {
    let tokens = state.app.api_tokens(signed_in(&actor)?).await?;
    Ok(Json(tokens.iter().map(ApiTokenOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedTokenOut {
    token: ApiTokenOut,
    /// The secret, shown this once.
    secret: String,
}

/// Creates an API token for the caller; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenIn,
    responses((status = 201, body = CreatedTokenOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_token(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<TokenIn>,
) -> ApiResult<Response> {
    let created = state
        .app
        .create_api_token(signed_in(&actor)?, &body.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenOut {
            token: ApiTokenOut::from(&created.token),
            secret: created.secret,
        }),
    )
        .into_response())
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_token(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.app.revoke_api_token(signed_in(&actor)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ChallengeOut {
    id: i64,
    space: String,
    title: String,
    /// The problem statement, Markdown source.
    problem: String,
    /// The problem statement, rendered and sanitised.
    problem_html: String,
    questions: Vec<String>,
    tags: Vec<String>,
    /// Support tiers as `supporters/days, …`.
    tiers: String,
    opens_at: Option<String>,
    closes_at: Option<String>,
    /// Where the cover image is served, when there is one.
    cover_url: Option<String>,
    created_at: String,
}

fn challenge_out(space: &str, c: Challenge) -> ChallengeOut {
    ChallengeOut {
        id: c.id,
        space: space.to_owned(),
        questions: c.questions.lines().map(str::to_owned).collect(),
        tags: c
            .tags
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        title: c.title,
        problem: c.problem,
        problem_html: c.problem_html,
        tiers: c.tiers,
        opens_at: c.opens_at.map(|t| t.to_rfc3339()),
        closes_at: c.closes_at.map(|t| t.to_rfc3339()),
        cover_url: c
            .cover
            .as_ref()
            .map(|_| format!("/challenges/{}/cover", c.id)),
        created_at: c.created_at.to_rfc3339(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeIn {
    title: String,
    /// Markdown, the why before the how.
    problem: String,
    #[serde(default)]
    questions: Vec<String>,
    /// Tags offered to ideas; empty offers any.
    #[serde(default)]
    tags: Vec<String>,
    /// `supporters/days, …`; absent means 100/60, 1000/365, 5000/182, 10000/182.
    #[serde(default)]
    tiers: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
}

impl ChallengeIn {
    /// The input, given the questions and tags joined as the form types them.
    fn input<'a>(&'a self, questions: &'a str, tags: &'a str) -> ChallengeInput<'a> {
        ChallengeInput {
            title: &self.title,
            problem: &self.problem,
            questions,
            tags,
            tiers: &self.tiers,
            opens_at: &self.opens_at,
            closes_at: &self.closes_at,
        }
    }
}

/// The challenges of a space, newest first.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/challenges", tag = "ideas", params(("slug" = String, Path)),
    responses((status = 200, body = Vec<ChallengeOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_challenges(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<ChallengeOut>>> {
    let challenges = state.app.challenges(actor.get(), &slug).await?;
    Ok(Json(
        challenges
            .into_iter()
            .map(|c| challenge_out(&slug, c))
            .collect(),
    ))
}

/// Creates a challenge in a space (staff: employees and admins).
#[utoipa::path(post, path = "/api/v1/spaces/{slug}/challenges", tag = "ideas", params(("slug" = String, Path)), request_body = ChallengeIn,
    responses((status = 201, body = ChallengeOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ChallengeIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let (questions, tags) = (body.questions.join("\n"), body.tags.join(","));
    let challenge = state
        .app
        .create_challenge(actor, &slug, &body.input(&questions, &tags))
        .await?;
    Ok((StatusCode::CREATED, Json(challenge_out(&slug, challenge))).into_response())
}

/// One challenge.
#[utoipa::path(get, path = "/api/v1/challenges/{id}", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = ChallengeOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<ChallengeOut>> {
    let (view, challenge) = state.app.challenge(actor.get(), id).await?;
    Ok(Json(challenge_out(&view.space.slug, challenge)))
}

/// Changes a challenge (staff).
#[utoipa::path(put, path = "/api/v1/challenges/{id}", tag = "ideas", params(("id" = i64, Path)), request_body = ChallengeIn,
    responses((status = 200, body = ChallengeOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ChallengeIn>,
) -> ApiResult<Json<ChallengeOut>> {
    let actor = signed_in(&actor)?;
    let (questions, tags) = (body.questions.join("\n"), body.tags.join(","));
    let challenge = state
        .app
        .update_challenge(actor, id, &body.input(&questions, &tags))
        .await?;
    let (view, _) = state.app.challenge(Some(actor), id).await?;
    Ok(Json(challenge_out(&view.space.slug, challenge)))
}

#[derive(Serialize, ToSchema)]
pub struct IdeaOut {
    id: i64,
    challenge_id: Option<i64>,
    title: String,
    /// Markdown source.
    body: String,
    /// Rendered and sanitised.
    body_html: String,
    tags: Vec<String>,
    author_id: i64,
    author_name: String,
    stage: Stage,
    supporters: i64,
    /// Comments not deleted.
    comments: i64,
    /// Whether the caller supports it.
    supported: bool,
    /// While gathering support: the supporters the current tier asks for, and by when.
    next_tier_supporters: Option<i64>,
    tier_deadline: Option<String>,
    merged_into: Option<i64>,
    created_at: String,
    updated_at: String,
}

fn idea_out(idea: Idea, supported: bool, next_tier: Option<i64>) -> IdeaOut {
    IdeaOut {
        id: idea.id,
        challenge_id: idea.challenge_id,
        tags: idea.tag_list().into_iter().map(str::to_owned).collect(),
        title: idea.title,
        body: idea.body,
        body_html: idea.body_html,
        author_id: idea.author_id,
        author_name: idea.author_name,
        stage: idea.stage,
        supporters: idea.supporters,
        comments: idea.comments,
        supported,
        next_tier_supporters: next_tier,
        tier_deadline: idea.tier_deadline.map(|t| t.to_rfc3339()),
        merged_into: idea.merged_into,
        created_at: idea.created_at.to_rfc3339(),
        updated_at: idea.updated_at.to_rfc3339(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct StageChangeOut {
    from: Option<Stage>,
    to: Stage,
    /// Who decided; absent when Cocreate did (tiers and deadlines).
    actor_name: Option<String>,
    rationale: String,
    at: String,
}

#[derive(Serialize, ToSchema)]
pub struct IdeaDetailOut {
    #[serde(flatten)]
    idea: IdeaOut,
    space: String,
    history: Vec<StageChangeOut>,
}

fn idea_detail(view: IdeaView) -> IdeaDetailOut {
    let history = view
        .history
        .into_iter()
        .map(|e: IdeaEvent| StageChangeOut {
            from: e.from_stage,
            to: e.to_stage,
            actor_name: e.actor_name,
            rationale: e.rationale,
            at: e.created_at.to_rfc3339(),
        })
        .collect();
    IdeaDetailOut {
        space: view.space.space.slug.clone(),
        idea: idea_out(view.idea, view.supported, view.target.map(|t| t.supporters)),
        history,
    }
}

#[derive(Serialize, ToSchema)]
pub struct IdeaListOut {
    items: Vec<IdeaOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdeaListQuery {
    /// `new` (default), `top` (most supporters), `hot` (supporters and comments, each weighing
    /// half as much per day of the idea's age) or `trending` (supporters gained in the last week).
    sort: Option<String>,
    stage: Option<Stage>,
    tag: Option<String>,
    /// Only ideas answering this challenge.
    challenge: Option<i64>,
    cursor: Option<String>,
}

/// The ideas of a space the caller may see, newest or most supported first.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/ideas", tag = "ideas", params(("slug" = String, Path), IdeaListQuery),
    responses((status = 200, body = IdeaListOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn list_ideas(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(query): Query<IdeaListQuery>,
) -> ApiResult<Json<IdeaListOut>> {
    let filter = IdeaFilter {
        challenge_id: query.challenge,
        stage: query.stage,
        tag: query.tag,
        order: ListOrder::parse(query.sort.as_deref().unwrap_or(""))?,
        cursor: query.cursor,
    };
    let page = state.app.ideas(actor.get(), &slug, &filter).await?;
    Ok(Json(IdeaListOut {
        items: page
            .items
            .into_iter()
            .map(|item| idea_out(item.idea, item.supported, None))
            .collect(),
        next: page.next,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaIn {
    /// 1 to 140 characters.
    title: String,
    /// Markdown, up to 20,000 characters.
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    challenge_id: Option<i64>,
    /// Start gathering support at once (default) or keep as a draft.
    #[serde(default = "yes")]
    publish: bool,
}

fn yes() -> bool {
    true
}

/// Proposes an idea in a space, optionally answering one of its challenges.
#[utoipa::path(post, path = "/api/v1/spaces/{slug}/ideas", tag = "ideas", params(("slug" = String, Path)), request_body = IdeaIn,
    responses((status = 201, body = IdeaDetailOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn propose_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<IdeaIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let tags = body.tags.join(",");
    let input = IdeaInput {
        title: &body.title,
        body: &body.body,
        tags: &tags,
        challenge_id: body.challenge_id,
        publish: body.publish,
    };
    let idea = state.app.propose_idea(actor, &slug, &input).await?;
    let view = state.app.idea(Some(actor), idea.id).await?;
    Ok((StatusCode::CREATED, Json(idea_detail(view))).into_response())
}

/// One idea with its stage history; 404 when the caller may not see it.
#[utoipa::path(get, path = "/api/v1/ideas/{id}", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaDetailOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaDetailOut>> {
    Ok(Json(idea_detail(state.app.idea(actor.get(), id).await?)))
}

async fn idea_after(state: &WebState, actor: &Actor, id: i64) -> ApiResult<Json<IdeaDetailOut>> {
    Ok(Json(idea_detail(state.app.idea(Some(actor), id).await?)))
}

/// The idea as a list shows it, after the caller supported it or withdrew.
fn supported_out(idea: Idea, supported: bool) -> ApiResult<Json<IdeaOut>> {
    let target = support_target(&idea)?;
    Ok(Json(idea_out(
        idea,
        supported,
        target.map(|t| t.supporters),
    )))
}

/// Supports an idea that is gathering support (doing it twice changes nothing). Answers with the
/// idea as lists show it — its count, stage and next tier — as it stands after the support; its
/// history is at `GET /ideas/{id}`.
#[utoipa::path(put, path = "/api/v1/ideas/{id}/support", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn support_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaOut>> {
    supported_out(state.app.support(signed_in(&actor)?, id).await?, true)
}

/// Withdraws the caller's support while the idea is gathering support; answers like supporting.
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/support", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn withdraw_support(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaOut>> {
    supported_out(
        state.app.withdraw_support(signed_in(&actor)?, id).await?,
        false,
    )
}

/// Publishes a draft: it starts gathering support (its author or staff).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/publish", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaDetailOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn publish_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    state.app.publish_idea(actor, id).await?;
    idea_after(&state, actor, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    to: Stage,
    /// Shown publicly on the idea.
    rationale: String,
}

/// Moves an idea to another stage with a public rationale (staff); its author and supporters are told.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/transitions", tag = "ideas", params(("id" = i64, Path)), request_body = TransitionIn,
    responses((status = 200, body = IdeaDetailOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn move_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TransitionIn>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    state
        .app
        .move_idea(actor, id, body.to, &body.rationale)
        .await?;
    idea_after(&state, actor, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The idea this one joins.
    into: i64,
    rationale: String,
}

/// Merges a duplicate into another idea of the same space (staff): supporters move, counted once.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/merge", tag = "ideas", params(("id" = i64, Path)), request_body = MergeIn,
    responses((status = 200, body = IdeaDetailOut, description = "The idea merged into"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn merge_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MergeIn>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    let into = state
        .app
        .merge_idea(actor, id, body.into, &body.rationale)
        .await?;
    idea_after(&state, actor, into.id).await
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitOut {
    #[serde(flatten)]
    idea: IdeaOut,
    /// A passage of the body (Markdown source, not HTML), as plain text.
    snippet: String,
    /// The same passage in order, each part marked as a match of the query or not.
    snippet_parts: Vec<SnippetPartOut>,
}

/// One part of a search snippet: the query's matches are told apart from the text around them
/// here rather than by markup inside the text.
#[derive(Serialize, ToSchema)]
pub struct SnippetPartOut {
    text: String,
    /// Whether this part matches the query (a page shows it highlighted).
    matched: bool,
}

fn snippet_parts_out(snippet: &Snippet) -> Vec<SnippetPartOut> {
    snippet
        .parts()
        .iter()
        .map(|part| SnippetPartOut {
            text: part.text.clone(),
            matched: part.matched,
        })
        .collect()
}

fn hits_out(hits: Vec<SearchHit>) -> Vec<SearchHitOut> {
    hits.into_iter()
        .map(|hit| SearchHitOut {
            idea: idea_out(hit.idea, false, None),
            snippet: hit.snippet.text(),
            snippet_parts: snippet_parts_out(&hit.snippet),
        })
        .collect()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to find (all of them), up to 200 characters.
    q: String,
    /// Only this space (its slug).
    space: Option<String>,
    stage: Option<Stage>,
    tag: Option<String>,
    challenge: Option<i64>,
}

/// Full-text search over the published ideas the caller may see, best match first (at most 30).
#[utoipa::path(get, path = "/api/v1/search", tag = "ideas", params(SearchParams),
    responses((status = 200, body = Vec<SearchHitOut>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn search_ideas(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<Vec<SearchHitOut>>> {
    Ok(Json(hits_out(
        state
            .app
            .search(actor.get(), &params.q, &params.filter())
            .await?,
    )))
}

impl SearchParams {
    async fn search(
        &self,
        state: &WebState,
        actor: &CurrentActor,
        scope: SearchScope,
    ) -> ApiResult<cocreate_app::SearchResults> {
        Ok(state
            .app
            .search_everything(actor.get(), &self.q, &self.filter(), scope)
            .await?)
    }

    fn filter(&self) -> SearchFilter {
        SearchFilter {
            space: self.space.clone(),
            challenge_id: self.challenge,
            stage: self.stage,
            tag: self.tag.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommentHitOut {
    comment_id: i64,
    /// The idea discussed, for a comment on an idea.
    idea_id: Option<i64>,
    /// The challenge discussed, for a comment on a challenge.
    challenge_id: Option<i64>,
    /// The title of the idea or challenge discussed.
    title: String,
    /// The comment on its idea's or challenge's page.
    url: String,
    /// A passage of the comment (Markdown source, not HTML), as plain text.
    snippet: String,
    /// The same passage in order, each part marked as a match of the query or not.
    snippet_parts: Vec<SnippetPartOut>,
}

/// Full-text search over live comments on the published ideas and the challenges the caller may
/// see, best match first (at most 30). The filters apply to the comment's idea; comments on
/// challenges are left out when filtering by stage or tag.
#[utoipa::path(get, path = "/api/v1/search/comments", tag = "ideas", params(SearchParams),
    responses((status = 200, body = Vec<CommentHitOut>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn search_comments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<Vec<CommentHitOut>>> {
    let found = params.search(&state, &actor, SearchScope::Comments).await?;
    Ok(Json(
        found
            .comments
            .into_iter()
            .map(|hit| CommentHitOut {
                url: format!("{}#comment-{}", hit.subject.path(), hit.comment_id),
                comment_id: hit.comment_id,
                idea_id: hit.subject.idea_id(),
                challenge_id: hit.subject.challenge_id(),
                title: hit.title,
                snippet: hit.snippet.text(),
                snippet_parts: snippet_parts_out(&hit.snippet),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ChallengeHitOut {
    #[serde(flatten)]
    challenge: ChallengeOut,
    /// A passage of the problem statement (Markdown source, not HTML), as plain text.
    snippet: String,
    /// The same passage in order, each part marked as a match of the query or not.
    snippet_parts: Vec<SnippetPartOut>,
}

/// Full-text search over the challenges of the spaces the caller may see (titles and problem
/// statements), best match first (at most 30). `tag` keeps challenges offering it; a `stage`
/// filter finds none, as challenges have no stage.
#[utoipa::path(get, path = "/api/v1/search/challenges", tag = "ideas", params(SearchParams),
    responses((status = 200, body = Vec<ChallengeHitOut>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn search_challenges(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<Vec<ChallengeHitOut>>> {
    let found = params
        .search(&state, &actor, SearchScope::Challenges)
        .await?;
    Ok(Json(
        found
            .challenges
            .into_iter()
            .map(|hit| ChallengeHitOut {
                challenge: challenge_out(&hit.space_slug, hit.challenge),
                snippet: hit.snippet.text(),
                snippet_parts: snippet_parts_out(&hit.snippet),
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// The title being typed.
    title: String,
}

/// Up to 5 published ideas in the space that resemble a title being typed (any word, as a prefix).
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/similar", tag = "ideas", params(("slug" = String, Path), SimilarParams),
    responses((status = 200, body = Vec<SearchHitOut>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn similar_ideas(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(params): Query<SimilarParams>,
) -> ApiResult<Json<Vec<SearchHitOut>>> {
    Ok(Json(hits_out(
        state
            .app
            .similar_ideas(actor.get(), &slug, &params.title)
            .await?,
    )))
}

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    id: i64,
    /// The idea discussed, for a comment on an idea.
    idea_id: Option<i64>,
    /// The challenge discussed, for a comment on a challenge.
    challenge_id: Option<i64>,
    parent_id: Option<i64>,
    depth: i64,
    author_id: i64,
    author_name: String,
    author_handle: String,
    /// Markdown source; empty once deleted.
    body: String,
    /// Rendered and sanitised; empty once deleted.
    body_html: String,
    /// A staff answer.
    official: bool,
    created_at: String,
    edited_at: Option<String>,
    deleted: bool,
}

fn comment_out(c: cocreate_store::Comment) -> CommentOut {
    let deleted = c.deleted_at.is_some();
    CommentOut {
        id: c.id,
        idea_id: c.subject.idea_id(),
        challenge_id: c.subject.challenge_id(),
        parent_id: c.parent_id,
        depth: c.depth,
        author_id: c.author_id,
        author_name: c.author_name,
        author_handle: c.author_handle,
        body: if deleted { String::new() } else { c.body },
        body_html: if deleted { String::new() } else { c.body_html },
        official: c.official,
        created_at: c.created_at.to_rfc3339(),
        edited_at: c.edited_at.map(|t| t.to_rfc3339()),
        deleted,
    }
}

async fn thread_out(
    state: &WebState,
    actor: &CurrentActor,
    subject: Subject,
) -> ApiResult<Json<Vec<CommentOut>>> {
    let thread = state.app.thread(actor.get(), subject).await?;
    Ok(Json(
        thread
            .comments
            .into_iter()
            .map(|view| comment_out(view.comment))
            .collect(),
    ))
}

/// An idea's comments in reading order (each followed by its replies).
#[utoipa::path(get, path = "/api/v1/ideas/{id}/comments", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CommentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_comments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CommentOut>>> {
    thread_out(&state, &actor, Subject::Idea(id)).await
}

/// A challenge's discussion in reading order (each comment followed by its replies).
#[utoipa::path(get, path = "/api/v1/challenges/{id}/comments", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CommentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_challenge_comments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CommentOut>>> {
    thread_out(&state, &actor, Subject::Challenge(id)).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentIn {
    /// Markdown, up to 5,000 characters; `@handle` notifies that person (at most 10 per comment).
    body: String,
    /// Reply to this comment; replies deeper than 3 levels join their parent's level.
    #[serde(default)]
    parent_id: Option<i64>,
}

/// Comments on an idea or replies to a comment; the writer follows the idea from then on.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/comments", tag = "dialogue", params(("id" = i64, Path)), request_body = CommentIn,
    responses((status = 201, body = CommentOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentIn>,
) -> ApiResult<Response> {
    comment_on(&state, &actor, Subject::Idea(id), &body).await
}

/// Comments on a challenge or replies to a comment there; the author replied to is notified.
/// Refused once the challenge has closed.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/comments", tag = "dialogue", params(("id" = i64, Path)), request_body = CommentIn,
    responses((status = 201, body = CommentOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_challenge_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentIn>,
) -> ApiResult<Response> {
    comment_on(&state, &actor, Subject::Challenge(id), &body).await
}

async fn comment_on(
    state: &WebState,
    actor: &CurrentActor,
    subject: Subject,
    body: &CommentIn,
) -> ApiResult<Response> {
    let comment = state
        .app
        .add_comment(signed_in(actor)?, subject, body.parent_id, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(comment_out(comment))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEditIn {
    body: String,
}

/// Edits one's own comment within 15 minutes of writing it.
#[utoipa::path(put, path = "/api/v1/comments/{id}", tag = "dialogue", params(("id" = i64, Path)), request_body = CommentEditIn,
    responses((status = 200, body = CommentOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn edit_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentEditIn>,
) -> ApiResult<Json<CommentOut>> {
    Ok(Json(comment_out(
        state
            .app
            .edit_comment(signed_in(&actor)?, id, &body.body)
            .await?,
    )))
}

/// Deletes a comment (its author or a moderator); replies stay in the thread.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn delete_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_comment(signed_in(&actor)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follows an idea: new comments on it become notifications.
#[utoipa::path(put, path = "/api/v1/ideas/{id}/follow", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 204, description = "Following"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn follow_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .set_following(signed_in(&actor)?, id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops following an idea.
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/follow", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 204, description = "Not following"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn unfollow_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .set_following(signed_in(&actor)?, id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    id: i64,
    idea_id: Option<i64>,
    challenge_id: Option<i64>,
    comment_id: Option<i64>,
    text: String,
    created_at: String,
    read: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    items: Vec<NotificationOut>,
    unread: i64,
    next: Option<i64>,
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "dialogue", params(Cursor),
    responses((status = 200, body = NotificationPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_notifications(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(page): Query<Cursor>,
) -> ApiResult<Json<NotificationPage>> {
    let actor = signed_in(&actor)?;
    let limit = page.limit.unwrap_or(50).clamp(1, 100);
    let items = state
        .app
        .notifications(actor, page.cursor.unwrap_or(i64::MAX), limit)
        .await?;
    Ok(Json(NotificationPage {
        next: next_cursor(&items, limit, |n| n.id),
        unread: state.app.unread_notifications(actor).await?,
        items: items
            .into_iter()
            .map(|n| NotificationOut {
                id: n.id,
                idea_id: n.idea_id,
                challenge_id: n.challenge_id,
                comment_id: n.comment_id,
                text: n.text,
                created_at: n.created_at.to_rfc3339(),
                read: n.read_at.is_some(),
            })
            .collect(),
    }))
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "dialogue",
    responses((status = 204, description = "All read"), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn read_notifications(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<StatusCode> {
    state
        .app
        .mark_notifications_read(signed_in(&actor)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn content_kind(text: &str) -> Result<cocreate_store::ContentKind, AppError> {
    text.parse()
        .map_err(|_| AppError::invalid("kind", "must be idea or comment"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagIn {
    /// `idea` or `comment`.
    kind: String,
    id: i64,
    /// What is wrong with it (1 to 2,000 characters).
    reason: String,
}

/// Flags an idea or comment for the moderators (once per person and item).
#[utoipa::path(post, path = "/api/v1/flags", tag = "moderation", request_body = FlagIn,
    responses((status = 201, description = "Flagged"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_flag(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<FlagIn>,
) -> ApiResult<StatusCode> {
    let actor = signed_in(&actor)?;
    state
        .app
        .flag(actor, content_kind(&body.kind)?, body.id, &body.reason)
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Serialize, ToSchema)]
pub struct FlagOut {
    id: i64,
    kind: String,
    target_id: i64,
    /// The idea flagged, or whose discussion holds the comment.
    idea_id: Option<i64>,
    /// The challenge whose discussion holds the comment.
    challenge_id: Option<i64>,
    /// The title of that idea or challenge.
    title: String,
    excerpt: String,
    reporter_name: String,
    reason: String,
    hidden: bool,
    created_at: String,
}

/// The open flags in the spaces the caller moderates (moderators and admins).
#[utoipa::path(get, path = "/api/v1/moderation/flags", tag = "moderation",
    responses((status = 200, body = Vec<FlagOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_flags(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<Json<Vec<FlagOut>>> {
    let queue = state.app.moderation_queue(signed_in(&actor)?).await?;
    Ok(Json(
        queue
            .into_iter()
            .map(|item| FlagOut {
                id: item.flag.id,
                kind: item.flag.target_kind.as_str().to_owned(),
                target_id: item.flag.target_id,
                idea_id: item.flag.subject.idea_id(),
                challenge_id: item.flag.subject.challenge_id(),
                title: item.title,
                excerpt: item.excerpt,
                reporter_name: item.flag.reporter_name,
                reason: item.flag.reason,
                hidden: item.hidden,
                created_at: item.flag.created_at.to_rfc3339(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationIn {
    /// Required to hide; shown to the author.
    #[serde(default)]
    reason: String,
}

/// Hides, shows again, or dismisses the flags on an idea or comment (its space's moderators);
/// audited.
#[utoipa::path(post, path = "/api/v1/moderation/{kind}/{id}/{action}", tag = "moderation",
    params(("kind" = String, Path, description = "idea or comment"), ("id" = i64, Path), ("action" = String, Path, description = "hide, show or dismiss")),
    request_body = ModerationIn,
    responses((status = 204, description = "Done"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn moderate_content(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((kind, id, action)): Path<(String, i64, String)>,
    ApiJson(body): ApiJson<ModerationIn>,
) -> ApiResult<StatusCode> {
    let resolution = match action.as_str() {
        "hide" => cocreate_app::Resolution::Hide,
        "show" => cocreate_app::Resolution::Show,
        "dismiss" => cocreate_app::Resolution::Dismiss,
        _ => return Err(HttpError::not_found().into()),
    };
    state
        .app
        .moderate(
            signed_in(&actor)?,
            content_kind(&kind)?,
            id,
            resolution,
            &body.reason,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaEditIn {
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Changes an open idea's text (its author or staff); kept as a revision.
#[utoipa::path(put, path = "/api/v1/ideas/{id}", tag = "ideas", params(("id" = i64, Path)), request_body = IdeaEditIn,
    responses((status = 200, body = IdeaDetailOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn edit_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IdeaEditIn>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    state
        .app
        .edit_idea(actor, id, &body.title, &body.body, &body.tags.join(","))
        .await?;
    idea_after(&state, actor, id).await
}

#[derive(Serialize, ToSchema)]
pub struct RevisionOut {
    id: i64,
    editor_name: String,
    title: String,
    body: String,
    tags: Vec<String>,
    created_at: String,
    /// Lines compared with the previous version: each starts with `+`, `-` or a space.
    diff: Vec<String>,
}

/// Every version of an idea's text, newest first, with what changed.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/revisions", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RevisionOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn idea_revisions(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RevisionOut>>> {
    use cocreate_core::markdown::DiffKind;
    let revisions = state.app.idea_revisions(actor.get(), id).await?;
    Ok(Json(
        revisions
            .into_iter()
            .map(|view| RevisionOut {
                id: view.revision.id,
                editor_name: view.revision.editor_name,
                tags: view
                    .revision
                    .tags
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                title: view.revision.title,
                body: view.revision.body,
                created_at: view.revision.created_at.to_rfc3339(),
                diff: view
                    .diff
                    .into_iter()
                    .map(|(kind, line)| {
                        let mark = match kind {
                            DiffKind::Added => '+',
                            DiffKind::Removed => '-',
                            DiffKind::Same => ' ',
                        };
                        format!("{mark}{line}")
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CoAuthorOut {
    account_id: i64,
    name: String,
    accepted: bool,
    invited_at: String,
}

/// The idea's co-authors, invited and accepted.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/co-authors", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CoAuthorOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_co_authors(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CoAuthorOut>>> {
    let authors = state.app.co_authors(actor.get(), id).await?;
    Ok(Json(
        authors
            .into_iter()
            .map(|c| CoAuthorOut {
                account_id: c.account_id,
                name: c.name,
                accepted: c.accepted_at.is_some(),
                invited_at: c.invited_at.to_rfc3339(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoAuthorIn {
    email: String,
}

/// The lead author invites a co-author by e-mail; they are told by notification.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/co-authors", tag = "ideas", params(("id" = i64, Path)), request_body = CoAuthorIn,
    responses((status = 201, body = CoAuthorOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn invite_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CoAuthorIn>,
) -> ApiResult<Response> {
    let c = state
        .app
        .invite_co_author(signed_in(&actor)?, id, &body.email)
        .await?;
    let out = CoAuthorOut {
        account_id: c.account_id,
        name: c.name,
        accepted: false,
        invited_at: c.invited_at.to_rfc3339(),
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Accepts the caller's invitation to co-author the idea.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/co-authors/accept", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 204, description = "Now a co-author"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn accept_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.app.accept_co_author(signed_in(&actor)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a co-author (the lead author) or leaves (the co-author).
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/co-authors/{account_id}", tag = "ideas", params(("id" = i64, Path), ("account_id" = i64, Path)),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn remove_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((id, account_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .remove_co_author(signed_in(&actor)?, id, account_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    id: i64,
    file_name: String,
    /// Recognised from the content.
    content_type: String,
    size: i64,
    /// Where to fetch it (subject to the same visibility as the idea).
    url: String,
    created_at: String,
}

fn attachment_out(a: cocreate_store::Attachment) -> AttachmentOut {
    AttachmentOut {
        url: format!("/attachments/{}/{}", a.id, a.file_name),
        id: a.id,
        file_name: a.file_name,
        content_type: a.content_type,
        size: a.size,
        created_at: a.created_at.to_rfc3339(),
    }
}

/// The images and files of an idea.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/attachments", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_attachments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AttachmentOut>>> {
    let files = state.app.attachments(actor.get(), id).await?;
    Ok(Json(files.into_iter().map(attachment_out).collect()))
}

/// Adds an image or file to an idea (its authors or staff): `multipart/form-data` with one part
/// named `file`; PNG, JPEG, GIF, WebP, PDF or text, up to 5 MiB, recognised by content.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/attachments", tag = "ideas", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "One part named file"),
    responses((status = 201, body = AttachmentOut), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn upload_attachment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let (name, bytes) = crate::idea_pages::read_upload(multipart).await?;
    let attachment = state.app.attach(actor, id, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(attachment_out(attachment))).into_response())
}

/// Sets a challenge's cover image (staff): `multipart/form-data` with one part named `file`.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/cover", tag = "ideas", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "One part named file"),
    responses((status = 204, description = "Cover set"), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn upload_cover(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<StatusCode> {
    let actor = signed_in(&actor)?;
    let (name, bytes) = crate::idea_pages::read_upload(multipart).await?;
    state
        .app
        .set_challenge_cover(actor, id, &name, bytes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
