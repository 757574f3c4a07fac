//! The browser suite: headless Debian Chromium driven through chromedriver against a real server,
//! on both backends. A failing test saves a screenshot under `target/screenshots/`. Without
//! chromedriver the suite skips, except in CI (`CI=true`), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cocreate_app::{AccountInput, PolisExport, Resolution, SpaceInput};
use cocreate_core::text::quoted;
use cocreate_core::{AccountKind, Audience, Opinion, OrgRole, PairPick, Stage};
use cocreate_store::ContentKind;
use cocreate_testkit::{Backend, TestServer, spawn};
use thirtyfour::cdp::domains::browser::DownloadBehavior;
use thirtyfour::prelude::*;

type Outcome = Result<(), Box<dyn Error + Send + Sync>>;

/// The smallest valid PNG: one transparent pixel.
const ONE_PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

on_both_backends!(
    sign_up_sign_out_sign_in,
    admin_invites_an_employee_who_accepts,
    customer_cannot_reach_an_internal_space,
    an_idea_is_proposed_supported_and_decided,
    similar_ideas_show_while_typing_and_search_finds_them,
    comments_and_replies_form_a_thread,
    hostile_text_never_runs_as_script,
    every_page_fits_a_phone_and_passes_axe,
    a_participant_votes_and_finds_themselves_on_the_opinion_map,
    a_pairwise_session_ranks_the_ideas,
    staff_merge_a_duplicate_from_the_queue,
    staff_read_the_dashboard_on_a_phone,
    feedback_on_a_product_page_reaches_the_staff_inbox,
    staff_import_a_spreadsheet_of_feedback_on_a_phone,
    a_customer_downloads_their_data,
    an_admin_erases_a_customer_on_a_phone,
);

struct Browser {
    driver: WebDriver,
    chromedriver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

async fn browser() -> Option<Browser> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        cocreate_testkit::skip(
            cocreate_testkit::Suite::Browser,
            &format!("{CHROMIUM} or {CHROMEDRIVER} is missing"),
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let chromedriver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
        .unwrap();
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .expect("start Chromium");
    Some(Browser {
        driver,
        chromedriver,
        _profile: profile,
    })
}

/// Runs `body` in a fresh browser; on failure saves a screenshot and fails the test.
async fn run<F, Fut>(name: &str, backend: Backend, body: F)
where
    F: FnOnce(WebDriver, TestServer) -> Fut,
    Fut: std::future::Future<Output = Outcome>,
{
    let Some(server) = spawn(backend).await else {
        return;
    };
    let Some(browser) = browser().await else {
        return;
    };
    let driver = browser.driver.clone();
    let outcome = body(driver.clone(), server).await;
    if let Err(error) = &outcome {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{name}-{backend:?}.png"));
        let _ = driver.screenshot(&path).await;
        let _ = driver.clone().quit().await;
        panic!(
            "{name} on {backend:?} failed: {error} (screenshot: {})",
            path.display()
        );
    }
    let _ = driver.quit().await;
}

fn ensure(condition: bool, message: impl Into<String>) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(message.into().into())
    }
}

async fn fill(driver: &WebDriver, id: &str, value: &str) -> Outcome {
    let field = driver.find(By::Id(id)).await?;
    field.clear().await?;
    field.send_keys(value).await?;
    Ok(())
}

