//! A space's themes, one theme with its texts, and staff naming, pinning and merging them.

use cocreate_app::{ThemeView, ThemesView};
use cocreate_store::{ThemeFigures, ThemeRecord, WrittenText};

use super::*;

/// Helpers the theme templates share.
pub(super) struct ThemeText;

impl ThemeText {
    pub(super) fn name(theme: &ThemeRecord) -> String {
        cocreate_app::theme_name(theme)
    }

    /// "rising: 12 in the last 30 days, 4 in the 30 before".
    pub(super) fn trend(figures: &ThemeFigures) -> String {
        format!(
            "{}: {} in the last 30 days, {} in the 30 before",
            cocreate_app::trend(figures),
            figures.recent,
            figures.earlier
        )
    }

    pub(super) fn sentiment(figures: &ThemeFigures) -> String {
        match figures.sentiment {
            Some(thousandths) => format!("{:+.2}", thousandths as f64 / 1000.0),
            None => "–".to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "themes.html")]
pub(super) struct ThemesPage {
    pub(super) layout: Layout,
    pub(super) view: ThemesView,
}

impl ThemesPage {
    pub(super) fn excerpt(text: &str) -> String {
        cocreate_app::excerpt(text)
    }

    pub(super) fn fresh_for_minutes() -> i64 {
        cocreate_app::THEMES_FRESH_FOR_MILLIS / 60_000
    }
}

pub(super) async fn themes(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require(&actor)?;
    let view = state.app.space_themes(actor, &slug).await?;
    let mut layout = layout(&state, Some(actor)).await?;
    layout.notice = notice_for(done.done.as_deref());
    ok(&ThemesPage { layout, view })
}

pub(super) async fn refresh_themes(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> PageResult {
    let actor = require(&actor)?;
    state.app.request_themes_refresh(actor, &slug).await?;
    Ok(Redirect::to(&format!("/spaces/{slug}/themes?done=themes-refreshing")).into_response())
}

#[derive(Template)]
#[template(path = "theme.html")]
pub(super) struct ThemePage {
    pub(super) layout: Layout,
    pub(super) view: ThemeView,
    pub(super) error: FormError,
    /// The name as typed, when it was refused.
    pub(super) typed_label: Option<String>,
}

impl ThemePage {
    pub(super) fn link(text: &WrittenText) -> String {
        text_link(text)
    }

    pub(super) fn excerpt(text: &WrittenText) -> String {
        cocreate_app::excerpt(&text.text)
    }

    pub(super) fn label_value(&self) -> &str {
        self.typed_label
            .as_deref()
            .or(self.view.theme.label.as_deref())
            .unwrap_or("")
    }
}

async fn theme_page(
    state: &WebState,
    actor: &Actor,
    id: i64,
    error: FormError,
    typed_label: Option<String>,
) -> PageResult {
    let page = ThemePage {
        layout: layout(state, Some(actor)).await?,
        view: state.app.theme_detail(actor, id).await?,
        error,
        typed_label,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

pub(super) async fn theme(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> PageResult {
    let actor = require(&actor)?;
    let mut layout = layout(&state, Some(actor)).await?;
    layout.notice = notice_for(done.done.as_deref());
    ok(&ThemePage {
        view: state.app.theme_detail(actor, id).await?,
        error: FormError::default(),
        typed_label: None,
        layout,
    })
}

#[derive(Deserialize)]
pub(super) struct EditThemeForm {
    label: String,
    /// The checkbox (present only when ticked).
    pinned: Option<String>,
}

pub(super) async fn edit_theme(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<EditThemeForm>,
) -> PageResult {
    let actor = require(&actor)?;
    match state
        .app
        .edit_theme(actor, id, &form.label, form.pinned.is_some())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/themes/{id}?done=theme-saved")).into_response()),
        Err(error) => {
            let error = FormError::from_app(error)?;
            theme_page(&state, actor, id, error, Some(form.label)).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct MergeThemeForm {
    into_theme_id: i64,
}

pub(super) async fn merge_theme(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<MergeThemeForm>,
) -> PageResult {
    let actor = require(&actor)?;
    match state.app.merge_theme(actor, id, form.into_theme_id).await {
        Ok(kept) => {
            Ok(Redirect::to(&format!("/themes/{}?done=theme-merged", kept.id)).into_response())
        }
        Err(error) => theme_page(&state, actor, id, FormError::from_app(error)?, None).await,
    }
}
