//! A space's staff dashboard: charts drawn on the server, each with its figures in a table beside
//! it and as a CSV download.

use axum::http::header;
use cocreate_app::{DashboardView, FUNNEL};
use cocreate_insights::Reading;
use cocreate_store::{DocKind, WrittenText};

use super::opinions::{Dot, dots};
use super::*;
use crate::charts::{Line, bar_chart, line_chart};

/// The figures behind one chart, as the table beside it and its CSV file show them.
pub(crate) struct Figures {
    pub(crate) name: &'static str,
    pub(crate) caption: &'static str,
    pub(crate) headers: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// The figure sets a dashboard offers, by the name of their CSV file.
pub(crate) const FIGURES: [&str; 5] = ["activity", "funnel", "sentiment", "themes", "contributors"];

fn short_day(layout: &Layout, at: cocreate_core::Timestamp) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day = layout.day(at);
    let mut parts = day.split('-').skip(1);
    match (
        parts.next().and_then(|month| month.parse::<usize>().ok()),
        parts.next().and_then(|day| day.parse::<u32>().ok()),
    ) {
        (Some(month @ 1..=12), Some(day)) => format!("{day} {}", MONTHS[month - 1]),
        _ => day,
    }
}

fn share(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |share| format!("{:.0}%", share * 100.0))
}

fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |mean| format!("{mean:+.2}"))
}

/// The named figures of a dashboard.
pub(crate) fn figures(view: &DashboardView, layout: &Layout, name: &str) -> Option<Figures> {
    let dashboard = &view.dashboard;
    let figures = match name {
        "activity" => Figures {
            name: "activity",
            caption: "Activity per week",
            headers: vec!["Week from", "Ideas", "Comments", "Supports"],
            rows: dashboard
                .weeks
                .iter()
                .map(|week| {
                    vec![
                        layout.day(week.starts),
                        week.ideas.to_string(),
                        week.comments.to_string(),
                        week.supports.to_string(),
                    ]
                })
                .collect(),
        },
        "funnel" => Figures {
            name: "funnel",
            caption: "Ideas that reached each stage",
            headers: vec!["Stage", "Ideas", "Of the step before"],
            rows: dashboard
                .funnel
                .iter()
                .map(|step| {
                    vec![
                        step.stage.label().to_owned(),
                        step.ideas.to_string(),
                        share(step.conversion),
                    ]
                })
                .chain(dashboard.exits.iter().map(|exit| {
                    vec![
                        exit.stage.label().to_owned(),
                        exit.ideas.to_string(),
                        String::new(),
                    ]
                }))
                .collect(),
        },
        "sentiment" => Figures {
            name: "sentiment",
            caption: "Sentiment per week",
            headers: vec![
                "Week from",
                "Mean (−1 to 1)",
                "Positive",
                "Neutral",
                "Negative",
                "Other languages",
            ],
            rows: dashboard
                .weeks
                .iter()
                .map(|week| {
                    let tally = &week.sentiment;
                    vec![
                        layout.day(week.starts),
                        mean(tally.mean()),
                        tally.positive.to_string(),
                        tally.neutral.to_string(),
                        tally.negative.to_string(),
                        tally.other_language.to_string(),
                    ]
                })
                .collect(),
        },
        "themes" => Figures {
            name: "themes",
            caption: "Top themes",
            headers: vec![
                "Theme",
                "Texts",
                "Last 30 days",
                "30 days before",
                "Sentiment",
            ],
            rows: dashboard
                .themes
                .iter()
                .map(|theme| {
                    vec![
                        cocreate_app::theme_name(theme),
                        theme.figures.items.to_string(),
                        theme.figures.recent.to_string(),
                        theme.figures.earlier.to_string(),
                        theme.figures.sentiment.map_or_else(
                            || "–".to_owned(),
                            |s| format!("{:+.2}", s as f64 / 1000.0),
                        ),
                    ]
                })
                .collect(),
        },
        "contributors" => Figures {
            name: "contributors",
            caption: "Top contributors",
            headers: vec!["Name", "Ideas", "Comments"],
            rows: dashboard
                .contributors
                .iter()
                .map(|person| {
                    vec![
                        person.name.clone(),
                        person.ideas.to_string(),
                        person.comments.to_string(),
                    ]
                })
                .collect(),
        },
        _ => return None,
    };
    Some(figures)
}

