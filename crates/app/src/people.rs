//! People's public pages: who someone is and the ideas they proposed that the viewer may see.

use cocreate_core::{AccountKind, Timestamp};
use cocreate_store::Idea;

use crate::{Actor, App, AppError, AppResult};

/// The most ideas one page of a person's ideas holds.
pub const PERSON_PAGE_SIZE: i64 = 30;

/// What anyone may know of a person: never their e-mail address or role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub handle: String,
    pub kind: AccountKind,
    pub member_since: Timestamp,
}

/// One of a person's ideas, with the space it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonIdea {
    pub idea: Idea,
    pub space_slug: String,
    pub space_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonView {
    pub person: Person,
    /// Newest first.
    pub ideas: Vec<PersonIdea>,
    /// Pass as `before` for the next page; `None` on the last.
    pub next: Option<i64>,
}

impl App {
    /// The person with this `@handle` (any case), and their published ideas in the spaces the
    /// actor may read, newest first, before the idea `before` when given.
    pub async fn person(
        &self,
        actor: Option<&Actor>,
        handle: &str,
        before: Option<i64>,
    ) -> AppResult<PersonView> {
        let handle = handle.trim_start_matches('@').to_ascii_lowercase();
        if handle.len() > 2 * cocreate_core::dialogue::MAX_HANDLE_CHARS {
            return Err(AppError::NotFound);
        }
        let account = self
            .store
            .accounts_by_handles(std::slice::from_ref(&handle))
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        let spaces = self.spaces(actor).await?;
        let space_ids: Vec<i64> = spaces.iter().map(|view| view.space.id).collect();
        let mut ideas = self
            .store
            .ideas_by_author(account.id, &space_ids, before, PERSON_PAGE_SIZE + 1)
            .await?;
        let more = ideas.len() as i64 > PERSON_PAGE_SIZE;
        ideas.truncate(PERSON_PAGE_SIZE as usize);
        let next = more.then(|| ideas.last().map(|idea| idea.id)).flatten();
        let ideas = ideas
            .into_iter()
            .filter_map(|idea| {
                let view = spaces.iter().find(|view| view.space.id == idea.space_id)?;
                Some(PersonIdea {
                    space_slug: view.space.slug.clone(),
                    space_name: view.space.name.clone(),
                    idea,
                })
            })
            .collect();
        Ok(PersonView {
            person: Person {
                name: account.name,
                handle: account.handle,
                kind: account.kind,
                member_since: account.created_at,
            },
            ideas,
            next,
        })
    }
}
