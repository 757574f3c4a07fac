//! Spaces: where co-creation happens, each for an audience. Whether a space exists for a viewer
//! is the policy's `ReadSpace` answer: a space one may not read is reported as not found.

use cocreate_core::{
    AccountKind, Action, Audience, Authorship, CommentAccess, CommentAction, Description, Email,
    IdeaAccess, IdeaAction, OrgRole, Slug, SpaceAccess, SpaceName, Stage, Viewer, allows,
    allows_on_comment, allows_on_idea,
};
use cocreate_store::{Account, Idea, NewSpace, Space};

use crate::{Actor, App, AppError, AppResult, viewer_of};

/// A space as typed into the create or edit form.
pub struct SpaceInput<'a> {
    pub name: &'a str,
    /// Empty means "derive from the name" on create; ignored on edit.
    pub slug: &'a str,
    pub description: &'a str,
    pub audience: Audience,
}

/// A space with what the viewer may do there.
#[derive(Debug, Clone)]
pub struct SpaceView {
    pub space: Space,
    pub can_contribute: bool,
    pub can_moderate: bool,
    /// Run challenges and decide on ideas (staff).
    pub can_curate: bool,
    pub can_manage: bool,
    /// Who asks, and their standing in the space: what the policy needs for the space's ideas
    /// and comments.
    pub viewer: Viewer,
    pub access: SpaceAccess,
}

impl SpaceView {
    /// The policy's answer for an idea of this space, given how the viewer stands to it.
    pub fn may_on_idea(&self, idea: &Idea, authorship: Authorship, action: IdeaAction) -> bool {
        let access = IdeaAccess {
            space: self.access,
            authorship,
            draft: idea.stage == Stage::Draft,
            hidden: idea.hidden.is_some(),
        };
        allows_on_idea(self.viewer, access, action)
    }

    /// The policy's answer for a comment in this space, given whether the viewer wrote it.
    pub fn may_on_comment(&self, own: bool, action: CommentAction) -> bool {
        let access = CommentAccess {
            space: self.access,
            own,
        };
        allows_on_comment(self.viewer, access, action)
    }
}

impl App {
    async fn access(&self, actor: Option<&Actor>, space: &Space) -> AppResult<SpaceAccess> {
        let viewer_is_member = match actor {
            Some(actor) if space.audience == Audience::InviteOnly => {
                self.store.is_space_member(space.id, actor.id).await?
            }
            _ => false,
        };
        Ok(SpaceAccess {
            audience: space.audience,
            viewer_is_member,
        })
    }

    /// Whether an account (not the one asking) may read the space: for telling people only what
    /// they may still see.
    pub(crate) async fn account_can_read(&self, account_id: i64, space: &Space) -> AppResult<bool> {
        let Some(account) = self.store.account_by_id(account_id).await? else {
            return Ok(false);
        };
        let member = space.audience == Audience::InviteOnly
            && self.store.is_space_member(space.id, account_id).await?;
        Ok(reads_space(
            account.kind,
            account.role,
            space.audience,
            member,
        ))
    }

    fn view(viewer: Viewer, space: Space, access: SpaceAccess) -> SpaceView {
        SpaceView {
            can_contribute: allows(viewer, Action::Contribute(access)),
            can_moderate: allows(viewer, Action::Moderate(access)),
            can_curate: allows(viewer, Action::Curate(access)),
            can_manage: allows(viewer, Action::ManageSpace(access)),
            space,
            viewer,
            access,
        }
    }

    /// The spaces the viewer may see.
    pub async fn spaces(&self, actor: Option<&Actor>) -> AppResult<Vec<SpaceView>> {
        let viewer = viewer_of(actor);
        let member_of = match actor {
            Some(actor) => self.store.space_member_ids(actor.id).await?,
            None => Vec::new(),
        };
        Ok(self
            .store
            .spaces()
            .await?
            .into_iter()
            .filter_map(|space| {
                let access = SpaceAccess {
                    audience: space.audience,
                    viewer_is_member: member_of.contains(&space.id),
                };
                allows(viewer, Action::ReadSpace(access)).then(|| Self::view(viewer, space, access))
            })
            .collect())
    }

    /// One space, if the viewer may see it.
    pub async fn space(&self, actor: Option<&Actor>, slug: &str) -> AppResult<SpaceView> {
        let space = self
            .store
            .space_by_slug(slug)
            .await?
            .ok_or(AppError::NotFound)?;
        self.space_view(actor, space).await
    }

