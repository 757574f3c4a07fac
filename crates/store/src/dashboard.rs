//! The figures of a space's staff dashboard: activity week by week, how far ideas got, who
//! contributed most, and recent texts for the sentiment reading. Each reads only a window of
//! recent rows through a time index, or one space's stage history.

use async_trait::async_trait;
use cocreate_core::{Stage, Timestamp};

use crate::{DocKind, SqlRead, SqlRow, StoreResult};

/// One week's activity in a space; `week` counts whole weeks from the window's start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActivityWeek {
    pub week: i64,
    /// Ideas published (not drafts, not hidden).
    pub ideas: i64,
    /// Comments written (not deleted, not hidden), on the space's ideas and challenges.
    pub comments: i64,
    pub supports: i64,
}

/// How many of a space's ideas ever reached a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageReached {
    pub stage: Stage,
    pub ideas: i64,
}

/// Someone who wrote in the space within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributor {
    pub account_id: i64,
    pub name: String,
    pub ideas: i64,
    pub comments: i64,
}

/// An idea or a comment as people wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenText {
    pub kind: DocKind,
    pub id: i64,
    /// The idea itself, or the idea a comment is on (none for a comment on a challenge).
    pub idea_id: Option<i64>,
    /// The challenge a comment on a challenge is on.
    pub challenge_id: Option<i64>,
    /// An idea's title and body, or a comment's body.
    pub text: String,
    pub created_at: Timestamp,
}

/// What a dashboard is of: a space, or one challenge (its ideas, and the comments on it and on
/// them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DashboardScope {
    Space(i64),
    Challenge(i64),
}

impl DashboardScope {
    fn id(self) -> i64 {
        match self {
            Self::Space(id) | Self::Challenge(id) => id,
        }
    }

    /// The column of `ideas` (as `alias`) that places an idea in the scope.
    fn idea_column(self, alias: &str) -> String {
        match self {
            Self::Space(_) => format!("{alias}space_id"),
            Self::Challenge(_) => format!("{alias}challenge_id"),
        }
    }

    /// The scope's live comments, up to the placeholder of the scope's id.
    fn comments(self) -> &'static str {
        match self {
            Self::Space(_) => SPACE_COMMENTS,
            Self::Challenge(_) => {
                "FROM comments c LEFT JOIN ideas ci ON ci.id = c.idea_id \
                 WHERE c.deleted_at IS NULL AND c.hidden_at IS NULL \
                 AND COALESCE(ci.challenge_id, c.challenge_id) = "
            }
        }
    }
}

/// The space's live comments: on its ideas or on its challenges.
const SPACE_COMMENTS: &str = "FROM comments c LEFT JOIN ideas ci ON ci.id = c.idea_id \
     LEFT JOIN challenges cc ON cc.id = c.challenge_id \
     WHERE c.deleted_at IS NULL AND c.hidden_at IS NULL AND COALESCE(ci.space_id, cc.space_id) = ";
pub(crate) const SHOWN_IDEAS: &str = "stage <> 'draft' AND hidden_at IS NULL";