/// Clicks `element` and waits until the browser has left the current page and loaded the next.
async fn click_and_wait(driver: &WebDriver, element: WebElement) -> Outcome {
    let old_page = driver.find(By::Tag("html")).await?;
    element.click().await?;
    let started = Instant::now();
    while old_page.tag_name().await.is_ok() {
        ensure(
            started.elapsed() < Duration::from_secs(15),
            "the page did not change",
        )?;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    loop {
        let state = driver
            .execute("return document.readyState", Vec::new())
            .await?;
        if state.json().as_str() == Some("complete") {
            return Ok(());
        }
        ensure(
            started.elapsed() < Duration::from_secs(15),
            "the page did not load",
        )?;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn submit(driver: &WebDriver, form_action: &str) -> Outcome {
    let button = driver
        .find(By::Css(format!(
            "main form[action='{form_action}'] button[type='submit']"
        )))
        .await?;
    click_and_wait(driver, button).await
}

async fn follow(driver: &WebDriver, link_text: &str) -> Outcome {
    let link = driver.find(By::LinkText(link_text)).await?;
    click_and_wait(driver, link).await
}

async fn sign_out(driver: &WebDriver) -> Outcome {
    let button = driver
        .find(By::Css("header form[action='/signout'] button"))
        .await?;
    click_and_wait(driver, button).await
}

async fn page_text(driver: &WebDriver) -> Result<String, WebDriverError> {
    driver.find(By::Tag("body")).await?.text().await
}

async fn sign_in(driver: &WebDriver, server: &TestServer, email: &str) -> Outcome {
    driver.goto(server.url("/signin")).await?;
    fill(driver, "email", email).await?;
    fill(driver, "password", common::PASSWORD).await?;
    submit(driver, "/signin").await?;
    Ok(())
}

async fn operator_account(server: &TestServer, email: &str, kind: AccountKind, role: OrgRole) {
    let input = AccountInput {
        email,
        name: "Alex Admin",
        password: common::PASSWORD,
    };
    server
        .app
        .create_account_as_operator(&input, kind, role)
        .await
        .unwrap();
}

/// The admin's actor, made by the operator.
async fn admin_actor(
    server: &TestServer,
) -> Result<cocreate_app::Actor, Box<dyn Error + Send + Sync>> {
    operator_account(
        server,
        "admin@example.org",
        AccountKind::Employee,
        OrgRole::Admin,
    )
    .await;
    let admin = server
        .app
        .store()
        .account_by_email("admin@example.org")
        .await?
        .ok_or("no admin")?;
    Ok(cocreate_app::Actor::from_account(&admin, None))
}

/// Imports the brexit-consensus Polis export (fixtures/polis) into the space `slug`; answers the
/// new challenge's id.
/// The space "town" with the product "Town bikes"; returns its admin.
async fn town_with_bikes(
    server: &TestServer,
) -> Result<cocreate_app::Actor, Box<dyn Error + Send + Sync>> {
    let admin = admin_with_town(server).await?;
    let product = cocreate_app::ProductInput {
        name: "Town bikes",
        slug: "",
        description: "Bikes to borrow at the station.",
        status: cocreate_core::ProductStatus::Available,
    };
    server.app.create_product(&admin, "town", &product).await?;
    Ok(admin)
}

async fn import_brexit(
    server: &TestServer,
    slug: &str,
) -> Result<i64, Box<dyn Error + Send + Sync>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/polis/brexit-consensus");
    let open = |file: &str| std::fs::File::open(dir.join(file));
    let export = PolisExport {
        name: "brexit-consensus".to_owned(),
        comments: open("comments.csv")?,
        votes: Some(open("votes.csv")?),
        participants_votes: None,
        summary: Some(open("summary.csv")?),
    };
    Ok(server
        .app
        .import_polis(Some(slug), export)
        .await?
        .challenge_id)
}

/// The administrator, once they have opened the public space "town".
async fn admin_with_town(
    server: &TestServer,
) -> Result<cocreate_app::Actor, Box<dyn Error + Send + Sync>> {
    let admin = admin_actor(server).await?;
    let space = SpaceInput {
        name: "Town",
        slug: "town",
        description: "",
        audience: Audience::Public,
    };
    server.app.create_space(&admin, &space).await?;
    Ok(admin)
}

/// A customer votes on a conversation's statements (the last by clicking "Agree"), then finds
/// their own ringed dot on the opinion map and the group they are in.
async fn a_participant_votes_and_finds_themselves_on_the_opinion_map(backend: Backend) {
    run(
        "a_participant_votes_and_finds_themselves_on_the_opinion_map",
        backend,
        |driver, server| async move {
            admin_with_town(&server).await?;
            let challenge = import_brexit(&server, "town").await?;
            operator_account(
                &server,
                "casey@example.org",
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await;
            let casey = server
                .app
                .store()
                .account_by_email("casey@example.org")
                .await?
                .ok_or("no casey")?;
            let casey_actor = cocreate_app::Actor::from_account(&casey, None);
            let statements = server.app.store().statements(challenge, false).await?;
            let (last, earlier) = statements.split_last().ok_or("no statements")?;
            for (n, statement) in earlier.iter().enumerate() {
                let opinion = if n % 3 == 0 {
                    Opinion::Disagree
                } else {
                    Opinion::Agree
                };
                server
                    .app
                    .vote_on_statement(&casey_actor, statement.id, opinion)
                    .await?;
            }
            sign_in(&driver, &server, "casey@example.org").await?;
            driver
                .goto(server.url(&format!("/challenges/{challenge}/opinions")))
                .await?;
            let agree = driver
                .find(By::Css(format!(
                    "#statement-{} button[value='agree']",
                    last.id
                )))
                .await?;
            click_and_wait(&driver, agree).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Your vote is counted"),
                format!("no notice: {text}"),
            )?;
            let pressed = driver
                .find(By::Css(format!(
                    "#statement-{} button[value='agree']",
                    last.id
                )))
                .await?
                .attr("aria-pressed")
                .await?;
            ensure(
                pressed.as_deref() == Some("true"),
                "the vote is shown as pressed",
            )?;
            follow(&driver, "See the opinion groups the votes form").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("You are in group"),
                format!("no group for the viewer: {text}"),
            )?;
            let rings = driver.find_all(By::Css("svg circle.you")).await?;
            ensure(rings.len() == 1, format!("{} ringed dots", rings.len()))?;
            let dots = driver.find_all(By::Css("svg circle")).await?;
            ensure(
                dots.len() > 150,
                format!("only {} dots on the map", dots.len()),
            )
        },
    )
    .await;
}

/// A customer compares a challenge's three ideas two at a time, always picking the one they like
/// best, until no pair is left; the ranking then lists the ideas in their order.
async fn a_pairwise_session_ranks_the_ideas(backend: Backend) {
    run(
        "a_pairwise_session_ranks_the_ideas",
        backend,
        |driver, server| async move {
            let admin = admin_with_town(&server).await?;
            let challenge = server
                .app
                .create_challenge(
                    &admin,
                    "town",
                    &cocreate_app::ChallengeInput {
                        title: "The square",
                        problem: "What should the square have?",
                        questions: "",
                        tags: "",
                        tiers: "",
                        opens_at: "",
                        closes_at: "",
                    },
                )
                .await?;
            let liked = ["Fountain", "Benches", "Trees"];
            for title in liked {
                let input = cocreate_app::IdeaInput {
                    title,
                    body: "Why it helps.",
                    tags: "",
                    challenge_id: Some(challenge.id),
                    publish: true,
                };
                server.app.propose_idea(&admin, "town", &input).await?;
            }
            operator_account(
                &server,
                "casey@example.org",
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await;
            sign_in(&driver, &server, "casey@example.org").await?;
            driver
                .goto(server.url(&format!("/challenges/{}", challenge.id)))
                .await?;
            follow(&driver, "Compare ideas two at a time").await?;
            for answered in 0..3 {
                let text = page_text(&driver).await?;
                ensure(
                    text.contains(&format!("You have answered {answered} pair")),
                    format!("progress not shown: {text}"),
                )?;
                let first = driver.find(By::Id("first-idea")).await?.text().await?;
                let second = driver.find(By::Id("second-idea")).await?.text().await?;
                let place = |title: &str| liked.iter().position(|t| *t == title);
                let pick = match (place(&first), place(&second)) {
                    (Some(a), Some(b)) if a < b => "first",
                    (Some(_), Some(_)) => "second",
                    _ => return Err(format!("unknown pair: {first} / {second}").into()),
                };
                let button = driver
                    .find(By::Css(format!("main button[value='{pick}']")))
                    .await?;
                click_and_wait(&driver, button).await?;
                let text = page_text(&driver).await?;
                ensure(
                    text.contains("Your answer is counted"),
                    format!("no notice: {text}"),
                )?;
            }
            let text = page_text(&driver).await?;
            ensure(
                text.contains("You have answered every pair of ideas (3)"),
                format!("pairs remain: {text}"),
            )?;
            follow(&driver, "See the ranking").await?;
            let rows = driver.find_all(By::Css("tbody tr")).await?;
            let mut ranked = Vec::new();
            for row in rows {
                ranked.push(row.find(By::Tag("a")).await?.text().await?);
            }
            ensure(ranked == liked, format!("ranked {ranked:?}"))
        },
    )
    .await;
}

/// Waits until the duplicate finder has queued a pair in the space; answers the first pair's id.
async fn first_duplicate(
    server: &TestServer,
    admin: &cocreate_app::Actor,
    slug: &str,
) -> Result<i64, Box<dyn Error + Send + Sync>> {
    let started = Instant::now();
    loop {
        let queue = server.app.duplicate_queue(admin, slug, None).await?;
        if let Some(pair) = queue.pairs.first() {
            return Ok(pair.id);
        }
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!("no duplicates queued in {slug}").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Staff open the queue of possible duplicates from the space, read a pair side by side and
/// merge one idea into the other.
async fn staff_merge_a_duplicate_from_the_queue(backend: Backend) {
    run(
        "staff_merge_a_duplicate_from_the_queue",
        backend,
        |driver, server| async move {
            let admin = admin_with_town(&server).await?;
            let mut ids = Vec::new();
            for (title, body) in [
                ("Repair kits in every pack", "A small patch-and-thread kit in a pocket of every pack we sell."),
                ("Patch and thread kits in each pack", "Every pack we sell should come with a small repair kit: patches and thread in a pocket."),
            ] {
                ids.push(common::published_idea(&server, &admin, "town", title, body).await.id);
            }
            first_duplicate(&server, &admin, "town").await?;
            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url("/spaces/town")).await?;
            follow(&driver, "Possible duplicates").await?;
            let pair = driver.find(By::PartialLinkText("alike")).await?;
            click_and_wait(&driver, pair).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Are these the same idea?")
                    && text.contains("Repair kits in every pack")
                    && text.contains("Patch and thread kits in each pack"),
                format!("not side by side: {text}"),
            )?;
            // The second idea goes into the first.
            let merge = driver
                .find(By::Css("#second-idea ~ form button[type='submit']"))
                .await?;
            click_and_wait(&driver, merge).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("The ideas were merged")
                    && text.contains("No possible duplicates are waiting"),
                format!("no merge shown: {text}"),
            )?;
            let merged = server.app.store().idea(ids[1]).await?.ok_or("idea gone")?;
            ensure(
                merged.stage == Stage::Merged && merged.merged_into == Some(ids[0]),
                format!("not merged: {:?} into {:?}", merged.stage, merged.merged_into),
            )
        },
    )
    .await;
}

/// Staff open a space's dashboard on a phone: the charts fit the screen and say what they show,
/// and the tables beside them hold the week's figures and the texts read.
async fn staff_read_the_dashboard_on_a_phone(backend: Backend) {
    run(
        "staff_read_the_dashboard_on_a_phone",
        backend,
        |driver, server| async move {
            let admin = admin_with_town(&server).await?;
            let idea = common::published_idea(
                &server,
                &admin,
                "town",
                "A farmers market",
                "On Saturdays by the library.",
            )
            .await;
            for text in [
                "Love it, a brilliant idea!",
                "Parking there is a terrible mess already.",
            ] {
                server
                    .app
                    .add_comment(
                        &admin,
                        cocreate_store::Subject::Idea(idea.id),
                        None,
                        text,
                        false,
                    )
                    .await?;
            }
            driver.set_window_rect(0, 0, 390, 844).await?;
            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url("/spaces/town")).await?;
            follow(&driver, "Dashboard").await?;
            let charts = driver
                .find_all(By::Css("figure.chart svg[role='img']"))
                .await?;
            ensure(charts.len() == 3, format!("{} charts", charts.len()))?;
            for chart in charts {
                let label = chart.attr("aria-label").await?.unwrap_or_default();
                let rect = chart.rect().await?;
                ensure(
                    !label.is_empty() && rect.width > 200.0 && rect.width <= 390.0,
                    format!("chart {label:?} is {} px wide", rect.width),
                )?;
            }
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Activity per week")
                    && text.contains("Sentiment per week")
                    && text.contains("Parking there is a terrible mess already.")
                    && text.contains("Love it, a brilliant idea!"),
                format!("dashboard incomplete: {text}"),
            )?;
            // On a phone each figure is shown with its column's name before it.
            let mut last_week = Vec::new();
            for cell in driver
                .find_all(By::XPath(
                    "//table[caption[contains(., 'Activity per week')]]/tbody/tr[last()]/td",
                ))
                .await?
            {
                let label: String = driver
                    .execute(
                        "return getComputedStyle(arguments[0], '::before').content;",
                        vec![cell.to_json()?],
                    )
                    .await?
                    .convert()?;
                last_week.push(format!("{label} {}", cell.text().await?));
            }
            ensure(
                last_week == ["\"Ideas: \" 1", "\"Comments: \" 2", "\"Supports: \" 0"],
                format!("last week: {last_week:?}"),
            )?;
            let csv = driver.find(By::PartialLinkText("Download as CSV")).await?;
            ensure(
                csv.attr("href").await?.as_deref() == Some("/spaces/town/dashboard/activity.csv"),
                "no CSV link for the activity",
            )
        },
    )
    .await;
}

