//! Checking a new referral before a placement is created for it.

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use super::fields::by_id;
use super::values::check_value;
use crate::api::{ErrorDetail, NewPlacement};
use crate::domain::{Tier, Upn};

/// The referral's identity values, checked, as the baseline will hold them
/// (`section.key`, value).
pub fn check(
    referral: &NewPlacement,
    today: NaiveDate,
) -> Result<Vec<(String, Value)>, ErrorDetail> {
    let mut identity = Vec::new();
    for (key, value) in [
        ("first_name", Value::String(referral.first_name.clone())),
        ("last_name", Value::String(referral.last_name.clone())),
        (
            "date_of_birth",
            Value::String(referral.date_of_birth.to_string()),
        ),
    ] {
        let spec = by_id(&format!("identity.{key}"))
            .ok_or_else(|| ErrorDetail::invalid(key, "unknown"))?;
        let checked = check_value(spec, &value, key, today)?;
        if checked.is_null() {
            return Err(ErrorDetail::invalid(
                key,
                format!("enter the pupil's {}", spec.label.to_lowercase()),
            ));
        }
        identity.push((spec.id(), checked));
    }
    if let Some(upn) = referral.upn.as_deref().filter(|u| !u.trim().is_empty()) {
        let upn = Upn::parse(upn, "upn")?;
        identity.push((
            "identity.upn".to_owned(),
            Value::String(upn.as_ref().to_owned()),
        ));
    }
    if referral.commissioner_id.trim().is_empty() {
        return Err(ErrorDetail::invalid(
            "commissioner_id",
            "choose the commissioning school or LA",
        ));
    }
    if referral.start_date < today - Duration::days(365) {
        return Err(ErrorDetail::invalid(
            "start_date",
            "a start date more than a year ago is not a referral",
        ));
    }
    match (referral.tier, referral.end_date) {
        (Tier::ShortTerm, None) => {
            return Err(ErrorDetail::invalid(
                "end_date",
                "a short-term (tier 2) placement needs a planned end date",
            ));
        }
        (_, Some(end)) if end <= referral.start_date => {
            return Err(ErrorDetail::invalid(
                "end_date",
                "the end date must be after the start date",
            ));
        }
        _ => {}
    }
    Ok(identity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referral() -> NewPlacement {
        NewPlacement {
            first_name: "Noah".into(),
            last_name: "Reed".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2012, 3, 14).expect("date"),
            upn: Some("G801400025001".into()),
            commissioner_id: "org-school".into(),
            tier: Tier::ShortTerm,
            start_date: NaiveDate::from_ymd_opt(2027, 1, 4).expect("date"),
            end_date: NaiveDate::from_ymd_opt(2027, 3, 26),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).expect("date")
    }

    #[test]
    fn a_good_referral_starts_the_identity_section() {
        let identity = check(&referral(), today()).expect("fine");
        assert_eq!(identity.len(), 4);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut NewPlacement);
        let cases: [(&str, Spoil); 5] = [
            ("first_name", |r| r.first_name = " ".into()),
            ("upn", |r| r.upn = Some("A801400025001".into())),
            ("end_date", |r| r.end_date = None),
            ("end_date", |r| r.end_date = Some(r.start_date)),
            ("date_of_birth", |r| {
                r.date_of_birth = NaiveDate::from_ymd_opt(2030, 1, 1).expect("date")
            }),
        ];
        for (field, spoil) in cases {
            let mut r = referral();
            spoil(&mut r);
            let err = check(&r, today()).expect_err(field);
            assert_eq!(err.field.as_deref(), Some(field));
        }
    }
}
