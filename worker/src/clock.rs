use chrono::{DateTime, Utc};

/// Now, from the runtime's clock (frozen during a request on Workers).
pub fn now() -> DateTime<Utc> {
    from_millis(worker::Date::now().as_millis() as f64)
}

pub fn from_millis(ms: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

/// The one text form of an instant in D1: RFC 3339, UTC, milliseconds, `Z`.
/// Fixed width, so text order is time order in SQL comparisons.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