/// A visitor finds a product from its space, rates it and sends feedback with an e-mail
/// address; staff find it in their inbox and link it to an idea, whose page then shows who asked
/// for it; then they answer it.
async fn feedback_on_a_product_page_reaches_the_staff_inbox(backend: Backend) {
    run(
        "feedback_on_a_product_page_reaches_the_staff_inbox",
        backend,
        |driver, server| async move {
            let admin = town_with_bikes(&server).await?;
            let idea = common::published_idea(
                &server,
                &admin,
                "town",
                "Lower saddles for children",
                "Saddles that go low enough for a ten-year-old.",
            )
            .await;
            driver.set_window_rect(0, 0, 390, 844).await?;
            driver.goto(server.url("/spaces/town")).await?;
            follow(&driver, "Products and services").await?;
            follow(&driver, "Town bikes").await?;
            fill(
                &driver,
                "feedback-body",
                "The saddles are too high for children.",
            )
            .await?;
            driver
                .find(By::Css("input[name='rating'][value='4']"))
                .await?
                .click()
                .await?;
            fill(&driver, "feedback-email", "robin@example.net").await?;
            submit(&driver, "/products/town-bikes/feedback").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Thank you: your feedback reached the team.")
                    && text.contains("4.0 of 5 from 1 rating"),
                format!("after sending: {text}"),
            )?;

            sign_in(&driver, &server, "admin@example.org").await?;
            follow(&driver, "Feedback").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("The saddles are too high for children.")
                    && text.contains("robin@example.net")
                    && text.contains("rated 4 of 5"),
                format!("inbox: {text}"),
            )?;
            driver
                .find(By::Css("input[name='ids']"))
                .await?
                .click()
                .await?;
            fill(&driver, "bulk-idea", &format!("/ideas/{}", idea.id)).await?;
            let link = driver
                .find(By::Css("button[formaction='/feedback/link']"))
                .await?;
            click_and_wait(&driver, link).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Linked: the idea counts it as evidence")
                    && text.contains("No feedback matches."),
                format!("after linking: {text}"),
            )?;
            driver
                .goto(server.url(&format!("/ideas/{}", idea.id)))
                .await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("1 customer asked for this")
                    && text.contains("robin@example.net")
                    && text.contains("The saddles are too high for children."),
                format!("the idea's evidence: {text}"),
            )?;
            follow(&driver, "robin@example.net").await?;
            fill(&driver, "answer", "Lower saddles arrive in May.").await?;
            submit(&driver, "/feedback/1/answer").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Answered: its author reads your answer here and by mail.")
                    && text.contains("Lower saddles arrive in May."),
                format!("after answering: {text}"),
            )?;
            let mail = server.last_mail_to("robin@example.net").await;
            ensure(
                mail.body.contains("Lower saddles arrive in May."),
                format!("mail: {}", mail.body),
            )
        },
    )
    .await;
}

/// Staff choose a survey export whose columns have their own names, map them, check the file
/// first, then import it: the good rows reach the inbox and the refused one is named by its line,
/// and the report fits a phone.
async fn staff_import_a_spreadsheet_of_feedback_on_a_phone(backend: Backend) {
    run(
        "staff_import_a_spreadsheet_of_feedback_on_a_phone",
        backend,
        |driver, server| async move {
            town_with_bikes(&server).await?;
            let dir = tempfile::tempdir()?;
            let survey = dir.path().join("survey.csv");
            std::fs::write(
                &survey,
                "Answer,Email,Stars\n\
                 The bell is too quiet for the high street.,robin@example.net,3\n\
                 Lovely baskets.,sam@example.net,9\n",
            )?;
            driver.set_window_rect(0, 0, 390, 844).await?;
            sign_in(&driver, &server, "admin@example.org").await?;
            follow(&driver, "Feedback").await?;
            follow(&driver, "Import feedback from a file").await?;
            let choose = async |dry_run: bool| -> Outcome {
                driver
                    .find(By::Id("import-file"))
                    .await?
                    .send_keys(survey.display().to_string())
                    .await?;
                driver
                    .find(By::Css("#import-product option[value='town-bikes']"))
                    .await?
                    .click()
                    .await?;
                fill(&driver, "column-text", "Answer").await?;
                fill(&driver, "column-email", "Email").await?;
                fill(&driver, "column-rating", "Stars").await?;
                let check = driver.find(By::Css("input[name='dry_run']")).await?;
                if check.is_selected().await? != dry_run {
                    check.click().await?;
                }
                submit(&driver, "/feedback/import").await
            };
            choose(true).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("What importing survey.csv would do")
                    && text.contains("1 would be imported")
                    && text.contains("1 refused")
                    && text.contains("Nothing was written."),
                format!("after the check: {text}"),
            )?;
            choose(false).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Imported survey.csv") && text.contains("1 imported"),
                format!("after importing: {text}"),
            )?;
            let refused = driver.find(By::Css("table tbody tr")).await?.text().await?;
            ensure(
                refused.starts_with('3') && refused.contains("rating"),
                format!("the refused row: {refused}"),
            )?;
            let measured = driver.execute(OVERFLOW_ON_PAGE, Vec::new()).await?;
            let (width, viewport, wide): (i64, i64, String) = measured.convert()?;
            ensure(
                width <= viewport,
                format!("the report is {width} px in {viewport} ({wide})"),
            )?;
            follow(&driver, "See the imported feedback in the inbox").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("The bell is too quiet for the high street.")
                    && text.contains("robin@example.net")
                    && !text.contains("Lovely baskets."),
                format!("the inbox: {text}"),
            )
        },
    )
    .await;
}

