//! Turning what a person typed into a tantivy query. Nothing typed is query syntax: words are
//! words, `"…"` marks a phrase, and everything else is punctuation. Every query is bounded (at most
//! [`MAX_QUERY_WORDS`] words, [`MAX_PHRASES`] phrases, a few expansions per word), so none can hold
//! a core for long whatever is typed.

use std::collections::HashMap;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{
    Language, LowerCaser, SimpleTokenizer, StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{Index, Searcher, Term};

use crate::{Fields, SearchResult, TextFields};

/// Words of a query that count; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 32;
/// Phrases of a query that count.
const MAX_PHRASES: usize = 8;
/// Words this long or longer that the index does not hold are matched with one typo.
const ONE_TYPO_LETTERS: usize = 5;
/// ... and this long or longer, with two.
const TWO_TYPOS_LETTERS: usize = 9;
/// Indexed words a word being typed may stand for, the most frequent first.
const PREFIX_EXPANSIONS: usize = 8;
/// Indexed words looked at when expanding a prefix, per segment and field.
const PREFIX_SCAN: usize = 256;
/// The most telling words of a text a similar-ideas query keeps.
const SIMILAR_WORDS: usize = 12;
/// How much more a match in a title counts than one in a body.
const TITLE_BOOST: f32 = 2.0;

/// How the words combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryMode {
    /// Every word (or a close spelling of it) and every phrase: a search.
    AllWords,
    /// Texts sharing the most telling words, the last word read as the start of one still being
    /// typed: ideas similar to a title.
    Similar,
}

/// A word of the query: as typed (lower-cased) and as indexed (stemmed).
struct Word {
    typed: String,
    stem: String,
}

pub(crate) fn build(
    index: &Index,
    searcher: &Searcher,
    fields: &Fields,
    kind_text: TextFields,
    text: &str,
    mode: QueryMode,
    tag: Option<&str>,
) -> SearchResult<Option<Box<dyn Query>>> {
    let mut stemmer = index.tokenizer_for_field(kind_text.title)?;
    let (phrases, rest) = split_phrases(text);
    let words = words(&mut stemmer, &rest, mode);
    let built = match mode {
        QueryMode::AllWords => {
            let phrases = phrases
                .iter()
                .take(MAX_PHRASES)
                .filter_map(|phrase| phrase_query(&mut stemmer, kind_text, phrase));
            let mut clauses: Vec<Box<dyn Query>> = words
                .iter()
                .map(|word| word_query(searcher, kind_text, word))
                .collect::<SearchResult<_>>()?;
            clauses.extend(phrases);
            match clauses.len() {
                0 => None,
                1 => clauses.pop(),
                _ => Some(Box::new(BooleanQuery::new(
                    clauses.into_iter().map(|c| (Occur::Must, c)).collect(),
                )) as Box<dyn Query>),
            }
        }
        QueryMode::Similar => {
            let typing = text.chars().last().is_some_and(char::is_alphanumeric);
            similar_query(searcher, kind_text, &words, typing)?
        }
    };
    Ok(built.map(|query| with_tag(fields, query, tag)))
}

/// Narrows to documents carrying `tag`, without changing scores.
fn with_tag(fields: &Fields, query: Box<dyn Query>, tag: Option<&str>) -> Box<dyn Query> {
    match tag {
        None => query,
        Some(tag) => {
            let tagged = TermQuery::new(
                Term::from_field_text(fields.tag, tag),
                IndexRecordOption::Basic,
            );
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(tagged), 0.0)),
                ),
            ]))
        }
    }
}

/// The quoted phrases of `text`, and the text outside them. An unclosed quote quotes nothing.
fn split_phrases(text: &str) -> (Vec<&str>, String) {
    let mut phrases = Vec::new();
    let mut rest = String::new();
    let mut pieces = text.split('"').peekable();
    let mut quoted = false;
    while let Some(piece) = pieces.next() {
        if quoted && pieces.peek().is_some() {
            phrases.push(piece);
        } else {
            rest.push_str(piece);
            rest.push(' ');
        }
        quoted = !quoted;
    }
    (phrases, rest)
}

fn analyzed(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// The distinct words of `text`, in order, at most [`MAX_QUERY_WORDS`]. A similar-ideas query
/// leaves out stop words, which say nothing about what an idea is about.
fn words(stemmer: &mut TextAnalyzer, text: &str, mode: QueryMode) -> Vec<Word> {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser);
    let mut splitter = match (mode, StopWordFilter::new(Language::English)) {
        (QueryMode::Similar, Some(stop_words)) => builder.filter(stop_words).build(),
        _ => builder.build(),
    };
    let mut words: Vec<Word> = Vec::new();
    for typed in analyzed(&mut splitter, text) {
        let Some(stem) = analyzed(stemmer, &typed).pop() else {
            continue;
        };
        if words.iter().any(|w| w.stem == stem) {
            continue;
        }
        words.push(Word { typed, stem });
        if words.len() == MAX_QUERY_WORDS {
            break;
        }
    }
    words
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let query = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    if boost == 1.0 {
        Box::new(query)
    } else {
        Box::new(BoostQuery::new(Box::new(query), boost))
    }
}

fn either(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|c| (Occur::Should, c)).collect(),
    ))
}

