//! Accounts: the caller, signing up, password resets, and personal API tokens.

use super::*;

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
pub(super) async fn me(Extension(actor): Extension<CurrentActor>) -> ApiResult<Json<MeOut>> {
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
pub(super) async fn sign_up(
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
pub(super) async fn request_reset(
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
pub(super) async fn reset_password(
    State(state): State<WebState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<ResetIn>,
) -> ApiResult<StatusCode> {
    state.app.reset_password(&token, &body.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
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
pub(super) async fn list_tokens(
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
pub(super) async fn create_token(
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
pub(super) async fn revoke_token(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.app.revoke_api_token(signed_in(&actor)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