    /// The space with this id, if the viewer may see it.
    pub(crate) async fn space_by_id(&self, actor: Option<&Actor>, id: i64) -> AppResult<SpaceView> {
        let space = self
            .store
            .space_by_id(id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.space_view(actor, space).await
    }

    pub(crate) async fn space_view(
        &self,
        actor: Option<&Actor>,
        space: Space,
    ) -> AppResult<SpaceView> {
        let access = self.access(actor, &space).await?;
        let viewer = viewer_of(actor);
        if !allows(viewer, Action::ReadSpace(access)) {
            return Err(AppError::NotFound);
        }
        Ok(Self::view(viewer, space, access))
    }

    /// A space the actor may manage; `NotFound` if they may not see it, `Forbidden` if they
    /// see it but may not manage it.
    async fn managed_space(&self, actor: &Actor, slug: &str) -> AppResult<SpaceView> {
        let view = self.space(Some(actor), slug).await?;
        if view.can_manage {
            Ok(view)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub async fn create_space(&self, actor: &Actor, input: &SpaceInput<'_>) -> AppResult<Space> {
        if !allows(actor.viewer(), Action::CreateSpace) {
            return Err(AppError::Forbidden);
        }
        let name = SpaceName::parse(input.name)?;
        let description = Description::parse(input.description)?;
        let slug = if input.slug.trim().is_empty() {
            Slug::from_name(name.as_str()).map_err(|_| {
                AppError::invalid(
                    "slug",
                    "cannot be derived from this name; type one (a–z, 0–9, hyphens)",
                )
            })?
        } else {
            Slug::parse(input.slug)?
        };
        let mut tx = self.store.begin().await?;
        let space = tx
            .insert_space(&NewSpace {
                slug: slug.as_str(),
                name: name.as_str(),
                description: description.as_str(),
                audience: input.audience,
                created_by: actor.id,
                created_at: self.now(),
            })
            .await
            .map_err(|e| match e {
                cocreate_store::StoreError::Conflict { .. } => AppError::conflict(
                    "slug",
                    format!("a space with the address “{slug}” already exists"),
                ),
                other => other.into(),
            })?;
        if space.audience == Audience::InviteOnly {
            tx.add_space_member(space.id, actor.id, self.now()).await?;
        }
        self.audit(
            &mut *tx,
            Some(actor),
            "space.create",
            &format!("space:{}", space.slug),
            &format!("{} ({})", space.name, space.audience),
        )
        .await?;
        self.commit(tx).await?;
        Ok(space)
    }

    pub async fn update_space(
        &self,
        actor: &Actor,
        slug: &str,
        input: &SpaceInput<'_>,
    ) -> AppResult<Space> {
        let view = self.managed_space(actor, slug).await?;
        let name = SpaceName::parse(input.name)?;
        let description = Description::parse(input.description)?;
        let mut tx = self.store.begin().await?;
        tx.update_space(
            view.space.id,
            name.as_str(),
            description.as_str(),
            input.audience,
        )
        .await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "space.update",
            &format!("space:{slug}"),
            &format!("{} ({})", name.as_str(), input.audience),
        )
        .await?;
        self.commit(tx).await?;
        Ok(Space {
            name: name.into_inner(),
            description: description.into_inner(),
            audience: input.audience,
            ..view.space
        })
    }

    /// The member list of a space the actor manages.
    pub async fn space_members(&self, actor: &Actor, slug: &str) -> AppResult<Vec<Account>> {
        let view = self.managed_space(actor, slug).await?;
        Ok(self.store.space_members(view.space.id).await?)
    }

    /// Lists an existing account, by e-mail, as a member of the space.
    pub async fn add_space_member(
        &self,
        actor: &Actor,
        slug: &str,
        email: &str,
    ) -> AppResult<Account> {
        let view = self.managed_space(actor, slug).await?;
        let email = Email::parse(email)?;
        let account = self
            .store
            .account_by_email(email.as_str())
            .await?
            .ok_or_else(|| AppError::invalid("email", "no account has this e-mail address"))?;
        let mut tx = self.store.begin().await?;
        if !tx
            .add_space_member(view.space.id, account.id, self.now())
            .await?
        {
            return Err(AppError::conflict(
                "email",
                "this account is already a member",
            ));
        }
        self.audit(
            &mut *tx,
            Some(actor),
            "space.member.add",
            &format!("space:{slug}"),
            &account.email,
        )
        .await?;
        self.commit(tx).await?;
        Ok(account)
    }

    pub async fn remove_space_member(
        &self,
        actor: &Actor,
        slug: &str,
        account_id: i64,
    ) -> AppResult<()> {
        let view = self.managed_space(actor, slug).await?;
        let mut tx = self.store.begin().await?;
        if !tx.remove_space_member(view.space.id, account_id).await? {
            return Err(AppError::NotFound);
        }
        self.audit(
            &mut *tx,
            Some(actor),
            "space.member.remove",
            &format!("space:{slug}"),
            &format!("account:{account_id}"),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }
}

/// The policy's answer to whether an account of this kind and role (a member of the space or
/// not) may read a space of this audience.
pub(crate) fn reads_space(
    kind: AccountKind,
    role: OrgRole,
    audience: Audience,
    member: bool,
) -> bool {
    allows(
        Viewer::Account { kind, role },
        Action::ReadSpace(SpaceAccess {
            audience,
            viewer_is_member: audience == Audience::InviteOnly && member,
        }),
    )
}
