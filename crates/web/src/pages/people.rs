//! People's pages, where an `@handle` leads: who they are and the ideas they proposed.

use super::*;

#[derive(Template)]
#[template(path = "person.html")]
pub(super) struct PersonPage {
    pub(super) layout: Layout,
    pub(super) view: cocreate_app::PersonView,
}

impl PersonPage {
    /// How the person takes part, where it is more than as a customer.
    fn role_badge(&self) -> Option<&'static str> {
        match self.view.person.kind {
            AccountKind::Employee => Some("Team"),
            AccountKind::Partner => Some("Partner"),
            AccountKind::Customer => None,
        }
    }
}

pub(super) async fn person(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(handle): Path<String>,
    Query(query): Query<Before>,
) -> PageResult {
    let view = state.app.person(actor.get(), &handle, query.before).await?;
    ok(&PersonPage {
        layout: layout(&state, actor.get()).await?,
        view,
    })
}
