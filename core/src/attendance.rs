//! Registers: what a tutor taps, and the DfE attendance code it becomes in
//! two registers: the AP's own, and the commissioning school's for a pupil
//! who is dual-registered or educated off-site (codes from the DfE's
//! "Working together to improve school attendance", August 2024).

use chrono::{DateTime, Duration, NaiveTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::ErrorDetail;
use crate::domain::OrganisationKind;

/// What the person registering saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    Present,
    /// Arrived after the start; `minutes_late` says by how much.
    Late,
    /// Did not attend; `reason` says why, as far as it is known.
    Absent,
}

impl MarkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MarkKind::Present => "present",
            MarkKind::Late => "late",
            MarkKind::Absent => "absent",
        }
    }

    pub fn parse(name: &str) -> Option<MarkKind> {
        [MarkKind::Present, MarkKind::Late, MarkKind::Absent]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// Why a pupil was absent, in the words a tutor would choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceReason {
    Illness,
    MedicalAppointment,
    ReligiousObservance,
    /// Authorised for exceptional circumstances.
    ExceptionalAuthorised,
    /// Suspended or excluded, with no alternative provision arranged.
    Excluded,
    /// The transport normally provided did not come.
    TransportNotProvided,
    /// Widespread disruption to travel.
    TravelDisruption,
    /// A holiday that was not authorised.
    HolidayNotAuthorised,
    /// Known to be absent without an acceptable reason.
    Unauthorised,
    /// No reason yet: to be followed up.
    NotYetKnown,
}

impl AbsenceReason {
    pub const ALL: &'static [AbsenceReason] = &[
        AbsenceReason::Illness,
        AbsenceReason::MedicalAppointment,
        AbsenceReason::ReligiousObservance,
        AbsenceReason::ExceptionalAuthorised,
        AbsenceReason::Excluded,
        AbsenceReason::TransportNotProvided,
        AbsenceReason::TravelDisruption,
        AbsenceReason::HolidayNotAuthorised,
        AbsenceReason::Unauthorised,
        AbsenceReason::NotYetKnown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceReason::Illness => "illness",
            AbsenceReason::MedicalAppointment => "medical_appointment",
            AbsenceReason::ReligiousObservance => "religious_observance",
            AbsenceReason::ExceptionalAuthorised => "exceptional_authorised",
            AbsenceReason::Excluded => "excluded",
            AbsenceReason::TransportNotProvided => "transport_not_provided",
            AbsenceReason::TravelDisruption => "travel_disruption",
            AbsenceReason::HolidayNotAuthorised => "holiday_not_authorised",
            AbsenceReason::Unauthorised => "unauthorised",
            AbsenceReason::NotYetKnown => "not_yet_known",
        }
    }

    pub fn parse(name: &str) -> Option<AbsenceReason> {
        AbsenceReason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            AbsenceReason::Illness => "Ill",
            AbsenceReason::MedicalAppointment => "Medical or dental appointment",
            AbsenceReason::ReligiousObservance => "Religious observance",
            AbsenceReason::ExceptionalAuthorised => "Authorised: exceptional circumstances",
            AbsenceReason::Excluded => "Suspended or excluded",
            AbsenceReason::TransportNotProvided => "Transport did not come",
            AbsenceReason::TravelDisruption => "Travel disruption",
            AbsenceReason::HolidayNotAuthorised => "Holiday (not authorised)",
            AbsenceReason::Unauthorised => "Unauthorised",
            AbsenceReason::NotYetKnown => "Reason not yet known",
        }
    }

    /// The DfE code, the same in both registers.
    pub fn code(self) -> &'static str {
        match self {
            AbsenceReason::Illness => "I",
            AbsenceReason::MedicalAppointment => "M",
            AbsenceReason::ReligiousObservance => "R",
            AbsenceReason::ExceptionalAuthorised => "C",
            AbsenceReason::Excluded => "E",
            AbsenceReason::TransportNotProvided => "Y1",
            AbsenceReason::TravelDisruption => "Y2",
            AbsenceReason::HolidayNotAuthorised => "G",
            AbsenceReason::Unauthorised => "O",
            AbsenceReason::NotYetKnown => "N",
        }
    }
}

/// Which half of the school day a session's register belongs to: morning
/// when it starts before noon (London time), afternoon otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum HalfDay {
    #[serde(rename = "AM")]
    Am,
    #[serde(rename = "PM")]
    Pm,
}

impl HalfDay {
    pub fn of(start: NaiveTime) -> HalfDay {
        if start < NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN) {
            HalfDay::Am
        } else {
            HalfDay::Pm
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HalfDay::Am => "AM",
            HalfDay::Pm => "PM",
        }
    }
}

