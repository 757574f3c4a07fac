//! The JSON API under `/api/v1`. Its OpenAPI document is generated from these handlers and types.

use axum::Json;
use axum::extract::{Extension, FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cocreate_app::{AccountInput, Actor, AppError, SpaceInput, SpaceView};
use cocreate_core::{AccountKind, Audience, OrgRole};
use cocreate_store::{Account, ApiToken, AuditEntry, Invitation, OutboxMail};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, HttpError, Problem};
use crate::session::CurrentActor;
use crate::{WebState, next_cursor};

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
    api_router().split_for_parts().1
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
    let account = state
        .app
        .store()
        .account_by_id(signed_in.actor.id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(AccountOut::from(&account))).into_response())
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
