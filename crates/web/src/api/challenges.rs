//! Challenges: the problems a space asks people to solve.

use super::*;

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
    /// When it opens: the start of its first day in the organisation's time zone.
    opens_at: Option<String>,
    /// When it closes: the end of its last day in the organisation's time zone.
    closes_at: Option<String>,
    /// Where the cover image is served, when there is one.
    cover_url: Option<String>,
    created_at: String,
}

pub(super) fn challenge_out(space: &str, c: Challenge) -> ChallengeOut {
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
    /// The first day, `YYYY-MM-DD` in the organisation's time zone; it opens at its start.
    #[serde(default)]
    opens_at: String,
    /// The last day, `YYYY-MM-DD` in the organisation's time zone; it closes at its end.
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
pub(super) async fn list_challenges(
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
pub(super) async fn create_challenge(
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
pub(super) async fn get_challenge(
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
pub(super) async fn update_challenge(
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
