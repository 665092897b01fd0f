//! Missed-arrival alerts: when a session needs checking, what a check
//! decides, who hears of an alert at each stage, how failed deliveries are
//! retried, and the words that may appear on a lock screen.

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::attendance::{AbsenceReason, Mark};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Not registered by the start plus the grace period.
    MissedArrival,
    /// The escort dropped the pupil off, and nobody registered an arrival.
    NotArrivedAfterDropOff,
    /// Picked up, and not dropped off by the session's start.
    NotDroppedOff,
    /// The placement's start date came with its transition gate incomplete.
    GateOverdue,
}

impl AlertKind {
    pub const ALL: [AlertKind; 4] = [
        AlertKind::MissedArrival,
        AlertKind::NotArrivedAfterDropOff,
        AlertKind::NotDroppedOff,
        AlertKind::GateOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::MissedArrival => "missed_arrival",
            AlertKind::NotArrivedAfterDropOff => "not_arrived_after_drop_off",
            AlertKind::NotDroppedOff => "not_dropped_off",
            AlertKind::GateOverdue => "gate_overdue",
        }
    }

    pub fn parse(name: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertKind::MissedArrival => "Missed arrival",
            AlertKind::NotArrivedAfterDropOff => "Dropped off, not registered",
            AlertKind::NotDroppedOff => "Picked up, not dropped off",
            AlertKind::GateOverdue => "Baseline overdue",
        }
    }

    /// The pupil was last seen in someone's care and is now unaccounted for.
    pub fn urgent(self) -> bool {
        matches!(
            self,
            AlertKind::NotArrivedAfterDropOff | AlertKind::NotDroppedOff
        )
    }

    /// Only a child who may be missing climbs the escalation ladder.
    pub fn escalates(self) -> bool {
        self != AlertKind::GateOverdue
    }
}

/// Why the cron looks at an occurrence, and so when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    /// Every occurrence: at the start plus the grace period.
    Arrival,
    /// After a pick-up: the pupil should be dropped off by the start.
    PickUp,
    /// After a drop-off: the pupil should be registered soon after.
    DropOff,
}

impl CheckKind {
    pub const ALL: [CheckKind; 3] = [CheckKind::Arrival, CheckKind::PickUp, CheckKind::DropOff];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Arrival => "arrival",
            CheckKind::PickUp => "pick_up",
            CheckKind::DropOff => "drop_off",
        }
    }

    pub fn parse(name: &str) -> Option<CheckKind> {
        CheckKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// An AP's alert timings, in minutes as the admin sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// After a session's start with no mark, before a missed-arrival alert.
    #[schemars(range(max = MAX_GRACE_MINUTES))]
    pub grace_minutes: u32,
    /// After a drop-off (or the start, if later) with no mark, and after the
    /// start with a pick-up but no drop-off, before an urgent alert.
    #[schemars(range(max = MAX_DROP_OFF_GRACE_MINUTES))]
    pub drop_off_grace_minutes: u32,
    /// Unacknowledged this long, an alert goes to the DSLs; as long again,
    /// to the AP admins.
    #[schemars(range(min = *ESCALATION_MINUTES.start(), max = *ESCALATION_MINUTES.end()))]
    pub escalation_minutes: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            grace_minutes: 10,
            drop_off_grace_minutes: 5,
            escalation_minutes: 15,
        }
    }
}

pub const MAX_GRACE_MINUTES: u32 = 120;
pub const MAX_DROP_OFF_GRACE_MINUTES: u32 = 60;
pub const ESCALATION_MINUTES: std::ops::RangeInclusive<u32> = 5..=240;

