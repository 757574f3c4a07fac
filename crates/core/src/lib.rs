//! Domain types and rules of Cocreate. Pure: no I/O, no async, no database.

pub mod policy;
pub mod time;
pub mod types;

pub use policy::{Action, SpaceAccess, Viewer, allows};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
pub use types::*;
