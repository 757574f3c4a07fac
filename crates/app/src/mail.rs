//! Mail leaves through the outbox: use cases enqueue in their own transaction, and this worker
//! delivers over SMTP with retries and backoff. Without SMTP settings each mail is written to the
//! log (recipient and subject only: bodies carry tokens) and kept in the outbox for admins.

use std::sync::Arc;
use std::time::Duration;

use cocreate_store::{MailOutcome, OutboxMail};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use crate::{App, AppError, AppResult};

/// After this many failed attempts a mail is dead.
pub const MAX_MAIL_ATTEMPTS: i64 = 6;
/// The first retry waits this long; each later one twice as long as the one before.
pub const FIRST_RETRY_SECONDS: i64 = 30;
/// The most mails one call delivers before looking at the other jobs again.
const BATCH: usize = 20;
/// A lease outlasts the longest a delivery may take by this much, so no other worker takes a
/// mail while it is being sent.
const LEASE_MARGIN: Duration = Duration::from_secs(60);

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or in tests.
    None,
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The sender, e.g. `Cocreate <noreply@example.org>`.
    pub from: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// The background jobs: delivers due outbox mail and news (notifications and mail to an idea's
/// followers and supporters), expires ideas whose deadline passed, refreshes idea ranks, and
/// removes records past their retention.
pub struct Worker {
    app: Arc<App>,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    /// The most one delivery may take, whatever the server does (lettre's own timeout does not
    /// cover a server that accepts the connection and never greets).
    send_timeout: Duration,
}

impl Worker {
    pub fn new(app: Arc<App>) -> AppResult<Self> {
        let settings = app.config().smtp.clone();
        let send_timeout = settings
            .as_ref()
            .map_or(Duration::from_secs(30), |s| s.timeout * 2);
        let smtp = settings.as_ref().map(transport).transpose()?;
        Ok(Self {
            app,
            smtp,
            send_timeout,
        })
    }

    /// Delivers the mail due now, up to a batch; returns how many were attempted. Each mail is
    /// leased alone, just before it is sent, for longer than a delivery can take: a lease taken
    /// for a whole batch would run out while the batch's last mails still wait their turn, and
    /// another worker would send them too.
    pub async fn deliver_mail(&self) -> AppResult<usize> {
        let lease =
            i64::try_from((self.send_timeout + LEASE_MARGIN).as_millis()).unwrap_or(i64::MAX);
        let mut attempted = 0;
        while attempted < BATCH {
            let now = self.app.now();
            let mut tx = self.app.store.begin().await?;
            let claimed = tx.claim_mail(now, now.plus_millis(lease), 1).await?;
            tx.commit().await?;
            let Some(mail) = claimed.first() else {
                break;
            };
            let outcome = self.deliver(mail).await;
            let mut tx = self.app.store.begin().await?;
            tx.finish_mail(mail.id, &outcome, self.app.now()).await?;
            tx.commit().await?;
            attempted += 1;
        }
        Ok(attempted)
    }

    async fn deliver(&self, mail: &OutboxMail) -> MailOutcome {
        let Some((transport, from)) = &self.smtp else {
            tracing::info!(mail_id = mail.id, to = %mail.to_address, subject = %mail.subject, "mail kept in outbox (no SMTP configured)");
            return MailOutcome::Logged;
        };
        let body = match self.app.sealer.open(&mail.body) {
            Ok(body) => body,
            Err(error) => {
                return MailOutcome::Dead {
                    error: error.to_string(),
                };
            }
        };
        let message = match build_message(from, mail, body) {
            Ok(message) => message,
            Err(error) => return MailOutcome::Dead { error },
        };
        let (text, permanent) =
            match tokio::time::timeout(self.send_timeout, transport.send(message)).await {
                Ok(Ok(_)) => {
                    tracing::info!(mail_id = mail.id, to = %mail.to_address, "mail sent");
                    return MailOutcome::Sent;
                }
                Ok(Err(error)) => (error.to_string(), error.is_permanent()),
                Err(_) => (
                    format!(
                        "the SMTP server did not answer within {:?}",
                        self.send_timeout
                    ),
                    false,
                ),
            };
        tracing::warn!(mail_id = mail.id, attempt = mail.attempts, error = %text, "mail delivery failed");
        if permanent || mail.attempts >= MAX_MAIL_ATTEMPTS {
            MailOutcome::Dead { error: text }
        } else {
            let wait = FIRST_RETRY_SECONDS * (1_i64 << (mail.attempts - 1).clamp(0, 20));
            MailOutcome::Retry {
                error: text,
                retry_at: self.app.now().plus_millis(wait * 1000),
            }
        }
    }

