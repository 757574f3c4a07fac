//! Themes of a space: what many of its ideas and comments are about, with their size, trend and
//! sentiment. A job finds them in the space's newest texts (`cocreate_insights::find_themes`)
//! and stores them; staff name, pin and merge them. A computed theme continues the stored theme
//! that held most of its texts, so names, pins and merges carry over from one computation to
//! the next (two computed themes that continue the same stored one become one).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use cocreate_insights::{InsightsError, Reading, SentimentTally, find_themes, read_sentiment};
use cocreate_store::{FoundTheme, ThemeFigures, ThemeItem, ThemeRecord, ThemeRun, WrittenText};

use crate::{Actor, App, AppError, AppResult, SpaceView};

/// The newest ideas, and the newest comments, a computation reads.
pub const THEME_TEXTS: i64 = 50_000;
/// Themes older than this are computed again when staff look at them.
pub const THEMES_FRESH_FOR_MILLIS: i64 = 60 * 60 * 1000;
/// A theme's trend compares its texts of the last this many days with the same span before.
pub const TREND_DAYS: i64 = 30;
/// Texts listed on a theme's page.
pub const THEME_TEXTS_SHOWN: i64 = 50;
/// The longest name staff may give a theme.
pub const MAX_THEME_LABEL: usize = 80;
const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A space's themes as staff see them.
#[derive(Debug, Clone)]
pub struct ThemesView {
    pub space: SpaceView,
    /// Themes with texts, and those staff named or pinned; pinned first, then largest first.
    pub themes: Vec<ThemeRecord>,
    pub run: Option<ThemeRun>,
    /// Whether a computation is under way.
    pub refreshing: bool,
}

/// One theme with its texts.
#[derive(Debug, Clone)]
pub struct ThemeView {
    pub space: SpaceView,
    pub theme: ThemeRecord,
    pub texts: Vec<WrittenText>,
    /// The space's other themes, which this one may be merged into.
    pub others: Vec<ThemeRecord>,
}

/// Spaces whose themes are being computed.
#[derive(Default)]
pub(crate) struct ThemeJobs(Mutex<HashSet<i64>>);

