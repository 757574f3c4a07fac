//! Feedback on products, from every channel, and the staff's triage inbox. Anyone who may read
//! a product's space may give feedback on it (without an account, in a public space, by giving
//! an e-mail address: the feedback is then a contact's). Feedback is not public: its author and
//! the staff who may curate its space read it, and only those staff triage it.

use cocreate_core::{
    AccountKind, DisplayName, Email, FeedbackChannel, FeedbackStatus, FeedbackText, Rating,
    Rationale, Tags,
};
use cocreate_store::{FeedbackAuthor, FeedbackFilter, FeedbackItem, NewFeedback, Product};

use crate::{Actor, App, AppError, AppResult};

/// Feedback items per inbox page (and the API's default page).
pub const FEEDBACK_PER_PAGE: i64 = 50;
/// The most items one bulk action changes.
pub const MAX_BULK_FEEDBACK: usize = 200;

/// Feedback as given: through a form, the API or an import.
#[derive(Debug, Default, Clone, Copy)]
pub struct FeedbackInput<'a> {
    pub body: &'a str,
    pub rating: Option<i64>,
    /// Staff's tags, typed as for ideas.
    pub tags: &'a str,
    /// Who it is from, when not the one sending it: required without an account; staff (an
    /// integration's token) may name a customer.
    pub author_email: Option<&'a str>,
    pub author_name: Option<&'a str>,
}

/// Which feedback the inbox shows.
#[derive(Debug, Default, Clone)]
pub struct FeedbackQuery {
    pub product: Option<String>,
    pub channel: Option<FeedbackChannel>,
    pub rating: Option<i64>,
    pub tag: Option<String>,
    pub status: Option<FeedbackStatus>,
    pub unanswered: bool,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// The spaces a staff member triages, their products, and a list's product and tag filters.
pub(crate) struct Triage {
    pub(crate) space_ids: Vec<i64>,
    pub(crate) products: Vec<Product>,
    pub(crate) product_id: Option<i64>,
    pub(crate) tag: Option<String>,
}

/// One page of the inbox.
#[derive(Debug, Clone)]
pub struct FeedbackInbox {
    pub items: Vec<FeedbackItem>,
    /// Where the next page starts, when there is one.
    pub next: Option<i64>,
    /// The products of the spaces the viewer triages, for filtering.
    pub products: Vec<Product>,
}

/// A piece of feedback with what the viewer may do with it.
#[derive(Debug, Clone)]
pub struct FeedbackView {
    pub item: FeedbackItem,
    pub can_triage: bool,
}

/// A bulk action names one piece of feedback at least, and at most [`MAX_BULK_FEEDBACK`].
pub(crate) fn check_bulk(ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Err(AppError::invalid(
            "ids",
            "must name at least one piece of feedback",
        ));
    }
    if ids.len() > MAX_BULK_FEEDBACK {
        return Err(AppError::invalid(
            "ids",
            format!("must name at most {MAX_BULK_FEEDBACK} pieces at once"),
        ));
    }
    Ok(())
}

/// A customer a partner sent feedback for: their account, if any, and the address given.
struct Told<'a> {
    account_id: Option<i64>,
    address: &'a str,
}

/// Who a piece of feedback will be from, and who sent it in for them.
enum Author {
    Account(i64, Option<i64>),
    Contact(Email, Option<i64>),
}

