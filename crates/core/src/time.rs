//! Time as milliseconds since the Unix epoch, read from an injectable clock so that
//! expiries and deadlines can be tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A point in time, milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn millis(self) -> i64 {
        self.0
    }

    pub const fn plus_minutes(self, minutes: i64) -> Self {
        Self(self.0 + minutes * 60_000)
    }

    pub const fn plus_millis(self, millis: i64) -> Self {
        Self(self.0 + millis)
    }

    /// Reads a moment written as RFC 3339 (`2026-03-01T09:30:00Z`), as a UTC date and time
    /// (`2026-03-01 09:30:00`), or as a UTC day (`2026-03-01`, its midnight).
    pub fn parse(field: &'static str, text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let moment = chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .or_else(|_| {
                chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                    .map(|t| t.and_utc())
            })
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map(|day| day.and_time(chrono::NaiveTime::MIN).and_utc())
            })
            .map_err(|_| {
                ValidationError::new(
                    field,
                    format!(
                        "\"{}\" is not a date: write it as 2026-03-01, 2026-03-01 09:30:00 or \
                         2026-03-01T09:30:00Z",
                        text.chars().take(40).collect::<String>()
                    ),
                )
            })?;
        Ok(Self(moment.timestamp_millis()))
    }

    /// RFC 3339 form, as the API shows it.
    pub fn to_rfc3339(self) -> String {
        chrono::DateTime::from_timestamp_millis(self.0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    }
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(chrono::Utc::now().timestamp_millis())
    }
}

/// A clock that only moves when told to; for tests of expiry and deadlines.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(AtomicI64::new(start.0))
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.0.fetch_add(minutes * 60_000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::new(Timestamp(1_000));
        assert_eq!(clock.now(), Timestamp(1_000));
        clock.advance_minutes(2);
        assert_eq!(clock.now(), Timestamp(121_000));
    }

    #[test]
    fn reads_a_moment_in_three_forms() {
        let at = Timestamp::parse("when", "2026-03-01T10:30:00+01:00").ok();
        assert_eq!(at, Timestamp::parse("when", "2026-03-01 09:30:00").ok());
        assert_eq!(
            at.map(Timestamp::to_rfc3339).as_deref(),
            Some("2026-03-01T09:30:00Z")
        );
        assert_eq!(
            Timestamp::parse("when", "2026-03-01").map(Timestamp::to_rfc3339),
            Ok("2026-03-01T00:00:00Z".to_owned())
        );
        let refused = Timestamp::parse("when", "1 March").err();
        assert_eq!(refused.map(|e| e.field), Some("when"));
    }

    #[test]
    fn formats_as_rfc3339() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
    }
}
