//! Notifications: what the reader was told.

use super::*;

#[derive(Template)]
#[template(path = "notifications.html")]
pub(super) struct NotificationsPage {
    pub(super) layout: Layout,
    pub(super) items: Vec<cocreate_store::Notification>,
    pub(super) next: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct Before {
    pub(super) before: Option<i64>,
}

/// Shows the notifications, then counts them as read.
pub(super) async fn notifications(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<Before>,
) -> PageResult {
    let actor = require(&actor)?;
    const PAGE: i64 = 50;
    let items = state
        .app
        .notifications(actor, query.before.unwrap_or(i64::MAX), PAGE)
        .await?;
    let next = crate::next_cursor(&items, PAGE, |n| n.id);
    let page = NotificationsPage {
        layout: layout(&state, Some(actor)).await?,
        items,
        next,
    };
    let response = ok(&page)?;
    state.app.mark_notifications_read(actor).await?;
    Ok(response)
}
