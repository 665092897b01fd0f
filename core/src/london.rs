//! Europe/London wall-clock time. Sessions are timetabled in local time; instants
//! are stored in UTC. BST changeovers: a local time that does not exist (the
//! spring-forward gap) moves forward by the gap; one that happens twice (the
//! autumn fall-back) means its first occurrence.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Europe::London;

pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&London).date_naive()
}

pub fn local_time(instant: DateTime<Utc>) -> NaiveTime {
    instant.with_timezone(&London).time()
}

/// `HH:MM` in London time.
pub fn clock(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&London).format("%H:%M").to_string()
}

/// The instant at which London clocks show `time` on `date`.
pub fn to_utc(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = NaiveDateTime::new(date, time);
    match London.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        // In the gap, clocks jumped from 01:00 to 02:00; 01:30 "happens" at 02:30 BST.
        chrono::LocalResult::None => {
            let before = London.from_utc_datetime(&(local - Duration::hours(1)));
            let offset = before.offset().fix().local_minus_utc();
            DateTime::<Utc>::from_naive_utc_and_offset(
                local - Duration::seconds(i64::from(offset)),
                Utc,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }
    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn winter_is_utc_and_summer_is_bst() {
        assert_eq!(to_utc(d(2026, 12, 4), t(9, 0)), utc("2026-12-04T09:00:00Z"));
        assert_eq!(to_utc(d(2026, 6, 4), t(9, 0)), utc("2026-06-04T08:00:00Z"));
    }

    #[test]
    fn spring_gap_moves_forward() {
        // 2026-03-29: clocks go 01:00 GMT -> 02:00 BST.
        assert_eq!(
            to_utc(d(2026, 3, 29), t(1, 30)),
            utc("2026-03-29T01:30:00Z")
        );
        assert_eq!(to_utc(d(2026, 3, 29), t(2, 0)), utc("2026-03-29T01:00:00Z"));
    }

    #[test]
    fn autumn_overlap_takes_the_first() {
        // 2026-10-25: clocks go 02:00 BST -> 01:00 GMT; 01:30 happens twice.
        assert_eq!(
            to_utc(d(2026, 10, 25), t(1, 30)),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            to_utc(d(2026, 10, 25), t(9, 0)),
            utc("2026-10-25T09:00:00Z")
        );
    }

    #[test]
    fn date_rolls_over_at_london_midnight() {
        assert_eq!(local_date(utc("2026-06-04T23:30:00Z")), d(2026, 6, 5));
        assert_eq!(local_date(utc("2026-12-04T23:30:00Z")), d(2026, 12, 4));
        assert_eq!(clock(utc("2026-06-04T08:05:00Z")), "09:05");
    }

    proptest! {
        #[test]
        fn local_round_trip(secs in 1_700_000_000i64..2_100_000_000i64) {
            let instant = DateTime::<Utc>::from_timestamp(secs - secs % 60, 0).expect("in range");
            let back = to_utc(local_date(instant), local_time(instant));
            // Equal except in the repeated autumn hour, where the first is chosen.
            prop_assert!(back == instant || back == instant - Duration::hours(1));
        }
    }
}
