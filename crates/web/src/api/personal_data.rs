//! A person's data as one JSON download: their own, or anyone's for an admin answering a
//! request.

use super::*;

/// Everything Cocreate stores about the caller, as one JSON document to keep: each table's rows
/// about them, secrets withheld (`format` `cocreate-personal-data`).
#[utoipa::path(get, path = "/api/v1/me/data", tag = "accounts",
    responses((status = 200, content_type = "application/json", description = "`{format, version, exported_at, account, tables: {table: [row, …]}}`"),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn my_data(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let data = state.app.personal_data(actor, actor.id).await?;
    Ok(crate::pages::personal_data::download(&data))
}

/// Everything Cocreate stores about one account (admins, to answer a person's request; the
/// download is audited).
#[utoipa::path(get, path = "/api/v1/members/{id}/data", tag = "members", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/json", description = "As `GET /api/v1/me/data`"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn member_data(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let data = state.app.personal_data(signed_in(&actor)?, id).await?;
    Ok(crate::pages::personal_data::download(&data))
}
