//! Slowing down password guessing. Failed sign-ins are counted per account
//! (by the email typed, whether or not it has an account, so the lock itself
//! reveals nothing) and per client address; enough of them lock that key for
//! a while, longer the more there are.

use chrono::{DateTime, Duration, Utc};

/// Failures older than this no longer count.
pub fn window() -> Duration {
    Duration::hours(1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Account,
    Address,
}

/// How long a key is locked after its `failures`-th failure within the window.
/// An address is shared by a whole school behind one router, so it gets more slack.
pub fn lock_after(key: Key, failures: u32) -> Option<Duration> {
    let (first, second, third) = match key {
        Key::Account => (5, 10, 20),
        Key::Address => (30, 60, 120),
    };
    match failures {
        n if n >= third => Some(Duration::hours(1)),
        n if n >= second => Some(Duration::minutes(15)),
        n if n >= first => Some(Duration::minutes(1)),
        _ => None,
    }
}

/// The state kept for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub failures: u32,
    pub first_failed_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl Record {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }

    /// The record after one more failure at `now`.
    pub fn fail(previous: Option<&Record>, key: Key, now: DateTime<Utc>) -> Record {
        let (failures, first) = match previous {
            Some(r) if now - r.first_failed_at < window() => (r.failures + 1, r.first_failed_at),
            _ => (1, now),
        };
        Record {
            failures,
            first_failed_at: first,
            locked_until: lock_after(key, failures).map(|d| now + d),
        }
    }
}

/// What a locked person is told, the same whichever key is locked.
pub fn locked_message(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = ((until - now).num_seconds() + 59) / 60;
    format!(
        "too many failed sign-ins; wait {} minute{} and try again, or reset your password",
        minutes.max(1),
        if minutes > 1 { "s" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn five_account_failures_lock_for_a_minute() {
        let now = t("2026-12-04T09:00:00Z");
        let mut record = None;
        for n in 1..=5 {
            let r = Record::fail(record.as_ref(), Key::Account, now);
            assert_eq!(r.failures, n);
            assert_eq!(r.is_locked(now), n == 5, "after {n}");
            record = Some(r);
        }
        let r = record.expect("record");
        assert!(!r.is_locked(now + Duration::seconds(61)));
    }

    #[test]
    fn failures_outside_the_window_start_again() {
        let now = t("2026-12-04T09:00:00Z");
        let old = Record {
            failures: 9,
            first_failed_at: now - Duration::hours(2),
            locked_until: None,
        };
        assert_eq!(Record::fail(Some(&old), Key::Account, now).failures, 1);
    }

    #[test]
    fn addresses_get_more_slack_than_accounts() {
        assert!(lock_after(Key::Address, 5).is_none());
        assert!(lock_after(Key::Address, 30).is_some());
    }

    #[test]
    fn message_rounds_up_to_whole_minutes() {
        let now = t("2026-12-04T09:00:00Z");
        assert!(locked_message(now + Duration::seconds(61), now).contains("2 minutes"));
        assert!(locked_message(now + Duration::seconds(10), now).contains("1 minute "));
    }

    proptest! {
        #[test]
        fn locks_never_shrink_as_failures_grow(n in 0u32..200) {
            for key in [Key::Account, Key::Address] {
                prop_assert!(lock_after(key, n) <= lock_after(key, n + 1));
            }
        }
    }
}