/// A word in a title or a body; a long word the index does not hold, with a typo or two.
fn word_query(
    searcher: &Searcher,
    fields: TextFields,
    word: &Word,
) -> SearchResult<Box<dyn Query>> {
    let letters = word.typed.chars().count();
    let known = searcher.doc_freq(&Term::from_field_text(fields.title, &word.stem))? > 0
        || searcher.doc_freq(&Term::from_field_text(fields.body, &word.stem))? > 0;
    if known || letters < ONE_TYPO_LETTERS {
        return Ok(either(vec![
            term_query(fields.title, &word.stem, TITLE_BOOST),
            term_query(fields.body, &word.stem, 1.0),
        ]));
    }
    let typos = if letters >= TWO_TYPOS_LETTERS { 2 } else { 1 };
    let fuzzy = |field| -> Box<dyn Query> {
        Box::new(FuzzyTermQuery::new(
            Term::from_field_text(field, &word.stem),
            typos,
            true,
        ))
    };
    Ok(either(vec![
        Box::new(BoostQuery::new(fuzzy(fields.title), TITLE_BOOST)),
        fuzzy(fields.body),
    ]))
}

/// The words of a quoted phrase, in order, in a title or a body.
fn phrase_query(
    stemmer: &mut TextAnalyzer,
    fields: TextFields,
    phrase: &str,
) -> Option<Box<dyn Query>> {
    let stems = analyzed(stemmer, phrase);
    match stems.len() {
        0 => None,
        1 => Some(either(vec![
            term_query(fields.title, &stems[0], TITLE_BOOST),
            term_query(fields.body, &stems[0], 1.0),
        ])),
        _ => {
            let phrase_in = |field| -> Box<dyn Query> {
                Box::new(PhraseQuery::new(
                    stems
                        .iter()
                        .take(MAX_QUERY_WORDS)
                        .map(|stem| Term::from_field_text(field, stem))
                        .collect(),
                ))
            };
            Some(either(vec![
                Box::new(BoostQuery::new(phrase_in(fields.title), TITLE_BOOST)),
                phrase_in(fields.body),
            ]))
        }
    }
}

/// One flat union of term queries, so that block-max WAND applies: the [`SIMILAR_WORDS`] rarest
/// words the index holds, in titles (boosted) and bodies, and the indexed words that a word it
/// does not hold begins (a word typed in part), as does the last word when `typing`.
fn similar_query(
    searcher: &Searcher,
    fields: TextFields,
    words: &[Word],
    typing: bool,
) -> SearchResult<Option<Box<dyn Query>>> {
    let mut known: Vec<(u64, &str)> = Vec::new();
    let mut partial: Vec<&str> = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let frequency = searcher.doc_freq(&Term::from_field_text(fields.title, &word.stem))?
            + searcher.doc_freq(&Term::from_field_text(fields.body, &word.stem))?;
        if frequency > 0 {
            known.push((frequency, &word.stem));
        }
        if frequency == 0 || (typing && at + 1 == words.len()) {
            partial.push(&word.typed);
        }
    }
    known.sort_unstable();
    known.truncate(SIMILAR_WORDS);
    let mut terms: Vec<String> = known.into_iter().map(|(_, s)| s.to_owned()).collect();
    for prefix in partial.into_iter().take(SIMILAR_WORDS) {
        for expansion in prefix_expansions(searcher, fields, prefix)? {
            if !terms.contains(&expansion) {
                terms.push(expansion);
            }
        }
    }
    if terms.is_empty() {
        return Ok(None);
    }
    let clauses = terms
        .iter()
        .flat_map(|term| {
            [
                term_query(fields.title, term, TITLE_BOOST),
                term_query(fields.body, term, 1.0),
            ]
        })
        .collect();
    Ok(Some(either(clauses)))
}

/// The indexed words (in titles or bodies) beginning with `prefix`, most frequent first, at most
/// [`PREFIX_EXPANSIONS`]; none for a single letter, which would stand for too many.
fn prefix_expansions(
    searcher: &Searcher,
    fields: TextFields,
    prefix: &str,
) -> SearchResult<Vec<String>> {
    if prefix.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let mut frequencies: HashMap<Vec<u8>, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in [fields.title, fields.body] {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            let mut scanned = 0;
            while scanned < PREFIX_SCAN && stream.advance() {
                if !stream.key().starts_with(prefix.as_bytes()) {
                    break;
                }
                *frequencies.entry(stream.key().to_vec()).or_default() +=
                    u64::from(stream.value().doc_freq);
                scanned += 1;
            }
        }
    }
    let mut ranked: Vec<(u64, Vec<u8>)> = frequencies
        .into_iter()
        .map(|(term, frequency)| (frequency, term))
        .collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    Ok(ranked
        .into_iter()
        .take(PREFIX_EXPANSIONS)
        .filter_map(|(_, term)| String::from_utf8(term).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_mark_phrases_and_an_unclosed_quote_marks_nothing() {
        let (phrases, rest) = split_phrases(r#"tent "dry bag" lamp "open"#);
        assert_eq!(phrases, ["dry bag"]);
        assert_eq!(
            rest.split_whitespace().collect::<Vec<_>>(),
            ["tent", "lamp", "open"]
        );
    }
}
