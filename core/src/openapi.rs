//! The OpenAPI 3.1 description of the API, generated from [`Endpoint`] and the
//! request/response types themselves (their JSON Schemas come from `schemars`).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::alerts::AlertSettings;
use crate::api::{
    AcceptInvitation, Audience, DEVICE_ID_PATTERN, Endpoint, ErrorBody, Health, Invitation,
    InvitationList, InvitationPreview, InvitationRequest, InvitationToken, Me,
    PasswordResetRequest, PasswordResetRequested, SignInRequest, Today,
};
use crate::api::{
    AlertDetail, AlertList, CloseAlert, PhoneSaved, PushKey, PushSubscriptionRequest,
    PushSubscriptionSaved, RemovePushSubscription, SetPhone,
};
use crate::api::{
    AttendanceQuery, AuditPage, AuditQuery, Baseline, CompletePasswordReset, CtfImported,
    Directory, EndPlacement, HandoverRecord, HandoverRequest, MarkRecord, MarkRequest,
    NewPlacement, NewSession, PeopleList, PlacementDetail, PlacementList, ReturnBaseline,
    SessionChange, SetContacts, Terms, Timetable,
};
use crate::api::{
    EraseRecord, Erased, PupilRecord, RecordImported, RetentionReview, RetentionRule,
};
use crate::api::{
    ExportQuery, ProgressHistory, ProgressLog, ProgressRecord, ProgressRequest, Review, ReviewList,
    ReviewRequest,
};
use crate::api::{
    NewShare, OpenShare, Share, ShareCodeRequest, ShareCodeSent, ShareList, SharedExport,
};
use crate::gate::{self, Section, ctf::MAX_CTF_BYTES};

struct Operation {
    id: &'static str,
    summary: &'static str,
    request: Option<Schema>,
    /// An object schema whose properties are the query parameters.
    query: Option<Schema>,
    success: (u16, &'static str, Option<Schema>),
    errors: Vec<u16>,
}

struct Schemas {
    requests: SchemaGenerator,
    responses: SchemaGenerator,
}

impl Schemas {
    fn new() -> Self {
        let settings = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Schemas {
            requests: settings.clone().for_deserialize().into_generator(),
            responses: settings.for_serialize().into_generator(),
        }
    }

    fn request<T: JsonSchema>(&mut self) -> Option<Schema> {
        Some(self.requests.subschema_for::<T>())
    }

