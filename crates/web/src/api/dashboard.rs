//! A space's dashboard figures (staff): the same figures the dashboard page draws.

use cocreate_app::{DashboardView, ReadText};
use cocreate_insights::{Reading, SentimentTally};

use super::*;

#[derive(Serialize, ToSchema)]
pub struct SentimentOut {
    /// The mean score of the scored texts, from -1 (negative) to 1 (positive); absent when none
    /// was scored.
    mean: Option<f64>,
    positive: u64,
    neutral: u64,
    negative: u64,
    /// Texts in other languages: counted, not scored.
    other_language: u64,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardWeekOut {
    /// When the week starts (weeks run back from the moment the figures were computed).
    starts: String,
    ideas: i64,
    comments: i64,
    supports: i64,
    /// Of the week's latest ideas and comments (a sample of at most `sentiment_sample` of each).
    sentiment: SentimentOut,
}

#[derive(Serialize, ToSchema)]
pub struct FunnelStepOut {
    stage: String,
    /// Ideas that ever reached the stage.
    ideas: i64,
    /// Of the previous step's ideas, the share that reached this one.
    conversion: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct StageCountOut {
    stage: String,
    ideas: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ContributorOut {
    account_id: i64,
    name: String,
    ideas: i64,
    comments: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReadTextOut {
    /// `idea` or `comment`.
    kind: String,
    id: i64,
    /// The idea, or the idea the comment is on.
    idea_id: Option<i64>,
    text: String,
    /// From -1 to 1; absent for a text in another language.
    score: Option<f64>,
    /// ISO 639-3 code of the language, when not English.
    language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardOut {
    space: String,
    /// The challenge, for a challenge's dashboard.
    challenge_id: Option<i64>,
    computed_at: String,
    sentiment_sample: i64,
    /// Oldest first.
    weeks: Vec<DashboardWeekOut>,
    /// Published, in review, accepted, launched.
    funnel: Vec<FunnelStepOut>,
    /// Declined, expired, merged.
    exits: Vec<StageCountOut>,
    contributors: Vec<ContributorOut>,
    /// The largest themes as last computed.
    themes: Vec<ThemeOut>,
    /// Of the latest week with texts read: the most negative, most negative first.
    most_negative: Vec<ReadTextOut>,
    most_positive: Vec<ReadTextOut>,
}

fn sentiment_out(tally: &SentimentTally) -> SentimentOut {
    SentimentOut {
        mean: tally.mean(),
        positive: tally.positive,
        neutral: tally.neutral,
        negative: tally.negative,
        other_language: tally.other_language,
    }
}

fn read_out(read: &ReadText) -> ReadTextOut {
    let (score, language) = match read.reading {
        Reading::Scored(score) => (Some(score), None),
        Reading::OtherLanguage { code, .. } => (None, Some(code.to_owned())),
    };
    ReadTextOut {
        kind: read.text.kind.as_str().to_owned(),
        id: read.text.id,
        idea_id: read.text.idea_id,
        text: read.text.text.clone(),
        score,
        language,
    }
}

/// The space's dashboard figures (staff): activity, sentiment per week, the stage funnel and
/// top contributors, over the last twelve weeks. Computed at most every five minutes.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/dashboard", tag = "insights", params(("slug" = String, Path)),
    responses((status = 200, body = DashboardOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn space_dashboard(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<Json<DashboardOut>> {
    let actor = signed_in(&actor)?;
    Ok(Json(dashboard_out(
        state.app.space_dashboard(actor, &slug).await?,
    )))
}

/// A challenge's dashboard figures (staff of its space): the same as a space's, of the
/// challenge's ideas and the comments on it and on them; it has no themes (they are found per
/// space).
#[utoipa::path(get, path = "/api/v1/challenges/{id}/dashboard", tag = "insights", params(("id" = i64, Path)),
    responses((status = 200, body = DashboardOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn challenge_dashboard(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<DashboardOut>> {
    let actor = signed_in(&actor)?;
    Ok(Json(dashboard_out(
        state.app.challenge_dashboard(actor, id).await?,
    )))
}

fn dashboard_out(view: DashboardView) -> DashboardOut {
    let DashboardView {
        space,
        challenge,
        dashboard,
    } = view;
    DashboardOut {
        space: space.space.slug,
        challenge_id: challenge.map(|challenge| challenge.id),
        computed_at: dashboard.computed_at.to_rfc3339(),
        sentiment_sample: cocreate_app::SENTIMENT_SAMPLE,
        weeks: dashboard
            .weeks
            .iter()
            .map(|week| DashboardWeekOut {
                starts: week.starts.to_rfc3339(),
                ideas: week.ideas,
                comments: week.comments,
                supports: week.supports,
                sentiment: sentiment_out(&week.sentiment),
            })
            .collect(),
        funnel: dashboard
            .funnel
            .iter()
            .map(|step| FunnelStepOut {
                stage: step.stage.as_str().to_owned(),
                ideas: step.ideas,
                conversion: step.conversion,
            })
            .collect(),
        exits: dashboard
            .exits
            .iter()
            .map(|exit| StageCountOut {
                stage: exit.stage.as_str().to_owned(),
                ideas: exit.ideas,
            })
            .collect(),
        contributors: dashboard
            .contributors
            .iter()
            .map(|person| ContributorOut {
                account_id: person.account_id,
                name: person.name.clone(),
                ideas: person.ideas,
                comments: person.comments,
            })
            .collect(),
        themes: dashboard
            .themes
            .iter()
            .map(super::themes::theme_out)
            .collect(),
        most_negative: dashboard.most_negative.iter().map(read_out).collect(),
        most_positive: dashboard.most_positive.iter().map(read_out).collect(),
    }
}
