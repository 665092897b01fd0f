//! Every call to the API goes through here.

use gloo_net::http::{Request, Response};
use lt_core::alerts::AlertSettings;
use lt_core::api::{
    AcceptInvitation, AuditPage, CompletePasswordReset, Directory, Endpoint, ErrorBody, ErrorCode,
    ErrorDetail, Invitation, InvitationList, InvitationPreview, InvitationRequest, InvitationToken,
    Me, PasswordResetRequest, PasswordResetRequested, SignInRequest, Today,
};
use lt_core::api::{
    AlertDetail, AlertList, CloseAlert, PhoneSaved, PushKey, PushSubscriptionRequest,
    RemovePushSubscription, SetPhone,
};
use lt_core::api::{
    Baseline, CtfImported, NewPlacement, NewSession, PlacementDetail, PlacementList, SessionChange,
    Timetable,
};
use lt_core::api::{EraseRecord, Erased, RetentionReview, RetentionRule};
use lt_core::api::{
    NewShare, OpenShare, Share, ShareCodeRequest, ShareCodeSent, ShareList, SharedExport,
};
use lt_core::gate::{Section, Transition};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer at all: no signal, or the server is down.
    Offline,
    /// The server answered with an error body.
    Refused(ErrorDetail),
}

impl Failure {
    /// A form's own check, shaped like the server's answer.
    pub fn invalid(field: &str, message: &str) -> Failure {
        Failure::Refused(ErrorDetail::invalid(field, message))
    }

    pub fn is_signed_out(&self) -> bool {
        matches!(self, Failure::Refused(d) if d.code == ErrorCode::Unauthenticated)
    }

    /// What to show a person, whatever went wrong.
    pub fn message(&self) -> String {
        match self {
            Failure::Offline => {
                "You're offline, or LearnTrek can't be reached. Try again when you have a signal."
                    .into()
            }
            Failure::Refused(d) => capitalise(&d.message),
        }
    }

    /// Splits an optional failure into the message for `field` and the
    /// message for everything else, for a form that shows both.
    pub fn split(failure: Option<&Failure>, field: &str) -> (Option<String>, Option<String>) {
        match failure {
            Some(f) if f.field() == Some(field) => (Some(f.message()), None),
            Some(f) => (None, Some(f.message())),
            None => (None, None),
        }
    }

    /// The request field the server named, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Failure::Refused(d) => d.field.as_deref(),
            Failure::Offline => None,
        }
    }
}

/// Server messages are sentence fragments; on their own they start with a capital.
pub fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, Failure> {
    let response = sent.map_err(|_| Failure::Offline)?;
    if response.ok() {
        return response.json::<T>().await.map_err(|_| Failure::Offline);
    }
    // A proxy or captive portal may answer with something that is not ours.
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(Failure::Refused(body.error)),
        Err(_) => Err(Failure::Offline),
    }
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    read(Request::get(path).send().await).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Failure> {
    let request = Request::post(path)
        .json(body)
        .map_err(|_| Failure::Offline)?;
    read(request.send().await).await
}

async fn put_json<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, Failure> {
    let request = Request::put(path)
        .json(body)
        .map_err(|_| Failure::Offline)?;
    read(request.send().await).await
}

fn ap_path(endpoint: Endpoint, ap_id: &str) -> String {
    endpoint.path().replace("{ap_id}", ap_id)
}

pub async fn me() -> Result<Me, Failure> {
    get(Endpoint::Me.path()).await
}

pub async fn today() -> Result<Today, Failure> {
    get(Endpoint::Today.path()).await
}

pub async fn sign_in(body: &SignInRequest) -> Result<Me, Failure> {
    post(Endpoint::SignIn.path(), body).await
}

pub async fn sign_out() -> Result<(), Failure> {
    let response = Request::post(Endpoint::SignOut.path())
        .send()
        .await
        .map_err(|_| Failure::Offline)?;
    if response.ok() || response.status() == 401 {
        Ok(())
    } else {
        read::<()>(Ok(response)).await
    }
}

pub async fn look_up_invitation(token: &str) -> Result<InvitationPreview, Failure> {
    post(
        Endpoint::LookUpInvitation.path(),
        &InvitationToken {
            token: token.to_owned(),
        },
    )
    .await
}

pub async fn accept_invitation(body: &AcceptInvitation) -> Result<Me, Failure> {
    post(Endpoint::AcceptInvitation.path(), body).await
}

pub async fn request_password_reset(email: &str) -> Result<PasswordResetRequested, Failure> {
    post(
        Endpoint::RequestPasswordReset.path(),
        &PasswordResetRequest {
            email: email.to_owned(),
        },
    )
    .await
}

