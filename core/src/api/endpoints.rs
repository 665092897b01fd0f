//! The one table of API routes. The worker dispatches on it with an exhaustive
//! `match`, the OpenAPI document is generated from it, and the PWA builds its
//! URLs from it, so a route cannot exist in one place and not the others.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn parse(name: &str) -> Option<Method> {
        match name {
            "GET" | "HEAD" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Health,
    OpenApi,
    SignIn,
    SignOut,
    Me,
    Today,
    ListInvitations,
    CreateInvitation,
    RevokeInvitation,
    LookUpInvitation,
    AcceptInvitation,
    RequestPasswordReset,
    CompletePasswordReset,
    ListAudit,
    ExportAudit,
    GetPlacement,
    ListPlacements,
    CreatePlacement,
    GetBaseline,
    SaveBaselineSection,
    ImportCtf,
    SubmitBaseline,
    AcceptBaseline,
    ReturnBaseline,
    EndPlacement,
    GetTimetable,
    AddSession,
    RemoveSession,
    ChangeSession,
    SetContacts,
    GetTerms,
    SaveTerms,
    PutMark,
    PutHandover,
    Live,
    ExportAttendance,
    GetDirectory,
    ListPeople,
    RemovePerson,
    ListAlerts,
    GetAlert,
    AcknowledgeAlert,
    CloseAlert,
    GetPushKey,
    AddPushSubscription,
    RemovePushSubscription,
    SetPhone,
    GetAlertSettings,
    SaveAlertSettings,
    PutProgress,
    GetProgress,
    ListReviews,
    AddReview,
    GetExport,
    ListShares,
    CreateShare,
    RevokeShare,
    SendShareCode,
    OpenShare,
    GetSharedExport,
    GetRetention,
    SaveRetention,
    EraseRecord,
    ExportRecord,
    ImportRecord,
    GetProgressHistory,
}

/// Who may call a route at all, before any check on the records it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// No sign-in needed (sign-in itself, health, following an emailed link).
    Anyone,
    /// Any signed-in person; what they see is narrowed to their scope.
    SignedIn,
    /// AP admins and DSLs of the AP named in the path (`{ap_id}`).
    ApManagers,
    /// Whoever may see the placement in the path (`{placement_id}`): its AP's
    /// staff, and the school, LA and tutors invited for it.
    PlacementViewers,
    /// Anyone with a role at the AP in the path (`{ap_id}`): its staff and
    /// escorts, and the schools and LAs it serves.
    ApMembers,
}

/// Values taken from `{name}` segments of a path template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathParams(Vec<(&'static str, String)>);

impl PathParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Found(Endpoint, PathParams),
    /// The path exists but not for this method; carries the methods it has.
    MethodNotAllowed(Vec<Method>),
    NotFound,
}

