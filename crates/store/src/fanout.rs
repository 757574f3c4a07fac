//! Fan-out: news for many people (a comment for an idea's followers, a decision or a tier
//! climbed for its supporters) is written as one event in the change's own transaction; a job then delivers it
//! in batches, in account-id order, each batch its own short transaction, so the change costs the
//! same however many people are told. The job reads each recipient's kind, role and membership of
//! the idea's space as they are at delivery time, for the app to ask the policy.

use async_trait::async_trait;
use cocreate_core::{AccountKind, Audience, OrgRole, Timestamp};

use crate::{SqlTx, SqlValue, StoreError, StoreResult};

/// Who an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanoutKind {
    /// A notification to each follower of the idea.
    Comment,
    /// A mail and a notification to each supporter of the idea, and its author.
    Decision,
    /// A notification to each supporter of the idea, and its author: it climbed a tier.
    Milestone,
    /// A mail and a notification to each account whose feedback is linked to the idea as
    /// evidence, besides its supporters and author (told by the decision itself).
    Asked,
}

impl FanoutKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Comment => "comment",
            Self::Decision => "decision",
            Self::Milestone => "milestone",
            Self::Asked => "asked",
        }
    }

    fn parse(text: &str) -> StoreResult<Self> {
        match text {
            "comment" => Ok(Self::Comment),
            "decision" => Ok(Self::Decision),
            "milestone" => Ok(Self::Milestone),
            "asked" => Ok(Self::Asked),
            other => Err(StoreError::Corrupt(format!("fan-out kind {other:?}"))),
        }
    }
}

pub struct NewFanout<'a> {
    pub kind: FanoutKind,
    pub idea_id: i64,
    pub comment_id: Option<i64>,
    /// Someone not to tell: the writer of the comment.
    pub skip_account_id: Option<i64>,
    /// The notification's text, or the mail's subject.
    pub subject: &'a str,
    /// The mail's body (empty for a notification).
    pub body: &'a str,
    pub created_at: Timestamp,
    /// The stage change a decision announces: those told have it on their timeline.
    pub event_id: Option<i64>,
}

/// An event still being delivered: everyone up to `after_account_id` has been told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fanout {
    pub id: i64,
    pub kind: FanoutKind,
    pub idea_id: i64,
    pub comment_id: Option<i64>,
    pub skip_account_id: Option<i64>,
    pub subject: String,
    pub body: String,
    pub after_account_id: i64,
    pub event_id: Option<i64>,
    /// The space of the idea, and who it is for.
    pub space_id: i64,
    pub audience: Audience,
    /// What it announces was withdrawn since: the idea hidden, the comment deleted or hidden.
    pub withdrawn: bool,
}

/// Someone an event is for, as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub account_id: i64,
    pub email: String,
    pub kind: AccountKind,
    pub role: OrgRole,
    /// A member of the idea's space (what an invite-only space asks).
    pub member: bool,
    /// Already told about this comment (mentioned in it, say).
    pub told: bool,
}

