//! A placement's life: referred → baseline submitted → active → ended, and
//! who may move it along. No session happens and no register is taken until
//! a placement is active.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::access::PlacementAccess;
use crate::api::{ErrorCode, ErrorDetail};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlacementState {
    /// Waiting for the commissioner to complete the baseline (or returned to them).
    Referred,
    /// The commissioner says the baseline is complete; the AP reviews it.
    Submitted,
    /// Accepted by the AP: sessions happen and registers are taken.
    Active,
    Ended,
}

impl PlacementState {
    pub const ALL: &'static [PlacementState] = &[
        PlacementState::Referred,
        PlacementState::Submitted,
        PlacementState::Active,
        PlacementState::Ended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlacementState::Referred => "referred",
            PlacementState::Submitted => "submitted",
            PlacementState::Active => "active",
            PlacementState::Ended => "ended",
        }
    }

    pub fn parse(name: &str) -> Option<PlacementState> {
        PlacementState::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            PlacementState::Referred => "Referred: baseline to complete",
            PlacementState::Submitted => "Baseline submitted: AP to review",
            PlacementState::Active => "Active",
            PlacementState::Ended => "Ended",
        }
    }

    /// Whether the placement's sessions take place (and registers may be taken).
    pub fn runs_sessions(self) -> bool {
        self == PlacementState::Active
    }
}

/// Why a placement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Back to the mainstream school full time.
    Reintegrated,
    /// The planned end date was reached.
    Completed,
    /// Moved to another provision.
    MovedProvision,
    /// The referral was withdrawn before the placement started.
    Withdrawn,
    Other,
}

impl EndReason {
    pub const ALL: &'static [EndReason] = &[
        EndReason::Reintegrated,
        EndReason::Completed,
        EndReason::MovedProvision,
        EndReason::Withdrawn,
        EndReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Reintegrated => "reintegrated",
            EndReason::Completed => "completed",
            EndReason::MovedProvision => "moved_provision",
            EndReason::Withdrawn => "withdrawn",
            EndReason::Other => "other",
        }
    }

    pub fn parse(name: &str) -> Option<EndReason> {
        EndReason::ALL.iter().copied().find(|r| r.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            EndReason::Reintegrated => "Returned to mainstream school",
            EndReason::Completed => "Planned end reached",
            EndReason::MovedProvision => "Moved to another provision",
            EndReason::Withdrawn => "Referral withdrawn",
            EndReason::Other => "Other",
        }
    }
}

/// A step in a placement's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The commissioner (or the AP for them) hands the baseline over.
    Submit,
    /// The AP's admin or DSL accepts the baseline: the placement starts.
    Accept,
    /// The AP sends the baseline back to the commissioner with comments.
    Return,
    End,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Submit => "submit",
            Transition::Accept => "accept",
            Transition::Return => "return",
            Transition::End => "end",
        }
    }

    /// Whether this person may take this step at all (whatever the state).
    pub fn allowed_for(self, access: &PlacementAccess) -> bool {
        match self {
            Transition::Submit => access.manages || access.commissions,
            Transition::Accept | Transition::Return | Transition::End => access.manages,
        }
    }

    /// The state after this step, or why it cannot be taken now. `missing`
    /// is how many required baseline fields are still unanswered.
    pub fn apply(
        self,
        from: PlacementState,
        missing: usize,
    ) -> Result<PlacementState, ErrorDetail> {
        use PlacementState::{Active, Ended, Referred, Submitted};
        let refuse = |why: String| Err(ErrorDetail::new(ErrorCode::Conflict, why));
        let incomplete = || {
            refuse(format!(
                "the baseline is not complete: {missing} required item{} still to fill",
                if missing == 1 { "" } else { "s" }
            ))
        };
        match (self, from) {
            (Transition::Submit, Referred) if missing > 0 => incomplete(),
            (Transition::Submit, Referred) => Ok(Submitted),
            (Transition::Accept, Submitted) if missing > 0 => incomplete(),
            (Transition::Accept, Submitted) => Ok(Active),
            (Transition::Return, Submitted) => Ok(Referred),
            (Transition::End, Referred | Submitted | Active) => Ok(Ended),
            (t, s) => refuse(format!(
                "a placement that is {} cannot be {}",
                s.label().to_lowercase(),
                match t {
                    Transition::Submit => "submitted",
                    Transition::Accept => "accepted",
                    Transition::Return => "returned",
                    Transition::End => "ended",
                }
            )),
        }
    }
}