impl Endpoint {
    pub const ALL: &'static [Endpoint] = &[
        Endpoint::Health,
        Endpoint::OpenApi,
        Endpoint::SignIn,
        Endpoint::SignOut,
        Endpoint::Me,
        Endpoint::Today,
        Endpoint::ListInvitations,
        Endpoint::CreateInvitation,
        Endpoint::RevokeInvitation,
        Endpoint::LookUpInvitation,
        Endpoint::AcceptInvitation,
        Endpoint::RequestPasswordReset,
        Endpoint::CompletePasswordReset,
        Endpoint::ListAudit,
        Endpoint::ExportAudit,
        Endpoint::GetPlacement,
        Endpoint::ListPlacements,
        Endpoint::CreatePlacement,
        Endpoint::GetBaseline,
        Endpoint::SaveBaselineSection,
        Endpoint::ImportCtf,
        Endpoint::SubmitBaseline,
        Endpoint::AcceptBaseline,
        Endpoint::ReturnBaseline,
        Endpoint::EndPlacement,
        Endpoint::GetTimetable,
        Endpoint::AddSession,
        Endpoint::RemoveSession,
        Endpoint::ChangeSession,
        Endpoint::SetContacts,
        Endpoint::GetTerms,
        Endpoint::SaveTerms,
        Endpoint::PutMark,
        Endpoint::PutHandover,
        Endpoint::Live,
        Endpoint::ExportAttendance,
        Endpoint::GetDirectory,
        Endpoint::ListPeople,
        Endpoint::RemovePerson,
        Endpoint::ListAlerts,
        Endpoint::GetAlert,
        Endpoint::AcknowledgeAlert,
        Endpoint::CloseAlert,
        Endpoint::GetPushKey,
        Endpoint::AddPushSubscription,
        Endpoint::RemovePushSubscription,
        Endpoint::SetPhone,
        Endpoint::GetAlertSettings,
        Endpoint::SaveAlertSettings,
        Endpoint::PutProgress,
        Endpoint::GetProgress,
        Endpoint::ListReviews,
        Endpoint::AddReview,
        Endpoint::GetExport,
        Endpoint::ListShares,
        Endpoint::CreateShare,
        Endpoint::RevokeShare,
        Endpoint::SendShareCode,
        Endpoint::OpenShare,
        Endpoint::GetSharedExport,
        Endpoint::GetRetention,
        Endpoint::SaveRetention,
        Endpoint::EraseRecord,
        Endpoint::ExportRecord,
        Endpoint::ImportRecord,
        Endpoint::GetProgressHistory,
    ];

    pub fn method(self) -> Method {
        match self {
            Endpoint::Health
            | Endpoint::OpenApi
            | Endpoint::Me
            | Endpoint::Today
            | Endpoint::ListInvitations
            | Endpoint::ListAudit
            | Endpoint::ExportAudit
            | Endpoint::GetPlacement
            | Endpoint::ListPlacements
            | Endpoint::GetBaseline
            | Endpoint::GetTimetable
            | Endpoint::GetTerms
            | Endpoint::ExportAttendance
            | Endpoint::GetDirectory
            | Endpoint::ListPeople
            | Endpoint::Live
            | Endpoint::ListAlerts
            | Endpoint::GetAlert
            | Endpoint::GetPushKey
            | Endpoint::GetAlertSettings
            | Endpoint::GetProgress
            | Endpoint::ListReviews
            | Endpoint::GetExport
            | Endpoint::ListShares
            | Endpoint::GetSharedExport
            | Endpoint::GetRetention
            | Endpoint::ExportRecord
            | Endpoint::GetProgressHistory => Method::Get,
            Endpoint::SaveBaselineSection
            | Endpoint::ChangeSession
            | Endpoint::SetContacts
            | Endpoint::SaveTerms
            | Endpoint::PutMark
            | Endpoint::PutHandover
            | Endpoint::SetPhone
            | Endpoint::SaveAlertSettings
            | Endpoint::SaveRetention
            | Endpoint::PutProgress => Method::Put,
            Endpoint::SignIn
            | Endpoint::SignOut
            | Endpoint::CreateInvitation
            | Endpoint::RevokeInvitation
            | Endpoint::LookUpInvitation
            | Endpoint::AcceptInvitation
            | Endpoint::RequestPasswordReset
            | Endpoint::CompletePasswordReset
            | Endpoint::RemovePerson
            | Endpoint::CreatePlacement
            | Endpoint::ImportCtf
            | Endpoint::SubmitBaseline
            | Endpoint::AcceptBaseline
            | Endpoint::ReturnBaseline
            | Endpoint::EndPlacement
            | Endpoint::AddSession
            | Endpoint::RemoveSession
            | Endpoint::AcknowledgeAlert
            | Endpoint::CloseAlert
            | Endpoint::AddPushSubscription
            | Endpoint::RemovePushSubscription
            | Endpoint::AddReview
            | Endpoint::CreateShare
            | Endpoint::RevokeShare
            | Endpoint::SendShareCode
            | Endpoint::OpenShare
            | Endpoint::EraseRecord
            | Endpoint::ImportRecord => Method::Post,
        }
    }

    /// The path template, with `{name}` for each parameter segment.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Health => "/api/health",
            Endpoint::OpenApi => "/api/openapi.json",
            Endpoint::SignIn => "/api/sign-in",
            Endpoint::SignOut => "/api/sign-out",
            Endpoint::Me => "/api/me",
            Endpoint::Today => "/api/today",
            Endpoint::ListInvitations | Endpoint::CreateInvitation => {
                "/api/aps/{ap_id}/invitations"
            }
            Endpoint::RevokeInvitation => "/api/aps/{ap_id}/invitations/{invitation_id}/revoke",
            Endpoint::LookUpInvitation => "/api/invitations/lookup",
            Endpoint::AcceptInvitation => "/api/invitations/accept",
            Endpoint::RequestPasswordReset => "/api/password-resets",
            Endpoint::CompletePasswordReset => "/api/password-resets/complete",
            Endpoint::ListAudit => "/api/aps/{ap_id}/audit",
            Endpoint::ExportAudit => "/api/aps/{ap_id}/audit.csv",
            Endpoint::GetPlacement => "/api/placements/{placement_id}",
            Endpoint::ListPlacements => "/api/placements",
            Endpoint::CreatePlacement => "/api/aps/{ap_id}/placements",
            Endpoint::GetBaseline => "/api/placements/{placement_id}/baseline",
            Endpoint::SaveBaselineSection => "/api/placements/{placement_id}/baseline/{section}",
            Endpoint::ImportCtf => "/api/placements/{placement_id}/ctf",
            Endpoint::SubmitBaseline => "/api/placements/{placement_id}/submit",
            Endpoint::AcceptBaseline => "/api/placements/{placement_id}/accept",
            Endpoint::ReturnBaseline => "/api/placements/{placement_id}/return",
            Endpoint::EndPlacement => "/api/placements/{placement_id}/end",
            Endpoint::GetTimetable => "/api/placements/{placement_id}/timetable",
            Endpoint::AddSession => "/api/placements/{placement_id}/sessions",
            Endpoint::RemoveSession => {
                "/api/placements/{placement_id}/sessions/{session_id}/remove"
            }
            Endpoint::ChangeSession => {
                "/api/placements/{placement_id}/sessions/{session_id}/dates/{date}"
            }
            Endpoint::SetContacts => "/api/placements/{placement_id}/contacts",
            Endpoint::GetTerms | Endpoint::SaveTerms => "/api/aps/{ap_id}/terms",
            Endpoint::PutMark => "/api/marks/{mark_id}",
            Endpoint::PutHandover => "/api/handovers/{handover_id}",
            Endpoint::Live => "/api/live/{ap_id}",
            Endpoint::ExportAttendance => "/api/attendance.csv",
            Endpoint::GetDirectory => "/api/aps/{ap_id}/directory",
            Endpoint::ListPeople => "/api/aps/{ap_id}/people",
            Endpoint::RemovePerson => "/api/aps/{ap_id}/people/{person_id}/remove",
            Endpoint::ListAlerts => "/api/alerts",
            Endpoint::GetAlert => "/api/alerts/{alert_id}",
            Endpoint::AcknowledgeAlert => "/api/alerts/{alert_id}/acknowledge",
            Endpoint::CloseAlert => "/api/alerts/{alert_id}/close",
            Endpoint::GetPushKey => "/api/push/key",
            Endpoint::AddPushSubscription => "/api/push/subscriptions",
            Endpoint::RemovePushSubscription => "/api/push/subscriptions/remove",
            Endpoint::SetPhone => "/api/me/phone",
            Endpoint::GetAlertSettings | Endpoint::SaveAlertSettings => {
                "/api/aps/{ap_id}/alert-settings"
            }
            Endpoint::PutProgress => "/api/progress/{save_id}",
            Endpoint::GetProgress => "/api/placements/{placement_id}/progress",
            Endpoint::ListReviews | Endpoint::AddReview => "/api/placements/{placement_id}/reviews",
            Endpoint::GetExport => "/api/placements/{placement_id}/export",
            Endpoint::ListShares | Endpoint::CreateShare => "/api/placements/{placement_id}/shares",
            Endpoint::RevokeShare => "/api/placements/{placement_id}/shares/{share_id}/revoke",
            Endpoint::SendShareCode => "/api/shared/code",
            Endpoint::OpenShare => "/api/shared/open",
            Endpoint::GetSharedExport => "/api/shared/export",
            Endpoint::GetRetention | Endpoint::SaveRetention => "/api/aps/{ap_id}/retention",
            Endpoint::EraseRecord => "/api/placements/{placement_id}/erase",
            Endpoint::ExportRecord => "/api/placements/{placement_id}/record",
            Endpoint::GetProgressHistory => "/api/placements/{placement_id}/progress/{entry_id}",
            Endpoint::ImportRecord => "/api/aps/{ap_id}/records",
        }
    }

    pub fn audience(self) -> Audience {
        match self {
            Endpoint::Health
            | Endpoint::OpenApi
            | Endpoint::SignIn
            | Endpoint::LookUpInvitation
            | Endpoint::AcceptInvitation
            | Endpoint::RequestPasswordReset
            | Endpoint::CompletePasswordReset
            // The shared export's own checks: the link's token, then the code.
            | Endpoint::SendShareCode
            | Endpoint::OpenShare
            | Endpoint::GetSharedExport => Audience::Anyone,
            Endpoint::SignOut
            | Endpoint::Me
            | Endpoint::Today
            | Endpoint::ListPlacements
            | Endpoint::PutMark
            | Endpoint::PutHandover
            | Endpoint::ExportAttendance
            | Endpoint::ListAlerts
            | Endpoint::GetAlert
            | Endpoint::AcknowledgeAlert
            | Endpoint::CloseAlert
            | Endpoint::GetPushKey
            | Endpoint::AddPushSubscription
            | Endpoint::RemovePushSubscription
            | Endpoint::SetPhone
            | Endpoint::PutProgress => Audience::SignedIn,
            Endpoint::Live => Audience::ApMembers,
            Endpoint::GetPlacement
            | Endpoint::GetBaseline
            | Endpoint::SaveBaselineSection
            | Endpoint::ImportCtf
            | Endpoint::SubmitBaseline
            | Endpoint::AcceptBaseline
            | Endpoint::ReturnBaseline
            | Endpoint::EndPlacement
            | Endpoint::GetTimetable
            | Endpoint::AddSession
            | Endpoint::RemoveSession
            | Endpoint::ChangeSession
            | Endpoint::SetContacts
            | Endpoint::GetProgress
            | Endpoint::ListReviews
            | Endpoint::AddReview
            | Endpoint::GetExport
            | Endpoint::ListShares
            | Endpoint::CreateShare
            | Endpoint::RevokeShare
            | Endpoint::EraseRecord
            | Endpoint::ExportRecord
            | Endpoint::GetProgressHistory => Audience::PlacementViewers,
            Endpoint::ListInvitations
            | Endpoint::CreateInvitation
            | Endpoint::RevokeInvitation
            | Endpoint::ListAudit
            | Endpoint::ExportAudit
            | Endpoint::GetDirectory
            | Endpoint::ListPeople
            | Endpoint::RemovePerson
            | Endpoint::CreatePlacement
            | Endpoint::GetTerms
            | Endpoint::SaveTerms
            | Endpoint::GetAlertSettings
            | Endpoint::SaveAlertSettings
            | Endpoint::GetRetention
            | Endpoint::SaveRetention
            | Endpoint::ImportRecord => Audience::ApManagers,
        }
    }

    /// Whether the caller must be signed in; everything else is refused with 401.
    pub fn needs_sign_in(self) -> bool {
        self.audience() != Audience::Anyone
    }

    pub fn resolve(method: &str, path: &str) -> Resolution {
        let mut allowed = Vec::new();
        for &endpoint in Endpoint::ALL {
            let Some(params) = match_template(endpoint.path(), path) else {
                continue;
            };
            match Method::parse(method) {
                Some(m) if m == endpoint.method() => {
                    return Resolution::Found(endpoint, params);
                }
                _ => allowed.push(endpoint.method()),
            }
        }
        if allowed.is_empty() {
            Resolution::NotFound
        } else {
            allowed.sort();
            allowed.dedup();
            Resolution::MethodNotAllowed(allowed)
        }
    }
}

