//! Every cell of (viewer kind × role × audience × membership × action), checked against a table
//! written out by hand. A viewer code is `anon` or `<kind>/<role>` with kind c(ustomer),
//! e(mployee), p(artner) and role m(ember), mod(erator), adm(in); `+` marks a listed member of an
//! invite-only space.

#![allow(clippy::expect_used)]

use cocreate_core::{AccountKind, Action, Audience, OrgRole, SpaceAccess, Viewer, allows};

const ALL_SIGNED_IN: &[&str] = &[
    "c/m", "c/mod", "c/adm", "e/m", "e/mod", "e/adm", "p/m", "p/mod", "p/adm",
];
const ADMINS: &[&str] = &["c/adm", "e/adm", "p/adm"];

fn viewer(code: &str) -> Viewer {
    let code = code.trim_end_matches('+');
    if code == "anon" {
        return Viewer::Anonymous;
    }
    let (kind, role) = code.split_once('/').expect("viewer code");
    let kind = match kind {
        "c" => AccountKind::Customer,
        "e" => AccountKind::Employee,
        "p" => AccountKind::Partner,
        other => panic!("kind {other}"),
    };
    let role = match role {
        "m" => OrgRole::Member,
        "mod" => OrgRole::Moderator,
        "adm" => OrgRole::Admin,
        other => panic!("role {other}"),
    };
    Viewer::Account { kind, role }
}

/// (audience, action name, viewers allowed). Members of invite-only spaces carry a `+`.
fn expected() -> Vec<(Audience, &'static str, Vec<&'static str>)> {
    use Audience::*;
    let mut table = vec![
        (Public, "read", [&["anon"][..], ALL_SIGNED_IN].concat()),
        (Public, "contribute", ALL_SIGNED_IN.to_vec()),
        (
            Public,
            "curate",
            vec!["e/m", "e/mod", "e/adm", "c/adm", "p/adm"],
        ),
        (
            Customers,
            "curate",
            vec!["e/m", "e/mod", "e/adm", "c/adm", "p/adm"],
        ),
        (
            Internal,
            "curate",
            vec!["e/m", "e/mod", "e/adm", "c/adm", "p/adm"],
        ),
        (
            Partners,
            "curate",
            vec!["e/m", "e/mod", "e/adm", "c/adm", "p/adm"],
        ),
        (
            Public,
            "moderate",
            vec!["c/mod", "c/adm", "e/mod", "e/adm", "p/mod", "p/adm"],
        ),
        (
            Customers,
            "read",
            vec!["c/m", "c/mod", "c/adm", "e/m", "e/mod", "e/adm", "p/adm"],
        ),
        (
            Customers,
            "contribute",
            vec!["c/m", "c/mod", "c/adm", "e/m", "e/mod", "e/adm", "p/adm"],
        ),
        (
            Customers,
            "moderate",
            vec!["c/mod", "c/adm", "e/mod", "e/adm", "p/adm"],
        ),
        (
            Internal,
            "read",
            vec!["e/m", "e/mod", "e/adm", "c/adm", "p/adm"],
        ),
        (
            Internal,
            "contribute",
            vec!["e/m", "e/mod", "e/adm", "c/adm", "p/adm"],
        ),
        (
            Internal,
            "moderate",
            vec!["e/mod", "e/adm", "c/adm", "p/adm"],
        ),
        (
            Partners,
            "read",
            vec!["p/m", "p/mod", "p/adm", "e/m", "e/mod", "e/adm", "c/adm"],
        ),
        (
            Partners,
            "contribute",
            vec!["p/m", "p/mod", "p/adm", "e/m", "e/mod", "e/adm", "c/adm"],
        ),
        (
            Partners,
            "moderate",
            vec!["p/mod", "p/adm", "e/mod", "e/adm", "c/adm"],
        ),
    ];
    let members_plus: Vec<&'static str> = vec![
        "c/m+", "c/mod+", "c/adm+", "e/m+", "e/mod+", "e/adm+", "p/m+", "p/mod+", "p/adm+",
    ];
    let invite_read = [members_plus.clone(), ADMINS.to_vec()].concat();
    table.push((InviteOnly, "read", invite_read.clone()));
    table.push((InviteOnly, "contribute", invite_read));
    table.push((
        InviteOnly,
        "curate",
        vec![
            "e/m+", "e/mod+", "e/adm+", "c/adm+", "p/adm+", "c/adm", "e/adm", "p/adm",
        ],
    ));
    table.push((
        InviteOnly,
        "moderate",
        vec![
            "c/mod+", "e/mod+", "p/mod+", "c/adm+", "e/adm+", "p/adm+", "c/adm", "e/adm", "p/adm",
        ],
    ));
    for audience in Audience::ALL {
        let admins_any: Vec<&'static str> = if *audience == InviteOnly {
            [ADMINS, &["c/adm+", "e/adm+", "p/adm+"][..]].concat()
        } else {
            ADMINS.to_vec()
        };
        for action in [
            "manage_space",
            "create_space",
            "manage_organisation",
            "manage_members",
            "invite_members",
            "read_audit_log",
            "read_outbox",
            "read_peoples_data",
            "erase_people",
        ] {
            table.push((*audience, action, admins_any.clone()));
        }
        let staff_any: Vec<&'static str> = [
            &["e/m", "e/mod", "e/adm", "c/adm", "p/adm"][..],
            if *audience == InviteOnly {
                &["e/m+", "e/mod+", "e/adm+", "c/adm+", "p/adm+"][..]
            } else {
                &[][..]
            },
        ]
        .concat();
        table.push((*audience, "read_customers", staff_any));
    }
    table
}

