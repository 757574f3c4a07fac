//! Erasing a member or a contact on their request: a page that asks for the reason and says
//! what erasing does, then the erasure.

use cocreate_store::TimelineSubject;

use super::*;

#[derive(Template)]
#[template(path = "erase.html")]
pub(super) struct ErasePage {
    pub(super) layout: Layout,
    pub(super) name: String,
    pub(super) action: String,
    pub(super) back: &'static str,
    pub(super) back_label: &'static str,
    pub(super) reason: String,
    pub(super) error: FormError,
}

#[derive(Deserialize)]
pub(super) struct ErasureFields {
    #[serde(default)]
    reason: String,
}

/// Where each kind of erasure is asked for and where it returns.
fn place(subject: TimelineSubject) -> (String, &'static str, &'static str, &'static str) {
    match subject {
        TimelineSubject::Account(id) => (
            format!("/admin/members/{id}/erase"),
            "/admin/members",
            "Members",
            "/admin/members?done=erased",
        ),
        TimelineSubject::Contact(id) => (
            format!("/customers/contacts/{id}/erase"),
            "/customers",
            "Customers",
            "/customers?done=erased",
        ),
    }
}

async fn erase_page(
    state: &WebState,
    actor: &Actor,
    subject: TimelineSubject,
    reason: String,
    error: FormError,
) -> PageResult {
    let customer = state.app.erasure_subject(actor, subject).await?;
    let (action, back, back_label, _) = place(subject);
    let page = ErasePage {
        layout: layout(state, Some(actor)).await?,
        name: customer.display_name().to_owned(),
        action,
        back,
        back_label,
        reason,
        error,
    };
    if page.error.message.is_some() {
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        ok(&page)
    }
}

async fn erase(
    state: &WebState,
    actor: &CurrentActor,
    subject: TimelineSubject,
    fields: ErasureFields,
) -> PageResult {
    let actor = require(actor)?;
    let result = match subject {
        TimelineSubject::Account(id) => state.app.erase_account(actor, id, &fields.reason).await,
        TimelineSubject::Contact(id) => state.app.erase_contact(actor, id, &fields.reason).await,
    };
    match result {
        Ok(_) => Ok(Redirect::to(place(subject).3).into_response()),
        Err(error) => {
            erase_page(
                state,
                actor,
                subject,
                fields.reason,
                FormError::from_app(error)?,
            )
            .await
        }
    }
}

pub(super) async fn erase_member_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    erase_page(
        &state,
        actor,
        TimelineSubject::Account(id),
        String::new(),
        FormError::default(),
    )
    .await
}

pub(super) async fn erase_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<ErasureFields>,
) -> PageResult {
    erase(&state, &actor, TimelineSubject::Account(id), fields).await
}

pub(super) async fn erase_contact_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    erase_page(
        &state,
        actor,
        TimelineSubject::Contact(id),
        String::new(),
        FormError::default(),
    )
    .await
}

pub(super) async fn erase_contact(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<ErasureFields>,
) -> PageResult {
    erase(&state, &actor, TimelineSubject::Contact(id), fields).await
}
