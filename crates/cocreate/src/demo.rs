//! The demo organisation: a living site for a newcomer, with every kind of account and a space
//! for every audience.

use anyhow::anyhow;
use cocreate_app::{
    AccountInput, Actor, App, ChallengeInput, ColumnMapping, FeedbackImport, FeedbackInput,
    IdeaInput, ImportField, ImportFormat, LogoUpload, MailFile, MailImport, PolisExport,
    ProductInput, SpaceInput,
};
use cocreate_core::{
    AccountKind, Audience, FeedbackChannel, FeedbackStatus, Opinion, OrgRole, PairPick,
    ProductStatus, Stage,
};
use cocreate_store::{ContentKind, IdeaOrder, IdeaProgress, IdeaQuery, NewIdeaEvent, Subject};

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

/// The organisation's logo and the challenge's cover picture.
const DEMO_LOGO: &[u8] = include_bytes!("../assets/demo-logo.png");
const DEMO_COVER: &[u8] = include_bytes!("../assets/demo-cover.png");
/// A real Polis conversation (CC BY 4.0, The Computational Democracy Project; see
/// fixtures/polis/README.md), imported so that the demo shows opinion groups formed by 337 people.
const POLIS_NAME: &str = "15-per-hour-seattle";
const FIELD_TEST_SURVEY: &[u8] = include_bytes!("../../../fixtures/feedback/spring-field-test.csv");
const LANTERN_QUESTION: &[u8] = include_bytes!("../../../fixtures/feedback/lantern-question.eml");
const POLIS_COMMENTS: &[u8] =
    include_bytes!("../../../fixtures/polis/15-per-hour-seattle/comments.csv");
const POLIS_VOTES: &[u8] = include_bytes!("../../../fixtures/polis/15-per-hour-seattle/votes.csv");
const POLIS_SUMMARY: &[u8] =
    include_bytes!("../../../fixtures/polis/15-per-hour-seattle/summary.csv");
/// Statements on the camping challenge, and how each demo account votes on them (in the order
/// of ACCOUNTS: 1 agree, -1 disagree, 0 pass, 2 no vote).
const STATEMENTS: &[(&str, [i8; 6])] = &[
    (
        "I would pay more for a tent that weighs under a kilo.",
        [1, 1, -1, 1, 0, 2],
    ),
    (
        "Quiet hours on campsites should start at 22:00.",
        [1, -1, 1, 1, 1, -1],
    ),
    (
        "Spare parts matter more to me than a lighter pack.",
        [-1, 1, 1, 0, -1, 1],
    ),
    ("Solar chargers belong on every pack.", [0, 1, 2, 1, 1, 1]),
];
const STRAP_SKETCH: &str = "Solar lantern strap: first sketch\n\n\
    - 2 W flexible panel, 30 x 6 cm, stitched into a 4 cm webbing strap\n\
    - USB-C lead to the lantern, tucked into a side pocket\n\
    - buckles at both ends, so it fits any pack's daisy chain\n";

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
        let mut everyone = Vec::new();
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
            let actor = Actor::from_account(&account, None);
            match (*kind, *role) {
                (_, OrgRole::Admin) => admin = Some(actor.clone()),
                (AccountKind::Employee, OrgRole::Member) => employee = Some(actor.clone()),
                _ => {}
            }
            everyone.push(actor);
        }
        let admin = admin.ok_or_else(|| anyhow!("the demo has no admin"))?;
        app.update_organisation(
            &admin,
            "Northwind Outdoor Co.",
            "We design outdoor gear together with the people who use it. Share ideas, improve others' and follow what we build.",
            Some("Europe/Amsterdam"),
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
        let logo = LogoUpload {
            bytes: DEMO_LOGO.to_vec(),
        };
        app.set_organisation_logo(&admin, Some(logo))
            .await
            .map_err(|e| anyhow!("demo logo: {e}"))?;
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
        app.invite(
            &admin,
            "guide@partner.example",
            AccountKind::Partner,
            OrgRole::Member,
        )
        .await
        .map_err(|e| anyhow!("demo invitation: {e}"))?;
        let employee = employee.ok_or_else(|| anyhow!("the demo has no employee"))?;
        let challenge_id = seed_ideas(app, &everyone, &employee).await?;
        seed_opinions(app, &everyone, challenge_id).await?;
        seed_pairwise(app, &everyone, challenge_id).await?;
        seed_themes(app).await?;
        seed_products(app, &everyone, &employee).await?;
        seed_imported_feedback(app).await?;
        forget_on_request(app, &admin).await?;
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

/// (title, body, tags, author index in ACCOUNTS, supporters, where it ends up, the staff's words).
type DemoIdea = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    usize,
    Stage,
    &'static str,
);

