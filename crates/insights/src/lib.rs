//! Cocreate's insights: analytics on what people say and how they vote. Pure: the app feeds
//! snapshots in and stores the results; nothing here reads a database, a file or the clock.

pub mod agreement;
pub mod duplicates;
pub mod opinion;
pub mod pairwise;
pub mod polis;
pub mod sentiment;
pub mod themes;
pub mod words;

pub use agreement::adjusted_rand_index;
pub use duplicates::{DuplicateIndex, Match};
pub use opinion::{Ballot, Consensus, Distinctive, OpinionGroup, OpinionGroups, opinion_groups};
pub use pairwise::{PairTally, Strength, bradley_terry, next_pair};
pub use sentiment::{Polarity, Reading, SentimentTally, read_sentiment};
pub use themes::{Theme, find_themes};

pub use cocreate_core::Opinion;

/// Why an analysis has no answer.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InsightsError {
    /// The data cannot support an answer yet; the text says what is missing.
    #[error("not enough data: {0}")]
    NotEnoughData(String),
    /// A ballot names a participant or statement outside the counts given.
    #[error("ballot {0} names a participant or statement out of range")]
    OutOfRange(usize),
}
