//! Taxi escorts' hand-overs: the pick-up and the drop-off that come before a
//! pupil's arrival is registered. The chain pick-up → drop-off → arrival is
//! what the dashboard shows and what missed-arrival alerts reason about.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::ErrorDetail;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandoverKind {
    /// The escort has the pupil in the taxi.
    PickUp,
    /// The escort has handed the pupil over at the venue.
    DropOff,
}

impl HandoverKind {
    pub const ALL: [HandoverKind; 2] = [HandoverKind::PickUp, HandoverKind::DropOff];

    pub fn as_str(self) -> &'static str {
        match self {
            HandoverKind::PickUp => "pick_up",
            HandoverKind::DropOff => "drop_off",
        }
    }

    pub fn parse(name: &str) -> Option<HandoverKind> {
        HandoverKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoverKind::PickUp => "Picked up",
            HandoverKind::DropOff => "Dropped off",
        }
    }
}

/// Where the escort's phone was, sent only when the escort ticked "share my
/// location" for this tap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// WGS84 degrees, −90 to 90.
    pub latitude: f64,
    /// WGS84 degrees, −180 to 180.
    pub longitude: f64,
    /// The phone's own estimate, in metres.
    #[serde(default)]
    pub accuracy_m: Option<f64>,
}

/// Refuses coordinates that are not on the Earth, naming the field.
pub fn check_location(location: &Location) -> Result<(), ErrorDetail> {
    let within = |v: f64, limit: f64| v.is_finite() && v.abs() <= limit;
    if !within(location.latitude, 90.0) {
        return Err(ErrorDetail::invalid(
            "location.latitude",
            "a latitude is between -90 and 90 degrees",
        ));
    }
    if !within(location.longitude, 180.0) {
        return Err(ErrorDetail::invalid(
            "location.longitude",
            "a longitude is between -180 and 180 degrees",
        ));
    }
    if location
        .accuracy_m
        .is_some_and(|a| !(a.is_finite() && (0.0..=100_000.0).contains(&a)))
    {
        return Err(ErrorDetail::invalid(
            "location.accuracy_m",
            "the accuracy is a distance in metres, 0 to 100000",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in HandoverKind::ALL {
            assert_eq!(HandoverKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(HandoverKind::parse("arrived"), None);
    }

    #[test]
    fn a_location_off_the_earth_names_its_field() {
        let at = |latitude, longitude, accuracy_m| Location {
            latitude,
            longitude,
            accuracy_m,
        };
        assert!(check_location(&at(51.5, -0.12, Some(8.0))).is_ok());
        let field = |l: Location| check_location(&l).err().and_then(|e| e.field);
        assert_eq!(
            field(at(91.0, 0.0, None)).as_deref(),
            Some("location.latitude")
        );
        assert_eq!(
            field(at(f64::NAN, 0.0, None)).as_deref(),
            Some("location.latitude")
        );
        assert_eq!(
            field(at(0.0, -180.5, None)).as_deref(),
            Some("location.longitude")
        );
        assert_eq!(
            field(at(0.0, 0.0, Some(-1.0))).as_deref(),
            Some("location.accuracy_m")
        );
    }

    proptest! {
        #[test]
        fn every_point_on_the_earth_is_accepted(lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
            let location = Location { latitude: lat, longitude: lon, accuracy_m: None };
            prop_assert!(check_location(&location).is_ok());
        }
    }
}
