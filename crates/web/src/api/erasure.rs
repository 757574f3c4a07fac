//! Erasure on request, for admins: a member's or a contact's name, addresses and text.

use cocreate_store::Erased;

use super::*;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureIn {
    /// Whose request this answers, for the audit log: 1–500 characters.
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErasedOut {
    /// How many of their ideas, comments, pieces of feedback and statements now say they were
    /// erased (each kept, with its supports and votes).
    ideas: u64,
    comments: u64,
    feedback: u64,
    statements: u64,
}

fn erased_out(erased: Erased) -> ErasedOut {
    ErasedOut {
        ideas: erased.ideas,
        comments: erased.comments,
        feedback: erased.feedback,
        statements: erased.statements,
    }
}

/// Erases a member on their request (admins; not an admin, nor oneself): name, address and
/// handle replaced, their text erased, their sessions and tokens gone; counts stay exact.
/// Audited as `account.erased` with the reason.
#[utoipa::path(post, path = "/api/v1/members/{id}/erasure", tag = "members", params(("id" = i64, Path)),
    request_body = ErasureIn,
    responses((status = 200, body = ErasedOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn erase_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ErasureIn>,
) -> ApiResult<Json<ErasedOut>> {
    let erased = state
        .app
        .erase_account(signed_in(&actor)?, id, &body.reason)
        .await?;
    Ok(Json(erased_out(erased)))
}

/// Erases a contact known without an account (admins): address, name and feedback text.
/// Audited as `contact.erased`.
#[utoipa::path(post, path = "/api/v1/customers/contacts/{id}/erasure", tag = "customers",
    params(("id" = i64, Path)), request_body = ErasureIn,
    responses((status = 200, body = ErasedOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn erase_contact(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ErasureIn>,
) -> ApiResult<Json<ErasedOut>> {
    let erased = state
        .app
        .erase_contact(signed_in(&actor)?, id, &body.reason)
        .await?;
    Ok(Json(erased_out(erased)))
}
