//! Proposing ideas, reading one, publishing a draft, and editing with revisions.

use super::*;

impl App {
    /// Proposes an idea in a space (optionally answering one of its challenges).
    pub async fn propose_idea(
        &self,
        actor: &Actor,
        slug: &str,
        input: &IdeaInput<'_>,
    ) -> AppResult<Idea> {
        let view = self.space(Some(actor), slug).await?;
        if !view.can_contribute {
            return Err(AppError::Forbidden);
        }
        let proposal = self.prepare_proposal(&view, input).await?;
        let mut tx = self.store.begin().await?;
        let id = self
            .insert_proposal(&mut *tx, actor, &view, &proposal)
            .await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// Checks a proposal for the space `view` (reading its challenge, before any transaction).
    pub(crate) async fn prepare_proposal(
        &self,
        view: &SpaceView,
        input: &IdeaInput<'_>,
    ) -> AppResult<Proposal> {
        let title = Title::parse(input.title)?;
        let body = Markdown::parse("body", input.body, true, MAX_BODY_CHARS)?;
        let tags = Tags::parse(input.tags)?;
        let now = self.now();
        let rules = match input.challenge_id {
            None => SupportRules::default(),
            Some(challenge_id) => {
                let challenge = self
                    .store
                    .challenge(challenge_id)
                    .await?
                    .filter(|c| c.space_id == view.space.id)
                    .ok_or_else(|| {
                        AppError::invalid("challenge_id", "is not a challenge of this space")
                    })?;
                if !challenge.is_open(now) {
                    return Err(AppError::invalid(
                        "challenge_id",
                        "this challenge is not open for ideas",
                    ));
                }
                let offered: Vec<&str> = challenge
                    .tags
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .collect();
                if let Some(other) = tags
                    .as_slice()
                    .iter()
                    .find(|t| !offered.is_empty() && !offered.contains(&t.as_str()))
                {
                    return Err(AppError::invalid(
                        "tags",
                        format!(
                            "“{other}” is not offered here; choose from: {}",
                            offered.join(", ")
                        ),
                    ));
                }
                SupportRules::parse(&challenge.tiers)?
            }
        };
        Ok(Proposal {
            title,
            body,
            tags,
            rules,
            challenge_id: input.challenge_id,
            publish: input.publish,
        })
    }

    /// Adds a checked proposal by `author` inside `tx` (the caller commits); returns its id.
    pub(crate) async fn insert_proposal(
        &self,
        tx: &mut dyn Tx,
        author: &Actor,
        view: &SpaceView,
        proposal: &Proposal,
    ) -> AppResult<i64> {
        let now = self.now();
        let (stage, deadline) = if proposal.publish {
            (Stage::Gathering, Some(proposal.rules.start(now).deadline))
        } else {
            (Stage::Draft, None)
        };
        let id = tx
            .insert_idea(&NewIdea {
                space_id: view.space.id,
                challenge_id: proposal.challenge_id,
                title: proposal.title.as_str(),
                body: &proposal.body.source,
                body_html: &proposal.body.html,
                tags: &proposal.tags.to_stored(),
                author_id: author.id,
                stage,
                tiers: &proposal.rules.to_string(),
                tier_deadline: deadline,
                hot: cocreate_core::ranks::hot(0, 0, now),
                created_at: now,
            })
            .await?;
        self.record_stage(tx, id, Some(author), None, stage, "")
            .await?;
        Ok(id)
    }

    /// An idea the actor may see (drafts only to their authors and staff).
    pub(crate) async fn visible_idea(
        &self,
        actor: Option<&Actor>,
        id: i64,
    ) -> AppResult<(Idea, SpaceView)> {
        let (idea, space) = self
            .store
            .idea_with_space(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let view = self.space_view(actor, space).await?;
        // Only who may see a draft or a hidden idea depends on who wrote it: the others skip
        // looking up its co-authors.
        let private = idea.stage == Stage::Draft || idea.hidden.is_some();
        let authorship = match actor {
            Some(actor) if private => self.authorship(actor.id, &idea).await?,
            _ => Authorship::None,
        };
        if !view.may_on_idea(&idea, authorship, IdeaAction::Read) {
            return Err(AppError::NotFound);
        }
        Ok((idea, view))
    }

    pub async fn idea(&self, actor: Option<&Actor>, id: i64) -> AppResult<IdeaView> {
        let (idea, space) = self.visible_idea(actor, id).await?;
        let supported = match actor {
            Some(actor) => !self
                .store
                .supported_among(actor.id, &[idea.id])
                .await?
                .is_empty(),
            None => false,
        };
        let challenge = match idea.challenge_id {
            Some(cid) => self.store.challenge(cid).await?,
            None => None,
        };
        let rules = rules_of(&idea)?;
        let progress = tier_progress(&idea, self.now())?;
        let co_authors = self.store.co_authors(idea.id).await?;
        let authorship = authorship_among(actor.map(|a| a.id), &idea, &co_authors);
        Ok(IdeaView {
            supported,
            can_support: progress.is_some() && space.can_contribute,
            can_curate: space.can_curate,
            is_author: matches!(authorship, Authorship::Lead | Authorship::CoAuthor),
            invited: authorship == Authorship::Invited,
            co_authors,
            attachments: self.store.attachments(idea.id).await?,
            can_edit: space.may_on_idea(&idea, authorship, IdeaAction::Edit)
                && !idea.stage.is_final()
                && idea.hidden.is_none(),
            progress,
            tiers: rules.tiers().to_vec(),
            history: self.store.idea_events(idea.id).await?,
            moves: if space.can_curate {
                idea.stage.staff_moves()
            } else {
                Vec::new()
            },
            possible_duplicates: if space.can_curate {
                self.store.duplicates_of_idea(idea.id).await?
            } else {
                Vec::new()
            },
            product: self.store.product_of_idea(idea.id).await?,
            space_products: if space.can_curate {
                self.store.products_of_space(idea.space_id).await?
            } else {
                Vec::new()
            },
            challenge,
            space,
            idea,
        })
    }

    /// The author publishes a draft: it starts gathering support.
    pub async fn publish_idea(&self, actor: &Actor, id: i64) -> AppResult<Idea> {
        let (idea, view) = self.visible_idea(Some(actor), id).await?;
        let authorship = self.authorship(actor.id, &idea).await?;
        if !view.may_on_idea(&idea, authorship, IdeaAction::Edit) {
            return Err(AppError::Forbidden);
        }
        let mover = match authorship {
            Authorship::Lead | Authorship::CoAuthor => Mover::Author,
            Authorship::Invited | Authorship::None => Mover::Staff,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        if !idea.stage.may_move(Stage::Gathering, mover) {
            return Err(AppError::conflict("stage", "only drafts can be published"));
        }
        let state = rules_of(&idea)?.start(now);
        tx.set_idea_progress(
            id,
            &IdeaProgress {
                stage: Stage::Gathering,
                tier: 0,
                tier_deadline: Some(state.deadline),
            },
            now,
        )
        .await?;
        self.record_stage(
            &mut *tx,
            id,
            Some(actor),
            Some(Stage::Draft),
            Stage::Gathering,
            "",
        )
        .await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// Its author (or staff) changes an open idea's title, text or tags; the change is kept as a
    /// revision.
    pub async fn edit_idea(
        &self,
        actor: &Actor,
        id: i64,
        title: &str,
        body: &str,
        tags: &str,
    ) -> AppResult<Idea> {
        let (idea, view) = self.visible_idea(Some(actor), id).await?;
        let authorship = self.authorship(actor.id, &idea).await?;
        if !view.may_on_idea(&idea, authorship, IdeaAction::Edit) {
            return Err(AppError::Forbidden);
        }
        if idea.stage.is_final() || idea.hidden.is_some() {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "a {} idea can no longer be edited",
                    idea.stage.label().to_lowercase()
                ),
            ));
        }
        let title = Title::parse(title)?;
        let body = Markdown::parse("body", body, true, MAX_BODY_CHARS)?;
        let tags = Tags::parse(tags)?;
        let stored_tags = tags.to_stored();
        let mut tx = self.store.begin().await?;
        let text = cocreate_store::IdeaText {
            title: title.as_str(),
            body: &body.source,
            body_html: &body.html,
            tags: &stored_tags,
        };
        tx.edit_idea(id, actor.id, &text, self.now()).await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// The idea's versions, newest first, each with its changes.
    pub async fn idea_revisions(
        &self,
        actor: Option<&Actor>,
        id: i64,
    ) -> AppResult<Vec<RevisionView>> {
        self.visible_idea(actor, id).await?;
        let revisions = self.store.idea_revisions(id).await?;
        let as_text = |r: &cocreate_store::IdeaRevision| {
            format!(
                "# {}\n\n{}\n\nTags: {}\n",
                r.title,
                r.body,
                r.tags.trim_matches(',').replace(',', ", ")
            )
        };
        let mut views: Vec<RevisionView> = revisions
            .iter()
            .enumerate()
            .map(|(index, revision)| {
                let before = if index == 0 {
                    String::new()
                } else {
                    as_text(&revisions[index - 1])
                };
                RevisionView {
                    diff: cocreate_core::markdown::diff_lines(&before, &as_text(revision)),
                    revision: revision.clone(),
                }
            })
            .collect();
        views.reverse();
        Ok(views)
    }
}
