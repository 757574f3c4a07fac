//! The storage contract of Cocreate. Each backend crate implements [`Store`] and [`Tx`] once and
//! runs the [`conformance`] suite, so behaviour cannot drift between SQLite and PostgreSQL.
//!
//! Reads go straight to the store; every write happens inside a [`Tx`] that the use case commits
//! once, so a use case's changes land together or not at all.

pub mod conformance;
pub mod fanout;
pub mod idempotency;
mod records;
pub mod retention;
pub mod snippet;
pub mod sql;
pub mod transfer;

use async_trait::async_trait;
use cocreate_core::{AccountKind, Audience, OrgRole, Timestamp};

pub use fanout::{Fanout, FanoutKind, FanoutTx, NewFanout, Recipient};
pub use idempotency::IdempotencyTx;
pub use records::*;
pub use retention::{Purged, RetentionCutoffs, RetentionTx};
pub use snippet::{MATCH_END, MATCH_START, Snippet, SnippetPart};

/// One argument of a statement run through [`SqlTx`].
#[derive(Debug, Clone, Copy)]
pub enum SqlArg<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

/// One value of a row read through [`SqlTx::fetch_with`]: integers (ids, times, counts) and
/// text are all the per-area SQL reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Text(String),
}

impl SqlValue {
    pub fn int(&self, column: &str) -> StoreResult<i64> {
        match self {
            Self::Int(value) => Ok(*value),
            other => Err(StoreError::Corrupt(format!(
                "{column}: {other:?} is not an integer"
            ))),
        }
    }

    pub fn maybe_int(&self, column: &str) -> StoreResult<Option<i64>> {
        match self {
            Self::Null => Ok(None),
            other => other.int(column).map(Some),
        }
    }

    pub fn text(&self, column: &str) -> StoreResult<&str> {
        match self {
            Self::Text(value) => Ok(value),
            other => Err(StoreError::Corrupt(format!(
                "{column}: {other:?} is not text"
            ))),
        }
    }

    /// Text that names a value of a domain type (a kind, a role, an audience).
    pub fn parse<T: std::str::FromStr>(&self, column: &str) -> StoreResult<T> {
        let text = self.text(column)?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("{column}: {text:?} is not valid")))
    }
}

