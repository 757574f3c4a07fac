//! The staff dashboard of a space, or of one challenge: activity week by week, the stage funnel, sentiment over time
//! and the top contributors. Its figures are computed at most once per [`DASHBOARD_FRESH_FOR`]
//! for each space and shown with the time they were computed, so a page view costs a lookup
//! however busy the space is; each computation reads only the window of recent weeks (and the
//! space's stage history).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use cocreate_core::{Stage, Timestamp};
use cocreate_insights::{Polarity, Reading, SentimentTally, read_sentiment};
use cocreate_store::{
    Challenge, Contributor, DashboardScope, StageReached, ThemeRecord, WrittenText,
};

use crate::{Actor, App, AppError, AppResult, SpaceView};

/// Weeks the dashboard looks back over.
pub const DASHBOARD_WEEKS: i64 = 12;
pub const WEEK_MILLIS: i64 = 7 * 24 * 60 * 60 * 1000;
/// How long a computed dashboard is shown before it is computed afresh.
pub const DASHBOARD_FRESH_FOR_MILLIS: i64 = 5 * 60 * 1000;
/// The latest ideas, and the latest comments, read for each week's sentiment: a sample that
/// bounds the work however much is written (the page says how many were read).
pub const SENTIMENT_SAMPLE: i64 = 200;
/// People listed as top contributors.
pub const TOP_CONTRIBUTORS: i64 = 10;
/// Themes listed on the dashboard.
pub const TOP_THEMES: usize = 5;
/// Texts listed as the most negative and the most positive of the last week read.
pub const TEXTS_SHOWN: usize = 5;

/// The stages an idea goes through on its way to launch, in order: the funnel's steps.
pub const FUNNEL: [Stage; 4] = [
    Stage::Gathering,
    Stage::Review,
    Stage::Accepted,
    Stage::Launched,
];
/// Ways out of the funnel.
pub const FUNNEL_EXITS: [Stage; 3] = [Stage::Declined, Stage::Expired, Stage::Merged];

/// One week of the space.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardWeek {
    pub starts: Timestamp,
    pub ideas: i64,
    pub comments: i64,
    pub supports: i64,
    /// The sentiment of the week's sampled ideas and comments.
    pub sentiment: SentimentTally,
}

/// How many ideas reached a stage, and what share of those that reached the step before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelStep {
    pub stage: Stage,
    pub ideas: i64,
    /// Of the previous step's ideas, the share that reached this one (none for the first step,
    /// or when the previous step has no ideas).
    pub conversion: Option<f64>,
}

/// A text and how it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadText {
    pub text: WrittenText,
    pub reading: Reading,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub computed_at: Timestamp,
    /// Oldest first, every week of the window, empty ones included.
    pub weeks: Vec<DashboardWeek>,
    pub funnel: Vec<FunnelStep>,
    pub exits: Vec<StageReached>,
    pub contributors: Vec<Contributor>,
    /// The space's largest themes as last computed (see `themes.rs`).
    pub themes: Vec<ThemeRecord>,
    /// Of the latest week with sampled texts: the most negative texts, most negative first, and
    /// the most positive, most positive first.
    pub most_negative: Vec<ReadText>,
    pub most_positive: Vec<ReadText>,
}

impl Dashboard {
    /// Sentiment over the whole window.
    pub fn sentiment(&self) -> SentimentTally {
        let mut total = SentimentTally::default();
        for week in &self.weeks {
            total.merge(&week.sentiment);
        }
        total
    }
}

/// A dashboard, with the space as the viewer sees it and the challenge it is of, if any.
#[derive(Debug, Clone)]
pub struct DashboardView {
    pub space: SpaceView,
    pub challenge: Option<Challenge>,
    pub dashboard: Arc<Dashboard>,
}

/// Dashboards kept at once; beyond this the cache starts afresh.
const KEPT_DASHBOARDS: usize = 64;

/// Dashboards as last computed, by what they are of.
#[derive(Default)]
pub(crate) struct Dashboards {
    computed: std::sync::Mutex<HashMap<DashboardScope, Arc<Dashboard>>>,
    /// One computation at a time per dashboard: a burst of first views waits for one result,
    /// and other dashboards do not wait for it.
    computing: std::sync::Mutex<HashMap<DashboardScope, Arc<tokio::sync::Mutex<()>>>>,
}

impl Dashboards {
    fn computing(&self, scope: DashboardScope) -> Arc<tokio::sync::Mutex<()>> {
        // The maps hold no invariant a panic elsewhere could have broken halfway.
        let mut computing = self
            .computing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(computing.entry(scope).or_default())
    }

    fn latest(&self, scope: DashboardScope) -> Option<Arc<Dashboard>> {
        let computed = self.computed.lock().unwrap_or_else(PoisonError::into_inner);
        computed.get(&scope).cloned()
    }

    fn keep(&self, scope: DashboardScope, dashboard: Arc<Dashboard>) {
        let mut computed = self.computed.lock().unwrap_or_else(PoisonError::into_inner);
        if computed.len() >= KEPT_DASHBOARDS && !computed.contains_key(&scope) {
            computed.clear();
        }
        computed.insert(scope, dashboard);
    }
}

impl App {
    /// The space's dashboard (staff only), computed afresh when the last is older than
    /// [`DASHBOARD_FRESH_FOR_MILLIS`].
    pub async fn space_dashboard(&self, actor: &Actor, slug: &str) -> AppResult<DashboardView> {
        let space = self.space(Some(actor), slug).await?;
        Self::require_curator(&space)?;
        let dashboard = self
            .dashboard(DashboardScope::Space(space.space.id))
            .await?;
        Ok(DashboardView {
            space,
            challenge: None,
            dashboard,
        })
    }

