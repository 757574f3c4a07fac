//! The index on its own: what a query finds, who may find it, and how a damaged or outdated
//! index is noticed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cocreate_core::Stage;
use cocreate_search::{
    Facets, Filters, Fresh, Position, QueryMode, SCHEMA_VERSION, SearchIndex, SearchRequest,
};
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
        drafters: Vec::new(),
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
        filters: Filters {
            space_ids: &[1],
            ..Filters::default()
        },
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
fn a_draft_is_found_by_its_authors_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = camping();
    docs[0].visible = false;
    docs[0].stage = Some(Stage::Draft);
    docs[0].drafters = vec![41, 42];
    let index = filled(dir.path(), &docs);
    let as_viewer = |drafter: Option<i64>| {
        let mut ids = found(
            &index,
            &SearchRequest {
                filters: Filters {
                    space_ids: &[1],
                    drafter,
                    ..Filters::default()
                },
                ..request("lantern")
            },
        );
        ids.sort_unstable();
        ids
    };
    let published = as_viewer(None);
    assert!(!published.contains(&1), "anonymous: {published:?}");
    assert_eq!(as_viewer(Some(7)), published, "someone else");
    for author in [41, 42] {
        let mut with_draft = published.clone();
        with_draft.insert(0, 1);
        assert_eq!(as_viewer(Some(author)), with_draft, "author {author}");
    }
    let facets = index
        .facets(
            "lantern",
            QueryMode::AllWords,
            &Filters {
                space_ids: &[1],
                drafter: Some(42),
                stage: Some(Stage::Draft),
                ..Filters::default()
            },
        )
        .unwrap();
    assert!(facets.kinds.contains(&(DocKind::Idea, 1)), "{facets:?}");
    let counted: u64 = facets.kinds.iter().map(|(_, count)| count).sum();
    assert_eq!(counted, 1, "only the draft is in stage draft: {facets:?}");
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
    let both_spaces = Filters {
        space_ids: &[2, 1],
        ..Filters::default()
    };
    let both = SearchRequest {
        filters: both_spaces.clone(),
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
    for filters in [
        Filters {
            challenge_id: Some(9),
            ..both_spaces.clone()
        },
        Filters {
            stage: Some(Stage::Review),
            ..both_spaces.clone()
        },
        Filters {
            tag: Some("lighting"),
            ..both_spaces.clone()
        },
    ] {
        let narrowed = SearchRequest {
            filters,
            ..both.clone()
        };
        assert_eq!(found(&index, &narrowed), [6], "{narrowed:?}");
    }
    let no_tag = SearchRequest {
        filters: Filters {
            tag: Some("no-such-tag"),
            ..both_spaces.clone()
        },
        ..both.clone()
    };
    assert!(found(&index, &no_tag).is_empty());
    let nowhere = SearchRequest {
        filters: Filters::default(),
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

/// Documents of every kind across two spaces, a hidden idea among them, for counting.
fn to_count() -> Vec<SearchDocument> {
    let mut docs = camping();
    docs[0].space_id = 2;
    docs[0].tags = vec!["lighting".into(), "solar".into()];
    docs[1].tags = vec!["lighting".into()];
    docs[1].challenge_id = Some(9);
    docs[1].stage = Some(Stage::Review);
    docs.push(SearchDocument {
        visible: false,
        tags: vec!["lighting".into()],
        ..doc(6, "Hidden lantern", "Nobody finds it.")
    });
    docs.push(SearchDocument {
        kind: DocKind::Comment,
        title: String::new(),
        challenge_id: Some(9),
        stage: Some(Stage::Review),
        tags: vec!["lighting".into()],
        ..doc(1, "", "Which lantern?")
    });
    docs.push(SearchDocument {
        kind: DocKind::Challenge,
        stage: None,
        challenge_id: Some(9),
        tags: vec!["lighting".into(), "camping".into()],
        ..doc(9, "Light the camp", "A lantern for every tent.")
    });
    docs
}

fn facets(index: &SearchIndex, text: &str, filters: &Filters<'_>) -> Facets {
    index.facets(text, QueryMode::AllWords, filters).unwrap()
}

#[test]
fn facets_count_what_each_filter_would_leave_the_viewer() {
    let dir = tempfile::tempdir().unwrap();
    let index = filled(dir.path(), &to_count());
    let both = Filters {
        space_ids: &[1, 2],
        ..Filters::default()
    };
    let all = facets(&index, "lantern", &both);
    assert_eq!(
        all,
        Facets {
            kinds: vec![
                (DocKind::Idea, 2),
                (DocKind::Comment, 1),
                (DocKind::Challenge, 1)
            ],
            spaces: vec![(1, 3), (2, 1)],
            challenges: vec![(9, 3)],
            stages: vec![(Stage::Review, 2), (Stage::Gathering, 1)],
            tags: vec![
                ("lighting".into(), 4),
                ("camping".into(), 1),
                ("solar".into(), 1)
            ],
            complete: true,
        },
        "the hidden idea is not counted"
    );
    let one_space = facets(
        &index,
        "lantern",
        &Filters {
            space_ids: &[1],
            ..Filters::default()
        },
    );
    assert_eq!(one_space.spaces, [(1, 3)], "space 2 is not the viewer's");
    assert_eq!(
        one_space.tags,
        [("lighting".into(), 3), ("camping".into(), 1)]
    );

    // Each count is what choosing that value leaves.
    let in_review = facets(
        &index,
        "lantern",
        &Filters {
            stage: Some(Stage::Review),
            ..both.clone()
        },
    );
    assert_eq!(
        in_review.kinds,
        [
            (DocKind::Idea, 1),
            (DocKind::Comment, 1),
            (DocKind::Challenge, 0)
        ]
    );
    let solar = facets(
        &index,
        "lantern",
        &Filters {
            tag: Some("solar"),
            ..both.clone()
        },
    );
    assert_eq!(solar.spaces, [(2, 1)]);
    let no_tag = facets(
        &index,
        "lantern",
        &Filters {
            tag: Some("no-such-tag"),
            ..both.clone()
        },
    );
    assert!(no_tag.kinds.iter().all(|(_, count)| *count == 0));
    assert!(no_tag.tags.is_empty() && no_tag.complete);
    let nothing = facets(&index, "!!!", &both);
    assert!(nothing.kinds.iter().all(|(_, count)| *count == 0));

    // Counts are reused while the index is unchanged, and made again once it changes.
    assert_eq!(facets(&index, "lantern", &both), all);
    index
        .add(&[doc(99, "Lantern stand", "Holds it up.")])
        .unwrap();
    index.commit(&position(8)).unwrap();
    let after = facets(&index, "lantern", &both);
    assert_eq!(after.kinds[0], (DocKind::Idea, 3), "{after:?}");
}

#[test]
fn a_query_past_its_budget_answers_with_what_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let docs: Vec<SearchDocument> = (1..=3000)
        .map(|id| doc(id, "Tent peg", &format!("Peg number {id} for the tent.")))
        .collect();
    let mut index = filled(dir.path(), &docs);
    let everyone = Filters {
        space_ids: &[1],
        ..Filters::default()
    };
    let counted = facets(&index, "tent", &everyone);
    assert_eq!((counted.kinds[0].1, counted.complete), (3000, true));
    index.set_budget(std::time::Duration::ZERO);
    // Another word: complete counts are reused while the index is unchanged.
    let cut = facets(&index, "peg", &everyone);
    assert!(!cut.complete, "the count says it stopped");
    assert!(cut.kinds[0].1 < 3000, "{cut:?}");
    let hits = found(&index, &request("tent"));
    assert!(
        !hits.is_empty() && hits.len() < 30,
        "a search stops at once and answers with the hits found so far: {hits:?}"
    );
}