pub async fn complete_password_reset(body: &CompletePasswordReset) -> Result<Me, Failure> {
    post(Endpoint::CompletePasswordReset.path(), body).await
}

pub async fn directory(ap_id: &str) -> Result<Directory, Failure> {
    get(&ap_path(Endpoint::GetDirectory, ap_id)).await
}

pub async fn invitations(ap_id: &str) -> Result<InvitationList, Failure> {
    get(&ap_path(Endpoint::ListInvitations, ap_id)).await
}

pub async fn invite(ap_id: &str, body: &InvitationRequest) -> Result<Invitation, Failure> {
    post(&ap_path(Endpoint::CreateInvitation, ap_id), body).await
}

pub async fn revoke_invitation(ap_id: &str, id: &str) -> Result<Invitation, Failure> {
    let path = ap_path(Endpoint::RevokeInvitation, ap_id).replace("{invitation_id}", id);
    post(&path, &serde_json::json!({})).await
}

pub async fn people(ap_id: &str) -> Result<lt_core::api::PeopleList, Failure> {
    get(&ap_path(Endpoint::ListPeople, ap_id)).await
}

pub async fn remove_person(ap_id: &str, person_id: &str) -> Result<(), Failure> {
    let path = ap_path(Endpoint::RemovePerson, ap_id).replace("{person_id}", person_id);
    post_for_nothing(&path, &serde_json::json!({})).await
}

/// A POST answered with 204 No Content when it works.
async fn post_for_nothing<B: Serialize>(path: &str, body: &B) -> Result<(), Failure> {
    let request = Request::post(path)
        .json(body)
        .map_err(|_| Failure::Offline)?;
    let response = request.send().await.map_err(|_| Failure::Offline)?;
    if response.ok() {
        Ok(())
    } else {
        read::<()>(Ok(response)).await
    }
}

pub async fn audit(ap_id: &str, action: Option<&str>) -> Result<AuditPage, Failure> {
    let mut path = ap_path(Endpoint::ListAudit, ap_id);
    if let Some(action) = action.filter(|a| !a.is_empty()) {
        path.push_str(&format!("?action={action}"));
    }
    get(&path).await
}

pub fn audit_csv_url(ap_id: &str) -> String {
    ap_path(Endpoint::ExportAudit, ap_id)
}

fn placement_path(endpoint: Endpoint, placement_id: &str) -> String {
    endpoint.path().replace("{placement_id}", placement_id)
}

pub async fn shares(placement_id: &str) -> Result<ShareList, Failure> {
    get(&placement_path(Endpoint::ListShares, placement_id)).await
}

pub async fn create_share(placement_id: &str, body: &NewShare) -> Result<Share, Failure> {
    post(&placement_path(Endpoint::CreateShare, placement_id), body).await
}

pub async fn revoke_share(placement_id: &str, share_id: &str) -> Result<Share, Failure> {
    let path = placement_path(Endpoint::RevokeShare, placement_id).replace("{share_id}", share_id);
    post(&path, &serde_json::json!({})).await
}

pub async fn retention(ap_id: &str) -> Result<RetentionReview, Failure> {
    get(&ap_path(Endpoint::GetRetention, ap_id)).await
}

pub async fn save_retention(ap_id: &str, body: &RetentionRule) -> Result<RetentionReview, Failure> {
    put_json(&ap_path(Endpoint::SaveRetention, ap_id), body).await
}

pub async fn erase_record(placement_id: &str, body: &EraseRecord) -> Result<Erased, Failure> {
    post(&placement_path(Endpoint::EraseRecord, placement_id), body).await
}

/// The whole record as a download.
pub fn record_url(placement_id: &str) -> String {
    placement_path(Endpoint::ExportRecord, placement_id)
}

pub async fn send_share_code(body: &ShareCodeRequest) -> Result<ShareCodeSent, Failure> {
    post(Endpoint::SendShareCode.path(), body).await
}

pub async fn open_share(body: &OpenShare) -> Result<SharedExport, Failure> {
    post(Endpoint::OpenShare.path(), body).await
}

/// A shared export once opened with its code (the cookie says which).
pub fn shared_export_url(format: &str) -> String {
    format!("{}?format={format}", Endpoint::GetSharedExport.path())
}

/// The Reintegration Export in `format` (json, html or pdf), as a link.
pub fn export_url(placement_id: &str, format: &str) -> String {
    format!(
        "{}?format={format}",
        placement_path(Endpoint::GetExport, placement_id)
    )
}

pub async fn placements() -> Result<PlacementList, Failure> {
    get(Endpoint::ListPlacements.path()).await
}

pub async fn placement(id: &str) -> Result<PlacementDetail, Failure> {
    get(&placement_path(Endpoint::GetPlacement, id)).await
}

