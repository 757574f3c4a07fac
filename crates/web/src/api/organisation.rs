//! The organisation and its administration: the public profile, accounts and their access, invitations, the audit log and the mail outbox.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    name: String,
    description: String,
    /// Where the logo is served, when there is one.
    logo_url: Option<String>,
    /// The IANA time zone in which typed days (such as a challenge's `closes_at`) are read.
    time_zone: String,
}

/// The organisation's public profile.
#[utoipa::path(get, path = "/api/v1/organisation", tag = "organisation", security(()), responses((status = 200, body = OrganisationOut)))]
pub(super) async fn get_organisation(
    State(state): State<WebState>,
) -> ApiResult<Json<OrganisationOut>> {
    let org = state.app.organisation().await?;
    Ok(Json(OrganisationOut {
        name: org.name,
        description: org.description,
        logo_url: org.has_logo.then(|| "/logo".to_owned()),
        time_zone: org.time_zone,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationIn {
    name: String,
    #[serde(default)]
    description: String,
    /// An IANA time zone such as `Europe/Paris`; absent keeps the current one.
    time_zone: Option<String>,
}

/// Changes the organisation's name, description and time zone (admins).
#[utoipa::path(put, path = "/api/v1/organisation", tag = "organisation", request_body = OrganisationIn,
    responses((status = 200, body = OrganisationOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn update_organisation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<OrganisationIn>,
) -> ApiResult<Json<OrganisationOut>> {
    state
        .app
        .update_organisation(
            signed_in(&actor)?,
            &body.name,
            &body.description,
            body.time_zone.as_deref(),
        )
        .await?;
    get_organisation(State(state)).await
}

#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    items: Vec<AccountOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next: Option<i64>,
}

/// All accounts, in id order (admins).
#[utoipa::path(get, path = "/api/v1/members", tag = "members", params(Cursor),
    responses((status = 200, body = MemberPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_members(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(page): ApiQuery<Cursor>,
) -> ApiResult<Json<MemberPage>> {
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let members = state
        .app
        .members(signed_in(&actor)?, page.cursor.unwrap_or(0), limit)
        .await?;
    Ok(Json(MemberPage {
        next: next_cursor(&members, limit, |a| a.id),
        items: members.iter().map(AccountOut::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessIn {
    kind: AccountKind,
    role: OrgRole,
}

/// Changes an account's kind and role (admins). The last admin cannot be demoted.
#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "members", params(("id" = i64, Path)), request_body = AccessIn,
    responses((status = 200, body = AccountOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn update_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AccessIn>,
) -> ApiResult<Json<AccountOut>> {
    let account = state
        .app
        .set_member_access(signed_in(&actor)?, id, body.role, body.kind)
        .await?;
    Ok(Json(AccountOut::from(&account)))
}

#[derive(Serialize, ToSchema)]
pub struct InvitationOut {
    id: i64,
    email: String,
    kind: AccountKind,
    role: OrgRole,
    created_at: String,
    expires_at: String,
    accepted_at: Option<String>,
}

impl From<&Invitation> for InvitationOut {
    fn from(i: &Invitation) -> Self {
        Self {
            id: i.id,
            email: i.email.clone(),
            kind: i.kind,
            role: i.role,
            created_at: i.created_at.to_rfc3339(),
            expires_at: i.expires_at.to_rfc3339(),
            accepted_at: i.accepted_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// Invitations, newest first (admins).
#[utoipa::path(get, path = "/api/v1/invitations", tag = "members",
    responses((status = 200, body = Vec<InvitationOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn list_invitations(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> ApiResult<Json<Vec<InvitationOut>>> {
    let invitations = state.app.invitations(signed_in(&actor)?).await?;
    Ok(Json(invitations.iter().map(InvitationOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationIn {
    email: String,
    kind: AccountKind,
    role: OrgRole,
}

/// Invites someone by e-mail (admins); the link works once, for 7 days.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "members", request_body = InvitationIn,
    responses((status = 201, body = InvitationOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn create_invitation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiJson(body): ApiJson<InvitationIn>,
) -> ApiResult<Response> {
    let invitation = state
        .app
        .invite(signed_in(&actor)?, &body.email, body.kind, body.role)
        .await?;
    Ok((StatusCode::CREATED, Json(InvitationOut::from(&invitation))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    id: i64,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    action: String,
    target: String,
    detail: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    items: Vec<AuditOut>,
    next: Option<i64>,
}

/// The audit log, newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "members", params(Cursor),
    responses((status = 200, body = AuditPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn audit_log(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(page): ApiQuery<Cursor>,
) -> ApiResult<Json<AuditPage>> {
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let entries = state
        .app
        .audit_log(signed_in(&actor)?, page.cursor.unwrap_or(i64::MAX), limit)
        .await?;
    Ok(Json(AuditPage {
        next: next_cursor(&entries, limit, |e: &AuditEntry| e.id),
        items: entries
            .into_iter()
            .map(|e| AuditOut {
                id: e.id,
                actor_id: e.actor_id,
                actor_name: e.actor_name,
                action: e.action,
                target: e.target,
                detail: e.detail,
                created_at: e.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MailOut {
    id: i64,
    to_address: String,
    subject: String,
    body: String,
    /// pending, sent, logged (no SMTP configured) or dead (gave up).
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct OutboxPage {
    items: Vec<MailOut>,
    next: Option<i64>,
}

/// The mail outbox, newest first (admins).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "members", params(Cursor),
    responses((status = 200, body = OutboxPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn outbox(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    ApiQuery(page): ApiQuery<Cursor>,
) -> ApiResult<Json<OutboxPage>> {
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let mails = state
        .app
        .outbox(signed_in(&actor)?, page.cursor.unwrap_or(i64::MAX), limit)
        .await?;
    Ok(Json(OutboxPage {
        next: next_cursor(&mails, limit, |m: &OutboxMail| m.id),
        items: mails
            .into_iter()
            .map(|m| MailOut {
                id: m.id,
                to_address: m.to_address,
                subject: m.subject,
                body: m.body,
                status: m.status.as_str().to_owned(),
                attempts: m.attempts,
                last_error: m.last_error,
                created_at: m.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}
