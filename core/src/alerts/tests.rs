use super::*;
use proptest::prelude::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

const START: &str = "2026-03-02T09:30:00Z";

fn check(check: CheckKind, seen: Seen, now: &str) -> Verdict {
    assess(
        check,
        Some(at(START)),
        None,
        &seen,
        &AlertSettings::default(),
        at(now),
    )
}

#[test]
fn missed_arrival_waits_for_the_grace_period() {
    let nothing = Seen::default();
    assert_eq!(
        check(CheckKind::Arrival, nothing, "2026-03-02T09:39:59Z"),
        Verdict::Wait(at("2026-03-02T09:40:00Z"))
    );
    assert_eq!(
        check(CheckKind::Arrival, nothing, "2026-03-02T09:40:00Z"),
        Verdict::Raise(AlertKind::MissedArrival)
    );
}

#[test]
fn a_session_grace_replaces_the_aps() {
    let verdict = assess(
        CheckKind::Arrival,
        Some(at(START)),
        Some(30),
        &Seen::default(),
        &AlertSettings::default(),
        at("2026-03-02T09:45:00Z"),
    );
    assert_eq!(verdict, Verdict::Wait(at("2026-03-02T10:00:00Z")));
}

#[test]
fn a_mark_or_a_known_absence_settles_it_but_an_unknown_absence_does_not() {
    for mark in [
        Mark::Present,
        Mark::Late { minutes: 12 },
        Mark::Absent(AbsenceReason::Illness),
    ] {
        let seen = Seen {
            mark: Some(mark),
            ..Seen::default()
        };
        assert_eq!(
            check(CheckKind::Arrival, seen, "2026-03-02T10:00:00Z"),
            Verdict::Settle
        );
    }
    let unknown = Seen {
        mark: Some(Mark::Absent(AbsenceReason::NotYetKnown)),
        ..Seen::default()
    };
    assert_eq!(
        check(CheckKind::Arrival, unknown, "2026-03-02T10:00:00Z"),
        Verdict::Raise(AlertKind::MissedArrival)
    );
}

#[test]
fn no_occurrence_no_alert() {
    let verdict = assess(
        CheckKind::Arrival,
        None,
        None,
        &Seen::default(),
        &AlertSettings::default(),
        at("2026-03-02T12:00:00Z"),
    );
    assert_eq!(verdict, Verdict::Settle);
}

#[test]
fn the_journey_makes_it_urgent() {
    let dropped = Seen {
        picked_up: true,
        dropped_off_at: Some(at("2026-03-02T09:00:00Z")),
        ..Seen::default()
    };
    // Dropped off early: five minutes from the start, not from the drop-off.
    assert_eq!(
        check(CheckKind::DropOff, dropped, "2026-03-02T09:34:00Z"),
        Verdict::Wait(at("2026-03-02T09:35:00Z"))
    );
    assert_eq!(
        check(CheckKind::DropOff, dropped, "2026-03-02T09:35:00Z"),
        Verdict::Raise(AlertKind::NotArrivedAfterDropOff)
    );
    // Dropped off late: five minutes from the drop-off.
    let late_drop = Seen {
        dropped_off_at: Some(at("2026-03-02T09:50:00Z")),
        ..Seen::default()
    };
    assert_eq!(
        check(CheckKind::DropOff, late_drop, "2026-03-02T09:52:00Z"),
        Verdict::Wait(at("2026-03-02T09:55:00Z"))
    );
    let picked = Seen {
        picked_up: true,
        ..Seen::default()
    };
    assert_eq!(
        check(CheckKind::PickUp, picked, "2026-03-02T09:35:00Z"),
        Verdict::Raise(AlertKind::NotDroppedOff)
    );
    // The arrival check names the journey too, whichever comes first.
    assert_eq!(
        check(CheckKind::Arrival, picked, "2026-03-02T09:40:00Z"),
        Verdict::Raise(AlertKind::NotDroppedOff)
    );
    assert_eq!(
        check(CheckKind::DropOff, Seen::default(), "2026-03-02T10:00:00Z"),
        Verdict::Settle
    );
}

