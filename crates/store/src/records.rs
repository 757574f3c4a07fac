//! What the store keeps, as plain records. Values in them were validated before they were stored.

use std::fmt;
use std::str::FromStr;

use cocreate_core::{AccountKind, Audience, OrgRole, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub name: String,
    pub description: String,
    pub has_logo: bool,
    /// An IANA name, checked when set.
    pub time_zone: String,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// Unique; others mention the account as `@handle`.
    pub handle: String,
    pub password_hash: String,
    pub kind: AccountKind,
    pub role: OrgRole,
    pub created_at: Timestamp,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub name: &'a str,
    /// The handle wanted (see `cocreate_core::dialogue::handle_for`). When someone has it
    /// already, the store appends `-` and the account's id.
    pub handle: &'a str,
    pub password_hash: &'a str,
    pub kind: AccountKind,
    pub role: OrgRole,
    pub created_at: Timestamp,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub account_id: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("account_id", &self.account_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What a one-time account token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    PasswordReset,
    EmailChange,
    /// Moves the feedback given with an address, before it had an account, to the account.
    ClaimFeedback,
}

impl TokenPurpose {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::EmailChange => "email_change",
            Self::ClaimFeedback => "claim_feedback",
        }
    }
}

impl FromStr for TokenPurpose {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "password_reset" => Ok(Self::PasswordReset),
            "email_change" => Ok(Self::EmailChange),
            "claim_feedback" => Ok(Self::ClaimFeedback),
            other => Err(format!("unknown token purpose {other}")),
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct AccountToken {
    pub token_hash: String,
    pub account_id: i64,
    pub purpose: TokenPurpose,
    /// The address being confirmed, for an e-mail change.
    pub new_email: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl fmt::Debug for AccountToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountToken")
            .field("account_id", &self.account_id)
            .field("purpose", &self.purpose)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub kind: AccountKind,
    pub role: OrgRole,
    pub invited_by: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
}

pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub kind: AccountKind,
    pub role: OrgRole,
    pub token_hash: &'a str,
    pub invited_by: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    /// The first characters of the token, shown so people can tell tokens apart.
    pub prefix: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

pub struct NewApiToken<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub token_hash: &'a str,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub audience: Audience,
    pub created_by: i64,
    pub created_at: Timestamp,
}

pub struct NewSpace<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub audience: Audience,
    pub created_by: i64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub created_at: Timestamp,
}

pub struct NewAudit<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    pub created_at: Timestamp,
}

/// Where a mail stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    /// Waiting for (another) delivery attempt.
    Pending,
    Sent,
    /// No SMTP server is configured: the mail was written to the log and kept here.
    Logged,
    /// Every attempt failed; no more will be made.
    Dead,
}

impl MailStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Logged => "logged",
            Self::Dead => "dead",
        }
    }
}

impl FromStr for MailStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "pending" => Ok(Self::Pending),
            "sent" => Ok(Self::Sent),
            "logged" => Ok(Self::Logged),
            "dead" => Ok(Self::Dead),
            other => Err(format!("unknown mail status {other}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
}

pub struct NewMail<'a> {
    pub to_address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub created_at: Timestamp,
}

/// The result of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    Logged,
    /// Try again at `retry_at`.
    Retry {
        error: String,
        retry_at: Timestamp,
    },
    Dead {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: i64,
    pub space_id: i64,
    pub title: String,
    /// The problem statement (the why), Markdown source and its safe HTML.
    pub problem: String,
    pub problem_html: String,
    /// Guiding questions, one per line.
    pub questions: String,
    /// Tags offered to ideas, comma-separated.
    pub tags: String,
    /// Support tiers as `supporters/days, …`.
    pub tiers: String,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    /// The cover image's object-store key and type, when there is one.
    pub cover: Option<(String, String)>,
    pub created_by: i64,
    pub created_at: Timestamp,
}

impl Challenge {
    /// Its closing date has come.
    pub fn has_closed(&self, now: Timestamp) -> bool {
        self.closes_at.is_some_and(|at| at <= now)
    }

    /// It takes ideas now: opened (or no opening date) and not closed.
    pub fn is_open(&self, now: Timestamp) -> bool {
        self.opens_at.is_none_or(|at| now >= at) && !self.has_closed(now)
    }
}

pub struct ChallengeFields<'a> {
    pub title: &'a str,
    pub problem: &'a str,
    pub problem_html: &'a str,
    pub questions: &'a str,
    pub tags: &'a str,
    pub tiers: &'a str,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idea {
    pub id: i64,
    pub space_id: i64,
    pub challenge_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub body_html: String,
    /// Tags, stored as `,a,b,` so one tag can be matched exactly.
    pub tags: String,
    pub author_id: i64,
    pub author_name: String,
    pub stage: cocreate_core::Stage,
    pub supporters: i64,
    /// The support rules this idea runs under, fixed when it was proposed.
    pub tiers: String,
    pub tier: i64,
    pub tier_deadline: Option<Timestamp>,
    pub merged_into: Option<i64>,
    /// Comments not deleted.
    pub comments: i64,
    /// Set while a moderator keeps it out of sight, with the reason given.
    pub hidden: Option<(Timestamp, String)>,
    /// The stored ranks, as last refreshed.
    pub hot: i64,
    pub trending: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Idea {
    pub fn tag_list(&self) -> Vec<&str> {
        self.tags.split(',').filter(|t| !t.is_empty()).collect()
    }
}

