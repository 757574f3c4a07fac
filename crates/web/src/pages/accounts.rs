//! Account pages: signing up, in and out, password resets, address changes, the profile with its API tokens, and accepting an invitation.

use super::*;

#[derive(Template)]
#[template(path = "account_form.html")]
pub(super) struct AccountForm {
    pub(super) layout: Layout,
    pub(super) heading: &'static str,
    pub(super) intro: Option<&'static str>,
    pub(super) action: String,
    pub(super) submit: &'static str,
    pub(super) show_name: bool,
    pub(super) show_email: bool,
    pub(super) show_password: bool,
    pub(super) password_autocomplete: &'static str,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) error: FormError,
    /// Where signing in or up returns to: a path of this site.
    pub(super) next: Option<String>,
}

impl AccountForm {
    /// `?next=…` for the links between the sign-in and sign-up pages, or nothing.
    fn next_query(&self) -> String {
        self.next.as_deref().map_or_else(String::new, |next| {
            format!(
                "?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
            )
        })
    }

    pub(super) fn signup(layout: Layout) -> Self {
        Self {
            layout,
            heading: "Create your account",
            intro: None,
            action: "/signup".into(),
            submit: "Sign up",
            show_name: true,
            show_email: true,
            show_password: true,
            password_autocomplete: "new-password",
            name: String::new(),
            email: String::new(),
            error: FormError::default(),
            next: None,
        }
    }

    pub(super) fn signin(layout: Layout) -> Self {
        Self {
            heading: "Sign in",
            action: "/signin".into(),
            submit: "Sign in",
            show_name: false,
            password_autocomplete: "current-password",
            ..Self::signup(layout)
        }
    }

    pub(super) fn reset_request(layout: Layout) -> Self {
        Self {
            heading: "Reset your password",
            intro: Some(
                "Type your account's e-mail address; we send a link to choose a new password.",
            ),
            action: "/reset".into(),
            submit: "Send link",
            show_name: false,
            show_password: false,
            ..Self::signup(layout)
        }
    }

    pub(super) fn reset(layout: Layout, token: &str) -> Self {
        Self {
            heading: "Choose a new password",
            intro: Some("All your sessions will be signed out and you will be signed in here."),
            action: format!("/reset/{token}"),
            submit: "Set password",
            show_name: false,
            show_email: false,
            ..Self::signup(layout)
        }
    }

    pub(super) fn with_error(mut self, error: FormError) -> Self {
        self.error = error;
        self
    }
}

#[derive(Deserialize)]
pub(super) struct AccountFields {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) password: String,
    /// Where to return after signing in or up.
    #[serde(default)]
    pub(super) next: String,
}

#[derive(Deserialize)]
pub(super) struct ReturnTo {
    next: Option<String>,
}

/// Where to return after signing in: the page asked for (`?next=`), else the page of this site
/// the person came from; never another site, and never an account page.
fn return_to(state: &WebState, headers: &HeaderMap, asked: Option<&str>) -> Option<String> {
    match asked {
        Some(asked) => local_path(asked),
        None => came_from(state, headers),
    }
}

pub(super) async fn signup_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    headers: HeaderMap,
    Query(asked): Query<ReturnTo>,
) -> PageResult {
    ok(&AccountForm {
        next: return_to(&state, &headers, asked.next.as_deref()),
        ..AccountForm::signup(layout(&state, actor.get()).await?)
    })
}

pub(super) async fn signup(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let input = AccountInput {
        email: &form.email,
        name: &form.name,
        password: &form.password,
    };
    let next = local_path(&form.next);
    match state.app.sign_up(&input).await {
        Ok(signed_in) => {
            let to = next.as_deref().unwrap_or("/?done=welcome");
            Ok(signed_in_redirect(&state, &signed_in, to))
        }
        Err(error) => {
            let page = AccountForm {
                name: form.name,
                email: form.email,
                next,
                ..AccountForm::signup(layout(&state, actor.get()).await?)
            };
            refused(&page.with_error(FormError::from_app(error)?))
        }
    }
}

pub(super) async fn signin_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    headers: HeaderMap,
    Query(asked): Query<ReturnTo>,
) -> PageResult {
    ok(&AccountForm {
        next: return_to(&state, &headers, asked.next.as_deref()),
        ..AccountForm::signin(layout(&state, actor.get()).await?)
    })
}

pub(super) async fn signin(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let next = local_path(&form.next);
    match state.app.sign_in(&form.email, &form.password).await {
        Ok(signed_in) => {
            // A session that was already open is replaced, never reused (no fixation).
            if let Some(previous) = actor.get() {
                state.app.sign_out(previous).await?;
            }
            Ok(signed_in_redirect(
                &state,
                &signed_in,
                next.as_deref().unwrap_or("/"),
            ))
        }
        Err(error) => {
            let page = AccountForm {
                email: form.email,
                next,
                ..AccountForm::signin(layout(&state, actor.get()).await?)
            };
            let status_page = page.with_error(FormError::from_app(error)?);
            render(StatusCode::UNAUTHORIZED, &status_page)
        }
    }
}

pub(super) async fn signout(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    if let Some(actor) = actor.get() {
        state.app.sign_out(actor).await?;
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.cookie.clear());
    Ok(response)
}

#[derive(Template)]
#[template(path = "message.html")]
pub(super) struct MessagePage {
    pub(super) layout: Layout,
    pub(super) heading: &'static str,
    pub(super) text: String,
    pub(super) link: Option<(&'static str, &'static str)>,
}

