//! A person's timeline: every idea they proposed, co-authorship, support, comment, piece of
//! feedback, answer to it and stage change they were told of, newest first. Each kind is read
//! from its own table through an index on (whose, when), at most one page of each, and the
//! pages are merged: a page costs the same however long the person's history.

use async_trait::async_trait;
use cocreate_core::{FeedbackChannel, Stage, TimelineKind, Timestamp};

use crate::{Sql, SqlRead, SqlRow, StoreResult};

/// Whose timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineSubject {
    Account(i64),
    /// A contact known by e-mail only: their feedback and the answers to it.
    Contact(i64),
}

/// Where a page starts: the events after this one, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineCursor {
    pub at: Timestamp,
    pub kind: TimelineKind,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineFilter<'a> {
    pub subject: TimelineSubject,
    /// One kind only.
    pub kind: Option<TimelineKind>,
    /// Feedback (and its answers) about this product only; ideas have no product and are left out.
    pub product_id: Option<i64>,
    /// The spaces whose ideas and comments may be shown; `None` for all.
    pub idea_spaces: Option<&'a [i64]>,
    /// The spaces whose products' feedback may be shown; `None` for all.
    pub feedback_spaces: Option<&'a [i64]>,
    /// Whether drafts and hidden ideas and comments show (the person's own timeline).
    pub own: bool,
    pub before: Option<TimelineCursor>,
    pub limit: i64,
}

/// One event. `id` is, with `kind` and `at`, its place in the timeline: the idea's id for a
/// proposal, co-authorship or support, else the comment's, feedback's or stage change's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    pub kind: TimelineKind,
    pub at: Timestamp,
    pub id: i64,
    pub idea_id: Option<i64>,
    pub challenge_id: Option<i64>,
    /// The idea's or challenge's title.
    pub title: Option<String>,
    pub space_slug: Option<String>,
    pub product_slug: Option<String>,
    pub product_name: Option<String>,
    pub channel: Option<FeedbackChannel>,
    pub rating: Option<i64>,
    /// The comment, the feedback, the answer or the stage change's rationale.
    pub text: Option<String>,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
}

