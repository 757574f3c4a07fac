//! Possible duplicates: a space's queue of ideas much alike, a pair side by side, and deciding
//! on it (staff).

use cocreate_app::{DuplicateComparison, DuplicateQueue};
use cocreate_store::Idea;

use super::*;

#[derive(Template)]
#[template(path = "duplicates.html")]
pub(super) struct DuplicatesPage {
    pub(super) layout: Layout,
    pub(super) queue: DuplicateQueue,
    pub(super) after: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct QueuePage {
    after: Option<String>,
    done: Option<String>,
}

pub(super) async fn duplicates(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(page): Query<QueuePage>,
) -> PageResult {
    let actor = require(&actor)?;
    let queue = state
        .app
        .duplicate_queue(actor, &slug, page.after.as_deref())
        .await?;
    let mut layout = layout(&state, Some(actor)).await?;
    layout.notice = notice_for(page.done.as_deref());
    ok(&DuplicatesPage {
        layout,
        queue,
        after: page.after,
    })
}

#[derive(Template)]
#[template(path = "duplicate.html")]
pub(super) struct DuplicatePage {
    pub(super) layout: Layout,
    pub(super) view: DuplicateComparison,
    pub(super) error: FormError,
}

impl DuplicatePage {
    pub(super) fn may_merge(from: &Idea, into: &Idea) -> bool {
        DuplicateComparison::may_merge(from, into)
    }

    /// Each idea with the other, and the id of its heading.
    pub(super) fn sides(&self) -> [(&Idea, &Idea, &'static str); 2] {
        let (first, second) = (&self.view.first, &self.view.second);
        [
            (first, second, "first-idea"),
            (second, first, "second-idea"),
        ]
    }
}

async fn duplicate_page(state: &WebState, actor: &Actor, id: i64, error: FormError) -> PageResult {
    let page = DuplicatePage {
        layout: layout(state, Some(actor)).await?,
        view: state.app.duplicate_comparison(actor, id).await?,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn duplicate(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    duplicate_page(&state, actor, id, FormError::default()).await
}

#[derive(Deserialize)]
pub(super) struct MergeForm {
    keep_idea_id: i64,
    rationale: String,
}

pub(super) async fn merge_duplicate(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<MergeForm>,
) -> PageResult {
    let actor = require(&actor)?;
    let merged = state
        .app
        .merge_duplicate(actor, id, form.keep_idea_id, &form.rationale)
        .await;
    after_decision(&state, actor, id, merged.map(|_| "duplicate-merged")).await
}

pub(super) async fn dismiss_duplicate(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = require(&actor)?;
    let dismissed = state.app.dismiss_duplicate(actor, id).await;
    after_decision(&state, actor, id, dismissed.map(|_| "duplicate-dismissed")).await
}

/// Back to the queue with what happened, or the pair again with what went wrong.
async fn after_decision(
    state: &WebState,
    actor: &Actor,
    id: i64,
    decided: Result<&str, AppError>,
) -> PageResult {
    match decided {
        Ok(done) => {
            let view = state.app.duplicate_comparison(actor, id).await?;
            let slug = &view.space.space.slug;
            Ok(Redirect::to(&format!("/spaces/{slug}/duplicates?done={done}")).into_response())
        }
        Err(error) => duplicate_page(state, actor, id, FormError::from_app(error)?).await,
    }
}
