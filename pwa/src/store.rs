//! The phone's own storage (IndexedDB): the outbox of taps not yet sent, and
//! the last copy of what the server said, so the app opens with no signal.
//! Values are JSON text under explicit keys, read back with serde.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{Either, select};
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

const DATABASE: &str = "learntrek";
pub const OUTBOX: &str = "outbox";
pub const CACHE: &str = "cache";

/// IndexedDB can stall (a connection held by another page mid-upgrade, a
/// browser bug): the app must never wait on it for ever, so every use of it
/// gives up after this and carries on as if nothing were stored.
const PATIENCE: Duration = Duration::from_secs(3);

async fn within<T>(work: impl Future<Output = Option<T>>) -> Option<T> {
    let work = pin!(work);
    let timer = pin!(yew::platform::time::sleep(PATIENCE));
    match select(work, timer).await {
        Either::Left((done, _)) => done,
        Either::Right(_) => None,
    }
}

async fn open() -> Option<Rexie> {
    Rexie::builder(DATABASE)
        .version(1)
        .add_object_store(ObjectStore::new(OUTBOX))
        .add_object_store(ObjectStore::new(CACHE))
        .build()
        .await
        .ok()
}

/// Writes `value` under `key`; false when the browser refused (private mode,
/// storage full) or stalled, which the caller must show rather than pretend.
pub async fn put<T: Serialize>(store: &str, key: &str, value: &T) -> bool {
    let Ok(text) = serde_json::to_string(value) else {
        return false;
    };
    within(async {
        let db = open().await?;
        let written = async {
            let tx = db.transaction(&[store], TransactionMode::ReadWrite).ok()?;
            let objects = tx.store(store).ok()?;
            objects
                .put(&JsValue::from_str(&text), Some(&JsValue::from_str(key)))
                .await
                .ok()?;
            tx.done().await.ok()
        }
        .await
        .is_some();
        db.close();
        Some(written)
    })
    .await
    .unwrap_or(false)
}

pub async fn get<T: DeserializeOwned>(store: &str, key: &str) -> Option<T> {
    within(async {
        let db = open().await?;
        let value = async {
            let tx = db.transaction(&[store], TransactionMode::ReadOnly).ok()?;
            tx.store(store)
                .ok()?
                .get(JsValue::from_str(key))
                .await
                .ok()?
        }
        .await;
        db.close();
        serde_json::from_str(&value?.as_string()?).ok()
    })
    .await
}

/// Every value in the store, oldest key first (ids sort by creation).
pub async fn all<T: DeserializeOwned>(store: &str) -> Vec<T> {
    within(async {
        let db = open().await?;
        let values = async {
            let tx = db.transaction(&[store], TransactionMode::ReadOnly).ok()?;
            tx.store(store).ok()?.get_all(None, None).await.ok()
        }
        .await;
        db.close();
        Some(
            values?
                .into_iter()
                .filter_map(|v| serde_json::from_str(&v.as_string()?).ok())
                .collect(),
        )
    })
    .await
    .unwrap_or_default()
}

pub async fn delete(store: &str, key: &str) {
    within(async {
        let db = open().await?;
        if let Ok(tx) = db.transaction(&[store], TransactionMode::ReadWrite)
            && let Ok(objects) = tx.store(store)
            && objects.delete(JsValue::from_str(key)).await.is_ok()
        {
            let _ = tx.done().await;
        }
        db.close();
        Some(())
    })
    .await;
}