impl App {
    /// Records feedback on the product called `slug`, sent by `actor` (none: a visitor giving
    /// an e-mail address) through `channel`.
    pub async fn send_feedback(
        &self,
        actor: Option<&Actor>,
        product_slug: &str,
        input: &FeedbackInput<'_>,
        channel: FeedbackChannel,
    ) -> AppResult<FeedbackItem> {
        let (space, product) = self.visible_product(actor, product_slug).await?;
        let body = FeedbackText::parse(input.body)?;
        let rating = input.rating.map(Rating::new).transpose()?;
        let tags = Tags::parse(input.tags)?;
        if !tags.as_slice().is_empty() && !space.can_curate {
            return Err(AppError::invalid("tags", "are set by staff only"));
        }
        let named = match input.author_email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(email) => Some(
                Email::parse(email)
                    .map_err(|error| AppError::invalid("author_email", error.message))?,
            ),
            None => None,
        };
        let name = match input.author_name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => Some(
                DisplayName::parse(name)
                    .map_err(|error| AppError::invalid("author_name", error.message))?,
            ),
            None => None,
        };
        let told_address = named
            .as_ref()
            .map(|email| email.as_str().to_owned())
            .unwrap_or_default();
        // Read before the transaction, never through the pool while it holds a connection.
        let author = match (actor, named) {
            (Some(actor), None) => Author::Account(actor.id, None),
            (Some(actor), Some(email)) if email.as_str() == actor.email => {
                Author::Account(actor.id, None)
            }
            (Some(actor), Some(email)) => {
                if !space.can_curate && actor.kind != AccountKind::Partner {
                    return Err(AppError::invalid(
                        "author_email",
                        "may name someone else only when staff or a partner sends the feedback",
                    ));
                }
                match self.store.account_by_email(email.as_str()).await? {
                    Some(account) => Author::Account(account.id, Some(actor.id)),
                    None => Author::Contact(email, Some(actor.id)),
                }
            }
            // A visitor's address is unconfirmed: the feedback stays a contact's, even if an
            // account uses the address, so nobody writes in another person's name.
            (None, Some(email)) => Author::Contact(email, None),
            (None, None) => {
                return Err(AppError::invalid(
                    "author_email",
                    "is needed without an account: give your e-mail address, or sign in",
                ));
            }
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (author_account_id, author_contact_id, submitted_by) = match author {
            Author::Account(id, submitted_by) => (Some(id), None, submitted_by),
            Author::Contact(email, submitted_by) => {
                let contact = tx
                    .email_contact(email.as_str(), name.as_ref().map(DisplayName::as_str), now)
                    .await?;
                (None, Some(contact), submitted_by)
            }
        };
        let id = tx
            .insert_feedback(&NewFeedback {
                product_id: product.id,
                body: body.as_str(),
                rating: rating.map(Rating::value),
                channel,
                author_account_id,
                author_contact_id,
                submitted_by,
                tags: &tags.to_stored(),
                created_at: now,
            })
            .await?;
        if let Some(partner) = actor.filter(|a| a.kind == AccountKind::Partner)
            && submitted_by.is_some()
        {
            let told = Told {
                account_id: author_account_id,
                address: &told_address,
            };
            self.tell_of_partner_feedback(&mut *tx, partner, told, &product, body.as_str())
                .await?;
        }
        self.commit(tx).await?;
        self.wake_mail_worker();
        self.store
            .feedback_item(id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Tells a customer that a partner sent feedback in their name: in the app when they have an
    /// account, and by mail.
    async fn tell_of_partner_feedback(
        &self,
        tx: &mut dyn cocreate_store::Tx,
        partner: &Actor,
        told: Told<'_>,
        product: &Product,
        body: &str,
    ) -> AppResult<()> {
        let subject = format!("{} sent us feedback in your name", partner.name);
        if let Some(account_id) = told.account_id {
            tx.insert_notification(&cocreate_store::NewNotification {
                account_id,
                idea_id: None,
                challenge_id: None,
                comment_id: None,
                text: &subject,
                created_at: self.now(),
            })
            .await?;
        }
        let mail = format!(
            "{} told us this on your behalf, about {}:\n\n{body}\n\nSign in with this address to \
             read it, and our answers, under \"Your feedback\": {}\n",
            partner.name,
            product.name,
            self.link("/my/feedback")
        );
        self.enqueue_mail(tx, told.address, &subject, &mail).await
    }

    /// What a triage list reads: the spaces the actor triages, their products, and the product
    /// and tag it is narrowed to, each refused naming its field when it matches nothing.
    pub(crate) async fn triage(
        &self,
        actor: &Actor,
        product: Option<&str>,
        tag: Option<&str>,
    ) -> AppResult<Triage> {
        let space_ids = self.triaged_space_ids(actor).await?;
        let mut products = Vec::new();
        for id in &space_ids {
            products.extend(self.store.products_of_space(*id).await?);
        }
        let product_id = match product.filter(|p| !p.is_empty()) {
            Some(slug) => Some(
                products
                    .iter()
                    .find(|p| p.slug == slug)
                    .map(|p| p.id)
                    .ok_or_else(|| {
                        AppError::invalid(
                            "product",
                            "matches no product of the spaces you look after",
                        )
                    })?,
            ),
            None => None,
        };
        let tag = match tag.filter(|t| !t.is_empty()) {
            Some(text) => match Tags::parse(text)?.as_slice() {
                [one] => Some(one.clone()),
                _ => return Err(AppError::invalid("tag", "must be a single tag")),
            },
            None => None,
        };
        Ok(Triage {
            space_ids,
            products,
            product_id,
            tag,
        })
    }

    /// The ids of the spaces whose feedback the actor triages: those they may curate.
    pub(crate) async fn triaged_space_ids(&self, actor: &Actor) -> AppResult<Vec<i64>> {
        let ids: Vec<i64> = self
            .spaces(Some(actor))
            .await?
            .iter()
            .filter(|space| space.can_curate)
            .map(|space| space.space.id)
            .collect();
        if ids.is_empty() {
            return Err(AppError::Forbidden);
        }
        Ok(ids)
    }

    /// A page of the staff's inbox: feedback of the spaces they curate, newest first.
    pub async fn feedback_inbox(
        &self,
        actor: &Actor,
        query: &FeedbackQuery,
    ) -> AppResult<FeedbackInbox> {
        let Triage {
            space_ids,
            products,
            product_id,
            tag,
        } = self
            .triage(actor, query.product.as_deref(), query.tag.as_deref())
            .await?;
        if let Some(rating) = query.rating {
            Rating::new(rating)?;
        }
        let limit = query.limit.unwrap_or(FEEDBACK_PER_PAGE);
        if !(1..=200).contains(&limit) {
            return Err(AppError::invalid("limit", "must be from 1 to 200"));
        }
        let mut items = self
            .store
            .feedback_list(&FeedbackFilter {
                space_ids: &space_ids,
                product_id,
                channel: query.channel,
                rating: query.rating,
                tag: tag.as_deref(),
                status: query.status,
                unanswered: query.unanswered,
                before: query.before,
                limit: limit + 1,
                ..FeedbackFilter::default()
            })
            .await?;
        let next = if items.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
            items.pop();
            items.last().map(|item| item.id)
        } else {
            None
        };
        Ok(FeedbackInbox {
            items,
            next,
            products,
        })
    }

    /// One piece of feedback, for its author or the staff who triage it.
    pub async fn feedback_item(&self, actor: &Actor, id: i64) -> AppResult<FeedbackView> {
        let item = self
            .store
            .feedback_item(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let space = self.space_by_id(Some(actor), item.space_id).await?;
        let own = matches!(item.author, FeedbackAuthor::Account { id, .. } if id == actor.id);
        let sent_in = item.submitted_by == Some(actor.id);
        if !own && !sent_in && !space.can_curate {
            return Err(AppError::NotFound);
        }
        Ok(FeedbackView {
            can_triage: space.can_curate,
            item,
        })
    }

    /// Staff close feedback with a reason, or open it again (status "new"); several at once.
    /// Items outside the spaces the actor triages are left alone; the count changed is returned.
    pub async fn set_feedback_status(
        &self,
        actor: &Actor,
        ids: &[i64],
        status: FeedbackStatus,
        reason: &str,
    ) -> AppResult<u64> {
        check_bulk(ids)?;
        let note = match status {
            FeedbackStatus::Closed => Some(Rationale::parse(reason).map_err(|_| {
                AppError::invalid("reason", "must say why it is closed (1–2,000 characters)")
            })?),
            FeedbackStatus::New => None,
            FeedbackStatus::Linked | FeedbackStatus::Answered => {
                return Err(AppError::invalid(
                    "status",
                    "may be set to closed or new here: feedback is linked by linking it to an idea, and answered by answering it",
                ));
            }
        };
        let space_ids = self.triaged_space_ids(actor).await?;
        let mut tx = self.store.begin().await?;
        let changed = tx
            .set_feedback_status(
                ids,
                &space_ids,
                status,
                note.as_ref().map(Rationale::as_str),
                actor.id,
                self.now(),
            )
            .await?;
        self.commit(tx).await?;
        Ok(changed)
    }
}