const CHALLENGE_IDEAS: &[DemoIdea] = &[
    (
        "Stove muffler sleeve",
        "A heat-proof **sleeve** that slips over the burner and halves the roar, so early risers stop waking the whole campsite.",
        "stoves,noise",
        3,
        4,
        Stage::Launched,
        "In stores from March: thank you, everyone who tested the prototypes.",
    ),
    (
        "A tent that packs into its own pole",
        "Store the fly and inner *inside* the main pole: one item to carry, nothing to lose.",
        "tents,weight",
        3,
        4,
        Stage::Accepted,
        "Our designers are building a first prototype; field tests in spring.",
    ),
    (
        "Solar lantern strap",
        "A strap with a thin solar panel that charges the lantern while it hangs off the pack.",
        "lighting",
        4,
        4,
        Stage::Review,
        "",
    ),
    (
        "Inflatable camp chair",
        "A chair that packs to the size of a water bottle.",
        "comfort",
        4,
        4,
        Stage::Declined,
        "Our tests found the valves fail in the cold; we will revisit with new materials.",
    ),
    (
        "Rainfly with a built-in gutter",
        "A seam that channels rain away from the door, so opening it does not pour water inside.",
        "tents,rain",
        3,
        1,
        Stage::Gathering,
        "",
    ),
    (
        "Glow-in-the-dark guy lines",
        "Lines that glow for hours so nobody trips over them at night.",
        "tents,safety",
        3,
        1,
        Stage::Expired,
        "",
    ),
    (
        "Modular cook set",
        "Pots, pans and mugs that nest and lock together.",
        "cooking",
        3,
        0,
        Stage::Draft,
        "",
    ),
];

