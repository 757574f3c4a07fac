//! Themes of a space: found by the app's themes job from the space's newest ideas and comments,
//! stored with their texts, and edited by staff (a name, a pin, a merge), which the next
//! computation keeps.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::dashboard::{SHOWN_IDEAS, written_texts};
use crate::{DocKind, Sql, SqlRead, SqlRow, SqlTx, StoreError, StoreResult, WrittenText};

/// An idea or a comment in a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThemeItem {
    pub kind: DocKind,
    pub id: i64,
}

/// What a theme's texts say, as last computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeFigures {
    /// The most distinctive words, most distinctive first.
    pub terms: Vec<String>,
    pub representative: Option<ThemeItem>,
    /// The representative text as it reads now (empty when it was since hidden or deleted);
    /// read, never stored.
    pub representative_text: String,
    pub items: i64,
    /// Texts of the last 30 days, and of the 30 days before.
    pub recent: i64,
    pub earlier: i64,
    /// Mean sentiment in thousandths (-1000 to 1000) of the `scored` texts.
    pub sentiment: Option<i64>,
    pub scored: i64,
    pub other_language: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeRecord {
    pub id: i64,
    pub space_id: i64,
    pub label: Option<String>,
    pub pinned: bool,
    pub figures: ThemeFigures,
}

/// A theme as a computation found it: the stored theme it continues, if any, and its texts in
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTheme {
    pub continues: Option<i64>,
    pub figures: ThemeFigures,
    pub items: Vec<ThemeItem>,
}

/// The last computation of a space's themes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeRun {
    pub computed_at: Timestamp,
    pub texts: i64,
    pub themed: i64,
    /// Why no themes were found, when none were.
    pub note: Option<String>,
}

const THEME_COLUMNS: &str = "SELECT h.id, h.space_id, h.label, h.pinned, h.terms, \
     h.representative_kind, h.representative_id, h.items, h.recent, h.earlier, h.sentiment, \
     h.scored, h.other_language, COALESCE(ri.title || ' ' || ri.body, rc.body, '') \
     AS representative_text FROM themes h \
     LEFT JOIN ideas ri ON h.representative_kind = 'idea' AND ri.id = h.representative_id \
     AND ri.stage <> 'draft' AND ri.hidden_at IS NULL \
     LEFT JOIN comments rc ON h.representative_kind = 'comment' AND rc.id = h.representative_id \
     AND rc.deleted_at IS NULL AND rc.hidden_at IS NULL ";

fn kind(text: &str) -> StoreResult<DocKind> {
    match text {
        "idea" => Ok(DocKind::Idea),
        "comment" => Ok(DocKind::Comment),
        other => Err(StoreError::Corrupt(format!("a theme holds a {other:?}"))),
    }
}

fn theme(mut row: SqlRow) -> StoreResult<ThemeRecord> {
    let representative = match (
        row.maybe_text("representative_kind")?,
        row.maybe_int("representative_id")?,
    ) {
        (Some(text), Some(id)) => Some(ThemeItem {
            kind: kind(&text)?,
            id,
        }),
        _ => None,
    };
    Ok(ThemeRecord {
        id: row.int("id")?,
        space_id: row.int("space_id")?,
        label: row.maybe_text("label")?,
        pinned: row.flag("pinned")?,
        figures: ThemeFigures {
            terms: row.text("terms")?.lines().map(str::to_owned).collect(),
            representative,
            representative_text: row.text("representative_text")?,
            items: row.int("items")?,
            recent: row.int("recent")?,
            earlier: row.int("earlier")?,
            sentiment: row.maybe_int("sentiment")?,
            scored: row.int("scored")?,
            other_language: row.int("other_language")?,
        },
    })
}

#[async_trait]
pub trait ThemeRead {
    /// The space's themes, pinned first, then largest first.
    async fn themes_of_space(&self, space_id: i64) -> StoreResult<Vec<ThemeRecord>>;
    async fn theme(&self, id: i64) -> StoreResult<Option<ThemeRecord>>;
    /// The theme's first `limit` texts, closest to its centre first, as they read now (texts
    /// since hidden or deleted are left out).
    async fn theme_texts(&self, theme_id: i64, limit: i64) -> StoreResult<Vec<WrittenText>>;
    /// Which theme each text of the space is in.
    async fn theme_memberships(&self, space_id: i64) -> StoreResult<Vec<(ThemeItem, i64)>>;
    async fn theme_run(&self, space_id: i64) -> StoreResult<Option<ThemeRun>>;
    /// The space's newest `limit` shown ideas and newest `limit` live comments, to find themes in.
    async fn texts_for_themes(&self, space_id: i64, limit: i64) -> StoreResult<Vec<WrittenText>>;
}

