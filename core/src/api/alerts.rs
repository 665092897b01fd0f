use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::alerts::{AlertKind, Channel, Outcome, Stage};

/// One alert as a list shows it. Inside the app, behind sign-in and the
/// access rules, the pupil is named; notifications carry initials only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AlertSummary {
    pub id: String,
    pub kind: AlertKind,
    pub urgent: bool,
    pub ap_id: String,
    pub placement_id: String,
    pub session_id: Option<String>,
    pub pupil_name: String,
    /// Where the pupil was expected (the session's venue, or the AP).
    pub place: String,
    /// The session's date, or the placement's start date.
    pub date: NaiveDate,
    /// The session's start, London time (`HH:MM`), when it is about a session.
    pub starts_at: Option<String>,
    pub raised_at: DateTime<Utc>,
    /// Who has been told so far.
    pub stage: Stage,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
}

/// `GET /api/alerts`: open alerts first (urgent first, then oldest), then
/// the latest closed ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AlertList {
    pub alerts: Vec<AlertSummary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Raised,
    /// One attempt to deliver to one person on one channel.
    Delivery,
    Acknowledged,
    Escalated,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    /// Who acted (acknowledged, closed), or who was being told (delivery).
    pub person: Option<String>,
    pub channel: Option<Channel>,
    /// For deliveries: `accepted`, `failed` or `gone` (the device unsubscribed).
    pub status: Option<String>,
    /// For escalations, the stage reached; for closing, the outcome and note.
    pub detail: Option<String>,
}

/// `GET /api/alerts/{alert_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AlertDetail {
    pub alert: AlertSummary,
    pub note: Option<String>,
    pub timeline: Vec<TimelineEntry>,
}

/// `POST /api/alerts/{alert_id}/close`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseAlert {
    pub outcome: Outcome,
    /// What happened; required for "child missing" and "other".
    #[serde(default)]
    pub note: String,
}

/// The VAPID public key a browser subscribes with (`applicationServerKey`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PushKey {
    pub public_key: String,
}

/// A browser's `PushSubscription.toJSON()`, as it comes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PushSubscriptionRequest {
    pub endpoint: String,
    #[serde(default, rename = "expirationTime")]
    pub expiration_time: Option<f64>,
    pub keys: PushSubscriptionKeys,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PushSubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

/// `POST /api/push/subscriptions/remove`: this device no longer wants alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovePushSubscription {
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PushSubscriptionSaved {
    pub id: String,
}

/// `PUT /api/me/phone`: the mobile number alerts are texted to (none: no SMS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPhone {
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PhoneSaved {
    /// As it will be used, E.164 (`+447700900123`).
    pub phone: Option<String>,
}