#[async_trait]
pub trait TimelineRead {
    /// A page of the timeline, newest first.
    async fn timeline(&self, filter: &TimelineFilter<'_>) -> StoreResult<Vec<TimelineEvent>>;
}

/// How one kind of event is read: `at` and `id` are the indexed columns it is ordered by,
/// `columns` the rest of the select list, `from` its tables up to the column naming the person.
struct Branch {
    kind: TimelineKind,
    at: &'static str,
    id: &'static str,
    columns: String,
    from: String,
    /// The column holding the subject, for an account and for a contact (`None`: accounts only).
    account: &'static str,
    contact: Option<&'static str>,
    /// The column holding the space the event is in, and whether it is about feedback.
    space: &'static str,
    feedback: bool,
    /// Conditions that hide drafts and hidden content from everyone but the person.
    hidden: &'static str,
}

const IDEA: &str = "i.id AS idea_id, CAST(NULL AS BIGINT) AS challenge_id, i.title AS title, \
     s.slug AS space_slug";
const NO_FEEDBACK: &str = "CAST(NULL AS TEXT) AS product_slug, CAST(NULL AS TEXT) AS product_name, \
     CAST(NULL AS TEXT) AS channel, CAST(NULL AS BIGINT) AS rating";
const NO_TEXT: &str = "CAST(NULL AS TEXT) AS text";
const NO_STAGES: &str = "CAST(NULL AS TEXT) AS from_stage, CAST(NULL AS TEXT) AS to_stage";
const IDEA_SHOWN: &str = " AND i.stage <> 'draft' AND i.hidden_at IS NULL";

fn branches() -> [Branch; 7] {
    // The CROSS JOINs keep SQLite reading the person's rows first, newest first, so that each
    // branch stops after a page.
    let idea = |kind, at, id, from: &str, account| Branch {
        kind,
        at,
        id,
        columns: format!("{IDEA}, {NO_FEEDBACK}, {NO_TEXT}, {NO_STAGES}"),
        from: from.to_owned(),
        account,
        contact: None,
        space: "i.space_id",
        feedback: false,
        hidden: IDEA_SHOWN,
    };
    // Only answered feedback has an answer's time.
    let feedback = |kind, at, text, only: &str| Branch {
        kind,
        at,
        id: "f.id",
        columns: format!(
            "f.idea_id AS idea_id, CAST(NULL AS BIGINT) AS challenge_id, \
             CAST(NULL AS TEXT) AS title, s.slug AS space_slug, p.slug AS product_slug, \
             p.name AS product_name, f.channel AS channel, f.rating AS rating, {text} AS text, \
             {NO_STAGES}"
        ),
        from: format!(
            "feedback f CROSS JOIN products p CROSS JOIN spaces s \
             WHERE p.id = f.product_id AND s.id = p.space_id AND {only}"
        ),
        account: "f.author_account_id",
        contact: Some("f.author_contact_id"),
        space: "p.space_id",
        feedback: true,
        hidden: "",
    };
    [
        idea(
            TimelineKind::Proposed,
            "i.created_at",
            "i.id",
            "ideas i CROSS JOIN spaces s WHERE s.id = i.space_id AND",
            "i.author_id",
        ),
        idea(
            TimelineKind::CoAuthored,
            "ia.accepted_at",
            "ia.idea_id",
            "idea_authors ia CROSS JOIN ideas i CROSS JOIN spaces s \
             WHERE i.id = ia.idea_id AND s.id = i.space_id AND ia.accepted_at IS NOT NULL AND",
            "ia.account_id",
        ),
        idea(
            TimelineKind::Supported,
            "su.created_at",
            "su.idea_id",
            "supports su CROSS JOIN ideas i CROSS JOIN spaces s \
             WHERE i.id = su.idea_id AND s.id = i.space_id AND",
            "su.account_id",
        ),
        Branch {
            kind: TimelineKind::Commented,
            at: "c.created_at",
            id: "c.id",
            columns: format!(
                "c.idea_id AS idea_id, c.challenge_id AS challenge_id, \
                 COALESCE(i.title, ch.title) AS title, s.slug AS space_slug, {NO_FEEDBACK}, \
                 c.body AS text, {NO_STAGES}"
            ),
            from: "comments c LEFT JOIN ideas i ON i.id = c.idea_id \
                 LEFT JOIN challenges ch ON ch.id = c.challenge_id \
                 JOIN spaces s ON s.id = COALESCE(i.space_id, ch.space_id) \
                 WHERE c.deleted_at IS NULL AND"
                .to_owned(),
            account: "c.author_id",
            contact: None,
            space: "COALESCE(i.space_id, ch.space_id)",
            feedback: false,
            hidden: " AND c.hidden_at IS NULL \
                 AND (i.id IS NULL OR (i.stage <> 'draft' AND i.hidden_at IS NULL))",
        },
        feedback(TimelineKind::Feedback, "f.created_at", "f.body", ""),
        feedback(
            TimelineKind::Answered,
            "f.answered_at",
            "f.answer",
            "f.answered_at IS NOT NULL AND",
        ),
        Branch {
            columns: format!(
                "{IDEA}, {NO_FEEDBACK}, e.rationale AS text, e.from_stage AS from_stage, \
                 e.to_stage AS to_stage"
            ),
            hidden: " AND i.hidden_at IS NULL",
            ..idea(
                TimelineKind::Stage,
                "n.created_at",
                "n.event_id",
                "stage_news n CROSS JOIN idea_events e CROSS JOIN ideas i CROSS JOIN spaces s \
                 WHERE e.id = n.event_id AND i.id = e.idea_id AND s.id = i.space_id AND",
                "n.account_id",
            )
        },
    ]
}

fn rank(kind: TimelineKind) -> i64 {
    TimelineKind::ALL
        .iter()
        .position(|k| *k == kind)
        .and_then(|i| i64::try_from(i).ok())
        .unwrap_or(0)
}

/// Appends one branch's page as `SELECT * FROM (…) AS tN`; false when it can hold nothing
/// for this filter.
fn push_branch<'a>(
    sql: &mut Sql<'a>,
    branch: &Branch,
    filter: &TimelineFilter<'a>,
    first: bool,
) -> bool {
    let person = match filter.subject {
        TimelineSubject::Account(id) => (branch.account, id),
        TimelineSubject::Contact(id) => match branch.contact {
            Some(column) => (column, id),
            None => return false,
        },
    };
    let spaces = if branch.feedback {
        filter.feedback_spaces
    } else {
        filter.idea_spaces
    };
    if filter.kind.is_some_and(|kind| kind != branch.kind)
        || (filter.product_id.is_some() && !branch.feedback)
        || spaces.is_some_and(<[i64]>::is_empty)
    {
        return false;
    }
    if !first {
        sql.push(" UNION ALL ");
    }
    sql.push(&format!(
        "SELECT * FROM (SELECT '{kind}' AS kind, CAST({rank} AS BIGINT) AS rank, {at} AS at, \
         {id} AS id, {columns} FROM {from} {column} = ",
        kind = branch.kind.as_str(),
        rank = rank(branch.kind),
        at = branch.at,
        id = branch.id,
        columns = branch.columns,
        from = branch.from,
        column = person.0,
    ))
    .bind(person.1);
    if !filter.own {
        sql.push(branch.hidden);
    }
    if let Some(spaces) = spaces {
        // The unary plus keeps the space from choosing the index: the person's rows come first.
        sql.push(&format!(" AND +{} IN (", branch.space))
            .list(spaces.iter().copied())
            .push(")");
    }
    if let Some(product_id) = filter.product_id {
        sql.push(" AND f.product_id = ").bind(product_id);
    }
    if let Some(cursor) = filter.before {
        let (at, id) = (branch.at, branch.id);
        match rank(branch.kind).cmp(&rank(cursor.kind)) {
            std::cmp::Ordering::Less => {
                sql.push(&format!(" AND {at} <= ")).bind(cursor.at);
            }
            std::cmp::Ordering::Equal => {
                sql.push(&format!(" AND ({at} < "))
                    .bind(cursor.at)
                    .push(&format!(" OR ({at} = "))
                    .bind(cursor.at)
                    .push(&format!(" AND {id} < "))
                    .bind(cursor.id)
                    .push("))");
            }
            std::cmp::Ordering::Greater => {
                sql.push(&format!(" AND {at} < ")).bind(cursor.at);
            }
        }
    }
    sql.push(&format!(
        " ORDER BY {at} DESC, {id} DESC LIMIT ",
        at = branch.at,
        id = branch.id
    ))
    .bind(filter.limit)
    .push(&format!(") AS t{}", rank(branch.kind)));
    true
}

