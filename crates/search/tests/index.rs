//! The index on its own: what a query finds, who may find it, and how a damaged or outdated
//! index is noticed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cocreate_core::Stage;
use cocreate_search::{Fresh, Position, QueryMode, SCHEMA_VERSION, SearchIndex, SearchRequest};
use cocreate_store::{DocKind, SearchDocument};

fn doc(id: i64, title: &str, body: &str) -> SearchDocument {
    SearchDocument {
        kind: DocKind::Idea,
        id,
        space_id: 1,
        challenge_id: None,
        title: title.into(),
        body: body.into(),
        stage: Some(Stage::Gathering),
        tags: Vec::new(),
        visible: true,
    }
}

fn position(seq: i64) -> Position {
    Position {
        schema: SCHEMA_VERSION,
        epoch: "e".into(),
        seq,
        stamp: None,
        gaps: Vec::new(),
    }
}

fn filled(dir: &std::path::Path, docs: &[SearchDocument]) -> SearchIndex {
    let (index, fresh) = SearchIndex::open(dir).unwrap();
    assert_eq!(fresh, Some(Fresh::Missing));
    index.add(docs).unwrap();
    index.commit(&position(7)).unwrap();
    index
}

fn request(text: &str) -> SearchRequest<'_> {
    SearchRequest {
        text,
        mode: QueryMode::AllWords,
        kind: DocKind::Idea,
        space_ids: &[1],
        challenge_id: None,
        stage: None,
        tag: None,
        limit: 30,
    }
}

fn camping() -> Vec<SearchDocument> {
    vec![
        doc(1, "Solar lantern", "A lantern that charges in the sun."),
        doc(
            2,
            "Pack strap",
            "A strap that holds the solar lantern on the pack.",
        ),
        doc(3, "Dry bag", "Keeps a sleeping bag dry in the rain."),
        doc(4, "Bag hook", "The bag is dry when it hangs."),
        doc(
            5,
            "Waterproof jacket",
            "A jacket for walking in heavy rain.",
        ),
    ]
}

fn found(index: &SearchIndex, request: &SearchRequest<'_>) -> Vec<i64> {
    index.search(request).unwrap().ids
}

#[test]
fn words_rank_titles_first_and_forgive_typos_in_long_words() {
    let dir = tempfile::tempdir().unwrap();
    let index = filled(dir.path(), &camping());
    assert_eq!(found(&index, &request("lantern")), [1, 2]);
    assert_eq!(
        found(&index, &request("lanterns SOLAR")),
        [1, 2],
        "stemmed, any case"
    );
    assert_eq!(found(&index, &request("solar strap")), [2], "every word");
    assert_eq!(
        found(&index, &request("lantren")),
        [1, 2],
        "one typo in 7 letters"
    );
    assert_eq!(
        found(&index, &request("waterprofo")),
        [5],
        "two typos in 10 letters"
    );
    assert!(
        found(&index, &request("bga")).is_empty(),
        "no typo in 3 letters"
    );
    assert!(found(&index, &request("lantrne sun")).len() == 1);
}

#[test]
fn quotes_find_words_in_that_order() {
    let dir = tempfile::tempdir().unwrap();
    let index = filled(dir.path(), &camping());
    assert_eq!(
        found(&index, &request("bag dry")),
        [3, 4],
        "both words in both fields first"
    );
    assert_eq!(found(&index, &request("\"dry bag\"")), [3]);
    assert_eq!(found(&index, &request("\"bag dry\"")), [3], "in the body");
    assert!(found(&index, &request("\"dry hook\"")).is_empty());
}

#[test]
fn similar_reads_the_last_word_as_still_being_typed() {
    let dir = tempfile::tempdir().unwrap();
    let index = filled(dir.path(), &camping());
    let similar = |text| SearchRequest {
        mode: QueryMode::Similar,
        limit: 5,
        ..request(text)
    };
    assert_eq!(
        found(&index, &similar("waterproof jacket for ra")),
        [5, 3],
        "then \"ra\" as \"rain\""
    );
    assert_eq!(found(&index, &similar("jack")), [5], "a word in part");
    assert_eq!(
        found(&index, &similar("sola")),
        [1, 2],
        "a title match first"
    );
    assert!(
        found(&index, &similar("the for and")).is_empty(),
        "stop words say nothing"
    );
    assert!(
        found(&index, &similar("j")).is_empty(),
        "one letter stands for too much"
    );
}

