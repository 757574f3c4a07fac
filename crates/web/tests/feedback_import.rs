//! Feedback imported in bulk, on both backends: CSV and JSON Lines files through the API and the
//! import page (column mapping, dry runs, per-row refusals, files that import nothing, and the
//! same file imported twice), and e-mail as a relay forwards it (quotes and signatures trimmed,
//! bounces and automatic replies left out, a message known again by its Message-ID).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cocreate_testkit::{Backend, TestServer, spawn};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    csv_rows_import_once_and_refused_rows_name_their_line,
    files_that_cannot_be_read_import_nothing,
    json_lines_import_with_their_own_keys,
    the_import_page_checks_and_imports_an_upload,
    mail_becomes_feedback_and_bounces_do_not,
);

/// The space "Gear" with the product "Trail tent", a staff member's token and a customer's.
async fn tent_and_people(server: &TestServer) -> (String, String) {
    let (_, staff) = gear_with_a_tent(server).await;
    let (_, casey) = customer(server, "casey@example.org").await;
    (staff, casey)
}

/// Posts a file to the import API with the query `query`.
async fn import(
    server: &TestServer,
    token: &str,
    query: &str,
    content_type: &str,
    file: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let response = client()
        .post(server.url(&format!("/api/v1/feedback/imports?{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(file)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// The product's count of feedback, and its ratings' count and mean.
async fn tent_counts(server: &TestServer, token: &str) -> (i64, i64, Value) {
    let (_, product) = api(server, token, "GET", "/api/v1/products/trail-tent", None).await;
    (
        product["feedback_count"].as_i64().unwrap(),
        product["rating_count"].as_i64().unwrap(),
        product["mean_rating"].clone(),
    )
}

fn counts(report: &Value) -> [u64; 5] {
    ["rows", "imported", "already_imported", "refused", "ignored"].map(|key| {
        report[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key}: {report}"))
    })
}

/// A survey export with its own column names and a semicolon between fields.
fn survey() -> Vec<u8> {
    let mut file = b"Comment;E-mail;Product;Score;When;Name;Source\n".to_vec();
    for line in [
        "Pitches in minutes.;ann@example.org;trail-tent;5;2026-03-01;Ann Walker;survey",
        "Needs a bigger porch.;casey@example.org;trail-tent;;2026-03-02 10:00:00;;survey",
        "Too heavy.;bo@example.org;trail-tent;7;;;survey",
        "Lovely kayak.;bo@example.org;kayak;4;;;survey",
        "Leaks.;not-an-address;trail-tent;2;;;survey",
        "Extra field;bo@example.org;trail-tent;3;;;survey;surplus",
    ] {
        file.extend_from_slice(line.as_bytes());
        file.push(b'\n');
    }
    file.extend_from_slice(b"Broken \xff text;bo@example.org;trail-tent;3;;;survey\n");
    file.extend_from_slice(
        b"Pitches in minutes.;ann@example.org;trail-tent;5;2026-03-01;Ann Walker;survey\n",
    );
    file.extend_from_slice(b";bo@example.org;trail-tent;3;;;survey\n");
    file.extend_from_slice(b"\"Two lines;\nin one field\";dee@example.org;trail-tent;4;;;survey\n");
    file.extend_from_slice(b"Zips stick.;eve@example.org;trail-tent;2;2030-01-01;;survey\n");
    file
}

const SURVEY_QUERY: &str = "delimiter=;&text_column=Comment&email_column=E-mail&\
     product_column=Product&rating_column=Score&created_at_column=When&name_column=Name";

async fn csv_rows_import_once_and_refused_rows_name_their_line(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, casey) = tent_and_people(&server).await;

    // A dry run reports what the import would do and writes nothing.
    let (status, dry) = import(
        &server,
        &staff,
        &format!("{SURVEY_QUERY}&dry_run=true"),
        "text/csv",
        survey(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(counts(&dry), [11, 3, 1, 7, 0], "{dry}");
    assert_eq!(
        tent_counts(&server, &staff).await.0,
        0,
        "a dry run writes nothing"
    );

    // Each refused row names its line (a quoted field may span lines) and its reason.
    let (status, report) = import(&server, &staff, SURVEY_QUERY, "text/csv", survey()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), [11, 3, 1, 7, 0], "{report}");
    assert_eq!(report["problems"], dry["problems"]);
    let problems: Vec<(u64, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let lines: Vec<u64> = problems.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 10, 13], "{report}");
    for (line, words) in [
        (
            4,
            "rating (column \"Score\") must be a whole number from 1 to 5",
        ),
        (5, "product \"kayak\" is not one you may import into"),
        (6, "email (column \"E-mail\")"),
        (7, "has 8 fields where the header has 7"),
        (8, "not UTF-8"),
        (10, "has no text (column \"Comment\")"),
        (13, "in the future"),
    ] {
        let reason = &problems.iter().find(|(l, _)| *l == line).unwrap().1;
        assert!(reason.contains(words), "line {line}: {reason}");
    }
    assert_eq!(report["unused_columns"], json!(["Source"]));

    // Good rows import with their authors and dates; the product counts them.
    assert_eq!(tent_counts(&server, &staff).await, (3, 2, json!(4.5)));
    let (_, listed) = api(
        &server,
        &staff,
        "GET",
        "/api/v1/feedback?channel=import",
        None,
    )
    .await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{listed}");
    let ann = items
        .iter()
        .find(|i| i["body"] == "Pitches in minutes.")
        .unwrap();
    assert_eq!(ann["author"]["kind"], "contact");
    assert_eq!(ann["author"]["name"], "Ann Walker");
    assert_eq!(ann["created_at"], "2026-03-01T00:00:00Z");
    assert_eq!(ann["status"], "new");
    let two_lines = items
        .iter()
        .find(|i| i["author"]["email"] == "dee@example.org")
        .unwrap();
    assert_eq!(two_lines["body"], "Two lines;\nin one field");
    // An address an account uses makes the account the author: the customer reads it as theirs.
    let (_, own) = api(&server, &casey, "GET", "/api/v1/me/feedback", None).await;
    assert_eq!(own["items"][0]["body"], "Needs a bigger porch.", "{own}");
    assert_eq!(own["items"][0]["created_at"], "2026-03-02T10:00:00Z");

    // The same file again adds nothing.
    let (_, again) = import(&server, &staff, SURVEY_QUERY, "text/csv", survey()).await;
    assert_eq!(counts(&again), [11, 0, 4, 7, 0], "{again}");
    assert_eq!(tent_counts(&server, &staff).await.0, 3);

    // Customers import nothing.
    let (status, problem) = import(&server, &casey, SURVEY_QUERY, "text/csv", survey()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
}

async fn files_that_cannot_be_read_import_nothing(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, _) = tent_and_people(&server).await;

    // A wrong delimiter: the header is one column, and the problem says which delimiter it is.
    let (status, problem) = import(
        &server,
        &staff,
        SURVEY_QUERY.trim_start_matches("delimiter=;&"),
        "text/csv",
        survey(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "columns");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("\"Comment\"") && detail.contains("separated by \";\""),
        "{detail}"
    );

    // A quote left open would swallow the rest of the file: the import stops there, and the good
    // rows before it are not imported either.
    let mut broken =
        b"text,email,product\nFine.,ann@example.org,trail-tent\n\"Open quote,".to_vec();
    broken.extend(std::iter::repeat_n(b'x', 2 << 20));
    broken.extend_from_slice(b"\nLater.,bo@example.org,trail-tent\n");
    let (status, problem) = import(&server, &staff, "", "text/csv", broken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["field"], "file");
    assert!(
        problem["detail"].as_str().unwrap().contains("line 3"),
        "{problem}"
    );
    assert_eq!(
        tent_counts(&server, &staff).await.0,
        0,
        "nothing was imported"
    );

    // A file larger than the API takes is refused as it streams, and nothing is imported.
    let mut huge = b"text,email,product\nFine.,ann@example.org,trail-tent\n".to_vec();
    let long_row = [
        vec![b'x'; 900_000],
        b",ann@example.org,trail-tent\n".to_vec(),
    ]
    .concat();
    while huge.len() <= 65 << 20 {
        huge.extend_from_slice(&long_row);
    }
    let sent = client()
        .post(server.url("/api/v1/feedback/imports?format=csv"))
        .bearer_auth(&staff)
        .body(huge)
        .send()
        .await;
    // The answer may come before the client has sent it all, which then sees the cut.
    if let Ok(response) = sent {
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains("64 MiB"),
            "{problem}"
        );
    }
    assert_eq!(tent_counts(&server, &staff).await.0, 0);

    // The format, the delimiter, the mapping and the default product are checked first.
    for (query, content_type, field) in [
        ("", "application/octet-stream", "format"),
        ("format=xml", "text/csv", "format"),
        ("delimiter=;;", "text/csv", "delimiter"),
        ("product=kayak", "text/csv", "product"),
    ] {
        let (status, problem) = import(&server, &staff, query, content_type, "text,email\n").await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{query}: {problem}"
        );
    }
}

async fn json_lines_import_with_their_own_keys(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, _) = tent_and_people(&server).await;
    let file = [
        r#"{"id": 17, "feedback": "Love the colour.", "email": "ann@example.org", "rating": 5, "tags": ["colour", "praise"]}"#,
        "",
        "not json",
        r#"{"id": 18, "feedback": "No address."}"#,
        r#"{"id": 19, "feedback": {"nested": true}, "email": "bo@example.org"}"#,
        r#"{"id": 17, "feedback": "Love the colour, edited.", "email": "ann@example.org", "rating": 5}"#,
    ]
    .join("\n");
    let query = "text_column=feedback&product=trail-tent";
    let (status, report) =
        import(&server, &staff, query, "application/x-ndjson", file.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    // The blank line is no row; row 17 comes twice (by its id), so the second is known.
    assert_eq!(counts(&report), [5, 1, 1, 3, 0], "{report}");
    let lines: Vec<u64> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5], "{report}");
    let (_, listed) = api(&server, &staff, "GET", "/api/v1/feedback?tag=praise", None).await;
    assert_eq!(listed["items"][0]["body"], "Love the colour.", "{listed}");
    assert_eq!(listed["items"][0]["channel"], "import");
    let (_, again) = import(&server, &staff, query, "application/x-ndjson", file).await;
    assert_eq!(counts(&again), [5, 0, 2, 3, 0], "{again}");
}

