//! The OpenAPI document is generated from code; this snapshot makes every change to it visible
//! in review. Run with `UPDATE_SNAPSHOTS=1` to accept a change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

#[test]
fn openapi_document_matches_snapshot() {
    let document = cocreate_web::openapi_document();
    let json = format!("{}\n", serde_json::to_string_pretty(&document).unwrap());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &json).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        snapshot == json,
        "docs/openapi.json is out of date: run `UPDATE_SNAPSHOTS=1 cargo test -p cocreate-web --test openapi` and review the diff"
    );
}

#[test]
fn every_path_documents_its_errors_as_problems() {
    let document = serde_json::to_value(cocreate_web::openapi_document()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{}", paths.len());
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status.starts_with('4') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} must be problem+json"
                    );
                }
            }
        }
    }
}

#[test]
fn error_codes_are_documented() {
    let api_doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/API.md"),
    )
    .unwrap();
    for (code, status, _) in cocreate_web::ERROR_CODES {
        assert!(
            api_doc.contains(&format!("`{code}` | {status}")),
            "docs/API.md lacks {code}"
        );
    }
}