/// Returns the id of the challenge the ideas answer.
async fn seed_ideas(app: &App, everyone: &[Actor], staff: &Actor) -> anyhow::Result<i64> {
    let fail = |e: cocreate_app::AppError| anyhow!("demo ideas: {e}");
    let challenge = app
        .create_challenge(
            staff,
            "product-ideas",
            &ChallengeInput {
                title: "Lighter, quieter camping",
                problem: "Campers tell us two things again and again: **packs are too heavy** and **campsites are too loud**.\n\nWhat would make a night outdoors lighter to carry and kinder to your neighbours?",
                questions: "What do you carry that you never use?\nWhen is a campsite at its loudest?",
                tags: "",
                tiers: "2/30, 4/60",
                opens_at: "",
                closes_at: "",
            },
        )
        .await
        .map_err(fail)?;
    app.set_challenge_cover(staff, challenge.id, "dusk.png", DEMO_COVER.to_vec())
        .await
        .map_err(fail)?;
    let challenge_talk = [
        "Does *lighter* include the tent, or only what goes in the pack?",
        "Everything you carry counts, the tent included.",
        "Great, then I have an idea about poles coming.",
    ];
    discuss(
        app,
        everyone,
        staff,
        Subject::Challenge(challenge.id),
        challenge_talk,
    )
    .await?;
    let mut solar = None;
    for (title, body, tags, author, supporters, stage, words) in CHALLENGE_IDEAS {
        let input = IdeaInput {
            title,
            body,
            tags,
            challenge_id: Some(challenge.id),
            publish: *stage != Stage::Draft,
        };
        let idea = app
            .propose_idea(&everyone[*author], "product-ideas", &input)
            .await
            .map_err(fail)?;
        for fan in everyone
            .iter()
            .filter(|a| a.id != everyone[*author].id)
            .take(*supporters)
        {
            app.support(fan, idea.id).await.map_err(fail)?;
        }
        match stage {
            Stage::Launched => {
                app.move_idea(staff, idea.id, Stage::Accepted, "We will build it.")
                    .await
                    .map_err(fail)?;
                app.move_idea(staff, idea.id, Stage::Launched, words)
                    .await
                    .map_err(fail)?;
            }
            Stage::Accepted | Stage::Declined => {
                app.move_idea(staff, idea.id, *stage, words)
                    .await
                    .map_err(fail)?;
            }
            Stage::Expired => expire(app, idea.id).await?,
            _ => {}
        }
        if *title == "Solar lantern strap" {
            solar = Some(idea.id);
            app.attach(
                &everyone[*author],
                idea.id,
                "strap-sketch.txt",
                STRAP_SKETCH.as_bytes().to_vec(),
            )
            .await
            .map_err(fail)?;
        }
        if *stage != Stage::Draft && *stage != Stage::Expired {
            discuss(app, everyone, staff, Subject::Idea(idea.id), IDEA_TALK).await?;
        }
    }
    if let Some(solar) = solar {
        let input = IdeaInput {
            title: "Lantern with a solar panel",
            body: "Charge the lantern from the sun during the day.",
            tags: "lighting",
            challenge_id: Some(challenge.id),
            publish: true,
        };
        let duplicate = app
            .propose_idea(&everyone[3], "product-ideas", &input)
            .await
            .map_err(fail)?;
        app.support(&everyone[4], duplicate.id)
            .await
            .map_err(fail)?;
        app.merge_idea(
            staff,
            duplicate.id,
            solar,
            "The same idea as the solar lantern strap; its supporters joined it.",
        )
        .await
        .map_err(fail)?;
    }
    let open = IdeaInput {
        title: "Repair kits in every pack",
        body: "A small patch-and-thread kit in a pocket of every pack we sell.",
        tags: "repair",
        challenge_id: None,
        publish: true,
    };
    let idea = app
        .propose_idea(&everyone[3], "product-ideas", &open)
        .await
        .map_err(fail)?;
    for fan in &everyone[..2] {
        app.support(fan, idea.id).await.map_err(fail)?;
    }
    // The customer drafts the repair kits with the partner, who sells them in the field.
    let (customer, partner) = (&everyone[3], &everyone[4]);
    app.invite_co_author(customer, idea.id, &partner.email)
        .await
        .map_err(fail)?;
    app.accept_co_author(partner, idea.id).await.map_err(fail)?;
    // The same idea again, in other words: the duplicate finder puts the pair in the staff's
    // queue of possible duplicates.
    let again = IdeaInput {
        title: "Patch and thread kits in each pack",
        body: "Every pack we sell should come with a small repair kit: patches and thread in a pocket.",
        tags: "repair",
        challenge_id: None,
        publish: true,
    };
    let again = app
        .propose_idea(&everyone[2], "product-ideas", &again)
        .await
        .map_err(fail)?;
    app.support(&everyone[1], again.id).await.map_err(fail)?;
    // Praise, a complaint and a comment in French: the dashboard's sentiment reads the first
    // two and marks the third as another language.
    for (at, text) in [
        (
            0,
            "Love this! The little repair kit saved our trip last summer, brilliant.",
        ),
        (
            3,
            "My tent zip broke twice on one trip and nobody could fix it. Really disappointing.",
        ),
        (
            4,
            "J'adore cette idée, mais il faudrait aussi une aiguille plus solide pour la toile épaisse.",
        ),
    ] {
        app.add_comment(&everyone[at], Subject::Idea(again.id), None, text, false)
            .await
            .map_err(fail)?;
    }
    // Something for the moderators' queue.
    let off_topic = app
        .add_comment(
            &everyone[2],
            Subject::Idea(idea.id),
            None,
            "Selling my old stove, barely used. Message me!",
            false,
        )
        .await
        .map_err(fail)?;
    app.flag(
        customer,
        ContentKind::Comment,
        off_topic.id,
        "Off-topic: selling gear, not an idea.",
    )
    .await
    .map_err(fail)?;
    app.refresh_ranks().await.map_err(fail)?;
    Ok(challenge.id)
}

const IDEA_TALK: [&str; 3] = [
    "Would this work in **winter** conditions too?",
    "Good question: our test team (@erinengineer leads it) takes prototypes to the Alps in January.",
    "Thanks, looking forward to the results!",
];