pub struct NewIdea<'a> {
    pub space_id: i64,
    pub challenge_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub tags: &'a str,
    pub author_id: i64,
    pub stage: cocreate_core::Stage,
    pub tiers: &'a str,
    pub tier_deadline: Option<Timestamp>,
    /// Its hot rank (`cocreate_core::ranks::hot`).
    pub hot: i64,
    pub created_at: Timestamp,
}

/// A published idea for a bulk load, with the counters, tier and ranks computed by the loader.
pub struct LoadedIdea<'a> {
    pub idea: NewIdea<'a>,
    pub supporters: i64,
    pub comments: i64,
    pub tier: i64,
    pub trending: i64,
}

/// How a list of ideas is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdeaOrder {
    Newest,
    /// Most supporters first.
    Top,
    /// The stored hot rank (activity decaying with age).
    Hot,
    /// The stored count of supporters gained in the last week.
    Trending,
}

/// Which ideas to list, and where the page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeaQuery {
    pub space_id: i64,
    pub challenge_id: Option<i64>,
    pub stage: Option<cocreate_core::Stage>,
    pub tag: Option<String>,
    pub order: IdeaOrder,
    /// Drafts are listed only to the people they name (this viewer as lead author or invited or
    /// accepted co-author) unless `all_drafts`.
    pub viewer_id: Option<i64>,
    pub all_drafts: bool,
    /// Continue after this (sort key, id): the value of the order's column and the id.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeaEvent {
    pub id: i64,
    pub idea_id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub from_stage: Option<cocreate_core::Stage>,
    pub to_stage: cocreate_core::Stage,
    pub rationale: String,
    pub created_at: Timestamp,
}

pub struct NewIdeaEvent<'a> {
    pub idea_id: i64,
    pub actor_id: Option<i64>,
    pub from_stage: Option<cocreate_core::Stage>,
    pub to_stage: cocreate_core::Stage,
    pub rationale: &'a str,
    pub created_at: Timestamp,
}

/// An idea's stage and tier progress, as one change writes them.
pub struct IdeaProgress {
    pub stage: cocreate_core::Stage,
    pub tier: i64,
    pub tier_deadline: Option<Timestamp>,
}

/// An idea's supporter count after new supports, with the ranks it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupporterCount {
    pub idea_id: i64,
    pub supporters: i64,
    pub hot: i64,
    pub trending: i64,
}

/// A full-text search over ideas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The spaces searched (those the viewer may read).
    pub space_ids: Vec<i64>,
    /// Words to find: letters and digits only (see `cocreate_core::search_terms`).
    pub terms: Vec<String>,
    /// Any word, each as a prefix (while typing), rather than all of them.
    pub any: bool,
    /// The viewer, when the ideas found include the drafts they write (as lead author or
    /// co-author, invited or accepted).
    pub drafter: Option<i64>,
    pub challenge_id: Option<i64>,
    pub stage: Option<cocreate_core::Stage>,
    pub tag: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub idea: Idea,
    /// A passage of the body with its matches marked.
    pub snippet: crate::Snippet,
}

/// A comment matching a search, with what it discusses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentHit {
    pub comment_id: i64,
    pub subject: Subject,
    /// The title of the idea or challenge discussed.
    pub title: String,
    /// A passage of the comment with its matches marked.
    pub snippet: crate::Snippet,
}

/// A challenge matching a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeHit {
    pub challenge: Challenge,
    pub space_slug: String,
    /// A passage of the problem statement with its matches marked.
    pub snippet: crate::Snippet,
}

/// What a search looks through: the table and alias searched, the joins its results need, and
/// the column the snippet comes from (with its position among the indexed columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchTarget {
    pub table: &'static str,
    pub alias: &'static str,
    pub joins: &'static str,
    pub snippet_column: &'static str,
    pub snippet_index: usize,
    /// Relative weights of the indexed columns, for ranking (FTS5 `bm25`).
    pub weights: &'static str,
}

impl SearchTarget {
    pub const IDEAS: Self = Self {
        table: "ideas",
        alias: "i",
        joins: " JOIN accounts a ON a.id = i.author_id",
        snippet_column: "body",
        snippet_index: 1,
        weights: "8.0, 1.0",
    };
    pub const COMMENTS: Self = Self {
        table: "comments",
        alias: "c",
        joins: " LEFT JOIN ideas i ON i.id = c.idea_id LEFT JOIN challenges ch ON ch.id = c.challenge_id",
        snippet_column: "body",
        snippet_index: 0,
        weights: "1.0",
    };
    pub const CHALLENGES: Self = Self {
        table: "challenges",
        alias: "ch",
        joins: " JOIN spaces s ON s.id = ch.space_id",
        snippet_column: "problem",
        snippet_index: 1,
        weights: "8.0, 1.0",
    };
}

