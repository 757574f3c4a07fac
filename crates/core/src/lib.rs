//! Domain types and rules of Cocreate. Pure: no I/O, no async, no database.

pub mod dialogue;
pub mod ideas;
pub mod markdown;
pub mod policy;
pub mod ranks;
pub mod time;
pub mod types;

pub use ideas::{Mover, SupportRules, Tier, TierOutcome, TierState};
pub use markdown::Markdown;
pub use policy::{Action, SpaceAccess, Viewer, allows};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
pub use types::*;