    fn response<T: JsonSchema>(&mut self) -> Option<Schema> {
        Some(self.responses.subschema_for::<T>())
    }
}

fn describe(endpoint: Endpoint, s: &mut Schemas) -> Operation {
    let op = |id, summary, request, success, extra: &[u16]| Operation {
        id,
        summary,
        request,
        query: None,
        success,
        errors: extra.to_vec(),
    };
    match endpoint {
        Endpoint::Health => op(
            "getHealth",
            "Version, database reachability, latest migration and scheduler state",
            None,
            (
                200,
                "The deployment is able to serve",
                s.response::<Health>(),
            ),
            &[503],
        ),
        Endpoint::OpenApi => op(
            "getOpenApi",
            "This document",
            None,
            (200, "The OpenAPI 3.1 description", None),
            &[],
        ),
        Endpoint::SignIn => op(
            "signIn",
            "Sign in with email and password; sets the sign-in cookie",
            s.request::<SignInRequest>(),
            (200, "Signed in", s.response::<Me>()),
            &[401, 429],
        ),
        Endpoint::SignOut => op(
            "signOut",
            "End this sign-in and clear its cookie",
            None,
            (204, "Signed out", None),
            &[403],
        ),
        Endpoint::Me => op(
            "getMe",
            "The signed-in person and their roles",
            None,
            (200, "The signed-in person", s.response::<Me>()),
            &[],
        ),
        Endpoint::Today => op(
            "getToday",
            "Today's sessions (Europe/London) that the signed-in person may see",
            None,
            (200, "Today's sessions", s.response::<Today>()),
            &[],
        ),
        Endpoint::ListInvitations => op(
            "listInvitations",
            "Invitations of an AP, newest first (AP admins and DSLs)",
            None,
            (200, "The invitations", s.response::<InvitationList>()),
            &[],
        ),
        Endpoint::CreateInvitation => op(
            "createInvitation",
            "Invite a person by email to a role, scoped to placements where the role needs it",
            s.request::<InvitationRequest>(),
            (
                201,
                "Invited; the email was sent or is marked failed",
                s.response::<Invitation>(),
            ),
            &[403, 429],
        ),
        Endpoint::RevokeInvitation => op(
            "revokeInvitation",
            "Revoke a pending invitation so its link stops working",
            None,
            (200, "Revoked", s.response::<Invitation>()),
            &[403, 409],
        ),
        Endpoint::LookUpInvitation => op(
            "lookUpInvitation",
            "What an invitation link is for, before accepting it",
            s.request::<InvitationToken>(),
            (200, "The invitation", s.response::<InvitationPreview>()),
            &[404, 410, 429],
        ),
        Endpoint::AcceptInvitation => op(
            "acceptInvitation",
            "Accept an invitation by choosing a password (or giving the current one); signs in",
            s.request::<AcceptInvitation>(),
            (200, "Accepted and signed in", s.response::<Me>()),
            &[401, 404, 410, 429],
        ),
        Endpoint::RequestPasswordReset => op(
            "requestPasswordReset",
            "Email a single-use link to choose a new password (same answer for unknown addresses)",
            s.request::<PasswordResetRequest>(),
            (
                202,
                "If the address has an account, a link is on its way",
                s.response::<PasswordResetRequested>(),
            ),
            &[429],
        ),
        Endpoint::CompletePasswordReset => op(
            "completePasswordReset",
            "Choose a new password with the link's token; ends every other sign-in and signs in",
            s.request::<CompletePasswordReset>(),
            (200, "Password changed and signed in", s.response::<Me>()),
            &[404, 410, 429],
        ),
        Endpoint::GetPlacement => op(
            "getPlacement",
            "A placement; its safeguarding flags only for those allowed, and each such read is audited",
            None,
            (200, "The placement", s.response::<PlacementDetail>()),
            &[],
        ),
        Endpoint::ListPlacements => op(
            "listPlacements",
            "The placements the signed-in person may see, with their gate progress",
            None,
            (200, "The placements", s.response::<PlacementList>()),
            &[],
        ),
        Endpoint::CreatePlacement => op(
            "createPlacement",
            "Record a referral: the pupil, the commissioner, the tier and dates; the placement starts referred",
            s.request::<NewPlacement>(),
            (
                201,
                "The referred placement",
                s.response::<PlacementDetail>(),
            ),
            &[],
        ),
        Endpoint::GetBaseline => op(
            "getBaseline",
            "The transition baseline: every field with who entered it, when and how, and its history; \
             safeguarding values only for those allowed (each such read is audited)",
            None,
            (200, "The baseline", s.response::<Baseline>()),
            &[],
        ),
        Endpoint::SaveBaselineSection => op(
            "saveBaselineSection",
            "Save fields of one section; absent fields are kept, null clears one",
            Some(section_bodies()),
            (200, "The baseline after saving", s.response::<Baseline>()),
            &[403],
        ),
        Endpoint::ImportCtf => op(
            "importCtf",
            "Pre-fill the baseline from a DfE Common Transfer File (application/xml); typed values are kept",
            None,
            (200, "What the file filled", s.response::<CtfImported>()),
            &[400, 403, 413, 415],
        ),
        Endpoint::SubmitBaseline => op(
            "submitBaseline",
            "Hand the completed baseline to the AP for review",
            None,
            (200, "Submitted", s.response::<PlacementDetail>()),
            &[403, 409],
        ),
        Endpoint::AcceptBaseline => op(
            "acceptBaseline",
            "Accept the submitted baseline (AP admin or DSL): the placement becomes active",
            None,
            (200, "Active", s.response::<PlacementDetail>()),
            &[403, 409],
        ),
        Endpoint::ReturnBaseline => op(
            "returnBaseline",
            "Send the submitted baseline back to the commissioner with a comment",
            s.request::<ReturnBaseline>(),
            (200, "Returned", s.response::<PlacementDetail>()),
            &[403, 409],
        ),
        Endpoint::EndPlacement => op(
            "endPlacement",
            "End the placement with a reason",
            s.request::<EndPlacement>(),
            (200, "Ended", s.response::<PlacementDetail>()),
            &[403, 409],
        ),
        Endpoint::GetTimetable => op(
            "getTimetable",
            "The placement's weekly sessions and every occurrence of the next 14 days (Europe/London, as UTC instants)",
            None,
            (200, "The timetable", s.response::<Timetable>()),
            &[],
        ),
        Endpoint::AddSession => op(
            "addSession",
            "Add a weekly session (AP admin or DSL)",
            s.request::<NewSession>(),
            (
                201,
                "The timetable with the new session",
                s.response::<Timetable>(),
            ),
            &[403, 409],
        ),
        Endpoint::RemoveSession => op(
            "removeSession",
            "Take a weekly session off the timetable after today (its past stays)",
            None,
            (200, "The timetable", s.response::<Timetable>()),
            &[403, 409],
        ),
        Endpoint::ChangeSession => op(
            "changeSession",
            "Cancel one occurrence, or move it to other times that day",
            s.request::<SessionChange>(),
            (200, "The timetable", s.response::<Timetable>()),
            &[403, 409],
        ),
        Endpoint::SetContacts => op(
            "setContacts",
            "Name the people alerts go to, at the AP and at the commissioner",
            s.request::<SetContacts>(),
            (200, "The placement", s.response::<PlacementDetail>()),
            &[403],
        ),
        Endpoint::GetTerms => op(
            "getTerms",
            "The AP's term dates",
            None,
            (200, "The terms", s.response::<Terms>()),
            &[],
        ),
        Endpoint::SaveTerms => op(
            "saveTerms",
            "Replace the AP's term dates",
            s.request::<Terms>(),
            (200, "The terms", s.response::<Terms>()),
            &[],
        ),
        Endpoint::PutMark => op(
            "putMark",
            "Register a pupil at one session (present, late, absent with a reason); the device's id makes a replay return the first result",
            s.request::<MarkRequest>(),
            (
                201,
                "Recorded; a replay of the same mark answers 200 with it",
                s.response::<MarkRecord>(),
            ),
            &[403, 404, 409],
        ),
        Endpoint::PutHandover => op(
            "putHandover",
            "An escort confirms a pick-up or a drop-off with one tap (location only with consent); the device's id makes a replay return the first result",
            s.request::<HandoverRequest>(),
            (
                201,
                "Recorded; a replay of the same hand-over answers 200 with it",
                s.response::<HandoverRecord>(),
            ),
            &[403, 404, 409],
        ),
        Endpoint::Live => op(
            "live",
            "A WebSocket (RFC 6455) that tells the AP's dashboards when today's sessions change: each message is `{\"seq\": n}` and carries no pupil data, so a client fetches /api/today to see what changed; a gap in `seq` or a reconnect means fetch again",
            None,
            (101, "Switching to the WebSocket protocol", None),
            &[426],
        ),
        Endpoint::ListAlerts => op(
            "listAlerts",
            "Alerts the caller may see (the AP's admins and DSLs, the commissioner's staff for their pupils, and anyone an alert was sent to): open ones first, urgent first",
            None,
            (200, "The alerts", s.response::<AlertList>()),
            &[],
        ),
        Endpoint::GetAlert => op(
            "getAlert",
            "One alert and its timeline: raised, each delivery attempt, acknowledged, escalated, closed, by whom and when",
            None,
            (200, "The alert", s.response::<AlertDetail>()),
            &[404],
        ),
        Endpoint::AcknowledgeAlert => op(
            "acknowledgeAlert",
            "Say that you are dealing with it: escalation stops; acknowledging again changes nothing",
            None,
            (200, "The alert", s.response::<AlertDetail>()),
            &[404],
        ),
        Endpoint::CloseAlert => op(
            "closeAlert",
            "Close an alert with its outcome and a note (required for a missing child and for other)",
            s.request::<CloseAlert>(),
            (200, "The alert", s.response::<AlertDetail>()),
            &[404, 409],
        ),
        Endpoint::GetPushKey => op(
            "getPushKey",
            "The VAPID public key (RFC 8292) to subscribe this device with",
            None,
            (200, "The key", s.response::<PushKey>()),
            &[503],
        ),
        Endpoint::AddPushSubscription => op(
            "addPushSubscription",
            "Send this device's alerts by Web Push: the body is the browser's PushSubscription as JSON; the same endpoint again replaces the keys",
            s.request::<PushSubscriptionRequest>(),
            (201, "Saved", s.response::<PushSubscriptionSaved>()),
            &[],
        ),
        Endpoint::RemovePushSubscription => op(
            "removePushSubscription",
            "Stop sending alerts to this device",
            s.request::<RemovePushSubscription>(),
            (204, "Removed (or was not there)", None),
            &[],
        ),
        Endpoint::SetPhone => op(
            "setPhone",
            "The UK mobile number alerts are texted to (null: no texts)",
            s.request::<SetPhone>(),
            (200, "Saved", s.response::<PhoneSaved>()),
            &[],
        ),
        Endpoint::GetAlertSettings => op(
            "getAlertSettings",
            "The AP's alert timings: grace, drop-off grace and escalation, in minutes",
            None,
            (200, "The settings", s.response::<AlertSettings>()),
            &[],
        ),
        Endpoint::SaveAlertSettings => op(
            "saveAlertSettings",
            "Change the AP's alert timings",
            s.request::<AlertSettings>(),
            (200, "The settings", s.response::<AlertSettings>()),
            &[],
        ),
        Endpoint::PutProgress => op(
            "putProgress",
            "Log a session's progress (engagement 1–5, incidents, strategies and how well they worked), or save a new version of an entry (same entry_id, new save id); every version is kept and the device's id makes a replay return the first result",
            s.request::<ProgressRequest>(),
            (
                201,
                "Recorded; a replay of the same save answers 200 with it",
                s.response::<ProgressRecord>(),
            ),
            &[403, 404, 409],
        ),
        Endpoint::GetProgress => op(
            "getProgress",
            "The placement's progress log: the current version of each entry, newest first",
            None,
            (200, "The log", s.response::<ProgressLog>()),
            &[],
        ),
        Endpoint::GetProgressHistory => op(
            "getProgressHistory",
            "Every saved version of one progress entry, oldest first, with who saved it and when (none for an entry not in this placement)",
            None,
            (200, "The versions", s.response::<ProgressHistory>()),
            &[],
        ),
        Endpoint::ListReviews => op(
            "listReviews",
            "The placement's reviews (where the pupil is now, and staff commentary), newest first",
            None,
            (200, "The reviews", s.response::<ReviewList>()),
            &[],
        ),
        Endpoint::AddReview => op(
            "addReview",
            "The AP's staff record where the pupil is now (reading age, English and maths working levels) and commentary for the next school; the Reintegration Export shows the latest of each level beside the baseline",
            s.request::<ReviewRequest>(),
            (201, "Recorded", s.response::<Review>()),
            &[403],
        ),
        Endpoint::GetExport => Operation {
            query: Some(inline_schema::<ExportQuery>()),
            ..op(
                "getExport",
                "The Reintegration Export for the placement as it stands (or as it ended): JSON (schema learntrek.reintegration-export.v1), an accessible HTML page, or an A4 PDF, with the same content in each",
                None,
                (
                    200,
                    "The export",
                    s.response::<crate::report::ReintegrationExport>(),
                ),
                &[400],
            )
        },
        Endpoint::ListShares => op(
            "listShares",
            "The AP's links sharing this placement's export: to whom, until when, revoked or not, how often opened",
            None,
            (200, "The shares", s.response::<ShareList>()),
            &[403],
        ),
        Endpoint::CreateShare => op(
            "createShare",
            "Share the Reintegration Export with a named person outside LearnTrek: their email gets a link (a 256-bit token, stored only as a SHA-256 digest) that works for `days` (1–30, default 14) and opens only with a one-time code sent to that address",
            s.request::<NewShare>(),
            (
                201,
                "Shared; the link has been emailed",
                s.response::<Share>(),
            ),
            &[403],
        ),
        Endpoint::RevokeShare => op(
            "revokeShare",
            "Stop a link working at once; revoking again changes nothing",
            None,
            (200, "The share", s.response::<Share>()),
            &[403],
        ),
        Endpoint::SendShareCode => op(
            "sendShareCode",
            "The holder of a link asks for a one-time code: six digits, emailed to the named recipient, good for 10 minutes and 5 tries; at most 3 an hour per link",
            s.request::<ShareCodeRequest>(),
            (202, "A code is on its way", s.response::<ShareCodeSent>()),
            &[404, 410, 429],
        ),
        Endpoint::OpenShare => op(
            "openShare",
            "Open a shared export with the link's token and the emailed code; the answer sets a cookie (`lt_share`, 30 minutes, only for /api/shared) for the HTML and PDF. Every opening is in the AP's audit log",
            s.request::<OpenShare>(),
            (200, "The export", s.response::<SharedExport>()),
            &[404, 410, 429],
        ),
        Endpoint::GetSharedExport => Operation {
            query: Some(inline_schema::<ExportQuery>()),
            ..op(
                "getSharedExport",
                "The shared export as JSON, HTML or PDF, for 30 minutes after the code was entered (the `lt_share` cookie)",
                None,
                (
                    200,
                    "The export",
                    s.response::<crate::report::ReintegrationExport>(),
                ),
                &[400, 401, 410],
            )
        },
        Endpoint::GetRetention => op(
            "getRetention",
            "How long the AP keeps pupils' records (default: until the pupil is 25, as the IRMS toolkit advises) and the ended placements the latest daily review found due",
            None,
            (
                200,
                "The rule and the records due",
                s.response::<RetentionReview>(),
            ),
            &[],
        ),
        Endpoint::SaveRetention => op(
            "saveRetention",
            "Change the age until which records are kept (AP admins)",
            s.request::<RetentionRule>(),
            (
                200,
                "The rule and the records due",
                s.response::<RetentionReview>(),
            ),
            &[],
        ),
        Endpoint::EraseRecord => op(
            "eraseRecord",
            "Erase an ended placement's record and, with its last placement, the pupil: registers, hand-overs, progress, reviews, baseline, timetable, alerts and shares (AP admins; type the pupil's last name to confirm). The audit log keeps an entry of what was erased and by whom",
            s.request::<EraseRecord>(),
            (200, "What was erased", s.response::<Erased>()),
            &[403, 409],
        ),
        Endpoint::ExportRecord => op(
            "exportRecord",
            "Everything held about the pupil's placement, as JSON (learntrek.pupil-record.v1): for a subject access request, or to move the record with the child. AP admins and DSLs; it holds safeguarding data, so the read is audited",
            None,
            (200, "The record", s.response::<PupilRecord>()),
            &[403],
        ),
        Endpoint::ImportRecord => op(
            "importRecord",
            "Bring an ended placement's record (as exported by another AP) into this AP: the same pupil, placement, baseline history, timetable, registers, hand-overs, progress and reviews; exporting it again gives the same content. Up to 4 MiB (other bodies: 64 KiB)",
            s.request::<PupilRecord>(),
            (201, "Imported", s.response::<RecordImported>()),
            &[409],
        ),
        Endpoint::ExportAttendance => Operation {
            query: Some(inline_schema::<AttendanceQuery>()),
            ..op(
                "exportAttendance",
                "Attendance as DfE codes for the commissioning school's register, as CSV: one row per pupil per half-day",
                None,
                (
                    200,
                    "text/csv: upn, first_name, last_name, date, session (AM/PM), code, minutes_late, reason, source_ap",
                    None,
                ),
                &[400],
            )
        },
        Endpoint::GetDirectory => op(
            "getDirectory",
            "The AP's organisations and placements, to choose from when inviting",
            None,
            (200, "The directory", s.response::<Directory>()),
            &[],
        ),
        Endpoint::ListPeople => op(
            "listPeople",
            "Everyone who holds access to the AP's data, with their roles and scopes",
            None,
            (200, "The people", s.response::<PeopleList>()),
            &[],
        ),
        Endpoint::RemovePerson => op(
            "removePerson",
            "Remove all of a person's access to the AP; ends their sign-ins",
            None,
            (204, "Removed", None),
            &[409],
        ),
        Endpoint::ListAudit => Operation {
            query: Some(inline_schema::<AuditQuery>()),
            ..op(
                "listAudit",
                "The AP's audit log, newest first, filtered and paged",
                None,
                (200, "A page of entries", s.response::<AuditPage>()),
                &[400],
            )
        },
        Endpoint::ExportAudit => Operation {
            query: Some(inline_schema::<AuditQuery>()),
            ..op(
                "exportAudit",
                "The AP's audit log as CSV (same filters, no limit)",
                None,
                (200, "text/csv, one row per entry", None),
                &[400],
            )
        },
    }
}

/// A section save is one of the sections' bodies, each read from the field table.
fn section_bodies() -> Schema {
    let bodies: Vec<Value> = Section::ALL
        .iter()
        .map(|s| gate::section_schema(*s))
        .collect();
    Schema::try_from(json!({ "anyOf": bodies })).unwrap_or_default()
}

fn inline_schema<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<T>()
}

