//! The live dashboard's reading of a session today: one state from the
//! register, the escort's hand-overs, alerts and the clock.

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::attendance::MarkKind;

/// How long after the start a session with no mark counts as missing when
/// neither the AP nor the session says otherwise (alerts use the same grace).
pub const DEFAULT_GRACE: Duration = Duration::minutes(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Nothing yet, and it is not late.
    Expected,
    PickedUp,
    DroppedOff,
    /// Registered present.
    Arrived,
    /// Registered late.
    Late,
    /// Registered absent (with a reason, or "not yet known").
    Absent,
    /// The grace period has passed with no mark.
    Missing,
    /// Missing, and a missed-arrival alert has gone out.
    Alerted,
}

impl SessionState {
    pub const ALL: [SessionState; 8] = [
        SessionState::Expected,
        SessionState::PickedUp,
        SessionState::DroppedOff,
        SessionState::Arrived,
        SessionState::Late,
        SessionState::Absent,
        SessionState::Missing,
        SessionState::Alerted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Expected => "expected",
            SessionState::PickedUp => "picked_up",
            SessionState::DroppedOff => "dropped_off",
            SessionState::Arrived => "arrived",
            SessionState::Late => "late",
            SessionState::Absent => "absent",
            SessionState::Missing => "missing",
            SessionState::Alerted => "alerted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SessionState::Expected => "Expected",
            SessionState::PickedUp => "Picked up",
            SessionState::DroppedOff => "Dropped off",
            SessionState::Arrived => "Arrived",
            SessionState::Late => "Late",
            SessionState::Absent => "Absent",
            SessionState::Missing => "Missing",
            SessionState::Alerted => "Alerted",
        }
    }

    /// Whether someone should act on it now.
    pub fn needs_attention(self) -> bool {
        matches!(self, SessionState::Missing | SessionState::Alerted)
    }
}

/// What is known about one session today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Observed {
    /// The kind of the mark that counts (by the conflict rule), if any.
    pub mark: Option<MarkKind>,
    pub picked_up: bool,
    pub dropped_off: bool,
    /// A missed-arrival alert has been raised for it.
    pub alerted: bool,
}

/// A register mark settles the state; without one, the clock decides whether
/// the pupil is missing, and the hand-overs show how far the journey got.
pub fn state(
    observed: Observed,
    starts_at: DateTime<Utc>,
    grace: Duration,
    now: DateTime<Utc>,
) -> SessionState {
    match observed.mark {
        Some(MarkKind::Present) => SessionState::Arrived,
        Some(MarkKind::Late) => SessionState::Late,
        Some(MarkKind::Absent) => SessionState::Absent,
        None if observed.alerted => SessionState::Alerted,
        None if now >= starts_at + grace => SessionState::Missing,
        None => journey(observed),
    }
}

/// How far the taxi run got, and nothing more: what an escort, who sees no
/// register, is shown.
pub fn journey(observed: Observed) -> SessionState {
    if observed.dropped_off {
        SessionState::DroppedOff
    } else if observed.picked_up {
        SessionState::PickedUp
    } else {
        SessionState::Expected
    }
}

/// The figures at the top of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    pub total: u32,
    pub expected: u32,
    /// Picked up or dropped off, not yet registered.
    pub on_the_way: u32,
    /// Arrived or late.
    pub arrived: u32,
    pub late: u32,
    pub absent: u32,
    /// Missing or alerted.
    pub missing: u32,
}

impl Counts {
    pub fn of(states: impl IntoIterator<Item = SessionState>) -> Counts {
        let mut c = Counts::default();
        for s in states {
            c.total += 1;
            match s {
                SessionState::Expected => c.expected += 1,
                SessionState::PickedUp | SessionState::DroppedOff => c.on_the_way += 1,
                SessionState::Arrived => c.arrived += 1,
                SessionState::Late => {
                    c.arrived += 1;
                    c.late += 1;
                }
                SessionState::Absent => c.absent += 1,
                SessionState::Missing | SessionState::Alerted => c.missing += 1,
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + minute * 60, 0).expect("instant")
    }

    #[test]
    fn the_journey_shows_until_the_grace_runs_out() {
        let start = at(0);
        let seen = |picked_up, dropped_off| Observed {
            picked_up,
            dropped_off,
            ..Observed::default()
        };
        let s = |o, m| state(o, start, DEFAULT_GRACE, at(m));
        assert_eq!(s(seen(false, false), -30), SessionState::Expected);
        assert_eq!(s(seen(true, false), -20), SessionState::PickedUp);
        assert_eq!(s(seen(true, true), -5), SessionState::DroppedOff);
        assert_eq!(s(seen(true, true), 9), SessionState::DroppedOff);
        assert_eq!(s(seen(true, true), 10), SessionState::Missing);
        assert_eq!(s(seen(false, false), 10), SessionState::Missing);
        let alerted = Observed {
            alerted: true,
            ..seen(true, true)
        };
        assert_eq!(s(alerted, 12), SessionState::Alerted);
    }

    #[test]
    fn a_mark_settles_the_state_whatever_else_is_known() {
        for (kind, expected) in [
            (MarkKind::Present, SessionState::Arrived),
            (MarkKind::Late, SessionState::Late),
            (MarkKind::Absent, SessionState::Absent),
        ] {
            let o = Observed {
                mark: Some(kind),
                picked_up: true,
                dropped_off: false,
                alerted: true,
            };
            assert_eq!(state(o, at(0), DEFAULT_GRACE, at(300)), expected);
        }
    }

    #[test]
    fn counts_add_up_by_group() {
        let c = Counts::of(SessionState::ALL);
        assert_eq!(c.total, 8);
        assert_eq!(
            (
                c.expected,
                c.on_the_way,
                c.arrived,
                c.late,
                c.absent,
                c.missing
            ),
            (1, 2, 2, 1, 1, 2)
        );
    }

    fn any_state() -> impl Strategy<Value = SessionState> {
        prop::sample::select(SessionState::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn every_session_is_counted_once(states in prop::collection::vec(any_state(), 0..60)) {
            let c = Counts::of(states.iter().copied());
            prop_assert_eq!(c.total as usize, states.len());
            // `late` is a part of `arrived`; the other groups do not overlap.
            prop_assert_eq!(c.expected + c.on_the_way + c.arrived + c.absent + c.missing, c.total);
            prop_assert!(c.late <= c.arrived);
        }

        #[test]
        fn without_a_mark_nothing_is_missing_before_the_grace(
            minute in -120i64..120, picked_up: bool, dropped_off: bool,
        ) {
            let o = Observed { mark: None, picked_up, dropped_off, alerted: false };
            let s = state(o, at(0), DEFAULT_GRACE, at(minute));
            prop_assert_eq!(s == SessionState::Missing, minute >= 10);
        }
    }
}
