//! Writing the audit log. Each entry is a statement for the same D1 batch as
//! the change it records, so the two are written together or not at all.

use chrono::{DateTime, Utc};
use serde::Serialize;
use worker::d1::{D1Database, D1PreparedStatement};
use worker::query;

use crate::error::ApiResult;

/// Who is acting, for whom, in which request.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub request_id: String,
    pub actor_id: Option<String>,
    pub ap_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// One field that changed. Safeguarding values are never written here.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Change {
    pub fn set(field: &str, new: impl Into<String>) -> Change {
        Change {
            field: field.to_owned(),
            old: None,
            new: Some(new.into()),
        }
    }
}

/// A row that one request has just claimed (an invitation accepted, a reset
/// link used). Statements guarded by it run only in the request that won.
#[derive(Debug, Clone)]
pub struct Claim {
    pub table: &'static str,
    pub key_column: &'static str,
    pub key: String,
    pub request_column: &'static str,
    pub request_id: String,
}

impl Claim {
    /// SQL that is true only if this request holds the claim. It uses ?1 and
    /// ?2, so a guarded statement numbers its own parameters from ?3.
    pub fn condition(&self) -> String {
        format!(
            "EXISTS (SELECT 1 FROM {} WHERE {} = ?1 AND {} = ?2)",
            self.table, self.key_column, self.request_column
        )
    }

    /// Prepares `sql` (which includes [`Claim::condition`]) with the claim's
    /// values as ?1 and ?2 and then `params` as ?3 onwards.
    pub fn guard(
        &self,
        db: &D1Database,
        sql: &str,
        params: &[&str],
    ) -> ApiResult<D1PreparedStatement> {
        let mut values = vec![
            wasm_bindgen::JsValue::from_str(&self.key),
            wasm_bindgen::JsValue::from_str(&self.request_id),
        ];
        values.extend(params.iter().map(|p| wasm_bindgen::JsValue::from_str(p)));
        Ok(db.prepare(sql).bind(&values)?)
    }
}

impl AuditContext {
    /// This context for the AP a record belongs to, once the handler knows it.
    pub fn for_ap(self, ap_id: &str) -> AuditContext {
        AuditContext {
            ap_id: Some(ap_id.to_owned()),
            ..self
        }
    }

    /// The same entry as [`AuditContext::entry`], written only if `claim` holds.
    pub fn entry_if_claimed(
        &self,
        db: &D1Database,
        claim: &Claim,
        action: &str,
        subject_type: &str,
        subject_id: &str,
        changes: &[Change],
    ) -> ApiResult<D1PreparedStatement> {
        let changes = serde_json::to_string(changes).unwrap_or_else(|_| "[]".into());
        // NULLIF turns the empty string back into NULL for an absent actor or AP.
        let sql = format!(
            "INSERT INTO audit_log (at, actor_id, ap_id, action, subject_type, subject_id, request_id, changes)
             SELECT ?3, NULLIF(?4, ''), NULLIF(?5, ''), ?6, ?7, ?8, ?9, ?10 WHERE {}",
            claim.condition()
        );
        claim.guard(
            db,
            &sql,
            &[
                &crate::clock::stamp(self.at),
                self.actor_id.as_deref().unwrap_or(""),
                self.ap_id.as_deref().unwrap_or(""),
                action,
                subject_type,
                subject_id,
                &self.request_id,
                &changes,
            ],
        )
    }

    pub fn entry(
        &self,
        db: &D1Database,
        action: &str,
        subject_type: &str,
        subject_id: &str,
        changes: &[Change],
    ) -> ApiResult<D1PreparedStatement> {
        let changes = serde_json::to_string(changes).unwrap_or_else(|_| "[]".into());
        Ok(query!(
            db,
            "INSERT INTO audit_log (at, actor_id, ap_id, action, subject_type, subject_id, request_id, changes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &crate::clock::stamp(self.at),
            &self.actor_id,
            &self.ap_id,
            action,
            subject_type,
            subject_id,
            &self.request_id,
            &changes
        )?)
    }
}
