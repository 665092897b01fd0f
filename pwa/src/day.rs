//! Today's sessions as both day screens share them: fetched from the server,
//! kept on the phone for when there is no signal, fetched again when the live
//! channel or the outbox says something changed.

use lt_core::api::Today;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};
use crate::live::use_live;
use crate::outbox::use_outbox;
use crate::store;

const CACHED: &str = "today";

#[derive(Clone, PartialEq)]
pub enum Day {
    Loading,
    /// `offline` when this is the copy kept on the phone.
    Loaded {
        today: Today,
        offline: bool,
    },
    Failed(Failure),
}

/// Forgets the day kept on the phone (on signing out).
pub async fn forget() {
    store::delete(store::CACHE, CACHED).await;
    store::delete(store::CACHE, "me").await;
}

#[hook]
pub fn use_day() -> (Day, Callback<()>) {
    let day = use_state(|| Day::Loading);
    let refresh = {
        let day = day.clone();
        Callback::from(move |()| {
            let day = day.clone();
            spawn_local(async move {
                day.set(match api::today().await {
                    Ok(today) => {
                        store::put(store::CACHE, CACHED, &today).await;
                        Day::Loaded {
                            today,
                            offline: false,
                        }
                    }
                    Err(Failure::Offline) => {
                        let date = lt_core::london::local_date(crate::clock::device_now());
                        match store::get::<Today>(store::CACHE, CACHED).await {
                            // Only today's copy: yesterday's sessions are no use.
                            Some(today) if today.date == date => Day::Loaded {
                                today,
                                offline: true,
                            },
                            _ => Day::Failed(Failure::Offline),
                        }
                    }
                    Err(f) => Day::Failed(f),
                });
            });
        })
    };
    let sent = use_outbox().sent;
    {
        // On opening, and each time the outbox got something through.
        let refresh = refresh.clone();
        use_effect_with(sent, move |_| refresh.emit(()));
    }
    let live = match &*day {
        Day::Loaded { today, .. } => today.live.clone(),
        _ => Vec::new(),
    };
    use_live(live, refresh.clone());
    ((*day).clone(), refresh)
}
