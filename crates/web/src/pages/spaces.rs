//! The home page, spaces and their members, and a space's page with its challenges and ideas.

use super::*;

#[derive(Template)]
#[template(path = "home.html")]
pub(super) struct HomePage {
    pub(super) layout: Layout,
    pub(super) description: String,
    pub(super) spaces: Vec<SpaceView>,
}

pub(super) async fn home(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(done): Query<Done>,
) -> PageResult {
    let mut layout = layout(&state, actor.get()).await?;
    layout.notice = notice_for(done.done.as_deref());
    let description = state.app.organisation().await?.description;
    let spaces = state.app.spaces(actor.get()).await?;
    ok(&HomePage {
        layout,
        description,
        spaces,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct SpaceFields {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) slug: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) audience: String,
}

impl SpaceFields {
    pub(super) fn input(&self) -> Result<SpaceInput<'_>, AppError> {
        Ok(SpaceInput {
            name: &self.name,
            slug: &self.slug,
            description: &self.description,
            audience: self.audience.parse::<Audience>()?,
        })
    }
}

#[derive(Template)]
#[template(path = "spaces.html")]
pub(super) struct SpacesPage {
    pub(super) layout: Layout,
    pub(super) spaces: Vec<SpaceView>,
    pub(super) can_create: bool,
    pub(super) audiences: &'static [Audience],
    pub(super) form: SpaceFields,
    pub(super) error: FormError,
}

pub(super) async fn spaces_page(
    state: &WebState,
    actor: Option<&Actor>,
    form: SpaceFields,
    error: FormError,
) -> PageResult {
    let page = SpacesPage {
        layout: layout(state, actor).await?,
        spaces: state.app.spaces(actor).await?,
        can_create: actor.is_some_and(|a| a.may(Action::CreateSpace)),
        audiences: Audience::ALL,
        form,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn spaces(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
) -> PageResult {
    let form = SpaceFields {
        audience: Audience::Public.as_str().into(),
        ..SpaceFields::default()
    };
    spaces_page(&state, actor.get(), form, FormError::default()).await
}

pub(super) async fn create_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    PageForm(form): PageForm<SpaceFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = match form.input() {
        Ok(input) => state.app.create_space(actor, &input).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(space) => Ok(Redirect::to(&format!("/spaces/{}", space.slug)).into_response()),
        Err(error) => spaces_page(&state, Some(actor), form, FormError::from_app(error)?).await,
    }
}

pub(super) async fn update_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<SpaceFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let result = match form.input() {
        Ok(input) => state
            .app
            .update_space(actor, &slug, &input)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{slug}?done=saved")).into_response()),
        Err(error) => space_page_refused(&state, actor, &slug, FormError::from_app(error)?).await,
    }
}

pub(super) async fn add_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<AccountFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.add_space_member(actor, &slug, &form.email).await {
        Ok(_) => Ok(Redirect::to(&format!("/spaces/{slug}?done=saved")).into_response()),
        Err(error) => space_page_refused(&state, actor, &slug, FormError::from_app(error)?).await,
    }
}

pub(super) async fn remove_member(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((slug, id)): Path<(String, i64)>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.remove_space_member(actor, &slug, id).await?;
    Ok(Redirect::to(&format!("/spaces/{slug}?done=saved")).into_response())
}

/// The list parameters of a space or challenge page.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    pub(super) sort: Option<String>,
    pub(super) stage: Option<String>,
    pub(super) tag: Option<String>,
    pub(super) cursor: Option<String>,
    pub(super) done: Option<String>,
}

impl ListQuery {
    pub(super) fn filter(&self, challenge_id: Option<i64>) -> Result<IdeaFilter, AppError> {
        let stage = match self.stage.as_deref().filter(|s| !s.is_empty()) {
            Some(stage) => Some(stage.parse::<Stage>()?),
            None => None,
        };
        Ok(IdeaFilter {
            challenge_id,
            stage,
            tag: self.tag.clone().filter(|t| !t.trim().is_empty()),
            order: ListOrder::parse(self.sort.as_deref().unwrap_or(""))?,
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
        })
    }
}

/// The idea list as a page shows it, with the links that keep its filters.
pub struct IdeaList {
    pub base: String,
    pub order: ListOrder,
    pub orders: [ListOrder; 4],
    pub stage: String,
    pub tag: String,
    /// `&stage=…&tag=…`, already escaped for a URL.
    pub filter_query: String,
    pub stages: &'static [Stage],
    pub page: IdeaPage,
    /// This very page of the list, for a form on a card to return to.
    pub here: String,
}

