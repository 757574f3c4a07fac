//! `cocreate import polis`: a Polis export becomes a challenge of a space. Its comments become
//! statements (moderated-out ones hidden), each participant a contact keeping their Polis
//! participant id, and each last vote a vote. Importing the same conversation again adds only
//! what is not there yet.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use cocreate_core::{Markdown, SupportRules, Timestamp, Title};
use cocreate_insights::polis::{self, PolisConversation, PolisError};
use cocreate_store::{ChallengeFields, ImportedStatement};

use crate::{App, AppError, AppResult};

/// The files of a Polis export folder, opened by the caller.
pub struct PolisExport<R> {
    /// The folder's name, which names the conversation when `summary.csv` gives no address.
    pub name: String,
    pub comments: R,
    pub votes: Option<R>,
    pub participants_votes: Option<R>,
    pub summary: Option<R>,
}

/// What an import found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolisImported {
    pub challenge_id: i64,
    /// Whether the challenge was made now (rather than found from an earlier import).
    pub created: bool,
    pub statements: usize,
    pub hidden_statements: usize,
    pub participants: usize,
    pub votes: usize,
    pub votes_added: u64,
}

/// What the export says of itself.
struct Parsed {
    conversation: PolisConversation,
    topic: Option<String>,
    address: Option<String>,
    description: Option<String>,
}

fn file_error(error: PolisError) -> AppError {
    AppError::invalid(error.file, format!("line {}: {}", error.line, error.reason))
}

fn parse<R: Read>(export: PolisExport<R>) -> Result<Parsed, PolisError> {
    let conversation =
        PolisConversation::read(export.comments, export.votes, export.participants_votes)?;
    let summary: HashMap<String, String> = match export.summary {
        Some(file) => polis::summary(file)?.into_iter().collect(),
        None => HashMap::new(),
    };
    let given = |key: &str| summary.get(key).filter(|v| !v.is_empty()).cloned();
    Ok(Parsed {
        topic: given("topic"),
        address: given("url"),
        description: given("conversation-description"),
        conversation,
    })
}

/// The first `max` characters of `text`.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl App {
    /// Imports a Polis export into the space `space_slug`, or the organisation's first space
    /// when none is named (see the module documentation).
    pub async fn import_polis<R: Read + Send + 'static>(
        &self,
        space_slug: Option<&str>,
        export: PolisExport<R>,
    ) -> AppResult<PolisImported> {
        let name = export.name.clone();
        let parsed = tokio::task::spawn_blocking(move || parse(export))
            .await
            .map_err(|e| AppError::Internal(format!("reading the export: {e}")))?
            .map_err(file_error)?;
        let space = match space_slug {
            Some(slug) => self.store.space_by_slug(slug).await?,
            None => self.store.spaces().await?.into_iter().min_by_key(|s| s.id),
        }
        .ok_or_else(|| AppError::invalid("space", "no such space: create it first"))?;
        let source = parsed
            .address
            .clone()
            .unwrap_or_else(|| format!("polis:{name}"));
        let conversation = &parsed.conversation;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (challenge_id, created) = match self.store.challenge_of_source(&source).await? {
            Some(id) => (id, false),
            None => {
                let Some(&admin) = tx.lock_admin_ids().await?.first() else {
                    return Err(AppError::invalid(
                        "admin",
                        "there is no admin yet to own the challenge: create one first",
                    ));
                };
                let title =
                    Title::parse(&cut(parsed.topic.as_deref().unwrap_or(&name), Title::MAX))?;
                let about = parsed
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("Imported from the Polis conversation {source}."));
                let problem = Markdown::parse(
                    "problem",
                    &cut(&about, cocreate_core::markdown::MAX_BODY_CHARS),
                    true,
                    cocreate_core::markdown::MAX_BODY_CHARS,
                )?;
                let tiers = SupportRules::default().to_string();
                let fields = ChallengeFields {
                    title: title.as_str(),
                    problem: &problem.source,
                    problem_html: &problem.html,
                    questions: "",
                    tags: "",
                    tiers: &tiers,
                    opens_at: None,
                    closes_at: None,
                };
                let id = tx.insert_challenge(space.id, &fields, admin, now).await?;
                tx.record_challenge_source(&source, id).await?;
                (id, true)
            }
        };
        let people: BTreeSet<u64> = conversation
            .votes
            .iter()
            .map(|v| v.voter)
            .chain(conversation.comments.iter().map(|c| c.author))
            .collect();
        let refs: Vec<String> = people.iter().map(u64::to_string).collect();
        let contact_ids = tx.load_contacts(&source, &refs, now).await?;
        let contact_of: HashMap<u64, i64> = people.iter().copied().zip(contact_ids).collect();
        let statements: Vec<ImportedStatement<'_>> = conversation
            .comments
            .iter()
            .map(|comment| ImportedStatement {
                external_ref: comment.id.to_string(),
                body: comment.body.as_str(),
                author_contact_id: contact_of.get(&comment.author).copied(),
                hidden: comment.hidden,
                created_at: Timestamp(comment.created_ms),
            })
            .collect();
        let statement_ids = tx.load_statements(challenge_id, &statements).await?;
        let statement_of: HashMap<u64, i64> = conversation
            .comments
            .iter()
            .map(|c| c.id)
            .zip(statement_ids)
            .collect();
        let votes: Vec<_> = conversation
            .votes
            .iter()
            .map(|vote| {
                let statement = statement_of.get(&vote.statement).ok_or_else(|| {
                    AppError::invalid(
                        "votes.csv",
                        format!(
                            "a vote on comment {}, which comments.csv lacks",
                            vote.statement
                        ),
                    )
                })?;
                Ok((
                    *statement,
                    contact_of[&vote.voter],
                    vote.opinion,
                    Timestamp(vote.at_ms),
                ))
            })
            .collect::<AppResult<_>>()?;
        let votes_added = tx.load_contact_votes(challenge_id, &votes).await?;
        self.audit(
            &mut *tx,
            None,
            "challenge.import_polis",
            &format!("challenge:{challenge_id}"),
            &format!("{source}: {votes_added} votes added"),
        )
        .await?;
        self.commit(tx).await?;
        Ok(PolisImported {
            challenge_id,
            created,
            statements: conversation.comments.len(),
            hidden_statements: conversation.comments.iter().filter(|c| c.hidden).count(),
            participants: people.len(),
            votes: votes.len(),
            votes_added,
        })
    }
}