pub(super) async fn reset_request_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    ok(&AccountForm::reset_request(
        layout(&state, actor.get()).await?,
    ))
}

pub(super) async fn reset_request(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let layout = layout(&state, actor.get()).await?;
    match state.app.request_password_reset(&form.email).await {
        Ok(()) => ok(&MessagePage {
            layout,
            heading: "Check your mail",
            text: format!(
                "If {} has an account, a link to choose a new password is on its way. It works once, within an hour.",
                form.email.trim()
            ),
            link: None,
        }),
        Err(error) => {
            let page = AccountForm {
                email: form.email,
                ..AccountForm::reset_request(layout)
            };
            refused(&page.with_error(FormError::from_app(error)?))
        }
    }
}

pub(super) async fn reset_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    ok(&AccountForm::reset(
        layout(&state, actor.get()).await?,
        &token,
    ))
}

pub(super) async fn reset(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    match state.app.reset_password(&token, &form.password).await {
        Ok(signed_in) => Ok(signed_in_redirect(
            &state,
            &signed_in,
            "/profile?done=password",
        )),
        Err(error) => {
            let page = AccountForm::reset(layout(&state, actor.get()).await?, &token);
            refused(&page.with_error(FormError::from_app(error)?))
        }
    }
}

pub(super) async fn email_confirm_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    ok(&ConfirmPage {
        layout: layout(&state, actor.get()).await?,
        heading: "Confirm your new e-mail address",
        text: "Press the button to start using this address for your account.",
        action: format!("/email/confirm/{token}"),
        submit: "Confirm address",
        back: None,
        destructive: false,
    })
}

pub(super) async fn email_confirm(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    let layout = layout(&state, actor.get()).await?;
    match state.app.confirm_email_change(&token).await {
        Ok(email) => ok(&MessagePage {
            layout,
            heading: "Address confirmed",
            text: format!("Your account now uses {email}."),
            link: Some(("/profile", "Go to your profile")),
        }),
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
pub(super) struct ProfilePage {
    pub(super) layout: Layout,
    pub(super) name: String,
    pub(super) handle: String,
    pub(super) email: String,
    pub(super) kind: AccountKind,
    pub(super) role: OrgRole,
    pub(super) tokens: Vec<ApiToken>,
    pub(super) new_token: Option<String>,
    pub(super) error: FormError,
}

pub(super) async fn profile_page(
    state: &WebState,
    actor: &Actor,
    notice: Option<&'static str>,
    error: FormError,
    new_token: Option<String>,
) -> PageResult {
    let mut layout = layout(state, Some(actor)).await?;
    layout.notice = notice;
    let page = ProfilePage {
        layout,
        name: actor.name.clone(),
        handle: actor.handle.clone(),
        email: actor.email.clone(),
        kind: actor.kind,
        role: actor.role,
        tokens: state.app.api_tokens(actor).await?,
        new_token,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn profile(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require(&actor)?;
    profile_page(
        &state,
        actor,
        notice_for(done.done.as_deref()),
        FormError::default(),
        None,
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct PasswordFields {
    #[serde(default)]
    pub(super) current_password: String,
    #[serde(default)]
    pub(super) new_password: String,
}

pub(super) async fn change_password(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<PasswordFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .change_password(actor, &form.current_password, &form.new_password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/profile?done=password").into_response()),
        Err(error) => profile_page(&state, actor, None, FormError::from_app(error)?, None).await,
    }
}

pub(super) async fn change_email(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .request_email_change(actor, &form.email, &form.password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/profile?done=email-sent").into_response()),
        Err(error) => profile_page(&state, actor, None, FormError::from_app(error)?, None).await,
    }
}

pub(super) async fn create_token(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.create_api_token(actor, &form.name).await {
        // Shown in this response only; never stored or shown again.
        Ok(created) => {
            profile_page(
                &state,
                actor,
                None,
                FormError::default(),
                Some(created.secret),
            )
            .await
        }
        Err(error) => profile_page(&state, actor, None, FormError::from_app(error)?, None).await,
    }
}

pub(super) async fn revoke_token(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.revoke_api_token(actor, id).await?;
    Ok(Redirect::to("/profile?done=revoked").into_response())
}

#[derive(Template)]
#[template(path = "invitation.html")]
pub(super) struct InvitationPage {
    pub(super) layout: Layout,
    pub(super) invitation: InvitationView,
    pub(super) token: String,
    pub(super) signed_in: bool,
    pub(super) name: String,
    pub(super) error: FormError,
}

pub(super) async fn invitation_page(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
) -> PageResult {
    let invitation = state.app.invitation(&token).await?;
    ok(&InvitationPage {
        layout: layout(&state, actor.get()).await?,
        invitation,
        token,
        signed_in: actor.get().is_some(),
        name: String::new(),
        error: FormError::default(),
    })
}

pub(super) async fn accept_invitation(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(token): Path<String>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    match state
        .app
        .accept_invitation(&token, actor.get(), &form.name, &form.password)
        .await
    {
        Ok(signed_in) => {
            let notice = if actor.get().is_some() {
                "/?done=saved"
            } else {
                "/?done=welcome"
            };
            Ok(signed_in_redirect(&state, &signed_in, notice))
        }
        Err(error) => {
            let invitation = state.app.invitation(&token).await?;
            refused(&InvitationPage {
                layout: layout(&state, actor.get()).await?,
                invitation,
                token,
                signed_in: actor.get().is_some(),
                name: form.name,
                error: FormError::from_app(error)?,
            })
        }
    }
}