#[async_trait]
pub trait ThemeTx {
    /// Stores a computation: each found theme updates the theme it continues or is added; the
    /// space's other themes go, except those staff named or pinned, which stay with no texts.
    async fn record_themes(
        &mut self,
        space_id: i64,
        found: &[FoundTheme],
        run: &ThemeRun,
    ) -> StoreResult<()>;
    /// Names (or, with none, unnames) and pins or unpins a theme; false when there is none.
    async fn edit_theme(&mut self, id: i64, label: Option<&str>, pinned: bool)
    -> StoreResult<bool>;
    /// Holds the space's themes until the transaction ends, so that a computation's write and
    /// staff's merges take turns; answers with which theme each text is in now.
    async fn lock_space_themes(&mut self, space_id: i64) -> StoreResult<Vec<(ThemeItem, i64)>>;
    /// Moves every text of `from` into `into` (after its own) and removes `from`, both themes of
    /// `space_id`; the figures of `into` become those of both until the next computation, and it
    /// keeps its name and pin, or takes those of `from` when it has none. False when either
    /// theme is gone.
    async fn merge_theme(&mut self, space_id: i64, from: i64, into: i64) -> StoreResult<bool>;
}

#[async_trait]
impl<S: SqlRead + ?Sized> ThemeRead for S {
    async fn themes_of_space(&self, space_id: i64) -> StoreResult<Vec<ThemeRecord>> {
        self.fetch(
            &format!(
                "{THEME_COLUMNS}WHERE h.space_id = $1 ORDER BY h.pinned DESC, h.items DESC, h.id"
            ),
            &[space_id.into()],
        )
        .await?
        .into_iter()
        .map(theme)
        .collect()
    }

    async fn theme(&self, id: i64) -> StoreResult<Option<ThemeRecord>> {
        self.fetch_optional(&format!("{THEME_COLUMNS}WHERE h.id = $1"), &[id.into()])
            .await?
            .map(theme)
            .transpose()
    }

    async fn theme_texts(&self, theme_id: i64, limit: i64) -> StoreResult<Vec<WrittenText>> {
        let rows = self
            .fetch(
                "SELECT t.kind, COALESCE(i.id, c.id) AS id, COALESCE(i.id, c.idea_id) AS idea_id, \
                 c.challenge_id, \
                     COALESCE(i.title, '') AS title, COALESCE(i.body, c.body) AS body, \
                     COALESCE(i.created_at, c.created_at) AS created_at FROM theme_items t \
                     LEFT JOIN ideas i ON t.kind = 'idea' AND i.id = t.item_id \
                     AND i.stage <> 'draft' AND i.hidden_at IS NULL \
                     LEFT JOIN comments c ON t.kind = 'comment' AND c.id = t.item_id \
                     AND c.deleted_at IS NULL AND c.hidden_at IS NULL \
                     WHERE t.theme_id = $1 AND (i.id IS NOT NULL OR c.id IS NOT NULL) \
                     ORDER BY t.position LIMIT $2",
                &[theme_id.into(), limit.into()],
            )
            .await?;
        rows.into_iter()
            .map(|mut row| {
                let kind = kind(&row.text("kind")?)?;
                written_texts(kind, std::iter::once(row))
                    .next()
                    .unwrap_or_else(|| Err(StoreError::Corrupt("a theme text vanished".into())))
            })
            .collect()
    }

    async fn theme_memberships(&self, space_id: i64) -> StoreResult<Vec<(ThemeItem, i64)>> {
        memberships(self.fetch(MEMBERSHIPS, &[space_id.into()]).await?)
    }

    async fn theme_run(&self, space_id: i64) -> StoreResult<Option<ThemeRun>> {
        self.fetch_optional(
            "SELECT computed_at, texts, themed, note FROM theme_runs WHERE space_id = $1",
            &[space_id.into()],
        )
        .await?
        .map(|mut row| {
            Ok(ThemeRun {
                computed_at: row.time("computed_at")?,
                texts: row.int("texts")?,
                themed: row.int("themed")?,
                note: row.maybe_text("note")?,
            })
        })
        .transpose()
    }

