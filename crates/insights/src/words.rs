//! Words as the text analyses compare them: Unicode words, lower-cased, with English function
//! words left out and the rest reduced to their stems (Snowball), so that "bike lanes" and "a
//! lane for bikes" share their words.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

/// English function words, which say little about what a text is about (sorted, for a binary
/// search).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// The stems of the text's words that carry meaning, in the order they appear.
pub fn stems(text: &str) -> Vec<String> {
    stemmed_words(text).map(|(stem, _)| stem).collect()
}

/// Each word of the text that carries meaning as (stem, the word lower-cased), in order.
pub fn stemmed_words(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let stemmer = Stemmer::create(Algorithm::English);
    text.unicode_words()
        .map(|word| word.to_lowercase().replace('’', "'"))
        .filter(|word| STOP_WORDS.binary_search(&word.as_str()).is_err())
        .map(move |word| (stemmer.stem(&word).into_owned(), word))
}

/// How many words the text has, and the share of them that are English function words ("the",
/// "of", "we"): a fifth or more in ordinary English prose, next to none in other languages.
pub fn english_function_share(text: &str) -> (usize, f64) {
    let (mut words, mut function) = (0, 0);
    for word in text.unicode_words() {
        words += 1;
        let word = word.to_lowercase().replace('’', "'");
        if STOP_WORDS.binary_search(&word.as_str()).is_ok() {
            function += 1;
        }
    }
    let share = if words == 0 {
        0.0
    } else {
        function as f64 / words as f64
    };
    (words, share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_words_are_sorted_for_the_search() {
        assert!(STOP_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn words_are_lower_cased_stemmed_and_stripped_of_function_words() {
        assert_eq!(
            stems("The Bike lanes are widened."),
            ["bike", "lane", "widen"]
        );
        assert_eq!(stems("a lane for bikes"), ["lane", "bike"]);
        assert_eq!(stems("¿Más carriles?"), ["más", "carril"]);
        assert!(stems("  … !! ").is_empty());
    }
}
