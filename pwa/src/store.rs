//! The phone's own storage (IndexedDB): the outbox of taps not yet sent, and
//! the last copy of what the server said, so the app opens with no signal.
//! Values are JSON text under explicit keys, read back with serde.

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

const DATABASE: &str = "learntrek";
pub const OUTBOX: &str = "outbox";
pub const CACHE: &str = "cache";

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
/// storage full), which the caller must show rather than pretend.
pub async fn put<T: Serialize>(store: &str, key: &str, value: &T) -> bool {
    let Ok(text) = serde_json::to_string(value) else {
        return false;
    };
    let Some(db) = open().await else {
        return false;
    };
    let Ok(tx) = db.transaction(&[store], TransactionMode::ReadWrite) else {
        return false;
    };
    let Ok(objects) = tx.store(store) else {
        return false;
    };
    let written = objects
        .put(&JsValue::from_str(&text), Some(&JsValue::from_str(key)))
        .await
        .is_ok();
    written && tx.done().await.is_ok()
}

pub async fn get<T: DeserializeOwned>(store: &str, key: &str) -> Option<T> {
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly).ok()?;
    let value = tx
        .store(store)
        .ok()?
        .get(JsValue::from_str(key))
        .await
        .ok()??;
    serde_json::from_str(&value.as_string()?).ok()
}

/// Every value in the store, oldest key first (ids sort by creation).
pub async fn all<T: DeserializeOwned>(store: &str) -> Vec<T> {
    let Some(db) = open().await else {
        return Vec::new();
    };
    let Ok(tx) = db.transaction(&[store], TransactionMode::ReadOnly) else {
        return Vec::new();
    };
    let Ok(objects) = tx.store(store) else {
        return Vec::new();
    };
    objects
        .get_all(None, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| serde_json::from_str(&v.as_string()?).ok())
        .collect()
}

pub async fn delete(store: &str, key: &str) {
    if let Some(db) = open().await
        && let Ok(tx) = db.transaction(&[store], TransactionMode::ReadWrite)
        && let Ok(objects) = tx.store(store)
        && objects.delete(JsValue::from_str(key)).await.is_ok()
    {
        let _ = tx.done().await;
    }
}
