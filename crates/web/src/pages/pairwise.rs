//! Pairwise ranking: "which of these two ideas?" for a challenge, and its ideas by pairwise score.

use cocreate_app::{PairwiseRanking, PairwiseView};
use cocreate_core::PairPick;

use super::*;

/// Characters of an idea's text shown beside its title.
const EXCERPT_CHARS: usize = 280;

#[derive(Template)]
#[template(path = "pairwise.html")]
pub(super) struct PairwisePage {
    pub(super) layout: Layout,
    pub(super) view: PairwiseView,
    pub(super) error: FormError,
}

impl PairwisePage {
    pub(super) fn excerpt(body: &str) -> String {
        let mut chars = body.chars();
        let shown: String = chars.by_ref().take(EXCERPT_CHARS).collect();
        if chars.next().is_some() {
            format!("{}…", shown.trim_end())
        } else {
            shown
        }
    }
}

#[derive(Deserialize)]
pub(super) struct PairForm {
    pub(super) first_idea_id: i64,
    pub(super) second_idea_id: i64,
    pub(super) pick: String,
}

async fn pairwise_page(
    state: &WebState,
    actor: Option<&Actor>,
    id: i64,
    done: Option<&str>,
    error: FormError,
) -> PageResult {
    let view = state.app.pairwise(actor, id).await?;
    let mut layout = layout(state, actor).await?;
    layout.notice = notice_for(done);
    let page = PairwisePage {
        layout,
        view,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn pairwise(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> PageResult {
    pairwise_page(
        &state,
        actor.get(),
        id,
        done.done.as_deref(),
        FormError::default(),
    )
    .await
}

pub(super) async fn answer_pair(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<PairForm>,
) -> PageResult {
    let actor = require(&actor)?;
    let answered = match form.pick.parse::<PairPick>() {
        Ok(pick) => {
            state
                .app
                .answer_pair(actor, id, form.first_idea_id, form.second_idea_id, pick)
                .await
        }
        Err(invalid) => Err(invalid.into()),
    };
    match answered {
        Ok(()) => {
            Ok(Redirect::to(&format!("/challenges/{id}/pairwise?done=compared")).into_response())
        }
        Err(error) => {
            let error = FormError::from_app(error)?;
            pairwise_page(&state, Some(actor), id, None, error).await
        }
    }
}

#[derive(Template)]
#[template(path = "pairwise_ranking.html")]
pub(super) struct PairwiseRankingPage {
    pub(super) layout: Layout,
    pub(super) view: PairwiseRanking,
}

impl PairwiseRankingPage {
    pub(super) fn whole(value: &f64) -> String {
        format!("{value:.0}")
    }
}

pub(super) async fn pairwise_ranking(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = actor.get();
    let page = PairwiseRankingPage {
        layout: layout(&state, actor).await?,
        view: state.app.pairwise_ranking(actor, id).await?,
    };
    ok(&page)
}