impl ThemeJobs {
    fn running(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        // The set holds no invariant a panic elsewhere could have broken halfway.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A space's computation under way, until dropped.
struct RunningJob {
    app: Arc<App>,
    space_id: i64,
}

impl Drop for RunningJob {
    fn drop(&mut self) {
        self.app.theme_jobs.running().remove(&self.space_id);
    }
}

/// The name people read for a theme: staff's, or its words.
pub fn theme_name(theme: &ThemeRecord) -> String {
    match &theme.label {
        Some(label) => label.clone(),
        None if theme.figures.terms.is_empty() => "Unnamed theme".to_owned(),
        None => theme.figures.terms.join(", "),
    }
}

impl App {
    /// The space's themes (staff only). When they were never computed or are older than
    /// [`THEMES_FRESH_FOR_MILLIS`], a computation starts in the background.
    pub async fn space_themes(
        self: &Arc<Self>,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<ThemesView> {
        let space = self.space(Some(actor), slug).await?;
        Self::require_curator(&space)?;
        let space_id = space.space.id;
        let run = self.store.theme_run(space_id).await?;
        let stale = run.as_ref().is_none_or(|run| {
            self.now().millis() - run.computed_at.millis() >= THEMES_FRESH_FOR_MILLIS
        });
        if stale {
            self.start_themes_refresh(space_id);
        }
        let themes = self
            .store
            .themes_of_space(space_id)
            .await?
            .into_iter()
            .filter(|theme| theme.figures.items > 0 || theme.label.is_some() || theme.pinned)
            .collect();
        let refreshing = self.theme_jobs.running().contains(&space_id);
        Ok(ThemesView {
            space,
            themes,
            run,
            refreshing,
        })
    }

    /// Staff ask for the space's themes to be computed now; they are, in the background.
    pub async fn request_themes_refresh(
        self: &Arc<Self>,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<()> {
        let space = self.space(Some(actor), slug).await?;
        Self::require_curator(&space)?;
        self.start_themes_refresh(space.space.id);
        Ok(())
    }

    /// Starts computing the space's themes unless that is under way.
    fn start_themes_refresh(self: &Arc<Self>, space_id: i64) {
        if !self.theme_jobs.running().insert(space_id) {
            return;
        }
        let app = Arc::clone(self);
        tokio::spawn(async move {
            // The space is free for the next computation however this one ends, a panic too.
            let _running = RunningJob {
                app: Arc::clone(&app),
                space_id,
            };
            if let Err(error) = app.compute_themes(space_id).await {
                tracing::error!(space_id, %error, "themes could not be computed");
            }
        });
    }

    /// Computes and stores the space's themes now; answers with the computation's record.
    pub async fn refresh_themes(&self, space_id: i64) -> AppResult<ThemeRun> {
        self.compute_themes(space_id).await
    }

    async fn compute_themes(&self, space_id: i64) -> AppResult<ThemeRun> {
        let now = self.now();
        let texts = self.store.texts_for_themes(space_id, THEME_TEXTS).await?;
        // Reading and grouping many texts takes seconds: off the async threads.
        let (texts, readings, found) = tokio::task::spawn_blocking(move || {
            let readings: Vec<Reading> = texts
                .iter()
                .map(|text| read_sentiment(&text.text))
                .collect();
            let found = {
                let bodies: Vec<&str> = texts.iter().map(|text| text.text.as_str()).collect();
                find_themes(&bodies)
            };
            (texts, readings, found)
        })
        .await
        .map_err(|e| AppError::Internal(format!("themes: {e}")))?;
        let (found, note) = match found {
            Ok(themes) => (themes, None),
            Err(InsightsError::NotEnoughData(reason)) => (Vec::new(), Some(reason)),
            Err(other) => return Err(AppError::Internal(other.to_string())),
        };
        // Which stored theme each computed one continues is decided on the themes as they are
        // when the result is written, with staff's merges made meanwhile held off.
        let mut tx = self.store.begin().await?;
        let previous: HashMap<ThemeItem, i64> =
            tx.lock_space_themes(space_id).await?.into_iter().collect();
        let item = |index: usize| ThemeItem {
            kind: texts[index].kind,
            id: texts[index].id,
        };
        // Computed themes by the stored theme they continue: the one that held at least half
        // of their texts.
        let mut continuing: Vec<(Option<i64>, Vec<&cocreate_insights::Theme>)> = Vec::new();
        for theme in &found {
            let mut overlap: HashMap<i64, usize> = HashMap::new();
            for &member in &theme.members {
                if let Some(&stored) = previous.get(&item(member)) {
                    *overlap.entry(stored).or_default() += 1;
                }
            }
            let continues = overlap
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .filter(|&(_, shared)| shared * 2 >= theme.members.len())
                .map(|(stored, _)| stored);
            match continuing
                .iter_mut()
                .find(|(stored, _)| continues.is_some() && *stored == continues)
            {
                Some((_, parts)) => parts.push(theme),
                None => continuing.push((continues, vec![theme])),
            }
        }
        let recent_from = now.millis() - TREND_DAYS * DAY_MILLIS;
        let earlier_from = recent_from - TREND_DAYS * DAY_MILLIS;
        let mut records: Vec<FoundTheme> = continuing
            .into_iter()
            .map(|(continues, parts)| {
                // The largest part names the whole.
                let first = parts[0];
                let members: Vec<usize> = parts
                    .iter()
                    .flat_map(|part| part.members.iter().copied())
                    .collect();
                let mut tally = SentimentTally::default();
                let (mut recent, mut earlier) = (0, 0);
                for &member in &members {
                    tally.add(readings[member]);
                    let at = texts[member].created_at.millis();
                    if at >= recent_from {
                        recent += 1;
                    } else if at >= earlier_from {
                        earlier += 1;
                    }
                }
                let representative = first.representative();
                FoundTheme {
                    continues,
                    figures: ThemeFigures {
                        terms: first.terms.clone(),
                        representative: Some(item(representative)),
                        representative_text: String::new(),
                        items: members.len() as i64,
                        recent,
                        earlier,
                        sentiment: tally.mean().map(|mean| (mean * 1000.0).round() as i64),
                        scored: tally.scored() as i64,
                        other_language: tally.other_language as i64,
                    },
                    items: members.into_iter().map(item).collect(),
                }
            })
            .collect();
        records.sort_by_key(|theme| std::cmp::Reverse(theme.figures.items));
        let run = ThemeRun {
            computed_at: now,
            texts: texts.len() as i64,
            themed: records.iter().map(|theme| theme.figures.items).sum(),
            note,
        };
        tx.record_themes(space_id, &records, &run).await?;
        tx.commit().await?;
        tracing::info!(
            space_id,
            texts = run.texts,
            themes = records.len(),
            "themes computed"
        );
        Ok(run)
    }

    /// A theme with its first texts (staff only).
    pub async fn theme_detail(&self, actor: &Actor, id: i64) -> AppResult<ThemeView> {
        let (space, theme) = self.curated_theme(actor, id).await?;
        let texts = self.store.theme_texts(id, THEME_TEXTS_SHOWN).await?;
        let others = self
            .store
            .themes_of_space(space.space.id)
            .await?
            .into_iter()
            .filter(|other| {
                other.id != id && (other.figures.items > 0 || other.label.is_some() || other.pinned)
            })
            .collect();
        Ok(ThemeView {
            space,
            theme,
            texts,
            others,
        })
    }

    /// Staff name a theme (an empty name goes back to its words) and pin or unpin it.
    pub async fn edit_theme(
        &self,
        actor: &Actor,
        id: i64,
        label: &str,
        pinned: bool,
    ) -> AppResult<ThemeRecord> {
        self.curated_theme(actor, id).await?;
        let label = label.trim();
        if label.chars().count() > MAX_THEME_LABEL {
            return Err(AppError::invalid(
                "label",
                format!("a theme's name is at most {MAX_THEME_LABEL} characters"),
            ));
        }
        let label = (!label.is_empty()).then_some(label);
        let mut tx = self.store.begin().await?;
        if !tx.edit_theme(id, label, pinned).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(self.curated_theme(actor, id).await?.1)
    }

    /// Staff merge a theme into another of the same space; answers with the theme kept.
    pub async fn merge_theme(&self, actor: &Actor, id: i64, into: i64) -> AppResult<ThemeRecord> {
        let (space, _) = self.curated_theme(actor, id).await?;
        let field = "into_theme_id";
        if into == id {
            return Err(AppError::invalid(
                field,
                "a theme cannot be merged into itself",
            ));
        }
        let kept = self.store.theme(into).await?;
        if kept
            .as_ref()
            .is_none_or(|kept| kept.space_id != space.space.id)
        {
            return Err(AppError::invalid(
                field,
                "must be another theme of the same space",
            ));
        }
        let mut tx = self.store.begin().await?;
        if !tx.merge_theme(space.space.id, id, into).await? {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(self.curated_theme(actor, into).await?.1)
    }

    async fn curated_theme(&self, actor: &Actor, id: i64) -> AppResult<(SpaceView, ThemeRecord)> {
        let theme = self.store.theme(id).await?.ok_or(AppError::NotFound)?;
        let space = self.space_by_id(Some(actor), theme.space_id).await?;
        Self::require_curator(&space)?;
        Ok((space, theme))
    }

    /// The space's largest themes, for the dashboard.
    pub(crate) async fn top_themes(
        &self,
        space_id: i64,
        limit: usize,
    ) -> AppResult<Vec<ThemeRecord>> {
        let mut themes: Vec<ThemeRecord> = self
            .store
            .themes_of_space(space_id)
            .await?
            .into_iter()
            .filter(|theme| theme.figures.items > 0)
            .collect();
        themes.sort_by(|a, b| b.figures.items.cmp(&a.figures.items).then(a.id.cmp(&b.id)));
        themes.truncate(limit);
        Ok(themes)
    }
}

/// The start of a text, on one line.
pub fn excerpt(text: &str) -> String {
    const SHOWN: usize = 200;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// Whether a theme grows: its last 30 days against the 30 before.
pub fn trend(figures: &ThemeFigures) -> &'static str {
    match figures.recent.cmp(&figures.earlier) {
        std::cmp::Ordering::Greater => "rising",
        std::cmp::Ordering::Less => "falling",
        std::cmp::Ordering::Equal => "steady",
    }
}