/// A short exchange on an idea or a challenge: a question, an official answer, and a reply.
async fn discuss(
    app: &App,
    everyone: &[Actor],
    staff: &Actor,
    subject: Subject,
    [question, answer, reply]: [&str; 3],
) -> anyhow::Result<()> {
    let fail = |e: cocreate_app::AppError| anyhow!("demo comments: {e}");
    let question = app
        .add_comment(&everyone[4], subject, None, question, false)
        .await
        .map_err(fail)?;
    let answer = app
        .add_comment(staff, subject, Some(question.id), answer, true)
        .await
        .map_err(fail)?;
    app.add_comment(&everyone[3], subject, Some(answer.id), reply, false)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Demo ideas cannot wait weeks for a deadline: this one is recorded as having missed it.
async fn expire(app: &App, idea_id: i64) -> anyhow::Result<()> {
    let now = app.now();
    let fail = |e: cocreate_store::StoreError| anyhow!("demo expiry: {e}");
    let mut tx = app.store().begin().await.map_err(fail)?;
    tx.set_idea_progress(
        idea_id,
        &IdeaProgress {
            stage: Stage::Expired,
            tier: 0,
            tier_deadline: None,
        },
        now,
    )
    .await
    .map_err(fail)?;
    tx.insert_idea_event(&NewIdeaEvent {
        idea_id,
        actor_id: None,
        from_stage: Some(Stage::Gathering),
        to_stage: Stage::Expired,
        rationale: "It had 1 of the 2 supporters it needed by its deadline.",
        created_at: now,
    })
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)
}

