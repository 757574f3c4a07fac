//! The lists of a space and a challenge: ideas in an order, filtered and paged by cursor.

use super::*;

impl App {
    /// One page of the ideas in a space (or one of its challenges) the actor may see.
    pub async fn ideas(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        filter: &IdeaFilter,
    ) -> AppResult<IdeaPage> {
        let view = self.space(actor, slug).await?;
        self.ideas_of(actor, &view, filter).await
    }

    /// What a space page shows: the space, one page of its ideas, its challenges and, to those
    /// who manage it, its members.
    pub async fn space_page(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        filter: &IdeaFilter,
    ) -> AppResult<SpaceContents> {
        let view = self.space(actor, slug).await?;
        let ideas = self.ideas_of(actor, &view, filter).await?;
        let challenges = self.store.challenges(view.space.id).await?;
        let members = if view.can_manage {
            self.store.space_members(view.space.id).await?
        } else {
            Vec::new()
        };
        Ok(SpaceContents {
            view,
            ideas,
            challenges,
            members,
        })
    }

    /// A challenge, its space and one page of its ideas, if the actor may see them.
    pub async fn challenge_page(
        &self,
        actor: Option<&Actor>,
        filter: &IdeaFilter,
    ) -> AppResult<(SpaceView, Challenge, IdeaPage)> {
        let id = filter.challenge_id.ok_or(AppError::NotFound)?;
        let (view, challenge) = self.challenge(actor, id).await?;
        let ideas = self.ideas_of(actor, &view, filter).await?;
        Ok((view, challenge, ideas))
    }

    /// One page of the ideas of a space the actor may see.
    pub(super) async fn ideas_of(
        &self,
        actor: Option<&Actor>,
        view: &SpaceView,
        filter: &IdeaFilter,
    ) -> AppResult<IdeaPage> {
        let order = match filter.order {
            ListOrder::Newest => IdeaOrder::Newest,
            ListOrder::Top => IdeaOrder::Top,
            ListOrder::Hot => IdeaOrder::Hot,
            ListOrder::Trending => IdeaOrder::Trending,
        };
        let prefix = filter.order.as_str();
        let after = match &filter.cursor {
            None => None,
            Some(cursor) => {
                let payload = open_cursor(&self.config.secret_key, cursor).ok_or_else(|| {
                    AppError::invalid("cursor", "is not a cursor this list gave out")
                })?;
                let mut parts = payload.split(':');
                let valid = (parts.next() == Some(prefix)).then_some(()).and_then(|()| {
                    let key = parts.next()?.parse::<i64>().ok()?;
                    let id = parts.next()?.parse::<i64>().ok()?;
                    Some((key, id))
                });
                Some(valid.ok_or_else(|| {
                    AppError::invalid("cursor", "belongs to another ordering of this list")
                })?)
            }
        };
        let tag = tag_filter(filter.tag.as_deref())?;
        // A challenge filter must name a challenge of this very space.
        if let Some(challenge_id) = filter.challenge_id {
            let belongs = self
                .store
                .challenge(challenge_id)
                .await?
                .is_some_and(|c| c.space_id == view.space.id);
            if !belongs {
                return Err(AppError::NotFound);
            }
        }
        let query = IdeaQuery {
            space_id: view.space.id,
            challenge_id: filter.challenge_id,
            stage: filter.stage,
            tag,
            order,
            // Drafts are listed to their authors and to staff only.
            viewer_id: actor.map(|a| a.id),
            all_drafts: view.can_curate,
            after,
            limit: IDEAS_PER_PAGE,
        };
        let ideas = self.store.ideas(&query).await?;
        let next = (ideas.len() as i64 == IDEAS_PER_PAGE)
            .then(|| ideas.last())
            .flatten()
            .map(|last| {
                let key = match filter.order {
                    ListOrder::Newest => last.created_at.millis(),
                    ListOrder::Top => last.supporters,
                    ListOrder::Hot => last.hot,
                    ListOrder::Trending => last.trending,
                };
                sign_cursor(
                    &self.config.secret_key,
                    &format!("{prefix}:{key}:{}", last.id),
                )
            });
        let supported = match actor {
            Some(actor) => {
                self.store
                    .supported_among(actor.id, &ideas.iter().map(|i| i.id).collect::<Vec<_>>())
                    .await?
            }
            None => Vec::new(),
        };
        let now = self.now();
        let items = ideas
            .into_iter()
            .map(|idea| {
                let progress = tier_progress(&idea, now)?;
                Ok(IdeaItem {
                    supported: supported.contains(&idea.id),
                    can_support: progress.is_some()
                        && actor.is_some()
                        && view.can_contribute
                        && idea.hidden.is_none(),
                    progress,
                    idea,
                })
            })
            .collect::<AppResult<_>>()?;
        Ok(IdeaPage { items, next })
    }
}