fn query_parameters(schema: &Schema) -> Vec<Value> {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let required: Vec<&Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().collect())
        .unwrap_or_default();
    properties
        .iter()
        .map(|(name, property)| {
            let mut property = property.clone();
            let description = property
                .as_object_mut()
                .and_then(|p| p.remove("description"))
                .unwrap_or(Value::Null);
            let required = required.contains(&&Value::from(name.as_str()));
            let mut parameter =
                json!({ "name": name, "in": "query", "required": required, "schema": property });
            if !description.is_null() {
                parameter["description"] = description;
            }
            parameter
        })
        .collect()
}

/// The error statuses every route of an audience can answer, plus the body errors.
fn common_errors(endpoint: Endpoint, has_body: bool) -> Vec<u16> {
    let mut errors = match endpoint.audience() {
        Audience::Anyone => vec![],
        Audience::SignedIn => vec![401],
        Audience::ApManagers => vec![401, 403, 404],
        Audience::PlacementViewers | Audience::ApMembers => vec![401, 404],
    };
    if has_body {
        errors.extend([400, 413, 415]);
    }
    errors
}

/// Path parameters the device makes up (see [`check_device_id`](crate::api::check_device_id)).
const DEVICE_IDS: [&str; 3] = ["mark_id", "handover_id", "save_id"];

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let schema = if name == "section" {
                let names: Vec<&str> = Section::ALL.iter().map(|s| s.as_str()).collect();
                json!({ "type": "string", "enum": names })
            } else if DEVICE_IDS.contains(&name) {
                json!({ "type": "string", "pattern": DEVICE_ID_PATTERN })
            } else {
                json!({ "type": "string" })
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect()
}

