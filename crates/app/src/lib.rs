//! Cocreate's use cases, each written once. Pages, the JSON API, the CLI and jobs all call these;
//! every one asks the permission policy in `cocreate_core::policy` before it reads or writes, and
//! every write happens in one store transaction.

mod admin;
mod api_tokens;
mod auth;
mod authors;
mod challenge_cache;
mod customers;
mod dashboard;
mod dialogue;
mod duplicates;
mod erasure;
mod error;
mod fanout;
mod feedback;
mod feedback_claims;
mod feedback_import;
mod feedback_mail;
mod feedback_rows;
mod feedback_triage;
mod files;
mod generate;
mod generate_voice;
mod group_commit;
mod ideas;
mod idempotency;
mod mail;
mod moderation;
mod opinions;
mod pairwise;
mod password_work;
mod people;
mod personal_data;
mod polis_import;
mod products;
mod ranks;
mod retention;
mod sealed;
mod search_index;
mod secrets;
mod spaces;
mod themes;
mod timeline;
mod transfer;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use cocreate_core::{AccountKind, Action, Clock, OrgRole, Timestamp, Viewer, allows};
use cocreate_store::{Account, NewAudit, Store, Tx};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use secrecy::SecretString;
use url::Url;

pub use admin::{InvitationView, LogoUpload};
pub use api_tokens::CreatedApiToken;
pub use auth::{AccountInput, SignedIn};
pub use customers::{CUSTOMERS_PER_PAGE, CustomerList, CustomerQuery};
pub use dashboard::{
    DASHBOARD_FRESH_FOR_MILLIS, DASHBOARD_WEEKS, Dashboard, DashboardView, DashboardWeek, FUNNEL,
    FunnelStep, ReadText, SENTIMENT_SAMPLE, TOP_CONTRIBUTORS, WEEK_MILLIS,
};
pub use dialogue::{CommentView, NO_LONGER_VISIBLE, Thread};
pub use duplicates::{DUPLICATES_PER_PAGE, DuplicateComparison, DuplicateQueue, DuplicatesFilled};
pub use erasure::{ERASED_NAME, ERASED_TEXT, ERASED_TITLE, MAX_ERASURE_REASON};
pub use error::AppError;
pub use feedback::{
    FEEDBACK_PER_PAGE, FeedbackInbox, FeedbackInput, FeedbackQuery, FeedbackView, MAX_BULK_FEEDBACK,
};
pub use feedback_claims::{CLAIM_FEEDBACK_DAYS, OwnFeedback};
pub use feedback_import::{ImportReport, MAX_REPORTED_PROBLEMS, RowProblem};
pub use feedback_mail::{MAX_MAIL_BYTES, MailFile, MailImport};
pub use feedback_rows::{ColumnMapping, FeedbackImport, ImportField, ImportFormat, MAX_ROW_BYTES};
pub use feedback_triage::{EVIDENCE_SHOWN, Evidence};
pub use files::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_IDEA, local_files};
pub use generate::{GENERATED_PASSWORD, GeneratePlan, Generated};
pub use ideas::{
    ChallengeFacet, ChallengeInput, FacetCount, IDEAS_PER_PAGE, IdeaFilter, IdeaInput, IdeaItem,
    IdeaPage, IdeaView, ListOrder, MAX_SEARCH_CHARS, RevisionView, SearchFacets, SearchFilter,
    SearchResults, SearchScope, SpaceContents, SpaceFacet, support_target,
};
pub use idempotency::{Claim, MAX_IDEMPOTENCY_KEY, request_fingerprint, with_claimed_key};
pub use mail::{MAX_MAIL_ATTEMPTS, SmtpSecurity, SmtpSettings, Worker};
pub use moderation::{FlagView, Resolution};
pub use opinions::{
    FoundGroups, MapPoint, Member, OpinionGroupView, OpinionGroupsView, OpinionsView,
    StatementLean, StatementView,
};
pub use pairwise::{IdeaPair, PairwiseRanking, PairwiseView, RANKING_LIMIT, RankedIdea};
pub use password_work::{PasswordTurn, PasswordWork};
pub use people::{PERSON_PAGE_SIZE, Person, PersonIdea, PersonView};
pub use personal_data::PERSONAL_DATA_FORMAT;
pub use polis_import::{PolisExport, PolisImported};
pub use products::{CatalogueView, PRODUCT_IDEAS_SHOWN, ProductInput, ProductView};
pub use ranks::RanksRefreshed;
pub use retention::RetentionPeriods;
pub use search_index::{SearchIndexInfo, SearchStatus};
pub use spaces::{SpaceInput, SpaceView};
pub use themes::{
    MAX_THEME_LABEL, THEME_TEXTS, THEMES_FRESH_FOR_MILLIS, ThemeView, ThemesView, excerpt,
    theme_name, trend,
};
pub use timeline::{Customer, TIMELINE_PAGE_SIZE, TimelineQuery, TimelineView};
pub use transfer::{EXPORT_FORMAT, EXPORT_VERSION, OrganisationExport, read_export, write_export};