fn match_template(template: &'static str, path: &str) -> Option<PathParams> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(PathParams(params)),
            (Some(w), Some(g)) => {
                if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    if g.is_empty() {
                        return None;
                    }
                    params.push((name, g.to_owned()));
                } else if w != g {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_resolves_to_itself() {
        for &e in Endpoint::ALL {
            let path = e.path().replace('{', "x-").replace('}', "");
            match Endpoint::resolve(e.method().as_str(), &path) {
                Resolution::Found(found, _) => assert_eq!(found, e),
                other => panic!("{e:?} resolved to {other:?}"),
            }
        }
    }

    #[test]
    fn paths_and_methods_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &e in Endpoint::ALL {
            assert!(seen.insert((e.method(), e.path())), "{e:?} duplicated");
        }
    }

    #[test]
    fn wrong_method_lists_the_allowed_ones() {
        assert_eq!(
            Endpoint::resolve("DELETE", "/api/health"),
            Resolution::MethodNotAllowed(vec![Method::Get])
        );
        assert_eq!(
            Endpoint::resolve("GET", "/api/sign-in"),
            Resolution::MethodNotAllowed(vec![Method::Post])
        );
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for p in [
            "/api",
            "/api/",
            "/api/healthz",
            "/api/health/x",
            "/apihealth",
            "",
        ] {
            assert_eq!(Endpoint::resolve("GET", p), Resolution::NotFound, "{p}");
        }
    }

    #[test]
    fn trailing_slash_is_tolerated() {
        assert!(matches!(
            Endpoint::resolve("GET", "/api/health/"),
            Resolution::Found(Endpoint::Health, _)
        ));
    }

    #[test]
    fn parameters_are_captured() {
        let params = match_template(
            "/api/sessions/{session_id}/marks",
            "/api/sessions/s-1/marks",
        )
        .expect("matches");
        assert_eq!(params.get("session_id"), Some("s-1"));
        assert!(
            match_template("/api/sessions/{session_id}/marks", "/api/sessions//marks").is_none()
        );
    }
}
