//! People: who an `@handle` is and the ideas they proposed that the caller may see.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct PersonIdeaOut {
    id: i64,
    title: String,
    stage: Stage,
    supporters: i64,
    /// The space's slug.
    space: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    name: String,
    handle: String,
    kind: AccountKind,
    member_since: String,
    /// Their published ideas in spaces the caller may read, newest first.
    ideas: Vec<PersonIdeaOut>,
    /// Pass as `before` for the next page of ideas; absent on the last.
    next: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Ideas older than this one, from the previous page's `next`.
    before: Option<i64>,
}

/// A person, by `@handle` (the `@` optional, any case), with one page of their ideas.
#[utoipa::path(get, path = "/api/v1/people/{handle}", tag = "people",
    params(("handle" = String, Path), PersonQuery),
    responses((status = 200, body = PersonOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn get_person(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(handle): Path<String>,
    ApiQuery(query): ApiQuery<PersonQuery>,
) -> ApiResult<Json<PersonOut>> {
    let view = state.app.person(actor.get(), &handle, query.before).await?;
    Ok(Json(PersonOut {
        name: view.person.name,
        handle: view.person.handle,
        kind: view.person.kind,
        member_since: view.person.member_since.to_rfc3339(),
        ideas: view
            .ideas
            .into_iter()
            .map(|item| PersonIdeaOut {
                id: item.idea.id,
                title: item.idea.title,
                stage: item.idea.stage,
                supporters: item.idea.supporters,
                space: item.space_slug,
                created_at: item.idea.created_at.to_rfc3339(),
            })
            .collect(),
        next: view.next,
    }))
}