fn event(mut row: SqlRow) -> StoreResult<TimelineEvent> {
    Ok(TimelineEvent {
        kind: row.parse("kind")?,
        at: row.time("at")?,
        id: row.int("id")?,
        idea_id: row.maybe_int("idea_id")?,
        challenge_id: row.maybe_int("challenge_id")?,
        title: row.maybe_text("title")?,
        space_slug: row.maybe_text("space_slug")?,
        product_slug: row.maybe_text("product_slug")?,
        product_name: row.maybe_text("product_name")?,
        channel: row.maybe_parse("channel")?,
        rating: row.maybe_int("rating")?,
        text: row.maybe_text("text")?,
        from_stage: row.maybe_parse("from_stage")?,
        to_stage: row.maybe_parse("to_stage")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> TimelineRead for S {
    async fn timeline(&self, filter: &TimelineFilter<'_>) -> StoreResult<Vec<TimelineEvent>> {
        let mut sql = Sql::new("");
        let mut any = false;
        for branch in &branches() {
            any |= push_branch(&mut sql, branch, filter, !any);
        }
        if !any {
            return Ok(Vec::new());
        }
        sql.push(" ORDER BY at DESC, rank DESC, id DESC LIMIT ")
            .bind(filter.limit);
        self.fetch_sql(&sql).await?.into_iter().map(event).collect()
    }
}
