//! The transition baseline: reading it, saving a section, importing a CTF.

use lt_core::access::PlacementAccess;
use lt_core::api::{Baseline, CtfImported, ErrorCode, ErrorDetail, Source};
use lt_core::gate::view::{self, Entry, Viewer};
use lt_core::gate::{self, PlacementState, Section, ctf, may_edit_baseline};
use lt_core::london;
use serde_json::{Map, Value};
use worker::d1::D1Database;
use worker::{Request, Response};

use super::placements::find;
use crate::audit::{AuditContext, Change};
use crate::auth::Caller;
use crate::baseline::{self, Author};
use crate::error::{ApiError, ApiResult};
use crate::http;

/// The baseline as the caller may see it. When it shows safeguarding
/// values, the read is in the audit log before the answer leaves.
async fn seen(
    db: &D1Database,
    caller: &Caller,
    access: &PlacementAccess,
    state: PlacementState,
    entries: Vec<Entry>,
    audit: &AuditContext,
) -> ApiResult<Baseline> {
    let viewer = Viewer {
        person_id: &caller.principal.person_id,
        safeguarding: access.safeguarding,
    };
    let editable = may_edit_baseline(access, state);
    let built = view::build(access.placement_id(), state, editable, entries, viewer);
    if built.reveals_safeguarding {
        audit
            .entry(
                db,
                "safeguarding.read",
                "placement",
                access.placement_id(),
                &[],
            )?
            .run()
            .await?;
    }
    Ok(built.baseline)
}

pub async fn get(
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = find(db, caller, id).await?;
    let audit = audit.for_ap(access.ap_id());
    let entries = baseline::entries(db, id).await?;
    let state = row.state()?;
    Ok(http::json(
        200,
        &seen(db, caller, &access, state, entries, &audit).await?,
    ))
}

/// Refuses unless the caller may change the baseline in this state.
fn editor(access: &PlacementAccess, state: PlacementState) -> ApiResult<()> {
    if may_edit_baseline(access, state) {
        return Ok(());
    }
    let why = match state {
        PlacementState::Ended => "the placement has ended; its baseline is kept as it was",
        PlacementState::Submitted | PlacementState::Active if access.commissions => {
            "the baseline is with the AP now; ask them to return it if something must change"
        }
        _ => "only the AP's admin or DSL and the commissioner can change the baseline",
    };
    Err(ApiError::new(ErrorCode::Forbidden, why))
}

/// The organisation the caller enters values for: their own, at this AP.
fn organisation_of<'a>(caller: &'a Caller, ap_id: &str) -> Option<&'a str> {
    caller
        .principal
        .grants
        .iter()
        .find(|g| g.ap_id == ap_id)
        .map(|g| g.organisation_id.as_str())
}

/// Who is entering values into which placement's baseline.
struct Entered<'a> {
    caller: &'a Caller,
    access: &'a PlacementAccess,
    audit: &'a AuditContext,
}

impl Entered<'_> {
    /// Appends `changes` with their provenance and one audit entry naming the
    /// fields (their values stay in the baseline), in one batch.
    async fn write(
        &self,
        db: &D1Database,
        changes: &[(String, Value)],
        source: Source,
        action: &str,
    ) -> ApiResult<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let id = self.access.placement_id();
        let author = Author {
            audit: self.audit,
            organisation_id: organisation_of(self.caller, self.access.ap_id()),
            source,
        };
        let mut statements = baseline::append(db, id, &author, changes)?;
        let named: Vec<Change> = changes
            .iter()
            .map(|(f, _)| Change {
                field: f.clone(),
                old: None,
                new: (source == Source::Imported).then(|| "imported".to_owned()),
            })
            .collect();
        statements.push(self.audit.entry(db, action, "placement", id, &named)?);
        db.batch(statements).await?;
        Ok(())
    }
}