pub type AppResult<T> = Result<T, AppError>;

/// How long a browser session lasts.
pub const SESSION_DAYS: i64 = 30;
/// How long a password-reset link works.
pub const RESET_MINUTES: i64 = 60;
/// Reset links mailed to one address at once; then one more each hour. Further requests are
/// answered as usual and send nothing.
pub const RESET_MAILS_PER_HOUR: u32 = 3;
/// How long an e-mail change confirmation link works.
pub const EMAIL_CHANGE_MINUTES: i64 = 24 * 60;
/// How long an invitation link works.
pub const INVITATION_MINUTES: i64 = 7 * 24 * 60;

/// Settings the use cases need.
#[derive(Clone)]
pub struct AppConfig {
    /// The address people reach Cocreate at; links in mail point here.
    pub base_url: Url,
    /// Keys the hashes of session, reset, invitation and API tokens.
    pub secret_key: SecretString,
    pub smtp: Option<SmtpSettings>,
    /// Failed-or-not sign-in attempts allowed per e-mail address per minute.
    pub sign_in_attempts_per_minute: u32,
    /// Where uploaded files are kept (a local directory by default).
    pub files: Arc<dyn object_store::ObjectStore>,
    /// How long records are kept after they stop working or mattering.
    pub retention: RetentionPeriods,
}

/// The signed-in account a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub handle: String,
    pub kind: AccountKind,
    pub role: OrgRole,
    /// Hash of the session token, when the actor came through a browser session.
    pub session_hash: Option<String>,
}

impl Actor {
    /// The actor for an account (with the hash of its session token, when it came by one).
    pub fn from_account(account: &Account, session_hash: Option<String>) -> Self {
        Self {
            id: account.id,
            email: account.email.clone(),
            name: account.name.clone(),
            handle: account.handle.clone(),
            kind: account.kind,
            role: account.role,
            session_hash,
        }
    }

    pub fn viewer(&self) -> Viewer {
        Viewer::Account {
            kind: self.kind,
            role: self.role,
        }
    }

    /// The policy's answer for an organisation-wide action, such as opening an admin page.
    pub fn may(&self, action: Action) -> bool {
        allows(self.viewer(), action)
    }
}

/// The policy's view of an optional actor.
pub fn viewer_of(actor: Option<&Actor>) -> Viewer {
    actor.map_or(Viewer::Anonymous, Actor::viewer)
}

pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    /// Guesses at an account's password, by e-mail address: sign-in, and the forms that ask for
    /// the current password again.
    sign_in_limiter: DefaultKeyedRateLimiter<String>,
    /// Reset links mailed to an address, so nobody can flood someone's inbox with them.
    reset_mail_limiter: DefaultKeyedRateLimiter<String>,
    mail_wakeup: tokio::sync::Notify,
    news_wakeup: tokio::sync::Notify,
    unknown_account_hash: tokio::sync::OnceCell<String>,
    /// The organisation as last read, and when: every page shows it and it rarely changes.
    organisation: std::sync::RwLock<Option<(std::time::Instant, cocreate_store::Organisation)>>,
    supports: group_commit::SupportQueue,
    token_uses: Arc<api_tokens::TokenUses>,
    passwords: PasswordWork,
    /// Seals mail bodies and remembered API answers, which would otherwise work as links.
    sealer: sealed::Sealer,
    /// The embedded search index, once started (see `start_search_index`).
    search: std::sync::OnceLock<Arc<search_index::SearchEngine>>,
    /// Opinion groups as last found, by challenge, while their votes are unchanged.
    opinion_groups_cache: opinions::OpinionGroupsCache,
    pairwise_fits: pairwise::PairwiseFits,
    dashboards: dashboard::Dashboards,
    theme_jobs: themes::ThemeJobs,
}

