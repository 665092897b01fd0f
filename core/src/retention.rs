//! How long a pupil's record is kept. The IRMS Information Management
//! Toolkit for Schools keeps a pupil's educational record until their 25th
//! birthday; an AP may set another age. A record comes up for review on
//! that birthday if its placement has ended, and is erased only when an AP
//! admin decides to, leaving an audit entry of what went.

use chrono::{Datelike, NaiveDate};

use crate::api::ErrorDetail;

/// The IRMS toolkit's default: the pupil's 25th birthday.
pub const DEFAULT_AGE: u32 = 25;
/// Bounds on what an AP may set.
pub const AGES: std::ops::RangeInclusive<u32> = 18..=100;

/// The pupil's birthday at `age`; 29 February falls on 28 February in a
/// year without it (the day before they would reach the age in March).
pub fn birthday(date_of_birth: NaiveDate, age: u32) -> NaiveDate {
    let year = date_of_birth.year() + i32::try_from(age).unwrap_or(i32::MAX - 1);
    NaiveDate::from_ymd_opt(year, date_of_birth.month(), date_of_birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
        .unwrap_or(NaiveDate::MAX)
}

/// When a record comes up for review: the birthday at the AP's age, but
/// never before the placement ends. An open placement is not due.
pub fn review_on(
    date_of_birth: NaiveDate,
    ended_on: Option<NaiveDate>,
    age: u32,
) -> Option<NaiveDate> {
    ended_on.map(|ended| birthday(date_of_birth, age).max(ended))
}

pub fn is_due(
    date_of_birth: NaiveDate,
    ended_on: Option<NaiveDate>,
    age: u32,
    today: NaiveDate,
) -> bool {
    review_on(date_of_birth, ended_on, age).is_some_and(|due| due <= today)
}

pub fn check_age(age: u32) -> Result<(), ErrorDetail> {
    if AGES.contains(&age) {
        Ok(())
    } else {
        Err(ErrorDetail::invalid(
            "keep_until_age",
            format!(
                "an age from {} to {} (the IRMS toolkit: 25)",
                AGES.start(),
                AGES.end()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn due_on_the_25th_birthday_once_the_placement_has_ended() {
        let born = d(2001, 6, 2);
        assert_eq!(
            review_on(born, Some(d(2017, 7, 20)), 25),
            Some(d(2026, 6, 2))
        );
        assert!(!is_due(born, Some(d(2017, 7, 20)), 25, d(2026, 6, 1)));
        assert!(is_due(born, Some(d(2017, 7, 20)), 25, d(2026, 6, 2)));
        // An open placement is never due, however old the record.
        assert!(!is_due(born, None, 25, d(2040, 1, 1)));
        // A placement that ends after the birthday is due when it ends.
        assert_eq!(
            review_on(born, Some(d(2026, 9, 1)), 25),
            Some(d(2026, 9, 1))
        );
    }

    #[test]
    fn a_leap_day_birthday_falls_on_the_28th() {
        assert_eq!(birthday(d(2004, 2, 29), 25), d(2029, 2, 28));
        assert_eq!(birthday(d(2004, 2, 29), 24), d(2028, 2, 29));
    }

    #[test]
    fn ages_are_checked() {
        assert!(check_age(25).is_ok());
        assert_eq!(
            check_age(17).unwrap_err().field.as_deref(),
            Some("keep_until_age")
        );
        assert!(check_age(101).is_err());
    }

    proptest! {
        /// Never due before the birthday, nor before the end.
        #[test]
        fn never_early(days in 0i64..40_000, ended in 0i64..40_000, age in 18u32..=100, today in 0i64..60_000) {
            let base = d(1990, 1, 1);
            let born = base + chrono::Duration::days(days);
            let ended = base + chrono::Duration::days(ended);
            let today = base + chrono::Duration::days(today);
            if is_due(born, Some(ended), age, today) {
                prop_assert!(today >= ended);
                prop_assert!(today >= birthday(born, age));
            }
        }
    }
}
