//! The device's clock. chrono's own clock is not available in the browser's
//! wasm; the JavaScript one is.

use chrono::{DateTime, Utc};

pub fn device_now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}