/// A chart and the figures it draws.
pub(crate) struct Chart {
    pub(crate) svg: String,
    pub(crate) figures: Figures,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(super) struct DashboardPage {
    pub(super) layout: Layout,
    pub(super) view: DashboardView,
    pub(super) charts: Vec<Chart>,
    pub(super) contributors: Figures,
    pub(super) themes: Figures,
    /// Where the dashboard is: `/spaces/{slug}/dashboard` or `/challenges/{id}/dashboard`.
    pub(super) path: String,
    /// A challenge's opinion map.
    pub(super) opinions: Option<OpinionMap>,
}

/// A challenge's opinion groups as its dashboard draws them.
pub(super) struct OpinionMap {
    pub(super) dots: Vec<Dot>,
    pub(super) groups: Vec<cocreate_app::OpinionGroupView>,
    /// Why there are no groups yet, when there are none.
    pub(super) not_yet: Option<String>,
}

/// The dashboard's three charts as SVG: activity, the funnel, sentiment.
fn draw(layout: &Layout, dashboard: &cocreate_app::Dashboard) -> [String; 3] {
    let labels: Vec<String> = dashboard
        .weeks
        .iter()
        .map(|week| short_day(layout, week.starts))
        .collect();
    let counts = |count: fn(&cocreate_app::DashboardWeek) -> i64| {
        dashboard
            .weeks
            .iter()
            .map(|week| Some(count(week) as f64))
            .collect()
    };
    let activity = line_chart(
        "Ideas, comments and supports per week; the table below lists the figures.",
        &labels,
        &[
            Line {
                name: "Ideas",
                values: counts(|week| week.ideas),
            },
            Line {
                name: "Comments",
                values: counts(|week| week.comments),
            },
            Line {
                name: "Supports",
                values: counts(|week| week.supports),
            },
        ],
        None,
    );
    let stages: Vec<&str> = FUNNEL.iter().map(|stage| stage.label()).collect();
    let funnel = bar_chart(
        "Ideas that reached each stage; the table below lists the figures.",
        &stages
            .iter()
            .map(|label| funnel_label(label))
            .collect::<Vec<_>>(),
        &dashboard
            .funnel
            .iter()
            .map(|step| step.ideas)
            .collect::<Vec<_>>(),
    );
    let sentiment = line_chart(
        "Mean sentiment per week, from −1 (negative) to 1 (positive); the table below lists the figures.",
        &labels,
        &[Line {
            name: "Mean sentiment",
            values: dashboard
                .weeks
                .iter()
                .map(|week| week.sentiment.mean())
                .collect(),
        }],
        Some((-1.0, 1.0)),
    );
    [activity, funnel, sentiment]
}

impl DashboardPage {
    fn new(
        layout: Layout,
        view: DashboardView,
        svgs: &[String; 3],
        path: String,
        opinions: Option<OpinionMap>,
    ) -> Option<Self> {
        let [activity, funnel, sentiment] = svgs.clone();
        let chart = |svg, name| figures(&view, &layout, name).map(|figures| Chart { svg, figures });
        let charts = vec![
            chart(activity, "activity")?,
            chart(funnel, "funnel")?,
            chart(sentiment, "sentiment")?,
        ];
        let contributors = figures(&view, &layout, "contributors")?;
        let themes = figures(&view, &layout, "themes")?;
        Some(Self {
            layout,
            view,
            charts,
            contributors,
            themes,
            path,
            opinions,
        })
    }

    pub(super) fn sample() -> i64 {
        cocreate_app::SENTIMENT_SAMPLE
    }

    pub(super) fn sentiment_mean(&self) -> String {
        mean(self.view.dashboard.sentiment().mean())
    }

    pub(super) fn link(text: &WrittenText) -> String {
        text_link(text)
    }

    pub(super) fn excerpt(text: &WrittenText) -> String {
        cocreate_app::excerpt(&text.text)
    }