/// What a backend's transaction provides for the SQL of the areas kept in files of their own
/// (see `docs/ARCHITECTURE.md`): statements in the `$n` form both databases read, run with their
/// arguments, and the one clause the backends write differently.
#[async_trait]
pub trait SqlTx: Send {
    /// Runs one statement; answers how many rows it changed.
    async fn execute_with(&mut self, sql: &str, args: &[SqlArg<'_>]) -> StoreResult<u64>;
    /// Runs one query; answers its rows, each value an integer, text or null.
    async fn fetch_with(
        &mut self,
        sql: &str,
        args: &[SqlArg<'_>],
    ) -> StoreResult<Vec<Vec<SqlValue>>>;
    /// Whether a job's row must be locked (`FOR UPDATE … SKIP LOCKED`, on PostgreSQL) so that
    /// concurrent workers pass over it; SQLite's writers take turns, so it needs none.
    fn locks_job_rows(&self) -> bool;
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `field` names the input that collided.
    #[error("{field} is already taken")]
    Conflict { field: &'static str },
    /// The database cannot be reached right now (connection refused, pool timeout, server
    /// shutting down).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The disk holding the database is full: the write was not made; reads still work.
    #[error("the database's disk is full")]
    StorageFull,
    /// The database must be empty for this (a load of a whole organisation), but `table` has rows.
    #[error("the database already holds {table}: load an organisation only into an empty database")]
    NotEmpty { table: &'static str },
    /// A stored value does not parse as its domain type.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is, e.g. `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Transactions this process has committed so far: when it has not moved, nothing this
    /// process wrote has changed (writes of other processes are not counted).
    fn commits(&self) -> u64;
    async fn ping(&self) -> StoreResult<()>;
    /// Checks the database's own structures (tables, indexes, foreign keys);
    /// `StoreError::Corrupt` names what is wrong.
    async fn integrity_check(&self) -> StoreResult<()>;
    /// Opens a write transaction. Dropping it without `commit` rolls everything back.
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;

    async fn organisation(&self) -> StoreResult<Organisation>;
    async fn organisation_logo(&self) -> StoreResult<Option<Logo>>;

    async fn account_by_id(&self, id: i64) -> StoreResult<Option<Account>>;
    async fn account_by_email(&self, email: &str) -> StoreResult<Option<Account>>;
    /// The accounts with these handles (unknown ones are left out).
    async fn accounts_by_handles(&self, handles: &[String]) -> StoreResult<Vec<Account>>;
    /// Accounts in id order, starting after `after_id`.
    async fn accounts(&self, after_id: i64, limit: i64) -> StoreResult<Vec<Account>>;
    async fn count_accounts(&self) -> StoreResult<i64>;

    /// The live session with this token hash and its account.
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Session, Account)>>;
    /// The unrevoked API token with this hash and its account.
    async fn api_token(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, Account)>>;
    async fn api_tokens(&self, account_id: i64) -> StoreResult<Vec<ApiToken>>;

    async fn invitations(&self) -> StoreResult<Vec<Invitation>>;
    /// A usable (unaccepted, unexpired) invitation with this token hash.
    async fn open_invitation(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Invitation>>;

    async fn spaces(&self) -> StoreResult<Vec<Space>>;
    async fn space_by_slug(&self, slug: &str) -> StoreResult<Option<Space>>;
    async fn space_by_id(&self, id: i64) -> StoreResult<Option<Space>>;
    async fn space_member_ids(&self, account_id: i64) -> StoreResult<Vec<i64>>;
    async fn is_space_member(&self, space_id: i64, account_id: i64) -> StoreResult<bool>;
    async fn space_members(&self, space_id: i64) -> StoreResult<Vec<Account>>;

    async fn challenges(&self, space_id: i64) -> StoreResult<Vec<Challenge>>;
    async fn challenge(&self, id: i64) -> StoreResult<Option<Challenge>>;
    async fn idea(&self, id: i64) -> StoreResult<Option<Idea>>;
    /// The idea and its space, read together.
    async fn idea_with_space(&self, id: i64) -> StoreResult<Option<(Idea, Space)>>;
    /// One page of ideas: one index range scan in the query's order.
    async fn ideas(&self, query: &IdeaQuery) -> StoreResult<Vec<Idea>>;
    /// Which of `idea_ids` the account supports.
    async fn supported_among(&self, account_id: i64, idea_ids: &[i64]) -> StoreResult<Vec<i64>>;
    async fn idea_events(&self, idea_id: i64) -> StoreResult<Vec<IdeaEvent>>;
    async fn attachments(&self, idea_id: i64) -> StoreResult<Vec<Attachment>>;
    async fn attachment(&self, id: i64) -> StoreResult<Option<Attachment>>;
    /// The idea's co-authors, invited and accepted, in invitation order.
    async fn co_authors(&self, idea_id: i64) -> StoreResult<Vec<CoAuthor>>;
    /// Every version of the idea's text, oldest first.
    async fn idea_revisions(&self, idea_id: i64) -> StoreResult<Vec<IdeaRevision>>;
    /// The comments on an idea or a challenge, in the order they were written.
    async fn comments(&self, subject: Subject) -> StoreResult<Vec<Comment>>;
    async fn comment(&self, id: i64) -> StoreResult<Option<Comment>>;
    async fn is_following(&self, idea_id: i64, account_id: i64) -> StoreResult<bool>;
    /// Newest first, strictly before `before_id`.
    async fn notifications(
        &self,
        account_id: i64,
        before_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<Notification>>;
    async fn unread_notifications(&self, account_id: i64) -> StoreResult<i64>;
    /// Every idea after `after_id`, in id order, with its stored ranks and the supporters it
    /// gained since `recent_since`: what a full check of the ranks reads.
    async fn ideas_to_rank(
        &self,
        recent_since: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<RankInput>>;
    /// The ideas, in id order after `after_id`, that have a support recorded in `[from, to)`:
    /// those whose trending count drops when the window's start moves from `from` to `to`.
    async fn ideas_supported_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<i64>>;
    /// Open flags in the given spaces, oldest first.
    async fn open_flags(&self, space_ids: &[i64], limit: i64) -> StoreResult<Vec<Flag>>;
    /// Published ideas matching the query, best first (drafts are never found).
    async fn search_ideas(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>>;
    /// Comments matching the query, best first: live (not deleted or hidden) comments on
    /// published, visible ideas; the query's filters apply to the idea.
    async fn search_comments(&self, query: &SearchQuery) -> StoreResult<Vec<CommentHit>>;
    /// Challenges matching the query, best first; `challenge_id` narrows to one, `tag` to those
    /// offering it, and a `stage` filter (which challenges do not have) finds none.
    async fn search_challenges(&self, query: &SearchQuery) -> StoreResult<Vec<ChallengeHit>>;
    /// Ideas gathering support whose deadline passed before `now`.
    async fn ideas_past_deadline(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Idea>>;

    /// Ideas whose stored supporter or comment count differs from the rows behind it (zero when
    /// every counter is exact).
    async fn miscounted_ideas(&self) -> StoreResult<i64>;
    /// Ends a bulk load: indexes the loaded ideas for search where the index is kept apart, and
    /// refreshes the planner's statistics.
    async fn finish_load(&self) -> StoreResult<()>;
    /// Every table of [`transfer::TABLES`] read in one consistent snapshot, rows in key order.
    /// Fails with `Corrupt` when the database holds a table or column the export does not know.
    async fn export_tables(&self) -> StoreResult<Vec<transfer::TableRows>>;
    /// Loads exported tables, given in [`transfer::TABLES`] order, into this database in one
    /// transaction, ids included; id generators continue after the loaded ids. Fails with
    /// `NotEmpty` unless the database holds nothing yet but its initial organisation row, and
    /// with `Corrupt` (naming the table) when a row breaks a rule of the schema.
    async fn import_tables(&self, tables: &[transfer::TableRows]) -> StoreResult<()>;

    /// Newest first, strictly before `before_id` (use `i64::MAX` for the first page).
    async fn audit_log(&self, before_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
    /// Newest first, strictly before `before_id`.
    async fn outbox(&self, before_id: i64, limit: i64) -> StoreResult<Vec<OutboxMail>>;
}

/// A write transaction. Each area's writes are a trait of their own (e.g. [`RetentionTx`]);
/// this one still holds the areas written before that split.
#[async_trait]
pub trait Tx: FanoutTx + IdempotencyTx + RetentionTx + Send {
    async fn commit(self: Box<Self>) -> StoreResult<()>;

    async fn update_organisation(
        &mut self,
        name: &str,
        description: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn set_organisation_logo(
        &mut self,
        logo: Option<&Logo>,
        now: Timestamp,
    ) -> StoreResult<()>;

    /// Fails with `Conflict { field: "email" }` when the address is taken.
    async fn insert_account(&mut self, account: &NewAccount<'_>) -> StoreResult<Account>;
    /// The account, read inside this transaction.
    async fn account_by_id(&mut self, id: i64) -> StoreResult<Option<Account>>;
    async fn set_password_hash(&mut self, account_id: i64, password_hash: &str) -> StoreResult<()>;
    async fn set_email(&mut self, account_id: i64, email: &str) -> StoreResult<()>;
    async fn set_role(&mut self, account_id: i64, role: OrgRole) -> StoreResult<()>;
    async fn set_kind(&mut self, account_id: i64, kind: AccountKind) -> StoreResult<()>;

    async fn insert_session(&mut self, session: &Session) -> StoreResult<()>;
    async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of the account except the one with `keep_hash`; returns how many.
    async fn delete_sessions_of(
        &mut self,
        account_id: i64,
        keep_hash: Option<&str>,
    ) -> StoreResult<u64>;

    async fn insert_account_token(&mut self, token: &AccountToken) -> StoreResult<()>;
    /// Marks the token used and returns it, if it exists, has this purpose, is unused and unexpired.
    async fn consume_account_token(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> StoreResult<Option<AccountToken>>;
    /// Marks every open token of the account used (reset and e-mail change links alike); returns
    /// how many were open.
    async fn revoke_account_tokens(&mut self, account_id: i64, now: Timestamp) -> StoreResult<u64>;

    async fn insert_invitation(
        &mut self,
        invitation: &NewInvitation<'_>,
    ) -> StoreResult<Invitation>;
    /// Marks the invitation accepted by `account_id`, if it is still open.
    async fn accept_invitation(
        &mut self,
        invitation_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;

    async fn insert_api_token(&mut self, token: &NewApiToken<'_>) -> StoreResult<ApiToken>;
    /// Revokes the account's token; false when it has no such live token.
    async fn revoke_api_token(
        &mut self,
        token_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn touch_api_token(&mut self, token_id: i64, now: Timestamp) -> StoreResult<()>;

    /// Fails with `Conflict { field: "slug" }` when the slug is taken.
    async fn insert_space(&mut self, space: &NewSpace<'_>) -> StoreResult<Space>;
    async fn update_space(
        &mut self,
        space_id: i64,
        name: &str,
        description: &str,
        audience: Audience,
    ) -> StoreResult<()>;
    /// Adds the member; false when already listed.
    async fn add_space_member(
        &mut self,
        space_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn remove_space_member(&mut self, space_id: i64, account_id: i64) -> StoreResult<bool>;

    async fn insert_audit(&mut self, entry: &NewAudit<'_>) -> StoreResult<()>;

    async fn insert_challenge(
        &mut self,
        space_id: i64,
        fields: &ChallengeFields<'_>,
        created_by: i64,
        now: Timestamp,
    ) -> StoreResult<i64>;
    async fn update_challenge(&mut self, id: i64, fields: &ChallengeFields<'_>) -> StoreResult<()>;
    /// Sets the cover image (object-store key and type).
    async fn set_challenge_cover(
        &mut self,
        id: i64,
        key: &str,
        content_type: &str,
    ) -> StoreResult<()>;
    async fn insert_idea(&mut self, idea: &NewIdea<'_>) -> StoreResult<i64>;
    async fn insert_attachment(&mut self, attachment: &NewAttachment<'_>) -> StoreResult<i64>;
    async fn count_attachments(&mut self, idea_id: i64) -> StoreResult<i64>;
    /// The ids of all admins, locked until the transaction ends (so two demotions cannot both
    /// see another admin left).
    async fn lock_admin_ids(&mut self) -> StoreResult<Vec<i64>>;
    /// Invites a co-author; false when already invited.
    async fn invite_co_author(
        &mut self,
        idea_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Accepts a pending invitation; false when there is none.
    async fn accept_co_author(
        &mut self,
        idea_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Removes a co-author or invitation; false when there is none.
    async fn remove_co_author(&mut self, idea_id: i64, account_id: i64) -> StoreResult<bool>;
    /// Replaces the idea's text (keeping the search index in step) and records a revision.
    async fn edit_idea(
        &mut self,
        id: i64,
        editor_id: i64,
        text: &IdeaText<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The idea, locked against concurrent changes until the transaction ends.
    async fn lock_idea(&mut self, id: i64) -> StoreResult<Option<Idea>>;
    /// The ideas with these ids, locked in id order (so concurrent batches cannot deadlock).
    async fn lock_ideas(&mut self, ids: &[i64]) -> StoreResult<Vec<Idea>>;
    /// Records many (idea, account) supports at once, skipping those already recorded; returns
    /// how many supporters each idea gained. The ideas' rows are left for
    /// [`Tx::set_supporters`], so each idea is rewritten once with its count and ranks.
    async fn add_supports(
        &mut self,
        supports: &[(i64, i64)],
        now: Timestamp,
    ) -> StoreResult<Vec<(i64, i64)>>;
    /// Writes each idea's new supporter count with the ranks it moves, in one statement.
    async fn set_supporters(
        &mut self,
        counts: &[SupporterCount],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Removes the account's support; returns the new count, or `None` if it had none.
    async fn remove_support(&mut self, idea_id: i64, account_id: i64) -> StoreResult<Option<i64>>;
    async fn set_idea_progress(
        &mut self,
        idea_id: i64,
        progress: &IdeaProgress,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn insert_idea_event(&mut self, event: &NewIdeaEvent<'_>) -> StoreResult<()>;
    /// Adds a comment and counts it on its idea.
    async fn insert_comment(&mut self, comment: &NewComment<'_>) -> StoreResult<i64>;
    async fn edit_comment(
        &mut self,
        id: i64,
        body: &str,
        body_html: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Marks the comment deleted (its place in the thread stays) and uncounts it.
    async fn delete_comment(&mut self, id: i64, now: Timestamp) -> StoreResult<bool>;
    /// Starts or stops following; returns whether anything changed.
    async fn set_following(
        &mut self,
        idea_id: i64,
        account_id: i64,
        follow: bool,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn insert_notification(&mut self, notification: &NewNotification<'_>) -> StoreResult<()>;
    async fn mark_notifications_read(
        &mut self,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<u64>;
    /// Fails with `Conflict { field: "id" }` when this reporter already flagged this content.
    async fn insert_flag(&mut self, flag: &NewFlag<'_>) -> StoreResult<i64>;
    /// Hides (with a reason) or shows again an idea or comment.
    async fn set_hidden(
        &mut self,
        kind: ContentKind,
        id: i64,
        hidden: Option<(Timestamp, &str)>,
    ) -> StoreResult<()>;
    /// Resolves the open flags on this content; returns how many.
    async fn resolve_flags(
        &mut self,
        kind: ContentKind,
        id: i64,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<u64>;
    /// Claims an idempotency key for a request with this fingerprint (method, path and body);
    /// a claim left in progress since before `stale_before` is taken over.
    async fn claim_idempotency_key(
        &mut self,
        account_id: i64,
        key: &str,
        fingerprint: &str,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> StoreResult<IdempotencyClaim>;
    /// Records the response to a claimed key (`None` forgets the claim, so it can be retried).
    async fn finish_idempotency_key(
        &mut self,
        account_id: i64,
        key: &str,
        response: Option<(i64, &str)>,
    ) -> StoreResult<()>;
    /// Bulk loading of generated data: many rows per statement. Returns the new ids in order.
    async fn load_accounts(&mut self, accounts: &[NewAccount<'_>]) -> StoreResult<Vec<i64>>;
    /// Loads published ideas with the counters the caller computed, each with its first revision
    /// and its publication in the history. Search finds them after [`Store::finish_load`].
    async fn load_ideas(&mut self, ideas: &[LoadedIdea<'_>]) -> StoreResult<Vec<i64>>;
    /// Loads (idea, account, when) supports; the ideas' counters are the caller's to keep exact.
    async fn load_supports(&mut self, supports: &[(i64, i64, Timestamp)]) -> StoreResult<()>;
    /// Loads comments without touching the ideas' counters; returns (id, subject) pairs.
    async fn load_comments(
        &mut self,
        comments: &[NewComment<'_>],
    ) -> StoreResult<Vec<(i64, Subject)>>;
    /// How many supporters each of these ideas gained since `since` (ideas with none are left
    /// out).
    async fn recent_supporters(
        &mut self,
        ids: &[i64],
        since: Timestamp,
    ) -> StoreResult<Vec<(i64, i64)>>;
    /// Stores (id, hot, trending) for a batch of ideas.
    /// Returns how many ideas' ranks moved (those unchanged are not written).
    async fn set_ranks(&mut self, ranks: &[(i64, i64, i64)]) -> StoreResult<u64>;
    /// Moves every support of `from` to `into` (one per account) and marks `from` merged;
    /// returns `into`'s new count.
    async fn merge_idea(&mut self, from: i64, into: i64, now: Timestamp) -> StoreResult<i64>;

    async fn enqueue_mail(&mut self, mail: &NewMail<'_>) -> StoreResult<i64>;
    /// Leases up to `limit` pending mails whose time has come until `lease_until`.
    async fn claim_mail(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMail>>;
    async fn finish_mail(
        &mut self,
        mail_id: i64,
        outcome: &MailOutcome,
        now: Timestamp,
    ) -> StoreResult<()>;
}