/// A customer finds "Download your data" on their profile, on a phone, and the browser saves a
/// JSON file holding their idea and nobody else's.
async fn a_customer_downloads_their_data(backend: Backend) {
    run(
        "a_customer_downloads_their_data",
        backend,
        |driver, server| async move {
            let admin = admin_with_town(&server).await?;
            common::published_idea(&server, &admin, "town", "Benches by the river", "Shade.").await;
            let robin = server
                .app
                .create_account_as_operator(
                    &AccountInput {
                        email: "robin@example.org",
                        name: "Robin",
                        password: common::PASSWORD,
                    },
                    AccountKind::Customer,
                    OrgRole::Member,
                )
                .await?;
            let robin = cocreate_app::Actor::from_account(&robin, None);
            common::published_idea(
                &server,
                &robin,
                "town",
                "A bike rack at the school",
                "Ten bikes.",
            )
            .await;
            let downloads = tempfile::tempdir()?;
            driver
                .cdp()
                .browser()
                .set_download_behavior(
                    DownloadBehavior::Allow,
                    Some(downloads.path().display().to_string()),
                )
                .await?;
            driver.set_window_rect(0, 0, 390, 844).await?;
            sign_in(&driver, &server, "robin@example.org").await?;
            driver.goto(server.url("/profile")).await?;
            driver
                .find(By::LinkText("Download your data"))
                .await?
                .click()
                .await?;
            let file = downloads.path().join("cocreate-data-robin.json");
            let started = Instant::now();
            while !file.is_file() {
                ensure(
                    started.elapsed() < Duration::from_secs(15),
                    "no file was downloaded",
                )?;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let data: serde_json::Value = serde_json::from_slice(&std::fs::read(&file)?)?;
            let titles: Vec<&str> = data["tables"]["ideas"]
                .as_array()
                .ok_or("no ideas")?
                .iter()
                .filter_map(|idea| idea["title"].as_str())
                .collect();
            ensure(
                data["account"]["email"] == "robin@example.org"
                    && titles == ["A bike rack at the school"],
                format!("the file: {data}"),
            )
        },
    )
    .await;
}

/// A customer sees their own timeline; an admin finds them in the members list, erases them with
/// a reason, and the list and the idea they proposed no longer name them.
async fn an_admin_erases_a_customer_on_a_phone(backend: Backend) {
    run(
        "an_admin_erases_a_customer_on_a_phone",
        backend,
        |driver, server| async move {
            let admin = admin_with_town(&server).await?;
            let robin = server
                .app
                .create_account_as_operator(
                    &AccountInput {
                        email: "robin@example.org",
                        name: "Robin Quill",
                        password: common::PASSWORD,
                    },
                    AccountKind::Customer,
                    OrgRole::Member,
                )
                .await?;
            let robin = cocreate_app::Actor::from_account(&robin, None);
            let idea = common::published_idea(
                &server,
                &robin,
                "town",
                "Quill's bike rack at the school",
                "Ten bikes.",
            )
            .await;
            server.app.support(&admin, idea.id).await?;
            driver.set_window_rect(0, 0, 390, 844).await?;
            sign_in(&driver, &server, "robin@example.org").await?;
            driver.goto(server.url("/profile")).await?;
            follow(&driver, "Your timeline").await?;
            let text = driver.find(By::Tag("main")).await?.text().await?;
            ensure(
                text.contains("You proposed “Quill's bike rack at the school”"),
                format!("the timeline: {text}"),
            )?;
            sign_out(&driver).await?;
            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url("/admin/members")).await?;
            driver
                .find(By::Css(format!(
                    "a[href='/admin/members/{}/erase']",
                    robin.id
                )))
                .await?
                .click()
                .await?;
            fill(&driver, "reason", "Request 2026-7, by mail").await?;
            submit(&driver, &format!("/admin/members/{}/erase", robin.id)).await?;
            let text = driver.find(By::Tag("main")).await?.text().await?;
            ensure(
                text.contains("Erased: their name, addresses and text are gone")
                    && !text.contains("robin@example.org")
                    && !text.contains("Robin Quill"),
                format!("the members page: {text}"),
            )?;
            driver
                .goto(server.url(&format!("/ideas/{}", idea.id)))
                .await?;
            let text = driver.find(By::Tag("main")).await?.text().await?;
            ensure(
                text.contains("Erased idea")
                    && !text.contains("Quill")
                    && text.contains("1 supporter"),
                format!("the idea: {text}"),
            )
        },
    )
    .await;
}

async fn sign_up_sign_out_sign_in(backend: Backend) {
    run(
        "sign_up_sign_out_sign_in",
        backend,
        |driver, server| async move {
            driver.goto(server.url("/")).await?;
            follow(&driver, "Sign up").await?;
            fill(&driver, "name", "Casey Customer").await?;
            fill(&driver, "email", "casey@example.org").await?;
            fill(&driver, "password", "short").await?;
            submit(&driver, "/signup").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("password must be at least 10 characters"),
                format!("no password message: {text}"),
            )?;
            fill(&driver, "password", common::PASSWORD).await?;
            submit(&driver, "/signup").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Welcome! You are signed in."),
                format!("not welcomed: {text}"),
            )?;
            ensure(text.contains("Casey Customer"), "name not in the header")?;

            sign_out(&driver).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Sign in") && !text.contains("Casey Customer"),
                format!("still signed in: {text}"),
            )?;

            sign_in(&driver, &server, "casey@example.org").await?;
            driver.goto(server.url("/profile")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("casey@example.org") && text.contains("customer"),
                format!("profile: {text}"),
            )?;
            Ok(())
        },
    )
    .await;
}

async fn admin_invites_an_employee_who_accepts(backend: Backend) {
    run(
        "admin_invites_an_employee_who_accepts",
        backend,
        |driver, server| async move {
            operator_account(
                &server,
                "admin@example.org",
                AccountKind::Employee,
                OrgRole::Admin,
            )
            .await;
            sign_in(&driver, &server, "admin@example.org").await?;
            follow(&driver, "Admin").await?;
            follow(&driver, "Invitations").await?;
            fill(&driver, "email", "erin@example.org").await?;
            driver
                .find(By::Css("select#kind option[value='employee']"))
                .await?
                .click()
                .await?;
            driver
                .find(By::Css("select#role option[value='member']"))
                .await?
                .click()
                .await?;
            submit(&driver, "/admin/invitations").await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Invitation sent.") && text.contains("erin@example.org"),
                format!("invitation page: {text}"),
            )?;
            sign_out(&driver).await?;

            let link = server
                .link_in_mail("erin@example.org", "/invitations/")
                .await;
            driver.goto(server.url(&link)).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("This invitation is for erin@example.org"),
                format!("accept page: {text}"),
            )?;
            fill(&driver, "name", "Erin Engineer").await?;
            fill(&driver, "password", common::PASSWORD).await?;
            submit(&driver, &link).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Welcome! You are signed in.") && text.contains("Erin Engineer"),
                format!("after accepting: {text}"),
            )?;
            let erin = server
                .store
                .account_by_email("erin@example.org")
                .await?
                .ok_or("no account")?;
            ensure(
                erin.kind == AccountKind::Employee,
                "erin is not an employee",
            )?;
            Ok(())
        },
    )
    .await;
}

async fn customer_cannot_reach_an_internal_space(backend: Backend) {
    run(
        "customer_cannot_reach_an_internal_space",
        backend,
        |driver, server| async move {
            operator_account(
                &server,
                "admin@example.org",
                AccountKind::Employee,
                OrgRole::Admin,
            )
            .await;
            // The admin makes an internal space in the browser.
            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url("/spaces")).await?;
            fill(&driver, "name", "Staff workshop").await?;
            driver
                .find(By::Css("select#audience option[value='internal']"))
                .await?
                .click()
                .await?;
            submit(&driver, "/spaces").await?;
            let url = driver.current_url().await?;
            ensure(
                url.path() == "/spaces/staff-workshop",
                format!("landed on {url}"),
            )?;
            sign_out(&driver).await?;
            let public = SpaceInput {
                name: "Ideas",
                slug: "",
                description: "Open to all",
                audience: Audience::Public,
            };
            let admin = server
                .app
                .store()
                .account_by_email("admin@example.org")
                .await?
                .ok_or("no admin")?;
            let actor = cocreate_app::Actor::from_account(&admin, None);
            server.app.create_space(&actor, &public).await?;

            // A customer signs up and cannot find it by list or by URL.
            driver.goto(server.url("/signup")).await?;
            fill(&driver, "name", "Casey Customer").await?;
            fill(&driver, "email", "casey@example.org").await?;
            fill(&driver, "password", common::PASSWORD).await?;
            submit(&driver, "/signup").await?;
            driver.goto(server.url("/spaces")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Ideas") && !text.contains("Staff workshop"),
                format!("spaces list: {text}"),
            )?;
            driver.goto(server.url("/spaces/staff-workshop")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Not found") && !text.contains("Staff workshop"),
                format!("internal space page: {text}"),
            )?;
            Ok(())
        },
    )
    .await;
}

