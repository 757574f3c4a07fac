//! A person's data as a file to keep: "Download your data" on the profile, and an admin's
//! download of a member's data to answer their request.

use super::*;

/// The JSON document as a download named after the account.
pub(crate) fn download(data: &serde_json::Value) -> Response {
    let handle = data["account"]["handle"].as_str().unwrap_or("account");
    let body = serde_json::to_vec_pretty(data).unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"cocreate-data-{handle}.json\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn my_data(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    let actor = require(&actor)?;
    Ok(download(&state.app.personal_data(actor, actor.id).await?))
}

pub(super) async fn member_data(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    Ok(download(&state.app.personal_data(actor, id).await?))
}