fn json_content(schema: Schema) -> Value {
    json!({ "application/json": { "schema": schema } })
}

/// The document the worker serves, written out by [`document`] and checked
/// in: built at run time it cost the worker schemars and every type's schema
/// code. `the_served_document_is_current` fails when it falls behind the
/// types, and `LT_BLESS=1 cargo test -p lt-core openapi` writes it afresh.
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// The whole OpenAPI document for release `version`.
pub fn document(version: &str) -> Value {
    let mut schemas = Schemas::new();
    let error_schema = schemas.responses.subschema_for::<ErrorBody>();
    let mut paths = Map::new();
    for &endpoint in Endpoint::ALL {
        let op = describe(endpoint, &mut schemas);
        let mut responses = Map::new();
        let mut errors = common_errors(endpoint, op.request.is_some());
        errors.extend(op.errors.iter().copied());
        errors.sort_unstable();
        errors.dedup();
        let (status, description, body) = op.success;
        let mut ok = json!({ "description": description });
        match (body, endpoint) {
            (Some(schema), Endpoint::GetExport | Endpoint::GetSharedExport) => {
                // OpenAPI 3.1 describes file bodies by media type, not `format: binary`.
                ok["content"] = json!({
                    "application/json": { "schema": schema },
                    "text/html": { "schema": { "type": "string" } },
                    "application/pdf": { "schema": { "type": "string", "contentMediaType": "application/pdf" } },
                })
            }
            (Some(schema), _) => ok["content"] = json_content(schema),
            (None, Endpoint::ExportAudit | Endpoint::ExportAttendance) => {
                ok["content"] = json!({ "text/csv": { "schema": { "type": "string" } } })
            }
            (None, Endpoint::OpenApi) => {
                ok["content"] = json!({ "application/json": { "schema": { "type": "object" } } })
            }
            (None, _) => {}
        }
        if matches!(
            endpoint,
            Endpoint::PutMark | Endpoint::PutHandover | Endpoint::PutProgress
        ) {
            // Idempotent on the device's id: a replay answers 200 with the first result.
            let mut replay = ok.clone();
            replay["description"] = json!("A replay: the record as it was first made");
            responses.insert("200".into(), replay);
        }
        responses.insert(status.to_string(), ok);
        for code in errors {
            responses.insert(
                code.to_string(),
                json!({ "description": error_description(code), "content": json_content(error_schema.clone()) }),
            );
        }
        let mut operation = json!({
            "operationId": op.id,
            "summary": op.summary,
            "responses": responses,
        });
        if let Some(schema) = op.request {
            operation["requestBody"] = json!({ "required": true, "content": json_content(schema) });
        }
        if endpoint == Endpoint::ImportCtf {
            let xml = json!({ "schema": { "type": "string", "maxLength": MAX_CTF_BYTES } });
            operation["requestBody"] = json!({
                "required": true,
                "description": "A Common Transfer File as the school's MIS exports it",
                "content": { "application/xml": xml, "text/xml": xml },
            });
        }
        let mut parameters = path_parameters(endpoint.path());
        if let Some(query) = &op.query {
            parameters.extend(query_parameters(query));
        }
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if endpoint.needs_sign_in() {
            operation["security"] = json!([{ "signInCookie": [] }]);
        }
        let item = paths
            .entry(endpoint.path())
            .or_insert_with(|| Value::Object(Map::new()));
        item[endpoint.method().as_str().to_lowercase()] = operation;
    }
    let mut components = schemas.responses.take_definitions(true);
    for (name, schema) in schemas.requests.take_definitions(true) {
        components.entry(name).or_insert(schema);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "LearnTrek API",
            "version": version,
            "description": "Onboarding, attendance and transition for Alternative Provision and EOTAS placements. Every error body is {\"error\":{\"code\",\"message\",\"field\"?}}.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "signInCookie": { "type": "apiKey", "in": "cookie", "name": "lt_sign_in" }
            }
        }
    })
}

