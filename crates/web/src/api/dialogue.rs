//! Dialogue: comments on ideas and challenges, and following ideas.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    id: i64,
    /// The idea discussed, for a comment on an idea.
    idea_id: Option<i64>,
    /// The challenge discussed, for a comment on a challenge.
    challenge_id: Option<i64>,
    parent_id: Option<i64>,
    depth: i64,
    author_id: i64,
    author_name: String,
    author_handle: String,
    /// Markdown source; empty once deleted.
    body: String,
    /// Rendered and sanitised; empty once deleted.
    body_html: String,
    /// A staff answer.
    official: bool,
    created_at: String,
    edited_at: Option<String>,
    deleted: bool,
}

pub(super) fn comment_out(c: cocreate_store::Comment) -> CommentOut {
    let deleted = c.deleted_at.is_some();
    CommentOut {
        id: c.id,
        idea_id: c.subject.idea_id(),
        challenge_id: c.subject.challenge_id(),
        parent_id: c.parent_id,
        depth: c.depth,
        author_id: c.author_id,
        author_name: c.author_name,
        author_handle: c.author_handle,
        body: if deleted { String::new() } else { c.body },
        body_html: if deleted { String::new() } else { c.body_html },
        official: c.official,
        created_at: c.created_at.to_rfc3339(),
        edited_at: c.edited_at.map(|t| t.to_rfc3339()),
        deleted,
    }
}

pub(super) async fn thread_out(
    state: &WebState,
    actor: &CurrentActor,
    subject: Subject,
) -> ApiResult<Json<Vec<CommentOut>>> {
    let thread = state.app.thread(actor.get(), subject).await?;
    Ok(Json(
        thread
            .comments
            .into_iter()
            .map(|view| comment_out(view.comment))
            .collect(),
    ))
}

/// An idea's comments in reading order (each followed by its replies).
#[utoipa::path(get, path = "/api/v1/ideas/{id}/comments", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CommentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_comments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CommentOut>>> {
    thread_out(&state, &actor, Subject::Idea(id)).await
}

/// A challenge's discussion in reading order (each comment followed by its replies).
#[utoipa::path(get, path = "/api/v1/challenges/{id}/comments", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CommentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_challenge_comments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CommentOut>>> {
    thread_out(&state, &actor, Subject::Challenge(id)).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentIn {
    /// Markdown, up to 5,000 characters; `@handle` notifies that person (at most 10 per comment).
    body: String,
    /// Reply to this comment; replies deeper than 3 levels join their parent's level.
    #[serde(default)]
    parent_id: Option<i64>,
    /// Mark it an official answer (staff of the space only; refused for anyone else).
    #[serde(default)]
    official: bool,
}

/// Comments on an idea or replies to a comment; the writer follows the idea from then on.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/comments", tag = "dialogue", params(("id" = i64, Path)), request_body = CommentIn,
    responses((status = 201, body = CommentOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn add_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentIn>,
) -> ApiResult<Response> {
    comment_on(&state, &actor, Subject::Idea(id), &body).await
}

/// Comments on a challenge or replies to a comment there; the author replied to is notified.
/// Refused once the challenge has closed.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/comments", tag = "dialogue", params(("id" = i64, Path)), request_body = CommentIn,
    responses((status = 201, body = CommentOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn add_challenge_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentIn>,
) -> ApiResult<Response> {
    comment_on(&state, &actor, Subject::Challenge(id), &body).await
}

pub(super) async fn comment_on(
    state: &WebState,
    actor: &CurrentActor,
    subject: Subject,
    body: &CommentIn,
) -> ApiResult<Response> {
    let comment = state
        .app
        .add_comment(
            signed_in(actor)?,
            subject,
            body.parent_id,
            &body.body,
            body.official,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(comment_out(comment))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEditIn {
    body: String,
}

/// Edits one's own comment within 15 minutes of writing it.
#[utoipa::path(put, path = "/api/v1/comments/{id}", tag = "dialogue", params(("id" = i64, Path)), request_body = CommentEditIn,
    responses((status = 200, body = CommentOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn edit_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentEditIn>,
) -> ApiResult<Json<CommentOut>> {
    Ok(Json(comment_out(
        state
            .app
            .edit_comment(signed_in(&actor)?, id, &body.body)
            .await?,
    )))
}

/// Deletes a comment (its author or a moderator); replies stay in the thread.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn delete_comment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.app.delete_comment(signed_in(&actor)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follows an idea: new comments on it become notifications.
#[utoipa::path(put, path = "/api/v1/ideas/{id}/follow", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 204, description = "Following"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn follow_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .set_following(signed_in(&actor)?, id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops following an idea.
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/follow", tag = "dialogue", params(("id" = i64, Path)),
    responses((status = 204, description = "Not following"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn unfollow_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .app
        .set_following(signed_in(&actor)?, id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
