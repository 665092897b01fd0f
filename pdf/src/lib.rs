//! LearnTrek's PDF worker. `POST /` with a Reintegration Export as JSON
//! (`learntrek.reintegration-export.v1`, as `lt_core::report` builds it)
//! answers its PDF. Only the main worker calls it, through a service binding,
//! after it has checked who is asking and written the audit entry: this
//! worker sees no database and no caller, only the document to draw.

use lt_core::report::{self, ReintegrationExport};
use worker::{Context, Env, Headers, Method, Request, Response, event};

#[event(fetch)]
async fn fetch(mut req: Request, _env: Env, _ctx: Context) -> worker::Result<Response> {
    if req.method() != Method::Post {
        return Response::error("POST a Reintegration Export", 405);
    }
    let body = req.bytes().await?;
    let export: ReintegrationExport = match serde_json::from_slice(&body) {
        Ok(export) => export,
        Err(err) => return Response::error(format!("not a Reintegration Export: {err}"), 400),
    };
    match report::pdf::render(&export) {
        Ok(pdf) => {
            let headers = Headers::new();
            headers.set("content-type", "application/pdf")?;
            Ok(Response::from_bytes(pdf)?.with_headers(headers))
        }
        Err(err) => {
            worker::console_error!("pdf: {err}");
            Response::error(format!("the PDF could not be made: {err}"), 500)
        }
    }
}
