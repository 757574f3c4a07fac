//! Moderation: flags and what moderators do with them.

use super::*;

pub(super) fn content_kind(text: &str) -> Result<cocreate_store::ContentKind, AppError> {
    text.parse()
        .map_err(|_| AppError::invalid("kind", "must be idea or comment"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagIn {
    /// `idea` or `comment`.
    kind: String,
    id: i64,
    /// What is wrong with it (1 to 2,000 characters).
    reason: String,
}

/// Flags an idea or comment for the moderators (once per person and item).
#[utoipa::path(post, path = "/api/v1/flags", tag = "moderation", request_body = FlagIn,
    responses((status = 201, description = "Flagged"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn create_flag(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<FlagIn>,
) -> ApiResult<StatusCode> {
    let actor = signed_in(&actor)?;
    state
        .app
        .flag(actor, content_kind(&body.kind)?, body.id, &body.reason)
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Serialize, ToSchema)]
pub struct FlagOut {
    id: i64,
    kind: String,
    target_id: i64,
    /// The idea flagged, or whose discussion holds the comment.
    idea_id: Option<i64>,
    /// The challenge whose discussion holds the comment.
    challenge_id: Option<i64>,
    /// The title of that idea or challenge.
    title: String,
    excerpt: String,
    reporter_name: String,
    reason: String,
    hidden: bool,
    created_at: String,
}

/// The open flags in the spaces the caller moderates (moderators and admins).
#[utoipa::path(get, path = "/api/v1/moderation/flags", tag = "moderation",
    responses((status = 200, body = Vec<FlagOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_flags(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<Json<Vec<FlagOut>>> {
    let queue = state.app.moderation_queue(signed_in(&actor)?).await?;
    Ok(Json(
        queue
            .into_iter()
            .map(|item| FlagOut {
                id: item.flag.id,
                kind: item.flag.target_kind.as_str().to_owned(),
                target_id: item.flag.target_id,
                idea_id: item.flag.subject.idea_id(),
                challenge_id: item.flag.subject.challenge_id(),
                title: item.title,
                excerpt: item.excerpt,
                reporter_name: item.flag.reporter_name,
                reason: item.flag.reason,
                hidden: item.hidden,
                created_at: item.flag.created_at.to_rfc3339(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationIn {
    /// Required to hide; shown to the author.
    #[serde(default)]
    reason: String,
}

/// Hides, shows again, or dismisses the flags on an idea or comment (its space's moderators);
/// audited.
#[utoipa::path(post, path = "/api/v1/moderation/{kind}/{id}/{action}", tag = "moderation",
    params(("kind" = String, Path, description = "idea or comment"), ("id" = i64, Path), ("action" = String, Path, description = "hide, show or dismiss")),
    request_body = ModerationIn,
    responses((status = 204, description = "Done"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn moderate_content(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((kind, id, action)): Path<(String, i64, String)>,
    ApiJson(body): ApiJson<ModerationIn>,
) -> ApiResult<StatusCode> {
    let resolution = match action.as_str() {
        "hide" => cocreate_app::Resolution::Hide,
        "show" => cocreate_app::Resolution::Show,
        "dismiss" => cocreate_app::Resolution::Dismiss,
        _ => return Err(HttpError::not_found().into()),
    };
    state
        .app
        .moderate(
            signed_in(&actor)?,
            content_kind(&kind)?,
            id,
            resolution,
            &body.reason,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
