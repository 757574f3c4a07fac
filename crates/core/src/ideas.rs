//! The life of an idea: its stages and who may move it between them, and the support tiers with
//! their deadlines. Pure functions of their inputs, property-tested below.

use std::fmt;

use crate::time::Timestamp;
use crate::types::{Stage, ValidationError};

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// Who asks to move an idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// One of the idea's authors.
    Author,
    /// An employee or admin deciding in public, with a rationale.
    Staff,
    /// Cocreate itself: tiers reached, deadlines passed.
    System,
}

impl Stage {
    /// Launched, declined, expired and merged ideas stay where they are.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            Stage::Launched | Stage::Declined | Stage::Expired | Stage::Merged
        )
    }

    pub const fn label(self) -> &'static str {
        match self {
            Stage::Draft => "Draft",
            Stage::Gathering => "Gathering support",
            Stage::Review => "In review",
            Stage::Accepted => "Accepted (in development)",
            Stage::Launched => "Launched",
            Stage::Declined => "Declined",
            Stage::Expired => "Expired",
            Stage::Merged => "Merged",
        }
    }

    /// Whether `mover` may move an idea from `self` to `to`.
    pub fn may_move(self, to: Stage, mover: Mover) -> bool {
        use Mover::*;
        use Stage::*;
        matches!(
            (self, to, mover),
            (Draft, Gathering, Author | Staff)
                | (Gathering, Review, System | Staff)
                | (Gathering, Expired, System)
                | (Gathering | Review | Accepted, Declined, Staff)
                | (Gathering | Review, Merged, Staff)
                | (Review, Accepted, Staff)
                | (Accepted, Launched, Staff)
        )
    }

    /// The stages staff may move an idea to from here (merging has its own action).
    pub fn staff_moves(self) -> Vec<Stage> {
        Stage::ALL
            .iter()
            .copied()
            .filter(|to| *to != Stage::Merged && self.may_move(*to, Mover::Staff))
            .collect()
    }
}

/// One support tier: reach `supporters` within `days` of reaching the previous tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    pub supporters: i64,
    pub days: i64,
}

/// The tiers an idea climbs while it gathers support; reaching the last sends it to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRules {
    tiers: Vec<Tier>,
}

/// Where an idea stands on its tiers: working on `tier` (0-based), due by `deadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierState {
    pub tier: i64,
    pub deadline: Timestamp,
}

/// How far a gathering idea is from the tier it works toward, and how long it has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierProgress {
    /// The tier worked toward, counted from 1, of `tiers`.
    pub tier: i64,
    pub tiers: i64,
    pub supporters: i64,
    /// The supporters that tier asks for.
    pub target: i64,
    /// Days until the tier's deadline, a part of a day counting as a whole one.
    pub days_left: i64,
}

impl TierProgress {
    /// Supporters still needed to reach the tier.
    pub fn missing(&self) -> i64 {
        (self.target - self.supporters).max(0)
    }
}

/// What a change in the number of supporters does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierOutcome {
    /// Still gathering, possibly on a later tier with a new deadline.
    Gathering(TierState),
    /// The last tier was reached: the idea goes to review.
    ReachedReview,
}

impl Default for SupportRules {
    /// LEGO Ideas' tiers: 100 supporters within 60 days, then 1,000 within 365, then 5,000 and
    /// 10,000 within 182 days each.
    fn default() -> Self {
        Self {
            tiers: vec![
                Tier {
                    supporters: 100,
                    days: 60,
                },
                Tier {
                    supporters: 1_000,
                    days: 365,
                },
                Tier {
                    supporters: 5_000,
                    days: 182,
                },
                Tier {
                    supporters: 10_000,
                    days: 182,
                },
            ],
        }
    }
}

impl SupportRules {
    pub const MAX_TIERS: usize = 10;

    pub fn new(tiers: Vec<Tier>) -> Result<Self, ValidationError> {
        let invalid = |message: &str| ValidationError::new("tiers", message);
        if tiers.is_empty() || tiers.len() > Self::MAX_TIERS {
            return Err(invalid("must have 1 to 10 tiers"));
        }
        if tiers
            .iter()
            .any(|t| !(1..=10_000_000).contains(&t.supporters) || !(1..=3650).contains(&t.days))
        {
            return Err(invalid(
                "each tier needs 1 to 10,000,000 supporters and 1 to 3,650 days",
            ));
        }
        if tiers.windows(2).any(|w| w[1].supporters <= w[0].supporters) {
            return Err(invalid(
                "each tier must ask for more supporters than the one before",
            ));
        }
        Ok(Self { tiers })
    }

