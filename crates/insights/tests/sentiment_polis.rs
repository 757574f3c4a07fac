//! The language rule on real statements: of the 3,233 statements of the five Polis conversations
//! in `fixtures/polis` (all written in English), exactly one is taken for another language. The
//! figure is in docs/BENCHMARKS.md; a change to the rule that marks more English text as foreign
//! fails here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use cocreate_insights::{Reading, SentimentTally, read_sentiment};

#[test]
fn english_statements_are_scored_not_taken_for_other_languages() {
    let polis = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/polis");
    let mut tally = SentimentTally::default();
    let mut foreign = Vec::new();
    for conversation in [
        "15-per-hour-seattle",
        "american-assembly.bowling-green",
        "brexit-consensus",
        "march-on.operation-marchin-orders",
        "scoop-hivemind.ubi",
    ] {
        let mut reader =
            csv::Reader::from_path(polis.join(conversation).join("comments.csv")).expect("csv");
        let headers = reader.headers().expect("header").clone();
        let body = headers
            .iter()
            .position(|h| h == "comment-body")
            .expect("comment-body");
        for record in reader.records() {
            let text = record.expect("record")[body].to_owned();
            let reading = read_sentiment(&text);
            if matches!(reading, Reading::OtherLanguage { .. }) {
                foreign.push(text);
            }
            tally.add(reading);
        }
    }
    assert_eq!(tally.scored() + tally.other_language, 3_233);
    assert_eq!(foreign.len(), 1, "{foreign:#?}");
    assert!(foreign[0].starts_with("Require 4 yr HS lifeskills class"));
    // Statements of opinion on public questions: all three polarities are well represented.
    for count in [tally.positive, tally.neutral, tally.negative] {
        assert!(count > 300, "{tally:?}");
    }
}
