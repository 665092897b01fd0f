//! This device's alerts by Web Push: permission is asked only when the
//! person taps to turn alerts on; the subscription is made with the
//! server's VAPID key and handed to the API, which encrypts to it.

use js_sys::{JSON, Reflect, Uint8Array};
use lt_core::api::PushSubscriptionRequest;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Notification, NotificationPermission, PushManager, PushSubscription,
    PushSubscriptionOptionsInit, ServiceWorkerRegistration,
};

use crate::api;

#[derive(Debug, Clone, PartialEq)]
pub enum PushState {
    /// This browser cannot receive pushes (or is not installed where it can).
    Unsupported,
    /// The person said no in the browser; only they can undo it there.
    Blocked,
    Off,
    On,
}

fn supported() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    Reflect::has(&window, &"PushManager".into()).unwrap_or(false)
        && Reflect::has(&window, &"Notification".into()).unwrap_or(false)
        && Reflect::has(&window.navigator(), &"serviceWorker".into()).unwrap_or(false)
}

async fn manager() -> Result<PushManager, String> {
    let window = web_sys::window().ok_or("no window")?;
    let ready = window
        .navigator()
        .service_worker()
        .ready()
        .map_err(|_| "the app's service worker is not running")?;
    let registration: ServiceWorkerRegistration = JsFuture::from(ready)
        .await
        .map_err(|_| "the app's service worker is not running")?
        .unchecked_into();
    registration
        .push_manager()
        .map_err(|_| "this browser has no push service".to_owned())
}

async fn current() -> Result<Option<PushSubscription>, String> {
    let promise = manager()
        .await?
        .get_subscription()
        .map_err(|_| "could not ask for the subscription")?;
    let found = JsFuture::from(promise)
        .await
        .map_err(|_| "could not ask for the subscription")?;
    Ok((!found.is_null() && !found.is_undefined()).then(|| found.unchecked_into()))
}

pub async fn state() -> PushState {
    if !supported() {
        return PushState::Unsupported;
    }
    if Notification::permission() == NotificationPermission::Denied {
        return PushState::Blocked;
    }
    match current().await {
        Ok(Some(_)) if Notification::permission() == NotificationPermission::Granted => {
            PushState::On
        }
        Ok(_) => PushState::Off,
        Err(_) => PushState::Unsupported,
    }
}

fn decode_key(key: &str) -> Result<Uint8Array, String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| "the server's push key is not readable")?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// Asks permission (the browser's own prompt), subscribes, and tells the API.
pub async fn turn_on() -> Result<(), String> {
    let asked = Notification::request_permission().map_err(|_| "could not ask for permission")?;
    let answer = JsFuture::from(asked).await.unwrap_or(JsValue::NULL);
    if answer.as_string().as_deref() != Some("granted") {
        return Err("Notifications were not allowed, so alerts cannot reach this phone.".into());
    }
    let key = api::push_key().await.map_err(|f| f.message())?;
    let options = PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key(&decode_key(&key.public_key)?.into());
    let promise = manager()
        .await?
        .subscribe_with_options(&options)
        .map_err(|_| "this browser refused to subscribe")?;
    let subscription: PushSubscription = JsFuture::from(promise)
        .await
        .map_err(|e| {
            let why = Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            format!("This browser could not reach its push service. {why}")
        })?
        .unchecked_into();
    let json = subscription
        .to_json()
        .map_err(|_| "the subscription is not readable")?;
    let text: String = JSON::stringify(&json)
        .map_err(|_| "the subscription is not readable")?
        .into();
    let body: PushSubscriptionRequest =
        serde_json::from_str(&text).map_err(|_| "the subscription is not readable")?;
    api::add_push_subscription(&body)
        .await
        .map_err(|f| f.message())
}

pub async fn turn_off() -> Result<(), String> {
    if let Some(subscription) = current().await? {
        api::remove_push_subscription(&subscription.endpoint())
            .await
            .map_err(|f| f.message())?;
        if let Ok(promise) = subscription.unsubscribe() {
            let _ = JsFuture::from(promise).await;
        }
    }
    Ok(())
}
