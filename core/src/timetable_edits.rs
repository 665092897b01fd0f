//! Checking changes to a timetable before they are stored.

use chrono::NaiveTime;

use crate::api::{ErrorDetail, NewSession, SessionChange, Term};

/// `HH:MM`, 24-hour, as the timetable stores London wall-clock times.
pub fn clock_time(text: &str, field: &str) -> Result<NaiveTime, ErrorDetail> {
    let t = text.trim();
    if t.len() != 5 {
        return Err(ErrorDetail::invalid(
            field,
            "give the time as HH:MM, like 09:30",
        ));
    }
    NaiveTime::parse_from_str(t, "%H:%M")
        .map_err(|_| ErrorDetail::invalid(field, "give the time as HH:MM, like 09:30"))
}

fn span(
    start: &str,
    end: &str,
    start_field: &str,
    end_field: &str,
) -> Result<(NaiveTime, NaiveTime), ErrorDetail> {
    let (s, e) = (clock_time(start, start_field)?, clock_time(end, end_field)?);
    if e <= s {
        return Err(ErrorDetail::invalid(
            end_field,
            "the end must be after the start",
        ));
    }
    Ok((s, e))
}

/// A new weekly session, checked: weekday, times, and a complete transport run.
pub fn check_new_session(new: &NewSession) -> Result<(), ErrorDetail> {
    if !(1..=7).contains(&new.weekday) {
        return Err(ErrorDetail::invalid(
            "weekday",
            "give the weekday as 1 (Monday) to 7 (Sunday)",
        ));
    }
    let (start, _) = span(&new.start_time, &new.end_time, "start_time", "end_time")?;
    if new.venue_id.trim().is_empty() {
        return Err(ErrorDetail::invalid(
            "venue_id",
            "choose where the session happens",
        ));
    }
    if new
        .alert_grace_minutes
        .is_some_and(|m| m > crate::alerts::MAX_GRACE_MINUTES)
    {
        return Err(ErrorDetail::invalid(
            "alert_grace_minutes",
            format!(
                "at most {} minutes after the start",
                crate::alerts::MAX_GRACE_MINUTES
            ),
        ));
    }
    let escorted = new
        .escort_id
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty());
    let place = new
        .pickup_place
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if place.is_some_and(|p| p.chars().count() > 200) {
        return Err(ErrorDetail::invalid(
            "pickup_place",
            "at most 200 characters",
        ));
    }
    match (
        escorted,
        place,
        new.pickup_time.as_deref().filter(|t| !t.trim().is_empty()),
    ) {
        (true, None, _) => Err(ErrorDetail::invalid(
            "pickup_place",
            "a taxi run needs the address the escort collects the pupil from",
        )),
        (true, _, None) => Err(ErrorDetail::invalid(
            "pickup_time",
            "a taxi run needs a pick-up time",
        )),
        (true, _, Some(t)) => {
            if clock_time(t, "pickup_time")? >= start {
                return Err(ErrorDetail::invalid(
                    "pickup_time",
                    "the pick-up must be before the session starts",
                ));
            }
            Ok(())
        }
        (false, Some(_), _) | (false, _, Some(_)) => Err(ErrorDetail::invalid(
            "escort_id",
            "choose the escort for this pick-up, or clear the pick-up",
        )),
        (false, None, None) => Ok(()),
    }
}

/// A one-off change: a reason always; new times both or neither; not both
/// cancelled and moved.
pub fn check_change(change: &SessionChange) -> Result<Option<(NaiveTime, NaiveTime)>, ErrorDetail> {
    let reason = change.reason.trim();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(ErrorDetail::invalid(
            "reason",
            "say why, in up to 300 characters",
        ));
    }
    match (
        change.start_time.as_deref(),
        change.end_time.as_deref(),
        change.cancelled,
    ) {
        (None, None, true) => Ok(None),
        (None, None, false) => Err(ErrorDetail::invalid(
            "start_time",
            "give new times, or cancel the session for the day",
        )),
        (Some(_), Some(_), true) => Err(ErrorDetail::invalid(
            "cancelled",
            "a cancelled session has no new times",
        )),
        (Some(s), Some(e), false) => Ok(Some(span(s, e, "start_time", "end_time")?)),
        (None, Some(_), _) => Err(ErrorDetail::invalid(
            "start_time",
            "give the new start time too",
        )),
        (Some(_), None, _) => Err(ErrorDetail::invalid(
            "end_time",
            "give the new end time too",
        )),
    }
}