async fn an_idea_is_proposed_supported_and_decided(backend: Backend) {
    run(
        "an_idea_is_proposed_supported_and_decided",
        backend,
        |driver, server| async move {
            operator_account(
                &server,
                "admin@example.org",
                AccountKind::Employee,
                OrgRole::Admin,
            )
            .await;
            operator_account(
                &server,
                "casey@example.org",
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await;
            operator_account(
                &server,
                "fan@example.org",
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await;
            let admin = server
                .app
                .store()
                .account_by_email("admin@example.org")
                .await?
                .ok_or("no admin")?;
            let actor = cocreate_app::Actor::from_account(&admin, None);
            let space = SpaceInput {
                name: "Ideas",
                slug: "",
                description: "Tell us",
                audience: Audience::Public,
            };
            server.app.create_space(&actor, &space).await?;

            // Casey proposes from the space page.
            sign_in(&driver, &server, "casey@example.org").await?;
            driver.goto(server.url("/spaces/ideas")).await?;
            fill(&driver, "idea-title", "Reflective tent pegs").await?;
            fill(&driver, "idea-body", "Pegs you can **see** at night.").await?;
            fill(&driver, "idea-tags", "tents, safety").await?;
            let publish = driver
                .find(By::Css("button[name='publish'][value='yes']"))
                .await?;
            click_and_wait(&driver, publish).await?;
            let idea_path = driver.current_url().await?.path().to_owned();
            // With an image: a real 1×1 PNG, uploaded through the file field and shown inline.
            let image = tempfile::Builder::new()
                .prefix("sketch")
                .suffix(".png")
                .tempfile()?;
            std::fs::write(image.path(), ONE_PIXEL_PNG)?;
            driver
                .find(By::Id("attachment"))
                .await?
                .send_keys(image.path().display().to_string())
                .await?;
            submit(&driver, &format!("{idea_path}/attachments")).await?;
            // Images load lazily, after the page itself is complete: wait for this one to finish.
            let started = Instant::now();
            let width = loop {
                let image = driver
                    .execute(
                        "const img = document.querySelector('.files img'); \
                         return img.complete ? img.naturalWidth : null",
                        Vec::new(),
                    )
                    .await?;
                let width = image.json().as_i64();
                if width.is_some() || started.elapsed() > Duration::from_secs(15) {
                    break width;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            };
            ensure(
                width == Some(1),
                format!("the image did not load: {width:?}"),
            )?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Reflective tent pegs")
                    && text.contains("Gathering support")
                    && text.contains("0 supporters"),
                format!("idea page: {text}"),
            )?;
            sign_out(&driver).await?;

            // A fan supports it, withdraws, and supports again.
            sign_in(&driver, &server, "fan@example.org").await?;
            driver.goto(server.url(&idea_path)).await?;
            submit(&driver, &format!("{idea_path}/support")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Thank you for your support.")
                    && text.contains("1 supporter")
                    && !text.contains("1 supporters")
                    && text.contains("You support this idea."),
                format!("after support: {text}"),
            )?;
            submit(&driver, &format!("{idea_path}/withdraw")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("0 supporters") && text.contains("Support this idea"),
                format!("after withdrawing: {text}"),
            )?;
            submit(&driver, &format!("{idea_path}/support")).await?;
            sign_out(&driver).await?;

            // Staff move it through the stages with public reasons.
            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url(&idea_path)).await?;
            for (stage, reason, label) in [
                ("in_review", "Enough interest to review now.", "In review"),
                ("accepted", "We will build it.", "Accepted (in development)"),
                ("launched", "In stores next week.", "Launched"),
            ] {
                driver
                    .find(By::Css(format!("select#stage-to option[value='{stage}']")))
                    .await?
                    .click()
                    .await?;
                fill(&driver, "stage-rationale", reason).await?;
                submit(&driver, &format!("{idea_path}/stage")).await?;
                let text = page_text(&driver).await?;
                ensure(
                    text.contains(label) && text.contains(reason),
                    format!("after moving to {stage}: {text}"),
                )?;
            }
            let idea_id: i64 = idea_path.trim_start_matches("/ideas/").parse()?;
            let history = server.store.idea_events(idea_id).await?;
            ensure(
                history.len() == 4,
                format!("history has {} entries", history.len()),
            )?;
            Ok(())
        },
    )
    .await;
}

async fn similar_ideas_show_while_typing_and_search_finds_them(backend: Backend) {
    run(
        "similar_ideas_show_while_typing_and_search_finds_them",
        backend,
        |driver, server| async move {
            operator_account(
                &server,
                "admin@example.org",
                AccountKind::Employee,
                OrgRole::Admin,
            )
            .await;
            let admin = server
                .app
                .store()
                .account_by_email("admin@example.org")
                .await?
                .ok_or("no admin")?;
            let actor = cocreate_app::Actor::from_account(&admin, None);
            let space = SpaceInput {
                name: "Ideas",
                slug: "",
                description: "",
                audience: Audience::Public,
            };
            server.app.create_space(&actor, &space).await?;
            let idea = cocreate_app::IdeaInput {
                title: "Solar lantern strap",
                body: "Charge the lantern while hiking.",
                tags: "",
                challenge_id: None,
                publish: true,
            };
            let existing = server.app.propose_idea(&actor, "ideas", &idea).await?;

            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url("/spaces/ideas")).await?;
            driver
                .find(By::Id("idea-title"))
                .await?
                .send_keys("A solar lamp")
                .await?;
            let started = Instant::now();
            loop {
                let hint = driver.find(By::Id("similar-ideas")).await?.text().await?;
                if hint.contains("Solar lantern strap") {
                    break;
                }
                ensure(
                    started.elapsed() < Duration::from_secs(10),
                    format!("no similar ideas shown: {hint:?}"),
                )?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let link = driver
                .find(By::Css("#similar-ideas a"))
                .await?
                .attr("href")
                .await?;
            ensure(
                link.as_deref() == Some(format!("/ideas/{}", existing.id).as_str()),
                format!("similar link {link:?}"),
            )?;

            follow(&driver, "Search").await?;
            fill(&driver, "q", "lantern").await?;
            let button = driver
                .find(By::Css("form.search-form button[type='submit']"))
                .await?;
            click_and_wait(&driver, button).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("1 idea,") && text.contains("Solar lantern strap"),
                format!("search page: {text}"),
            )?;
            let marked = driver.find(By::Css(".snippet mark")).await?.text().await?;
            ensure(
                marked.to_lowercase() == "lantern",
                format!("marked {marked:?}"),
            )?;
            // A facet's count is a link that narrows the search to it.
            let facet = driver.find(By::Css("#facet-space + ul a")).await?;
            click_and_wait(&driver, facet).await?;
            let current = driver
                .find(By::Css(".facets [aria-current]"))
                .await?
                .text()
                .await?;
            let url = driver.current_url().await?;
            ensure(
                current == "Ideas" && url.query() == Some("q=lantern&space=ideas"),
                format!("narrowed to {current:?} at {url}"),
            )?;
            Ok(())
        },
    )
    .await;
}