    /// Runs until the task is dropped: mail and overdue ideas (waking when mail is enqueued,
    /// and at least every second), and beside them the idea ranks.
    pub async fn run(self) {
        tokio::join!(
            self.deliver_and_expire(),
            self.deliver_news(),
            self.rank(),
            self.remove_expired()
        );
    }

    /// Delivers news as soon as it is recorded (and checks at least every second), apart from
    /// mail so that a slow SMTP server holds up no notification. With much waiting, it rests as
    /// long as it worked between turns, so that writers (on SQLite, one at a time) still get
    /// their turn at least half of the time.
    async fn deliver_news(&self) {
        const BATCHES_PER_TURN: usize = 10;
        loop {
            let started = std::time::Instant::now();
            match self.app.deliver_news(BATCHES_PER_TURN).await {
                Ok(batches) if batches == BATCHES_PER_TURN => {
                    tokio::time::sleep(started.elapsed()).await;
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "could not deliver news"),
            }
            tokio::select! {
                () = self.app.news_wakeup.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Once an hour (and at start), removes what the retention periods let go.
    async fn remove_expired(&self) {
        let mut every = tokio::time::interval(Duration::from_secs(60 * 60));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match self.app.remove_expired().await {
                Ok(removed) => tracing::debug!(?removed, "expired records removed"),
                Err(error) => tracing::warn!(%error, "could not remove expired records"),
            }
        }
    }

    async fn deliver_and_expire(&self) {
        loop {
            if let Err(error) = self.app.expire_overdue_ideas().await {
                tracing::warn!(%error, "could not expire overdue ideas");
            }
            match self.deliver_mail().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "mail worker could not reach the outbox"),
            }
            tokio::select! {
                () = self.app.mail_wakeup.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Checks every idea's ranks at start, then once a minute recounts the trending ranks of the
    /// ideas whose supports left the week, resting between batches so a refresh never takes more
    /// than a quarter of the time it runs. After a failure the next refresh covers the missed
    /// minutes too.
    async fn rank(&self) {
        const RANK_EVERY: Duration = Duration::from_secs(60);
        const REST: u32 = 3;
        let mut every = tokio::time::interval(RANK_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut as_of = None;
        loop {
            every.tick().await;
            let started = std::time::Instant::now();
            let refreshed = match as_of {
                None => self.app.refresh_ranks_resting(REST).await,
                Some(as_of) => self.app.refresh_trending_resting(as_of, REST).await,
            };
            match refreshed {
                Ok(refreshed) => {
                    as_of = Some(refreshed.as_of);
                    tracing::debug!(
                        ideas = refreshed.ideas,
                        moved = refreshed.moved,
                        ms = started.elapsed().as_millis() as u64,
                        "idea ranks refreshed"
                    );
                }
                Err(error) => tracing::warn!(%error, "could not refresh idea ranks"),
            }
        }
    }
}

fn transport(settings: &SmtpSettings) -> AppResult<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)> {
    let from: Mailbox = settings.from.parse().map_err(|e| {
        AppError::invalid("smtp.from", format!("is not a valid sender address: {e}"))
    })?;
    let builder = match settings.security {
        SmtpSecurity::None => {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        }
        SmtpSecurity::StartTls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                .map_err(|e| AppError::invalid("smtp.host", e.to_string()))?
        }
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
            .map_err(|e| AppError::invalid("smtp.host", e.to_string()))?,
    };
    let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
    if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    Ok((builder.build(), from))
}

fn build_message(from: &Mailbox, mail: &OutboxMail, body: String) -> Result<Message, String> {
    let to: Mailbox = mail
        .to_address
        .parse()
        .map_err(|e| format!("invalid recipient: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("cannot build message: {e}"))
}

impl App {
    /// Tells the mail worker that something was enqueued.
    pub(crate) fn wake_mail_worker(&self) {
        self.mail_wakeup.notify_one();
    }

    /// Tells the news worker that an event waits for delivery.
    pub(crate) fn wake_news_worker(&self) {
        self.news_wakeup.notify_one();
    }
}