async fn the_import_page_checks_and_imports_an_upload(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (_, _) = tent_and_people(&server).await;
    let staff = staff_browser(&server).await;
    let form = read_page(&staff, server.url("/feedback/import")).await;
    assert!(
        form.contains("Import feedback") && form.contains("<option value=\"trail-tent\""),
        "{form}"
    );
    let upload = |dry_run: bool| {
        let file = "Comment,Address\nSturdy.,ann@example.org\nLeaks.,bo@example\n";
        let mut form = reqwest::multipart::Form::new()
            .text("format", "")
            .text("delimiter", "")
            .text("product", "trail-tent")
            .text("column_text", "Comment")
            .text("column_email", "Address")
            .part(
                "file",
                reqwest::multipart::Part::bytes(file.as_bytes().to_vec())
                    .file_name("survey.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        if dry_run {
            form = form.text("dry_run", "1");
        }
        staff
            .post(server.url("/feedback/import"))
            .header("origin", server.base.clone())
            .multipart(form)
            .send()
    };
    let checked = upload(true).await.unwrap();
    assert_eq!(checked.status(), StatusCode::OK);
    let page = checked.text().await.unwrap();
    assert!(
        page.contains("What importing survey.csv would do")
            && page.contains("1 would be imported")
            && page.contains("<td>3</td>"),
        "{page}"
    );
    let imported = upload(false).await.unwrap().text().await.unwrap();
    assert!(
        imported.contains("Imported survey.csv") && imported.contains("1 imported"),
        "{imported}"
    );
    let inbox = read_page(&staff, server.url("/feedback?channel=import")).await;
    assert!(inbox.contains("Sturdy."), "{inbox}");

    // A file without the mapped column is shown again with the reason beside the form.
    let refused = staff
        .post(server.url("/feedback/import"))
        .header("origin", server.base.clone())
        .multipart(
            reqwest::multipart::Form::new()
                .text("product", "trail-tent")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(b"words,who\nHi,a@example.org\n".to_vec())
                        .file_name("other.csv"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("role=\"alert\"") && page.contains("lack &#34;text&#34;"),
        "{page}"
    );
}

/// A customer's reply to a support mail: plain text and HTML, quoting what it answers.
const REPLY: &str = "From: Ann Walker <Ann@Example.org>\r\n\
To: Support <feedback@example.org>\r\n\
Subject: The zip sticks\r\n\
Date: Tue, 01 Dec 2026 09:30:00 +0000\r\n\
Message-ID: <reply-1@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
The door zip sticks at the corner every time.\r\n\
\r\n\
On Mon, 30 Nov 2026, Support wrote:\r\n\
> How is the tent?\r\n\
\r\n\
-- \r\n\
Ann\r\n\
--b1\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>The door zip sticks at the corner every time.</p>\r\n\
--b1--\r\n";

async fn mail(
    server: &TestServer,
    token: &str,
    query: &str,
    message: &[u8],
) -> (StatusCode, Value) {
    let response = client()
        .post(server.url(&format!("/api/v1/feedback/mail?{query}")))
        .bearer_auth(token)
        .header("content-type", "message/rfc822")
        .body(message.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// The feedback that came by e-mail, newest first.
async fn feedback_by_email(server: &TestServer, token: &str) -> Value {
    let (status, listed) = api(server, token, "GET", "/api/v1/feedback?channel=email", None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    listed
}

async fn mail_becomes_feedback_and_bounces_do_not(backend: Backend) {
    let Some(server) = spawn(backend).await else {
        return;
    };
    let (staff, casey) = tent_and_people(&server).await;
    let (status, report) = mail(&server, &staff, "product=trail-tent", REPLY.as_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let listed = feedback_by_email(&server, &staff).await;
    let item = &listed["items"][0];
    assert_eq!(
        item["body"], "The zip sticks\n\nThe door zip sticks at the corner every time.",
        "{listed}"
    );
    assert_eq!(item["author"]["email"], "ann@example.org");
    assert_eq!(item["author"]["name"], "Ann Walker");
    assert_eq!(item["created_at"], "2026-12-01T09:30:00Z");

    // The relay delivers it again: known by its Message-ID.
    let (status, again) = mail(&server, &staff, "product=trail-tent", REPLY.as_bytes()).await;
    assert_eq!(
        (status, counts(&again)),
        (StatusCode::OK, [1, 0, 1, 0, 0]),
        "{again}"
    );

    // HTML only, to an address naming the product: its text is the HTML's.
    let html = "From: bo@example.org\r\nTo: feedback+trail-tent@example.org\r\nSubject: Pole\r\n\
        Message-ID: <html-1@example.org>\r\nContent-Type: text/html\r\n\r\n\
        <html><body><p>The pole <b>bent</b> in wind.</p></body></html>\r\n";
    let (status, report) = mail(&server, &staff, "", html.as_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let listed = feedback_by_email(&server, &staff).await;
    let body = listed["items"][0]["body"].as_str().unwrap();
    assert!(body.starts_with("Pole\n\nThe pole bent in wind."), "{body}");

    // Bounces and automatic replies are counted and left out.
    let bounce = "From: MAILER-DAEMON@example.org\r\nTo: feedback@example.org\r\nSubject: Undelivered\r\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
        --r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--r--\r\n";
    let away = "From: cy@example.org\r\nTo: feedback@example.org\r\nSubject: Out of office\r\n\
        Auto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n";
    for automatic in [bounce, away] {
        let (status, report) =
            mail(&server, &staff, "product=trail-tent", automatic.as_bytes()).await;
        assert_eq!(
            (status, counts(&report)),
            (StatusCode::OK, [1, 0, 0, 0, 1]),
            "{report}"
        );
    }
    assert_eq!(tent_counts(&server, &staff).await.0, 2);

    // What cannot be feedback is refused, naming why.
    let no_text =
        "From: dee@example.org\r\nSubject: \r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n";
    let only_quotes = "From: dee@example.org\r\n\r\n> quoted\r\n";
    for (message, words) in [
        (&b"just some words, no headers"[..], "not an e-mail message"),
        (no_text.as_bytes(), "no text"),
        (only_quotes.as_bytes(), "no text of its own"),
        (
            REPLY
                .replace("Ann Walker <Ann@Example.org>", "Ann <ann@>")
                .as_bytes(),
            "sender",
        ),
    ] {
        let (status, problem) = mail(&server, &staff, "product=trail-tent", message).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("message")),
            "{problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(words),
            "{problem}"
        );
    }
    let mut huge = REPLY.as_bytes().to_vec();
    huge.extend(std::iter::repeat_n(b'x', 11 << 20));
    let sent = client()
        .post(server.url("/api/v1/feedback/mail?product=trail-tent"))
        .bearer_auth(&staff)
        .header("content-type", "message/rfc822")
        .body(huge)
        .send()
        .await;
    assert_refused_as_too_large(sent).await;
    // Without a product, or from a customer, nothing is taken.
    let other = REPLY.replace("reply-1", "reply-2");
    let (status, problem) = mail(&server, &staff, "", other.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _) = mail(&server, &casey, "product=trail-tent", other.as_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(tent_counts(&server, &staff).await.0, 2);
}