/// Term dates: named, in order, not overlapping, at most 12.
pub const MAX_TERM_NAME_CHARS: usize = 60;

pub fn check_terms(terms: &[Term]) -> Result<(), ErrorDetail> {
    if terms.len() > 12 {
        return Err(ErrorDetail::invalid("terms", "at most 12 terms"));
    }
    for (i, t) in terms.iter().enumerate() {
        if t.name.trim().is_empty() || t.name.chars().count() > MAX_TERM_NAME_CHARS {
            return Err(ErrorDetail::invalid(
                format!("terms[{i}].name"),
                "name the term, in up to 60 characters",
            ));
        }
        if t.ends < t.starts {
            return Err(ErrorDetail::invalid(
                format!("terms[{i}].ends"),
                "a term ends on or after its start",
            ));
        }
        let previous = i.checked_sub(1).and_then(|p| terms.get(p));
        if previous.is_some_and(|prev| t.starts <= prev.ends) {
            return Err(ErrorDetail::invalid(
                format!("terms[{i}].starts"),
                "terms must be in date order and must not overlap",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn session() -> NewSession {
        NewSession {
            weekday: 1,
            start_time: "09:30".into(),
            end_time: "12:00".into(),
            venue_id: "venue-centre".into(),
            tutor_id: None,
            escort_id: Some("person-escort".into()),
            pickup_place: Some("14 Elm Road".into()),
            pickup_time: Some("09:00".into()),
            alert_grace_minutes: None,
        }
    }

    #[test]
    fn each_bad_part_of_a_session_is_named() {
        type Spoil = fn(&mut NewSession);
        let cases: [(&str, Spoil); 7] = [
            ("alert_grace_minutes", |s| s.alert_grace_minutes = Some(121)),
            ("weekday", |s| s.weekday = 8),
            ("start_time", |s| s.start_time = "9.30".into()),
            ("end_time", |s| s.end_time = "09:00".into()),
            ("pickup_time", |s| s.pickup_time = Some("10:00".into())),
            ("pickup_place", |s| s.pickup_place = None),
            ("escort_id", |s| s.escort_id = None),
        ];
        assert!(check_new_session(&session()).is_ok());
        for (field, spoil) in cases {
            let mut s = session();
            spoil(&mut s);
            let err = check_new_session(&s).expect_err(field);
            assert_eq!(err.field.as_deref(), Some(field));
        }
    }

    #[test]
    fn changes_cancel_or_move_never_both() {
        let change = |cancelled, s: Option<&str>, e: Option<&str>| SessionChange {
            cancelled,
            start_time: s.map(Into::into),
            end_time: e.map(Into::into),
            reason: "Tutor ill".into(),
        };
        assert_eq!(check_change(&change(true, None, None)), Ok(None));
        assert!(
            check_change(&change(false, Some("13:00"), Some("15:00"))).is_ok_and(|m| m.is_some())
        );
        assert!(check_change(&change(true, Some("13:00"), Some("15:00"))).is_err());
        assert!(check_change(&change(false, None, None)).is_err());
    }

    #[test]
    fn terms_are_ordered_and_apart() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        let term = |n: &str, s, e| Term {
            name: n.into(),
            starts: s,
            ends: e,
        };
        assert!(check_terms(&[term("Autumn", d(9, 3), d(12, 18))]).is_ok());
        let err = check_terms(&[
            term("Autumn", d(9, 3), d(12, 18)),
            term("Overlap", d(12, 1), d(12, 20)),
        ])
        .expect_err("overlap");
        assert_eq!(err.field.as_deref(), Some("terms[1].starts"));
    }
}