#[test]
fn escalation_climbs_two_stages_then_stops() {
    let s = AlertSettings::default();
    let raised = at("2026-03-02T09:40:00Z");
    assert_eq!(
        s.escalates_at(raised, Stage::Contacts),
        Some(at("2026-03-02T09:55:00Z"))
    );
    assert_eq!(
        s.escalates_at(raised, Stage::Dsls),
        Some(at("2026-03-02T10:10:00Z"))
    );
    assert_eq!(s.escalates_at(raised, Stage::ApAdmins), None);
}

#[test]
fn retries_back_off_then_give_up() {
    let waits: Vec<_> = (0..=MAX_ATTEMPTS + 1)
        .map(|a| retry_after(a).map(|d| d.num_minutes()))
        .collect();
    assert_eq!(
        waits,
        vec![None, Some(1), Some(2), Some(4), Some(8), None, None]
    );
}

#[test]
fn settings_are_checked_by_field() {
    let bad = AlertSettings {
        escalation_minutes: 1,
        ..AlertSettings::default()
    };
    assert_eq!(
        bad.check().expect_err("too short").field.as_deref(),
        Some("escalation_minutes")
    );
    let bad = AlertSettings {
        grace_minutes: 500,
        ..AlertSettings::default()
    };
    assert_eq!(
        bad.check().expect_err("too long").field.as_deref(),
        Some("grace_minutes")
    );
    assert!(AlertSettings::default().check().is_ok());
}

#[test]
fn notices_show_initials_place_and_time_only() {
    assert_eq!(initials("jordan", "Smith-Jones"), "J.S.");
    assert_eq!(initials("Ana", ""), "A.");
    for kind in AlertKind::ALL {
        let n = notice(kind, "J.S.", "Riverside Centre", "09:30");
        let text = format!("{} {}", n.title, n.body);
        assert!(text.contains("J.S."), "{text}");
        assert!(!text.contains("Jordan"), "{text}");
        // An SMS segment is 160 characters; keep title + body inside two.
        assert!(text.len() <= 320, "{text}");
        assert_eq!(kind.urgent(), n.title.starts_with("URGENT"));
    }
}

#[test]
fn names_round_trip() {
    for k in AlertKind::ALL {
        assert_eq!(AlertKind::parse(k.as_str()), Some(k));
    }
    for c in CheckKind::ALL {
        assert_eq!(CheckKind::parse(c.as_str()), Some(c));
    }
    for c in Channel::ALL {
        assert_eq!(Channel::parse(c.as_str()), Some(c));
    }
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
    }
}

proptest! {
    /// Whatever happened, nothing is raised before its check is due, and an
    /// accounted-for pupil never raises anything.
    #[test]
    fn never_early_never_for_an_accounted_pupil(
        minutes in -120i64..240,
        grace in 0u32..=120,
        drop_off in proptest::option::of(-90i64..90),
        picked_up: bool,
        mark in 0usize..5,
    ) {
        let start = at(START);
        let now = start + Duration::minutes(minutes);
        let settings = AlertSettings { grace_minutes: grace, ..AlertSettings::default() };
        let mark = [
            None,
            Some(Mark::Present),
            Some(Mark::Late { minutes: 5 }),
            Some(Mark::Absent(AbsenceReason::Illness)),
            Some(Mark::Absent(AbsenceReason::NotYetKnown)),
        ][mark];
        let seen = Seen {
            mark,
            picked_up,
            dropped_off_at: drop_off.map(|m| start + Duration::minutes(m)),
        };
        for c in CheckKind::ALL {
            let verdict = assess(c, Some(start), None, &seen, &settings, now);
            if let Verdict::Raise(kind) = verdict {
                prop_assert!(now >= settings.due(c, start, None, seen.dropped_off_at));
                prop_assert!(seen.mark.is_none() || seen.mark == Some(Mark::Absent(AbsenceReason::NotYetKnown)));
                prop_assert_eq!(kind.urgent(), seen.picked_up || seen.dropped_off_at.is_some());
            }
            if let Verdict::Wait(due) = verdict {
                prop_assert!(due > now);
            }
        }
    }
}
