//! The storage contract of Cocreate. Each backend crate implements [`Store`] and [`Tx`] once and
//! runs the [`conformance`] suite, so behaviour cannot drift between SQLite and PostgreSQL.
//!
//! Reads go straight to the store; every write happens inside a [`Tx`] that the use case commits
//! once, so a use case's changes land together or not at all.

pub mod accounts;
pub mod api_tokens;
pub mod attachments;
pub mod audit;
mod backend;
pub mod bulk_load;
pub mod challenges;
pub mod co_authors;
pub mod conformance;
pub mod customers;
pub mod dashboard;
pub mod dialogue;
pub mod duplicates;
pub mod erasure;
pub mod fanout;
pub mod feedback;
pub mod feedback_import;
pub mod ideas;
pub mod idempotency;
pub mod invitations;
pub mod moderation;
pub mod notifications;
pub mod opinions;
pub mod organisation;
pub mod outbox;
pub mod pairwise;
pub mod people;
pub mod personal_data;
pub mod products;
mod records;
pub mod retention;
pub mod search;
pub mod search_log;
pub mod snippet;
pub mod spaces;
pub mod sql;
pub mod support;
pub mod themes;
pub mod timeline;
pub mod transfer;

use async_trait::async_trait;

/// Every area's read and write traits, for code that holds a backend's own store or transaction
/// type rather than `dyn Store` or `dyn Tx` (whose methods need no import).
pub mod prelude {
    pub use crate::{
        AccountRead, AccountTx, ApiTokenRead, ApiTokenTx, AttachmentRead, AttachmentTx, AuditRead,
        AuditTx, BulkLoadTx, ChallengeRead, ChallengeTx, CoAuthorRead, CoAuthorTx, CustomerRead,
        DashboardRead, DialogueRead, DialogueTx, DuplicateRead, DuplicateTx, ErasureTx, FanoutTx,
        IdeaRead, IdeaTx, IdempotencyTx, InvitationRead, InvitationTx, ModerationRead,
        ModerationTx, NotificationRead, NotificationTx, OpinionRead, OpinionTx, OrganisationRead,
        OrganisationTx, OutboxRead, OutboxTx, PairwiseRead, PairwiseTx, PeopleRead, RetentionTx,
        SearchLogRead, SearchRead, SpaceRead, SpaceTx, Store, SupportRead, SupportTx, TimelineRead,
        Tx,
    };
}

pub use accounts::{AccountRead, AccountTx};
pub use api_tokens::{ApiTokenRead, ApiTokenTx};
pub use attachments::{AttachmentRead, AttachmentTx};
pub use audit::{AuditRead, AuditTx};
pub use bulk_load::BulkLoadTx;
pub use challenges::{ChallengeRead, ChallengeTx};
pub use co_authors::{CoAuthorRead, CoAuthorTx};
pub use customers::{Contact, CustomerFilter, CustomerRead};
pub use dashboard::{
    ActivityWeek, Contributor, DashboardRead, DashboardScope, StageReached, WrittenText,
};
pub use dialogue::{DialogueRead, DialogueTx};
pub use duplicates::{
    DUPLICATE_STAGES, DuplicateCursor, DuplicatePair, DuplicateRead, DuplicateSide,
    DuplicateStatus, DuplicateTx, FoundDuplicate,
};
pub use erasure::{Erased, Erasure, ErasureTx, MentioningText};
pub use fanout::{Fanout, FanoutKind, FanoutTx, NewFanout, Recipient};
pub use feedback::{
    EMAIL_CONTACTS, FeedbackAuthor, FeedbackFilter, FeedbackItem, FeedbackRead, FeedbackTx,
    NewFeedback,
};
pub use feedback_import::{FeedbackImportTx, ImportedFeedback};
pub use ideas::{IdeaRead, IdeaTx};
pub use idempotency::IdempotencyTx;
pub use invitations::{InvitationRead, InvitationTx};
pub use moderation::{ModerationRead, ModerationTx};
pub use notifications::{NotificationRead, NotificationTx};
pub use opinions::{ImportedStatement, OpinionRead, OpinionTx, OpinionVote, Statement, Voter};
pub use organisation::{OrganisationRead, OrganisationTx};
pub use outbox::{OutboxRead, OutboxTx};
pub use pairwise::{COMPARED_STAGES, PairAnswer, PairwiseRead, PairwiseTally, PairwiseTx};
pub use people::PeopleRead;
pub use products::{NewProduct, Product, ProductIdeas, ProductRead, ProductTx};
pub use records::*;
pub use retention::{Purged, RetentionCutoffs, RetentionTx};
pub use search::SearchRead;
pub use search_log::{DocKind, Documents, LogEntry, LogHead, SearchDocument, SearchLogRead};
pub use snippet::{MATCH_END, MATCH_START, Snippet, SnippetPart};
pub use spaces::{SpaceRead, SpaceTx};
pub use sql::{Dialect, Sql, SqlArg, SqlRead, SqlRow, SqlTx, SqlValue};
pub use support::{SupportRead, SupportTx};
pub use themes::{FoundTheme, ThemeFigures, ThemeItem, ThemeRead, ThemeRecord, ThemeRun, ThemeTx};
pub use timeline::{TimelineCursor, TimelineEvent, TimelineFilter, TimelineRead, TimelineSubject};

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

/// The whole store: each area's reads are a trait of their own (e.g. [`IdeaRead`]), kept in the
/// area's file; this trait adds what is about the database as a whole.
#[async_trait]
pub trait Store:
    AccountRead
    + ApiTokenRead
    + AttachmentRead
    + AuditRead
    + ChallengeRead
    + CoAuthorRead
    + CustomerRead
    + DashboardRead
    + DialogueRead
    + DuplicateRead
    + FeedbackRead
    + IdeaRead
    + InvitationRead
    + ModerationRead
    + NotificationRead
    + OpinionRead
    + OrganisationRead
    + OutboxRead
    + PairwiseRead
    + PeopleRead
    + ProductRead
    + SearchRead
    + SearchLogRead
    + SpaceRead
    + SupportRead
    + ThemeRead
    + TimelineRead
    + Send
    + Sync
    + 'static
{
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
    /// Everything stored about one account, table by table (see [`personal_data`]), read in
    /// one consistent snapshot.
    async fn personal_data(&self, account_id: i64)
    -> StoreResult<Vec<personal_data::PersonalRows>>;
}

/// A write transaction: each area's writes are a trait of their own (e.g. [`IdeaTx`]).
#[async_trait]
pub trait Tx:
    AccountTx
    + ApiTokenTx
    + AttachmentTx
    + AuditTx
    + BulkLoadTx
    + ChallengeTx
    + CoAuthorTx
    + DialogueTx
    + DuplicateTx
    + ErasureTx
    + FanoutTx
    + FeedbackTx
    + FeedbackImportTx
    + IdempotencyTx
    + IdeaTx
    + InvitationTx
    + ModerationTx
    + NotificationTx
    + OpinionTx
    + OrganisationTx
    + OutboxTx
    + PairwiseTx
    + ProductTx
    + RetentionTx
    + SpaceTx
    + SupportTx
    + ThemeTx
    + Send
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}
