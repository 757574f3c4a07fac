//! Possible duplicates: a space's queue of ideas much alike, and deciding on a pair.

use cocreate_app::DuplicateQueue;
use cocreate_store::{DuplicatePair, DuplicateSide};

use super::*;

#[derive(Serialize, ToSchema)]
pub struct DuplicateSideOut {
    idea_id: i64,
    title: String,
    stage: String,
    supporters: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DuplicatePairOut {
    id: i64,
    /// How alike the two are: the share of word stems they have in common, from 0 to 1.
    similarity: f64,
    /// `open`, `dismissed` (found distinct) or `merged`.
    status: String,
    found_at: String,
    /// The lower idea id first.
    first: DuplicateSideOut,
    second: DuplicateSideOut,
}

#[derive(Serialize, ToSchema)]
pub struct DuplicateQueueOut {
    space: String,
    /// Open pairs, most alike first.
    pairs: Vec<DuplicatePairOut>,
    /// Pass as `after` for the next page; absent on the last.
    next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Where the page starts: the `next` of the page before.
    after: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateMergeIn {
    /// The idea of the pair that stays; the other is merged into it.
    keep_idea_id: i64,
    rationale: String,
}

fn side_out(side: DuplicateSide) -> DuplicateSideOut {
    DuplicateSideOut {
        idea_id: side.idea_id,
        title: side.title,
        stage: side.stage.as_str().to_owned(),
        supporters: side.supporters,
    }
}

fn pair_out(pair: DuplicatePair) -> DuplicatePairOut {
    DuplicatePairOut {
        id: pair.id,
        similarity: pair.similarity as f64 / 1000.0,
        status: pair.status.as_str().to_owned(),
        found_at: pair.found_at.to_rfc3339(),
        first: side_out(pair.first),
        second: side_out(pair.second),
    }
}

/// The space's possible duplicates (staff): open pairs of ideas much alike, most alike first.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/duplicates", tag = "duplicates", params(("slug" = String, Path), QueueParams),
    responses((status = 200, body = DuplicateQueueOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn duplicate_queue(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> ApiResult<Json<DuplicateQueueOut>> {
    let actor = signed_in(&actor)?;
    let DuplicateQueue { space, pairs, next } = state
        .app
        .duplicate_queue(actor, &slug, params.after.as_deref())
        .await?;
    Ok(Json(DuplicateQueueOut {
        space: space.space.slug,
        pairs: pairs.into_iter().map(pair_out).collect(),
        next,
    }))
}

/// Marks a pair as distinct ideas (staff): it leaves the queue and is not offered again.
#[utoipa::path(post, path = "/api/v1/duplicates/{id}/dismiss", tag = "duplicates", params(("id" = i64, Path)),
    responses((status = 200, body = DuplicatePairOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn dismiss_duplicate(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<DuplicatePairOut>> {
    let actor = signed_in(&actor)?;
    let pair = state.app.dismiss_duplicate(actor, id).await?;
    Ok(Json(pair_out(pair)))
}

/// Merges one idea of a pair into the other (staff): supporters move over, each counted once.
#[utoipa::path(post, path = "/api/v1/duplicates/{id}/merge", tag = "duplicates", params(("id" = i64, Path)), request_body = DuplicateMergeIn,
    responses((status = 200, body = IdeaDetailOut, description = "The idea kept"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn merge_duplicate(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DuplicateMergeIn>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    let kept = state
        .app
        .merge_duplicate(actor, id, body.keep_idea_id, &body.rationale)
        .await?;
    idea_after(&state, actor, kept.id).await
}
