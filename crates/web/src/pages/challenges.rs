//! Challenges: creating and editing one, its page, and proposing ideas to it.

use super::*;

#[derive(Deserialize, Default, Clone)]
pub struct ChallengeFields {
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) problem: String,
    #[serde(default)]
    pub(super) questions: String,
    #[serde(default)]
    pub(super) tags: String,
    #[serde(default)]
    pub(super) tiers: String,
    #[serde(default)]
    pub(super) opens_at: String,
    #[serde(default)]
    pub(super) closes_at: String,
}

impl ChallengeFields {
    pub(super) fn input(&self) -> ChallengeInput<'_> {
        ChallengeInput {
            title: &self.title,
            problem: &self.problem,
            questions: &self.questions,
            tags: &self.tags,
            tiers: &self.tiers,
            opens_at: &self.opens_at,
            closes_at: &self.closes_at,
        }
    }

    /// The form as the challenge was saved: its first and last days in the organisation's zone.
    pub(super) fn of(challenge: &Challenge, zone: cocreate_core::TimeZone) -> Self {
        Self {
            title: challenge.title.clone(),
            problem: challenge.problem.clone(),
            questions: challenge.questions.clone(),
            tags: challenge.tags.clone(),
            tiers: challenge.tiers.clone(),
            opens_at: challenge
                .opens_at
                .map(|t| zone.day_of(t))
                .unwrap_or_default(),
            closes_at: challenge
                .closes_at
                .map(|t| zone.last_day_before(t))
                .unwrap_or_default(),
        }
    }
}

pub struct ChallengeForm {
    pub action: String,
    pub submit: &'static str,
    pub title: String,
    pub problem: String,
    pub questions: String,
    pub tags: String,
    pub tiers: String,
    pub opens_at: String,
    pub closes_at: String,
    pub error: FormError,
}

impl ChallengeForm {
    pub(super) fn new(
        action: String,
        submit: &'static str,
        fields: ChallengeFields,
        error: FormError,
    ) -> Self {
        Self {
            action,
            submit,
            title: fields.title,
            problem: fields.problem,
            questions: fields.questions,
            tags: fields.tags,
            tiers: fields.tiers,
            opens_at: fields.opens_at,
            closes_at: fields.closes_at,
            error,
        }
    }
}

pub(super) async fn create_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    PageForm(fields): PageForm<ChallengeFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .create_challenge(actor, &slug, &fields.input())
        .await
    {
        Ok(challenge) => Ok(Redirect::to(&format!("/challenges/{}", challenge.id)).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: None,
                challenge: Some(fields),
            };
            space_page(&state, Some(actor), &slug, &ListQuery::default(), forms).await
        }
    }
}

#[derive(Template)]
#[template(path = "challenge.html")]
pub(super) struct ChallengePage {
    pub(super) layout: Layout,
    pub(super) view: SpaceView,
    pub(super) challenge: Challenge,
    pub(super) questions: Vec<String>,
    pub(super) is_open: bool,
    pub(super) list: IdeaList,
    pub(super) propose: ProposeForm,
    pub(super) challenge_form: ChallengeForm,
    pub(super) thread: Thread,
    pub(super) thread_path: String,
    /// Comments not deleted.
    pub(super) comment_count: usize,
    pub(super) error: FormError,
}

pub(super) async fn challenge_page(
    state: &WebState,
    actor: Option<&Actor>,
    id: i64,
    query: &ListQuery,
    forms: SpaceForms,
) -> PageResult {
    let filter = query.filter(Some(id))?;
    let (view, challenge, page) = state.app.challenge_page(actor, &filter).await?;
    let thread = state.app.thread(actor, Subject::Challenge(id)).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice_for(query.done.as_deref());
    let now = state.app.now();
    let is_open = challenge.is_open(now);
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
    let page = ChallengePage {
        comment_count: thread
            .comments
            .iter()
            .filter(|c| c.comment.deleted_at.is_none())
            .count(),
        thread,
        thread_path: Subject::Challenge(id).path(),
        questions: challenge.questions.lines().map(str::to_owned).collect(),
        is_open,
        list: IdeaList::new(format!("/challenges/{id}"), &filter, page),
        propose: ProposeForm::new(
            format!("/challenges/{id}/ideas"),
            &view.space.slug,
            Some(&challenge),
            forms.idea.unwrap_or_default(),
            idea_error,
        ),
        challenge_form: ChallengeForm::new(
            format!("/challenges/{id}"),
            "Save challenge",
            forms
                .challenge
                .unwrap_or_else(|| ChallengeFields::of(&challenge, layout.zone)),
            challenge_error,
        ),
        layout,
        view,
        challenge,
        error: forms.error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    challenge_page(&state, actor.get(), id, &query, SpaceForms::default()).await
}

pub(super) async fn update_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<ChallengeFields>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.update_challenge(actor, id, &fields.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/challenges/{id}?done=saved")).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: None,
                challenge: Some(fields),
            };
            challenge_page(&state, Some(actor), id, &ListQuery::default(), forms).await
        }
    }
}

pub(super) async fn propose_in_challenge(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<IdeaFields>,
) -> PageResult {
    let actor = require(&actor)?;
    let (view, _) = state.app.challenge(Some(actor), id).await?;
    match state
        .app
        .propose_idea(actor, &view.space.slug, &idea_input(&fields, Some(id)))
        .await
    {
        Ok(idea) => Ok(Redirect::to(&format!("/ideas/{}", idea.id)).into_response()),
        Err(error) => {
            let forms = SpaceForms {
                error: FormError::from_app(error)?,
                idea: Some(fields),
                challenge: None,
            };
            challenge_page(&state, Some(actor), id, &ListQuery::default(), forms).await
        }
    }
}
