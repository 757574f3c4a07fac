//! Notifications: what the caller was told.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    id: i64,
    idea_id: Option<i64>,
    challenge_id: Option<i64>,
    comment_id: Option<i64>,
    text: String,
    created_at: String,
    read: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    items: Vec<NotificationOut>,
    unread: i64,
    next: Option<i64>,
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "dialogue", params(Cursor),
    responses((status = 200, body = NotificationPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_notifications(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(page): ApiQuery<Cursor>,
) -> ApiResult<Json<NotificationPage>> {
    let actor = signed_in(&actor)?;
    let limit = page.limit.unwrap_or(50).clamp(1, 100);
    let items = state
        .app
        .notifications(actor, page.cursor.unwrap_or(i64::MAX), limit)
        .await?;
    Ok(Json(NotificationPage {
        next: next_cursor(&items, limit, |n| n.id),
        unread: state.app.unread_notifications(actor).await?,
        items: items
            .into_iter()
            .map(|n| NotificationOut {
                id: n.id,
                idea_id: n.idea_id,
                challenge_id: n.challenge_id,
                comment_id: n.comment_id,
                text: n.text,
                created_at: n.created_at.to_rfc3339(),
                read: n.read_at.is_some(),
            })
            .collect(),
    }))
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "dialogue",
    responses((status = 204, description = "All read"), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn read_notifications(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<StatusCode> {
    state
        .app
        .mark_notifications_read(signed_in(&actor)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
