//! Search over ideas, comments and challenges, and the similar ideas shown while typing.

use super::*;

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
        Ok(self.store.search_ideas(&query).await?)
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
        Ok(self.store.search_ideas(&query).await?)
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
            challenge_id: filter.challenge_id,
            stage: filter.stage.filter(|s| *s != Stage::Draft),
            tag,
            limit,
        };
        Ok(query)
    }

    /// Ideas, comments on published ideas and challenges the actor may see, as `scope` asks,
    /// each kind best match first.
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
        let mut results = SearchResults::default();
        if wants(SearchScope::Ideas) {
            results.ideas = self.store.search_ideas(&query).await?;
        }
        if wants(SearchScope::Comments) {
            results.comments = self.store.search_comments(&query).await?;
        }
        if wants(SearchScope::Challenges) {
            results.challenges = self.store.search_challenges(&query).await?;
        }
        Ok(results)
    }
}
