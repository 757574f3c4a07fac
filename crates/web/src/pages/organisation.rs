//! The admin area: the organisation's profile and logo, members and their access, invitations, the audit log and the mail outbox.

use super::*;

pub enum AdminBody {
    Organisation {
        name: String,
        description: String,
        time_zone: String,
    },
    Members {
        members: Vec<Account>,
        next: Option<i64>,
    },
    Invitations {
        invitations: Vec<Invitation>,
        form_email: String,
    },
    Audit {
        entries: Vec<AuditEntry>,
        next: Option<i64>,
    },
    Outbox {
        mails: Vec<OutboxMail>,
        next: Option<i64>,
    },
}

#[derive(Template)]
#[template(path = "admin.html")]
pub(super) struct AdminPage {
    pub(super) layout: Layout,
    pub(super) tab: &'static str,
    pub(super) body: AdminBody,
    pub(super) kinds: &'static [AccountKind],
    pub(super) roles: &'static [OrgRole],
    pub(super) error: FormError,
}

impl AdminBody {
    fn of_organisation(org: cocreate_store::Organisation) -> Self {
        Self::Organisation {
            name: org.name,
            description: org.description,
            time_zone: org.time_zone,
        }
    }
}

impl AdminPage {
    /// The zones an admin may pick for the organisation.
    fn time_zones(&self) -> impl Iterator<Item = &'static str> {
        cocreate_core::TimeZone::names()
    }

    /// The tab's name, for the page's title: each tab is its own entry in history and in tabs.
    fn tab_title(&self) -> &'static str {
        match self.tab {
            "members" => "Members",
            "invitations" => "Invitations",
            "audit" => "Audit log",
            "outbox" => "Outbox",
            _ => "Organisation",
        }
    }
}

pub(super) const PAGE_SIZE: i64 = 50;

pub(super) async fn admin_page(
    state: &WebState,
    actor: &Actor,
    tab: &'static str,
    body: AdminBody,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let mut layout = layout(state, Some(actor)).await?;
    layout.notice = notice;
    let page = AdminPage {
        layout,
        tab,
        body,
        kinds: AccountKind::ALL,
        roles: OrgRole::ALL,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

/// Admin pages do not exist for people the policy does not allow `action`.
pub(super) fn require_allowed(actor: &CurrentActor, action: Action) -> Result<&Actor, PageError> {
    actor
        .get()
        .filter(|a| a.may(action))
        .ok_or_else(|| PageError::Http(HttpError::not_found()))
}

pub(super) async fn admin_organisation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageOrganisation)?;
    let org = state.app.organisation().await?;
    let body = AdminBody::of_organisation(org);
    admin_page(
        &state,
        actor,
        "organisation",
        body,
        notice_for(done.done.as_deref()),
        FormError::default(),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct OrganisationFields {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) time_zone: String,
}

pub(super) async fn update_organisation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<OrganisationFields>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageOrganisation)?;
    match state
        .app
        .update_organisation(actor, &form.name, &form.description, Some(&form.time_zone))
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/organisation?done=saved").into_response()),
        Err(error) => {
            let body = AdminBody::Organisation {
                name: form.name,
                description: form.description,
                time_zone: form.time_zone,
            };
            admin_page(
                &state,
                actor,
                "organisation",
                body,
                None,
                FormError::from_app(error)?,
            )
            .await
        }
    }
}

pub(super) async fn upload_logo(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageOrganisation)?;
    let mut multipart = multipart.map_err(|e| {
        HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
    })?;
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
    })? {
        if field.name() == Some("logo") {
            let data = field.bytes().await.map_err(|e| {
                HttpError::bad_request(format!("the upload could not be read: {}", e.body_text()))
            })?;
            bytes = Some(data.to_vec());
        }
    }
    let upload = LogoUpload {
        bytes: bytes.unwrap_or_default(),
    };
    match state.app.set_organisation_logo(actor, Some(upload)).await {
        Ok(()) => Ok(Redirect::to("/admin/organisation?done=saved").into_response()),
        Err(error) => {
            let body = AdminBody::of_organisation(state.app.organisation().await?);
            admin_page(
                &state,
                actor,
                "organisation",
                body,
                None,
                FormError::from_app(error)?,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct PageQuery {
    pub(super) after: Option<i64>,
    pub(super) before: Option<i64>,
    pub(super) done: Option<String>,
}

pub(super) async fn admin_members(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageMembers)?;
    members_page(
        &state,
        actor,
        query.after.unwrap_or(0),
        notice_for(query.done.as_deref()),
        FormError::default(),
    )
    .await
}

pub(super) async fn members_page(
    state: &WebState,
    actor: &Actor,
    after: i64,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let members = state.app.members(actor, after, PAGE_SIZE).await?;
    let next = next_cursor(&members, PAGE_SIZE, |a| a.id);
    admin_page(
        state,
        actor,
        "members",
        AdminBody::Members { members, next },
        notice,
        error,
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct AccessFields {
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) role: String,
}

impl AccessFields {
    pub(super) fn parse(&self) -> Result<(AccountKind, OrgRole), AppError> {
        Ok((self.kind.parse()?, self.role.parse()?))
    }
}

pub(super) async fn update_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<AccessFields>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ManageMembers)?;
    let result = match form.parse() {
        Ok((kind, role)) => state
            .app
            .set_member_access(actor, id, role, kind)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/members?done=saved").into_response()),
        Err(error) => members_page(&state, actor, 0, None, FormError::from_app(error)?).await,
    }
}

pub(super) async fn admin_invitations(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::InviteMembers)?;
    invitations_page(
        &state,
        actor,
        String::new(),
        notice_for(done.done.as_deref()),
        FormError::default(),
    )
    .await
}

pub(super) async fn invitations_page(
    state: &WebState,
    actor: &Actor,
    form_email: String,
    notice: Option<&'static str>,
    error: FormError,
) -> PageResult {
    let invitations = state.app.invitations(actor).await?;
    admin_page(
        state,
        actor,
        "invitations",
        AdminBody::Invitations {
            invitations,
            form_email,
        },
        notice,
        error,
    )
    .await
}

pub(super) async fn invite(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccessFields>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::InviteMembers)?;
    let result = match form.parse() {
        Ok((kind, role)) => state
            .app
            .invite(actor, &form.email, kind, role)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/invitations?done=invited").into_response()),
        Err(error) => {
            invitations_page(&state, actor, form.email, None, FormError::from_app(error)?).await
        }
    }
}

pub(super) async fn admin_audit(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ReadAuditLog)?;
    let entries = state
        .app
        .audit_log(actor, query.before.unwrap_or(i64::MAX), PAGE_SIZE)
        .await?;
    let next = next_cursor(&entries, PAGE_SIZE, |e| e.id);
    admin_page(
        &state,
        actor,
        "audit",
        AdminBody::Audit { entries, next },
        None,
        FormError::default(),
    )
    .await
}

pub(super) async fn admin_outbox(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let actor = require_allowed(&actor, Action::ReadOutbox)?;
    let mails = state
        .app
        .outbox(actor, query.before.unwrap_or(i64::MAX), PAGE_SIZE)
        .await?;
    let next = next_cursor(&mails, PAGE_SIZE, |m| m.id);
    admin_page(
        &state,
        actor,
        "outbox",
        AdminBody::Outbox { mails, next },
        None,
        FormError::default(),
    )
    .await
}
