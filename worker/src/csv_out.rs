//! CSV downloads: one way to write cells and to answer with a file.

use worker::{Headers, Response};

use crate::error::{ApiError, ApiResult};

/// Spreadsheets run cells that start like a formula; a leading quote stops that.
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// Rows (the first is the header) as a CSV attachment called `filename`.
pub fn attachment(rows: Vec<Vec<String>>, filename: &str) -> ApiResult<Response> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row)
            .map_err(|e| ApiError::Unexpected(format!("csv: {e}")))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::Unexpected(format!("csv: {e}")))?;
    let headers = Headers::new();
    headers.set("content-type", "text/csv; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    headers.set(
        "content-disposition",
        &format!("attachment; filename=\"{filename}\""),
    )?;
    Ok(Response::builder()
        .with_status(200)
        .with_headers(headers)
        .fixed(bytes))
}