/// A register closes this long after a session starts; arriving later is
/// an unauthorised absence (U) rather than late (L), as the DfE sets out.
pub const REGISTER_CLOSES_AFTER_MINUTES: u32 = 30;

/// What was recorded, ready to be turned into codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Present,
    Late { minutes: u32 },
    Absent(AbsenceReason),
}

/// The two codes of one mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Codes {
    /// The AP's own register.
    pub ap: &'static str,
    /// The commissioning school's register.
    pub school: &'static str,
}

/// The one table from a mark to its DfE codes. `commissioner` is who
/// arranged the provision: a school (code B) or the LA (code K).
pub fn codes(mark: Mark, half: HalfDay, commissioner: OrganisationKind) -> Codes {
    let attending = match commissioner {
        OrganisationKind::La => "K",
        _ => "B",
    };
    let present = match half {
        HalfDay::Am => "/",
        HalfDay::Pm => "\\",
    };
    match mark {
        Mark::Present => Codes {
            ap: present,
            school: attending,
        },
        Mark::Late { minutes } if minutes <= REGISTER_CLOSES_AFTER_MINUTES => Codes {
            ap: "L",
            school: attending,
        },
        Mark::Late { .. } => Codes {
            ap: "U",
            school: "U",
        },
        Mark::Absent(reason) => Codes {
            ap: reason.code(),
            school: reason.code(),
        },
    }
}

/// The request's fields read into a [`Mark`], naming the field at fault.
pub fn read_mark(
    kind: MarkKind,
    minutes_late: Option<u32>,
    reason: Option<AbsenceReason>,
) -> Result<Mark, ErrorDetail> {
    match (kind, minutes_late, reason) {
        (MarkKind::Present, None, None) => Ok(Mark::Present),
        (MarkKind::Late, Some(m), None) if (1..=240).contains(&m) => Ok(Mark::Late { minutes: m }),
        (MarkKind::Late, _, None) => Err(ErrorDetail::invalid(
            "minutes_late",
            "say how many minutes late, from 1 to 240",
        )),
        (MarkKind::Absent, None, Some(r)) => Ok(Mark::Absent(r)),
        (MarkKind::Absent, None, None) => Err(ErrorDetail::invalid(
            "reason",
            "choose why, or \"reason not yet known\"",
        )),
        (_, Some(_), _) => Err(ErrorDetail::invalid(
            "minutes_late",
            "only a late mark has minutes late",
        )),
        (_, None, Some(_)) => Err(ErrorDetail::invalid(
            "reason",
            "only an absence has a reason",
        )),
    }
}

/// Which of a half-day's marks decides the commissioning school's one code
/// for it, given their school codes in session order: attending (B or K)
/// first, then late after the register closed (U), then the first absence.
pub fn deciding(school_codes: &[&str]) -> Option<usize> {
    let first = |wanted: &[&str]| school_codes.iter().position(|c| wanted.contains(c));
    first(&["B", "K"])
        .or_else(|| first(&["U"]))
        .or_else(|| (!school_codes.is_empty()).then_some(0))
}

/// What a register code counts as in the DfE's attendance figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Present, late before the register closed, or at approved provision.
    Attending,
    AuthorisedAbsence,
    /// Includes late after the register closed (U) and no reason yet (N).
    UnauthorisedAbsence,
    /// Y codes: the session is left out of the possible sessions.
    NotPossible,
}

/// The category of a code this system writes (either register).
pub fn category(code: &str) -> Option<Category> {
    match code {
        "/" | "\\" | "L" | "B" | "K" => Some(Category::Attending),
        "I" | "M" | "R" | "C" | "E" => Some(Category::AuthorisedAbsence),
        "U" | "G" | "O" | "N" => Some(Category::UnauthorisedAbsence),
        "Y1" | "Y2" => Some(Category::NotPossible),
        _ => None,
    }
}

/// A mark as the conflict rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamped {
    pub mark: Mark,
    pub device_time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

impl Stamped {
    /// "Absent, reason not yet known" is a placeholder, not a finding.
    fn is_placeholder(&self) -> bool {
        self.mark == Mark::Absent(AbsenceReason::NotYetKnown)
    }
}

/// The conflict rule, when two marks are made for the same pupil and
/// session: a placeholder never replaces a real mark; otherwise the mark
/// made later on its device wins (a correction), and on a tie the one the
/// server received later. Every mark is kept in the history either way.
pub fn prevails(incoming: &Stamped, current: &Stamped) -> bool {
    match (incoming.is_placeholder(), current.is_placeholder()) {
        (true, false) => false,
        (false, true) => true,
        _ => {
            (incoming.device_time, incoming.received_at)
                > (current.device_time, current.received_at)
        }
    }
}

