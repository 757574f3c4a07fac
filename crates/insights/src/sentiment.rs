//! Sentiment of a text, English first. The language is detected (`whatlang`); a text in another
//! language is marked as such rather than scored by an English lexicon. Short English statements
//! fool a trigram detector now and then ("Feminist first generation immigrant" reads as Latin), so
//! a text counts as another language only when it is long enough, the detector is confident, and
//! it has next to none of English's function words. English text is
//! scored by VADER (`vader_sentiment`): a lexicon of words rated by people, with rules for
//! negation ("not good"), emphasis ("very", "!!!") and contrast ("but"). Its compound score runs
//! from -1 (most negative) to 1 (most positive).

use whatlang::Lang;

use crate::words::english_function_share;

/// Compound scores within this distance of zero are neutral (VADER's own convention).
pub const NEUTRAL_BAND: f64 = 0.05;

/// What reading a text found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// English (or too short to tell), scored from -1 to 1.
    Scored(f64),
    /// Reliably in another language: its ISO 639-3 code and English name. Not scored.
    OtherLanguage {
        code: &'static str,
        name: &'static str,
    },
}

/// Texts shorter than this many words are taken as English.
const LANGUAGE_MIN_WORDS: usize = 5;
/// How sure the detector must be of another language.
const LANGUAGE_MIN_CONFIDENCE: f64 = 0.5;
/// A text with at least this share of English function words is English, whatever the detector
/// says.
const ENGLISH_FUNCTION_SHARE: f64 = 0.1;

/// Where a score falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    Negative,
    Neutral,
    Positive,
}

impl Polarity {
    pub fn of(score: f64) -> Self {
        if score >= NEUTRAL_BAND {
            Self::Positive
        } else if score <= -NEUTRAL_BAND {
            Self::Negative
        } else {
            Self::Neutral
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Negative => "negative",
            Self::Neutral => "neutral",
            Self::Positive => "positive",
        }
    }
}

/// Reads one text. Texts with no letters score 0.
pub fn read_sentiment(text: &str) -> Reading {
    let (words, function_share) = english_function_share(text);
    if words >= LANGUAGE_MIN_WORDS
        && function_share < ENGLISH_FUNCTION_SHARE
        && let Some(info) = whatlang::detect(text)
        && info.lang() != Lang::Eng
        && info.confidence() >= LANGUAGE_MIN_CONFIDENCE
    {
        return Reading::OtherLanguage {
            code: info.lang().code(),
            name: info.lang().eng_name(),
        };
    }
    let analyzer = vader_sentiment::SentimentIntensityAnalyzer::new();
    let compound = analyzer
        .polarity_scores(text)
        .get("compound")
        .copied()
        .unwrap_or(0.0);
    // The lexicon's arithmetic is finite for any text; the clamp keeps a stored figure in range
    // whatever a future lexicon does.
    Reading::Scored(if compound.is_finite() {
        compound.clamp(-1.0, 1.0)
    } else {
        0.0
    })
}

/// Sentiment of many texts taken together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SentimentTally {
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Texts in other languages, counted but not scored.
    pub other_language: u64,
    sum: f64,
}

impl SentimentTally {
    pub fn add(&mut self, reading: Reading) {
        match reading {
            Reading::Scored(score) => {
                self.sum += score;
                match Polarity::of(score) {
                    Polarity::Positive => self.positive += 1,
                    Polarity::Neutral => self.neutral += 1,
                    Polarity::Negative => self.negative += 1,
                }
            }
            Reading::OtherLanguage { .. } => self.other_language += 1,
        }
    }

    pub fn merge(&mut self, other: &Self) {
        self.positive += other.positive;
        self.neutral += other.neutral;
        self.negative += other.negative;
        self.other_language += other.other_language;
        self.sum += other.sum;
    }

    /// Texts scored.
    pub fn scored(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }

    /// The mean score, when any text was scored.
    pub fn mean(&self) -> Option<f64> {
        let scored = self.scored();
        (scored > 0).then(|| self.sum / scored as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(text: &str) -> f64 {
        match read_sentiment(text) {
            Reading::Scored(score) => score,
            other => panic!("{text:?} was not scored: {other:?}"),
        }
    }

    #[test]
    fn praise_complaint_and_plain_statements_fall_apart() {
        assert_eq!(
            Polarity::of(score("The new tent is great, I love how fast it goes up")),
            Polarity::Positive
        );
        assert_eq!(
            Polarity::of(score(
                "The zip broke on the first night and the tent leaked. Terrible."
            )),
            Polarity::Negative
        );
        assert_eq!(
            Polarity::of(score("Add a second door to the tent")),
            Polarity::Neutral
        );
    }

    #[test]
    fn negation_turns_a_word_around() {
        assert!(score("The jacket is good") > 0.3);
        assert!(score("The jacket is not good") < 0.0);
    }

    #[test]
    fn other_languages_are_marked_not_scored() {
        for (text, code) in [
            (
                "La tente est magnifique mais la fermeture éclair s'est cassée dès la première nuit",
                "fra",
            ),
            (
                "Das Zelt ist wunderbar, aber der Reißverschluss ist in der ersten Nacht kaputt gegangen",
                "deu",
            ),
            (
                "La tienda es maravillosa pero la cremallera se rompió la primera noche",
                "spa",
            ),
            (
                "Sarebbe bello avere una tenda più leggera per le escursioni",
                "ita",
            ),
        ] {
            assert!(
                matches!(read_sentiment(text), Reading::OtherLanguage { code: found, .. } if found == code),
                "{text:?}: {:?}",
                read_sentiment(text)
            );
        }
    }

    #[test]
    fn short_english_the_detector_misreads_is_still_english() {
        for text in [
            "Feminist first generation immigrant",
            "we pay taxes but we dont get a force",
            "Black lives matter. We must end police violence against our fellow citizens.",
        ] {
            assert!(
                matches!(read_sentiment(text), Reading::Scored(_)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn empty_and_wordless_texts_score_zero() {
        for text in ["", "   ", "1234 5678", "!!!", "🙂🙂"] {
            let reading = read_sentiment(text);
            assert!(
                matches!(reading, Reading::Scored(score) if (-1.0..=1.0).contains(&score)),
                "{text:?}: {reading:?}"
            );
        }
        assert_eq!(read_sentiment(""), Reading::Scored(0.0));
    }

    #[test]
    fn a_tally_counts_each_polarity_and_averages_only_scored_texts() {
        let mut tally = SentimentTally::default();
        assert_eq!(tally.mean(), None);
        for reading in [
            Reading::Scored(0.5),
            Reading::Scored(-0.25),
            Reading::Scored(0.0),
            Reading::OtherLanguage {
                code: "fra",
                name: "French",
            },
        ] {
            tally.add(reading);
        }
        assert_eq!(
            (
                tally.positive,
                tally.neutral,
                tally.negative,
                tally.other_language
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(tally.mean(), Some(0.25 / 3.0));
    }
}
