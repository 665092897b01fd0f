use chrono::{DateTime, Utc};

/// Now, from the runtime's clock (frozen during a request on Workers).
pub fn now() -> DateTime<Utc> {
    from_millis(worker::Date::now().as_millis() as f64)
}

pub fn from_millis(ms: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}
