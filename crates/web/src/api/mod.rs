//! The JSON API under `/api/v1`. Its OpenAPI document is generated from these handlers and types.

use axum::Json;
use axum::extract::{Extension, FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cocreate_app::{
    AccountInput, Actor, AppError, ChallengeInput, IdeaFilter, IdeaInput, IdeaView, ListOrder,
    SearchFilter, SearchScope, SpaceInput, SpaceView, support_target,
};
use cocreate_core::{AccountKind, Audience, OrgRole, Stage};
use cocreate_store::{
    Account, ApiToken, AuditEntry, Challenge, Idea, IdeaEvent, Invitation, OutboxMail, SearchHit,
    Snippet, Subject,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, HttpError, Problem};
use crate::session::CurrentActor;
use crate::{PagePath, WebState, next_cursor};

mod accounts;
mod challenges;
mod dashboard;
mod dialogue;
mod duplicates;
mod erasure;
mod feedback;
mod feedback_import;
mod ideas;
mod moderation;
mod notifications;
mod opinions;
mod organisation;
mod pairwise;
mod people;
mod personal_data;
mod products;
mod search;
mod spaces;
mod themes;
mod timeline;

use self::{
    accounts::*, challenges::*, dashboard::*, dialogue::*, duplicates::*, erasure::*, feedback::*,
    feedback_import::*, ideas::*, moderation::*, notifications::*, opinions::*, organisation::*,
    pairwise::*, people::*, personal_data::*, products::*, search::*, spaces::*, themes::*,
    timeline::*,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Cocreate API", version = "1", description = "The JSON API of Cocreate. Authenticate with `Authorization: Bearer <token>` (create tokens on your profile page). Errors are `application/problem+json` with a stable `code` and, for input errors, the offending `field`."),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn api_router() -> OpenApiRouter<WebState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(sign_up))
        .routes(routes!(request_reset))
        .routes(routes!(reset_password))
        .routes(routes!(get_organisation, update_organisation))
        .routes(routes!(list_spaces, create_space))
        .routes(routes!(get_space, update_space))
        .routes(routes!(list_space_members, add_space_member))
        .routes(routes!(remove_space_member))
        .routes(routes!(list_members))
        .routes(routes!(update_member))
        .routes(routes!(member_data))
        .routes(routes!(erase_member))
        .routes(routes!(erase_contact))
        .routes(routes!(my_data))
        .routes(routes!(my_timeline))
        .routes(routes!(list_customers))
        .routes(routes!(account_timeline))
        .routes(routes!(contact_timeline))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(audit_log))
        .routes(routes!(outbox))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_challenges, create_challenge))
        .routes(routes!(get_challenge, update_challenge))
        .routes(routes!(list_ideas, propose_idea))
        .routes(routes!(get_idea, edit_idea))
        .routes(routes!(idea_revisions))
        .routes(routes!(list_co_authors, invite_co_author))
        .routes(routes!(accept_co_author))
        .routes(routes!(list_attachments))
        .merge(
            // Uploads may be larger than other requests.
            OpenApiRouter::new()
                .routes(routes!(upload_attachment))
                .routes(routes!(upload_cover))
                .layer(axum::extract::DefaultBodyLimit::max(
                    cocreate_app::MAX_ATTACHMENT_BYTES + 64 * 1024,
                )),
        )
        .routes(routes!(remove_co_author))
        .routes(routes!(support_idea, withdraw_support))
        .routes(routes!(publish_idea))
        .routes(routes!(move_idea))
        .routes(routes!(merge_idea))
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(list_challenge_comments, add_challenge_comment))
        .routes(routes!(edit_comment, delete_comment))
        .routes(routes!(follow_idea, unfollow_idea))
        .routes(routes!(list_notifications))
        .routes(routes!(get_person))
        .routes(routes!(read_notifications))
        .routes(routes!(create_flag))
        .routes(routes!(list_flags))
        .routes(routes!(moderate_content))
        .routes(routes!(search_ideas))
        .routes(routes!(search_comments))
        .routes(routes!(search_challenges))
        .routes(routes!(search_facets))
        .routes(routes!(similar_ideas))
        .routes(routes!(list_statements, add_statement))
        .routes(routes!(vote_on_statement))
        .routes(routes!(opinion_groups))
        .routes(routes!(next_pair, answer_pair))
        .routes(routes!(pairwise_ranking))
        .routes(routes!(space_dashboard))
        .routes(routes!(challenge_dashboard))
        .routes(routes!(space_themes))
        .routes(routes!(refresh_space_themes))
        .routes(routes!(get_theme, edit_theme))
        .routes(routes!(merge_theme))
        .routes(routes!(duplicate_queue))
        .routes(routes!(dismiss_duplicate))
        .routes(routes!(merge_duplicate))
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(set_idea_product))
        .routes(routes!(list_feedback, send_feedback))
        .routes(routes!(import_feedback))
        .routes(routes!(import_mail))
        .routes(routes!(get_feedback))
        .routes(routes!(set_feedback_status))
        .routes(routes!(link_feedback))
        .routes(routes!(answer_feedback))
        .routes(routes!(idea_from_feedback))
        .routes(routes!(idea_evidence))
        .routes(routes!(claim_feedback))
        .routes(routes!(own_feedback))
}

