use yew_router::prelude::*;

/// Every screen of the app. Links from emails carry their token in the
/// fragment (`/invite#…`), which never reaches a server log.
#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Today,
    #[at("/dashboard")]
    Dashboard,
    #[at("/alerts")]
    Alerts,
    /// Where a notification, email or text about an alert opens.
    #[at("/alerts/:id")]
    Alert { id: String },
    #[at("/invite")]
    Invite,
    #[at("/forgot")]
    Forgot,
    #[at("/reset")]
    Reset,
    /// A Reintegration Export shared outside LearnTrek; its token is in the fragment.
    #[at("/shared")]
    Shared,
    #[at("/invitations")]
    Invitations,
    #[at("/audit")]
    Audit,
    #[at("/placements")]
    Placements,
    #[at("/placements/:id")]
    Placement { id: String },
    #[not_found]
    #[at("/404")]
    NotFound,
}