/// The mark that counts among all the marks of one session on one date, by
/// [`prevails`]; `T` is whatever the caller keeps beside each mark.
pub fn current<T>(marks: impl IntoIterator<Item = (T, Stamped)>) -> Option<(T, Stamped)> {
    marks
        .into_iter()
        .fold(None, |winner, (item, stamped)| match winner {
            Some((_, ref w)) if !prevails(&stamped, w) => winner,
            _ => Some((item, stamped)),
        })
}

/// How far a device clock may disagree with the server's: a mark from the
/// future beyond this is refused, as is one older than [`OLDEST_MARK`].
pub const DEVICE_CLOCK_SLACK: Duration = Duration::minutes(5);
pub const OLDEST_MARK: Duration = Duration::days(7);

/// Checks a mark's device time against the server's receipt time.
pub fn check_device_time(
    device: DateTime<Utc>,
    received: DateTime<Utc>,
) -> Result<(), ErrorDetail> {
    if device > received + DEVICE_CLOCK_SLACK {
        return Err(ErrorDetail::invalid(
            "device_time",
            "this mark is timed in the future; check the phone's clock",
        ));
    }
    if device < received - OLDEST_MARK {
        return Err(ErrorDetail::invalid(
            "device_time",
            "this mark is more than 7 days old; ask the AP's admin to correct the register",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_current_mark_is_the_one_no_other_prevails_over() {
        let at = |s: i64| DateTime::from_timestamp(1_780_000_000 + s, 0).expect("instant");
        let stamped = |mark, device: i64| Stamped {
            mark,
            device_time: at(device),
            received_at: at(100),
        };
        assert_eq!(current(Vec::<((), Stamped)>::new()), None);
        let marks = vec![
            ("present", stamped(Mark::Present, 10)),
            (
                "placeholder",
                stamped(Mark::Absent(AbsenceReason::NotYetKnown), 50),
            ),
            ("late", stamped(Mark::Late { minutes: 5 }, 20)),
        ];
        let (name, _) = current(marks.clone()).expect("a mark");
        assert_eq!(name, "late");
        let mut reversed = marks;
        reversed.reverse();
        assert_eq!(current(reversed).map(|(n, _)| n), Some("late"));
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    /// Every row of the code table, written out.
    #[test]
    fn the_code_table() {
        use AbsenceReason::*;
        use HalfDay::*;
        use OrganisationKind::{La, School};
        let rows: &[(Mark, HalfDay, OrganisationKind, &str, &str)] = &[
            (Mark::Present, Am, School, "/", "B"),
            (Mark::Present, Pm, School, "\\", "B"),
            (Mark::Present, Am, La, "/", "K"),
            (Mark::Present, Pm, La, "\\", "K"),
            (Mark::Late { minutes: 10 }, Am, School, "L", "B"),
            (Mark::Late { minutes: 30 }, Pm, La, "L", "K"),
            (Mark::Late { minutes: 31 }, Am, School, "U", "U"),
            (Mark::Late { minutes: 90 }, Pm, La, "U", "U"),
            (Mark::Absent(Illness), Am, School, "I", "I"),
            (Mark::Absent(MedicalAppointment), Am, School, "M", "M"),
            (Mark::Absent(ReligiousObservance), Am, School, "R", "R"),
            (Mark::Absent(ExceptionalAuthorised), Am, School, "C", "C"),
            (Mark::Absent(Excluded), Am, School, "E", "E"),
            (Mark::Absent(TransportNotProvided), Am, La, "Y1", "Y1"),
            (Mark::Absent(TravelDisruption), Pm, School, "Y2", "Y2"),
            (Mark::Absent(HolidayNotAuthorised), Am, School, "G", "G"),
            (Mark::Absent(Unauthorised), Pm, La, "O", "O"),
            (Mark::Absent(NotYetKnown), Am, School, "N", "N"),
        ];
        for &(mark, half, by, ap, school) in rows {
            assert_eq!(
                codes(mark, half, by),
                Codes { ap, school },
                "{mark:?} {half:?} {by:?}"
            );
        }
        // Every reason has a row.
        for r in AbsenceReason::ALL {
            assert!(rows.iter().any(|(m, ..)| *m == Mark::Absent(*r)), "{r:?}");
        }
    }

    #[test]
    fn one_code_per_half_day_prefers_attendance() {
        assert_eq!(deciding(&[]), None);
        assert_eq!(deciding(&["N", "B"]), Some(1));
        assert_eq!(deciding(&["I", "U"]), Some(1));
        assert_eq!(deciding(&["M", "O"]), Some(0));
        assert_eq!(deciding(&["K"]), Some(0));
    }

    #[test]
    fn half_days_split_at_noon() {
        assert_eq!(HalfDay::of(t(9, 30)), HalfDay::Am);
        assert_eq!(HalfDay::of(t(11, 59)), HalfDay::Am);
        assert_eq!(HalfDay::of(t(12, 0)), HalfDay::Pm);
        assert_eq!(HalfDay::of(t(13, 15)), HalfDay::Pm);
    }

    #[test]
    fn marks_need_the_right_details() {
        assert_eq!(read_mark(MarkKind::Present, None, None), Ok(Mark::Present));
        let field = |r: Result<Mark, ErrorDetail>| r.expect_err("refused").field;
        assert_eq!(
            field(read_mark(MarkKind::Late, None, None)).as_deref(),
            Some("minutes_late")
        );
        assert_eq!(
            field(read_mark(MarkKind::Late, Some(0), None)).as_deref(),
            Some("minutes_late")
        );
        assert_eq!(
            field(read_mark(MarkKind::Absent, None, None)).as_deref(),
            Some("reason")
        );
        assert_eq!(
            field(read_mark(
                MarkKind::Present,
                None,
                Some(AbsenceReason::Illness)
            ))
            .as_deref(),
            Some("reason")
        );
    }

    #[test]
    fn device_times_are_bounded() {
        let now: DateTime<Utc> = "2026-12-04T09:30:00Z".parse().expect("time");
        assert!(check_device_time(now - Duration::minutes(40), now).is_ok());
        assert!(check_device_time(now + Duration::minutes(6), now).is_err());
        assert!(check_device_time(now - Duration::days(8), now).is_err());
    }

    fn any_mark() -> impl Strategy<Value = Mark> {
        prop_oneof![
            Just(Mark::Present),
            (1u32..240).prop_map(|minutes| Mark::Late { minutes }),
            prop::sample::select(AbsenceReason::ALL.to_vec()).prop_map(Mark::Absent),
        ]
    }

    fn stamped() -> impl Strategy<Value = Stamped> {
        (any_mark(), 0i64..10_000, 0i64..10_000).prop_map(|(mark, d, r)| {
            let base: DateTime<Utc> = "2026-12-04T09:00:00Z".parse().expect("time");
            Stamped {
                mark,
                device_time: base + Duration::seconds(d),
                received_at: base + Duration::seconds(r),
            }
        })
    }

    proptest! {
        /// A placeholder never displaces a real mark, whatever the clocks say.
        #[test]
        fn placeholders_never_overwrite_real_marks(real in stamped(), later in 0i64..100_000) {
            prop_assume!(real.mark != Mark::Absent(AbsenceReason::NotYetKnown));
            let placeholder = Stamped {
                mark: Mark::Absent(AbsenceReason::NotYetKnown),
                device_time: real.device_time + Duration::seconds(later),
                received_at: real.received_at + Duration::seconds(later),
            };
            prop_assert!(!prevails(&placeholder, &real));
            prop_assert!(prevails(&real, &placeholder));
        }

        /// Exactly one of two different marks prevails: the rule is a total order.
        #[test]
        fn one_of_two_marks_wins(a in stamped(), b in stamped()) {
            prop_assume!((a.device_time, a.received_at) != (b.device_time, b.received_at));
            prop_assert!(prevails(&a, &b) != prevails(&b, &a));
        }

        /// Codes are always from the DfE's set.
        #[test]
        fn codes_are_dfe_codes(mark in any_mark(), am in any::<bool>(), la in any::<bool>()) {
            let half = if am { HalfDay::Am } else { HalfDay::Pm };
            let by = if la { OrganisationKind::La } else { OrganisationKind::School };
            let c = codes(mark, half, by);
            let known = ["/", "\\", "L", "U", "B", "K", "I", "M", "R", "C", "E", "Y1", "Y2", "G", "O", "N"];
            prop_assert!(known.contains(&c.ap) && known.contains(&c.school));
            // Every code written falls in one DfE category, the same in both
            // registers except that an absence never reads as attending.
            let (ap, school) = (category(c.ap), category(c.school));
            prop_assert!(ap.is_some() && school.is_some());
            prop_assert_eq!(ap == Some(Category::Attending), school == Some(Category::Attending));
            prop_assert_eq!(
                matches!(mark, Mark::Absent(_) | Mark::Late { minutes: 31.. }),
                ap != Some(Category::Attending)
            );
        }
    }
}