    async fn texts_for_themes(&self, space_id: i64, limit: i64) -> StoreResult<Vec<WrittenText>> {
        let ideas = self
            .fetch(
                &format!(
                    "SELECT id, id AS idea_id, CAST(NULL AS BIGINT) AS challenge_id, title, body, \
                     created_at FROM ideas \
                     WHERE space_id = $1 AND {SHOWN_IDEAS} ORDER BY created_at DESC, id DESC LIMIT $2"
                ),
                &[space_id.into(), limit.into()],
            )
            .await?;
        // Through the space's ideas and challenges, so only this space's comments are read.
        let comments = self
            .fetch(
                "SELECT id, idea_id, challenge_id, title, body, created_at FROM ( \
                 SELECT c.id, c.idea_id, c.challenge_id, '' AS title, c.body, c.created_at \
                 FROM comments c \
                 JOIN ideas i ON i.id = c.idea_id WHERE i.space_id = $1 AND i.hidden_at IS NULL \
                 AND c.deleted_at IS NULL AND c.hidden_at IS NULL \
                 UNION ALL SELECT c.id, c.idea_id, c.challenge_id, '' AS title, c.body, c.created_at \
                 FROM comments c \
                 JOIN challenges h ON h.id = c.challenge_id WHERE h.space_id = $2 \
                 AND c.deleted_at IS NULL AND c.hidden_at IS NULL \
                 ) spoken ORDER BY created_at DESC, id DESC LIMIT $3",
                &[space_id.into(), space_id.into(), limit.into()],
            )
            .await?;
        written_texts(DocKind::Idea, ideas.into_iter())
            .chain(written_texts(DocKind::Comment, comments.into_iter()))
            .collect()
    }
}

const MEMBERSHIPS: &str = "SELECT t.theme_id, t.kind, t.item_id FROM theme_items t \
     JOIN themes h ON h.id = t.theme_id WHERE h.space_id = $1";

fn memberships(rows: Vec<SqlRow>) -> StoreResult<Vec<(ThemeItem, i64)>> {
    rows.into_iter()
        .map(|mut row| {
            Ok((
                ThemeItem {
                    kind: kind(&row.text("kind")?)?,
                    id: row.int("item_id")?,
                },
                row.int("theme_id")?,
            ))
        })
        .collect()
}

fn figures_args(figures: &ThemeFigures) -> [crate::SqlArg<'_>; 9] {
    [
        figures.terms.join("\n").into(),
        figures.representative.map(|item| item.kind.as_str()).into(),
        figures.representative.map(|item| item.id).into(),
        figures.items.into(),
        figures.recent.into(),
        figures.earlier.into(),
        figures.sentiment.into(),
        figures.scored.into(),
        figures.other_language.into(),
    ]
}

const FIGURE_COLUMNS: &str = "terms, representative_kind, representative_id, items, recent, \
     earlier, sentiment, scored, other_language";

