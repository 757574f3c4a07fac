//! The customer list for staff: everyone who gave feedback on the products of the spaces they
//! triage, each once, most recently heard from first, filtered by product, channel, tag and the
//! period they were heard from in.

use cocreate_core::{Action, FeedbackChannel, Timestamp, allows};
use cocreate_store::{CustomerFilter, FeedbackItem, Product};

use crate::feedback::Triage;
use crate::{Actor, App, AppError, AppResult};

/// Customers on one page of the list.
pub const CUSTOMERS_PER_PAGE: i64 = 30;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerQuery {
    pub product: Option<String>,
    pub channel: Option<FeedbackChannel>,
    pub tag: Option<String>,
    /// Heard from on or after this day / on or before the end of this day (`YYYY-MM-DD`, in the
    /// organisation's time zone).
    pub since: Option<String>,
    pub until: Option<String>,
    /// Where the page starts, as the previous page's `next` gave it.
    pub before: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CustomerList {
    /// Each customer as their newest piece of feedback that matches the filters.
    pub customers: Vec<FeedbackItem>,
    pub next: Option<String>,
    /// The products of the spaces the reader triages, for filtering.
    pub products: Vec<Product>,
}

fn parse_before(text: &str) -> AppResult<(Timestamp, i64)> {
    let bad = || AppError::invalid("before", "is not a place in this list");
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok((
        Timestamp(at.parse().map_err(|_| bad())?),
        id.parse().map_err(|_| bad())?,
    ))
}

impl App {
    /// A page of the customer list; staff only.
    pub async fn customers(&self, actor: &Actor, query: &CustomerQuery) -> AppResult<CustomerList> {
        if !allows(actor.viewer(), Action::ReadCustomers) {
            return Err(AppError::Forbidden);
        }
        let Triage {
            products,
            product_id,
            tag,
            ..
        } = self
            .triage(actor, query.product.as_deref(), query.tag.as_deref())
            .await?;
        let product_ids: Vec<i64> = match product_id {
            Some(id) => vec![id],
            None => products.iter().map(|p| p.id).collect(),
        };
        let zone = self.time_zone().await?;
        let since = zone.start_of_day("since", query.since.as_deref().unwrap_or(""))?;
        let until = zone.end_of_day("until", query.until.as_deref().unwrap_or(""))?;
        if let (Some(since), Some(until)) = (since, until)
            && since >= until
        {
            return Err(AppError::invalid(
                "until",
                "must not be before the first day",
            ));
        }
        let before = query
            .before
            .as_deref()
            .filter(|b| !b.is_empty())
            .map(parse_before)
            .transpose()?;
        let mut customers = self
            .store
            .customers(&CustomerFilter {
                product_ids: &product_ids,
                channel: query.channel,
                tag: tag.as_deref(),
                since,
                until,
                before,
                limit: CUSTOMERS_PER_PAGE + 1,
            })
            .await?;
        let next = if customers.len() > CUSTOMERS_PER_PAGE as usize {
            customers.pop();
            customers
                .last()
                .map(|c| format!("{}.{}", c.created_at.millis(), c.id))
        } else {
            None
        };
        Ok(CustomerList {
            customers,
            next,
            products,
        })
    }
}
