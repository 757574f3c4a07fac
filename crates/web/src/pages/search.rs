//! Search over ideas, comments and challenges, and the similar-ideas box while typing.

use super::*;

/// A search hit as the page shows it: the snippet escaped, then its matches marked.
pub struct HitView {
    pub idea: cocreate_store::Idea,
    pub snippet_html: String,
}

pub struct CommentHitView {
    pub comment_id: i64,
    pub subject: Subject,
    pub title: String,
    pub snippet_html: String,
}

pub struct ChallengeHitView {
    pub challenge: Challenge,
    pub snippet_html: String,
}

pub(super) fn highlight(snippet: &Snippet) -> String {
    let mut html = String::new();
    for part in snippet.parts() {
        if part.matched {
            html.push_str("<mark>");
        }
        for c in part.text.chars() {
            match c {
                '&' => html.push_str("&amp;"),
                '<' => html.push_str("&lt;"),
                '>' => html.push_str("&gt;"),
                '"' => html.push_str("&quot;"),
                '\'' => html.push_str("&#39;"),
                c => html.push(c),
            }
        }
        if part.matched {
            html.push_str("</mark>");
        }
    }
    html
}

#[derive(Template)]
#[template(path = "search.html")]
pub(super) struct SearchPage {
    pub(super) layout: Layout,
    pub(super) q: String,
    pub(super) space: String,
    pub(super) challenge: String,
    pub(super) stage: String,
    pub(super) tag: String,
    pub(super) spaces: Vec<SpaceView>,
    pub(super) stages: &'static [Stage],
    pub(super) hits: Vec<HitView>,
    pub(super) comment_hits: Vec<CommentHitView>,
    pub(super) challenge_hits: Vec<ChallengeHitView>,
    pub(super) facets: Option<SearchFacets>,
    pub(super) error: FormError,
}

impl SearchPage {
    /// This search with the filter `key` set to `value`, or dropped when `value` is empty.
    fn with(&self, key: &str, value: impl AsRef<str>) -> String {
        let value = value.as_ref();
        let current = [
            ("q", self.q.as_str()),
            ("space", self.space.as_str()),
            ("challenge", self.challenge.as_str()),
            ("stage", self.stage.as_str()),
            ("tag", self.tag.as_str()),
        ];
        let pairs: Vec<(&str, &str)> = current
            .into_iter()
            .map(|(name, was)| (name, if name == key { value } else { was }))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        format!(
            "/search?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

#[derive(Deserialize, Default)]
pub(super) struct SearchParams {
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    pub(super) space: String,
    #[serde(default)]
    pub(super) challenge: String,
    #[serde(default)]
    pub(super) stage: String,
    #[serde(default)]
    pub(super) tag: String,
}

pub(super) async fn search(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Query(params): Query<SearchParams>,
) -> PageResult {
    let actor = actor.get();
    let stage = match params.stage.as_str() {
        "" => None,
        text => Some(text.parse::<Stage>().map_err(AppError::from)?),
    };
    let challenge_id = match params.challenge.as_str() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| AppError::invalid("challenge", "must be a challenge's number"))?,
        ),
    };
    let filter = SearchFilter {
        space: Some(params.space.clone()).filter(|s| !s.is_empty()),
        challenge_id,
        stage,
        tag: Some(params.tag.clone()).filter(|t| !t.trim().is_empty()),
    };
    let (found, error) = match state
        .app
        .search_everything(actor, &params.q, &filter, SearchScope::All)
        .await
    {
        Ok(found) => (found, FormError::default()),
        Err(error) => (SearchResults::default(), FormError::from_app(error)?),
    };
    let facets = found.facets;
    let page = SearchPage {
        layout: layout(&state, actor).await?,
        spaces: state.app.spaces(actor).await?,
        stages: Stage::ALL,
        hits: found
            .ideas
            .into_iter()
            .map(|hit: SearchHit| HitView {
                snippet_html: highlight(&hit.snippet),
                idea: hit.idea,
            })
            .collect(),
        comment_hits: found
            .comments
            .into_iter()
            .map(|hit| CommentHitView {
                snippet_html: highlight(&hit.snippet),
                comment_id: hit.comment_id,
                subject: hit.subject,
                title: hit.title,
            })
            .collect(),
        challenge_hits: found
            .challenges
            .into_iter()
            .map(|hit| ChallengeHitView {
                snippet_html: highlight(&hit.snippet),
                challenge: hit.challenge,
            })
            .collect(),
        facets,
        q: params.q,
        space: params.space,
        challenge: params.challenge,
        stage: params.stage,
        tag: params.tag,
        error,
    };
    if page.error.message.is_some() {
        refused(&page)
    } else {
        ok(&page)
    }
}

#[derive(Template)]
#[template(path = "similar.html")]
pub(super) struct SimilarFragment {
    pub(super) hits: Vec<SearchHit>,
}

#[derive(Deserialize)]
pub(super) struct SimilarParams {
    #[serde(default)]
    pub(super) title: String,
}

/// The list of similar ideas the propose form shows while a title is typed (an HTML fragment).
pub(super) async fn similar(
    State(state): State<WebState>,
    Extension(actor): Extension<CurrentActor>,
    Path(slug): Path<String>,
    Query(params): Query<SimilarParams>,
) -> PageResult {
    let hits = state
        .app
        .similar_ideas(actor.get(), &slug, &params.title)
        .await?;
    let html = SimilarFragment { hits }
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok(Html(html).into_response())
}

#[cfg(test)]
mod tests {
    use super::highlight;
    use cocreate_store::Snippet;

    #[test]
    fn snippets_are_escaped_and_only_matches_marked() {
        let snippet = Snippet::from_marked("a [[<b>]] \u{2}<i>\u{3} & \"c\"");
        assert_eq!(
            highlight(&snippet),
            "a [[&lt;b&gt;]] <mark>&lt;i&gt;</mark> &amp; &quot;c&quot;"
        );
    }
}