/// Whether this person may change the baseline now: the AP's managers until
/// the placement ends; the commissioner while it is with them (referred).
pub fn may_edit_baseline(access: &PlacementAccess, state: PlacementState) -> bool {
    match state {
        PlacementState::Ended => false,
        PlacementState::Referred => access.manages || access.commissions,
        PlacementState::Submitted | PlacementState::Active => access.manages,
    }
}

/// The comment sent back with a returned baseline: what to add or correct.
pub fn check_return_comment(comment: &str) -> Result<String, ErrorDetail> {
    let c = comment.trim();
    if c.is_empty() {
        return Err(ErrorDetail::invalid(
            "comment",
            "say what the commissioner needs to add or correct",
        ));
    }
    if c.chars().count() > 2000 {
        return Err(ErrorDetail::invalid("comment", "at most 2000 characters"));
    }
    Ok(c.to_owned())
}

/// The last day and note of an ending: not in the future, a note when the
/// reason is "other".
pub fn check_end(
    end: &crate::api::EndPlacement,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, Option<String>), ErrorDetail> {
    let note = end
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(ErrorDetail::invalid("note", "at most 2000 characters"));
    }
    if end.reason == EndReason::Other && note.is_none() {
        return Err(ErrorDetail::invalid(
            "note",
            "say why the placement ended when the reason is other",
        ));
    }
    let on = end.ended_on.unwrap_or(today);
    if on > today {
        return Err(ErrorDetail::invalid(
            "ended_on",
            "a placement can only be ended on or before today",
        ));
    }
    Ok((on, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_state() -> impl Strategy<Value = PlacementState> {
        prop::sample::select(PlacementState::ALL.to_vec())
    }

    fn any_transition() -> impl Strategy<Value = Transition> {
        prop::sample::select(vec![
            Transition::Submit,
            Transition::Accept,
            Transition::Return,
            Transition::End,
        ])
    }

    #[test]
    fn the_happy_path() {
        let s = Transition::Submit
            .apply(PlacementState::Referred, 0)
            .expect("submit");
        let s = Transition::Accept.apply(s, 0).expect("accept");
        assert_eq!(s, PlacementState::Active);
        assert_eq!(
            Transition::End.apply(s, 0).expect("end"),
            PlacementState::Ended
        );
    }

    #[test]
    fn returned_goes_back_to_the_commissioner() {
        assert_eq!(
            Transition::Return.apply(PlacementState::Submitted, 0),
            Ok(PlacementState::Referred)
        );
    }

    #[test]
    fn endings_need_a_past_date_and_a_note_for_other() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        let end = |reason, note: Option<&str>, on| crate::api::EndPlacement {
            reason,
            note: note.map(str::to_owned),
            ended_on: on,
        };
        assert!(check_end(&end(EndReason::Reintegrated, None, None), today).is_ok());
        let err = check_end(&end(EndReason::Other, Some("  "), None), today).expect_err("note");
        assert_eq!(err.field.as_deref(), Some("note"));
        let err = check_end(&end(EndReason::Completed, None, today.succ_opt()), today)
            .expect_err("future");
        assert_eq!(err.field.as_deref(), Some("ended_on"));
        assert!(check_return_comment(" ").is_err());
    }

    #[test]
    fn names_round_trip() {
        for &s in PlacementState::ALL {
            assert_eq!(PlacementState::parse(s.as_str()), Some(s));
        }
        for &r in EndReason::ALL {
            assert_eq!(EndReason::parse(r.as_str()), Some(r));
        }
    }

    proptest! {
        /// Only an accepted, complete baseline makes a placement active.
        #[test]
        fn active_only_by_accepting_a_complete_baseline(
            from in any_state(), t in any_transition(), missing in 0usize..5
        ) {
            if let Ok(PlacementState::Active) = t.apply(from, missing) {
                prop_assert_eq!(t, Transition::Accept);
                prop_assert_eq!(from, PlacementState::Submitted);
                prop_assert_eq!(missing, 0);
            }
        }

        /// Nothing leaves the ended state.
        #[test]
        fn ended_is_final(t in any_transition(), missing in 0usize..5) {
            prop_assert!(t.apply(PlacementState::Ended, missing).is_err());
        }

        /// An incomplete baseline can never be submitted or accepted.
        #[test]
        fn incomplete_never_moves_forward(from in any_state(), missing in 1usize..30) {
            prop_assert!(Transition::Submit.apply(from, missing).is_err());
            prop_assert!(Transition::Accept.apply(from, missing).is_err());
        }
    }
}
