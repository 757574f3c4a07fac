//! The duplicate index measured on labelled pairs of real statements (`fixtures/duplicates`):
//! every statement of each conversation goes into the index in the order people wrote it, as
//! ideas arrive in a space, and a labelled pair counts as found when either statement was
//! reported alike the other. The figures are in docs/BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use cocreate_insights::DuplicateIndex;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Every statement of the conversation, by comment id.
fn statements(conversation: &str) -> BTreeMap<i64, String> {
    let path = fixtures()
        .join("polis")
        .join(conversation)
        .join("comments.csv");
    let mut reader = csv::Reader::from_path(&path).expect("comments.csv");
    let headers = reader.headers().expect("header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (id, body) = (column("comment-id"), column("comment-body"));
    reader
        .records()
        .map(|record| {
            let record = record.expect("record");
            (
                record[id].parse().expect("comment id"),
                record[body].to_owned(),
            )
        })
        .collect()
}

/// The pairs the index reports over the whole conversation, lower id first.
fn found_pairs(conversation: &str) -> HashSet<(i64, i64)> {
    let mut index = DuplicateIndex::new();
    let mut found = HashSet::new();
    for (id, text) in statements(conversation) {
        for alike in index.insert(id, 1, &text) {
            found.insert((alike.key.min(id), alike.key.max(id)));
        }
    }
    found
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Confusion {
    found_same: usize,
    found_different: usize,
    missed_same: usize,
    passed_different: usize,
}

#[test]
fn precision_and_recall_on_the_labelled_pairs() {
    let mut reader =
        csv::Reader::from_path(fixtures().join("duplicates/pairs.csv")).expect("pairs.csv");
    let mut found: BTreeMap<String, HashSet<(i64, i64)>> = BTreeMap::new();
    let mut confusion = Confusion::default();
    for record in reader.records() {
        let record = record.expect("record");
        let conversation = record[0].to_owned();
        let pair: (i64, i64) = (
            record[1].parse().expect("id"),
            record[2].parse().expect("id"),
        );
        let same = match &record[3] {
            "same" => true,
            "different" => false,
            other => panic!("label {other:?}"),
        };
        let reported = found
            .entry(conversation.clone())
            .or_insert_with(|| found_pairs(&conversation))
            .contains(&pair);
        match (reported, same) {
            (true, true) => confusion.found_same += 1,
            (true, false) => confusion.found_different += 1,
            (false, true) => confusion.missed_same += 1,
            (false, false) => confusion.passed_different += 1,
        }
    }
    let precision =
        confusion.found_same as f64 / (confusion.found_same + confusion.found_different) as f64;
    let recall =
        confusion.found_same as f64 / (confusion.found_same + confusion.missed_same) as f64;
    println!("{confusion:?}: precision {precision:.3}, recall {recall:.3}");
    assert_eq!(
        confusion,
        Confusion {
            found_same: 81,
            found_different: 31,
            missed_same: 23,
            passed_different: 145,
        }
    );
}
