//! The demo organisation: a living site for a newcomer, with every kind of account and a space
//! for every audience.

use anyhow::anyhow;
use cocreate_app::{AccountInput, Actor, App, SpaceInput};
use cocreate_core::{AccountKind, Audience, OrgRole};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "cocreate-demo";

const ACCOUNTS: &[(&str, &str, AccountKind, OrgRole)] = &[
    (
        "admin@demo.cocreate.example",
        "Alex Admin",
        AccountKind::Employee,
        OrgRole::Admin,
    ),
    (
        "moderator@demo.cocreate.example",
        "Morgan Moderator",
        AccountKind::Employee,
        OrgRole::Moderator,
    ),
    (
        "employee@demo.cocreate.example",
        "Erin Engineer",
        AccountKind::Employee,
        OrgRole::Member,
    ),
    (
        "customer@demo.cocreate.example",
        "Casey Customer",
        AccountKind::Customer,
        OrgRole::Member,
    ),
    (
        "partner@demo.cocreate.example",
        "Parker Partner",
        AccountKind::Partner,
        OrgRole::Member,
    ),
];

const SPACES: &[(&str, &str, Audience)] = &[
    (
        "Product ideas",
        "Tell us what would make our tents, packs and stoves better. Everyone can read; sign in to take part.",
        Audience::Public,
    ),
    (
        "Customer lounge",
        "For our customers: early prototypes, field tests and honest feedback.",
        Audience::Customers,
    ),
    (
        "Staff workshop",
        "Internal: designers, engineers and support agents shape what comes next.",
        Audience::Internal,
    ),
    (
        "Partner channel",
        "For retailers and guides who sell and use our gear with their own customers.",
        Audience::Partners,
    ),
    (
        "Secret lab",
        "Invite-only: the ultralight shelter project.",
        Audience::InviteOnly,
    ),
];

/// Seeds the demo when the database has no accounts yet, and prints how to sign in.
pub async fn seed(app: &App) -> anyhow::Result<()> {
    let existing = app
        .store()
        .count_accounts()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if existing == 0 {
        let mut admin = None;
        let mut employee = None;
        for (email, name, kind, role) in ACCOUNTS {
            let input = AccountInput {
                email,
                name,
                password: DEMO_PASSWORD,
            };
            let account = app
                .create_account_as_operator(&input, *kind, *role)
                .await
                .map_err(|e| anyhow!("demo account {email}: {e}"))?;
            let actor = Actor {
                id: account.id,
                email: account.email.clone(),
                name: account.name.clone(),
                kind: account.kind,
                role: account.role,
                session_hash: None,
            };
            match (*kind, *role) {
                (_, OrgRole::Admin) => admin = Some(actor),
                (AccountKind::Employee, OrgRole::Member) => employee = Some(actor),
                _ => {}
            }
        }
        let admin = admin.ok_or_else(|| anyhow!("the demo has no admin"))?;
        app.update_organisation(
            &admin,
            "Northwind Outdoor Co.",
            "We design outdoor gear together with the people who use it. Share ideas, improve others' and follow what we build.",
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
        for (name, description, audience) in SPACES {
            let input = SpaceInput {
                name,
                slug: "",
                description,
                audience: *audience,
            };
            let space = app
                .create_space(&admin, &input)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            if let (Audience::InviteOnly, Some(employee)) = (*audience, &employee) {
                app.add_space_member(&admin, &space.slug, &employee.email)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
            }
        }
        println!("Demo organisation created.");
    } else {
        println!("The database already has accounts; the demo data was not added again.");
    }
    println!("Demo accounts (password for each: {DEMO_PASSWORD}):");
    for (email, _, kind, role) in ACCOUNTS {
        println!("  {email:<36} {kind} {role}");
    }
    Ok(())
}