    /// Parses the stored and typed form `100/60, 1000/365` (supporters/days, comma-separated).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let tiers = text
            .split(',')
            .map(|part| {
                let (supporters, days) = part.trim().split_once('/').ok_or_else(|| {
                    ValidationError::new(
                        "tiers",
                        "write tiers as supporters/days, e.g. 100/60, 1000/365",
                    )
                })?;
                let number = |s: &str| {
                    s.trim().replace('_', "").parse::<i64>().map_err(|_| {
                        ValidationError::new("tiers", format!("{s:?} is not a whole number"))
                    })
                };
                Ok(Tier {
                    supporters: number(supporters)?,
                    days: number(days)?,
                })
            })
            .collect::<Result<Vec<_>, ValidationError>>()?;
        Self::new(tiers)
    }

    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The state of an idea that starts gathering support at `now`.
    pub fn start(&self, now: Timestamp) -> TierState {
        TierState {
            tier: 0,
            deadline: self.deadline_from(0, now),
        }
    }

    fn deadline_from(&self, tier: i64, now: Timestamp) -> Timestamp {
        let days = self.tiers.get(tier as usize).map_or(0, |t| t.days);
        now.plus_millis(days * DAY_MILLIS)
    }

    /// The tier being worked on, if any is left.
    pub fn target(&self, state: TierState) -> Option<Tier> {
        self.tiers.get(state.tier as usize).copied()
    }

    /// Applies a new supporter count at `now`. Tiers only go up: withdrawing support never takes
    /// a reached tier away.
    pub fn advance(&self, state: TierState, supporters: i64, now: Timestamp) -> TierOutcome {
        let mut tier = state.tier;
        let mut deadline = state.deadline;
        while let Some(target) = self.tiers.get(tier as usize) {
            if supporters < target.supporters {
                return TierOutcome::Gathering(TierState { tier, deadline });
            }
            tier += 1;
            deadline = self.deadline_from(tier, now);
        }
        TierOutcome::ReachedReview
    }

    /// Whether an idea in `state` has missed its deadline at `now`.
    pub fn has_expired(state: TierState, now: Timestamp) -> bool {
        now > state.deadline
    }

    /// Where an idea with `supporters` stands at `now`; none once its deadline has passed (it
    /// takes no more support) or past the last tier.
    pub fn progress(
        &self,
        state: TierState,
        supporters: i64,
        now: Timestamp,
    ) -> Option<TierProgress> {
        if Self::has_expired(state, now) {
            return None;
        }
        let target = self.target(state)?;
        let left = state.deadline.millis() - now.millis();
        Some(TierProgress {
            tier: state.tier + 1,
            tiers: self.tiers.len() as i64,
            supporters,
            target: target.supporters,
            days_left: (left + DAY_MILLIS - 1) / DAY_MILLIS,
        })
    }
}

