//! Pairwise ranking: the next pair of a challenge's ideas to compare, answers, and the ideas by
//! pairwise score.

use cocreate_app::{IdeaPair, PairwiseRanking, RankedIdea};
use cocreate_core::PairPick;
use cocreate_store::Idea;

use super::*;

#[derive(Serialize, ToSchema)]
pub struct PairIdeaOut {
    id: i64,
    title: String,
    body: String,
}

fn pair_idea(idea: Idea) -> PairIdeaOut {
    PairIdeaOut {
        id: idea.id,
        title: idea.title,
        body: idea.body,
    }
}

#[derive(Serialize, ToSchema)]
pub struct NextPairOut {
    challenge_id: i64,
    /// Ideas being compared: gathering support or further along, and not hidden.
    ideas: usize,
    /// The two ideas to choose between, in the order to show them; absent when the caller has
    /// answered every pair (or there are fewer than two ideas).
    first: Option<PairIdeaOut>,
    second: Option<PairIdeaOut>,
    /// Pairs the caller has answered.
    answered: usize,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairAnswerIn {
    first_idea_id: i64,
    second_idea_id: i64,
    /// The idea picked, or `skip` when neither.
    pick: PairPick,
}

#[derive(Serialize, ToSchema)]
pub struct RankedIdeaOut {
    rank: usize,
    idea_id: i64,
    title: String,
    /// The chance (0–100) the idea is picked over a typical idea of the challenge.
    score: f64,
    /// The 95% range of `score`.
    low: f64,
    high: f64,
    /// Answers that compared it with another idea.
    comparisons: u32,
}

#[derive(Serialize, ToSchema)]
pub struct PairwiseRankingOut {
    challenge_id: i64,
    /// Ideas being compared; `ideas` lists the best 100.
    compared: usize,
    /// Answers given, skips included.
    answers: i64,
    ideas: Vec<RankedIdeaOut>,
}

fn ranked_out(idea: RankedIdea) -> RankedIdeaOut {
    RankedIdeaOut {
        rank: idea.rank,
        idea_id: idea.idea_id,
        title: idea.title,
        score: idea.score,
        low: idea.low,
        high: idea.high,
        comparisons: idea.comparisons,
    }
}

/// The next pair of ideas for the caller to compare: one they have not answered whose answer
/// tells most (close in score, still uncertain).
#[utoipa::path(get, path = "/api/v1/challenges/{id}/pairwise", tag = "pairwise", params(("id" = i64, Path)),
    responses((status = 200, body = NextPairOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn next_pair(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<NextPairOut>> {
    let actor = signed_in(&actor)?;
    let view = state.app.pairwise(Some(actor), id).await?;
    if !view.space.can_contribute {
        return Err(AppError::Forbidden.into());
    }
    let (first, second) = match view.pair {
        Some(IdeaPair { first, second }) => (Some(pair_idea(first)), Some(pair_idea(second))),
        None => (None, None),
    };
    Ok(Json(NextPairOut {
        challenge_id: id,
        ideas: view.ideas,
        first,
        second,
        answered: view.answered,
    }))
}

/// Answers "which of these two?" for a pair of the challenge's ideas; answering the same pair
/// again replaces the earlier answer.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/pairwise", tag = "pairwise", params(("id" = i64, Path)), request_body = PairAnswerIn,
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn answer_pair(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PairAnswerIn>,
) -> ApiResult<StatusCode> {
    let actor = signed_in(&actor)?;
    state
        .app
        .answer_pair(
            actor,
            id,
            body.first_idea_id,
            body.second_idea_id,
            body.pick,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The challenge's ideas by pairwise score (Bradley–Terry), best first, each with its 95% range.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/pairwise/ranking", tag = "pairwise", params(("id" = i64, Path)),
    responses((status = 200, body = PairwiseRankingOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn pairwise_ranking(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<PairwiseRankingOut>> {
    let PairwiseRanking {
        challenge,
        ideas,
        answers,
        ranked,
        ..
    } = state.app.pairwise_ranking(actor.get(), id).await?;
    Ok(Json(PairwiseRankingOut {
        challenge_id: challenge.id,
        compared: ideas,
        answers,
        ideas: ranked.into_iter().map(ranked_out).collect(),
    }))
}
