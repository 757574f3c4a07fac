//! Opinions in a challenge: short statements people vote agree, disagree or pass on, and the
//! opinion groups their votes form (computed by `cocreate-insights`). Reading them needs the
//! challenge's space to be readable; voting and adding a statement need leave to contribute.

use std::collections::HashMap;
use std::sync::Arc;

use cocreate_core::{Opinion, StatementText};
use cocreate_insights::{Ballot, InsightsError, opinion_groups};
use cocreate_store::{Challenge, Statement, Voter};

use crate::challenge_cache::ChallengeCache;
use crate::{Actor, App, AppError, AppResult, SpaceView};

/// A statement with the viewer's own vote on it.
#[derive(Debug, Clone)]
pub struct StatementView {
    pub statement: Statement,
    pub mine: Option<Opinion>,
}

/// A challenge's statements as the viewer sees them.
#[derive(Debug, Clone)]
pub struct OpinionsView {
    pub space: SpaceView,
    pub challenge: Challenge,
    pub statements: Vec<StatementView>,
}

/// A statement in a group's or the whole conversation's summary.
#[derive(Debug, Clone)]
pub struct StatementLean {
    pub statement: Statement,
    pub opinion: Opinion,
    /// Share (0–1) of the group's votes on it leaning that way.
    pub share: f64,
    /// The same share among everyone else (for a group), or the least over the groups (for a
    /// consensus).
    pub other_share: f64,
}

#[derive(Debug, Clone)]
pub struct OpinionGroupView {
    /// 1 for the largest.
    pub number: usize,
    pub size: usize,
    /// Who is in it, for staff who run the challenge (empty for everyone else).
    pub members: Vec<Member>,
    pub centre: [f64; 2],
    pub distinctive: Vec<StatementLean>,
}

/// A participant's place on the opinion map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    /// Whether this is the viewer.
    pub is_viewer: bool,
    pub at: [f64; 2],
    /// Index into the groups; `None` for one left out for voting too little.
    pub group: Option<usize>,
}

/// The opinion groups of a challenge, or why there are none yet.
#[derive(Debug, Clone)]
pub struct OpinionGroupsView {
    pub space: SpaceView,
    pub challenge: Challenge,
    pub statements: usize,
    pub votes: usize,
    pub found: Result<FoundGroups, String>,
}

/// A participant: an account, or a contact known by where they were met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Account(i64),
    Contact { external_ref: String },
}

#[derive(Debug, Clone)]
pub struct FoundGroups {
    pub groups: Vec<OpinionGroupView>,
    pub consensus: Vec<StatementLean>,
    pub map: Vec<MapPoint>,
    /// Votes a participant needed to be grouped.
    pub min_votes: usize,
}