impl fmt::Display for SupportRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .tiers
            .iter()
            .map(|t| format!("{}/{}", t.supporters, t.days))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const T0: Timestamp = Timestamp(1_700_000_000_000);

    #[test]
    fn progress_counts_the_days_left_and_the_supporters_missing() {
        let rules = SupportRules::parse("10/30, 50/60").unwrap();
        let state = rules.start(T0);
        let progress = rules
            .progress(state, 4, T0.plus_millis(DAY_MILLIS / 2))
            .unwrap();
        assert_eq!(
            progress,
            TierProgress {
                tier: 1,
                tiers: 2,
                supporters: 4,
                target: 10,
                days_left: 30
            },
            "half a day in, the part of day 1 left counts whole"
        );
        assert_eq!(progress.missing(), 6);
        let last_moment = rules.progress(state, 4, state.deadline).unwrap();
        assert_eq!(last_moment.days_left, 0);
        assert_eq!(
            rules.progress(state, 4, state.deadline.plus_millis(1)),
            None
        );
        let second = TierState { tier: 1, ..state };
        assert_eq!(rules.progress(second, 70, T0).unwrap().missing(), 0);
        let past_the_last = TierState { tier: 2, ..state };
        assert_eq!(rules.progress(past_the_last, 70, T0), None);
    }

    #[test]
    fn default_rules_follow_lego_ideas() {
        let rules = SupportRules::default();
        assert_eq!(rules.to_string(), "100/60, 1000/365, 5000/182, 10000/182");
        assert_eq!(SupportRules::parse(&rules.to_string()).unwrap(), rules);
        let start = rules.start(T0);
        assert_eq!(start.deadline, T0.plus_millis(60 * DAY_MILLIS));
        let later = T0.plus_millis(10 * DAY_MILLIS);
        assert_eq!(
            rules.advance(start, 99, later),
            TierOutcome::Gathering(start)
        );
        assert_eq!(
            rules.advance(start, 100, later),
            TierOutcome::Gathering(TierState {
                tier: 1,
                deadline: later.plus_millis(365 * DAY_MILLIS)
            })
        );
        assert_eq!(
            rules.advance(start, 10_000, later),
            TierOutcome::ReachedReview
        );
    }

    #[test]
    fn bad_rules_are_refused() {
        for bad in [
            "",
            "100",
            "100/0",
            "0/10",
            "100/60, 50/60",
            "a/b",
            "100/60,200/99999",
        ] {
            assert_eq!(
                SupportRules::parse(bad).unwrap_err().field,
                "tiers",
                "{bad}"
            );
        }
        assert_eq!(SupportRules::parse("3/1, 5/2").unwrap().tiers().len(), 2);
    }

    #[test]
    fn who_moves_what() {
        assert!(Stage::Draft.may_move(Stage::Gathering, Mover::Author));
        assert!(
            !Stage::Gathering.may_move(Stage::Accepted, Mover::Staff),
            "review comes first"
        );
        assert!(
            !Stage::Gathering.may_move(Stage::Expired, Mover::Staff),
            "only deadlines expire ideas"
        );
        assert!(!Stage::Review.may_move(Stage::Accepted, Mover::Author));
        for stage in Stage::ALL {
            if stage.is_final() {
                assert!(
                    Stage::ALL
                        .iter()
                        .all(|to| !stage.may_move(*to, Mover::Staff)),
                    "{stage} is final"
                );
            }
        }
        assert_eq!(
            Stage::Review.staff_moves(),
            vec![Stage::Accepted, Stage::Declined]
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Support(u8),
        Withdraw(u8),
        Wait(u16),
        Move(usize, bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..12).prop_map(Op::Support),
            2 => (0u8..12).prop_map(Op::Withdraw),
            1 => (0u16..40).prop_map(Op::Wait),
            1 => (0usize..8, any::<bool>()).prop_map(|(i, staff)| Op::Move(i, staff)),
        ]
    }

    proptest! {
        /// Any sequence of supports, withdrawals, waiting and attempted moves keeps the idea in a
        /// stage reached only by allowed moves, with a count equal to its distinct supporters.
        #[test]
        fn no_sequence_reaches_an_illegal_state(ops in proptest::collection::vec(op(), 0..120)) {
            let rules = SupportRules::parse("3/5, 6/5, 9/5").unwrap();
            let mut now = T0;
            let mut stage = Stage::Gathering;
            let mut state = rules.start(now);
            let mut supporters = BTreeSet::new();
            for op in ops {
                if stage == Stage::Gathering && SupportRules::has_expired(state, now) {
                    prop_assert!(stage.may_move(Stage::Expired, Mover::System));
                    stage = Stage::Expired;
                }
                match op {
                    Op::Support(who) | Op::Withdraw(who) if stage == Stage::Gathering => {
                        if matches!(op, Op::Support(_)) { supporters.insert(who); } else { supporters.remove(&who); }
                        match rules.advance(state, supporters.len() as i64, now) {
                            TierOutcome::Gathering(next) => {
                                prop_assert!(next.tier >= state.tier, "tiers never go down");
                                state = next;
                            }
                            TierOutcome::ReachedReview => {
                                prop_assert!(stage.may_move(Stage::Review, Mover::System));
                                prop_assert!(supporters.len() >= 9);
                                stage = Stage::Review;
                            }
                        }
                    }
                    Op::Support(_) | Op::Withdraw(_) => {}
                    Op::Wait(days) => now = now.plus_millis(i64::from(days) * DAY_MILLIS / 4),
                    Op::Move(index, staff) => {
                        let to = Stage::ALL[index];
                        let mover = if staff { Mover::Staff } else { Mover::Author };
                        if stage.may_move(to, mover) {
                            prop_assert!(!stage.is_final());
                            stage = to;
                        }
                    }
                }
                prop_assert!(state.tier <= rules.tiers().len() as i64);
                if stage == Stage::Gathering {
                    let target = rules.target(state).unwrap();
                    prop_assert!((supporters.len() as i64) < target.supporters || state.tier > 0);
                }
            }
        }
    }
}
