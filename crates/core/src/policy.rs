//! The one permission policy. Every read and write in Cocreate asks `allows` first; nothing
//! else decides access. A resource the viewer may not read is reported as absent (404), so the
//! policy's answer for `ReadSpace` also decides whether a space exists for the viewer.

use crate::types::{AccountKind, Audience, OrgRole};

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    Account { kind: AccountKind, role: OrgRole },
}

/// What the policy needs to know about a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceAccess {
    pub audience: Audience,
    /// Whether the viewer is on the space's member list (meaningful for invite-only spaces).
    pub viewer_is_member: bool,
}

/// Everything one can ask the policy about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the space, its page and its content.
    ReadSpace(SpaceAccess),
    /// Post and support in the space.
    Contribute(SpaceAccess),
    /// Hide and restore content in the space.
    Moderate(SpaceAccess),
    /// Run challenges and decide on ideas in public (staff: employees and admins).
    Curate(SpaceAccess),
    /// Edit the space and its member list.
    ManageSpace(SpaceAccess),
    CreateSpace,
    ManageOrganisation,
    ManageMembers,
    InviteMembers,
    ReadAuditLog,
    ReadOutbox,
}

impl Action {
    /// Every action, for a given space, in a fixed order (used by tests and docs).
    pub fn all_for(space: SpaceAccess) -> [Action; 11] {
        [
            Action::ReadSpace(space),
            Action::Contribute(space),
            Action::Moderate(space),
            Action::Curate(space),
            Action::ManageSpace(space),
            Action::CreateSpace,
            Action::ManageOrganisation,
            Action::ManageMembers,
            Action::InviteMembers,
            Action::ReadAuditLog,
            Action::ReadOutbox,
        ]
    }
}

fn can_read(viewer: Viewer, space: SpaceAccess) -> bool {
    match viewer {
        Viewer::Anonymous => space.audience == Audience::Public,
        Viewer::Account {
            role: OrgRole::Admin,
            ..
        } => true,
        Viewer::Account { kind, .. } => match space.audience {
            Audience::Public => true,
            Audience::Customers => matches!(kind, AccountKind::Customer | AccountKind::Employee),
            Audience::Internal => kind == AccountKind::Employee,
            Audience::Partners => matches!(kind, AccountKind::Partner | AccountKind::Employee),
            Audience::InviteOnly => space.viewer_is_member,
        },
    }
}

fn is_admin(viewer: Viewer) -> bool {
    matches!(
        viewer,
        Viewer::Account {
            role: OrgRole::Admin,
            ..
        }
    )
}

/// Decides whether `viewer` may perform `action`.
pub fn allows(viewer: Viewer, action: Action) -> bool {
    match action {
        Action::ReadSpace(space) => can_read(viewer, space),
        Action::Contribute(space) => viewer != Viewer::Anonymous && can_read(viewer, space),
        Action::Moderate(space) => {
            matches!(
                viewer,
                Viewer::Account {
                    role: OrgRole::Moderator | OrgRole::Admin,
                    ..
                }
            ) && can_read(viewer, space)
        }
        Action::Curate(space) => {
            matches!(
                viewer,
                Viewer::Account {
                    kind: AccountKind::Employee,
                    ..
                } | Viewer::Account {
                    role: OrgRole::Admin,
                    ..
                }
            ) && can_read(viewer, space)
        }
        Action::ManageSpace(_)
        | Action::CreateSpace
        | Action::ManageOrganisation
        | Action::ManageMembers
        | Action::InviteMembers
        | Action::ReadAuditLog
        | Action::ReadOutbox => is_admin(viewer),
    }
}