pub async fn baseline(id: &str) -> Result<Baseline, Failure> {
    get(&placement_path(Endpoint::GetBaseline, id)).await
}

pub async fn save_section(
    id: &str,
    section: Section,
    body: &serde_json::Value,
) -> Result<Baseline, Failure> {
    let path =
        placement_path(Endpoint::SaveBaselineSection, id).replace("{section}", section.as_str());
    put_json(&path, body).await
}

/// Submit, accept, return (with its comment) or end a placement.
pub async fn take_step(
    id: &str,
    step: Transition,
    body: &serde_json::Value,
) -> Result<PlacementDetail, Failure> {
    let endpoint = match step {
        Transition::Submit => Endpoint::SubmitBaseline,
        Transition::Accept => Endpoint::AcceptBaseline,
        Transition::Return => Endpoint::ReturnBaseline,
        Transition::End => Endpoint::EndPlacement,
    };
    post(&placement_path(endpoint, id), body).await
}

pub async fn refer(ap_id: &str, body: &NewPlacement) -> Result<PlacementDetail, Failure> {
    post(&ap_path(Endpoint::CreatePlacement, ap_id), body).await
}

pub async fn timetable(id: &str) -> Result<Timetable, Failure> {
    get(&placement_path(Endpoint::GetTimetable, id)).await
}

pub async fn add_session(id: &str, body: &NewSession) -> Result<Timetable, Failure> {
    post(&placement_path(Endpoint::AddSession, id), body).await
}

pub async fn change_session(
    id: &str,
    session_id: &str,
    date: chrono::NaiveDate,
    body: &SessionChange,
) -> Result<Timetable, Failure> {
    let path = placement_path(Endpoint::ChangeSession, id)
        .replace("{session_id}", session_id)
        .replace("{date}", &date.to_string());
    put_json(&path, body).await
}

/// Uploads a Common Transfer File as the MIS exported it.
pub async fn import_ctf(id: &str, xml: String) -> Result<CtfImported, Failure> {
    let request = Request::post(&placement_path(Endpoint::ImportCtf, id))
        .header("content-type", "application/xml")
        .body(xml)
        .map_err(|_| Failure::Offline)?;
    read(request.send().await).await
}

pub async fn remove_session(id: &str, session_id: &str) -> Result<Timetable, Failure> {
    let path = placement_path(Endpoint::RemoveSession, id).replace("{session_id}", session_id);
    post(&path, &serde_json::json!({})).await
}

/// Sends a tap from the outbox (a mark or a hand-over) to its path, which
/// carries the device's id, so sending it again is safe.
pub async fn put<B: Serialize>(path: &str, body: &B) -> Result<(), Failure> {
    put_json::<_, serde_json::Value>(path, body)
        .await
        .map(|_| ())
}

pub async fn alerts() -> Result<AlertList, Failure> {
    get(Endpoint::ListAlerts.path()).await
}

fn alert_path(endpoint: Endpoint, id: &str) -> String {
    endpoint.path().replace("{alert_id}", id)
}

pub async fn alert(id: &str) -> Result<AlertDetail, Failure> {
    get(&alert_path(Endpoint::GetAlert, id)).await
}

pub async fn acknowledge_alert(id: &str) -> Result<AlertDetail, Failure> {
    post(
        &alert_path(Endpoint::AcknowledgeAlert, id),
        &serde_json::json!({}),
    )
    .await
}

pub async fn close_alert(id: &str, body: &CloseAlert) -> Result<AlertDetail, Failure> {
    post(&alert_path(Endpoint::CloseAlert, id), body).await
}

pub async fn push_key() -> Result<PushKey, Failure> {
    get(Endpoint::GetPushKey.path()).await
}

pub async fn add_push_subscription(body: &PushSubscriptionRequest) -> Result<(), Failure> {
    post::<_, serde_json::Value>(Endpoint::AddPushSubscription.path(), body)
        .await
        .map(|_| ())
}

pub async fn remove_push_subscription(endpoint: &str) -> Result<(), Failure> {
    let body = RemovePushSubscription {
        endpoint: endpoint.to_owned(),
    };
    post_for_nothing(Endpoint::RemovePushSubscription.path(), &body).await
}

pub async fn set_phone(phone: Option<String>) -> Result<PhoneSaved, Failure> {
    put_json(Endpoint::SetPhone.path(), &SetPhone { phone }).await
}

pub async fn alert_settings(ap_id: &str) -> Result<AlertSettings, Failure> {
    get(&ap_path(Endpoint::GetAlertSettings, ap_id)).await
}

pub async fn save_alert_settings(
    ap_id: &str,
    body: &AlertSettings,
) -> Result<AlertSettings, Failure> {
    put_json(&ap_path(Endpoint::SaveAlertSettings, ap_id), body).await
}
