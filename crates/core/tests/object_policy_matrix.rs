//! Every cell of (viewer × standing to the object × the object's state × action) for ideas and
//! comments in a public space, checked against tables written out by hand. Viewers: `anon`, a
//! customer (`c/m`), a customer moderator (`c/mod`, moderates but does not curate), an employee
//! (`e/m`, curates but does not moderate) and an employee admin (`e/adm`, both). Standings to an
//! idea: `none`, `invited` (to co-author), `co` (an accepted co-author), `lead`; to a comment:
//! `own` or `other`. The space-level rules under these are `policy_matrix.rs`.

#![allow(clippy::expect_used)]

use cocreate_core::{
    AccountKind, Audience, Authorship, CommentAccess, CommentAction, IdeaAccess, IdeaAction,
    OrgRole, SpaceAccess, Viewer, allows_on_comment, allows_on_idea,
};

const VIEWERS: &[&str] = &["anon", "c/m", "c/mod", "e/m", "e/adm"];
const STATES: &[&str] = &["open", "draft", "hidden"];

fn viewer(code: &str) -> Viewer {
    let (kind, role) = match code {
        "anon" => return Viewer::Anonymous,
        "c/m" => (AccountKind::Customer, OrgRole::Member),
        "c/mod" => (AccountKind::Customer, OrgRole::Moderator),
        "e/m" => (AccountKind::Employee, OrgRole::Member),
        "e/adm" => (AccountKind::Employee, OrgRole::Admin),
        other => panic!("viewer {other}"),
    };
    Viewer::Account { kind, role }
}

fn authorships(viewer: &str) -> &'static [&'static str] {
    if viewer == "anon" {
        &["none"]
    } else {
        &["none", "invited", "co", "lead"]
    }
}

fn authorship(code: &str) -> Authorship {
    match code {
        "none" => Authorship::None,
        "invited" => Authorship::Invited,
        "co" => Authorship::CoAuthor,
        "lead" => Authorship::Lead,
        other => panic!("authorship {other}"),
    }
}

fn idea(space: SpaceAccess, standing: &str, state: &str) -> IdeaAccess {
    IdeaAccess {
        space,
        authorship: authorship(standing),
        draft: state == "draft",
        hidden: state == "hidden",
    }
}

const PUBLIC: SpaceAccess = SpaceAccess {
    audience: Audience::Public,
    viewer_is_member: false,
};

/// (state, action, the cells allowed, as `viewer=standing,standing` groups); every other cell is
/// refused.
const ON_IDEAS: &[(&str, IdeaAction, &str)] = &[
    (
        "open",
        IdeaAction::Read,
        "anon=none c/m=none,invited,co,lead c/mod=none,invited,co,lead \
         e/m=none,invited,co,lead e/adm=none,invited,co,lead",
    ),
    // Its authors, invited ones too, and curators.
    (
        "draft",
        IdeaAction::Read,
        "c/m=invited,co,lead c/mod=invited,co,lead e/m=none,invited,co,lead \
         e/adm=none,invited,co,lead",
    ),
    // Its authors, invited ones too, and moderators.
    (
        "hidden",
        IdeaAction::Read,
        "c/m=invited,co,lead c/mod=none,invited,co,lead e/m=invited,co,lead \
         e/adm=none,invited,co,lead",
    ),
    // Accepted authors and curators, among those who may read it.
    (
        "open",
        IdeaAction::Edit,
        "c/m=co,lead c/mod=co,lead e/m=none,invited,co,lead e/adm=none,invited,co,lead",
    ),
    (
        "draft",
        IdeaAction::Edit,
        "c/m=co,lead c/mod=co,lead e/m=none,invited,co,lead e/adm=none,invited,co,lead",
    ),
    (
        "hidden",
        IdeaAction::Edit,
        "c/m=co,lead c/mod=co,lead e/m=invited,co,lead e/adm=none,invited,co,lead",
    ),
    (
        "open",
        IdeaAction::ManageCoAuthors,
        "c/m=lead c/mod=lead e/m=lead e/adm=lead",
    ),
    (
        "draft",
        IdeaAction::ManageCoAuthors,
        "c/m=lead c/mod=lead e/m=lead e/adm=lead",
    ),
    (
        "hidden",
        IdeaAction::ManageCoAuthors,
        "c/m=lead c/mod=lead e/m=lead e/adm=lead",
    ),
];

/// `viewer:standing` for every cell a table row allows.
fn cells(groups: &str) -> Vec<String> {
    groups
        .split_whitespace()
        .flat_map(|group| {
            let (viewer, standings) = group.split_once('=').expect("viewer=standings");
            standings
                .split(',')
                .map(move |standing| format!("{viewer}:{standing}"))
        })
        .collect()
}

#[test]
fn every_idea_cell_matches_the_table() {
    assert_eq!(ON_IDEAS.len(), STATES.len() * IdeaAction::ALL.len());
    let mut checked = 0;
    for (state, action, allowed) in ON_IDEAS {
        let allowed = cells(allowed);
        for code in VIEWERS {
            for standing in authorships(code) {
                let cell = format!("{code}:{standing}");
                let want = allowed.contains(&cell);
                let got = allows_on_idea(viewer(code), idea(PUBLIC, standing, state), *action);
                assert_eq!(got, want, "{state} idea, {action:?} by {cell}");
                checked += 1;
            }
        }
    }
    // 3 states × 3 actions × (anonymous + 4 viewers × 4 standings).
    assert_eq!(checked, 3 * 3 * 17);
}

#[test]
fn an_idea_in_a_space_one_cannot_read_allows_nothing() {
    let internal = SpaceAccess {
        audience: Audience::Internal,
        viewer_is_member: false,
    };
    for code in ["anon", "c/m", "c/mod"] {
        for standing in authorships(code) {
            for state in STATES {
                for action in IdeaAction::ALL {
                    let access = idea(internal, standing, state);
                    assert!(
                        !allows_on_idea(viewer(code), access, action),
                        "{state} idea in an internal space, {action:?} by {code}:{standing}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_comment_cell_matches_the_table() {
    let table = [
        (CommentAction::Edit, "c/m=own c/mod=own e/m=own e/adm=own"),
        (
            CommentAction::Delete,
            "c/m=own c/mod=own,other e/m=own e/adm=own,other",
        ),
        (CommentAction::ReadHidden, "c/mod=own,other e/adm=own,other"),
    ];
    assert_eq!(
        table.iter().map(|(action, _)| *action).collect::<Vec<_>>(),
        CommentAction::ALL
    );
    let mut checked = 0;
    for (action, allowed) in &table {
        let allowed = cells(allowed);
        for code in VIEWERS {
            let standings: &[&str] = if *code == "anon" {
                &["other"]
            } else {
                &["own", "other"]
            };
            for standing in standings {
                let cell = format!("{code}:{standing}");
                let comment = CommentAccess {
                    space: PUBLIC,
                    own: *standing == "own",
                };
                let got = allows_on_comment(viewer(code), comment, *action);
                assert_eq!(got, allowed.contains(&cell), "{action:?} by {cell}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * 9);
    // Out of the space's audience, not even one's own comment.
    let internal = CommentAccess {
        space: SpaceAccess {
            audience: Audience::Internal,
            viewer_is_member: false,
        },
        own: true,
    };
    for action in CommentAction::ALL {
        assert!(!allows_on_comment(viewer("c/m"), internal, action));
    }
}