fn error_description(status: u16) -> &'static str {
    match status {
        400 => "The body is malformed or a field is invalid; `field` names it",
        401 => "Not signed in, or the sign-in has expired",
        403 => "Signed in but not allowed, or a cross-site request",
        404 => "No such resource in your scope",
        409 => "The resource is not in a state that allows this",
        410 => "The link has expired, been used or been revoked",
        429 => "Too many requests or failed attempts; the message says when to try again",
        413 => "The body is larger than the endpoint accepts",
        415 => "The body is not application/json",
        426 => "Not a WebSocket request: ask again with `Upgrade: websocket`",
        503 => "The database cannot be reached",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_documented() {
        let doc = document("test");
        assert_eq!(doc["openapi"], "3.1.0");
        for &e in Endpoint::ALL {
            let op = &doc["paths"][e.path()][e.method().as_str().to_lowercase()];
            assert!(op.is_object(), "{e:?} missing from the document");
            assert!(op["responses"].is_object());
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document("test");
        let text = doc.to_string();
        for chunk in text.split("\"$ref\":\"").skip(1) {
            let target = chunk.split('"').next().expect("ref target");
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected ref {target}"));
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling ref {target}"
            );
        }
    }

    #[test]
    fn the_served_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        let fresh = serde_json::to_string_pretty(&document(env!("CARGO_PKG_VERSION")))
            .expect("the document serialises")
            + "\n";
        if std::env::var_os("LT_BLESS").is_some() {
            std::fs::write(path, &fresh).expect("write core/openapi.json");
            return;
        }
        assert!(
            fresh == DOCUMENT,
            "core/openapi.json is not what the types describe: run \
             `LT_BLESS=1 cargo test -p lt-core openapi` and commit it"
        );
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document("test");
        let mut ids: Vec<String> = Vec::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("item").values() {
                ids.push(op["operationId"].as_str().expect("id").to_owned());
            }
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
