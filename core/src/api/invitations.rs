//! Invitations: how outside people and AP staff join.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::access::Role;

/// `POST /api/aps/{ap_id}/invitations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    pub email: String,
    /// How to greet them in the email, e.g. "Helen Price".
    pub name: String,
    pub role: Role,
    /// Their own organisation: this AP, a school, an LA or a transport firm.
    pub organisation_id: String,
    /// School staff only: they are their school's designated safeguarding lead.
    #[serde(default)]
    pub is_dsl: bool,
    /// For school staff, LA commissioners and tutors: the placements they may see.
    #[serde(default)]
    pub placement_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn of(
        accepted_at: Option<&str>,
        revoked_at: Option<&str>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> InvitationStatus {
        match (accepted_at, revoked_at) {
            (Some(_), _) => InvitationStatus::Accepted,
            (None, Some(_)) => InvitationStatus::Revoked,
            (None, None) if expires_at <= now => InvitationStatus::Expired,
            (None, None) => InvitationStatus::Pending,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailDelivery {
    /// The email provider accepted the message.
    Sent,
    /// The provider could not be reached or refused it; send it again.
    Failed,
}

/// An invitation as its AP's admins and DSLs see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_id: String,
    pub organisation_name: String,
    pub is_dsl: bool,
    pub placement_ids: Vec<String>,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Set on the response to creating the invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_delivery: Option<EmailDelivery>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InvitationList {
    pub invitations: Vec<Invitation>,
}

/// `POST /api/invitations/lookup` and the start of `accept`: the token from the link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationToken {
    pub token: String,
}

/// What the person following an invitation link is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InvitationPreview {
    pub ap_name: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organisation_name: String,
    /// They already have an account: accepting asks for their current password.
    pub existing_account: bool,
}

/// `POST /api/invitations/accept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    pub token: String,
    /// A new password, or the current one when they already have an account.
    pub password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_prefers_accepted_then_revoked_then_expiry() {
        let now: DateTime<Utc> = "2026-12-04T12:00:00Z".parse().expect("t");
        let later = now + chrono::Duration::days(1);
        let earlier = now - chrono::Duration::seconds(1);
        assert_eq!(
            InvitationStatus::of(None, None, later, now),
            InvitationStatus::Pending
        );
        assert_eq!(
            InvitationStatus::of(None, None, earlier, now),
            InvitationStatus::Expired
        );
        assert_eq!(
            InvitationStatus::of(None, None, now, now),
            InvitationStatus::Expired
        );
        assert_eq!(
            InvitationStatus::of(None, Some("x"), later, now),
            InvitationStatus::Revoked
        );
        assert_eq!(
            InvitationStatus::of(Some("x"), Some("y"), earlier, now),
            InvitationStatus::Accepted
        );
    }
}
