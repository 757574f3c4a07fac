//! The one permission policy. Every read and write in Cocreate asks it first; nothing else
//! decides access. `allows` answers for a space and the organisation, `allows_on_idea` and
//! `allows_on_comment` for one idea or comment, from the viewer's standing in its space and to
//! the object. A resource the viewer may not read is reported as absent (404), so the answers
//! for reading also decide whether a space or an idea exists for the viewer.

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
    /// Download anyone's personal data, to answer their request (everyone may download their own).
    ReadPeoplesData,
    /// Erase a person or a contact on their request: their name, addresses and text.
    ErasePeople,
    /// See the customer list and anyone's timeline (staff: employees and admins; everyone sees
    /// their own timeline). What a timeline shows is still limited to the spaces they may read.
    ReadCustomers,
}

impl Action {
    /// Every action, for a given space, in a fixed order (used by tests and docs).
    pub fn all_for(space: SpaceAccess) -> [Action; 14] {
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
            Action::ReadPeoplesData,
            Action::ErasePeople,
            Action::ReadCustomers,
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

/// Employees, and admins of any kind.
fn is_staff(viewer: Viewer) -> bool {
    matches!(
        viewer,
        Viewer::Account {
            kind: AccountKind::Employee,
            ..
        } | Viewer::Account {
            role: OrgRole::Admin,
            ..
        }
    )
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
        Action::Curate(space) => is_staff(viewer) && can_read(viewer, space),
        Action::ManageSpace(_)
        | Action::CreateSpace
        | Action::ManageOrganisation
        | Action::ManageMembers
        | Action::InviteMembers
        | Action::ReadAuditLog
        | Action::ReadOutbox
        | Action::ReadPeoplesData
        | Action::ErasePeople => is_admin(viewer),
        Action::ReadCustomers => is_staff(viewer),
    }
}

/// How the viewer stands to an idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorship {
    /// Wrote it and leads it.
    Lead,
    /// Accepted the lead author's invitation to co-draft it.
    CoAuthor,
    /// Invited to co-draft it, not yet accepted.
    Invited,
    None,
}

/// What the policy needs to know about an idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdeaAccess {
    pub space: SpaceAccess,
    pub authorship: Authorship,
    pub draft: bool,
    /// Kept out of sight by a moderator.
    pub hidden: bool,
}

/// What one can ask about an idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdeaAction {
    /// See it and everything on it. Drafts are seen by their authors (invited co-authors
    /// included) and curators; hidden ideas by their authors and moderators.
    Read,
    /// Change its text, attach files, publish it: its authors and curators.
    Edit,
    /// Invite and remove co-authors: the lead author.
    ManageCoAuthors,
}

impl IdeaAction {
    pub const ALL: [IdeaAction; 3] = [
        IdeaAction::Read,
        IdeaAction::Edit,
        IdeaAction::ManageCoAuthors,
    ];
}

/// Decides whether `viewer` may do `action` on an idea.
pub fn allows_on_idea(viewer: Viewer, idea: IdeaAccess, action: IdeaAction) -> bool {
    let named = idea.authorship != Authorship::None;
    let readable = allows(viewer, Action::ReadSpace(idea.space))
        && (!idea.draft || named || allows(viewer, Action::Curate(idea.space)))
        && (!idea.hidden || named || allows(viewer, Action::Moderate(idea.space)));
    readable
        && match action {
            IdeaAction::Read => true,
            IdeaAction::Edit => {
                matches!(idea.authorship, Authorship::Lead | Authorship::CoAuthor)
                    || allows(viewer, Action::Curate(idea.space))
            }
            IdeaAction::ManageCoAuthors => idea.authorship == Authorship::Lead,
        }
}

/// What the policy needs to know about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentAccess {
    /// The space of the idea or challenge it is on.
    pub space: SpaceAccess,
    /// Whether the viewer wrote it.
    pub own: bool,
}

/// What one can ask about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    /// Change its text: its writer.
    Edit,
    /// Delete it: its writer, or a moderator.
    Delete,
    /// Read the text of a comment a moderator hid: moderators.
    ReadHidden,
}

impl CommentAction {
    pub const ALL: [CommentAction; 3] = [
        CommentAction::Edit,
        CommentAction::Delete,
        CommentAction::ReadHidden,
    ];
}

/// Decides whether `viewer` may do `action` on a comment.
pub fn allows_on_comment(viewer: Viewer, comment: CommentAccess, action: CommentAction) -> bool {
    let moderator = allows(viewer, Action::Moderate(comment.space));
    allows(viewer, Action::ReadSpace(comment.space))
        && match action {
            CommentAction::Edit => comment.own,
            CommentAction::Delete => comment.own || moderator,
            CommentAction::ReadHidden => moderator,
        }
}
