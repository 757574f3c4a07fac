//! The `cocreate` binary as an operator uses it: help, configuration errors, account commands,
//! the demo, and a clean stop on SIGTERM — on SQLite and, when configured, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cocreate(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cocreate"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("COCREATE_DATABASE_URL")
        .env("COCREATE_DATA_DIR", data_dir)
        .env("COCREATE_CONFIG", data_dir.join("cocreate.toml"))
        .env("COCREATE_LOG", "warn");
    command
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `cocreate <args>` serving on a free port and waits until `/healthz` answers.
fn start(mut command: Command, args: &[&str]) -> (Child, String, Vec<String>) {
    let port = free_port();
    let mut child = command
        .args(args)
        .env("COCREATE_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let started = Instant::now();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || started.elapsed() > Duration::from_secs(60)
        {
            panic!("cocreate did not start: {lines:?}");
        }
        lines.push(line.trim_end().to_owned());
        if line.contains("Cocreate is running") {
            break;
        }
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    (child, format!("http://127.0.0.1:{port}"), lines)
}

fn get(url: &str) -> (u16, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let response = reqwest::get(url).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    })
}

/// The status of signing in through the form (303 when the password is right).
fn sign_in(base: &str, email: &str, password: &str) -> u16 {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{base}/signin"))
            .header("origin", base)
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "cocreate did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn help_lists_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let output = cocreate(dir.path()).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = text(&output);
    for command in [
        "serve", "migrate", "demo", "generate", "admin", "backup", "restore", "export", "import",
        "feedback",
    ] {
        assert!(help.contains(command), "{help}");
    }
    let admin = text(
        &cocreate(dir.path())
            .args(["admin", "--help"])
            .output()
            .unwrap(),
    );
    assert!(
        admin.contains("create-user") && admin.contains("set-role"),
        "{admin}"
    );
    let create = text(
        &cocreate(dir.path())
            .args(["admin", "create-user", "--help"])
            .output()
            .unwrap(),
    );
    assert!(
        create.contains("--email") && create.contains("--role"),
        "{create}"
    );
}

#[test]
fn unknown_database_schemes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = cocreate(dir.path())
        .env("COCREATE_DATABASE_URL", "mysql://localhost/cocreate")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        text(&output).contains("unsupported database URL scheme \"mysql\""),
        "{}",
        text(&output)
    );
    assert!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .all(|e| e.unwrap().file_name() != "cocreate.db"),
        "no file was created"
    );
    let bad_config = dir.path().join("cocreate.toml");
    std::fs::write(&bad_config, "bind = \"not an address\"\n").unwrap();
    let output = cocreate(dir.path()).arg("migrate").output().unwrap();
    assert!(!output.status.success());
    assert!(
        text(&output).contains("invalid configuration"),
        "{}",
        text(&output)
    );
}