#[async_trait]
pub trait DashboardRead {
    /// Activity from `since` on, by week of `week_millis`; weeks with nothing are left out.
    async fn weekly_activity(
        &self,
        scope: DashboardScope,
        since: Timestamp,
        week_millis: i64,
    ) -> StoreResult<Vec<ActivityWeek>>;
    /// For each stage any of the scope's ideas ever entered, how many ideas did.
    async fn stages_reached(&self, scope: DashboardScope) -> StoreResult<Vec<StageReached>>;
    /// Those who wrote most ideas and comments from `since` on, most first.
    async fn top_contributors(
        &self,
        scope: DashboardScope,
        since: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Contributor>>;
    /// The latest ideas and the latest comments written in `[from, to)`, at most `limit` of each.
    async fn recent_texts(
        &self,
        scope: DashboardScope,
        from: Timestamp,
        to: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<WrittenText>>;
}

fn counts_by_week(rows: Vec<SqlRow>) -> StoreResult<Vec<(i64, i64)>> {
    rows.iter()
        .map(|row| Ok((row.int("week")?, row.int("n")?)))
        .collect()
}

#[async_trait]
impl<S: SqlRead + ?Sized> DashboardRead for S {
    async fn weekly_activity(
        &self,
        scope: DashboardScope,
        since: Timestamp,
        week_millis: i64,
    ) -> StoreResult<Vec<ActivityWeek>> {
        let (since, week) = (since.millis(), week_millis.max(1));
        let (scope_id, ideas_in, comments_in) =
            (scope.id(), scope.idea_column(""), scope.comments());
        let ideas = self
            .fetch(
                &format!(
                    "SELECT (created_at - $1) / $2 AS week, COUNT(*) AS n FROM ideas \
                     WHERE {ideas_in} = $3 AND created_at >= $4 AND {SHOWN_IDEAS} GROUP BY 1"
                ),
                &[since.into(), week.into(), scope_id.into(), since.into()],
            )
            .await?;
        let comments = self
            .fetch(
                &format!(
                    "SELECT (c.created_at - $1) / $2 AS week, COUNT(*) AS n {comments_in}$3 \
                     AND c.created_at >= $4 GROUP BY 1"
                ),
                &[since.into(), week.into(), scope_id.into(), since.into()],
            )
            .await?;
        let supported_in = scope.idea_column("i.");
        let supports = self
            .fetch(
                &format!(
                    "SELECT (s.created_at - $1) / $2 AS week, COUNT(*) AS n FROM supports s \
                     JOIN ideas i ON i.id = s.idea_id WHERE {supported_in} = $3 \
                     AND s.created_at >= $4 GROUP BY 1"
                ),
                &[since.into(), week.into(), scope_id.into(), since.into()],
            )
            .await?;
        let mut weeks: std::collections::BTreeMap<i64, ActivityWeek> = Default::default();
        let mut add = |rows, count: fn(&mut ActivityWeek) -> &mut i64| -> StoreResult<()> {
            for (week, n) in counts_by_week(rows)? {
                let entry = weeks.entry(week).or_insert(ActivityWeek {
                    week,
                    ..ActivityWeek::default()
                });
                *count(entry) += n;
            }
            Ok(())
        };
        add(ideas, |week| &mut week.ideas)?;
        add(comments, |week| &mut week.comments)?;
        add(supports, |week| &mut week.supports)?;
        Ok(weeks.into_values().collect())
    }

    async fn stages_reached(&self, scope: DashboardScope) -> StoreResult<Vec<StageReached>> {
        self.fetch(
            &format!(
                "SELECT e.to_stage AS stage, COUNT(DISTINCT e.idea_id) AS n FROM idea_events e \
                 JOIN ideas i ON i.id = e.idea_id WHERE {} = $1 GROUP BY e.to_stage",
                scope.idea_column("i.")
            ),
            &[scope.id().into()],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(StageReached {
                stage: row.parse("stage")?,
                ideas: row.int("n")?,
            })
        })
        .collect()
    }

    async fn top_contributors(
        &self,
        scope: DashboardScope,
        since: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Contributor>> {
        let (ideas_in, comments_in) = (scope.idea_column(""), scope.comments());
        let sql = format!(
            "SELECT a.id, a.name, CAST(SUM(w.ideas) AS BIGINT) AS ideas, \
             CAST(SUM(w.comments) AS BIGINT) AS comments FROM ( \
             SELECT author_id, 1 AS ideas, 0 AS comments FROM ideas \
             WHERE {ideas_in} = $1 AND created_at >= $2 AND {SHOWN_IDEAS} \
             UNION ALL SELECT c.author_id, 0, 1 {comments_in}$3 AND c.created_at >= $4 \
             ) w JOIN accounts a ON a.id = w.author_id GROUP BY a.id, a.name \
             ORDER BY SUM(w.ideas) + SUM(w.comments) DESC, a.id LIMIT $5"
        );
        let args = [
            scope.id().into(),
            since.millis().into(),
            scope.id().into(),
            since.millis().into(),
            limit.into(),
        ];
        self.fetch(&sql, &args)
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(Contributor {
                    account_id: row.int("id")?,
                    name: row.text("name")?,
                    ideas: row.int("ideas")?,
                    comments: row.int("comments")?,
                })
            })
            .collect()
    }

    async fn recent_texts(
        &self,
        scope: DashboardScope,
        from: Timestamp,
        to: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<WrittenText>> {
        let (ideas_in, comments_in) = (scope.idea_column(""), scope.comments());
        let range = [
            scope.id().into(),
            from.millis().into(),
            to.millis().into(),
            limit.into(),
        ];
        let ideas = self
            .fetch(
                &format!(
                    "SELECT id, id AS idea_id, CAST(NULL AS BIGINT) AS challenge_id, title, body, \
                     created_at FROM ideas \
                     WHERE {ideas_in} = $1 AND created_at >= $2 AND created_at < $3 \
                     AND {SHOWN_IDEAS} ORDER BY created_at DESC, id DESC LIMIT $4"
                ),
                &range,
            )
            .await?;
        let comments = self
            .fetch(
                &format!(
                    "SELECT c.id, c.idea_id, c.challenge_id, '' AS title, c.body, c.created_at \
                     {comments_in}$1 AND c.created_at >= $2 AND c.created_at < $3 \
                     ORDER BY c.created_at DESC, c.id DESC LIMIT $4"
                ),
                &range,
            )
            .await?;
        written_texts(DocKind::Idea, ideas.into_iter())
            .chain(written_texts(DocKind::Comment, comments.into_iter()))
            .collect()
    }
}

/// Rows of `id`, `idea_id`, `challenge_id`, `title` (empty for comments), `body` and
/// `created_at` as texts.
pub(crate) fn written_texts(
    kind: DocKind,
    rows: impl Iterator<Item = SqlRow>,
) -> impl Iterator<Item = StoreResult<WrittenText>> {
    rows.map(move |mut row| {
        let (title, body) = (row.text("title")?, row.text("body")?);
        Ok(WrittenText {
            kind,
            id: row.int("id")?,
            idea_id: row.maybe_int("idea_id")?,
            challenge_id: row.maybe_int("challenge_id")?,
            text: if title.is_empty() {
                body
            } else {
                format!("{title}\n{body}")
            },
            created_at: row.time("created_at")?,
        })
    })
}
