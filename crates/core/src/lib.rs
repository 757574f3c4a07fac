//! Domain types and rules of Cocreate. Pure: no I/O, no async, no database.

pub mod dialogue;
pub mod ideas;
pub mod mail_text;
pub mod markdown;
pub mod policy;
pub mod ranks;
pub mod text;
pub mod time;
pub mod types;
pub mod zone;

pub use ideas::{Mover, SupportRules, Tier, TierOutcome, TierProgress, TierState};
pub use markdown::Markdown;
pub use policy::{
    Action, Authorship, CommentAccess, CommentAction, IdeaAccess, IdeaAction, SpaceAccess, Viewer,
    allows, allows_on_comment, allows_on_idea,
};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
pub use types::*;
pub use zone::TimeZone;
