//! Who is signed in, shared by every screen.

use lt_core::access::Role;
use lt_core::api::Me;
use yew::prelude::*;

/// Shown while the session (or the app) is on its way.
pub const OPENING: &str = "Opening LearnTrek…";

#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    Checking,
    /// The server could not be reached to find out.
    Offline,
    SignedOut,
    SignedIn(Me),
}

impl Session {
    pub fn me(&self) -> Option<&Me> {
        match self {
            Session::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    /// The AP this person administers (as AP admin or DSL), if any.
    pub fn managed_ap(&self) -> Option<(String, String)> {
        self.me()?
            .grants
            .iter()
            .find(|g| matches!(g.role, Role::ApAdmin | Role::Dsl))
            .map(|g| (g.ap_id.clone(), g.ap_name.clone()))
    }
}

impl Session {
    /// Whether this person works with placement records: AP staff, and the
    /// schools and LAs who commission them (escorts and tutors do not).
    pub fn sees_placements(&self) -> bool {
        self.me().is_some_and(|me| {
            me.grants.iter().any(|g| {
                g.role.is_ap_staff() || matches!(g.role, Role::SchoolStaff | Role::LaCommissioner)
            })
        })
    }
}

/// The session and a way to change it, given to every screen by context.
#[derive(Clone, PartialEq)]
pub struct SessionHandle {
    pub session: Session,
    pub set: Callback<Session>,
    /// Asks the server again (after going offline, say).
    pub recheck: Callback<()>,
    /// Told when a sign-in is sent: the shell fetches the app alongside it.
    pub signing_in: Callback<()>,
}

#[hook]
pub fn use_session() -> SessionHandle {
    use_context::<SessionHandle>().unwrap_or_else(|| SessionHandle {
        session: Session::Checking,
        set: Callback::noop(),
        recheck: Callback::noop(),
        signing_in: Callback::noop(),
    })
}

/// What a screen calls once the server has signed the person in: remember
/// who they are and take them to today's sessions.
#[hook]
pub fn use_enter_app() -> Callback<Me> {
    let handle = use_session();
    let navigator = yew_router::prelude::use_navigator();
    Callback::from(move |me: Me| {
        handle.set.emit(Session::SignedIn(me));
        if let Some(n) = &navigator {
            n.push(&crate::route::Route::Today);
        }
    })
}