fn action(name: &str, space: SpaceAccess) -> Action {
    match name {
        "read" => Action::ReadSpace(space),
        "contribute" => Action::Contribute(space),
        "moderate" => Action::Moderate(space),
        "curate" => Action::Curate(space),
        "manage_space" => Action::ManageSpace(space),
        "create_space" => Action::CreateSpace,
        "manage_organisation" => Action::ManageOrganisation,
        "manage_members" => Action::ManageMembers,
        "invite_members" => Action::InviteMembers,
        "read_audit_log" => Action::ReadAuditLog,
        "read_outbox" => Action::ReadOutbox,
        "read_peoples_data" => Action::ReadPeoplesData,
        "erase_people" => Action::ErasePeople,
        "read_customers" => Action::ReadCustomers,
        other => panic!("action {other}"),
    }
}

#[test]
fn every_cell_matches_the_table() {
    let table = expected();
    let mut cells = 0;
    for (audience, action_name, allowed) in &table {
        let mut viewers: Vec<String> = vec!["anon".into()];
        viewers.extend(ALL_SIGNED_IN.iter().map(|v| v.to_string()));
        if *audience == Audience::InviteOnly {
            viewers.extend(ALL_SIGNED_IN.iter().map(|v| format!("{v}+")));
        }
        for code in &viewers {
            let space = SpaceAccess {
                audience: *audience,
                viewer_is_member: code.ends_with('+'),
            };
            let want = allowed.contains(&code.as_str());
            let got = allows(viewer(code), action(action_name, space));
            assert_eq!(got, want, "{audience:?} {action_name} by {code}");
            cells += 1;
        }
    }
    // 4 audiences × 14 actions × 10 viewers + invite-only × 14 actions × 19 viewers.
    assert_eq!(cells, 4 * 14 * 10 + 14 * 19);
}

#[test]
fn the_table_names_every_action() {
    let space = SpaceAccess {
        audience: Audience::Public,
        viewer_is_member: false,
    };
    let named: Vec<Action> = [
        "read",
        "contribute",
        "moderate",
        "curate",
        "manage_space",
        "create_space",
        "manage_organisation",
        "manage_members",
        "invite_members",
        "read_audit_log",
        "read_outbox",
        "read_peoples_data",
        "erase_people",
        "read_customers",
    ]
    .iter()
    .map(|name| action(name, space))
    .collect();
    assert_eq!(named, Action::all_for(space).to_vec());
}
