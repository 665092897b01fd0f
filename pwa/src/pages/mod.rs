mod alert;
mod alerts;
mod audit;
mod ctf;
mod dashboard;
mod forgot;
mod invitations;
mod invite;
mod placement;
mod placements;
mod referral;
mod reset;
mod retention;
mod shared;
mod shares;
mod sign_in;
mod timetable;
mod today;

pub use alert::AlertPage;
pub use alerts::AlertsPage;
pub use audit::AuditPage;
pub use dashboard::DashboardPage;
pub use forgot::Forgot;
pub use invitations::InvitationsPage;
pub use invite::Invite;
pub use placement::PlacementPage;
pub use placements::PlacementsPage;
pub use reset::Reset;
pub use shared::Shared;
pub use sign_in::SignIn;
pub use today::TodayPage;

/// The token an emailed link carries after `#`.
pub fn fragment_token() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_owned())
        .unwrap_or_default()
}