impl AlertSettings {
    pub fn check(&self) -> Result<(), crate::api::ErrorDetail> {
        use crate::api::ErrorDetail;
        if self.grace_minutes > MAX_GRACE_MINUTES {
            return Err(ErrorDetail::invalid(
                "grace_minutes",
                format!("at most {MAX_GRACE_MINUTES} minutes"),
            ));
        }
        if self.drop_off_grace_minutes > MAX_DROP_OFF_GRACE_MINUTES {
            return Err(ErrorDetail::invalid(
                "drop_off_grace_minutes",
                format!("at most {MAX_DROP_OFF_GRACE_MINUTES} minutes"),
            ));
        }
        if !ESCALATION_MINUTES.contains(&self.escalation_minutes) {
            return Err(ErrorDetail::invalid(
                "escalation_minutes",
                format!(
                    "between {} and {} minutes",
                    ESCALATION_MINUTES.start(),
                    ESCALATION_MINUTES.end()
                ),
            ));
        }
        Ok(())
    }

    fn minutes(m: u32) -> Duration {
        Duration::minutes(i64::from(m))
    }

    /// When a check is due. A session's own grace, when set, replaces the AP's.
    pub fn due(
        &self,
        check: CheckKind,
        starts_at: DateTime<Utc>,
        session_grace: Option<u32>,
        dropped_off_at: Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        match check {
            CheckKind::Arrival => {
                starts_at + Self::minutes(session_grace.unwrap_or(self.grace_minutes))
            }
            CheckKind::PickUp => starts_at + Self::minutes(self.drop_off_grace_minutes),
            // Dropped off early, the pupil waits for the session: the clock
            // starts at whichever is later.
            CheckKind::DropOff => {
                dropped_off_at.map_or(starts_at, |d| d.max(starts_at))
                    + Self::minutes(self.drop_off_grace_minutes)
            }
        }
    }

    /// When an alert at `stage` (raised at `raised_at`) goes up a stage, if
    /// it can.
    pub fn escalates_at(&self, raised_at: DateTime<Utc>, stage: Stage) -> Option<DateTime<Utc>> {
        let next = stage.next()?;
        Some(raised_at + Self::minutes(self.escalation_minutes) * next.index() as i32)
    }
}

/// What is known about an occurrence when its check comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seen {
    /// The mark that counts (by the conflict rule).
    pub mark: Option<Mark>,
    pub picked_up: bool,
    pub dropped_off_at: Option<DateTime<Utc>>,
}

impl Seen {
    /// Registered, or absent for a known reason. "Reason not yet known" is a
    /// child nobody can account for, which is what the alert is for.
    fn accounted_for(&self) -> bool {
        match self.mark {
            Some(Mark::Present | Mark::Late { .. }) => true,
            Some(Mark::Absent(reason)) => reason != AbsenceReason::NotYetKnown,
            None => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to raise, now or later.
    Settle,
    /// Look again at this instant (the session moved later, or a later
    /// drop-off moved the clock).
    Wait(DateTime<Utc>),
    Raise(AlertKind),
}

/// The decision for one check at `now`, from the occurrence as it stands
/// (`None`: cancelled, off the timetable, or the placement is not active).
pub fn assess(
    check: CheckKind,
    starts_at: Option<DateTime<Utc>>,
    session_grace: Option<u32>,
    seen: &Seen,
    settings: &AlertSettings,
    now: DateTime<Utc>,
) -> Verdict {
    let Some(starts_at) = starts_at else {
        return Verdict::Settle;
    };
    if seen.accounted_for() {
        return Verdict::Settle;
    }
    if check == CheckKind::DropOff && seen.dropped_off_at.is_none() {
        return Verdict::Settle;
    }
    let due = settings.due(check, starts_at, session_grace, seen.dropped_off_at);
    if now < due {
        return Verdict::Wait(due);
    }
    let journey = if seen.dropped_off_at.is_some() {
        Some(AlertKind::NotArrivedAfterDropOff)
    } else if seen.picked_up {
        Some(AlertKind::NotDroppedOff)
    } else {
        None
    };
    match (check, journey) {
        (CheckKind::Arrival, None) => Verdict::Raise(AlertKind::MissedArrival),
        (_, Some(kind)) => Verdict::Raise(kind),
        // A pick-up check with neither hand-over cannot happen; nothing to say.
        (_, None) => Verdict::Settle,
    }
}

/// Who hears of an alert: the designated contacts first, then the DSLs of
/// both organisations, then the AP's admins.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Contacts,
    Dsls,
    ApAdmins,
}

impl Stage {
    pub fn index(self) -> u8 {
        match self {
            Stage::Contacts => 0,
            Stage::Dsls => 1,
            Stage::ApAdmins => 2,
        }
    }

