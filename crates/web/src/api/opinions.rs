//! Opinions: statements in a challenge, votes on them, and the opinion groups the votes form.

use cocreate_app::{Member, OpinionGroupsView, StatementLean, StatementView};
use cocreate_core::Opinion;
use cocreate_store::Statement;

use super::*;

#[derive(Serialize, ToSchema)]
pub struct StatementOut {
    id: i64,
    challenge_id: i64,
    body: String,
    /// Moderated out: shown to moderators only, and left out of opinion groups.
    hidden: bool,
    agrees: i64,
    disagrees: i64,
    passes: i64,
    /// The caller's own vote, when they have voted.
    mine: Option<Opinion>,
    created_at: String,
}

fn statement_out(statement: Statement, mine: Option<Opinion>) -> StatementOut {
    StatementOut {
        id: statement.id,
        challenge_id: statement.challenge_id,
        body: statement.body,
        hidden: statement.hidden,
        agrees: statement.agrees,
        disagrees: statement.disagrees,
        passes: statement.passes,
        mine,
        created_at: statement.created_at.to_rfc3339(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementIn {
    /// Plain text, 1–2,000 characters.
    body: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteIn {
    opinion: Opinion,
}

/// The statements of a challenge, oldest first, with the caller's votes.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/statements", tag = "opinions", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StatementOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_statements(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<StatementOut>>> {
    let view = state.app.opinions(actor.get(), id).await?;
    Ok(Json(
        view.statements
            .into_iter()
            .map(|StatementView { statement, mine }| statement_out(statement, mine))
            .collect(),
    ))
}

/// Adds a statement for people to vote on (anyone who may contribute to the space).
#[utoipa::path(post, path = "/api/v1/challenges/{id}/statements", tag = "opinions", params(("id" = i64, Path)), request_body = StatementIn,
    responses((status = 201, body = StatementOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn add_statement(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StatementIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let statement = state.app.add_statement(actor, id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(statement_out(statement, None))).into_response())
}

/// Votes agree, disagree or pass on a statement; voting again replaces the earlier vote.
#[utoipa::path(put, path = "/api/v1/statements/{id}/vote", tag = "opinions", params(("id" = i64, Path)), request_body = VoteIn,
    responses((status = 200, body = StatementOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn vote_on_statement(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VoteIn>,
) -> ApiResult<Json<StatementOut>> {
    let actor = signed_in(&actor)?;
    let statement = state.app.vote_on_statement(actor, id, body.opinion).await?;
    Ok(Json(statement_out(statement, Some(body.opinion))))
}

#[derive(Serialize, ToSchema)]
pub struct LeanOut {
    statement_id: i64,
    body: String,
    opinion: Opinion,
    /// Share (0–1) of the votes on it leaning that way: in the group, or in the group that
    /// leans that way least (for a consensus).
    share: f64,
    /// The same share among the other groups (for a group's distinctive statement).
    other_share: f64,
}

fn lean_out(lean: StatementLean) -> LeanOut {
    LeanOut {
        statement_id: lean.statement.id,
        body: lean.statement.body,
        opinion: lean.opinion,
        share: lean.share,
        other_share: lean.other_share,
    }
}

/// A participant: an account, or a contact (imported) by their id where they were met.
#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    account_id: Option<i64>,
    contact_ref: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupOut {
    /// 1 for the largest.
    number: usize,
    size: usize,
    /// The participants, for staff who run the challenge; empty for everyone else.
    members: Vec<MemberOut>,
    /// The statements that most set the group apart.
    distinctive: Vec<LeanOut>,
    /// The group's centre on the opinion map.
    centre: [f64; 2],
}

#[derive(Serialize, ToSchema)]
pub struct MapPointOut {
    x: f64,
    y: f64,
    /// The group's number; absent for a participant who voted too little to be grouped.
    group: Option<usize>,
    /// Whether this is the caller.
    you: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OpinionGroupsOut {
    challenge_id: i64,
    statements: usize,
    votes: usize,
    /// Why there are no groups yet, when there are none.
    not_enough_data: Option<String>,
    /// Votes a participant needs to be grouped.
    min_votes: Option<usize>,
    groups: Vec<GroupOut>,
    /// Statements every group's majority agrees (or disagrees) with.
    consensus: Vec<LeanOut>,
    map: Vec<MapPointOut>,
}

fn groups_out(view: OpinionGroupsView) -> OpinionGroupsOut {
    let mut out = OpinionGroupsOut {
        challenge_id: view.challenge.id,
        statements: view.statements,
        votes: view.votes,
        not_enough_data: None,
        min_votes: None,
        groups: Vec::new(),
        consensus: Vec::new(),
        map: Vec::new(),
    };
    match view.found {
        Err(reason) => out.not_enough_data = Some(reason),
        Ok(found) => {
            out.min_votes = Some(found.min_votes);
            out.map = found
                .map
                .iter()
                .map(|point| MapPointOut {
                    x: point.at[0],
                    y: point.at[1],
                    group: point.group.map(|g| g + 1),
                    you: point.is_viewer,
                })
                .collect();
            out.groups = found
                .groups
                .into_iter()
                .map(|group| GroupOut {
                    number: group.number,
                    size: group.size,
                    members: group
                        .members
                        .into_iter()
                        .map(|member| match member {
                            Member::Account(id) => MemberOut {
                                account_id: Some(id),
                                contact_ref: None,
                            },
                            Member::Contact { external_ref } => MemberOut {
                                account_id: None,
                                contact_ref: Some(external_ref),
                            },
                        })
                        .collect(),
                    distinctive: group.distinctive.into_iter().map(lean_out).collect(),
                    centre: group.centre,
                })
                .collect();
            out.consensus = found.consensus.into_iter().map(lean_out).collect();
        }
    }
    out
}

/// The opinion groups the votes on a challenge's statements form: each group's size, members
/// (for staff) and distinctive statements, the statements all groups share, and the map.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/opinion-groups", tag = "opinions", params(("id" = i64, Path)),
    responses((status = 200, body = OpinionGroupsOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn opinion_groups(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<OpinionGroupsOut>> {
    let view = state.app.opinion_groups(actor.get(), id).await?;
    Ok(Json(groups_out(view)))
}
