//! Rank formulas for idea lists, pure so they are tested here and computed in Rust (SQLite has no
//! `log` or `power`). Stored as integers in indexed columns.

use crate::time::Timestamp;

/// How long it takes an idea's activity to lose half its weight in the hot list.
const HOT_HALF_LIFE_MILLIS: f64 = 24.0 * 3_600_000.0;
/// What a rank is multiplied by before it is stored as an integer.
const SCALE: f64 = 1_000_000.0;

/// "Hot": activity (supporters, and comments at half weight) whose weight halves with each day of
/// age, stored as its base-2 logarithm measured from the epoch:
/// `log2(activity + 1) + created_at_days`, scaled to an integer.
///
/// Comparing two ideas now, `a1 * 2^-(age1) > a2 * 2^-(age2)`, is comparing those logarithms, and
/// the clock adds the same amount to both sides: the order never changes with time alone. So a
/// rank moves only when its idea's activity does, in that write, and no refresh has to rewrite
/// ideas as they age.
pub fn hot(supporters: i64, comments: i64, created_at: Timestamp) -> i64 {
    let activity = supporters.max(0) as f64 + comments.max(0) as f64 / 2.0 + 1.0;
    let created_days = created_at.millis() as f64 / HOT_HALF_LIFE_MILLIS;
    ((activity.log2() + created_days) * SCALE).round() as i64
}

/// "Trending": the supporters gained in the last week.
pub const TRENDING_DAYS: i64 = 7;

/// When the trending window that ends at `now` begins.
pub const fn trending_since(now: Timestamp) -> Timestamp {
    now.plus_minutes(-TRENDING_DAYS * 24 * 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: Timestamp = Timestamp(1_800_000_000_000);

    fn hours_ago(hours: i64) -> Timestamp {
        Timestamp(NOW.millis() - hours * 3_600_000)
    }

    /// The weight the formula stands for, seen at `now`.
    fn decayed(supporters: i64, comments: i64, created_at: Timestamp, now: Timestamp) -> f64 {
        let activity = supporters as f64 + comments as f64 / 2.0 + 1.0;
        let age = (now.millis() - created_at.millis()) as f64 / HOT_HALF_LIFE_MILLIS;
        activity * (-age).exp2()
    }

    #[test]
    fn newer_and_busier_ranks_higher() {
        assert!(hot(10, 0, hours_ago(1)) > hot(10, 0, hours_ago(48)));
        assert!(hot(50, 0, hours_ago(5)) > hot(5, 0, hours_ago(5)));
        assert!(hot(0, 10, hours_ago(5)) > hot(0, 0, hours_ago(5)));
        // A day of age halves the weight: twice the activity a day older ties.
        assert_eq!(hot(1, 0, hours_ago(24)), hot(0, 0, hours_ago(0)));
    }

    proptest! {
        #[test]
        fn hot_is_monotonic(s in 0i64..100_000, c in 0i64..10_000, age in 0i64..100_000) {
            let at = hours_ago(age);
            prop_assert!(hot(s + 1, c, at) >= hot(s, c, at));
            prop_assert!(hot(s, c, at) >= hot(s, c, hours_ago(age + 1)));
        }

        /// The stored rank orders two ideas as their decayed activity does, at any moment.
        #[test]
        fn hot_orders_as_decayed_activity_at_any_time(
            s1 in 0i64..10_000, c1 in 0i64..1_000, age1 in 0i64..2_000,
            s2 in 0i64..10_000, c2 in 0i64..1_000, age2 in 0i64..2_000,
            later in 0i64..100_000,
        ) {
            let (at1, at2) = (hours_ago(age1), hours_ago(age2));
            let now = NOW.plus_minutes(later * 60);
            let (w1, w2) = (decayed(s1, c1, at1, now), decayed(s2, c2, at2, now));
            // Ties within the stored precision may fall either way.
            if (w1 / w2).log2().abs() > 1e-5 {
                prop_assert_eq!(hot(s1, c1, at1) > hot(s2, c2, at2), w1 > w2);
            }
        }
    }
}
