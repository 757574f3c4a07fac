//! Spaces and their members.

use super::*;

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
pub(super) async fn list_spaces(
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
pub(super) async fn create_space(
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
pub(super) async fn get_space(
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
pub(super) async fn update_space(
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
pub(super) async fn list_space_members(
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
pub(super) async fn add_space_member(
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
pub(super) async fn remove_space_member(
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
