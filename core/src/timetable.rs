//! When a weekly session actually happens. Sessions are timetabled in London
//! wall-clock time on a weekday; an occurrence is that slot on one date,
//! inside term, not cancelled, as UTC instants (see [`crate::london`] for the
//! BST changeovers).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

use crate::london;

/// One line of a placement's weekly timetable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySession {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// The dates a placement runs on: its own start and (planned) end, the AP's
/// terms, and any cancelled dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub starts: Option<NaiveDate>,
    pub ends: Option<NaiveDate>,
    /// Inclusive term ranges; empty means every week of the year.
    pub terms: Vec<(NaiveDate, NaiveDate)>,
    pub cancelled: Vec<NaiveDate>,
    /// One-off changes of time: on this date the session runs from..to instead.
    pub moved: Vec<(NaiveDate, NaiveTime, NaiveTime)>,
}

impl Calendar {
    pub fn runs_on(&self, date: NaiveDate) -> bool {
        self.starts.is_none_or(|s| date >= s)
            && self.ends.is_none_or(|e| date <= e)
            && (self.terms.is_empty() || self.terms.iter().any(|(a, b)| (*a..=*b).contains(&date)))
            && !self.cancelled.contains(&date)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The session on `date`, if it happens that day.
pub fn occurrence(
    session: &WeeklySession,
    date: NaiveDate,
    calendar: &Calendar,
) -> Option<Occurrence> {
    if date.weekday() != session.weekday || !calendar.runs_on(date) {
        return None;
    }
    let (start, end) = calendar
        .moved
        .iter()
        .find(|(d, _, _)| *d == date)
        .map_or((session.start, session.end), |(_, s, e)| (*s, *e));
    let ends_at = london::to_utc(date, end);
    // A start inside the spring-forward gap moves on by an hour and can pass
    // an end just after the gap (01:30–02:00 on changeover night): such a
    // session is empty, starting as it ends, never ending before it starts.
    let starts_at = london::to_utc(date, start).min(ends_at);
    Some(Occurrence {
        date,
        starts_at,
        ends_at,
    })
}

/// Every occurrence from `from` to `to` inclusive, in date order.
pub fn occurrences(
    session: &WeeklySession,
    from: NaiveDate,
    to: NaiveDate,
    calendar: &Calendar,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut date = from;
    while date <= to {
        out.extend(occurrence(session, date, calendar));
        date += Duration::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }
    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn changeover_sundays_land_at_the_right_instant() {
        let sunday = |start, end| WeeklySession {
            weekday: Weekday::Sun,
            start,
            end,
        };
        let open = Calendar::default();
        // 29 March 2026: 01:00 GMT becomes 02:00 BST.
        let spring = occurrence(&sunday(t(9, 0), t(11, 0)), d(2026, 3, 29), &open).expect("runs");
        assert_eq!(
            (spring.starts_at, spring.ends_at),
            (at("2026-03-29T08:00:00Z"), at("2026-03-29T10:00:00Z"))
        );
        // A session across the jump is an hour shorter in real time.
        let across = occurrence(&sunday(t(0, 30), t(3, 0)), d(2026, 3, 29), &open).expect("runs");
        assert_eq!(across.ends_at - across.starts_at, Duration::minutes(90));
        // 25 October 2026: 02:00 BST becomes 01:00 GMT.
        let autumn = occurrence(&sunday(t(9, 0), t(11, 0)), d(2026, 10, 25), &open).expect("runs");
        assert_eq!(autumn.starts_at, at("2026-10-25T09:00:00Z"));
        let saturday_before = occurrence(
            &WeeklySession {
                weekday: Weekday::Sat,
                start: t(9, 0),
                end: t(11, 0),
            },
            d(2026, 10, 24),
            &open,
        )
        .expect("runs");
        assert_eq!(saturday_before.starts_at, at("2026-10-24T08:00:00Z"));
    }

    #[test]
    fn a_start_in_the_spring_gap_never_passes_the_end() {
        let night = WeeklySession {
            weekday: Weekday::Sun,
            start: t(1, 31),
            end: t(2, 0),
        };
        let o = occurrence(&night, d(2024, 3, 31), &Calendar::default()).expect("runs");
        assert_eq!(
            (o.starts_at, o.ends_at),
            (at("2024-03-31T01:00:00Z"), at("2024-03-31T01:00:00Z"))
        );
    }

    #[test]
    fn terms_placement_dates_and_cancellations_are_respected() {
        let monday = WeeklySession {
            weekday: Weekday::Mon,
            start: t(9, 30),
            end: t(12, 0),
        };
        let calendar = Calendar {
            starts: Some(d(2026, 11, 2)),
            ends: Some(d(2026, 12, 14)),
            terms: vec![(d(2026, 9, 3), d(2026, 12, 18))],
            cancelled: vec![d(2026, 11, 23)],
            moved: vec![(d(2026, 11, 30), t(13, 0), t(15, 0))],
        };
        let dates: Vec<NaiveDate> = occurrences(&monday, d(2026, 10, 1), d(2027, 1, 31), &calendar)
            .iter()
            .map(|o| o.date)
            .collect();
        assert_eq!(dates.first(), Some(&d(2026, 11, 2)));
        assert_eq!(dates.last(), Some(&d(2026, 12, 14)));
        assert!(!dates.contains(&d(2026, 11, 23)));
        assert_eq!(dates.len(), 6);
        let moved = occurrence(&monday, d(2026, 11, 30), &calendar).expect("runs, later");
        assert_eq!(moved.starts_at, at("2026-11-30T13:00:00Z"));
        assert!(
            occurrence(&monday, d(2026, 11, 3), &calendar).is_none(),
            "a Tuesday"
        );
    }

    proptest! {
        #[test]
        fn every_occurrence_is_its_weekday_in_order_and_forward(
            day in 0i64..5000,
            weekday in 0u8..7,
            start_min in 0u32..(23 * 60),
            length in 15u32..240,
        ) {
            let from = d(2024, 1, 1) + Duration::days(day);
            let start = t(start_min / 60, start_min % 60);
            let end_min = (start_min + length).min(23 * 60 + 59);
            let session = WeeklySession {
                weekday: Weekday::try_from(weekday).expect("weekday"),
                start,
                end: t(end_min / 60, end_min % 60),
            };
            let found = occurrences(&session, from, from + Duration::days(20), &Calendar::default());
            prop_assert!(found.len() >= 2 && found.len() <= 3);
            for pair in found.windows(2) {
                prop_assert_eq!(pair[1].date - pair[0].date, Duration::days(7));
                prop_assert!(pair[0].starts_at < pair[1].starts_at);
            }
            for o in &found {
                prop_assert_eq!(o.date.weekday(), session.weekday);
                prop_assert!(o.starts_at <= o.ends_at);
                // Off the changeover night, the instant reads back as the timetabled time.
                if start.hour() != 1 {
                    prop_assert_eq!(london::local_time(o.starts_at), start);
                    prop_assert_eq!(london::local_date(o.starts_at), o.date);
                }
            }
        }
    }
}