pub(super) fn url_escape(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl IdeaList {
    pub(super) fn new(base: String, filter: &IdeaFilter, page: IdeaPage) -> Self {
        let stage = filter
            .stage
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        let tag = filter.tag.clone().unwrap_or_default();
        let mut filter_query = String::new();
        if !stage.is_empty() {
            filter_query.push_str(&format!("&stage={}", url_escape(&stage)));
        }
        if !tag.is_empty() {
            filter_query.push_str(&format!("&tag={}", url_escape(&tag)));
        }
        let mut here = format!("{base}?sort={}{filter_query}", filter.order.as_str());
        if let Some(cursor) = &filter.cursor {
            here.push_str(&format!("&cursor={}", url_escape(cursor)));
        }
        Self {
            here,
            base,
            order: filter.order,
            orders: ListOrder::ALL,
            stage,
            tag,
            filter_query,
            stages: Stage::ALL,
            page,
        }
    }

    /// Where a card's support button posts: the idea's support, then back to this page.
    pub fn support_action(&self, idea_id: i64) -> String {
        format!("/ideas/{idea_id}/support?back={}", url_escape(&self.here))
    }
}

#[derive(Template)]
#[template(path = "space.html")]
pub(super) struct SpacePage {
    pub(super) layout: Layout,
    pub(super) view: SpaceView,
    pub(super) challenges: Vec<Challenge>,
    pub(super) list: IdeaList,
    pub(super) propose: ProposeForm,
    pub(super) challenge_form: ChallengeForm,
    pub(super) members: Vec<Account>,
    pub(super) audiences: &'static [Audience],
    pub(super) error: FormError,
}

/// What a space page shows besides its defaults: a refused form, kept as typed.
#[derive(Default)]
pub(super) struct SpaceForms {
    pub(super) error: FormError,
    pub(super) idea: Option<IdeaFields>,
    pub(super) challenge: Option<ChallengeFields>,
}

pub(super) async fn space_page(
    state: &WebState,
    actor: Option<&Actor>,
    slug: &str,
    query: &ListQuery,
    forms: SpaceForms,
) -> PageResult {
    let filter = query.filter(None)?;
    let contents = state.app.space_page(actor, slug, &filter).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice_for(query.done.as_deref());
    let idea_error = if forms.idea.is_some() {
        forms.error.clone()
    } else {
        FormError::default()
    };
    let challenge_error = if forms.challenge.is_some() {
        forms.error.clone()
    } else {
        FormError::default()
    };
    let page = SpacePage {
        challenges: contents.challenges,
        list: IdeaList::new(format!("/spaces/{slug}"), &filter, contents.ideas),
        propose: ProposeForm::new(
            format!("/spaces/{slug}/ideas"),
            slug,
            None,
            forms.idea.unwrap_or_default(),
            idea_error,
        ),
        challenge_form: ChallengeForm::new(
            format!("/spaces/{slug}/challenges"),
            "Create challenge",
            forms.challenge.unwrap_or_default(),
            challenge_error,
        ),
        layout,
        view: contents.view,
        members: contents.members,
        audiences: Audience::ALL,
        error: forms.error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

/// The space page again after a refused space or member form.
pub async fn space_page_refused(
    state: &WebState,
    actor: &Actor,
    slug: &str,
    error: FormError,
) -> PageResult {
    space_page(
        state,
        Some(actor),
        slug,
        &ListQuery::default(),
        SpaceForms {
            error,
            ..SpaceForms::default()
        },
    )
    .await
}

pub async fn space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    space_page(&state, actor.get(), &slug, &query, SpaceForms::default()).await
}

pub(super) fn idea_input(fields: &IdeaFields, challenge_id: Option<i64>) -> IdeaInput<'_> {
    IdeaInput {
        title: &fields.title,
        body: &fields.body,
        tags: &fields.tags,
        challenge_id,
        publish: fields.publish != "no",
    }
}

pub(super) async fn propose_in_space(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(fields): PageForm<IdeaFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .propose_idea(actor, &slug, &idea_input(&fields, fields.challenge_id))
        .await
    {
        Ok(idea) => Ok(Redirect::to(&format!("/ideas/{}", idea.id)).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: Some(fields),
                challenge: None,
            };
            space_page(&state, Some(actor), &slug, &ListQuery::default(), forms).await
        }
    }
}