/// How long a read of the organisation is reused. Changes made through this process show at
/// once; other processes sharing the database see them within this time.
const ORGANISATION_FRESH_FOR: Duration = Duration::from_secs(5);

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AppConfig) -> Arc<Self> {
        let per_minute =
            NonZeroU32::new(config.sign_in_attempts_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(Duration::from_secs(60) / per_minute.get())
            .unwrap_or_else(|| Quota::per_minute(per_minute))
            .allow_burst(per_minute);
        Arc::new(Self {
            store,
            clock,
            sign_in_limiter: RateLimiter::keyed(quota),
            reset_mail_limiter: RateLimiter::keyed(
                Quota::with_period(Duration::from_secs(60 * 60))
                    .unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN))
                    .allow_burst(NonZeroU32::new(RESET_MAILS_PER_HOUR).unwrap_or(NonZeroU32::MIN)),
            ),
            mail_wakeup: tokio::sync::Notify::new(),
            news_wakeup: tokio::sync::Notify::new(),
            unknown_account_hash: tokio::sync::OnceCell::new(),
            organisation: std::sync::RwLock::new(None),
            opinion_groups_cache: opinions::OpinionGroupsCache::default(),
            pairwise_fits: pairwise::PairwiseFits::default(),
            dashboards: dashboard::Dashboards::default(),
            theme_jobs: themes::ThemeJobs::default(),
            supports: group_commit::SupportQueue::default(),
            token_uses: Arc::default(),
            passwords: PasswordWork::for_this_machine(),
            sealer: sealed::Sealer::new(&config.secret_key),
            search: std::sync::OnceLock::new(),
            config,
        })
    }

    /// Forgets the addresses whose attempt budgets are full again, so the throttles hold only
    /// recent addresses however many are tried.
    pub fn forget_idle_throttles(&self) {
        for limiter in [&self.sign_in_limiter, &self.reset_mail_limiter] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The bound on password hashing, shared by every use case that hashes or checks one.
    pub fn password_work(&self) -> &PasswordWork {
        &self.passwords
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Changes every time this process commits a write: an answer computed while it stayed the
    /// same is still true (writes of other processes do not count).
    pub fn data_version(&self) -> u64 {
        self.store.commits()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Whether the database answers; for `/readyz`.
    pub async fn ready(&self) -> AppResult<()> {
        Ok(self.store.ping().await?)
    }

    pub async fn organisation(&self) -> AppResult<cocreate_store::Organisation> {
        if let Ok(cached) = self.organisation.read()
            && let Some((read_at, organisation)) = cached.as_ref()
            && read_at.elapsed() < ORGANISATION_FRESH_FOR
        {
            return Ok(organisation.clone());
        }
        let organisation = self.store.organisation().await?;
        if let Ok(mut cached) = self.organisation.write() {
            *cached = Some((std::time::Instant::now(), organisation.clone()));
        }
        Ok(organisation)
    }

    /// The organisation's time zone, in which typed days are read and times are shown.
    pub async fn time_zone(&self) -> AppResult<cocreate_core::TimeZone> {
        Ok(cocreate_core::TimeZone::stored(
            &self.organisation().await?.time_zone,
        ))
    }

    /// Forgets the cached organisation after a change to it.
    fn organisation_changed(&self) {
        if let Ok(mut cached) = self.organisation.write() {
            *cached = None;
        }
    }

    fn link(&self, path: &str) -> String {
        let base = self.config.base_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    async fn audit(
        &self,
        tx: &mut dyn Tx,
        actor: Option<&Actor>,
        action: &str,
        target: &str,
        detail: &str,
    ) -> AppResult<()> {
        tx.insert_audit(&NewAudit {
            actor_id: actor.map(|a| a.id),
            action,
            target,
            detail,
            created_at: self.now(),
        })
        .await?;
        Ok(())
    }
}