    pub fn from_index(i: i64) -> Option<Stage> {
        match i {
            0 => Some(Stage::Contacts),
            1 => Some(Stage::Dsls),
            2 => Some(Stage::ApAdmins),
            _ => None,
        }
    }

    pub fn next(self) -> Option<Stage> {
        Stage::from_index(i64::from(self.index()) + 1)
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Contacts => "Designated contacts",
            Stage::Dsls => "Designated safeguarding leads",
            Stage::ApAdmins => "AP admins",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Push,
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Push, Channel::Email, Channel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Push => "push",
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Attempts per delivery before it is given up as failed.
pub const MAX_ATTEMPTS: u32 = 5;

/// After `attempts` failed tries, when to try again: 1, 2, 4, 8 minutes,
/// then never.
pub fn retry_after(attempts: u32) -> Option<Duration> {
    (1..MAX_ATTEMPTS)
        .contains(&attempts)
        .then(|| Duration::minutes(1 << (attempts - 1)))
}

/// How an alert ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    ArrivedLate,
    AuthorisedAbsence,
    UnauthorisedAbsence,
    /// Child missing: escalated under the missing-child procedure.
    ChildMissing,
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::ArrivedLate,
        Outcome::AuthorisedAbsence,
        Outcome::UnauthorisedAbsence,
        Outcome::ChildMissing,
        Outcome::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::ArrivedLate => "arrived_late",
            Outcome::AuthorisedAbsence => "authorised_absence",
            Outcome::UnauthorisedAbsence => "unauthorised_absence",
            Outcome::ChildMissing => "child_missing",
            Outcome::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::ArrivedLate => "Arrived late",
            Outcome::AuthorisedAbsence => "Authorised absence",
            Outcome::UnauthorisedAbsence => "Unauthorised absence",
            Outcome::ChildMissing => "Child missing: escalated per procedure",
            Outcome::Other => "Other",
        }
    }

    /// "Other" and a missing child need words from whoever closes it.
    pub fn needs_note(self) -> bool {
        matches!(self, Outcome::Other | Outcome::ChildMissing)
    }
}

/// "Jordan Smith" → "J.S.": what a lock screen may show of a pupil.
pub fn initials(first_name: &str, last_name: &str) -> String {
    [first_name, last_name]
        .iter()
        .filter_map(|n| n.trim().chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect()
}

/// The words of a notification: fit for a lock screen or an SMS, so
/// initials, place and time only; the rest is behind sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

pub fn notice(kind: AlertKind, initials: &str, place: &str, local_time: &str) -> Notice {
    let title = match kind {
        AlertKind::MissedArrival => format!("Missed arrival: {initials}"),
        AlertKind::NotArrivedAfterDropOff => format!("URGENT: {initials} dropped off, not in"),
        AlertKind::NotDroppedOff => format!("URGENT: {initials} not dropped off"),
        AlertKind::GateOverdue => format!("Baseline overdue: {initials}"),
    };
    let body = match kind {
        AlertKind::MissedArrival => {
            format!("Not registered at {place} for {local_time}. Open LearnTrek to respond.")
        }
        AlertKind::NotArrivedAfterDropOff => format!(
            "Taxi dropped off at {place}; no arrival registered for {local_time}. Open LearnTrek now."
        ),
        AlertKind::NotDroppedOff => format!(
            "Picked up, not yet dropped off at {place} for {local_time}. Open LearnTrek now."
        ),
        AlertKind::GateOverdue => format!(
            "Placement at {place} started {local_time} without a completed baseline. Open LearnTrek."
        ),
    };
    Notice { title, body }
}

#[cfg(test)]
mod tests;
