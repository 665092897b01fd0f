//! Request and response bodies of the HTTP API, shared by the worker and the PWA
//! so that the two cannot drift apart.

mod alerts;
mod audit;
mod baseline;
mod directory;
mod endpoints;
mod error;
mod invitations;
mod json;
mod marks;
mod passwords;
mod people;
mod placements;
mod progress;
mod records;
mod shares;
mod timetable;

pub use alerts::{
    AlertDetail, AlertList, AlertSummary, CloseAlert, PhoneSaved, PushKey, PushSubscriptionKeys,
    PushSubscriptionRequest, PushSubscriptionSaved, RemovePushSubscription, SetPhone,
    TimelineEntry, TimelineKind,
};
pub use audit::{AuditChange, AuditEntry, AuditPage, AuditQuery, MAX_AUDIT_LIMIT};
pub use baseline::{
    Baseline, BaselineField, BaselineSection, CtfImported, EndPlacement, FieldVersion,
    PlacementEvent, Provenance, ReturnBaseline, Source,
};
pub use directory::{Directory, OrganisationSummary, PlacementSummary};
pub use endpoints::{Audience, Endpoint, Method, PathParams, Resolution};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use invitations::{
    AcceptInvitation, EmailDelivery, Invitation, InvitationList, InvitationPreview,
    InvitationRequest, InvitationStatus, InvitationToken,
};
pub use json::{MAX_JSON_BODY_BYTES, parse_json, parse_query};
pub use marks::{
    AttendanceQuery, DEVICE_ID_PATTERN, HandoverRecord, HandoverRequest, MarkRecord, MarkRequest,
    check_device_id,
};

pub use passwords::{CompletePasswordReset, PasswordResetRequest, PasswordResetRequested};
pub use people::{PeopleList, Person, PersonGrant};
pub use placements::{
    ContactSide, DesignatedContact, NewPlacement, PlacementDetail, PlacementList,
    PlacementListItem, PlacementState, SafeguardingFlags, SetContacts,
};
pub use progress::{
    ExportFormat, ExportQuery, Incident, ProgressHistory, ProgressLog, ProgressRecord,
    ProgressRequest, Review, ReviewList, ReviewRequest, StrategyUse,
};
pub use records::{
    EraseRecord, Erased, ErasedRows, PUPIL_RECORD_SCHEMA, PupilRecord, RecordAccess, RecordAlert,
    RecordBaselineEntry, RecordContent, RecordEvent, RecordHandover, RecordImported, RecordMark,
    RecordOrganisation, RecordPerson, RecordPlacement, RecordProgress, RecordPupil, RecordReview,
    RecordSession, RecordSessionChange, RetentionDue, RetentionReview, RetentionRule,
};
pub use shares::{
    NewShare, OpenShare, Share, ShareCodeRequest, ShareCodeSent, ShareList, ShareState,
    SharedExport,
};
pub use timetable::{
    Choice, NewSession, SessionChange, SessionSlot, Term, Terms, Timetable, UpcomingSession,
};

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::domain::Tier;

/// `GET /api/health`: is this deployment able to serve?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// The LearnTrek release serving this request.
    pub version: String,
    pub database: DatabaseHealth,
    pub scheduler: SchedulerHealth,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseHealth {
    /// Whether a query against D1 succeeded just now.
    pub reachable: bool,
    /// File name of the newest migration applied to this database.
    pub latest_migration: Option<String>,
}

/// What the cron trigger last did: a stalled scheduler means no missed-arrival alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SchedulerHealth {
    pub runs_recorded: u64,
    /// The scheduled instant of the most recent run (not the wall clock when it ran).
    pub last_run_scheduled_at: Option<DateTime<Utc>>,
    pub last_run_cron: Option<String>,
}

/// `POST /api/sign-in`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// The signed-in person and what they hold where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Me {
    pub person_id: String,
    pub name: String,
    pub email: String,
    /// The mobile number alerts are texted to, if any.
    #[serde(default)]
    pub phone: Option<String>,
    pub grants: Vec<GrantSummary>,
}

/// One role the person holds for one AP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GrantSummary {
    pub ap_id: String,
    pub ap_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub role: Role,
    pub is_dsl: bool,
    /// For placement-scoped roles, how many placements they cover.
    pub placements: usize,
}

/// `GET /api/today`: the sessions the signed-in person may see for today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Today {
    /// Today's date in Europe/London.
    pub date: NaiveDate,
    /// Each session's state, counted, for the dashboard's figures.
    pub counts: crate::dashboard::Counts,
    /// The APs whose live channel (`GET /api/live/{ap_id}`, a WebSocket)
    /// tells this person when one of these sessions changes.
    pub live: Vec<String>,
    pub sessions: Vec<TodaySession>,
}

/// One timetabled session taking place today. An escort who sees it only
/// because of its transport run gets the pupil's initial for a last name and
/// no tier or tutor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TodaySession {
    pub session_id: String,
    pub placement_id: String,
    pub pupil_first_name: String,
    pub pupil_last_name: String,
    pub tier: Option<Tier>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Start as London wall-clock time, `HH:MM`, ready to show.
    pub starts_local: String,
    pub ends_local: String,
    pub venue_name: String,
    pub tutor_name: Option<String>,
    /// Whether a taxi run with an escort brings the pupil.
    pub has_transport: bool,
    /// The run's details, for AP staff and the run's escort.
    pub transport: Option<TransportRun>,
    /// Whether the signed-in person takes this session's register.
    pub may_register: bool,
    /// The mark that counts for the session today, if any (not for escorts).
    pub mark: Option<TodayMark>,
    /// When the escort confirmed the pick-up and the drop-off (first taps).
    pub picked_up_at: Option<DateTime<Utc>>,
    pub dropped_off_at: Option<DateTime<Utc>>,
    /// The dashboard's reading: register, hand-overs, alerts and the clock.
    pub state: crate::dashboard::SessionState,
    /// Whether the signed-in person confirms this run's hand-overs.
    pub may_hand_over: bool,
    /// The session's progress entry as last saved, for those who may log
    /// it (so a phone edits the same entry after a reload).
    #[serde(default)]
    pub progress: Option<TodayProgress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TodayProgress {
    pub entry_id: String,
    pub engagement: crate::progress::Engagement,
    /// The rest of the entry, so an edit starts from what was saved.
    pub incidents: Vec<Incident>,
    pub strategies: Vec<StrategyUse>,
    pub note: String,
    /// Saves so far, the current one included.
    pub versions: u32,
    pub device_time: DateTime<Utc>,
}

/// Today's mark for a session, as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TodayMark {
    pub id: String,
    pub kind: crate::attendance::MarkKind,
    pub minutes_late: Option<u32>,
    pub reason: Option<crate::attendance::AbsenceReason>,
    pub ap_code: String,
    pub marked_by: Option<String>,
    pub device_time: DateTime<Utc>,
}

/// What an escort needs to bring a pupil to a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TransportRun {
    pub pickup_place: Option<String>,
    /// The pick-up window, London wall-clock `HH:MM`.
    pub pickup_from: Option<String>,
    pub pickup_until: Option<String>,
    /// The session's venue.
    pub dropoff_place: String,
    pub emergency_contact: Option<EmergencyContact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EmergencyContact {
    pub name: String,
    pub relationship: String,
    pub phone: String,
}