fn account_commands(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let with_db = || {
        let mut command = cocreate(dir.path());
        if let Some(url) = &database_url {
            command.env("COCREATE_DATABASE_URL", url);
        }
        command
    };
    let migrated = with_db().arg("migrate").output().unwrap();
    assert!(migrated.status.success(), "{}", text(&migrated));
    let created = with_db()
        .args([
            "admin",
            "create-user",
            "--email",
            "Boss@Example.org",
            "--name",
            "The Boss",
            "--kind",
            "employee",
            "--role",
            "admin",
        ])
        .env("COCREATE_NEW_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", text(&created));
    assert!(
        text(&created).contains("created boss@example.org (employee admin)"),
        "{}",
        text(&created)
    );
    let duplicate = with_db()
        .args([
            "admin",
            "create-user",
            "--email",
            "boss@example.org",
            "--name",
            "Again",
            "--password",
            "a long enough password",
        ])
        .output()
        .unwrap();
    assert!(!duplicate.status.success());
    assert!(
        text(&duplicate).contains("already exists"),
        "{}",
        text(&duplicate)
    );
    let weak = with_db()
        .args([
            "admin",
            "create-user",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--password",
            "short",
        ])
        .output()
        .unwrap();
    assert!(
        !weak.status.success() && text(&weak).contains("at least 10"),
        "{}",
        text(&weak)
    );
    let last_admin = with_db()
        .args([
            "admin",
            "set-role",
            "--email",
            "boss@example.org",
            "--role",
            "member",
        ])
        .output()
        .unwrap();
    assert!(
        !last_admin.status.success() && text(&last_admin).contains("last admin"),
        "{}",
        text(&last_admin)
    );
    let bad_role = with_db()
        .args([
            "admin",
            "set-role",
            "--email",
            "boss@example.org",
            "--role",
            "owner",
        ])
        .output()
        .unwrap();
    assert!(
        !bad_role.status.success() && text(&bad_role).contains("must be one of"),
        "{}",
        text(&bad_role)
    );
    let unknown = with_db()
        .args([
            "admin",
            "set-role",
            "--email",
            "ghost@example.org",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(
        !unknown.status.success() && text(&unknown).contains("not found"),
        "{}",
        text(&unknown)
    );

    // The account works in the running server, and the server stops cleanly on SIGTERM.
    let (mut child, base, _) = start(with_db(), &["serve"]);
    let (status, ready) = get(&format!("{base}/readyz"));
    assert_eq!(status, 200);
    assert!(ready.starts_with("ready\nsearch: "), "{ready}");
    assert_eq!(
        sign_in(&base, "boss@example.org", "a long enough password"),
        303,
        "the account made on the command line signs in"
    );
    assert_eq!(sign_in(&base, "boss@example.org", "not the password"), 401);
    let status = terminate(&mut child);
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn account_commands_on_sqlite() {
    account_commands(None);
}

#[test]
fn account_commands_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = runtime.block_on(cocreate_testkit::fresh_postgres_url()) else {
        return;
    };
    account_commands(Some(url));
}

/// Runs the demo twice in a new data directory, which it returns.
fn demo(database_url: Option<String>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut command = cocreate(dir.path());
    if let Some(url) = &database_url {
        command.env("COCREATE_DATABASE_URL", url);
    }
    let (mut child, base, lines) = start(command, &["demo"]);
    let printed = lines.join("\n");
    assert!(
        printed.contains("customer@demo.cocreate.example") && printed.contains("cocreate-demo"),
        "{printed}"
    );
    let (status, home) = get(&format!("{base}/"));
    assert_eq!(status, 200);
    assert!(home.contains("Northwind Outdoor Co.") && home.contains("Product ideas"));
    assert!(
        !home.contains("Staff workshop"),
        "internal spaces are not shown to visitors"
    );
    assert!(terminate(&mut child).success());
    // A second run keeps the data and does not seed twice.
    let mut again = cocreate(dir.path());
    if let Some(url) = &database_url {
        again.env("COCREATE_DATABASE_URL", url);
    }
    let (mut child, base, lines) = start(again, &["demo"]);
    assert!(lines.join("\n").contains("already has accounts"));
    let (_, spaces) = get(&format!("{base}/api/v1/spaces"));
    assert_eq!(spaces.matches("\"slug\"").count(), 1, "{spaces}");
    assert!(terminate(&mut child).success());
    dir
}

#[test]
fn demo_on_sqlite() {
    let dir = demo(None);
    // The SQLite database and the generated key live in the data directory.
    assert!(dir.path().join("cocreate.db").is_file());
    assert!(dir.path().join("secret.key").is_file());
    feedback_imports_from_files(dir.path(), None);
}

/// `cocreate feedback import` and `import-mail` into the demo's products: a CSV checked with a
/// dry run, imported, and imported again; a mapping naming a missing column; and an mbox holding
/// a customer's message and a bounce.
fn feedback_imports_from_files(dir: &std::path::Path, database_url: Option<&str>) {
    let run = |args: &[&str]| {
        let mut command = cocreate(dir);
        if let Some(url) = database_url {
            command.env("COCREATE_DATABASE_URL", url);
        }
        let output = command.arg("feedback").args(args).output().unwrap();
        (output.status.success(), text(&output))
    };
    let survey = dir.join("survey.csv");
    std::fs::write(
        &survey,
        "text;email;product;rating\nToo warm for summer.;pat@example.org;trailhead-2-tent;3\n\
         No product.;pat@example.org;kayak;2\n",
    )
    .unwrap();
    let survey = survey.to_str().unwrap();
    let (ok, printed) = run(&["import", survey, "--delimiter", ";", "--dry-run"]);
    assert!(
        ok && printed.contains("would import 1 of 2 rows")
            && printed.contains("line 3: product \"kayak\" is not one you may import into")
            && printed.contains("dry run: nothing was written"),
        "{printed}"
    );
    let (ok, printed) = run(&["import", survey, "--delimiter", ";"]);
    assert!(ok && printed.contains("imported 1 of 2 rows"), "{printed}");
    let (ok, printed) = run(&["import", survey, "--delimiter", ";"]);
    assert!(
        ok && printed.contains("imported 0 of 2 rows") && printed.contains("1 already imported"),
        "{printed}"
    );
    let (ok, printed) = run(&[
        "import",
        survey,
        "--delimiter",
        ";",
        "--map",
        "text=Comment",
    ]);
    assert!(
        !ok && printed.contains("lack \"Comment\"") && printed.contains("nothing was imported"),
        "{printed}"
    );
    let mailbox = dir.join("feedback.mbox");
    std::fs::write(
        &mailbox,
        "From pat@example.org Mon Dec  7 08:00:00 2026\n\
         From: Pat <pat@example.org>\nTo: feedback+whisper-stove@example.org\n\
         Subject: Stove\nMessage-ID: <stove-1@example.org>\n\n\
         The igniter clicks but never lights below freezing.\n\n\
         From MAILER-DAEMON Mon Dec  7 08:05:00 2026\n\
         From: MAILER-DAEMON@example.org\nTo: feedback@example.org\nSubject: Undelivered\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n\
         --r\nContent-Type: text/plain\n\nDelivery failed.\n--r--\n",
    )
    .unwrap();
    let (ok, printed) = run(&["import-mail", mailbox.to_str().unwrap()]);
    assert!(
        ok && printed.contains("imported 1 of 2 messages") && printed.contains("1 ignored"),
        "{printed}"
    );
}

#[test]
fn demo_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = runtime.block_on(cocreate_testkit::fresh_postgres_url()) else {
        return;
    };
    let dir = demo(Some(url.clone()));
    // The key is generated into the data directory; the data is in PostgreSQL, not a file.
    assert!(dir.path().join("secret.key").is_file());
    assert!(!dir.path().join("cocreate.db").exists());
    feedback_imports_from_files(dir.path(), Some(&url));
}

#[test]
fn generate_fills_the_database_and_checks_its_counters() {
    let dir = tempfile::tempdir().unwrap();
    let output = cocreate(dir.path())
        .args(["generate", "--ideas", "60", "--accounts", "40"])
        .output()
        .unwrap();
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.contains(
            "generated 40 accounts, 60 ideas, 600 supports, 180 comments, 15 products and 120 pieces of feedback"
        )
            && printed.contains("counters checked exact"),
        "{printed}"
    );
    let refused = cocreate(dir.path())
        .args(["generate", "--ideas", "0"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(text(&refused).contains("ideas"), "{}", text(&refused));
}

fn create_user(dir: &std::path::Path, email: &str) -> Output {
    cocreate(dir)
        .args([
            "admin",
            "create-user",
            "--email",
            email,
            "--name",
            "Someone",
        ])
        .env("COCREATE_NEW_PASSWORD", "a long enough password")
        .output()
        .unwrap()
}

fn account_exists(dir: &std::path::Path, email: &str) -> bool {
    let output = cocreate(dir)
        .args(["admin", "set-role", "--email", email, "--role", "admin"])
        .output()
        .unwrap();
    assert!(
        output.status.success() || text(&output).contains("not found"),
        "{}",
        text(&output)
    );
    output.status.success()
}

#[test]
fn sqlite_backup_while_serving_and_restore_when_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    assert!(
        create_user(dir.path(), "before@example.org")
            .status
            .success()
    );
    let (mut server, base, _) = start(cocreate(dir.path()), &["serve"]);

    // Backed up while the server runs; a second server on the same file is refused.
    let backed_up = cocreate(dir.path())
        .args(["backup", "--to"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(backed_up.status.success(), "{}", text(&backed_up));
    assert!(
        text(&backed_up).contains("backed up"),
        "{}",
        text(&backed_up)
    );
    let again = cocreate(dir.path())
        .args(["backup", "--to"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        !again.status.success() && text(&again).contains("exists already"),
        "{}",
        text(&again)
    );
    let second = cocreate(dir.path()).arg("serve").output().unwrap();
    assert!(
        !second.status.success() && text(&second).contains("Cocreate is running on"),
        "{}",
        text(&second)
    );
    assert!(
        create_user(dir.path(), "after@example.org")
            .status
            .success()
    );

    // Not while it runs.
    let refused = cocreate(dir.path())
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        !refused.status.success() && text(&refused).contains("stop it first"),
        "{}",
        text(&refused)
    );
    assert_eq!(get(&format!("{base}/readyz")).0, 200);
    assert!(terminate(&mut server).success());

    // A file that is not a Cocreate database changes nothing.
    let stranger = dir.path().join("stranger.db");
    std::fs::write(&stranger, b"not a database at all").unwrap();
    let bad = cocreate(dir.path())
        .args(["restore", "--from"])
        .arg(&stranger)
        .output()
        .unwrap();
    assert!(
        !bad.status.success() && text(&bad).contains("not a Cocreate database"),
        "{}",
        text(&bad)
    );
    assert!(account_exists(dir.path(), "after@example.org"));

    let restored = cocreate(dir.path())
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", text(&restored));
    assert!(account_exists(dir.path(), "before@example.org"));
    assert!(!account_exists(dir.path(), "after@example.org"));
    assert!(dir.path().join("cocreate.db.before-restore").exists());
    let (mut server, base, _) = start(cocreate(dir.path()), &["serve"]);
    assert_eq!(get(&format!("{base}/readyz")).0, 200);
    assert!(terminate(&mut server).success());
}

#[test]
fn backup_of_postgres_points_at_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let output = cocreate(dir.path())
        .env(
            "COCREATE_DATABASE_URL",
            "postgres://nobody@127.0.0.1:1/none",
        )
        .args(["backup", "--to", "x.db"])
        .output()
        .unwrap();
    assert!(
        !output.status.success() && text(&output).contains("pg_dump"),
        "{}",
        text(&output)
    );
}

/// With debug logging on, a session, an API token, a password reset and new passwords leave no
/// secret in the log: request spans name the route's pattern, never the path.
#[test]
fn debug_logs_hold_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let old_password = "the first long password";
    let new_password = "the second long password";
    let created = cocreate(dir.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "op@example.org",
            "--name",
            "Op",
        ])
        .env("COCREATE_NEW_PASSWORD", old_password)
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", text(&created));
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = cocreate(dir.path())
        .arg("serve")
        .env("COCREATE_BIND", format!("127.0.0.1:{port}"))
        .env("COCREATE_LOG", "debug")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let secrets = runtime.block_on(async {
        let started = Instant::now();
        while reqwest::get(format!("{base}/healthz")).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(60), "did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let browser = browser_client();
        let signed_in = browser
            .post(format!("{base}/signin"))
            .form(&[("email", "op@example.org"), ("password", old_password)])
            .send()
            .await
            .unwrap();
        let cookie = signed_in
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_owned();
        let api_token = token_from_profile(&browser, &base, "logs").await;
        browser
            .post(format!("{base}/reset"))
            .form(&[("email", "op@example.org")])
            .send()
            .await
            .unwrap();
        let reset_token = token_in_outbox(&browser, &base, &api_token, "/reset/").await;
        let reset_page = browser
            .get(format!("{base}/reset/{reset_token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(reset_page.status(), 200);
        // Reset the password, sign in with the new one, ask to move to a new address.
        for (path, fields) in [
            (
                format!("/reset/{reset_token}"),
                vec![("password", new_password)],
            ),
            (
                "/signin".to_owned(),
                vec![("email", "op@example.org"), ("password", new_password)],
            ),
            (
                "/profile/email".to_owned(),
                vec![("email", "op@new.example.org"), ("password", new_password)],
            ),
        ] {
            let status = form_status(&browser, format!("{base}{path}"), &fields).await;
            assert!(status.is_redirection(), "{path}: {status}");
        }
        let change_token =
            token_in_outbox(&browser, &base, &api_token, "/email/confirm/").await;
        let confirmed =
            form_status(&browser, format!("{base}/email/confirm/{change_token}"), &[]).await;
        assert_eq!(confirmed, 200);
        let invited = browser
            .post(format!("{base}/api/v1/invitations"))
            .bearer_auth(&api_token)
            .json(&serde_json::json!({"email": "new@example.org", "kind": "employee", "role": "member"}))
            .send()
            .await
            .unwrap();
        assert_eq!(invited.status(), 201);
        let invitation_token =
            token_in_outbox(&browser, &base, &api_token, "/invitations/").await;
        let accepted = form_status(
            &browser_client(),
            format!("{base}/invitations/{invitation_token}"),
            &[("name", "Newcomer"), ("password", new_password)],
        )
        .await;
        assert!(accepted.is_redirection(), "{accepted}");
        [cookie, api_token, reset_token, change_token, invitation_token]
    });
    assert!(terminate(&mut server).success());

    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logged.contains("route=\"/reset/{token}\""),
        "requests are logged with their route: {logged}"
    );
    let key = std::fs::read_to_string(dir.path().join("secret.key")).unwrap();
    for secret in secrets
        .iter()
        .map(String::as_str)
        .chain([old_password, new_password, key.trim()])
    {
        assert!(secret.len() >= 20, "{secret:?} is a real secret");
        assert!(!logged.contains(secret), "the log holds a secret: {secret}");
    }
}

async fn form_status(
    client: &reqwest::Client,
    url: String,
    fields: &[(&str, &str)],
) -> reqwest::StatusCode {
    client.post(url).form(fields).send().await.unwrap().status()
}

/// The token of the newest one-time link under `prefix` in the outbox. No SMTP is configured:
/// once the worker has passed, mail is kept in the outbox with its link, for the admin to relay.
async fn token_in_outbox(
    client: &reqwest::Client,
    base: &str,
    api_token: &str,
    prefix: &str,
) -> String {
    let started = Instant::now();
    loop {
        let outbox = client
            .get(format!("{base}/api/v1/outbox"))
            .bearer_auth(api_token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if let Some(at) = outbox.find(prefix) {
            let token: String = outbox[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !token.is_empty() {
                return token;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{outbox}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A client that keeps cookies and shows redirects instead of following them, as a browser's
/// session is seen by the server.
fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Creates an API token through the profile form of a signed-in client; returns its secret.
async fn token_from_profile(client: &reqwest::Client, base: &str, name: &str) -> String {
    let page = client
        .post(format!("{base}/profile/tokens"))
        .form(&[("name", name)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("id=\"new-token\">").expect("token shown") + "id=\"new-token\">".len();
    page[start..start + page[start..].find('<').unwrap()].to_owned()
}

/// One of the demo's pictures, as the binary embeds it.
fn demo_asset(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(name),
    )
    .unwrap()
}

fn export_to(mut command: Command, to: &std::path::Path) -> Vec<u8> {
    let output = command.arg("export").arg("--to").arg(to).output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
    std::fs::read(to).unwrap()
}

fn import_from(mut command: Command, from: &std::path::Path) -> Output {
    command
        .arg("import")
        .arg("--from")
        .arg(from)
        .output()
        .unwrap()
}

/// The demo organisation, with what only visitors make (a session, an API token, a reset link,
/// an idempotent request), moves from SQLite to PostgreSQL and on to a second SQLite: every
/// table and file comes through, each re-export is byte-for-byte the same, and the moved
/// organisation serves, keeps its API token working and takes new writes.
#[test]
fn export_and_import_move_an_organisation_between_backends() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(postgres) = runtime.block_on(cocreate_testkit::fresh_postgres_url()) else {
        return;
    };
    let source = tempfile::tempdir().unwrap();
    let (mut demo, base, _) = start(cocreate(source.path()), &["demo"]);
    let token = runtime.block_on(async {
        let client = browser_client();
        let signed_in = client
            .post(format!("{base}/signin"))
            .form(&[
                ("email", "customer@demo.cocreate.example"),
                ("password", "cocreate-demo"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 303);
        let token = token_from_profile(&client, &base, "move test").await;
        let reset = client
            .post(format!("{base}/reset"))
            .form(&[("email", "partner@demo.cocreate.example")])
            .send()
            .await
            .unwrap();
        assert!(reset.status().is_success() || reset.status() == 303);
        let created = client
            .post(format!("{base}/api/v1/spaces/product-ideas/ideas"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "move-test-1")
            .json(&serde_json::json!({"title": "Mesh pockets that dry fast", "body": "So wet socks dry on the way."}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        // The duplicate finder fills once the search index has caught up, after the server
        // started: wait for the demo's pair, so the export holds it however loaded the machine.
        let staff = browser_client();
        let signed_in = staff
            .post(format!("{base}/signin"))
            .form(&[
                ("email", "admin@demo.cocreate.example"),
                ("password", "cocreate-demo"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 303);
        let started = std::time::Instant::now();
        loop {
            let queue: serde_json::Value = staff
                .get(format!("{base}/api/v1/spaces/product-ideas/duplicates"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if !queue["pairs"].as_array().unwrap().is_empty() {
                break;
            }
            assert!(started.elapsed().as_secs() < 60, "no duplicate pair: {queue}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        token
    });
    assert!(terminate(&mut demo).success());

    let exported = source.path().join("export.json");
    let first = export_to(cocreate(source.path()), &exported);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exported).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the export holds hashes: owner only");
    }
    let document: serde_json::Value = serde_json::from_slice(&first).unwrap();
    // News waiting for delivery is gone once delivered, as the demo's is by now; the
    // conformance suite moves a waiting event between backends.
    let transient = ["fanouts"];
    for table in document["tables"].as_array().unwrap() {
        if transient.contains(&table["name"].as_str().unwrap()) {
            continue;
        }
        assert!(
            !table["rows"].as_array().unwrap().is_empty(),
            "the demo and the visit leave rows in every table: {} has none",
            table["name"]
        );
    }
    assert_eq!(
        document["files"].as_array().unwrap().len(),
        2,
        "cover and attachment"
    );

    // Into PostgreSQL, with the same secret key so sessions and API tokens carry over.
    let target = tempfile::tempdir().unwrap();
    std::fs::copy(
        source.path().join("secret.key"),
        target.path().join("secret.key"),
    )
    .unwrap();
    let on_postgres = || {
        let mut command = cocreate(target.path());
        command.env("COCREATE_DATABASE_URL", &postgres);
        command
    };
    let imported = import_from(on_postgres(), &exported);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("into postgres"),
        "{}",
        text(&imported)
    );
    let again = target.path().join("export.json");
    assert!(
        export_to(on_postgres(), &again) == first,
        "the PostgreSQL re-export must equal the SQLite export byte for byte"
    );
    // A second import into the now filled database is refused and changes nothing.
    let refused = import_from(on_postgres(), &exported);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("already holds accounts")
            && text(&refused).contains("nothing was imported"),
        "{}",
        text(&refused)
    );

    // And back into a new SQLite database: a broken export first, which leaves nothing behind.
    let back = tempfile::tempdir().unwrap();
    let broken = back.path().join("broken.json");
    let text_of_first = String::from_utf8(first.clone()).unwrap();
    std::fs::write(
        &broken,
        text_of_first.replacen("\"Casey Customer\"", "42", 1),
    )
    .unwrap();
    let refused = import_from(cocreate(back.path()), &broken);
    assert!(
        text(&refused).contains("accounts row 4, column name: expected text or null"),
        "{}",
        text(&refused)
    );
    let imported = import_from(cocreate(back.path()), &again);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(export_to(cocreate(back.path()), &back.path().join("export.json")) == first);

    // The moved organisation serves: pages, logo, cover, the old API token, and new ids.
    let mut command = on_postgres();
    command.env("COCREATE_LOG", "warn");
    let (mut server, base, _) = start(command, &["serve"]);
    let (status, home) = get(&format!("{base}/"));
    assert_eq!(status, 200);
    assert!(home.contains("Northwind Outdoor Co."), "{home}");
    runtime.block_on(async {
        let logo = reqwest::get(format!("{base}/logo")).await.unwrap();
        assert_eq!(logo.bytes().await.unwrap(), demo_asset("demo-logo.png"));
        let cover = reqwest::get(format!("{base}/challenges/1/cover")).await.unwrap();
        assert_eq!(cover.status(), 200);
        assert_eq!(cover.bytes().await.unwrap(), demo_asset("demo-cover.png"));
        let client = reqwest::Client::new();
        let me: serde_json::Value = client
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], "customer@demo.cocreate.example");
        let created = client
            .post(format!("{base}/api/v1/spaces/product-ideas/ideas"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": "Reflective zip pulls", "body": "Find the door at night."}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201, "new rows take ids after the imported ones");
        let idea: serde_json::Value = created.json().await.unwrap();
        let largest = document["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "ideas")
            .unwrap()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[0].as_i64().unwrap())
            .max()
            .unwrap();
        assert!(idea["id"].as_i64().unwrap() > largest, "{idea}");
    });
    assert!(terminate(&mut server).success());
}

/// `cocreate import polis DIR` makes a challenge of a Polis export and prints its id; run again,
/// it names the same challenge and adds no vote; without a folder or a source it says what to
/// give. The served challenge shows the statements and the opinion groups.
#[test]
fn a_polis_export_imports_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let (mut demo, _, _) = start(cocreate(data.path()), &["demo"]);
    assert!(terminate(&mut demo).success());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/polis/brexit-consensus");
    let import = |space: &str| {
        cocreate(data.path())
            .args(["import", "polis"])
            .arg(&dir)
            .args(["--space", space])
            .output()
            .unwrap()
    };
    let first = import("product-ideas");
    assert!(first.status.success(), "{}", text(&first));
    let id: i64 = String::from_utf8_lossy(&first.stdout)
        .trim()
        .parse()
        .unwrap();
    assert!(
        text(&first).contains("created challenge"),
        "{}",
        text(&first)
    );
    let again = import("product-ideas");
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        id.to_string()
    );
    assert!(text(&again).contains("(0 new)"), "{}", text(&again));
    let nowhere = import("no-such-space");
    assert!(!nowhere.status.success());
    assert!(
        text(&nowhere).contains("no such space"),
        "{}",
        text(&nowhere)
    );
    let missing = cocreate(data.path())
        .args(["import", "polis", "/nonexistent"])
        .output()
        .unwrap();
    assert!(
        text(&missing).contains("has no comments.csv"),
        "{}",
        text(&missing)
    );
    let nothing = cocreate(data.path()).arg("import").output().unwrap();
    assert!(
        text(&nothing).contains("name what to import"),
        "{}",
        text(&nothing)
    );

    let (mut server, base, _) = start(cocreate(data.path()), &["serve"]);
    let (status, page) = get(&format!("{base}/challenges/{id}/opinion-groups"));
    assert_eq!(status, 200);
    assert!(page.contains("Group 1:"), "{page}");
    let (status, page) = get(&format!("{base}/challenges/{id}/opinions"));
    assert_eq!(status, 200);
    assert!(page.contains("agree ·"), "{page}");
    assert!(terminate(&mut server).success());
}
