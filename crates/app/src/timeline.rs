//! One timeline per person: every idea they proposed, co-authorship, support, comment, piece
//! of feedback, answer to it and stage change they were told of, across channels and products,
//! newest first. A person reads their own; staff read anyone's, limited to the spaces they may
//! read (and, for feedback, triage).

use cocreate_core::{AccountKind, Action, TimelineKind, Timestamp, allows};
use cocreate_store::{TimelineCursor, TimelineEvent, TimelineFilter, TimelineSubject};

use crate::{Actor, App, AppError, AppResult};

/// Events on one page of a timeline.
pub const TIMELINE_PAGE_SIZE: i64 = 30;

/// Who a timeline is about, as the reader may know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Customer {
    Account {
        id: i64,
        name: String,
        handle: String,
        kind: AccountKind,
        /// For staff only.
        email: Option<String>,
        member_since: Timestamp,
    },
    Contact {
        id: i64,
        /// Their address, or who they were in the conversation they were met in.
        reference: String,
        /// `email`, or the address of the conversation they were imported from.
        source: String,
        name: Option<String>,
        first_heard: Timestamp,
    },
}

impl Customer {
    /// The name to show: their own, or their address.
    pub fn display_name(&self) -> &str {
        match self {
            Self::Account { name, .. } => name,
            Self::Contact {
                name, reference, ..
            } => name.as_deref().unwrap_or(reference),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineQuery {
    pub kind: Option<TimelineKind>,
    /// A product's slug: its feedback only.
    pub product: Option<String>,
    /// Where the page starts, as the previous page's `next` gave it.
    pub before: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TimelineView {
    pub customer: Customer,
    /// Whether the reader is the person.
    pub own: bool,
    pub events: Vec<TimelineEvent>,
    /// Pass as `before` for the next page; `None` on the last.
    pub next: Option<String>,
}

/// A cursor as pages pass it on: `millis.kind.id`.
fn cursor_text(event: &TimelineEvent) -> String {
    format!("{}.{}.{}", event.at.millis(), event.kind.as_str(), event.id)
}

fn parse_cursor(text: &str) -> AppResult<TimelineCursor> {
    let bad = || AppError::invalid("before", "is not a place in this timeline");
    let mut parts = text.splitn(3, '.');
    let (Some(at), Some(kind), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok(TimelineCursor {
        at: Timestamp(at.parse().map_err(|_| bad())?),
        kind: kind.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

impl App {
    /// A page of the timeline of `subject`: the actor's own, or anyone's for staff. Anyone else
    /// is told it does not exist.
    pub async fn timeline(
        &self,
        actor: &Actor,
        subject: TimelineSubject,
        query: &TimelineQuery,
    ) -> AppResult<TimelineView> {
        let own = subject == TimelineSubject::Account(actor.id);
        let staff = allows(actor.viewer(), Action::ReadCustomers);
        if !own && !staff {
            return Err(AppError::NotFound);
        }
        let customer = self.customer(subject, staff).await?;
        let spaces = self.spaces(Some(actor)).await?;
        let readable: Vec<i64> = spaces.iter().map(|s| s.space.id).collect();
        let triaged: Vec<i64> = spaces
            .iter()
            .filter(|s| s.can_curate)
            .map(|s| s.space.id)
            .collect();
        let product_id = match query.product.as_deref().filter(|p| !p.is_empty()) {
            Some(slug) => Some(
                self.store
                    .product_by_slug(slug)
                    .await?
                    .filter(|p| own || triaged.contains(&p.space_id))
                    .ok_or_else(|| AppError::invalid("product", "matches no product"))?
                    .id,
            ),
            None => None,
        };
        let before = query
            .before
            .as_deref()
            .filter(|b| !b.is_empty())
            .map(parse_cursor)
            .transpose()?;
        let mut events = self
            .store
            .timeline(&TimelineFilter {
                subject,
                kind: query.kind,
                product_id,
                idea_spaces: Some(&readable),
                // A person always sees their own feedback.
                feedback_spaces: (!own).then_some(&triaged[..]),
                own,
                before,
                limit: TIMELINE_PAGE_SIZE + 1,
            })
            .await?;
        let next = if events.len() > TIMELINE_PAGE_SIZE as usize {
            events.pop();
            events.last().map(cursor_text)
        } else {
            None
        };
        Ok(TimelineView {
            customer,
            own,
            events,
            next,
        })
    }

    /// The person a timeline is about; their address only for staff.
    pub(crate) async fn customer(
        &self,
        subject: TimelineSubject,
        staff: bool,
    ) -> AppResult<Customer> {
        match subject {
            TimelineSubject::Account(id) => {
                let account = self
                    .store
                    .account_by_id(id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                Ok(Customer::Account {
                    id: account.id,
                    name: account.name,
                    handle: account.handle,
                    kind: account.kind,
                    email: staff.then_some(account.email),
                    member_since: account.created_at,
                })
            }
            TimelineSubject::Contact(id) => {
                let contact = self.store.contact(id).await?.ok_or(AppError::NotFound)?;
                Ok(Customer::Contact {
                    id: contact.id,
                    reference: contact.external_ref,
                    source: contact.source,
                    name: contact.name,
                    first_heard: contact.created_at,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_it_was_written() {
        let event = TimelineEvent {
            kind: TimelineKind::CoAuthored,
            at: Timestamp(1_765_000_000_123),
            id: 42,
            idea_id: None,
            challenge_id: None,
            title: None,
            space_slug: None,
            product_slug: None,
            product_name: None,
            channel: None,
            rating: None,
            text: None,
            from_stage: None,
            to_stage: None,
        };
        let cursor = parse_cursor(&cursor_text(&event)).unwrap();
        assert_eq!(cursor.at, event.at);
        assert_eq!(cursor.kind, TimelineKind::CoAuthored);
        assert_eq!(cursor.id, 42);
        for bad in [
            "",
            "12",
            "12.proposed",
            "x.proposed.1",
            "12.sold.1",
            "12.proposed.y",
        ] {
            let error = parse_cursor(bad).unwrap_err();
            assert!(
                matches!(&error, AppError::Validation(v) if v.field == "before"),
                "{bad}: {error:?}"
            );
        }
    }
}
