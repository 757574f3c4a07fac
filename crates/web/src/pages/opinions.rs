//! Opinions: a challenge's statements with a vote on each, and the opinion groups (with a map of
//! where people stand) their votes form.

use cocreate_app::{OpinionGroupsView, OpinionsView};
use cocreate_core::Opinion;

use super::*;

#[derive(Template)]
#[template(path = "opinions.html")]
pub(super) struct OpinionsPage {
    pub(super) layout: Layout,
    pub(super) view: OpinionsView,
    pub(super) opinions: &'static [Opinion],
    pub(super) body: String,
    pub(super) error: FormError,
}

#[derive(Deserialize, Default)]
pub(super) struct StatementForm {
    #[serde(default)]
    pub(super) body: String,
}

#[derive(Deserialize)]
pub(super) struct VoteForm {
    pub(super) opinion: String,
}

async fn opinions_page(
    state: &WebState,
    actor: Option<&Actor>,
    id: i64,
    done: Option<&str>,
    form: StatementForm,
    error: FormError,
) -> PageResult {
    let view = state.app.opinions(actor, id).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice_for(done);
    let page = OpinionsPage {
        layout,
        view,
        opinions: Opinion::ALL,
        body: form.body,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn opinions(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> PageResult {
    let form = StatementForm::default();
    opinions_page(
        &state,
        actor.get(),
        id,
        done.done.as_deref(),
        form,
        FormError::default(),
    )
    .await
}

pub(super) async fn add_statement(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<StatementForm>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.add_statement(actor, id, &form.body).await {
        Ok(statement) => Ok(Redirect::to(&format!(
            "/challenges/{id}/opinions?done=statement#statement-{}",
            statement.id
        ))
        .into_response()),
        Err(error) => {
            let error = FormError::from_app(error)?;
            opinions_page(&state, Some(actor), id, None, form, error).await
        }
    }
}

pub(super) async fn vote(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<VoteForm>,
) -> PageResult {
    let actor = require(&actor)?;
    let opinion = form.opinion.parse::<Opinion>().map_err(AppError::from)?;
    let statement = state.app.vote_on_statement(actor, id, opinion).await?;
    Ok(Redirect::to(&format!(
        "/challenges/{}/opinions?done=voted#statement-{id}",
        statement.challenge_id
    ))
    .into_response())
}

/// A participant drawn on the opinion map, in the SVG's coordinates.
pub(super) struct Dot {
    pub(super) x: f64,
    pub(super) y: f64,
    /// `g1` … `g5`, or `left-out`.
    pub(super) class: String,
    pub(super) is_viewer: bool,
}

/// The side of the map's square, in SVG units, and its margin.
const MAP_SIDE: f64 = 300.0;
const MAP_MARGIN: f64 = 12.0;

#[derive(Template)]
#[template(path = "opinion_groups.html")]
pub(super) struct OpinionGroupsPage {
    pub(super) layout: Layout,
    pub(super) view: OpinionGroupsView,
    pub(super) dots: Vec<Dot>,
    /// The viewer's group's number, when they are in one.
    pub(super) your_group: Option<usize>,
    /// Whether the viewer is on the map (voted) but in no group.
    pub(super) you_left_out: bool,
}

impl OpinionGroupsPage {
    pub(super) fn percent(share: &f64) -> String {
        format!("{:.0}%", share * 100.0)
    }
}

/// The map's dots, scaled to fill the square whatever the spread of positions.
pub(super) fn dots(view: &OpinionGroupsView) -> Vec<Dot> {
    let Ok(found) = &view.found else {
        return Vec::new();
    };
    let extent = found
        .map
        .iter()
        .flat_map(|point| point.at)
        .fold(0.0_f64, |most, v| most.max(v.abs()))
        .max(f64::EPSILON);
    let scale = (MAP_SIDE / 2.0 - MAP_MARGIN) / extent;
    found
        .map
        .iter()
        .map(|point| Dot {
            x: MAP_SIDE / 2.0 + point.at[0] * scale,
            y: MAP_SIDE / 2.0 - point.at[1] * scale,
            class: point
                .group
                .map_or_else(|| "left-out".to_owned(), |g| format!("g{}", g + 1)),
            is_viewer: point.is_viewer,
        })
        .collect()
}

pub(super) async fn opinion_groups(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = actor.get();
    let view = state.app.opinion_groups(actor, id).await?;
    let viewer = view
        .found
        .as_ref()
        .ok()
        .and_then(|found| found.map.iter().find(|point| point.is_viewer));
    let page = OpinionGroupsPage {
        layout: layout(&state, actor).await?,
        dots: dots(&view),
        your_group: viewer.and_then(|point| point.group).map(|g| g + 1),
        you_left_out: viewer.is_some_and(|point| point.group.is_none()),
        view,
    };
    ok(&page)
}