#[async_trait]
pub trait FanoutTx: Send {
    async fn insert_fanout(&mut self, fanout: &NewFanout<'_>) -> StoreResult<i64>;
    /// The oldest event still being delivered that no other worker holds, held until commit.
    async fn next_fanout(&mut self) -> StoreResult<Option<Fanout>>;
    /// The event's next recipients after `fanout.after_account_id`, at most `limit`.
    async fn fanout_recipients(
        &mut self,
        fanout: &Fanout,
        limit: i64,
    ) -> StoreResult<Vec<Recipient>>;
    /// The idea's author, for a decision or a milestone, unless a supporter (and so told with them).
    async fn fanout_author(&mut self, fanout: &Fanout) -> StoreResult<Option<Recipient>>;
    /// Records that everyone up to `after_account_id` was told.
    async fn advance_fanout(&mut self, id: i64, after_account_id: i64) -> StoreResult<()>;
    /// Removes a delivered event.
    async fn finish_fanout(&mut self, id: i64) -> StoreResult<()>;
    /// Counts a failed delivery of the event.
    async fn fanout_failed(&mut self, id: i64) -> StoreResult<()>;
    /// Puts the stage change on the timeline of someone told of it (once).
    async fn insert_stage_news(&mut self, account_id: i64, event_id: i64) -> StoreResult<()>;
}

const INSERT: &str = "INSERT INTO fanouts \
     (kind, idea_id, comment_id, skip_account_id, subject, body, after_account_id, created_at, \
     event_id) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) RETURNING id";
/// The oldest event not set aside, with its idea's space and whether what it announces was
/// withdrawn since (the idea hidden, the comment deleted or hidden).
const NEXT: &str = "SELECT f.id, f.kind, f.idea_id, f.comment_id, f.skip_account_id, f.subject, \
     f.body, f.after_account_id, f.event_id, s.id, s.audience, \
     CAST(CASE WHEN i.hidden_at IS NOT NULL OR EXISTS (SELECT 1 FROM comments c \
     WHERE c.id = f.comment_id AND (c.deleted_at IS NOT NULL OR c.hidden_at IS NOT NULL)) \
     THEN 1 ELSE 0 END AS BIGINT) \
     FROM fanouts f JOIN ideas i ON i.id = f.idea_id JOIN spaces s ON s.id = i.space_id \
     WHERE f.failures < $1 ORDER BY f.id LIMIT 1";
/// Followers (for a comment) or supporters (for a decision): one index range of the idea's
/// rows, from the cursor on, with whether each is a member of the space and was told already.
const RECIPIENTS: &str = "SELECT a.id, a.email, a.kind, a.role, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM space_members m \
     WHERE m.space_id = $1 AND m.account_id = a.id) THEN 1 ELSE 0 END AS BIGINT), \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM notifications n \
     WHERE n.account_id = a.id AND n.comment_id = $2) THEN 1 ELSE 0 END AS BIGINT) \
     FROM {table} r JOIN accounts a ON a.id = r.account_id \
     WHERE r.idea_id = $3 AND r.account_id > $4 ORDER BY r.account_id LIMIT $5";
/// The same columns for the authors of feedback linked to the idea who are neither among its
/// supporters nor its author: one index range of the idea's evidence.
const ASKED: &str = "SELECT a.id, a.email, a.kind, a.role, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM space_members m \
     WHERE m.space_id = $1 AND m.account_id = a.id) THEN 1 ELSE 0 END AS BIGINT), \
     CAST(0 AS BIGINT) FROM accounts a \
     WHERE a.id IN (SELECT f.author_account_id FROM feedback f \
     WHERE f.idea_id = $2 AND f.author_account_id > $3) \
     AND NOT EXISTS (SELECT 1 FROM supports s WHERE s.idea_id = $4 AND s.account_id = a.id) \
     AND NOT EXISTS (SELECT 1 FROM ideas i WHERE i.id = $5 AND i.author_id = a.id) \
     ORDER BY a.id LIMIT $6";
/// The same columns for the idea's author, when not among its supporters.
const AUTHOR: &str = "SELECT a.id, a.email, a.kind, a.role, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM space_members m \
     WHERE m.space_id = $1 AND m.account_id = a.id) THEN 1 ELSE 0 END AS BIGINT), \
     CAST(0 AS BIGINT) \
     FROM ideas i JOIN accounts a ON a.id = i.author_id \
     WHERE i.id = $2 AND NOT EXISTS \
     (SELECT 1 FROM supports s WHERE s.idea_id = i.id AND s.account_id = a.id)";
const ADVANCE: &str = "UPDATE fanouts SET after_account_id = $1 WHERE id = $2";
const FINISH: &str = "DELETE FROM fanouts WHERE id = $1";
const FAILED: &str = "UPDATE fanouts SET failures = failures + 1 WHERE id = $1";
const STAGE_NEWS: &str = "INSERT INTO stage_news (account_id, event_id, created_at) \
     SELECT $1, id, created_at FROM idea_events WHERE id = $2 ON CONFLICT DO NOTHING";

/// Failed deliveries after which an event is set aside.
pub const MAX_FANOUT_FAILURES: i64 = 5;

fn recipient(row: &[SqlValue]) -> StoreResult<Recipient> {
    let [id, email, kind, role, member, told] = row else {
        return Err(StoreError::Corrupt(
            "a recipient row has the wrong columns".into(),
        ));
    };
    Ok(Recipient {
        account_id: id.int("id")?,
        email: email.text("email")?.to_owned(),
        kind: kind.parse("kind")?,
        role: role.parse("role")?,
        member: member.int("member")? == 1,
        told: told.int("told")? == 1,
    })
}

#[async_trait]
impl<T: SqlTx + ?Sized> FanoutTx for T {
    async fn insert_fanout(&mut self, fanout: &NewFanout<'_>) -> StoreResult<i64> {
        let args = [
            fanout.kind.as_str().into(),
            fanout.idea_id.into(),
            fanout.comment_id.into(),
            fanout.skip_account_id.into(),
            fanout.subject.into(),
            fanout.body.into(),
            fanout.created_at.into(),
            fanout.event_id.into(),
        ];
        self.insert_returning_id(INSERT, &args).await
    }

