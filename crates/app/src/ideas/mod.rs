//! Challenges and ideas: proposing, supporting through tiers with deadlines, and staff moving
//! ideas through their stages in public. Every change of stage is written to the idea's history
//! in the same transaction.

use std::collections::HashMap;

use cocreate_core::{
    Authorship, IdeaAction, Markdown, Mover, Rationale, Stage, SupportRules, Tags, Tier,
    TierOutcome, TierProgress, TierState, TimeZone, Timestamp, Title, markdown::MAX_BODY_CHARS,
    search_terms,
};
use cocreate_store::{
    Challenge, ChallengeFields, ChallengeHit, CommentHit, FanoutKind, Idea, IdeaEvent, IdeaOrder,
    IdeaProgress, IdeaQuery, NewFanout, NewIdea, NewIdeaEvent, SearchHit, SearchQuery,
    SupporterCount, Tx,
};

use crate::authors::authorship_among;
use crate::secrets::{open_cursor, sign_cursor};
use crate::{Actor, App, AppError, AppResult, SpaceView};

mod challenges;
mod facets;
mod lists;
mod proposing;
mod search;
mod stages;
mod support;

pub use facets::{ChallengeFacet, FacetCount, SearchFacets, SpaceFacet};

/// Ideas on one page of a list.
pub const IDEAS_PER_PAGE: i64 = 20;

/// A challenge as typed.
pub struct ChallengeInput<'a> {
    pub title: &'a str,
    pub problem: &'a str,
    /// Guiding questions, one per line.
    pub questions: &'a str,
    /// Tags offered to ideas; empty offers any.
    pub tags: &'a str,
    /// `supporters/days, …`; empty means the default tiers.
    pub tiers: &'a str,
    /// `YYYY-MM-DD` or empty.
    pub opens_at: &'a str,
    pub closes_at: &'a str,
}

/// An idea as typed.
pub struct IdeaInput<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub tags: &'a str,
    pub challenge_id: Option<i64>,
    /// Publish at once (start gathering support) rather than keep as a draft.
    pub publish: bool,
}

/// A version of an idea's text and how it differs from the one before.
#[derive(Debug, Clone)]
pub struct RevisionView {
    pub revision: cocreate_store::IdeaRevision,
    /// The title and body lines compared with the previous version (everything "added" for the first).
    pub diff: Vec<(cocreate_core::markdown::DiffKind, String)>,
}

/// Which ideas to list.
#[derive(Debug, Clone, Default)]
pub struct IdeaFilter {
    pub challenge_id: Option<i64>,
    pub stage: Option<Stage>,
    pub tag: Option<String>,
    pub order: ListOrder,
    /// The `next` cursor of the previous page.
    pub cursor: Option<String>,
}

/// Where to search.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// One space's slug; all readable spaces when absent.
    pub space: Option<String>,
    pub challenge_id: Option<i64>,
    pub stage: Option<Stage>,
    pub tag: Option<String>,
}

/// The longest search text accepted.
pub const MAX_SEARCH_CHARS: usize = 200;

/// How a list of ideas is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    #[default]
    Newest,
    Top,
    Hot,
    Trending,
}

impl ListOrder {
    pub const ALL: [ListOrder; 4] = [
        ListOrder::Hot,
        ListOrder::Newest,
        ListOrder::Top,
        ListOrder::Trending,
    ];

    pub fn parse(text: &str) -> AppResult<Self> {
        match text {
            "" | "new" => Ok(Self::Newest),
            "top" => Ok(Self::Top),
            "hot" => Ok(Self::Hot),
            "trending" => Ok(Self::Trending),
            _ => Err(AppError::invalid(
                "sort",
                "must be hot, new, top or trending",
            )),
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "new",
            Self::Top => "top",
            Self::Hot => "hot",
            Self::Trending => "trending",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Newest => "Newest",
            Self::Top => "Most supported",
            Self::Hot => "Hot",
            Self::Trending => "Trending this week",
        }
    }
}

/// An idea in a list, with whether the viewer supports it.
#[derive(Debug, Clone)]
pub struct IdeaItem {
    pub idea: Idea,
    pub supported: bool,
    /// Its way to the next tier, while it gathers support.
    pub progress: Option<TierProgress>,
    /// The viewer may support it from the list.
    pub can_support: bool,
}

