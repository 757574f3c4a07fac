//! Cocreate's insights: analytics on what people say and how they vote. Pure: the app feeds
//! snapshots in and stores the results; nothing here reads a database, a file or the clock.

pub mod agreement;
pub mod opinion;
pub mod polis;

pub use agreement::adjusted_rand_index;
pub use opinion::{Ballot, Consensus, Distinctive, OpinionGroup, OpinionGroups, opinion_groups};

/// A vote on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opinion {
    Agree,
    Disagree,
    Pass,
}

impl Opinion {
    /// Agree 1, disagree -1, pass 0: the coordinates a vote gives in opinion space.
    pub fn value(self) -> f64 {
        match self {
            Self::Agree => 1.0,
            Self::Disagree => -1.0,
            Self::Pass => 0.0,
        }
    }
}

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
