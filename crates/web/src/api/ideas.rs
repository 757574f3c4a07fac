//! Ideas: proposing, lists, support, stage changes and merges, editing with revisions, co-authors, and files (attachments and challenge covers).

use super::*;

#[derive(Serialize, ToSchema)]
pub struct IdeaOut {
    id: i64,
    challenge_id: Option<i64>,
    title: String,
    /// Markdown source.
    body: String,
    /// Rendered and sanitised.
    body_html: String,
    tags: Vec<String>,
    author_id: i64,
    author_name: String,
    stage: Stage,
    supporters: i64,
    /// Comments not deleted.
    comments: i64,
    /// Whether the caller supports it.
    supported: bool,
    /// While gathering support: the supporters the current tier asks for, and by when.
    next_tier_supporters: Option<i64>,
    tier_deadline: Option<String>,
    merged_into: Option<i64>,
    created_at: String,
    updated_at: String,
}

pub(super) fn idea_out(idea: Idea, supported: bool, next_tier: Option<i64>) -> IdeaOut {
    IdeaOut {
        id: idea.id,
        challenge_id: idea.challenge_id,
        tags: idea.tag_list().into_iter().map(str::to_owned).collect(),
        title: idea.title,
        body: idea.body,
        body_html: idea.body_html,
        author_id: idea.author_id,
        author_name: idea.author_name,
        stage: idea.stage,
        supporters: idea.supporters,
        comments: idea.comments,
        supported,
        next_tier_supporters: next_tier,
        tier_deadline: idea.tier_deadline.map(|t| t.to_rfc3339()),
        merged_into: idea.merged_into,
        created_at: idea.created_at.to_rfc3339(),
        updated_at: idea.updated_at.to_rfc3339(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct StageChangeOut {
    from: Option<Stage>,
    to: Stage,
    /// Who decided; absent when Cocreate did (tiers and deadlines).
    actor_name: Option<String>,
    rationale: String,
    at: String,
}

#[derive(Serialize, ToSchema)]
pub struct IdeaDetailOut {
    #[serde(flatten)]
    idea: IdeaOut,
    space: String,
    history: Vec<StageChangeOut>,
}

pub(super) fn idea_detail(view: IdeaView) -> IdeaDetailOut {
    let history = view
        .history
        .into_iter()
        .map(|e: IdeaEvent| StageChangeOut {
            from: e.from_stage,
            to: e.to_stage,
            actor_name: e.actor_name,
            rationale: e.rationale,
            at: e.created_at.to_rfc3339(),
        })
        .collect();
    IdeaDetailOut {
        space: view.space.space.slug.clone(),
        idea: idea_out(view.idea, view.supported, view.progress.map(|p| p.target)),
        history,
    }
}

#[derive(Serialize, ToSchema)]
pub struct IdeaListOut {
    items: Vec<IdeaOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdeaListQuery {
    /// `new` (default), `top` (most supporters), `hot` (supporters and comments, each weighing
    /// half as much per day of the idea's age) or `trending` (supporters gained in the last week).
    sort: Option<String>,
    stage: Option<Stage>,
    tag: Option<String>,
    /// Only ideas answering this challenge.
    challenge: Option<i64>,
    cursor: Option<String>,
}

/// The ideas of a space the caller may see, newest or most supported first.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/ideas", tag = "ideas", params(("slug" = String, Path), IdeaListQuery),
    responses((status = 200, body = IdeaListOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_ideas(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<IdeaListQuery>,
) -> ApiResult<Json<IdeaListOut>> {
    let filter = IdeaFilter {
        challenge_id: query.challenge,
        stage: query.stage,
        tag: query.tag,
        order: ListOrder::parse(query.sort.as_deref().unwrap_or(""))?,
        cursor: query.cursor,
    };
    let page = state.app.ideas(actor.get(), &slug, &filter).await?;
    Ok(Json(IdeaListOut {
        items: page
            .items
            .into_iter()
            .map(|item| idea_out(item.idea, item.supported, item.progress.map(|p| p.target)))
            .collect(),
        next: page.next,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaIn {
    /// 1 to 140 characters.
    title: String,
    /// Markdown, up to 20,000 characters.
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    challenge_id: Option<i64>,
    /// Start gathering support at once (default) or keep as a draft.
    #[serde(default = "yes")]
    publish: bool,
}

pub(super) fn yes() -> bool {
    true
}

/// Proposes an idea in a space, optionally answering one of its challenges.
#[utoipa::path(post, path = "/api/v1/spaces/{slug}/ideas", tag = "ideas", params(("slug" = String, Path)), request_body = IdeaIn,
    responses((status = 201, body = IdeaDetailOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn propose_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<IdeaIn>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let tags = body.tags.join(",");
    let input = IdeaInput {
        title: &body.title,
        body: &body.body,
        tags: &tags,
        challenge_id: body.challenge_id,
        publish: body.publish,
    };
    let idea = state.app.propose_idea(actor, &slug, &input).await?;
    let view = state.app.idea(Some(actor), idea.id).await?;
    Ok((StatusCode::CREATED, Json(idea_detail(view))).into_response())
}

/// One idea with its stage history; 404 when the caller may not see it.
#[utoipa::path(get, path = "/api/v1/ideas/{id}", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaDetailOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn get_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaDetailOut>> {
    Ok(Json(idea_detail(state.app.idea(actor.get(), id).await?)))
}

pub(super) async fn idea_after(
    state: &WebState,
    actor: &Actor,
    id: i64,
) -> ApiResult<Json<IdeaDetailOut>> {
    Ok(Json(idea_detail(state.app.idea(Some(actor), id).await?)))
}

/// The idea as a list shows it, after the caller supported it or withdrew.
pub(super) fn supported_out(idea: Idea, supported: bool) -> ApiResult<Json<IdeaOut>> {
    let target = support_target(&idea)?;
    Ok(Json(idea_out(
        idea,
        supported,
        target.map(|t| t.supporters),
    )))
}

/// Supports an idea that is gathering support (doing it twice changes nothing). Answers with the
/// idea as lists show it — its count, stage and next tier — as it stands after the support; its
/// history is at `GET /ideas/{id}`.
#[utoipa::path(put, path = "/api/v1/ideas/{id}/support", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn support_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaOut>> {
    supported_out(state.app.support(signed_in(&actor)?, id).await?, true)
}

/// Withdraws the caller's support while the idea is gathering support; answers like supporting.
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/support", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn withdraw_support(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaOut>> {
    supported_out(
        state.app.withdraw_support(signed_in(&actor)?, id).await?,
        false,
    )
}

/// Publishes a draft: it starts gathering support (its author or staff).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/publish", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaDetailOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn publish_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    state.app.publish_idea(actor, id).await?;
    idea_after(&state, actor, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    to: Stage,
    /// Shown publicly on the idea.
    rationale: String,
}

/// Moves an idea to another stage with a public rationale (staff); its author and supporters are told.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/transitions", tag = "ideas", params(("id" = i64, Path)), request_body = TransitionIn,
    responses((status = 200, body = IdeaDetailOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn move_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TransitionIn>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    state
        .app
        .move_idea(actor, id, body.to, &body.rationale)
        .await?;
    idea_after(&state, actor, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The idea this one joins.
    into: i64,
    rationale: String,
}

/// Merges a duplicate into another idea of the same space (staff): supporters move, counted once.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/merge", tag = "ideas", params(("id" = i64, Path)), request_body = MergeIn,
    responses((status = 200, body = IdeaDetailOut, description = "The idea merged into"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn merge_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MergeIn>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    let into = state
        .app
        .merge_idea(actor, id, body.into, &body.rationale)
        .await?;
    idea_after(&state, actor, into.id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaEditIn {
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Changes an open idea's text (its author or staff); kept as a revision.
#[utoipa::path(put, path = "/api/v1/ideas/{id}", tag = "ideas", params(("id" = i64, Path)), request_body = IdeaEditIn,
    responses((status = 200, body = IdeaDetailOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn edit_idea(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IdeaEditIn>,
) -> ApiResult<Json<IdeaDetailOut>> {
    let actor = signed_in(&actor)?;
    state
        .app
        .edit_idea(actor, id, &body.title, &body.body, &body.tags.join(","))
        .await?;
    idea_after(&state, actor, id).await
}

#[derive(Serialize, ToSchema)]
pub struct RevisionOut {
    id: i64,
    editor_name: String,
    title: String,
    body: String,
    tags: Vec<String>,
    created_at: String,
    /// Lines compared with the previous version: each starts with `+`, `-` or a space.
    diff: Vec<String>,
}

/// Every version of an idea's text, newest first, with what changed.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/revisions", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RevisionOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn idea_revisions(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RevisionOut>>> {
    use cocreate_core::markdown::DiffKind;
    let revisions = state.app.idea_revisions(actor.get(), id).await?;
    Ok(Json(
        revisions
            .into_iter()
            .map(|view| RevisionOut {
                id: view.revision.id,
                editor_name: view.revision.editor_name,
                tags: view
                    .revision
                    .tags
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                title: view.revision.title,
                body: view.revision.body,
                created_at: view.revision.created_at.to_rfc3339(),
                diff: view
                    .diff
                    .into_iter()
                    .map(|(kind, line)| {
                        let mark = match kind {
                            DiffKind::Added => '+',
                            DiffKind::Removed => '-',
                            DiffKind::Same => ' ',
                        };
                        format!("{mark}{line}")
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CoAuthorOut {
    account_id: i64,
    name: String,
    accepted: bool,
    invited_at: String,
}

/// The idea's co-authors, invited and accepted.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/co-authors", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CoAuthorOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_co_authors(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CoAuthorOut>>> {
    let authors = state.app.co_authors(actor.get(), id).await?;
    Ok(Json(
        authors
            .into_iter()
            .map(|c| CoAuthorOut {
                account_id: c.account_id,
                name: c.name,
                accepted: c.accepted_at.is_some(),
                invited_at: c.invited_at.to_rfc3339(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoAuthorIn {
    email: String,
}

/// The lead author invites a co-author by e-mail; they are told by notification.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/co-authors", tag = "ideas", params(("id" = i64, Path)), request_body = CoAuthorIn,
    responses((status = 201, body = CoAuthorOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn invite_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CoAuthorIn>,
) -> ApiResult<Response> {
    let c = state
        .app
        .invite_co_author(signed_in(&actor)?, id, &body.email)
        .await?;
    let out = CoAuthorOut {
        account_id: c.account_id,
        name: c.name,
        accepted: false,
        invited_at: c.invited_at.to_rfc3339(),
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Accepts the caller's invitation to co-author the idea.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/co-authors/accept", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 204, description = "Now a co-author"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn accept_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.app.accept_co_author(signed_in(&actor)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a co-author (the lead author) or leaves (the co-author).
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/co-authors/{account_id}", tag = "ideas", params(("id" = i64, Path), ("account_id" = i64, Path)),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn remove_co_author(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((id, account_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .remove_co_author(signed_in(&actor)?, id, account_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    id: i64,
    file_name: String,
    /// Recognised from the content.
    content_type: String,
    size: i64,
    /// Where to fetch it (subject to the same visibility as the idea).
    url: String,
    created_at: String,
}

pub(super) fn attachment_out(a: cocreate_store::Attachment) -> AttachmentOut {
    AttachmentOut {
        url: format!("/attachments/{}/{}", a.id, a.file_name),
        id: a.id,
        file_name: a.file_name,
        content_type: a.content_type,
        size: a.size,
        created_at: a.created_at.to_rfc3339(),
    }
}

/// The images and files of an idea.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/attachments", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_attachments(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AttachmentOut>>> {
    let files = state.app.attachments(actor.get(), id).await?;
    Ok(Json(files.into_iter().map(attachment_out).collect()))
}

/// Adds an image or file to an idea (its authors or staff): `multipart/form-data` with one part
/// named `file`; PNG, JPEG, GIF, WebP, PDF or text, up to 5 MiB, recognised by content.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/attachments", tag = "ideas", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "One part named file"),
    responses((status = 201, body = AttachmentOut), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn upload_attachment(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let actor = signed_in(&actor)?;
    let (name, bytes) = crate::pages::read_upload(multipart).await?;
    let attachment = state.app.attach(actor, id, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(attachment_out(attachment))).into_response())
}

/// Sets a challenge's cover image (staff): `multipart/form-data` with one part named `file`.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/cover", tag = "ideas", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "One part named file"),
    responses((status = 204, description = "Cover set"), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn upload_cover(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<StatusCode> {
    let actor = signed_in(&actor)?;
    let (name, bytes) = crate::pages::read_upload(multipart).await?;
    state
        .app
        .set_challenge_cover(actor, id, &name, bytes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