#[derive(Debug, Clone)]
pub struct IdeaPage {
    pub items: Vec<IdeaItem>,
    pub next: Option<String>,
}

/// An idea with everything its page shows.
#[derive(Debug, Clone)]
pub struct IdeaView {
    pub idea: Idea,
    pub space: SpaceView,
    pub challenge: Option<Challenge>,
    pub supported: bool,
    /// Whether the viewer may support or withdraw now.
    pub can_support: bool,
    /// Whether the viewer may move it between stages (staff).
    pub can_curate: bool,
    pub is_author: bool,
    /// Its co-authors, invited and accepted.
    pub co_authors: Vec<cocreate_store::CoAuthor>,
    pub attachments: Vec<cocreate_store::Attachment>,
    /// The viewer has an open invitation to co-author it.
    pub invited: bool,
    /// Whether the viewer may change its text (its author or staff, while it is open).
    pub can_edit: bool,
    /// Its way to the next tier, while it gathers support.
    pub progress: Option<TierProgress>,
    pub tiers: Vec<Tier>,
    pub history: Vec<IdeaEvent>,
    /// Stages staff may move it to from here.
    pub moves: Vec<Stage>,
    /// For staff: the open pairs of possible duplicates it is in, most alike first.
    pub possible_duplicates: Vec<cocreate_store::DuplicatePair>,
    /// The product it is about (or became part of), if it names one.
    pub product: Option<cocreate_store::Product>,
    /// For staff: the products of its space, to name one.
    pub space_products: Vec<cocreate_store::Product>,
}

/// A proposal checked against its space's rules, ready to be stored.
pub(crate) struct Proposal {
    title: Title,
    body: cocreate_core::Markdown,
    tags: Tags,
    rules: SupportRules,
    challenge_id: Option<i64>,
    publish: bool,
}

/// News of an idea for its supporters and author, and the stage change it announces, if any.
pub(crate) struct News<'a> {
    kind: cocreate_store::FanoutKind,
    subject: &'a str,
    body: &'a str,
    event_id: Option<i64>,
}

/// The one tag a list or search is narrowed to; a bad one is refused naming the `tag` parameter.
fn tag_filter(tag: Option<&str>) -> AppResult<Option<String>> {
    let Some(tag) = tag else {
        return Ok(None);
    };
    let tags = Tags::parse(tag).map_err(|error| AppError::invalid("tag", error.message))?;
    Ok(tags.as_slice().first().cloned())
}

fn rules_of(idea: &Idea) -> AppResult<SupportRules> {
    SupportRules::parse(&idea.tiers)
        .map_err(|e| AppError::Internal(format!("idea {} has invalid tiers: {e}", idea.id)))
}

/// The tier an idea is working toward while it gathers support.
pub fn support_target(idea: &Idea) -> AppResult<Option<Tier>> {
    if idea.stage != Stage::Gathering {
        return Ok(None);
    }
    Ok(rules_of(idea)?.target(tier_state(idea)))
}

/// How far a gathering idea is from its next tier at `now`, and how long it has left.
fn tier_progress(idea: &Idea, now: Timestamp) -> AppResult<Option<TierProgress>> {
    if idea.stage != Stage::Gathering {
        return Ok(None);
    }
    Ok(rules_of(idea)?.progress(tier_state(idea), idea.supporters, now))
}

fn tier_state(idea: &Idea) -> TierState {
    TierState {
        tier: idea.tier,
        deadline: idea.tier_deadline.unwrap_or(idea.created_at),
    }
}

/// What a search looks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchScope {
    All,
    Ideas,
    Comments,
    Challenges,
}

/// See [`App::search_everything`].
#[derive(Default)]
pub struct SearchResults {
    pub ideas: Vec<SearchHit>,
    pub comments: Vec<CommentHit>,
    pub challenges: Vec<ChallengeHit>,
    /// The matches counted by facet, when everything was searched and the index could count.
    pub facets: Option<SearchFacets>,
}

/// See [`App::space_page`].
pub struct SpaceContents {
    pub view: SpaceView,
    pub ideas: IdeaPage,
    pub challenges: Vec<Challenge>,
    pub members: Vec<cocreate_store::Account>,
}