async fn comments_and_replies_form_a_thread(backend: Backend) {
    run(
        "comments_and_replies_form_a_thread",
        backend,
        |driver, server| async move {
            operator_account(
                &server,
                "admin@example.org",
                AccountKind::Employee,
                OrgRole::Admin,
            )
            .await;
            operator_account(
                &server,
                "casey@example.org",
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await;
            let admin = server
                .app
                .store()
                .account_by_email("admin@example.org")
                .await?
                .ok_or("no admin")?;
            let actor = cocreate_app::Actor::from_account(&admin, None);
            server
                .app
                .create_space(
                    &actor,
                    &SpaceInput {
                        name: "Ideas",
                        slug: "",
                        description: "",
                        audience: Audience::Public,
                    },
                )
                .await?;
            let idea = cocreate_app::IdeaInput {
                title: "Waterproof map case",
                body: "Keeps maps dry.",
                tags: "",
                challenge_id: None,
                publish: true,
            };
            let idea = server.app.propose_idea(&actor, "ideas", &idea).await?;
            let path = format!("/ideas/{}", idea.id);

            sign_in(&driver, &server, "casey@example.org").await?;
            driver.goto(server.url(&path)).await?;
            fill(&driver, "comment-body", "Does it float?").await?;
            submit(&driver, &format!("{path}/comments")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Your comment is posted.")
                    && text.contains("Does it float?")
                    && text.contains("Discussion (1)"),
                format!("after commenting: {text}"),
            )?;
            sign_out(&driver).await?;

            // Staff answer in the thread: an official reply.
            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url(&path)).await?;
            driver
                .find(By::Css(".comment-actions details summary"))
                .await?
                .click()
                .await?;
            let comment = server
                .store
                .comments(cocreate_store::Subject::Idea(idea.id))
                .await?
                .first()
                .map(|c| c.id)
                .ok_or("no comment")?;
            fill(&driver, &format!("reply-{comment}"), "Yes, it floats.").await?;
            driver
                .find(By::Css(format!(
                    "#comment-{comment} form input[name='official']"
                )))
                .await?
                .click()
                .await?;
            let reply = driver
                .find(By::Css(format!(
                    "#comment-{comment} form[action='{path}/comments'] button"
                )))
                .await?;
            click_and_wait(&driver, reply).await?;
            let reply = driver
                .find(By::Css(".comment.depth-1.official"))
                .await?
                .text()
                .await?;
            ensure(
                reply.contains("Yes, it floats.") && reply.contains("Official answer"),
                format!("reply: {reply}"),
            )?;
            sign_out(&driver).await?;

            // Casey followed by commenting, so the answer is a notification (delivered by the
            // news job, run here as the background worker would).
            server.deliver_news().await;
            sign_in(&driver, &server, "casey@example.org").await?;
            let header = driver.find(By::Css("header.site")).await?.text().await?;
            ensure(
                header.contains("Notifications 1"),
                format!("header: {header}"),
            )?;
            let link = driver
                .find(By::Css("header a[href='/notifications']"))
                .await?;
            click_and_wait(&driver, link).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains(&format!(
                    "answered officially on {}",
                    quoted("Waterproof map case")
                )),
                format!("notifications: {text}"),
            )?;

            // A challenge has a discussion of its own, where an @handle reaches its person.
            let challenge = cocreate_app::ChallengeInput {
                title: "Quieter campsites",
                problem: "Nights are loud.",
                questions: "",
                tags: "",
                tiers: "",
                opens_at: "",
                closes_at: "",
            };
            let challenge = server
                .app
                .create_challenge(&actor, "ideas", &challenge)
                .await?;
            let challenge_path = format!("/challenges/{}", challenge.id);
            driver.goto(server.url(&challenge_path)).await?;
            let mention = format!("@{} could quiet hours help?", admin.handle);
            fill(&driver, "comment-body", &mention).await?;
            submit(&driver, &format!("{challenge_path}/comments")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("Your comment is posted.")
                    && text.contains(&mention)
                    && text.contains("Discussion (1)"),
                format!("after commenting on the challenge: {text}"),
            )?;
            sign_out(&driver).await?;
            sign_in(&driver, &server, "admin@example.org").await?;
            driver.goto(server.url("/notifications")).await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains(&format!("mentioned you on {}", quoted("Quieter campsites"))),
                format!("admin's notifications: {text}"),
            )?;
            Ok(())
        },
    )
    .await;
}

/// Known filter-evasion payloads (after OWASP's XSS filter evasion cheat sheet): each would open
/// a dialog or run script if it reached the page as markup.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](x\" onerror=\"alert(1))",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<svg><script>alert(1)</script></svg>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<object data=\"data:text/html,<script>alert(1)</script>\"></object>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "`\"'><img src=x onerror=alert(1)>",
    "<a href=\"&#106;avascript:alert(1)\">entity</a>",
    "<<script>script>alert(1)<</script>/script>",
];

/// Lists whatever on the page could run script: inline or foreign scripts, event-handler
/// attributes, script URLs, and frames, objects, bases and refreshes.
const DANGER_ON_PAGE: &str = r#"
const found = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (a.name.startsWith('on')) found.push(el.tagName + ' @' + a.name);
    if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(a.name)
        && /^\s*(javascript|vbscript|data:text\/html)/i.test(a.value)) {
      found.push(el.tagName + ' @' + a.name + '=' + a.value);
    }
  }
}
for (const s of document.querySelectorAll('script')) {
  if (!s.src || new URL(s.src).origin !== location.origin) found.push('script ' + s.outerHTML.slice(0, 80));
}
for (const e of document.querySelectorAll('iframe, object, embed, base, meta[http-equiv]')) {
  found.push(e.outerHTML.slice(0, 80));
}
return found;
"#;

