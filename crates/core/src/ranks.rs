//! Rank formulas for idea lists, pure so they are tested here and computed in Rust (SQLite has no
//! `log` or `power`). Stored as integers in indexed columns and refreshed in batches.

use crate::time::Timestamp;

const HOUR_MILLIS: f64 = 3_600_000.0;
/// What a rank is multiplied by before it is stored as an integer.
const SCALE: f64 = 1_000_000.0;

/// "Hot": activity (supporters, and comments at half weight) decaying with age, as Hacker News
/// ranks stories: `(activity + 1) / (age_hours + 2)^1.5`, scaled to an integer.
pub fn hot(supporters: i64, comments: i64, created_at: Timestamp, now: Timestamp) -> i64 {
    let activity = supporters.max(0) as f64 + comments.max(0) as f64 / 2.0 + 1.0;
    let age_hours = ((now.millis() - created_at.millis()).max(0) as f64) / HOUR_MILLIS;
    let score = activity / (age_hours + 2.0).powf(1.5);
    (score * SCALE).round() as i64
}

/// "Trending": the supporters gained in the last week.
pub const TRENDING_DAYS: i64 = 7;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: Timestamp = Timestamp(1_800_000_000_000);

    fn hours_ago(hours: i64) -> Timestamp {
        Timestamp(NOW.millis() - hours * 3_600_000)
    }

    #[test]
    fn newer_and_busier_ranks_higher() {
        assert!(hot(10, 0, hours_ago(1), NOW) > hot(10, 0, hours_ago(48), NOW));
        assert!(hot(50, 0, hours_ago(5), NOW) > hot(5, 0, hours_ago(5), NOW));
        assert!(hot(0, 10, hours_ago(5), NOW) > hot(0, 0, hours_ago(5), NOW));
        assert!(hot(0, 0, NOW, NOW) > 0);
    }

    proptest! {
        #[test]
        fn hot_is_monotonic(s in 0i64..100_000, c in 0i64..10_000, age in 0i64..100_000) {
            let at = hours_ago(age);
            prop_assert!(hot(s + 1, c, at, NOW) >= hot(s, c, at, NOW));
            prop_assert!(hot(s, c, at, NOW) >= hot(s, c, hours_ago(age + 1), NOW));
            prop_assert!(hot(s, c, at, NOW) >= 0);
        }
    }
}
