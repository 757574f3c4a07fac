//! Challenges and ideas: proposing, supporting through tiers with deadlines, and staff moving
//! ideas through their stages in public. Every change of stage is written to the idea's history
//! in the same transaction.

use std::collections::HashMap;

use cocreate_core::{
    Authorship, IdeaAction, Markdown, Mover, Rationale, Stage, SupportRules, Tags, Tier,
    TierOutcome, TierState, Timestamp, Title, markdown::MAX_BODY_CHARS, parse_date, search_terms,
};
use cocreate_store::{
    Challenge, ChallengeFields, ChallengeHit, CommentHit, FanoutKind, Idea, IdeaEvent, IdeaOrder,
    IdeaProgress, IdeaQuery, NewFanout, NewIdea, NewIdeaEvent, SearchHit, SearchQuery,
    SupporterCount, Tx,
};

use crate::authors::authorship_among;
use crate::secrets::{open_cursor, sign_cursor};
use crate::{Actor, App, AppError, AppResult, SpaceView};

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
    /// The tier being worked on while gathering support.
    pub target: Option<Tier>,
    pub tiers: Vec<Tier>,
    pub history: Vec<IdeaEvent>,
    /// Stages staff may move it to from here.
    pub moves: Vec<Stage>,
}

struct ValidChallenge {
    title: Title,
    problem: Markdown,
    questions: String,
    tags: Tags,
    rules: SupportRules,
    opens_at: Option<Timestamp>,
    closes_at: Option<Timestamp>,
}

fn validate_challenge(input: &ChallengeInput<'_>) -> AppResult<ValidChallenge> {
    let questions: Vec<&str> = input
        .questions
        .lines()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .collect();
    if questions.len() > 10 || questions.iter().any(|q| q.chars().count() > 300) {
        return Err(AppError::invalid(
            "questions",
            "at most 10 questions of up to 300 characters each",
        ));
    }
    let rules = if input.tiers.trim().is_empty() {
        SupportRules::default()
    } else {
        SupportRules::parse(input.tiers)?
    };
    let opens_at = parse_date("opens_at", input.opens_at)?;
    let closes_at = parse_date("closes_at", input.closes_at)?;
    if let (Some(opens), Some(closes)) = (opens_at, closes_at)
        && closes <= opens
    {
        return Err(AppError::invalid(
            "closes_at",
            "must be after the opening date",
        ));
    }
    Ok(ValidChallenge {
        title: Title::parse(input.title)?,
        problem: Markdown::parse("problem", input.problem, true, MAX_BODY_CHARS)?,
        questions: questions.join("\n"),
        tags: Tags::parse(input.tags)?,
        rules,
        opens_at,
        closes_at,
    })
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
}

/// See [`App::space_page`].
pub struct SpaceContents {
    pub view: SpaceView,
    pub ideas: IdeaPage,
    pub challenges: Vec<Challenge>,
    pub members: Vec<cocreate_store::Account>,
}

impl App {
    fn require_curator(view: &SpaceView) -> AppResult<()> {
        if view.can_curate {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub async fn challenges(&self, actor: Option<&Actor>, slug: &str) -> AppResult<Vec<Challenge>> {
        let view = self.space(actor, slug).await?;
        Ok(self.store.challenges(view.space.id).await?)
    }

    /// A challenge and its space, if the actor may see them.
    pub async fn challenge(
        &self,
        actor: Option<&Actor>,
        id: i64,
    ) -> AppResult<(SpaceView, Challenge)> {
        let challenge = self.store.challenge(id).await?.ok_or(AppError::NotFound)?;
        let view = self.space_by_id(actor, challenge.space_id).await?;
        Ok((view, challenge))
    }

    pub async fn create_challenge(
        &self,
        actor: &Actor,
        slug: &str,
        input: &ChallengeInput<'_>,
    ) -> AppResult<Challenge> {
        let view = self.space(Some(actor), slug).await?;
        Self::require_curator(&view)?;
        let valid = validate_challenge(input)?;
        let tags = valid.tags.to_list();
        let tiers = valid.rules.to_string();
        let fields = ChallengeFields {
            title: valid.title.as_str(),
            problem: &valid.problem.source,
            problem_html: &valid.problem.html,
            questions: &valid.questions,
            tags: &tags,
            tiers: &tiers,
            opens_at: valid.opens_at,
            closes_at: valid.closes_at,
        };
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_challenge(view.space.id, &fields, actor.id, self.now())
            .await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "challenge.create",
            &format!("challenge:{id}"),
            valid.title.as_str(),
        )
        .await?;
        self.commit(tx).await?;
        self.store.challenge(id).await?.ok_or(AppError::NotFound)
    }

    pub async fn update_challenge(
        &self,
        actor: &Actor,
        id: i64,
        input: &ChallengeInput<'_>,
    ) -> AppResult<Challenge> {
        let (view, _) = self.challenge(Some(actor), id).await?;
        Self::require_curator(&view)?;
        let valid = validate_challenge(input)?;
        let tags = valid.tags.to_list();
        let tiers = valid.rules.to_string();
        let fields = ChallengeFields {
            title: valid.title.as_str(),
            problem: &valid.problem.source,
            problem_html: &valid.problem.html,
            questions: &valid.questions,
            tags: &tags,
            tiers: &tiers,
            opens_at: valid.opens_at,
            closes_at: valid.closes_at,
        };
        let mut tx = self.store.begin().await?;
        tx.update_challenge(id, &fields).await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "challenge.update",
            &format!("challenge:{id}"),
            valid.title.as_str(),
        )
        .await?;
        self.commit(tx).await?;
        self.store.challenge(id).await?.ok_or(AppError::NotFound)
    }