pub fn routes() -> axum::Router<WebState> {
    let (router, _) = api_router().split_for_parts();
    router.route(
        "/api/v1/openapi.json",
        axum::routing::get(|| async { Json(openapi_document()) }),
    )
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut document = api_router().split_for_parts().1;
    document_common_answers(&mut document);
    document
}

/// Answers any operation may give besides its own, added to each so the document is complete:
/// what the layers in front of every handler answer (unreadable input, an invalid token, a
/// body over the limit, the rate limits, the database away or its disk full), and the policy's
/// refusal of a write. Authentication is
/// optional at the document level: reading public spaces needs none, and operations that need
/// an account answer 401.
fn document_common_answers(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    let every = [
        (
            "400",
            "The request could not be read (body, path or query string).",
        ),
        (
            "401",
            "The bearer token is not valid, or the operation needs an account.",
        ),
        (
            "503",
            "The database is unavailable for the moment; try again.",
        ),
    ];
    let writes = [
        ("403", "The account may not do this here."),
        ("413", "The request body is over the size limit."),
        (
            "429",
            "Too many requests from this address; see `Retry-After`.",
        ),
        ("507", "The server's disk is full: nothing was saved."),
    ];
    document.security = Some(vec![
        SecurityRequirement::default(),
        SecurityRequirement::new("bearer", Vec::<String>::new()),
    ]);
    for item in document.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.delete, true),
            (&mut item.patch, true),
        ];
        for (operation, writes_data) in operations {
            let Some(operation) = operation else { continue };
            let answers = every.iter().chain(writes.iter().filter(|_| writes_data));
            for (status, description) in answers {
                operation
                    .responses
                    .responses
                    .entry((*status).to_owned())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
}

/// A JSON body; malformed JSON, unknown fields and wrong types are a 400 problem naming the cause.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(request, state)
            .await
            .map_err(|rejection| {
                let status = rejection.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "payload_too_large"
                } else {
                    "bad_request"
                };
                let status = if code == "bad_request" {
                    StatusCode::BAD_REQUEST
                } else {
                    status
                };
                ApiError(HttpError::new(status, code, rejection.body_text()))
            })?;
        // Read apart from the syntax so that a value of the wrong type or shape names its field.
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|error| naming_the_field(&error, ""))
    }
}

/// Query parameters; a value of the wrong type (`?challenge=abc`, `?stage=winning`) is a 400
/// problem naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(|error| naming_the_field(&error, "query parameter "))
    }
}

/// A 400 problem for input that does not read as its type, naming the field where it went wrong
/// (none when it is the whole input, such as an unknown field of the body).
fn naming_the_field<E: std::fmt::Display>(
    error: &serde_path_to_error::Error<E>,
    what: &str,
) -> ApiError {
    let mut field = error.path().to_string();
    // serde reports a missing field at the object that lacks it: name the field itself.
    let reason = error.inner().to_string();
    if let Some(missing) = reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        field = if field == "." {
            missing.to_owned()
        } else {
            format!("{field}.{missing}")
        };
    }
    let mut problem = HttpError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        format!("{what}{field}: {reason}"),
    );
    problem.field = Some(field).filter(|path| path != ".");
    ApiError(problem)
}

fn signed_in(actor: &CurrentActor) -> Result<&Actor, ApiError> {
    actor
        .get()
        .ok_or_else(|| ApiError(AppError::Unauthenticated.into()))
}

/// The paging of a list that grows: where the previous page ended, and how long a page is.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Cursor {
    /// Continue after (members) or before (logs) this id, from the previous page's `next`.
    cursor: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
}