/// `path?key=value`, the value percent-encoded.
fn with_query(path: &str, key: &str, value: &str) -> String {
    let mut url = reqwest::Url::parse("http://cocreate.invalid").unwrap();
    url.set_path(path);
    url.query_pairs_mut().append_pair(key, value);
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// Fails if the current page opened a dialog or holds anything that could run script.
async fn assert_no_script(driver: &WebDriver, page: &str) -> Outcome {
    // Handlers such as onerror fire after the load.
    tokio::time::sleep(Duration::from_millis(150)).await;
    if let Ok(text) = driver.get_alert_text().await {
        return Err(format!("{page} opened a dialog: {text}").into());
    }
    let danger = driver.execute(DANGER_ON_PAGE, Vec::new()).await?;
    let danger: Vec<String> = danger.convert()?;
    ensure(
        danger.is_empty(),
        format!("{page} holds script: {danger:?}"),
    )
}

/// Puts every payload through every field people type into (names, the organisation's name and
/// description, space and challenge texts, idea titles, bodies and tags, comments and their
/// edits, flag, stage, merge and moderation reasons, token and file names, search and list
/// queries), some through the browser's own forms, then opens every page that shows them: no
/// dialog may open and nothing that could run script may be on any page.
async fn hostile_text_never_runs_as_script(backend: Backend) {
    run(
        "hostile_text_never_runs_as_script",
        backend,
        |driver, server| async move {
            let app = &server.app;
            let make = |email: &'static str, name: &'static str, kind, role| {
                let app = app.clone();
                async move {
                    let input = AccountInput {
                        email,
                        name,
                        password: common::PASSWORD,
                    };
                    let account = app
                        .create_account_as_operator(&input, kind, role)
                        .await
                        .unwrap();
                    cocreate_app::Actor::from_account(&account, None)
                }
            };
            let admin = make(
                "admin@xss.example",
                HOSTILE[1],
                AccountKind::Employee,
                OrgRole::Admin,
            )
            .await;
            let customer = make(
                "customer@xss.example",
                HOSTILE[0],
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await;
            let all = HOSTILE.join("\n\n");
            app.create_space(
                &admin,
                &SpaceInput {
                    name: HOSTILE[2],
                    slug: "hostile",
                    description: &all,
                    audience: Audience::Public,
                },
            )
            .await?;
            let challenge = app
                .create_challenge(
                    &admin,
                    "hostile",
                    &cocreate_app::ChallengeInput {
                        title: HOSTILE[3],
                        problem: &all,
                        questions: &HOSTILE[..10].join("\n"),
                        tags: "",
                        tiers: "",
                        opens_at: "",
                        closes_at: "",
                    },
                )
                .await?;
            app.add_comment(
                &customer,
                cocreate_store::Subject::Challenge(challenge.id),
                None,
                &all,
                false,
            )
            .await?;
            let mut ideas = Vec::new();
            let mut comments = Vec::new();
            for (k, payload) in HOSTILE.iter().enumerate() {
                let mut input = cocreate_app::IdeaInput {
                    title: payload,
                    body: &all,
                    tags: payload,
                    challenge_id: (k % 2 == 0).then_some(challenge.id),
                    publish: true,
                };
                // Tags are words: a payload there is refused, which is also safe.
                let idea = match app.propose_idea(&admin, "hostile", &input).await {
                    Ok(idea) => idea,
                    Err(cocreate_app::AppError::Validation(v)) if v.field == "tags" => {
                        input.tags = "";
                        app.propose_idea(&admin, "hostile", &input).await?
                    }
                    Err(other) => return Err(other.into()),
                };
                let comment = app
                    .add_comment(
                        &customer,
                        cocreate_store::Subject::Idea(idea.id),
                        None,
                        payload,
                        false,
                    )
                    .await?;
                app.add_comment(
                    &admin,
                    cocreate_store::Subject::Idea(idea.id),
                    Some(comment.id),
                    &all,
                    true,
                )
                .await?;
                app.flag(&customer, ContentKind::Comment, comment.id, payload)
                    .await?;
                ideas.push(idea.id);
                comments.push(comment.id);
            }
            app.edit_idea(&admin, ideas[0], HOSTILE[4], &format!("{all}\n\nmore"), "")
                .await?;
            app.attach(
                &admin,
                ideas[0],
                "<img src=x onerror=alert(1)>.png",
                ONE_PIXEL_PNG.to_vec(),
            )
            .await?;
            // Texts shown beside the content: the organisation's name (on every page) and
            // description, a token's name, a flag on an idea, an edited comment, the public
            // rationale of a stage change and of a merge, and a moderator's reasons for hiding.
            // Names are one line each, so they get a few payloads in a row; the rest gets all.
            let short = HOSTILE[..3].concat();
            app.update_organisation(&admin, &short, &all, None).await?;
            app.create_api_token(&admin, &short).await?;
            app.flag(&customer, ContentKind::Idea, ideas[1], &all)
                .await?;
            app.edit_comment(&customer, comments[1], &all).await?;
            app.move_idea(&admin, ideas[1], Stage::Review, &all).await?;
            app.merge_idea(&admin, ideas[2], ideas[3], &all).await?;
            app.moderate(&admin, ContentKind::Idea, ideas[4], Resolution::Hide, &all)
                .await?;
            app.moderate(
                &admin,
                ContentKind::Comment,
                comments[5],
                Resolution::Hide,
                &all,
            )
            .await?;

            let mut pages = vec![
                "/".to_owned(),
                "/spaces".to_owned(),
                "/spaces/hostile".to_owned(),
                "/spaces/hostile?sort=newest".to_owned(),
                format!("/challenges/{}", challenge.id),
                format!("/ideas/{}/revisions", ideas[0]),
                "/search?q=alert".to_owned(),
                "/search?q=script+img".to_owned(),
                "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_owned(),
                "/notifications".to_owned(),
                "/moderation".to_owned(),
                "/admin/audit".to_owned(),
                "/admin/members".to_owned(),
                "/profile".to_owned(),
                "/admin/organisation".to_owned(),
            ];
            // Query text that pages show back.
            for payload in &HOSTILE[..4] {
                pages.push(with_query("/spaces/hostile", "tag", payload));
                pages.push(with_query("/search", "q", payload));
                pages.push(with_query("/search", "tag", payload));
                pages.push(with_query("/spaces/hostile/similar", "title", payload));
            }
            pages.extend(ideas.iter().map(|id| format!("/ideas/{id}")));
            sign_in(&driver, &server, "admin@xss.example").await?;
            for page in &pages {
                driver.goto(server.url(page)).await?;
                assert_no_script(&driver, page).await?;
            }
            // Through the forms too. Typing a title fills the similar-ideas box with the
            // server's HTML, the one place a script inserts markup; then the idea is proposed.
            driver.goto(server.url("/spaces/hostile")).await?;
            fill(&driver, "idea-title", "alert onerror").await?;
            let started = Instant::now();
            while driver
                .find_all(By::Css("#similar-ideas a"))
                .await?
                .is_empty()
            {
                ensure(
                    started.elapsed() < Duration::from_secs(10),
                    "no similar ideas shown",
                )?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert_no_script(&driver, "the similar ideas").await?;
            fill(&driver, "idea-title", HOSTILE[22]).await?;
            fill(&driver, "idea-body", &all).await?;
            submit(&driver, "/spaces/hostile/ideas").await?;
            let proposed = driver.current_url().await?;
            ensure(
                proposed.path().starts_with("/ideas/"),
                format!("proposed through the form: {proposed}"),
            )?;
            assert_no_script(&driver, proposed.path()).await?;
            ensure(
                page_text(&driver).await?.contains(HOSTILE[22]),
                "the proposed title is shown as text",
            )?;
            // The payloads were shown as text, not dropped: they went all the way through.
            driver
                .goto(server.url(&format!("/ideas/{}", ideas[0])))
                .await?;
            let text = page_text(&driver).await?;
            ensure(
                text.contains("<script>alert(1)</script>"),
                "payloads are shown as text",
            )?;
            Ok(())
        },
    )
    .await;
}

/// Measures the page with every disclosure open: its width and the viewport's, and when the page
/// is wider, the first elements that stick out.
const OVERFLOW_ON_PAGE: &str = r#"
document.querySelectorAll('details').forEach(d => { d.open = true; });
const width = document.documentElement.scrollWidth;
const viewport = window.innerWidth;
const wide = width <= viewport ? [] : [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > viewport + 1)
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
return [width, viewport, wide.join(' ')];
"#;

/// The axe-core version `.ci/run` installs into `target/axe` for the accessibility checks.
const AXE_JS: &str = "target/axe/node_modules/axe-core/axe.min.js";

/// Runs axe-core (injected beforehand) on the page; answers its serious and critical violations,
/// each with the first places it found them.
const AXE_ON_PAGE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then(result => done(result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
  .catch(error => done(['axe could not run: ' + error]));
"#;

/// axe-core's script, from `COCREATE_AXE_JS` or where `.ci/run` installs it; without it the
/// accessibility checks skip (and fail in CI).
fn axe_script() -> Option<String> {
    let path = std::env::var_os("COCREATE_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(AXE_JS)
        });
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(error) => {
            cocreate_testkit::skip(
                cocreate_testkit::Suite::Browser,
                &format!(
                    "axe-core is missing at {} ({error}): npm install --prefix target/axe axe-core@4.14.1",
                    path.display()
                ),
            );
            None
        }
    }
}

/// Every kind of page, signed out and signed in as an admin who sees every form, on a phone-sized
/// window (390 px), with every disclosure open and long words in titles, names and comments:
/// nothing makes the page scroll sideways, and axe-core finds nothing serious or critical.
async fn every_page_fits_a_phone_and_passes_axe(backend: Backend) {
    let Some(axe) = axe_script() else {
        return;
    };
    run("every_page_fits_a_phone_and_passes_axe", backend, |driver, server| async move {
        let admin = admin_actor(&server).await?;
        let app = &server.app;
        let long = "Ultralightweightwaterproofexpeditionbackpackframe";
        app.create_space(
            &admin,
            &SpaceInput {
                name: "Product ideas",
                slug: "ideas",
                description: long,
                audience: Audience::Public,
            },
        )
        .await?;
        let challenge = app
            .create_challenge(
                &admin,
                "ideas",
                &cocreate_app::ChallengeInput {
                    title: &format!("Lighter packs {long}"),
                    problem: &format!("Why: {long}\n\n| a | b | c |\n|---|---|---|\n| {long} | {long} | {long} |"),
                    questions: "What would you leave behind?",
                    tags: "packs, weight",
                    tiers: "2/30, 5/60",
                    opens_at: "",
                    closes_at: "2099-12-31",
                },
            )
            .await?;
        let idea = app
            .propose_idea(
                &admin,
                "ideas",
                &cocreate_app::IdeaInput {
                    title: &format!("A {long}"),
                    body: &format!("Body with `{long}{long}` and a [link](https://example.org/{long}{long})."),
                    tags: "packs",
                    challenge_id: Some(challenge.id),
                    publish: true,
                },
            )
            .await?;
        app.edit_idea(&admin, idea.id, &format!("A {long}"), &format!("Edited {long}\nsecond line"), "packs")
            .await?;
        app.attach(&admin, idea.id, &format!("{long}{long}.png"), ONE_PIXEL_PNG.to_vec())
            .await?;
        let comment = app
            .add_comment(
                &admin,
                cocreate_store::Subject::Idea(idea.id),
                None,
                &format!("{long}{long} @admin"),
                true,
            )
            .await?;
        app.flag(&admin, ContentKind::Comment, comment.id, long).await?;
        app.create_api_token(&admin, long).await?;
        let statement = app
            .add_statement(&admin, challenge.id, &format!("Statement {long}{long}"))
            .await?;
        app.vote_on_statement(&admin, statement.id, Opinion::Agree).await?;
        // Three ideas to compare, one pair answered: the pair page shows a pair, the ranking ranks.
        let mut compared = vec![idea.id];
        for n in 2..4 {
            let other = app
                .propose_idea(
                    &admin,
                    "ideas",
                    &cocreate_app::IdeaInput {
                        title: &format!("Idea {n} {long}"),
                        body: &format!("{long} {long} {long} {long} {long} {long}"),
                        tags: "",
                        challenge_id: Some(challenge.id),
                        publish: true,
                    },
                )
                .await?;
            compared.push(other.id);
        }
        app.answer_pair(&admin, challenge.id, compared[0], compared[1], PairPick::First)
            .await?;
        // The same idea twice, for the queue of possible duplicates and the pair side by side.
        for _ in 0..2 {
            let twice = cocreate_app::IdeaInput {
                title: &format!("Spare poles {long}"),
                body: &format!("Carry spare poles {long}{long} in the lid."),
                tags: "",
                challenge_id: None,
                publish: true,
            };
            app.propose_idea(&admin, "ideas", &twice).await?;
        }
        let duplicate = first_duplicate(&server, &admin, "ideas").await?;
        // Enough texts with words in common for themes, and a theme page to open.
        for n in 0..8 {
            let alike = cocreate_app::IdeaInput {
                title: &format!("Tent poles {n} {long}"),
                body: &format!("Lighter tent poles and pegs for the tent bag {long}"),
                tags: "",
                challenge_id: None,
                publish: true,
            };
            app.propose_idea(&admin, "ideas", &alike).await?;
        }
        let ideas_space = app.store().space_by_slug("ideas").await?.ok_or("no space")?;
        app.refresh_themes(ideas_space.id).await?;
        let theme = app
            .store()
            .themes_of_space(ideas_space.id)
            .await?
            .first()
            .map(|theme| theme.id)
            .ok_or("no theme found")?;
        let product = app
            .create_product(
                &admin,
                "ideas",
                &cocreate_app::ProductInput {
                    name: &format!("Pack {long}"),
                    slug: "pack",
                    description: &format!("{long} {long}"),
                    status: cocreate_core::ProductStatus::Available,
                },
            )
            .await?;
        app.set_idea_product(&admin, idea.id, &product.slug).await?;
        let feedback = app
            .send_feedback(
                None,
                "pack",
                &cocreate_app::FeedbackInput {
                    body: &format!("{long}{long} is too heavy"),
                    rating: Some(2),
                    author_email: Some("robin@example.net"),
                    ..cocreate_app::FeedbackInput::default()
                },
                cocreate_core::FeedbackChannel::Web,
            )
            .await?;
        let cocreate_store::FeedbackAuthor::Contact { id: robin, .. } = feedback.author else {
            return Err("the feedback's author should be a contact".into());
        };
        app.link_feedback(&admin, &[feedback.id], idea.id).await?;
        app.answer_feedback(&admin, feedback.id, &format!("{long}{long}\nsecond line"))
            .await?;
        let conversation = import_brexit(&server, "ideas").await?;
        for statement in app.store().statements(conversation, false).await? {
            app.vote_on_statement(&admin, statement.id, Opinion::Pass).await?;
        }

        let public = [
            "/".to_owned(),
            "/spaces".to_owned(),
            "/spaces/ideas".to_owned(),
            format!("/challenges/{}", challenge.id),
            format!("/ideas/{}", idea.id),
            format!("/ideas/{}/revisions", idea.id),
            format!("/challenges/{}/opinions", challenge.id),
            format!("/challenges/{}/opinion-groups", challenge.id),
            format!("/challenges/{conversation}/opinions"),
            format!("/challenges/{conversation}/opinion-groups"),
            format!("/challenges/{}/pairwise", challenge.id),
            format!("/challenges/{}/ranking", challenge.id),
            "/people/admin".to_owned(),
            "/spaces/ideas/products".to_owned(),
            "/products/pack".to_owned(),
            "/search?q=lighter".to_owned(),
            "/signin".to_owned(),
            "/signup".to_owned(),
            "/reset".to_owned(),
            "/no-such-page".to_owned(),
        ];
        let signed_in = [
            "/notifications".to_owned(),
            "/moderation".to_owned(),
            "/profile".to_owned(),
            "/admin/organisation".to_owned(),
            "/admin/members".to_owned(),
            "/admin/invitations".to_owned(),
            "/admin/audit".to_owned(),
            "/admin/outbox".to_owned(),
            format!("/comments/{}/delete", comment.id),
            "/spaces/ideas/duplicates".to_owned(),
            format!("/duplicates/{duplicate}"),
            "/spaces/ideas/dashboard".to_owned(),
            "/spaces/ideas/themes".to_owned(),
            format!("/themes/{theme}"),
            format!("/challenges/{}/dashboard", challenge.id),
            format!("/challenges/{conversation}/dashboard"),
            "/feedback".to_owned(),
            format!("/feedback/{}", feedback.id),
            "/my/feedback".to_owned(),
            "/feedback/import".to_owned(),
            "/timeline".to_owned(),
            "/customers".to_owned(),
            format!("/customers/accounts/{}", admin.id),
            format!("/customers/contacts/{robin}"),
            format!("/customers/contacts/{robin}/erase"),
            format!("/admin/members/{}/erase", admin.id),
        ];
        driver.set_window_rect(0, 0, 390, 844).await?;
        // The check can fail: an image without a text alternative is critical to axe.
        driver
            .goto("data:text/html,<!doctype html><html lang=en><title>t</title><main><img src=x.png></main></html>")
            .await?;
        driver.execute(&axe, Vec::new()).await?;
        let found: Vec<String> = driver.execute_async(AXE_ON_PAGE, Vec::new()).await?.convert()?;
        ensure(
            found.iter().any(|violation| violation.starts_with("image-alt")),
            format!("axe-core did not see a missing alt text: {found:?}"),
        )?;
        let mut too_wide = Vec::new();
        let mut inaccessible = Vec::new();
        let mut measure = async |page: &str| -> Outcome {
            driver.goto(server.url(page)).await?;
            let measured = driver.execute(OVERFLOW_ON_PAGE, Vec::new()).await?;
            let (width, viewport, wide): (i64, i64, String) = measured.convert()?;
            ensure(viewport <= 400, format!("the window is {viewport} px wide"))?;
            if width > viewport {
                too_wide.push(format!("{page}: {width} px in {viewport} ({wide})"));
            }
            driver.execute(&axe, Vec::new()).await?;
            let found: Vec<String> = driver.execute_async(AXE_ON_PAGE, Vec::new()).await?.convert()?;
            inaccessible.extend(found.into_iter().map(|violation| format!("{page}: {violation}")));
            Ok(())
        };
        for page in &public {
            measure(page).await?;
        }
        sign_in(&driver, &server, "admin@example.org").await?;
        for page in public.iter().chain(&signed_in) {
            measure(page).await?;
        }
        ensure(too_wide.is_empty(), format!("pages scroll sideways: {too_wide:#?}"))?;
        ensure(
            inaccessible.is_empty(),
            format!("axe-core finds serious problems: {inaccessible:#?}"),
        )
    })
    .await;
}
