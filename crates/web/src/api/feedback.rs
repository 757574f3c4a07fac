//! Feedback on products: sent by a company's own app or widget (with an idempotency key), by
//! people themselves, and read and triaged by staff.

use cocreate_app::{FeedbackInput, FeedbackQuery};
use cocreate_core::{FeedbackChannel, FeedbackStatus};
use cocreate_store::{FeedbackAuthor, FeedbackItem};

use super::*;

#[derive(Serialize, ToSchema)]
pub struct FeedbackAuthorOut {
    /// `account`, `contact` (known by e-mail only) or `gone` (removed since).
    kind: String,
    account_id: Option<i64>,
    contact_id: Option<i64>,
    name: Option<String>,
    /// A contact's address (accounts' addresses are not shown here).
    email: Option<String>,
}

fn author_out(author: FeedbackAuthor) -> FeedbackAuthorOut {
    match author {
        FeedbackAuthor::Account { id, name, .. } => FeedbackAuthorOut {
            kind: "account".into(),
            account_id: Some(id),
            contact_id: None,
            name: Some(name),
            email: None,
        },
        FeedbackAuthor::Contact { id, email, name } => FeedbackAuthorOut {
            kind: "contact".into(),
            account_id: None,
            contact_id: Some(id),
            name,
            email: Some(email),
        },
        FeedbackAuthor::Gone => FeedbackAuthorOut {
            kind: "gone".into(),
            account_id: None,
            contact_id: None,
            name: None,
            email: None,
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackOut {
    id: i64,
    /// The product's slug.
    product: String,
    product_name: String,
    body: String,
    rating: Option<i64>,
    channel: FeedbackChannel,
    author: FeedbackAuthorOut,
    /// The account that sent it in for its author (an integration), when another.
    submitted_by: Option<i64>,
    tags: Vec<String>,
    status: FeedbackStatus,
    /// Why it was closed.
    status_note: Option<String>,
    status_at: Option<String>,
    /// The idea it is evidence for, once linked.
    idea_id: Option<i64>,
    /// Staff's answer to its author.
    answer: Option<String>,
    created_at: String,
}

pub(super) fn feedback_out(item: FeedbackItem) -> FeedbackOut {
    FeedbackOut {
        tags: item.tag_list().into_iter().map(str::to_owned).collect(),
        id: item.id,
        product: item.product_slug,
        product_name: item.product_name,
        body: item.body,
        rating: item.rating,
        channel: item.channel,
        author: author_out(item.author),
        submitted_by: item.submitted_by,
        status: item.status,
        status_note: item.status_note,
        status_at: item.status_at.map(|t| t.to_rfc3339()),
        idea_id: item.idea_id,
        answer: item.answer,
        created_at: item.created_at.to_rfc3339(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackIn {
    /// The product's slug.
    product: String,
    /// 1–4,000 characters.
    body: String,
    /// 1 to 5.
    rating: Option<i64>,
    /// Staff only: up to 5 tags.
    #[serde(default)]
    tags: Vec<String>,
    /// Whom it is from, when not the caller: staff (an integration's token) name the customer
    /// by e-mail; an account with the address becomes the author, otherwise a contact does.
    author_email: Option<String>,
    /// The customer's name, for a new contact.
    author_name: Option<String>,
}

/// Records feedback on a product. Send an `Idempotency-Key` header so that a retry does not
/// record it twice.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "feedback", request_body = FeedbackIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer to a retried request")),
    responses((status = 201, body = FeedbackOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn send_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<FeedbackIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let tags = body.tags.join(",");
    let input = FeedbackInput {
        body: &body.body,
        rating: body.rating,
        tags: &tags,
        author_email: body.author_email.as_deref(),
        author_name: body.author_name.as_deref(),
    };
    let item = state
        .app
        .send_feedback(Some(actor), &body.product, &input, FeedbackChannel::Api)
        .await?;
    Ok((StatusCode::CREATED, Json(feedback_out(item))).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackListQuery {
    /// A product's slug.
    product: Option<String>,
    channel: Option<FeedbackChannel>,
    /// 1 to 5.
    rating: Option<i64>,
    tag: Option<String>,
    /// Absent: any status.
    status: Option<FeedbackStatus>,
    /// Only feedback neither answered nor closed.
    #[serde(default)]
    unanswered: bool,
    /// From the previous page's `next`.
    cursor: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackListOut {
    /// Newest first.
    items: Vec<FeedbackOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<i64>,
}

/// Feedback on the products of the spaces the caller curates (staff), newest first.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback", params(FeedbackListQuery),
    responses((status = 200, body = FeedbackListOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(query): ApiQuery<FeedbackListQuery>,
) -> ApiResult<Json<FeedbackListOut>> {
    let actor = signed_in(&actor)?;
    let inbox = state
        .app
        .feedback_inbox(
            actor,
            &FeedbackQuery {
                product: query.product,
                channel: query.channel,
                rating: query.rating,
                tag: query.tag,
                status: query.status,
                unanswered: query.unanswered,
                before: query.cursor,
                limit: query.limit,
            },
        )
        .await?;
    Ok(Json(FeedbackListOut {
        items: inbox.items.into_iter().map(feedback_out).collect(),
        next: inbox.next,
    }))
}

/// One piece of feedback, for its author or the staff who triage it.
#[utoipa::path(get, path = "/api/v1/feedback/{id}", tag = "feedback", params(("id" = i64, Path)),
    responses((status = 200, body = FeedbackOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn get_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<FeedbackOut>> {
    let actor = signed_in(&actor)?;
    Ok(Json(feedback_out(
        state.app.feedback_item(actor, id).await?.item,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackStatusIn {
    /// Up to 200 pieces of feedback.
    ids: Vec<i64>,
    /// `closed` (with a reason) or `new` (reopen).
    status: FeedbackStatus,
    /// Why they are closed.
    #[serde(default)]
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackStatusOut {
    /// How many changed: feedback outside the spaces the caller curates is left alone.
    changed: u64,
}

/// Closes feedback with a reason, or reopens it, several at once (staff).
#[utoipa::path(post, path = "/api/v1/feedback/status", tag = "feedback", request_body = FeedbackStatusIn,
    responses((status = 200, body = FeedbackStatusOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn set_feedback_status(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<FeedbackStatusIn>,
) -> ApiResult<Json<FeedbackStatusOut>> {
    let actor = signed_in(&actor)?;
    let changed = state
        .app
        .set_feedback_status(actor, &body.ids, body.status, &body.reason)
        .await?;
    Ok(Json(FeedbackStatusOut { changed }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackLinkIn {
    /// Up to 200 pieces of feedback.
    ids: Vec<i64>,
    /// A published idea of a space the caller curates.
    idea_id: i64,
}

/// Links feedback to the idea it is evidence for (staff): the idea counts it, and its authors
/// hear of the idea's decisions. Feedback outside the caller's spaces is left alone.
#[utoipa::path(post, path = "/api/v1/feedback/link", tag = "feedback", request_body = FeedbackLinkIn,
    responses((status = 200, body = FeedbackStatusOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn link_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<FeedbackLinkIn>,
) -> ApiResult<Json<FeedbackStatusOut>> {
    let actor = signed_in(&actor)?;
    let changed = state
        .app
        .link_feedback(actor, &body.ids, body.idea_id)
        .await?;
    Ok(Json(FeedbackStatusOut { changed }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackAnswerIn {
    /// 1–4,000 characters, mailed to the feedback's author.
    answer: String,
}

/// Answers a piece of feedback (staff): its author reads the answer with it and by mail.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/answer", tag = "feedback", params(("id" = i64, Path)), request_body = FeedbackAnswerIn,
    responses((status = 200, body = FeedbackOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn answer_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FeedbackAnswerIn>,
) -> ApiResult<Json<FeedbackOut>> {
    let actor = signed_in(&actor)?;
    let item = state.app.answer_feedback(actor, id, &body.answer).await?;
    Ok(Json(feedback_out(item)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackIdeaIn {
    title: String,
    /// Markdown; the feedback's own words when absent.
    #[serde(default)]
    body: String,
}

/// Turns a piece of feedback into a new idea in its product's space, in its author's name
/// (staff; the author must have an account): the feedback is linked to it and its author told.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/idea", tag = "feedback", params(("id" = i64, Path)), request_body = FeedbackIdeaIn,
    responses((status = 201, body = IdeaOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn idea_from_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FeedbackIdeaIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let idea = state
        .app
        .idea_from_feedback(actor, id, &body.title, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(idea_out(idea, false, None))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceOut {
    /// People who asked for the idea (accounts and contacts, each once).
    people: i64,
    /// For staff who curate its space: the newest 50 requests (empty for everyone else).
    requests: Vec<FeedbackOut>,
}

/// The feedback linked to an idea as evidence.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/evidence", tag = "feedback", params(("id" = i64, Path)),
    responses((status = 200, body = EvidenceOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn idea_evidence(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<EvidenceOut>> {
    let evidence = state.app.idea_evidence(actor.get(), id).await?;
    Ok(Json(EvidenceOut {
        people: evidence.people,
        requests: evidence.requests.into_iter().map(feedback_out).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackClaimOut {
    /// Pieces of feedback that became the caller's.
    moved: u64,
}

/// Makes the feedback given with the caller's address before they had an account theirs, with
/// the token of the link mailed at sign-up (it works once, and only for that account).
#[utoipa::path(post, path = "/api/v1/feedback-claims/{token}", tag = "feedback", params(("token" = String, Path)),
    responses((status = 200, body = FeedbackClaimOut), (status = 410, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn claim_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> ApiResult<Json<FeedbackClaimOut>> {
    let actor = signed_in(&actor)?;
    let moved = state.app.claim_feedback(actor, &token).await?;
    Ok(Json(FeedbackClaimOut { moved }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnFeedbackQuery {
    /// From the previous page's `next`.
    cursor: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct OwnFeedbackOut {
    /// The caller's own feedback, newest first.
    items: Vec<FeedbackOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<i64>,
    /// On the first page: the newest 50 pieces the caller sent in for others (a partner's, for
    /// its customers).
    sent: Vec<FeedbackOut>,
}

/// The caller's own feedback, newest first, 50 a page, and what they sent in for others.
#[utoipa::path(get, path = "/api/v1/me/feedback", tag = "feedback", params(OwnFeedbackQuery),
    responses((status = 200, body = OwnFeedbackOut)))]
pub(super) async fn own_feedback(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(query): ApiQuery<OwnFeedbackQuery>,
) -> ApiResult<Json<OwnFeedbackOut>> {
    let actor = signed_in(&actor)?;
    let own = state.app.own_feedback(actor, query.cursor).await?;
    Ok(Json(OwnFeedbackOut {
        items: own.items.into_iter().map(feedback_out).collect(),
        next: own.next,
        sent: own.sent.into_iter().map(feedback_out).collect(),
    }))
}
