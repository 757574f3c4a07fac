//! Search over ideas, comments and challenges, and the similar ideas shown while typing. The
//! embedded index finds them once it has caught up with the database; the tables then confirm
//! each hit (so nothing hidden since is shown) and give its current text.

use cocreate_search::{Found, QueryMode, SearchRequest};
use cocreate_store::{DocKind, Snippet};

use super::facets::search_filters;
use super::*;
use crate::search_index::SearchEngine;

impl App {
    /// Full-text search over the published ideas the actor may see, best match first.
    pub async fn search(
        &self,
        actor: Option<&Actor>,
        text: &str,
        filter: &SearchFilter,
    ) -> AppResult<Vec<SearchHit>> {
        let query = self
            .search_query(actor, "q", text, filter, false, 30)
            .await?;
        let engine = self.search_engine(&query).await?;
        self.find_ideas(engine, text, QueryMode::AllWords, &query)
            .await
    }

    /// Up to 5 published ideas in the space whose words resemble `title`, for the person
    /// typing a new idea to support instead of duplicating.
    pub async fn similar_ideas(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        title: &str,
    ) -> AppResult<Vec<SearchHit>> {
        let filter = SearchFilter {
            space: Some(slug.to_owned()),
            ..SearchFilter::default()
        };
        let query = self
            .search_query(actor, "title", title, &filter, true, 5)
            .await?;
        let engine = self.search_engine(&query).await?;
        self.find_ideas(engine, title, QueryMode::Similar, &query)
            .await
    }

    /// The index, when it answers searches: caught up once, and (waiting a moment at most)
    /// holding every change committed before this search began. `None` means the database.
    pub(super) async fn search_engine(
        &self,
        query: &SearchQuery,
    ) -> AppResult<Option<&SearchEngine>> {
        let Some(engine) = self.search.get().filter(|engine| engine.ready()) else {
            return Ok(None);
        };
        if query.terms.is_empty() || query.space_ids.is_empty() {
            return Ok(Some(engine));
        }
        if let Some(last) = self.store.search_log_last().await? {
            engine.applied_through(last).await;
        }
        Ok(Some(engine))
    }

    fn search_index(
        engine: &SearchEngine,
        text: &str,
        mode: QueryMode,
        kind: DocKind,
        query: &SearchQuery,
    ) -> AppResult<Found> {
        if query.terms.is_empty() {
            return Ok(Found::default());
        }
        Ok(engine.index.search(&SearchRequest {
            text,
            mode,
            kind,
            filters: search_filters(query),
            limit: usize::try_from(query.limit).unwrap_or(0),
        })?)
    }

    async fn find_ideas(
        &self,
        engine: Option<&SearchEngine>,
        text: &str,
        mode: QueryMode,
        query: &SearchQuery,
    ) -> AppResult<Vec<SearchHit>> {
        let Some(engine) = engine else {
            return Ok(self.store.search_ideas(query).await?);
        };
        let found = Self::search_index(engine, text, mode, DocKind::Idea, query)?;
        let hits = self.store.found_ideas(&found.ids, query).await?;
        Ok(in_found_order(&found, hits, |hit| {
            (hit.idea.id, &mut hit.snippet)
        }))
    }

    async fn find_comments(
        &self,
        engine: Option<&SearchEngine>,
        text: &str,
        query: &SearchQuery,
    ) -> AppResult<Vec<CommentHit>> {
        let Some(engine) = engine else {
            return Ok(self.store.search_comments(query).await?);
        };
        let found = Self::search_index(engine, text, QueryMode::AllWords, DocKind::Comment, query)?;
        let hits = self.store.found_comments(&found.ids, query).await?;
        Ok(in_found_order(&found, hits, |hit| {
            (hit.comment_id, &mut hit.snippet)
        }))
    }

    async fn find_challenges(
        &self,
        engine: Option<&SearchEngine>,
        text: &str,
        query: &SearchQuery,
    ) -> AppResult<Vec<ChallengeHit>> {
        let Some(engine) = engine else {
            return Ok(self.store.search_challenges(query).await?);
        };
        if query.stage.is_some() {
            return Ok(Vec::new());
        }
        let found =
            Self::search_index(engine, text, QueryMode::AllWords, DocKind::Challenge, query)?;
        let hits = self.store.found_challenges(&found.ids, query).await?;
        Ok(in_found_order(&found, hits, |hit| {
            (hit.challenge.id, &mut hit.snippet)
        }))
    }

    /// The store query for a search by `actor`: the words, the spaces they may read, the filters.
    pub(super) async fn search_query(
        &self,
        actor: Option<&Actor>,
        field: &'static str,
        text: &str,
        filter: &SearchFilter,
        any: bool,
        limit: i64,
    ) -> AppResult<SearchQuery> {
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::invalid(
                field,
                format!("must be at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        let space_ids = match &filter.space {
            Some(slug) => vec![self.space(actor, slug).await?.space.id],
            None => self
                .spaces(actor)
                .await?
                .iter()
                .map(|view| view.space.id)
                .collect(),
        };
        let tag = tag_filter(filter.tag.as_deref())?;
        let query = SearchQuery {
            space_ids,
            terms: search_terms(text),
            any,
            // A search finds the viewer's own drafts too; similar ideas are published ones.
            drafter: if any {
                None
            } else {
                actor.map(|actor| actor.id)
            },
            challenge_id: filter.challenge_id,
            stage: filter.stage,
            tag,
            limit,
        };
        Ok(query)
    }

    /// Ideas, comments on published ideas and challenges the actor may see, as `scope` asks,
    /// each kind best match first; searching everything also counts the matches by facet.
    pub async fn search_everything(
        &self,
        actor: Option<&Actor>,
        text: &str,
        filter: &SearchFilter,
        scope: SearchScope,
    ) -> AppResult<SearchResults> {
        let query = self
            .search_query(actor, "q", text, filter, false, 30)
            .await?;
        let wants = |kind: SearchScope| scope == kind || scope == SearchScope::All;
        let engine = self.search_engine(&query).await?;
        let mut results = SearchResults::default();
        if wants(SearchScope::Ideas) {
            results.ideas = self
                .find_ideas(engine, text, QueryMode::AllWords, &query)
                .await?;
        }
        if wants(SearchScope::Comments) {
            results.comments = self.find_comments(engine, text, &query).await?;
        }
        if wants(SearchScope::Challenges) {
            results.challenges = self.find_challenges(engine, text, &query).await?;
        }
        if scope == SearchScope::All {
            results.facets = self.facets_of(engine, text, &query).await?;
        }
        Ok(results)
    }
}

/// The hits the tables confirmed, in the order the index ranked them, each snippet (its whole
/// text as read) cut to the passage around the matches.
fn in_found_order<T>(
    found: &Found,
    hits: Vec<T>,
    id_and_snippet: impl Fn(&mut T) -> (i64, &mut Snippet),
) -> Vec<T> {
    let rank: HashMap<i64, usize> = found
        .ids
        .iter()
        .enumerate()
        .map(|(at, id)| (*id, at))
        .collect();
    let mut ranked: Vec<(usize, T)> = hits
        .into_iter()
        .map(|mut hit| {
            let (id, snippet) = id_and_snippet(&mut hit);
            *snippet = found.snippet(&snippet.text());
            (rank.get(&id).copied().unwrap_or(usize::MAX), hit)
        })
        .collect();
    ranked.sort_by_key(|(at, _)| *at);
    ranked.into_iter().map(|(_, hit)| hit).collect()
}
