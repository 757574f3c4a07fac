//! The organisation's time zone: the days people type are whole days in it, and times are shown
//! in it.

use chrono::{Days, NaiveDate, Offset, TimeZone as _};

use crate::{Timestamp, ValidationError};

/// An IANA time zone such as `Europe/Paris`; `UTC` until an admin picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl Default for TimeZone {
    fn default() -> Self {
        Self(chrono_tz::UTC)
    }
}

impl TimeZone {
    /// A zone by its IANA name, as a form or the API sends it; empty means UTC.
    pub fn parse(field: &'static str, name: &str) -> Result<Self, ValidationError> {
        let name = name.trim();
        if name.is_empty() {
            return Ok(Self::default());
        }
        name.parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| ValidationError::new(field, "must be a time zone name like Europe/Paris"))
    }

    /// A zone stored earlier; one no longer known (an older time zone database) reads as UTC.
    pub fn stored(name: &str) -> Self {
        Self::parse("time_zone", name).unwrap_or_default()
    }

    /// Every zone an admin may pick, by name.
    pub fn names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// A short human form for pages, e.g. `2026-11-24 22:52 CET`.
    pub fn display(self, at: Timestamp) -> String {
        self.local(at)
            .map(|t| t.format("%Y-%m-%d %H:%M %Z").to_string())
            .unwrap_or_default()
    }

    /// The day `at` falls on here, as `YYYY-MM-DD`.
    pub fn day_of(self, at: Timestamp) -> String {
        self.local(at)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }

    /// The last day before `until`, for a deadline that falls at the end of a day.
    pub fn last_day_before(self, until: Timestamp) -> String {
        self.day_of(until.plus_millis(-1))
    }

    /// A day typed as `YYYY-MM-DD`, as the moment it starts here; empty means none.
    pub fn start_of_day(
        self,
        field: &'static str,
        text: &str,
    ) -> Result<Option<Timestamp>, ValidationError> {
        Ok(parse_day(field, text)?.map(|day| self.midnight(day)))
    }

    /// A day typed as `YYYY-MM-DD`, as the moment it ends here (the next day's start); empty
    /// means none.
    pub fn end_of_day(
        self,
        field: &'static str,
        text: &str,
    ) -> Result<Option<Timestamp>, ValidationError> {
        let Some(day) = parse_day(field, text)? else {
            return Ok(None);
        };
        let next = day
            .checked_add_days(Days::new(1))
            .ok_or_else(|| ValidationError::new(field, "must be a date before the year 262143"))?;
        Ok(Some(self.midnight(next)))
    }

    fn local(self, at: Timestamp) -> Option<chrono::DateTime<chrono_tz::Tz>> {
        chrono::DateTime::from_timestamp_millis(at.millis()).map(|t| t.with_timezone(&self.0))
    }

    /// When a day starts here. Where a clock change skips midnight, the day starts at the first
    /// moment it has, found from the offset in force just before.
    fn midnight(self, day: NaiveDate) -> Timestamp {
        let naive = day.and_time(chrono::NaiveTime::MIN);
        let utc = match self.0.from_local_datetime(&naive).earliest() {
            Some(start) => start.naive_utc(),
            None => {
                let before = self.0.offset_from_utc_datetime(&naive).fix();
                naive - before
            }
        };
        Timestamp(utc.and_utc().timestamp_millis())
    }
}

fn parse_day(field: &'static str, text: &str) -> Result<Option<NaiveDate>, ValidationError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ValidationError::new(field, "must be a date like 2027-03-31"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::parse("time_zone", name).unwrap()
    }

    fn at(rfc3339: &str) -> Timestamp {
        Timestamp(
            chrono::DateTime::parse_from_rfc3339(rfc3339)
                .unwrap()
                .timestamp_millis(),
        )
    }

    #[test]
    fn days_are_whole_days_in_the_zone() {
        let paris = zone("Europe/Paris");
        assert_eq!(
            paris.start_of_day("opens_at", "2026-12-05").unwrap(),
            Some(at("2026-12-04T23:00:00Z"))
        );
        assert_eq!(
            paris.end_of_day("closes_at", "2026-12-05").unwrap(),
            Some(at("2026-12-05T23:00:00Z"))
        );
        // Summer time: two hours ahead.
        assert_eq!(
            paris.end_of_day("closes_at", "2026-07-01").unwrap(),
            Some(at("2026-07-01T22:00:00Z"))
        );
        assert_eq!(paris.start_of_day("opens_at", " ").unwrap(), None);
        assert_eq!(
            paris
                .end_of_day("closes_at", "31/12/2026")
                .unwrap_err()
                .field,
            "closes_at"
        );
        assert_eq!(
            TimeZone::default()
                .start_of_day("opens_at", "1970-01-02")
                .unwrap(),
            Some(Timestamp(86_400_000))
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_it_can() {
        // Santiago moves its clocks from 00:00 to 01:00 on 2026-09-06: the day starts at 04:00 UTC.
        let santiago = zone("America/Santiago");
        assert_eq!(
            santiago.start_of_day("opens_at", "2026-09-06").unwrap(),
            Some(at("2026-09-06T04:00:00Z"))
        );
        assert_eq!(
            santiago.display(at("2026-09-06T04:00:00Z")),
            "2026-09-06 01:00 -03",
            "the clocks skip midnight that day"
        );
    }

    #[test]
    fn times_and_days_are_shown_in_the_zone() {
        let tokyo = zone("Asia/Tokyo");
        let moment = at("2026-12-04T20:30:00Z");
        assert_eq!(tokyo.display(moment), "2026-12-05 05:30 JST");
        assert_eq!(TimeZone::default().display(moment), "2026-12-04 20:30 UTC");
        assert_eq!(tokyo.day_of(moment), "2026-12-05");
        let closes = tokyo
            .end_of_day("closes_at", "2026-12-05")
            .unwrap()
            .unwrap();
        assert_eq!(tokyo.last_day_before(closes), "2026-12-05");
    }

    #[test]
    fn unknown_zones_are_refused_and_stored_ones_fall_back() {
        assert_eq!(
            TimeZone::parse("time_zone", "Mars/Olympus")
                .unwrap_err()
                .field,
            "time_zone"
        );
        assert_eq!(zone("").name(), "UTC");
        assert_eq!(TimeZone::stored("Mars/Olympus").name(), "UTC");
        assert!(TimeZone::names().any(|name| name == "Pacific/Auckland"));
    }
}