/// What a comment thread (and a flag on one of its comments) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Idea(i64),
    Challenge(i64),
}

impl Subject {
    pub const fn idea_id(self) -> Option<i64> {
        match self {
            Self::Idea(id) => Some(id),
            Self::Challenge(_) => None,
        }
    }

    pub const fn challenge_id(self) -> Option<i64> {
        match self {
            Self::Challenge(id) => Some(id),
            Self::Idea(_) => None,
        }
    }

    /// From the pair of columns that store it, exactly one of which is set.
    pub const fn from_columns(idea_id: Option<i64>, challenge_id: Option<i64>) -> Option<Self> {
        match (idea_id, challenge_id) {
            (Some(id), None) => Some(Self::Idea(id)),
            (None, Some(id)) => Some(Self::Challenge(id)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub subject: Subject,
    pub parent_id: Option<i64>,
    /// 0 for a comment on the idea, 1 for a reply, and so on up to the cap.
    pub depth: i64,
    pub author_id: i64,
    pub author_name: String,
    pub author_handle: String,
    pub body: String,
    pub body_html: String,
    /// Written by staff: an answer with the organisation's authority.
    pub official: bool,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    /// Set while a moderator keeps it out of sight, with the reason given.
    pub hidden: Option<(Timestamp, String)>,
}

pub struct NewComment<'a> {
    pub subject: Subject,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub author_id: i64,
    pub body: &'a str,
    pub body_html: &'a str,
    pub official: bool,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub account_id: i64,
    pub idea_id: Option<i64>,
    pub challenge_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub text: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

impl Notification {
    /// The idea or challenge it is about, if any.
    pub const fn subject(&self) -> Option<Subject> {
        Subject::from_columns(self.idea_id, self.challenge_id)
    }
}

pub struct NewNotification<'a> {
    pub account_id: i64,
    pub idea_id: Option<i64>,
    pub challenge_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub text: &'a str,
    pub created_at: Timestamp,
}

/// What a flag or a moderation action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Idea,
    Comment,
}

impl ContentKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Idea => "idea",
            Self::Comment => "comment",
        }
    }
}

impl FromStr for ContentKind {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "idea" => Ok(Self::Idea),
            "comment" => Ok(Self::Comment),
            other => Err(format!("unknown content kind {other}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub id: i64,
    pub target_kind: ContentKind,
    pub target_id: i64,
    pub space_id: i64,
    /// The idea flagged or discussed, or the challenge whose discussion holds the comment.
    pub subject: Subject,
    pub reporter_id: i64,
    pub reporter_name: String,
    pub reason: String,
    pub created_at: Timestamp,
}

pub struct NewFlag<'a> {
    pub target_kind: ContentKind,
    pub target_id: i64,
    pub space_id: i64,
    /// The idea flagged or discussed, or the challenge whose discussion holds the comment.
    pub subject: Subject,
    pub reporter_id: i64,
    pub reason: &'a str,
    pub created_at: Timestamp,
}

/// What the store knows of an idempotency key when a request claims it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use: the request goes ahead.
    New,
    /// Answered before: replay this status and body.
    Done { status: i64, body: String },
    /// Another request with this key is still running (claimed at this time).
    InProgress { since: Timestamp },
    /// The key was used for a different request.
    Mismatch,
    /// The request's change was committed, but its answer was never recorded (the server
    /// stopped in between): it must not run again, and its answer cannot be replayed.
    AppliedWithoutAnswer,
}

/// What the rank formulas need to know about an idea.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankInput {
    pub id: i64,
    pub supporters: i64,
    pub comments: i64,
    pub created_at: Timestamp,
    /// Supporters gained since the trending window began.
    pub recent_supporters: i64,
    /// The ranks as stored.
    pub hot: i64,
    pub trending: i64,
}

/// One version of an idea's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeaRevision {
    pub id: i64,
    pub idea_id: i64,
    pub editor_id: i64,
    pub editor_name: String,
    pub title: String,
    pub body: String,
    /// Stored form, `,a,b,`.
    pub tags: String,
    pub created_at: Timestamp,
}

/// New text for an idea.
pub struct IdeaText<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub tags: &'a str,
}

/// A co-author of an idea: invited, and counted once accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoAuthor {
    pub account_id: i64,
    pub name: String,
    pub accepted_at: Option<Timestamp>,
    pub invited_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub idea_id: i64,
    pub uploader_id: i64,
    pub file_name: String,
    /// Told by the file's first bytes, not by its name.
    pub content_type: String,
    pub size: i64,
    pub storage_key: String,
    pub created_at: Timestamp,
}

impl Attachment {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

pub struct NewAttachment<'a> {
    pub idea_id: i64,
    pub uploader_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub storage_key: &'a str,
    pub created_at: Timestamp,
}