#[test]
fn only_what_the_viewer_may_read_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = camping();
    docs[0].space_id = 2;
    docs[1].visible = false;
    docs.push(SearchDocument {
        kind: DocKind::Comment,
        id: 1,
        title: String::new(),
        ..doc(1, "", "Which lantern?")
    });
    docs.push(SearchDocument {
        challenge_id: Some(9),
        stage: Some(Stage::Review),
        tags: vec!["lighting".into()],
        ..doc(6, "Lantern hook", "Hangs a lantern.")
    });
    let index = filled(dir.path(), &docs);
    assert_eq!(
        found(&index, &request("lantern")),
        [6],
        "not space 2, not hidden"
    );
    let both = SearchRequest {
        space_ids: &[2, 1],
        ..request("lantern")
    };
    let mut in_both = found(&index, &both);
    in_both.sort_unstable();
    assert_eq!(in_both, [1, 6]);
    let comments = SearchRequest {
        kind: DocKind::Comment,
        ..request("lantern")
    };
    assert_eq!(found(&index, &comments), [1]);
    for narrowed in [
        SearchRequest {
            challenge_id: Some(9),
            ..both.clone()
        },
        SearchRequest {
            stage: Some(Stage::Review),
            ..both.clone()
        },
        SearchRequest {
            tag: Some("lighting"),
            ..both.clone()
        },
    ] {
        assert_eq!(found(&index, &narrowed), [6], "{narrowed:?}");
    }
    let no_tag = SearchRequest {
        tag: Some("no-such-tag"),
        ..both.clone()
    };
    assert!(found(&index, &no_tag).is_empty());
    let nowhere = SearchRequest {
        space_ids: &[],
        ..both
    };
    assert!(found(&index, &nowhere).is_empty());
}

#[test]
fn replacing_a_document_changes_what_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    let index = filled(dir.path(), &camping());
    index
        .replace(&[(DocKind::Idea, 2)], &[doc(1, "Lamp", "Bright.")])
        .unwrap();
    index.commit(&position(8)).unwrap();
    assert!(found(&index, &request("lantern")).is_empty());
    assert_eq!(found(&index, &request("bright")), [1]);
    assert_eq!(index.documents(), 4);
    assert_eq!(index.position().unwrap(), Some(position(8)));
}

#[test]
fn odd_and_huge_queries_answer_sensibly() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = camping();
    docs.push(doc(7, "Фонарь", "مصباح شمسي للخيمة 🏕️"));
    let index = filled(dir.path(), &docs);
    let thousand_words = "lantern ".repeat(1000);
    assert_eq!(found(&index, &request(&thousand_words)), [1, 2]);
    let many_words: String = (0..1000).map(|n| format!("word{n} ")).collect();
    assert!(found(&index, &request(&many_words)).is_empty());
    let long = "x".repeat(10_000);
    assert!(found(&index, &request(&long)).is_empty());
    for text in [
        "",
        "   ",
        "!!! ... ???",
        "\"",
        "\"\"",
        "*",
        "title:lantern",
        "(",
        "AND",
        "-",
    ] {
        let _ = found(&index, &request(text));
    }
    assert_eq!(
        found(&index, &request("title:lantern")),
        found(&index, &request("title lantern"))
    );
    assert_eq!(
        found(&index, &request("-lantern")),
        [1, 2],
        "a minus is punctuation"
    );
    assert_eq!(found(&index, &request("фонарь")), [7]);
    assert_eq!(found(&index, &request("مصباح")), [7]);
    assert!(found(&index, &request("🏕️")).is_empty());
}

#[test]
fn snippets_mark_the_matches_apart_from_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let index = filled(dir.path(), &camping());
    let hits = index.search(&request("lantern")).unwrap();
    let snippet = hits.snippet("A strap that holds the <b>solar</b> lantern on the pack.");
    let marked: Vec<&str> = snippet
        .parts()
        .iter()
        .filter(|p| p.matched)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(marked, ["lantern"]);
    assert!(
        snippet.text().contains("<b>solar</b>"),
        "user text stays text"
    );
    let unmatched = hits.snippet("Nothing here");
    assert_eq!(unmatched.text(), "Nothing here");
    assert!(!unmatched.has_match());
}

#[test]
fn a_damaged_or_outdated_index_starts_again_empty() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(dir.path(), &camping()));
    let (index, fresh) = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(fresh, None, "a sound index opens as it was");
    assert_eq!(index.documents(), 5);
    index
        .commit(&Position {
            schema: SCHEMA_VERSION + 1,
            ..position(9)
        })
        .unwrap();
    drop(index);
    let (index, fresh) = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(fresh, Some(Fresh::OtherVersion));
    assert_eq!((index.documents(), index.position().unwrap()), (0, None));
    index.add(&camping()).unwrap();
    index.commit(&position(3)).unwrap();
    drop(index);

    // Flip bytes in the middle of every data file.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with('.') || name.ends_with(".json") {
            continue;
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        if let Some(byte) = bytes.get_mut(middle) {
            *byte ^= 0xff;
        }
        std::fs::write(&path, bytes).unwrap();
    }
    let (index, fresh) = SearchIndex::open(dir.path()).unwrap();
    assert!(matches!(fresh, Some(Fresh::Corrupt(_))), "{fresh:?}");
    assert_eq!(index.documents(), 0);
    assert!(found(&index, &request("lantern")).is_empty());
}
