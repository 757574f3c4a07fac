//! A space's themes, one theme with its texts, and staff naming, pinning and merging them.

use cocreate_app::{ThemeView, ThemesView};
use cocreate_store::ThemeRecord;

use super::*;

#[derive(Serialize, ToSchema)]
pub struct ThemeOut {
    id: i64,
    /// Staff's name, or the theme's words.
    name: String,
    /// Staff's name, when given.
    label: Option<String>,
    pinned: bool,
    /// The words most distinctive of it, most distinctive first.
    terms: Vec<String>,
    /// Texts (ideas and comments) in it.
    items: i64,
    /// Texts of the last 30 days, and of the 30 days before: the trend.
    recent: i64,
    earlier: i64,
    /// `rising`, `falling` or `steady`.
    trend: String,
    /// Mean sentiment of its scored texts, from -1 to 1.
    sentiment: Option<f64>,
    scored: i64,
    other_language: i64,
    /// The text closest to its centre, as it reads now (an excerpt; empty once hidden or deleted).
    representative: String,
}

pub(super) fn theme_out(theme: &ThemeRecord) -> ThemeOut {
    let figures = &theme.figures;
    ThemeOut {
        id: theme.id,
        name: cocreate_app::theme_name(theme),
        label: theme.label.clone(),
        pinned: theme.pinned,
        terms: figures.terms.clone(),
        items: figures.items,
        recent: figures.recent,
        earlier: figures.earlier,
        trend: cocreate_app::trend(figures).to_owned(),
        sentiment: figures.sentiment.map(|s| s as f64 / 1000.0),
        scored: figures.scored,
        other_language: figures.other_language,
        representative: cocreate_app::excerpt(&figures.representative_text),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ThemesOut {
    space: String,
    /// When the themes were last computed; absent before the first computation.
    computed_at: Option<String>,
    /// Texts the last computation read, and those it put in a theme.
    texts: i64,
    themed: i64,
    /// Why the last computation found no themes, when it found none.
    note: Option<String>,
    /// Whether a computation is under way.
    refreshing: bool,
    /// Pinned first, then largest first.
    themes: Vec<ThemeOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ThemeTextOut {
    /// `idea` or `comment`.
    kind: String,
    id: i64,
    idea_id: Option<i64>,
    text: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ThemeDetailOut {
    theme: ThemeOut,
    /// Its first texts, closest to its centre first.
    texts: Vec<ThemeTextOut>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeEditIn {
    /// A name; an empty one goes back to the theme's words; absent keeps the name.
    label: Option<String>,
    /// Absent keeps the pin.
    pinned: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeMergeIn {
    /// The theme of the same space that stays; this one's texts join it.
    into_theme_id: i64,
}

/// The space's themes (staff). Themes older than an hour are computed again in the background.
#[utoipa::path(get, path = "/api/v1/spaces/{slug}/themes", tag = "insights", params(("slug" = String, Path)),
    responses((status = 200, body = ThemesOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn space_themes(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<Json<ThemesOut>> {
    let actor = signed_in(&actor)?;
    let ThemesView {
        space,
        themes,
        run,
        refreshing,
    } = state.app.space_themes(actor, &slug).await?;
    Ok(Json(ThemesOut {
        space: space.space.slug,
        computed_at: run.as_ref().map(|run| run.computed_at.to_rfc3339()),
        texts: run.as_ref().map_or(0, |run| run.texts),
        themed: run.as_ref().map_or(0, |run| run.themed),
        note: run.and_then(|run| run.note),
        refreshing,
        themes: themes.iter().map(theme_out).collect(),
    }))
}

/// Starts computing the space's themes now (staff); read them again in a moment.
#[utoipa::path(post, path = "/api/v1/spaces/{slug}/themes/refresh", tag = "insights", params(("slug" = String, Path)),
    responses((status = 202, description = "The computation started"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn refresh_space_themes(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    let actor = signed_in(&actor)?;
    state.app.request_themes_refresh(actor, &slug).await?;
    Ok(StatusCode::ACCEPTED)
}

fn detail_out(view: ThemeView) -> ThemeDetailOut {
    ThemeDetailOut {
        theme: theme_out(&view.theme),
        texts: view
            .texts
            .into_iter()
            .map(|text| ThemeTextOut {
                kind: text.kind.as_str().to_owned(),
                id: text.id,
                idea_id: text.idea_id,
                text: text.text,
                created_at: text.created_at.to_rfc3339(),
            })
            .collect(),
    }
}

/// A theme with its first texts (staff).
#[utoipa::path(get, path = "/api/v1/themes/{id}", tag = "insights", params(("id" = i64, Path)),
    responses((status = 200, body = ThemeDetailOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn get_theme(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> ApiResult<Json<ThemeDetailOut>> {
    let actor = signed_in(&actor)?;
    Ok(Json(detail_out(state.app.theme_detail(actor, id).await?)))
}

/// Names and pins a theme (staff); both stay when the themes are computed again.
#[utoipa::path(patch, path = "/api/v1/themes/{id}", tag = "insights", params(("id" = i64, Path)), request_body = ThemeEditIn,
    responses((status = 200, body = ThemeOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn edit_theme(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ThemeEditIn>,
) -> ApiResult<Json<ThemeOut>> {
    let actor = signed_in(&actor)?;
    let current = state.app.theme_detail(actor, id).await?.theme;
    let label = body.label.or(current.label).unwrap_or_default();
    let pinned = body.pinned.unwrap_or(current.pinned);
    let theme = state.app.edit_theme(actor, id, &label, pinned).await?;
    Ok(Json(theme_out(&theme)))
}

/// Merges a theme into another of the same space (staff); answers with the theme kept.
#[utoipa::path(post, path = "/api/v1/themes/{id}/merge", tag = "insights", params(("id" = i64, Path)), request_body = ThemeMergeIn,
    responses((status = 200, body = ThemeOut), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn merge_theme(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ThemeMergeIn>,
) -> ApiResult<Json<ThemeOut>> {
    let actor = signed_in(&actor)?;
    let kept = state.app.merge_theme(actor, id, body.into_theme_id).await?;
    Ok(Json(theme_out(&kept)))
}