impl App {
    fn require_contributor(view: &SpaceView) -> AppResult<()> {
        if view.can_contribute {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The challenge's shown statements (moderators see the hidden ones too), each with the
    /// viewer's vote.
    pub async fn opinions(
        &self,
        actor: Option<&Actor>,
        challenge_id: i64,
    ) -> AppResult<OpinionsView> {
        let (space, challenge) = self.challenge(actor, challenge_id).await?;
        let statements = self
            .store
            .statements(challenge_id, space.can_moderate)
            .await?;
        let mine: HashMap<i64, Opinion> = match actor {
            Some(actor) => self
                .store
                .opinions_of(challenge_id, actor.id)
                .await?
                .into_iter()
                .collect(),
            None => HashMap::new(),
        };
        Ok(OpinionsView {
            space,
            challenge,
            statements: statements
                .into_iter()
                .map(|statement| StatementView {
                    mine: mine.get(&statement.id).copied(),
                    statement,
                })
                .collect(),
        })
    }

    pub async fn add_statement(
        &self,
        actor: &Actor,
        challenge_id: i64,
        body: &str,
    ) -> AppResult<Statement> {
        let (space, _) = self.challenge(Some(actor), challenge_id).await?;
        Self::require_contributor(&space)?;
        let body = StatementText::parse(body)?;
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_statement(challenge_id, body.as_str(), actor.id, self.now())
            .await?;
        self.commit(tx).await?;
        self.store.statement(id).await?.ok_or(AppError::NotFound)
    }

    /// Records the actor's vote on a shown statement, replacing their earlier one.
    pub async fn vote_on_statement(
        &self,
        actor: &Actor,
        statement_id: i64,
        opinion: Opinion,
    ) -> AppResult<Statement> {
        let statement = self
            .store
            .statement(statement_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (space, _) = self.challenge(Some(actor), statement.challenge_id).await?;
        if statement.hidden {
            return Err(AppError::NotFound);
        }
        Self::require_contributor(&space)?;
        let mut tx = self.store.begin().await?;
        tx.cast_opinion(statement_id, actor.id, opinion, self.now())
            .await?;
        self.commit(tx).await?;
        self.store
            .statement(statement_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The opinion groups the votes on the challenge's shown statements form. The analysis is
    /// reused while no vote on them has changed (each such change bumps a statement's version).
    pub async fn opinion_groups(
        &self,
        actor: Option<&Actor>,
        challenge_id: i64,
    ) -> AppResult<OpinionGroupsView> {
        let (space, challenge) = self.challenge(actor, challenge_id).await?;
        let statements = self.store.statements(challenge_id, false).await?;
        let fingerprint: Vec<(i64, i64)> = statements.iter().map(|s| (s.id, s.version)).collect();
        let computed = match self.opinion_groups_cache.get(challenge_id, &fingerprint) {
            Some(computed) => computed,
            None => {
                let computed = Arc::new(self.analyse(challenge_id, statements).await?);
                self.opinion_groups_cache
                    .keep(challenge_id, fingerprint, Arc::clone(&computed));
                computed
            }
        };
        let found = match &computed.groups {
            Ok(groups) => {
                let contact_refs = if space.can_curate {
                    let contacts: Vec<i64> = computed
                        .voters
                        .iter()
                        .filter_map(|voter| match voter {
                            Voter::Contact(id) => Some(*id),
                            Voter::Account(_) => None,
                        })
                        .collect();
                    let refs = self.store.contact_refs(&contacts).await?;
                    Some(refs.into_iter().collect())
                } else {
                    None
                };
                let shown = Shown {
                    viewer: actor.map(|actor| Voter::Account(actor.id)),
                    contact_refs,
                };
                Ok(found_groups(groups, &computed, &shown))
            }
            Err(reason) => Err(reason.clone()),
        };
        Ok(OpinionGroupsView {
            space,
            challenge,
            statements: computed.statements.len(),
            votes: computed.votes,
            found,
        })
    }

    /// Reads every vote on the statements and finds the groups they form.
    async fn analyse(&self, challenge_id: i64, statements: Vec<Statement>) -> AppResult<Analysed> {
        let votes = self.store.opinion_votes(challenge_id).await?;
        let statement_number: HashMap<i64, usize> = statements
            .iter()
            .enumerate()
            .map(|(at, s)| (s.id, at))
            .collect();
        let mut voters: Vec<Voter> = votes.iter().map(|v| v.voter).collect();
        voters.sort_unstable();
        voters.dedup();
        let ballots: Vec<Ballot> = votes
            .iter()
            .filter_map(|vote| {
                Some(Ballot {
                    participant: voters.binary_search(&vote.voter).ok()?,
                    statement: *statement_number.get(&vote.statement_id)?,
                    opinion: vote.opinion,
                })
            })
            .collect();
        let (participants, statement_count, vote_count) =
            (voters.len(), statements.len(), ballots.len());
        // The analysis is CPU work of up to a fraction of a second: off the async threads.
        let groups = tokio::task::spawn_blocking(move || {
            opinion_groups(participants, statement_count, &ballots)
        })
        .await
        .map_err(|e| AppError::Internal(format!("opinion groups: {e}")))?;
        let groups = match groups {
            Ok(groups) => Ok(groups),
            Err(InsightsError::NotEnoughData(reason)) => Err(reason),
            Err(other) => return Err(AppError::Internal(other.to_string())),
        };
        Ok(Analysed {
            statements,
            voters,
            votes: vote_count,
            groups,
        })
    }
}

/// The analysis of a challenge's votes, and what it was made from.
pub(crate) struct Analysed {
    statements: Vec<Statement>,
    voters: Vec<Voter>,
    votes: usize,
    /// The groups, or why there are none.
    groups: Result<cocreate_insights::OpinionGroups, String>,
}

/// The opinion groups of challenges, by their shown statements' ids and versions.
pub(crate) type OpinionGroupsCache = ChallengeCache<Vec<(i64, i64)>, Analysed>;

/// Who the viewer is, and, when they may see who is in each group, the contacts' references.
struct Shown {
    viewer: Option<Voter>,
    contact_refs: Option<HashMap<i64, String>>,
}

impl Shown {
    /// The voter as a member the viewer may see, if they may.
    fn member(&self, voter: &Voter) -> Option<Member> {
        let refs = self.contact_refs.as_ref()?;
        match voter {
            Voter::Account(id) => Some(Member::Account(*id)),
            Voter::Contact(id) => Some(Member::Contact {
                external_ref: refs.get(id)?.clone(),
            }),
        }
    }
}

fn found_groups(
    found: &cocreate_insights::OpinionGroups,
    analysed: &Analysed,
    shown: &Shown,
) -> FoundGroups {
    let (voters, statements) = (&analysed.voters, &analysed.statements);
    let lean = |statement: usize, opinion, share, other_share| StatementLean {
        statement: statements[statement].clone(),
        opinion,
        share,
        other_share,
    };
    FoundGroups {
        groups: found
            .groups
            .iter()
            .enumerate()
            .map(|(at, group)| OpinionGroupView {
                number: at + 1,
                size: group.members.len(),
                members: group
                    .members
                    .iter()
                    .filter_map(|&p| shown.member(&voters[p]))
                    .collect(),
                centre: group.centre,
                distinctive: group
                    .distinctive
                    .iter()
                    .map(|d| lean(d.statement, d.opinion, d.share_in_group, d.share_elsewhere))
                    .collect(),
            })
            .collect(),
        consensus: found
            .consensus
            .iter()
            .map(|c| lean(c.statement, c.opinion, c.least_share, c.least_share))
            .collect(),
        map: found
            .positions
            .iter()
            .zip(&found.group_of)
            .zip(voters)
            .filter_map(|((at, group), voter)| {
                Some(MapPoint {
                    is_viewer: shown.viewer == Some(*voter),
                    at: (*at)?,
                    group: *group,
                })
            })
            .collect(),
        min_votes: found.min_votes,
    }
}