    pub(super) fn score(reading: &Reading) -> String {
        match reading {
            Reading::Scored(score) => format!("{score:+.2}"),
            Reading::OtherLanguage { name, .. } => format!("in {name}"),
        }
    }
}

/// Where a text was written: its idea, or the idea or challenge a comment is on, at the comment.
pub(crate) fn text_link(text: &WrittenText) -> String {
    match (text.kind, text.idea_id, text.challenge_id) {
        (DocKind::Comment, Some(idea), _) => format!("/ideas/{idea}#comment-{}", text.id),
        (DocKind::Comment, None, Some(challenge)) => {
            format!("/challenges/{challenge}#comment-{}", text.id)
        }
        (_, Some(idea), _) => format!("/ideas/{idea}"),
        _ => String::new(),
    }
}

/// A cell as a spreadsheet takes it literally: text that would start a formula (a name such as
/// "=SUM(…)") is prefixed with an apostrophe; numbers, signed ones too, are left as they are.
fn inert_cell(cell: String) -> String {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Stage names short enough to sit under a bar on a phone.
fn funnel_label(label: &str) -> &str {
    match label {
        "Gathering support" => "Published",
        "Accepted (in development)" => "Accepted",
        other => other,
    }
}

/// Which dashboard a request is for.
enum Of {
    Space(String),
    Challenge(i64),
}

impl Of {
    fn path(&self) -> String {
        match self {
            Self::Space(slug) => format!("/spaces/{slug}/dashboard"),
            Self::Challenge(id) => format!("/challenges/{id}/dashboard"),
        }
    }

    /// How a downloaded file of this dashboard's figures starts.
    fn file_prefix(&self) -> String {
        match self {
            Self::Space(slug) => slug.clone(),
            Self::Challenge(id) => format!("challenge-{id}"),
        }
    }

    async fn view(&self, state: &WebState, actor: &Actor) -> Result<DashboardView, AppError> {
        match self {
            Self::Space(slug) => state.app.space_dashboard(actor, slug).await,
            Self::Challenge(id) => state.app.challenge_dashboard(actor, *id).await,
        }
    }
}

pub(super) async fn dashboard(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
) -> PageResult {
    dashboard_page(&state, require(&actor)?, Of::Space(slug)).await
}

pub(super) async fn challenge_dashboard(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(id): Path<i64>,
) -> PageResult {
    dashboard_page(&state, require(&actor)?, Of::Challenge(id)).await
}

async fn dashboard_page(state: &WebState, actor: &Actor, of: Of) -> PageResult {
    let view = of.view(state, actor).await?;
    let layout = layout(state, Some(actor)).await?;
    let path = of.path();
    let svgs = state.charts.drawn(
        (
            path.clone(),
            view.dashboard.computed_at.millis(),
            format!("{:?}", layout.zone),
        ),
        || draw(&layout, &view.dashboard),
    );
    let opinions = match &view.challenge {
        Some(challenge) => {
            let groups = state.app.opinion_groups(Some(actor), challenge.id).await?;
            Some(OpinionMap {
                dots: dots(&groups),
                not_yet: groups.found.as_ref().err().cloned(),
                groups: groups.found.map(|found| found.groups).unwrap_or_default(),
            })
        }
        None => None,
    };
    let page = DashboardPage::new(layout, view, &svgs, path, opinions).ok_or(AppError::NotFound)?;
    ok(&page)
}

/// One set of a space's dashboard figures as CSV: `/spaces/{slug}/dashboard/{name}.csv`.
pub(super) async fn dashboard_csv(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((slug, file)): Path<(String, String)>,
) -> PageResult {
    figures_csv(&state, require(&actor)?, Of::Space(slug), &file).await
}

/// One set of a challenge's dashboard figures as CSV.
pub(super) async fn challenge_dashboard_csv(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path((id, file)): Path<(i64, String)>,
) -> PageResult {
    figures_csv(&state, require(&actor)?, Of::Challenge(id), &file).await
}

async fn figures_csv(state: &WebState, actor: &Actor, of: Of, file: &str) -> PageResult {
    let name = file
        .strip_suffix(".csv")
        .filter(|name| FIGURES.contains(name))
        .ok_or(AppError::NotFound)?;
    let view = of.view(state, actor).await?;
    let layout = layout(state, Some(actor)).await?;
    let figures = figures(&view, &layout, name).ok_or(AppError::NotFound)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written = std::iter::once(figures.headers.iter().map(|h| h.to_string()).collect())
        .chain(
            figures
                .rows
                .into_iter()
                .map(|row| row.into_iter().map(inert_cell).collect()),
        )
        .try_for_each(|row: Vec<String>| writer.write_record(&row));
    let body = written
        .map_err(|error| error.to_string())
        .and_then(|()| writer.into_inner().map_err(|error| error.to_string()))
        .map_err(|detail| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-{name}.csv\"", of.file_prefix()),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::inert_cell;

    #[test]
    fn a_cell_that_would_start_a_formula_is_made_text_and_numbers_stay() {
        assert_eq!(inert_cell("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(inert_cell("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(inert_cell("-cmd".into()), "'-cmd");
        assert_eq!(inert_cell("+0.25".into()), "+0.25");
        assert_eq!(inert_cell("-0.75".into()), "-0.75");
        assert_eq!(inert_cell("Alex Admin".into()), "Alex Admin");
    }
}
