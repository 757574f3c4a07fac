//! Search over ideas, comments and challenges, and similar ideas while typing.

use super::*;

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

pub(super) fn snippet_parts_out(snippet: &Snippet) -> Vec<SnippetPartOut> {
    snippet
        .parts()
        .iter()
        .map(|part| SnippetPartOut {
            text: part.text.clone(),
            matched: part.matched,
        })
        .collect()
}

pub(super) fn hits_out(hits: Vec<SearchHit>) -> Vec<SearchHitOut> {
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

/// Full-text search over the published ideas the caller may see, and the drafts they write (as
/// lead author or co-author), best match first (at most 30).
#[utoipa::path(get, path = "/api/v1/search", tag = "ideas", params(SearchParams),
    responses((status = 200, body = Vec<SearchHitOut>), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn search_ideas(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(params): ApiQuery<SearchParams>,
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
pub(super) async fn search_comments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(params): ApiQuery<SearchParams>,
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
pub(super) async fn search_challenges(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(params): ApiQuery<SearchParams>,
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
pub(super) async fn similar_ideas(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiQuery(params): ApiQuery<SimilarParams>,
) -> ApiResult<Json<Vec<SearchHitOut>>> {
    Ok(Json(hits_out(
        state
            .app
            .similar_ideas(actor.get(), &slug, &params.title)
            .await?,
    )))
}

/// A search's matches counted by facet. Each count is how many matches the caller may read would
/// remain with that value chosen as a filter, under the filters already given.
#[derive(Serialize, ToSchema)]
pub struct SearchFacetsOut {
    /// False while the search index is still being built (see `/readyz`): nothing is counted
    /// then, though searches answer.
    index_ready: bool,
    /// False when counting stopped at the query's time budget: the counts are those reached.
    complete: bool,
    /// Matches of each kind.
    kinds: KindCountsOut,
    spaces: Vec<SpaceFacetOut>,
    /// The 10 challenges with the most matches.
    challenges: Vec<ChallengeFacetOut>,
    stages: Vec<StageFacetOut>,
    /// The 10 tags with the most matches.
    tags: Vec<TagFacetOut>,
}

#[derive(Serialize, ToSchema, Default)]
pub struct KindCountsOut {
    ideas: u64,
    comments: u64,
    challenges: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SpaceFacetOut {
    slug: String,
    name: String,
    count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct ChallengeFacetOut {
    id: i64,
    title: String,
    count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct StageFacetOut {
    stage: Stage,
    count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct TagFacetOut {
    tag: String,
    count: u64,
}

impl SearchFacetsOut {
    fn from(facets: Option<cocreate_app::SearchFacets>) -> Self {
        let Some(facets) = facets else {
            return Self {
                index_ready: false,
                complete: false,
                kinds: KindCountsOut::default(),
                spaces: Vec::new(),
                challenges: Vec::new(),
                stages: Vec::new(),
                tags: Vec::new(),
            };
        };
        Self {
            index_ready: true,
            complete: facets.complete,
            kinds: KindCountsOut {
                ideas: facets.ideas,
                comments: facets.comments,
                challenges: facets.challenges,
            },
            spaces: facets
                .by_space
                .into_iter()
                .map(|f| SpaceFacetOut {
                    slug: f.value.slug,
                    name: f.value.name,
                    count: f.count,
                })
                .collect(),
            challenges: facets
                .by_challenge
                .into_iter()
                .map(|f| ChallengeFacetOut {
                    id: f.value.id,
                    title: f.value.title,
                    count: f.count,
                })
                .collect(),
            stages: facets
                .by_stage
                .into_iter()
                .map(|f| StageFacetOut {
                    stage: f.value,
                    count: f.count,
                })
                .collect(),
            tags: facets
                .by_tag
                .into_iter()
                .map(|f| TagFacetOut {
                    tag: f.value,
                    count: f.count,
                })
                .collect(),
        }
    }
}

/// How many ideas, comments and challenges the caller may read match the query, and how they
/// fall by space, challenge, stage and tag: what each further filter would leave.
#[utoipa::path(get, path = "/api/v1/search/facets", tag = "ideas", params(SearchParams),
    responses((status = 200, body = SearchFacetsOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn search_facets(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchFacetsOut>> {
    let facets = state
        .app
        .search_facets(actor.get(), &params.q, &params.filter())
        .await?;
    Ok(Json(SearchFacetsOut::from(facets)))
}
