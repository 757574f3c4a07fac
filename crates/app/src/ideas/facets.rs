//! Facets of a search: how many of the matches the viewer may read fall in each kind, space,
//! challenge, stage and tag, so that a person narrows a search by what it holds rather than
//! guessing. Counts come from the search index; while it is not ready there are none.

use cocreate_search::{Facets, QueryMode};
use cocreate_store::DocKind;

use super::*;
use crate::search_index::SearchEngine;

/// A facet's value and how many matches carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount<T> {
    pub value: T,
    pub count: u64,
}

/// A space a search's matches are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceFacet {
    pub slug: String,
    pub name: String,
}

/// A challenge a search's matches belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeFacet {
    pub id: i64,
    pub title: String,
}

/// What a search matches, counted by facet under the filters already chosen: each count is what
/// choosing that value would leave. Lists are the most frequent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFacets {
    pub ideas: u64,
    pub comments: u64,
    pub challenges: u64,
    pub by_space: Vec<FacetCount<SpaceFacet>>,
    pub by_challenge: Vec<FacetCount<ChallengeFacet>>,
    pub by_stage: Vec<FacetCount<Stage>>,
    pub by_tag: Vec<FacetCount<String>>,
    /// Whether every match was counted within the query's time budget (else these are the
    /// matches counted by then).
    pub complete: bool,
}

impl App {
    /// The facets of a search for `text` under `filter`, by what `actor` may read; `None` while
    /// the search index is not ready to count.
    pub async fn search_facets(
        &self,
        actor: Option<&Actor>,
        text: &str,
        filter: &SearchFilter,
    ) -> AppResult<Option<SearchFacets>> {
        let query = self
            .search_query(actor, "q", text, filter, false, 0)
            .await?;
        let engine = self.search_engine(&query).await?;
        self.facets_of(engine, text, &query).await
    }

    pub(super) async fn facets_of(
        &self,
        engine: Option<&SearchEngine>,
        text: &str,
        query: &SearchQuery,
    ) -> AppResult<Option<SearchFacets>> {
        let Some(engine) = engine else {
            return Ok(None);
        };
        let counted = if query.terms.is_empty() || query.space_ids.is_empty() {
            None
        } else {
            Some(
                engine
                    .index
                    .facets(text, QueryMode::AllWords, &search_filters(query))?,
            )
        };
        let Some(counted) = counted else {
            return Ok(Some(SearchFacets::none()));
        };
        // Spaces are few: all of them are read to name those counted.
        let spaces = self.store.spaces().await?;
        let titles = self
            .store
            .challenge_titles(&ids(&counted.challenges))
            .await?;
        Ok(Some(SearchFacets::named(counted, &spaces, &titles)))
    }
}

fn ids<T>(counts: &[(i64, T)]) -> Vec<i64> {
    counts.iter().map(|(id, _)| *id).collect()
}

/// The index's filters for a store query.
pub(super) fn search_filters(query: &SearchQuery) -> cocreate_search::Filters<'_> {
    cocreate_search::Filters {
        space_ids: &query.space_ids,
        drafter: query.drafter,
        challenge_id: query.challenge_id,
        stage: query.stage,
        tag: query.tag.as_deref(),
    }
}

impl SearchFacets {
    fn none() -> Self {
        Self {
            ideas: 0,
            comments: 0,
            challenges: 0,
            by_space: Vec::new(),
            by_challenge: Vec::new(),
            by_stage: Vec::new(),
            by_tag: Vec::new(),
            complete: true,
        }
    }

    /// The counts with the names people know them by; a space or challenge gone since it was
    /// indexed is left out.
    fn named(
        counted: Facets,
        spaces: &[cocreate_store::Space],
        challenge_titles: &[(i64, String)],
    ) -> Self {
        let kind = |wanted: DocKind| {
            counted
                .kinds
                .iter()
                .find(|(kind, _)| *kind == wanted)
                .map_or(0, |(_, count)| *count)
        };
        Self {
            ideas: kind(DocKind::Idea),
            comments: kind(DocKind::Comment),
            challenges: kind(DocKind::Challenge),
            by_space: counted
                .spaces
                .iter()
                .filter_map(|(id, count)| {
                    let space = spaces.iter().find(|space| space.id == *id)?;
                    Some(FacetCount {
                        value: SpaceFacet {
                            slug: space.slug.clone(),
                            name: space.name.clone(),
                        },
                        count: *count,
                    })
                })
                .collect(),
            by_challenge: counted
                .challenges
                .iter()
                .filter_map(|(id, count)| {
                    let (_, title) = challenge_titles.iter().find(|(found, _)| found == id)?;
                    Some(FacetCount {
                        value: ChallengeFacet {
                            id: *id,
                            title: title.clone(),
                        },
                        count: *count,
                    })
                })
                .collect(),
            by_stage: counted
                .stages
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect(),
            by_tag: counted
                .tags
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect(),
            complete: counted.complete,
        }
    }
}