    /// Proposes an idea in a space (optionally answering one of its challenges).
    pub async fn propose_idea(
        &self,
        actor: &Actor,
        slug: &str,
        input: &IdeaInput<'_>,
    ) -> AppResult<Idea> {
        let view = self.space(Some(actor), slug).await?;
        if !view.can_contribute {
            return Err(AppError::Forbidden);
        }
        let title = Title::parse(input.title)?;
        let body = Markdown::parse("body", input.body, true, MAX_BODY_CHARS)?;
        let tags = Tags::parse(input.tags)?;
        let now = self.now();
        let rules = match input.challenge_id {
            None => SupportRules::default(),
            Some(challenge_id) => {
                let challenge = self
                    .store
                    .challenge(challenge_id)
                    .await?
                    .filter(|c| c.space_id == view.space.id)
                    .ok_or_else(|| {
                        AppError::invalid("challenge_id", "is not a challenge of this space")
                    })?;
                if !challenge.is_open(now) {
                    return Err(AppError::invalid(
                        "challenge_id",
                        "this challenge is not open for ideas",
                    ));
                }
                let offered: Vec<&str> = challenge
                    .tags
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .collect();
                if let Some(other) = tags
                    .as_slice()
                    .iter()
                    .find(|t| !offered.is_empty() && !offered.contains(&t.as_str()))
                {
                    return Err(AppError::invalid(
                        "tags",
                        format!(
                            "“{other}” is not offered here; choose from: {}",
                            offered.join(", ")
                        ),
                    ));
                }
                SupportRules::parse(&challenge.tiers)?
            }
        };
        let (stage, deadline) = if input.publish {
            (Stage::Gathering, Some(rules.start(now).deadline))
        } else {
            (Stage::Draft, None)
        };
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_idea(&NewIdea {
                space_id: view.space.id,
                challenge_id: input.challenge_id,
                title: title.as_str(),
                body: &body.source,
                body_html: &body.html,
                tags: &tags.to_stored(),
                author_id: actor.id,
                stage,
                tiers: &rules.to_string(),
                tier_deadline: deadline,
                hot: cocreate_core::ranks::hot(0, 0, now),
                created_at: now,
            })
            .await?;
        self.record_stage(&mut *tx, id, Some(actor), None, stage, "")
            .await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    async fn record_stage(
        &self,
        tx: &mut dyn Tx,
        idea_id: i64,
        actor: Option<&Actor>,
        from: Option<Stage>,
        to: Stage,
        rationale: &str,
    ) -> AppResult<()> {
        tx.insert_idea_event(&NewIdeaEvent {
            idea_id,
            actor_id: actor.map(|a| a.id),
            from_stage: from,
            to_stage: to,
            rationale,
            created_at: self.now(),
        })
        .await?;
        Ok(())
    }

    /// An idea the actor may see (drafts only to their authors and staff).
    pub(crate) async fn visible_idea(
        &self,
        actor: Option<&Actor>,
        id: i64,
    ) -> AppResult<(Idea, SpaceView)> {
        let (idea, space) = self
            .store
            .idea_with_space(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let view = self.space_view(actor, space).await?;
        // Only who may see a draft or a hidden idea depends on who wrote it: the others skip
        // looking up its co-authors.
        let private = idea.stage == Stage::Draft || idea.hidden.is_some();
        let authorship = match actor {
            Some(actor) if private => self.authorship(actor.id, &idea).await?,
            _ => Authorship::None,
        };
        if !view.may_on_idea(&idea, authorship, IdeaAction::Read) {
            return Err(AppError::NotFound);
        }
        Ok((idea, view))
    }

    pub async fn idea(&self, actor: Option<&Actor>, id: i64) -> AppResult<IdeaView> {
        let (idea, space) = self.visible_idea(actor, id).await?;
        let supported = match actor {
            Some(actor) => !self
                .store
                .supported_among(actor.id, &[idea.id])
                .await?
                .is_empty(),
            None => false,
        };
        let challenge = match idea.challenge_id {
            Some(cid) => self.store.challenge(cid).await?,
            None => None,
        };
        let rules = rules_of(&idea)?;
        let gathering = idea.stage == Stage::Gathering
            && !SupportRules::has_expired(tier_state(&idea), self.now());
        let co_authors = self.store.co_authors(idea.id).await?;
        let authorship = authorship_among(actor.map(|a| a.id), &idea, &co_authors);
        Ok(IdeaView {
            supported,
            can_support: gathering && space.can_contribute,
            can_curate: space.can_curate,
            is_author: matches!(authorship, Authorship::Lead | Authorship::CoAuthor),
            invited: authorship == Authorship::Invited,
            co_authors,
            attachments: self.store.attachments(idea.id).await?,
            can_edit: space.may_on_idea(&idea, authorship, IdeaAction::Edit)
                && !idea.stage.is_final()
                && idea.hidden.is_none(),
            target: support_target(&idea)?,
            tiers: rules.tiers().to_vec(),
            history: self.store.idea_events(idea.id).await?,
            moves: if space.can_curate {
                idea.stage.staff_moves()
            } else {
                Vec::new()
            },
            challenge,
            space,
            idea,
        })
    }

    /// One page of the ideas in a space (or one of its challenges) the actor may see.
    pub async fn ideas(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        filter: &IdeaFilter,
    ) -> AppResult<IdeaPage> {
        let view = self.space(actor, slug).await?;
        self.ideas_of(actor, &view, filter).await
    }

    /// What a space page shows: the space, one page of its ideas, its challenges and, to those
    /// who manage it, its members.
    pub async fn space_page(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        filter: &IdeaFilter,
    ) -> AppResult<SpaceContents> {
        let view = self.space(actor, slug).await?;
        let ideas = self.ideas_of(actor, &view, filter).await?;
        let challenges = self.store.challenges(view.space.id).await?;
        let members = if view.can_manage {
            self.store.space_members(view.space.id).await?
        } else {
            Vec::new()
        };
        Ok(SpaceContents {
            view,
            ideas,
            challenges,
            members,
        })
    }

    /// A challenge, its space and one page of its ideas, if the actor may see them.
    pub async fn challenge_page(
        &self,
        actor: Option<&Actor>,
        filter: &IdeaFilter,
    ) -> AppResult<(SpaceView, Challenge, IdeaPage)> {
        let id = filter.challenge_id.ok_or(AppError::NotFound)?;
        let (view, challenge) = self.challenge(actor, id).await?;
        let ideas = self.ideas_of(actor, &view, filter).await?;
        Ok((view, challenge, ideas))
    }

    /// One page of the ideas of a space the actor may see.
    async fn ideas_of(
        &self,
        actor: Option<&Actor>,
        view: &SpaceView,
        filter: &IdeaFilter,
    ) -> AppResult<IdeaPage> {
        let order = match filter.order {
            ListOrder::Newest => IdeaOrder::Newest,
            ListOrder::Top => IdeaOrder::Top,
            ListOrder::Hot => IdeaOrder::Hot,
            ListOrder::Trending => IdeaOrder::Trending,
        };
        let prefix = filter.order.as_str();
        let after = match &filter.cursor {
            None => None,
            Some(cursor) => {
                let payload = open_cursor(&self.config.secret_key, cursor).ok_or_else(|| {
                    AppError::invalid("cursor", "is not a cursor this list gave out")
                })?;
                let mut parts = payload.split(':');
                let valid = (parts.next() == Some(prefix)).then_some(()).and_then(|()| {
                    let key = parts.next()?.parse::<i64>().ok()?;
                    let id = parts.next()?.parse::<i64>().ok()?;
                    Some((key, id))
                });
                Some(valid.ok_or_else(|| {
                    AppError::invalid("cursor", "belongs to another ordering of this list")
                })?)
            }
        };
        let tag = match &filter.tag {
            Some(tag) => Tags::parse(tag)?.as_slice().first().cloned(),
            None => None,
        };
        // A challenge filter must name a challenge of this very space.
        if let Some(challenge_id) = filter.challenge_id {
            let belongs = self
                .store
                .challenge(challenge_id)
                .await?
                .is_some_and(|c| c.space_id == view.space.id);
            if !belongs {
                return Err(AppError::NotFound);
            }
        }
        let query = IdeaQuery {
            space_id: view.space.id,
            challenge_id: filter.challenge_id,
            stage: filter.stage,
            tag,
            order,
            // Drafts are listed to their authors and to staff only.
            viewer_id: actor.map(|a| a.id),
            all_drafts: view.can_curate,
            after,
            limit: IDEAS_PER_PAGE,
        };
        let ideas = self.store.ideas(&query).await?;
        let next = (ideas.len() as i64 == IDEAS_PER_PAGE)
            .then(|| ideas.last())
            .flatten()
            .map(|last| {
                let key = match filter.order {
                    ListOrder::Newest => last.created_at.millis(),
                    ListOrder::Top => last.supporters,
                    ListOrder::Hot => last.hot,
                    ListOrder::Trending => last.trending,
                };
                sign_cursor(
                    &self.config.secret_key,
                    &format!("{prefix}:{key}:{}", last.id),
                )
            });
        let supported = match actor {
            Some(actor) => {
                self.store
                    .supported_among(actor.id, &ideas.iter().map(|i| i.id).collect::<Vec<_>>())
                    .await?
            }
            None => Vec::new(),
        };
        Ok(IdeaPage {
            items: ideas
                .into_iter()
                .map(|idea| IdeaItem {
                    supported: supported.contains(&idea.id),
                    idea,
                })
                .collect(),
            next,
        })
    }

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
    async fn search_query(
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
        let tag = match &filter.tag {
            Some(tag) => Tags::parse(tag)?.as_slice().first().cloned(),
            None => None,
        };
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

    /// Supports an idea that is gathering support; a second support by the same account is a
    /// no-op. Reaching the last tier sends the idea to review.
    pub async fn support(&self, actor: &Actor, id: i64) -> AppResult<Idea> {
        let (_, view) = self.visible_idea(Some(actor), id).await?;
        if !view.can_contribute {
            return Err(AppError::Forbidden);
        }
        self.supports.add(self, actor.id, id).await
    }

    /// Adds a batch of (account, idea) supports in one transaction, with a few statements
    /// whatever its size. The outer error fails the whole batch (nothing is stored); the inner
    /// results answer each support, in the order given, with the idea as it stands after the batch.
    pub(crate) async fn commit_supports(
        &self,
        supports: &[(i64, i64)],
    ) -> AppResult<Vec<AppResult<Idea>>> {
        let now = self.now();
        let mut ids: Vec<i64> = supports.iter().map(|&(_, idea_id)| idea_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.store.begin().await?;
        let mut ideas: HashMap<i64, Idea> = tx
            .lock_ideas(&ids)
            .await?
            .into_iter()
            .map(|idea| (idea.id, idea))
            .collect();
        let mut results: Vec<AppResult<()>> = Vec::with_capacity(supports.len());
        let mut accepted = Vec::new();
        for &(account_id, idea_id) in supports {
            let checked = match ideas.get(&idea_id) {
                None => Err(AppError::NotFound),
                Some(idea) => Self::ensure_gathering(idea, now),
            };
            if checked.is_ok() {
                accepted.push((idea_id, account_id));
            }
            results.push(checked);
        }
        // The same account may support the same idea twice in one batch (two tabs, a retry).
        accepted.sort_unstable();
        accepted.dedup();
        let mut counts = Vec::new();
        for (idea_id, gained) in tx.add_supports(&accepted, now).await? {
            if let Some(idea) = ideas.get(&idea_id) {
                // The rows are locked, so the count is the stored one plus the supports just
                // recorded. The ranks move with it, in the same write, so the refresh is left
                // with what time alone changes.
                let supporters = idea.supporters + gained;
                let count = SupporterCount {
                    idea_id,
                    supporters,
                    hot: cocreate_core::ranks::hot(supporters, idea.comments, idea.created_at),
                    trending: idea.trending + gained,
                };
                let updated = self
                    .apply_supporter_count(&mut *tx, idea, count.supporters, now)
                    .await?;
                ideas.insert(
                    idea_id,
                    Idea {
                        hot: count.hot,
                        trending: count.trending,
                        ..updated
                    },
                );
                counts.push(count);
            }
        }
        tx.set_supporters(&counts, now).await?;
        // Not `App::commit`: the batch holds many requests' supports, and whichever request
        // commits it must not mark its own idempotency key by it. A support needs no mark: made
        // twice, it counts once.
        tx.commit().await?;
        Ok(results
            .into_iter()
            .zip(supports)
            .map(|(checked, (_, idea_id))| {
                checked.and_then(|()| ideas.get(idea_id).cloned().ok_or(AppError::NotFound))
            })
            .collect())
    }

    /// Moves a gathering idea up its tiers for a new supporter count, sending it to review
    /// (with a history entry) when the last tier is reached.
    async fn apply_supporter_count(
        &self,
        tx: &mut dyn Tx,
        idea: &Idea,
        count: i64,
        now: Timestamp,
    ) -> AppResult<Idea> {
        let mut updated = Idea {
            supporters: count,
            updated_at: now,
            ..idea.clone()
        };
        if idea.stage != Stage::Gathering {
            return Ok(updated);
        }
        let rules = rules_of(idea)?;
        let progress = match rules.advance(tier_state(idea), count, now) {
            TierOutcome::Gathering(state) if state != tier_state(idea) => IdeaProgress {
                stage: Stage::Gathering,
                tier: state.tier,
                tier_deadline: Some(state.deadline),
            },
            TierOutcome::Gathering(_) => return Ok(updated),
            TierOutcome::ReachedReview => IdeaProgress {
                stage: Stage::Review,
                tier: rules.tiers().len() as i64,
                tier_deadline: None,
            },
        };
        tx.set_idea_progress(idea.id, &progress, now).await?;
        if progress.stage == Stage::Review {
            self.record_reached_review(tx, idea.id, count).await?;
        }
        updated.stage = progress.stage;
        updated.tier = progress.tier;
        updated.tier_deadline = progress.tier_deadline;
        Ok(updated)
    }

    /// Writes to an idea's history that its supporters took it to review.
    pub(crate) async fn record_reached_review(
        &self,
        tx: &mut dyn Tx,
        idea_id: i64,
        supporters: i64,
    ) -> AppResult<()> {
        let reason = format!("It reached {supporters} supporters, the last tier.");
        self.record_stage(
            tx,
            idea_id,
            None,
            Some(Stage::Gathering),
            Stage::Review,
            &reason,
        )
        .await
    }

    fn ensure_gathering(idea: &Idea, now: Timestamp) -> AppResult<()> {
        if idea.hidden.is_some() {
            return Err(AppError::conflict(
                "idea",
                "this idea is hidden by a moderator",
            ));
        }
        if idea.stage != Stage::Gathering || SupportRules::has_expired(tier_state(idea), now) {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "this idea is not gathering support (it is {})",
                    idea.stage.label().to_lowercase()
                ),
            ));
        }
        Ok(())
    }

    /// Withdraws the actor's support while the idea is still gathering support.
    pub async fn withdraw_support(&self, actor: &Actor, id: i64) -> AppResult<Idea> {
        self.visible_idea(Some(actor), id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        Self::ensure_gathering(&idea, now)?;
        tx.remove_support(id, actor.id).await?;
        crate::ranks::rerank(&mut *tx, &[id], now).await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// The author publishes a draft: it starts gathering support.
    pub async fn publish_idea(&self, actor: &Actor, id: i64) -> AppResult<Idea> {
        let (idea, view) = self.visible_idea(Some(actor), id).await?;
        let authorship = self.authorship(actor.id, &idea).await?;
        if !view.may_on_idea(&idea, authorship, IdeaAction::Edit) {
            return Err(AppError::Forbidden);
        }
        let mover = match authorship {
            Authorship::Lead | Authorship::CoAuthor => Mover::Author,
            Authorship::Invited | Authorship::None => Mover::Staff,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        if !idea.stage.may_move(Stage::Gathering, mover) {
            return Err(AppError::conflict("stage", "only drafts can be published"));
        }
        let state = rules_of(&idea)?.start(now);
        tx.set_idea_progress(
            id,
            &IdeaProgress {
                stage: Stage::Gathering,
                tier: 0,
                tier_deadline: Some(state.deadline),
            },
            now,
        )
        .await?;
        self.record_stage(
            &mut *tx,
            id,
            Some(actor),
            Some(Stage::Draft),
            Stage::Gathering,
            "",
        )
        .await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// Its author (or staff) changes an open idea's title, text or tags; the change is kept as a
    /// revision.
    pub async fn edit_idea(
        &self,
        actor: &Actor,
        id: i64,
        title: &str,
        body: &str,
        tags: &str,
    ) -> AppResult<Idea> {
        let (idea, view) = self.visible_idea(Some(actor), id).await?;
        let authorship = self.authorship(actor.id, &idea).await?;
        if !view.may_on_idea(&idea, authorship, IdeaAction::Edit) {
            return Err(AppError::Forbidden);
        }
        if idea.stage.is_final() || idea.hidden.is_some() {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "a {} idea can no longer be edited",
                    idea.stage.label().to_lowercase()
                ),
            ));
        }
        let title = Title::parse(title)?;
        let body = Markdown::parse("body", body, true, MAX_BODY_CHARS)?;
        let tags = Tags::parse(tags)?;
        let stored_tags = tags.to_stored();
        let mut tx = self.store.begin().await?;
        let text = cocreate_store::IdeaText {
            title: title.as_str(),
            body: &body.source,
            body_html: &body.html,
            tags: &stored_tags,
        };
        tx.edit_idea(id, actor.id, &text, self.now()).await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// The idea's versions, newest first, each with its changes.
    pub async fn idea_revisions(
        &self,
        actor: Option<&Actor>,
        id: i64,
    ) -> AppResult<Vec<RevisionView>> {
        self.visible_idea(actor, id).await?;
        let revisions = self.store.idea_revisions(id).await?;
        let as_text = |r: &cocreate_store::IdeaRevision| {
            format!(
                "# {}\n\n{}\n\nTags: {}\n",
                r.title,
                r.body,
                r.tags.trim_matches(',').replace(',', ", ")
            )
        };
        let mut views: Vec<RevisionView> = revisions
            .iter()
            .enumerate()
            .map(|(index, revision)| {
                let before = if index == 0 {
                    String::new()
                } else {
                    as_text(&revisions[index - 1])
                };
                RevisionView {
                    diff: cocreate_core::markdown::diff_lines(&before, &as_text(revision)),
                    revision: revision.clone(),
                }
            })
            .collect();
        views.reverse();
        Ok(views)
    }

    /// Staff move an idea to another stage with a public rationale; its author and supporters
    /// are told by mail.
    pub async fn move_idea(
        &self,
        actor: &Actor,
        id: i64,
        to: Stage,
        rationale: &str,
    ) -> AppResult<Idea> {
        let (_, view) = self.visible_idea(Some(actor), id).await?;
        Self::require_curator(&view)?;
        let rationale = Rationale::parse(rationale)?;
        if to == Stage::Merged {
            return Err(AppError::invalid(
                "stage",
                "merge an idea into another with the merge action",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        if !idea.stage.may_move(to, Mover::Staff) {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "an idea cannot go from {} to {}",
                    idea.stage.label().to_lowercase(),
                    to.label().to_lowercase()
                ),
            ));
        }
        // Only a draft moves to gathering support: its tiers start now.
        let (tier, deadline) = if to == Stage::Gathering {
            (0, Some(rules_of(&idea)?.start(now).deadline))
        } else {
            (idea.tier, None)
        };
        tx.set_idea_progress(
            id,
            &IdeaProgress {
                stage: to,
                tier,
                tier_deadline: deadline,
            },
            now,
        )
        .await?;
        self.record_stage(
            &mut *tx,
            id,
            Some(actor),
            Some(idea.stage),
            to,
            rationale.as_str(),
        )
        .await?;
        let subject = format!("“{}” is now {}", idea.title, to.label().to_lowercase());
        let body = format!(
            "{} moved “{}” to {}:\n\n{}\n\n{}\n",
            actor.name,
            idea.title,
            to.label().to_lowercase(),
            rationale.as_str(),
            self.link(&format!("/ideas/{id}"))
        );
        self.tell_followers(&mut *tx, &idea, &subject, &body)
            .await?;
        self.commit(tx).await?;
        self.wake_news_worker();
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// Mails the idea's supporters and author, through the news job: one event here, however
    /// many supporters there are.
    async fn tell_followers(
        &self,
        tx: &mut dyn Tx,
        idea: &Idea,
        subject: &str,
        body: &str,
    ) -> AppResult<()> {
        tx.insert_fanout(&NewFanout {
            kind: FanoutKind::Decision,
            idea_id: idea.id,
            comment_id: None,
            skip_account_id: None,
            subject,
            body,
            created_at: self.now(),
        })
        .await?;
        Ok(())
    }

    /// Staff merge a duplicate into another idea of the same space: supporters move over (each
    /// counted once) and the duplicate links to the idea it joined.
    pub async fn merge_idea(
        &self,
        actor: &Actor,
        id: i64,
        into: i64,
        rationale: &str,
    ) -> AppResult<Idea> {
        let (_, view) = self.visible_idea(Some(actor), id).await?;
        Self::require_curator(&view)?;
        let rationale = Rationale::parse(rationale)?;
        if id == into {
            return Err(AppError::invalid(
                "into",
                "an idea cannot be merged into itself",
            ));
        }
        let (target, _) = self
            .visible_idea(Some(actor), into)
            .await
            .map_err(|_| AppError::invalid("into", "no such idea"))?;
        if target.space_id != view.space.id
            || target.stage.is_final()
            || target.stage == Stage::Draft
        {
            return Err(AppError::invalid(
                "into",
                "must be an open idea in the same space",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        if !idea.stage.may_move(Stage::Merged, Mover::Staff) {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "a {} idea cannot be merged",
                    idea.stage.label().to_lowercase()
                ),
            ));
        }
        let target = tx.lock_idea(into).await?.ok_or(AppError::NotFound)?;
        let count = tx.merge_idea(id, into, now).await?;
        // The supporters that moved count toward the target's tiers at once.
        self.apply_supporter_count(&mut *tx, &target, count, now)
            .await?;
        crate::ranks::rerank(&mut *tx, &[id, into], now).await?;
        let note = format!("Merged into #{into}: {}", rationale.as_str());
        self.record_stage(
            &mut *tx,
            id,
            Some(actor),
            Some(idea.stage),
            Stage::Merged,
            &note,
        )
        .await?;
        self.commit(tx).await?;
        self.store.idea(into).await?.ok_or(AppError::NotFound)
    }

    /// Expires every idea whose tier deadline has passed, telling authors and supporters.
    /// Returns how many expired.
    pub async fn expire_overdue_ideas(&self) -> AppResult<usize> {
        let now = self.now();
        let due = self.store.ideas_past_deadline(now, 100).await?;
        let mut expired = 0;
        for candidate in due {
            let mut tx = self.store.begin().await?;
            let Some(idea) = tx.lock_idea(candidate.id).await? else {
                continue;
            };
            if idea.stage != Stage::Gathering || !SupportRules::has_expired(tier_state(&idea), now)
            {
                continue;
            }
            tx.set_idea_progress(
                idea.id,
                &IdeaProgress {
                    stage: Stage::Expired,
                    tier: idea.tier,
                    tier_deadline: None,
                },
                now,
            )
            .await?;
            let target = rules_of(&idea)?
                .target(tier_state(&idea))
                .map_or(0, |t| t.supporters);
            let reason = format!(
                "It had {} of the {target} supporters it needed by its deadline.",
                idea.supporters
            );
            self.record_stage(
                &mut *tx,
                idea.id,
                None,
                Some(Stage::Gathering),
                Stage::Expired,
                &reason,
            )
            .await?;
            let body = format!(
                "“{}” has expired. {reason}\n\n{}\n",
                idea.title,
                self.link(&format!("/ideas/{}", idea.id))
            );
            self.tell_followers(
                &mut *tx,
                &idea,
                &format!("“{}” has expired", idea.title),
                &body,
            )
            .await?;
            self.commit(tx).await?;
            expired += 1;
        }
        if expired > 0 {
            self.wake_news_worker();
        }
        Ok(expired)
    }
}
