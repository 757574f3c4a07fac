//! Timelines (the caller's own, or any customer's for staff) and the customer list.

use cocreate_app::{Customer, CustomerQuery, TimelineQuery, TimelineView};
use cocreate_core::{FeedbackChannel, Stage, TimelineKind};
use cocreate_store::{TimelineEvent, TimelineSubject};

use super::*;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// One kind of event only.
    kind: Option<TimelineKind>,
    /// A product's slug: feedback about it and the answers to it only.
    product: Option<String>,
    /// From the previous page's `next`.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerOut {
    /// `account` or `contact` (known without an account).
    kind: String,
    account_id: Option<i64>,
    contact_id: Option<i64>,
    name: Option<String>,
    handle: Option<String>,
    /// An account's address (staff only), or a contact's address or reference.
    email: Option<String>,
    /// For a contact: `email`, or the conversation they were imported from.
    source: Option<String>,
    since: String,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEventOut {
    kind: TimelineKind,
    at: String,
    /// With `kind` and `at`, the event's place: the idea's id for a proposal, co-authorship or
    /// support; otherwise the comment's, feedback's or stage change's.
    id: i64,
    idea_id: Option<i64>,
    challenge_id: Option<i64>,
    /// The idea's or challenge's title.
    title: Option<String>,
    space: Option<String>,
    product: Option<String>,
    product_name: Option<String>,
    channel: Option<FeedbackChannel>,
    rating: Option<i64>,
    /// The comment, the feedback, the answer or the stage change's rationale.
    text: Option<String>,
    from_stage: Option<Stage>,
    to_stage: Option<Stage>,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineOut {
    customer: CustomerOut,
    /// Newest first.
    events: Vec<TimelineEventOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<String>,
}

fn customer_out(customer: Customer) -> CustomerOut {
    match customer {
        Customer::Account {
            id,
            name,
            handle,
            email,
            member_since,
            ..
        } => CustomerOut {
            kind: "account".into(),
            account_id: Some(id),
            contact_id: None,
            name: Some(name),
            handle: Some(handle),
            email,
            source: None,
            since: member_since.to_rfc3339(),
        },
        Customer::Contact {
            id,
            reference,
            source,
            name,
            first_heard,
        } => CustomerOut {
            kind: "contact".into(),
            account_id: None,
            contact_id: Some(id),
            name,
            handle: None,
            email: Some(reference),
            source: Some(source),
            since: first_heard.to_rfc3339(),
        },
    }
}

fn event_out(event: TimelineEvent) -> TimelineEventOut {
    TimelineEventOut {
        kind: event.kind,
        at: event.at.to_rfc3339(),
        id: event.id,
        idea_id: event.idea_id,
        challenge_id: event.challenge_id,
        title: event.title,
        space: event.space_slug,
        product: event.product_slug,
        product_name: event.product_name,
        channel: event.channel,
        rating: event.rating,
        text: event.text,
        from_stage: event.from_stage,
        to_stage: event.to_stage,
    }
}

fn timeline_out(view: TimelineView) -> TimelineOut {
    TimelineOut {
        customer: customer_out(view.customer),
        events: view.events.into_iter().map(event_out).collect(),
        next: view.next,
    }
}

async fn read_timeline(
    state: &WebState,
    actor: &CurrentActor,
    subject: TimelineSubject,
    params: TimelineParams,
) -> ApiResult<Json<TimelineOut>> {
    let query = TimelineQuery {
        kind: params.kind,
        product: params.product,
        before: params.cursor,
    };
    let view = state
        .app
        .timeline(signed_in(actor)?, subject, &query)
        .await?;
    Ok(Json(timeline_out(view)))
}

/// The caller's own timeline: their ideas, co-authorships, supports, comments, feedback, the
/// answers to it and the stage changes they were told of, newest first.
#[utoipa::path(get, path = "/api/v1/me/timeline", tag = "customers", params(TimelineParams),
    responses((status = 200, body = TimelineOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn my_timeline(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(params): ApiQuery<TimelineParams>,
) -> ApiResult<Json<TimelineOut>> {
    let id = signed_in(&actor)?.id;
    read_timeline(&state, &actor, TimelineSubject::Account(id), params).await
}

/// An account's timeline (staff), limited to the spaces the caller may read.
#[utoipa::path(get, path = "/api/v1/customers/accounts/{id}/timeline", tag = "customers",
    params(("id" = i64, Path), TimelineParams),
    responses((status = 200, body = TimelineOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn account_timeline(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiQuery(params): ApiQuery<TimelineParams>,
) -> ApiResult<Json<TimelineOut>> {
    read_timeline(&state, &actor, TimelineSubject::Account(id), params).await
}

/// A contact's timeline (staff): their feedback and the answers to it.
#[utoipa::path(get, path = "/api/v1/customers/contacts/{id}/timeline", tag = "customers",
    params(("id" = i64, Path), TimelineParams),
    responses((status = 200, body = TimelineOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn contact_timeline(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiQuery(params): ApiQuery<TimelineParams>,
) -> ApiResult<Json<TimelineOut>> {
    read_timeline(&state, &actor, TimelineSubject::Contact(id), params).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerParams {
    /// A product's slug.
    product: Option<String>,
    channel: Option<FeedbackChannel>,
    tag: Option<String>,
    /// Heard from on or after this day (`YYYY-MM-DD`, the organisation's time zone).
    since: Option<String>,
    /// Heard from on or before this day.
    until: Option<String>,
    /// From the previous page's `next`.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerListOut {
    /// Each customer once, as their newest piece of feedback that matches the filters (its
    /// `author` is the customer), most recently heard from first.
    customers: Vec<FeedbackOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<String>,
}

/// Everyone who gave feedback on the products of the spaces the caller triages (staff).
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(CustomerParams),
    responses((status = 200, body = CustomerListOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_customers(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(params): ApiQuery<CustomerParams>,
) -> ApiResult<Json<CustomerListOut>> {
    let query = CustomerQuery {
        product: params.product,
        channel: params.channel,
        tag: params.tag,
        since: params.since,
        until: params.until,
        before: params.cursor,
    };
    let list = state.app.customers(signed_in(&actor)?, &query).await?;
    Ok(Json(CustomerListOut {
        customers: list.customers.into_iter().map(feedback_out).collect(),
        next: list.next,
    }))
}