    async fn next_fanout(&mut self) -> StoreResult<Option<Fanout>> {
        // Only the event's row is held (`OF f`): holding its idea would stall supports.
        let lock = if self.dialect().skip_locked.is_empty() {
            ""
        } else {
            " FOR UPDATE OF f SKIP LOCKED"
        };
        let rows = self
            .fetch(&format!("{NEXT}{lock}"), &[MAX_FANOUT_FAILURES.into()])
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let [
            id,
            kind,
            idea_id,
            comment_id,
            skip,
            subject,
            body,
            after,
            event_id,
            space_id,
            audience,
            withdrawn,
        ] = row.values()
        else {
            return Err(StoreError::Corrupt(
                "a fan-out row has the wrong columns".into(),
            ));
        };
        Ok(Some(Fanout {
            id: id.int("id")?,
            kind: FanoutKind::parse(kind.text("kind")?)?,
            idea_id: idea_id.int("idea_id")?,
            comment_id: comment_id.maybe_int("comment_id")?,
            skip_account_id: skip.maybe_int("skip_account_id")?,
            subject: subject.text("subject")?.to_owned(),
            body: body.text("body")?.to_owned(),
            after_account_id: after.int("after_account_id")?,
            event_id: event_id.maybe_int("event_id")?,
            space_id: space_id.int("space_id")?,
            audience: audience.parse("audience")?,
            withdrawn: withdrawn.int("withdrawn")? == 1,
        }))
    }

    async fn fanout_recipients(
        &mut self,
        fanout: &Fanout,
        limit: i64,
    ) -> StoreResult<Vec<Recipient>> {
        let table = match fanout.kind {
            FanoutKind::Comment => "follows",
            FanoutKind::Decision | FanoutKind::Milestone => "supports",
            FanoutKind::Asked => {
                let args = [
                    fanout.space_id.into(),
                    fanout.idea_id.into(),
                    fanout.after_account_id.into(),
                    fanout.idea_id.into(),
                    fanout.idea_id.into(),
                    limit.into(),
                ];
                return self
                    .fetch(ASKED, &args)
                    .await?
                    .iter()
                    .map(|row| recipient(row.values()))
                    .collect();
            }
        };
        let args = [
            fanout.space_id.into(),
            // Ids start at 1: no comment's notification matches 0.
            fanout.comment_id.unwrap_or(0).into(),
            fanout.idea_id.into(),
            fanout.after_account_id.into(),
            limit.into(),
        ];
        self.fetch(&RECIPIENTS.replace("{table}", table), &args)
            .await?
            .iter()
            .map(|row| recipient(row.values()))
            .collect()
    }

    async fn fanout_author(&mut self, fanout: &Fanout) -> StoreResult<Option<Recipient>> {
        let args = [fanout.space_id.into(), fanout.idea_id.into()];
        let rows = self.fetch(AUTHOR, &args).await?;
        rows.first().map(|row| recipient(row.values())).transpose()
    }

    async fn advance_fanout(&mut self, id: i64, after_account_id: i64) -> StoreResult<()> {
        self.execute(ADVANCE, &[after_account_id.into(), id.into()])
            .await?;
        Ok(())
    }

    async fn finish_fanout(&mut self, id: i64) -> StoreResult<()> {
        self.execute(FINISH, &[id.into()]).await?;
        Ok(())
    }

    async fn fanout_failed(&mut self, id: i64) -> StoreResult<()> {
        self.execute(FAILED, &[id.into()]).await?;
        Ok(())
    }

    async fn insert_stage_news(&mut self, account_id: i64, event_id: i64) -> StoreResult<()> {
        self.execute(STAGE_NEWS, &[account_id.into(), event_id.into()])
            .await?;
        Ok(())
    }
}