fn audit_action(fields: &[(String, Value)]) -> &'static str {
    if fields.iter().any(|(f, _)| f.starts_with("safeguarding.")) {
        "safeguarding.changed"
    } else {
        "baseline.changed"
    }
}

pub async fn save(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    section: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = find(db, caller, id).await?;
    let section = Section::parse(section).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!("the baseline has no {section} section"),
        )
    })?;
    let state = row.state()?;
    editor(&access, state)?;
    let audit = audit.for_ap(access.ap_id());
    let body: Map<String, Value> = http::read_json(req).await?;
    let checked = gate::check_section(section, &body, london::local_date(audit.at))?;
    let entries = baseline::entries(db, id).await?;
    let current = baseline::current(&entries);
    let changes: Vec<(String, Value)> = checked
        .into_iter()
        .map(|(spec, value)| (spec.id(), value))
        .filter(|(field, value)| {
            let now = current.iter().find(|(f, _)| f == field).map(|(_, v)| v);
            now.unwrap_or(&Value::Null) != value
        })
        .collect();
    let entered = Entered {
        caller,
        access: &access,
        audit: &audit,
    };
    entered
        .write(db, &changes, Source::Typed, audit_action(&changes))
        .await?;
    let entries = baseline::entries(db, id).await?;
    Ok(http::json(
        200,
        &seen(db, caller, &access, state, entries, &audit).await?,
    ))
}

pub async fn import_ctf(
    req: &mut Request,
    db: &D1Database,
    caller: &Caller,
    id: &str,
    audit: AuditContext,
) -> ApiResult<Response> {
    let (row, access) = find(db, caller, id).await?;
    let state = row.state()?;
    editor(&access, state)?;
    let audit = audit.for_ap(access.ap_id());
    let media = http::header(req, "content-type").unwrap_or_default();
    let media = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "application/xml" && media != "text/xml" {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the Common Transfer File as application/xml",
        ));
    }
    let bytes = http::body_up_to(req, ctf::MAX_CTF_BYTES)
        .await
        .map_err(|fault| match fault {
            http::BodyFault::TooLarge => ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("a CTF may be at most {} bytes", ctf::MAX_CTF_BYTES),
            ),
            http::BodyFault::Unreadable => {
                ApiError::from(ErrorDetail::invalid("ctf", "the file could not be read"))
            }
        })?;
    let entries = baseline::entries(db, id).await?;
    let current = baseline::current(&entries);
    let upn = current
        .iter()
        .find(|(f, _)| f == "identity.upn")
        .and_then(|(_, v)| v.as_str().map(str::to_owned));
    let import = ctf::read(&bytes, upn.as_deref(), london::local_date(audit.at))?;
    ctf::check_same_pupil(&import, &current)?;
    // Typed values win: the file fills what is empty or was imported before.
    let latest_is_typed = |field: &str| {
        let latest = entries
            .iter()
            .filter(|e| e.field == field)
            .max_by_key(|e| e.seq);
        latest.is_some_and(|e| e.provenance.source == Source::Typed && !e.value.is_null())
    };
    let (mut fills, mut kept) = (Vec::new(), Vec::new());
    for (spec, value) in import.fills {
        let field = spec.id();
        let unchanged = current.iter().any(|(f, v)| *f == field && *v == value);
        if latest_is_typed(&field) && !unchanged {
            kept.push(field);
        } else if !unchanged {
            fills.push((field, value));
        }
    }
    let entered = Entered {
        caller,
        access: &access,
        audit: &audit,
    };
    entered
        .write(db, &fills, Source::Imported, "baseline.imported")
        .await?;
    let entries = baseline::entries(db, id).await?;
    let baseline = seen(db, caller, &access, state, entries, &audit).await?;
    Ok(http::json(
        200,
        &CtfImported {
            filled: fills.into_iter().map(|(f, _)| f).collect(),
            kept,
            skipped: import.skipped,
            source_school: import.source_school,
            baseline,
        },
    ))
}