#[async_trait]
impl<T: SqlTx + ?Sized> ThemeTx for T {
    async fn record_themes(
        &mut self,
        space_id: i64,
        found: &[FoundTheme],
        run: &ThemeRun,
    ) -> StoreResult<()> {
        self.execute(
            "DELETE FROM theme_items WHERE theme_id IN (SELECT id FROM themes WHERE space_id = $1)",
            &[space_id.into()],
        )
        .await?;
        let mut kept = Vec::with_capacity(found.len());
        for theme in found {
            let args = figures_args(&theme.figures);
            // The theme it continues may have gone meanwhile (merged by staff): then it is new.
            let mut continued = None;
            if let Some(id) = theme.continues {
                let mut sql = Sql::new("UPDATE themes SET (");
                sql.push(FIGURE_COLUMNS)
                    .push(") = (")
                    .list(args.clone())
                    .push(") WHERE id = ");
                sql.bind(id).push(" AND space_id = ").bind(space_id);
                if self.execute_sql(&sql).await? == 1 {
                    continued = Some(id);
                }
            }
            let id = match continued {
                Some(id) => id,
                None => {
                    let mut sql = Sql::new("INSERT INTO themes (space_id, ");
                    sql.push(FIGURE_COLUMNS)
                        .push(") VALUES (")
                        .bind(space_id)
                        .push(", ");
                    sql.list(args).push(") RETURNING id");
                    let rows = self.fetch_sql(&sql).await?;
                    rows.first()
                        .ok_or_else(|| StoreError::Database("no theme id returned".into()))?
                        .int("id")?
                }
            };
            kept.push(id);
            let positioned: Vec<(i64, ThemeItem)> =
                (0..).zip(theme.items.iter().copied()).collect();
            for chunk in positioned.chunks(500) {
                let mut sql =
                    Sql::new("INSERT INTO theme_items (theme_id, position, kind, item_id) ");
                sql.values(chunk, |(position, item)| {
                    [
                        id.into(),
                        (*position).into(),
                        item.kind.as_str().into(),
                        item.id.into(),
                    ]
                });
                self.execute_sql(&sql).await?;
            }
        }
        let mut gone = Sql::new("DELETE FROM themes WHERE space_id = ");
        gone.bind(space_id)
            .push(" AND label IS NULL AND pinned = 0");
        let mut emptied = Sql::new(
            "UPDATE themes SET items = 0, recent = 0, earlier = 0, sentiment = NULL, scored = 0, \
             other_language = 0, representative_kind = NULL, representative_id = NULL \
             WHERE space_id = ",
        );
        emptied.bind(space_id);
        if !kept.is_empty() {
            for sql in [&mut gone, &mut emptied] {
                sql.push(" AND id NOT IN (")
                    .list(kept.iter().copied())
                    .push(")");
            }
        }
        self.execute_sql(&gone).await?;
        self.execute_sql(&emptied).await?;
        self.execute(
            "INSERT INTO theme_runs (space_id, computed_at, texts, themed, note) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (space_id) DO UPDATE SET \
             computed_at = excluded.computed_at, texts = excluded.texts, \
             themed = excluded.themed, note = excluded.note",
            &[
                space_id.into(),
                run.computed_at.into(),
                run.texts.into(),
                run.themed.into(),
                run.note.as_deref().into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn edit_theme(
        &mut self,
        id: i64,
        label: Option<&str>,
        pinned: bool,
    ) -> StoreResult<bool> {
        let changed = self
            .execute(
                "UPDATE themes SET label = $1, pinned = $2 WHERE id = $3",
                &[label.into(), i64::from(pinned).into(), id.into()],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn lock_space_themes(&mut self, space_id: i64) -> StoreResult<Vec<(ThemeItem, i64)>> {
        // The space's row stands for its themes: holding it makes every writer of them wait.
        let lock = format!(
            "SELECT id FROM spaces WHERE id = $1 {}",
            self.dialect().lock_rows
        );
        self.fetch_optional(&lock, &[space_id.into()])
            .await?
            .ok_or(StoreError::NotFound)?;
        memberships(self.fetch(MEMBERSHIPS, &[space_id.into()]).await?)
    }

    async fn merge_theme(&mut self, space_id: i64, from: i64, into: i64) -> StoreResult<bool> {
        self.lock_space_themes(space_id).await?;
        let both = self
            .fetch_one(
                "SELECT COUNT(*) AS n FROM themes WHERE space_id = $1 AND id IN ($2, $3)",
                &[space_id.into(), from.into(), into.into()],
            )
            .await?
            .int("n")?;
        if both != 2 || from == into {
            return Ok(false);
        }
        let offset = self
            .fetch_one(
                "SELECT COALESCE(MAX(position) + 1, 0) AS next FROM theme_items WHERE theme_id = $1",
                &[into.into()],
            )
            .await?
            .int("next")?;
        self.execute(
            "UPDATE theme_items SET theme_id = $1, position = position + $2 WHERE theme_id = $3",
            &[into.into(), offset.into(), from.into()],
        )
        .await?;
        // Sentiment weighted by the texts scored in each; a name or pin of either stays.
        self.execute(
            "UPDATE themes SET \
             sentiment = CASE WHEN themes.scored + f.scored = 0 THEN NULL ELSE \
             (COALESCE(themes.sentiment, 0) * themes.scored + COALESCE(f.sentiment, 0) * f.scored) \
             / (themes.scored + f.scored) END, \
             items = themes.items + f.items, recent = themes.recent + f.recent, \
             earlier = themes.earlier + f.earlier, scored = themes.scored + f.scored, \
             other_language = themes.other_language + f.other_language, \
             label = COALESCE(themes.label, f.label), \
             pinned = CASE WHEN f.pinned = 1 THEN 1 ELSE themes.pinned END \
             FROM (SELECT items, recent, earlier, sentiment, scored, other_language, label, pinned \
             FROM themes WHERE id = $1) f WHERE themes.id = $2",
            &[from.into(), into.into()],
        )
        .await?;
        self.execute("DELETE FROM themes WHERE id = $1", &[from.into()])
            .await?;
        Ok(true)
    }
}