    /// A challenge's dashboard: its ideas, and the comments on it and on them (staff of its
    /// space only).
    pub async fn challenge_dashboard(
        &self,
        actor: &Actor,
        challenge_id: i64,
    ) -> AppResult<DashboardView> {
        let (space, challenge) = self.challenge(Some(actor), challenge_id).await?;
        Self::require_curator(&space)?;
        let dashboard = self
            .dashboard(DashboardScope::Challenge(challenge.id))
            .await?;
        Ok(DashboardView {
            space,
            challenge: Some(challenge),
            dashboard,
        })
    }

    async fn dashboard(&self, scope: DashboardScope) -> AppResult<Arc<Dashboard>> {
        let fresh = |dashboard: &Arc<Dashboard>| {
            self.now().millis() - dashboard.computed_at.millis() < DASHBOARD_FRESH_FOR_MILLIS
        };
        if let Some(dashboard) = self.dashboards.latest(scope).filter(fresh) {
            return Ok(dashboard);
        }
        let computing = self.dashboards.computing(scope);
        let _computing = computing.lock().await;
        if let Some(dashboard) = self.dashboards.latest(scope).filter(fresh) {
            return Ok(dashboard);
        }
        let dashboard = Arc::new(self.compute_dashboard(scope).await?);
        self.dashboards.keep(scope, Arc::clone(&dashboard));
        Ok(dashboard)
    }

    async fn compute_dashboard(&self, scope: DashboardScope) -> AppResult<Dashboard> {
        let now = self.now();
        // The window is (now - the weeks, now]: what happened this very millisecond is in the
        // last week.
        let since = now.plus_millis(1 - DASHBOARD_WEEKS * WEEK_MILLIS);
        let mut weeks: Vec<DashboardWeek> = (0..DASHBOARD_WEEKS)
            .map(|week| DashboardWeek {
                starts: since.plus_millis(week * WEEK_MILLIS),
                ideas: 0,
                comments: 0,
                supports: 0,
                sentiment: SentimentTally::default(),
            })
            .collect();
        for activity in self
            .store
            .weekly_activity(scope, since, WEEK_MILLIS)
            .await?
        {
            if let Some(week) = usize::try_from(activity.week)
                .ok()
                .and_then(|week| weeks.get_mut(week))
            {
                week.ideas += activity.ideas;
                week.comments += activity.comments;
                week.supports += activity.supports;
            }
        }
        let mut written = Vec::with_capacity(weeks.len());
        for week in &weeks {
            let to = week.starts.plus_millis(WEEK_MILLIS);
            written.push(
                self.store
                    .recent_texts(scope, week.starts, to, SENTIMENT_SAMPLE)
                    .await?,
            );
        }
        // Reading thousands of texts is CPU work: off the async threads.
        let read: Vec<Vec<ReadText>> = tokio::task::spawn_blocking(move || {
            written
                .into_iter()
                .map(|texts| {
                    texts
                        .into_iter()
                        .map(|text| ReadText {
                            reading: read_sentiment(&text.text),
                            text,
                        })
                        .collect()
                })
                .collect()
        })
        .await
        .map_err(|e| AppError::Internal(format!("dashboard sentiment: {e}")))?;
        let mut latest_read = Vec::new();
        for (week, read) in weeks.iter_mut().zip(read) {
            for text in &read {
                week.sentiment.add(text.reading);
            }
            if read
                .iter()
                .any(|text| matches!(text.reading, Reading::Scored(_)))
            {
                latest_read = read;
            }
        }
        let (most_negative, most_positive) = extremes(latest_read);
        let reached = self.store.stages_reached(scope).await?;
        let ideas_at = |stage: Stage| {
            reached
                .iter()
                .find(|step| step.stage == stage)
                .map_or(0, |step| step.ideas)
        };
        let mut funnel: Vec<FunnelStep> = Vec::with_capacity(FUNNEL.len());
        for stage in FUNNEL {
            let ideas = ideas_at(stage);
            let conversion = funnel
                .last()
                .filter(|previous| previous.ideas > 0)
                .map(|previous| ideas as f64 / previous.ideas as f64);
            funnel.push(FunnelStep {
                stage,
                ideas,
                conversion,
            });
        }
        let exits = FUNNEL_EXITS
            .iter()
            .map(|&stage| StageReached {
                stage,
                ideas: ideas_at(stage),
            })
            .collect();
        let contributors = self
            .store
            .top_contributors(scope, since, TOP_CONTRIBUTORS)
            .await?;
        // Themes are found per space.
        let themes = match scope {
            DashboardScope::Space(space_id) => self.top_themes(space_id, TOP_THEMES).await?,
            DashboardScope::Challenge(_) => Vec::new(),
        };
        Ok(Dashboard {
            computed_at: now,
            weeks,
            funnel,
            exits,
            contributors,
            themes,
            most_negative,
            most_positive,
        })
    }
}

/// The most negative and the most positive of the scored texts (neutral ones are neither).
fn extremes(read: Vec<ReadText>) -> (Vec<ReadText>, Vec<ReadText>) {
    let mut scored: Vec<(f64, ReadText)> = read
        .into_iter()
        .filter_map(|text| match text.reading {
            Reading::Scored(score) => Some((score, text)),
            Reading::OtherLanguage { .. } => None,
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let of = |polarity: Polarity, texts: &mut dyn Iterator<Item = &(f64, ReadText)>| {
        texts
            .filter(|(score, _)| Polarity::of(*score) == polarity)
            .take(TEXTS_SHOWN)
            .map(|(_, text)| text.clone())
            .collect()
    };
    (
        of(Polarity::Negative, &mut scored.iter()),
        of(Polarity::Positive, &mut scored.iter().rev()),
    )
}