/// Statements on the camping challenge with the demo accounts' votes, and a real conversation
/// imported from Polis, whose opinion groups and map the demo can show.
async fn seed_opinions(app: &App, everyone: &[Actor], challenge_id: i64) -> anyhow::Result<()> {
    let fail = |e: cocreate_app::AppError| anyhow!("demo opinions: {e}");
    for (at, (text, votes)) in STATEMENTS.iter().enumerate() {
        let author = &everyone[at % everyone.len()];
        let statement = app
            .add_statement(author, challenge_id, text)
            .await
            .map_err(fail)?;
        for (voter, vote) in everyone.iter().zip(votes) {
            if let Some(opinion) = Opinion::from_value(i64::from(*vote)) {
                app.vote_on_statement(voter, statement.id, opinion)
                    .await
                    .map_err(fail)?;
            }
        }
    }
    let export = PolisExport {
        name: POLIS_NAME.to_owned(),
        comments: POLIS_COMMENTS,
        votes: Some(POLIS_VOTES),
        participants_votes: None,
        summary: Some(POLIS_SUMMARY),
    };
    app.import_polis(Some("product-ideas"), export)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Pairs of the camping challenge's ideas each demo account compares, so that its ranking has
/// answers behind it.
const PAIRS_EACH: usize = 5;

/// Each demo account answers "which of these two?" on the pairs the challenge shows them,
/// picking the idea with more supporters and skipping a tie.
async fn seed_pairwise(app: &App, everyone: &[Actor], challenge_id: i64) -> anyhow::Result<()> {
    let fail = |e: cocreate_app::AppError| anyhow!("demo pairwise: {e}");
    for person in everyone {
        for _ in 0..PAIRS_EACH {
            let view = app
                .pairwise(Some(person), challenge_id)
                .await
                .map_err(fail)?;
            let Some(pair) = view.pair else { break };
            let pick = match pair.first.supporters.cmp(&pair.second.supporters) {
                std::cmp::Ordering::Greater => PairPick::First,
                std::cmp::Ordering::Less => PairPick::Second,
                std::cmp::Ordering::Equal => PairPick::Skip,
            };
            app.answer_pair(person, challenge_id, pair.first.id, pair.second.id, pick)
                .await
                .map_err(fail)?;
        }
    }
    Ok(())
}

/// The product ideas space's themes, computed once so the demo shows them at once (staff's later
/// looks compute them again after an hour).
async fn seed_themes(app: &App) -> anyhow::Result<()> {
    let space = app
        .store()
        .space_by_slug("product-ideas")
        .await
        .map_err(|e| anyhow!("demo themes: {e}"))?
        .ok_or_else(|| anyhow!("demo themes: no product ideas space"))?;
    app.refresh_themes(space.id)
        .await
        .map_err(|e| anyhow!("demo themes: {e}"))?;
    Ok(())
}

/// (name, description, status, titles of the demo ideas about it).
const PRODUCTS: &[(&str, &str, ProductStatus, &[&str])] = &[
    (
        "Trailhead 2 tent",
        "Our two-person backpacking tent: 1.4 kg, pitched in three minutes.",
        ProductStatus::Available,
        &[
            "A tent that packs into its own pole",
            "Rainfly with a built-in gutter",
        ],
    ),
    (
        "Whisper stove",
        "A canister stove that simmers as well as it boils.",
        ProductStatus::Available,
        &["Stove muffler sleeve"],
    ),
    (
        "Daylight lantern",
        "A rechargeable lantern for the tent and the trail, coming next year.",
        ProductStatus::Planned,
        &["Solar lantern strap"],
    ),
];

/// (product index, text, rating, who: an index into ACCOUNTS, or a contact's address and name;
/// sent by staff through the API when a contact's).
type DemoFeedback = (
    usize,
    &'static str,
    Option<i64>,
    Result<usize, (&'static str, &'static str)>,
);

/// Pieces of FEEDBACK staff triage: praise is closed (it needs no change), the dripping door is
/// linked to the rainfly idea as evidence, and the bent pole is answered.
const DRIPPING_DOOR: usize = 0;
const PRAISE: usize = 1;
const BENT_POLE: usize = 2;

const FEEDBACK: &[DemoFeedback] = &[
    (
        0,
        "When I open the door in the rain, water from the fly drips straight onto my sleeping bag.",
        Some(3),
        Ok(3),
    ),
    (
        0,
        "Great tent! Pitched it alone in three minutes in the dark.",
        Some(5),
        Err(("robin.hiker@example.org", "Robin Hiker")),
    ),
    (
        0,
        "The poles feel flimsy in strong wind; one bent on a ridge in Wales.",
        Some(2),
        Err(("sam.walker@example.net", "Sam Walker")),
    ),
    (
        1,
        "The muffler sleeve made our mornings so much quieter. Love it.",
        Some(5),
        Ok(3),
    ),
    (
        1,
        "Still too loud at full power, and the igniter failed after a month.",
        Some(2),
        Err(("robin.hiker@example.org", "Robin Hiker")),
    ),
    (
        2,
        "Will the lantern charge from a power bank? I would buy two.",
        None,
        Ok(4),
    ),
];

/// The product ideas space's catalogue, the ideas about each product, and feedback on them
/// from a customer's account, a partner, and contacts known by e-mail (through the API); one
/// piece is closed with a reason, one linked to an idea, one answered, and the partner passes on
/// a customer's words in the customer's name.
async fn seed_products(app: &App, everyone: &[Actor], staff: &Actor) -> anyhow::Result<()> {
    let fail = |e: cocreate_app::AppError| anyhow!("demo products: {e}");
    let space = app
        .store()
        .space_by_slug("product-ideas")
        .await
        .map_err(|e| anyhow!("demo products: {e}"))?
        .ok_or_else(|| anyhow!("demo products: no product ideas space"))?;
    let ideas = app
        .store()
        .ideas(&IdeaQuery {
            space_id: space.id,
            challenge_id: None,
            stage: None,
            tag: None,
            order: IdeaOrder::Newest,
            viewer_id: None,
            all_drafts: false,
            after: None,
            limit: 200,
        })
        .await
        .map_err(|e| anyhow!("demo products: {e}"))?;
    let mut slugs = Vec::new();
    for (name, description, status, titles) in PRODUCTS {
        let input = ProductInput {
            name,
            slug: "",
            description,
            status: *status,
        };
        let product = app
            .create_product(staff, &space.slug, &input)
            .await
            .map_err(fail)?;
        for idea in ideas
            .iter()
            .filter(|idea| titles.contains(&idea.title.as_str()))
        {
            app.set_idea_product(staff, idea.id, &product.slug)
                .await
                .map_err(fail)?;
        }
        slugs.push(product.slug);
    }
    let mut sent = Vec::new();
    for (product, text, rating, who) in FEEDBACK {
        let (sender, channel, input) = match who {
            Ok(account) => (
                &everyone[*account],
                FeedbackChannel::Web,
                FeedbackInput {
                    body: text,
                    rating: *rating,
                    ..FeedbackInput::default()
                },
            ),
            Err((email, name)) => (
                staff,
                FeedbackChannel::Api,
                FeedbackInput {
                    body: text,
                    rating: *rating,
                    tags: "support-desk",
                    author_email: Some(email),
                    author_name: Some(name),
                },
            ),
        };
        let item = app
            .send_feedback(Some(sender), &slugs[*product], &input, channel)
            .await
            .map_err(fail)?;
        sent.push(item.id);
    }
    app.set_feedback_status(
        staff,
        &[sent[PRAISE]],
        FeedbackStatus::Closed,
        "Thank you! Shared with the tent team as a compliment; nothing to change.",
    )
    .await
    .map_err(fail)?;
    // The dripping door is what the rainfly idea would fix: evidence for it.
    if let Some(gutter) = ideas
        .iter()
        .find(|idea| idea.title == "Rainfly with a built-in gutter")
    {
        app.link_feedback(staff, &[sent[DRIPPING_DOOR]], gutter.id)
            .await
            .map_err(fail)?;
    }
    // The partner passes on what a customer told it in the shop, in the customer's name.
    let (partner, customer) = (&everyone[4], &everyone[3]);
    let relayed = FeedbackInput {
        body: "Told us in the shop: the stove's pot supports are too narrow for a big pan.",
        rating: Some(3),
        author_email: Some(&customer.email),
        ..FeedbackInput::default()
    };
    app.send_feedback(Some(partner), &slugs[1], &relayed, FeedbackChannel::Api)
        .await
        .map_err(fail)?;
    app.answer_feedback(
        staff,
        sent[BENT_POLE],
        "Sorry about the pole! Send us a photo and we will post you a new section; stronger poles arrive in spring.",
    )
    .await
    .map_err(fail)?;
    Ok(())
}

/// Sam Walker, who gave feedback by e-mail only, asked to be forgotten: their contact is
/// erased, so the customer list, their timeline and the audit log show what erasure leaves.
async fn forget_on_request(app: &App, admin: &Actor) -> anyhow::Result<()> {
    let fail = |e: cocreate_app::AppError| anyhow!("demo erasure: {e}");
    let list = app
        .customers(admin, &cocreate_app::CustomerQuery::default())
        .await
        .map_err(fail)?;
    let sam = list.customers.iter().find_map(|item| match &item.author {
        cocreate_store::FeedbackAuthor::Contact { id, email, .. }
            if email == "sam.walker@example.net" =>
        {
            Some(*id)
        }
        _ => None,
    });
    let sam = sam.ok_or_else(|| anyhow!("demo erasure: Sam Walker gave no feedback"))?;
    app.erase_contact(admin, sam, "Request DEMO-1, by mail to the support desk")
        .await
        .map_err(fail)?;
    Ok(())
}

/// Feedback gathered elsewhere: a field-test survey's answers (a CSV with the survey tool's own
/// column names) and a customer's e-mail to a product's feedback address.
async fn seed_imported_feedback(app: &App) -> anyhow::Result<()> {
    let fail = |e: cocreate_app::AppError| anyhow!("demo imports: {e}");
    let mut columns = ColumnMapping::default();
    for (field, column) in [
        (ImportField::Text, "Answer"),
        (ImportField::Email, "Email"),
        (ImportField::Rating, "Stars"),
        (ImportField::CreatedAt, "Submitted"),
        (ImportField::Id, "Response ID"),
        (ImportField::Tags, "Topic"),
    ] {
        columns.set(field, column);
    }
    let survey = FeedbackImport {
        format: ImportFormat::Csv { delimiter: b',' },
        columns,
        product: None,
        dry_run: false,
    };
    let survey = app
        .import_feedback(None, FIELD_TEST_SURVEY, &survey)
        .await
        .map_err(fail)?;
    let mail = MailFile {
        name: "lantern-question.eml".into(),
        reader: Box::new(LANTERN_QUESTION),
    };
    let mail = app
        .import_mail(None, vec![mail], &MailImport::default())
        .await
        .map_err(fail)?;
    for report in [survey, mail] {
        if let Some(problem) = report.problems.first() {
            return Err(anyhow!(
                "demo imports: line {}: {}",
                problem.line,
                problem.reason
            ));
        }
    }
    Ok(())
}
