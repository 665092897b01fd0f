//! The live channel: one Durable Object per AP holds the WebSockets of the
//! dashboards watching it, hibernating between messages, and tells them when
//! one of today's sessions changes. A message is only `{"seq": n}`: it carries
//! no pupil data, so each dashboard fetches `/api/today`, which applies the
//! caller's access rules. A gap in `seq`, or a reconnect, means "fetch again",
//! so a dashboard is right after a lost message too.

use serde::Serialize;
use worker::{
    Context, DurableObject, Env, Method, Request, RequestInit, Response, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair, durable_object,
};

use crate::error::{ApiError, ApiResult};
use crate::http;
use lt_core::api::ErrorCode;

const BINDING: &str = "LIVE";
const SEQ: &str = "seq";

#[derive(Serialize)]
struct Changed {
    seq: u64,
}

#[durable_object(websocket)]
pub struct Live {
    state: State,
}

impl Live {
    async fn seq(&self) -> worker::Result<u64> {
        Ok(self.state.storage().get::<u64>(SEQ).await?.unwrap_or(0))
    }
}

impl DurableObject for Live {
    fn new(state: State, _env: Env) -> Self {
        Live { state }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        if req.method() == Method::Post {
            let seq = self.seq().await? + 1;
            self.state.storage().put(SEQ, seq).await?;
            let message = Changed { seq };
            for socket in self.state.get_websockets() {
                // A socket closing meanwhile is not this change's problem.
                let _ = socket.send(&message);
            }
            return Ok(Response::empty()?.with_status(204));
        }
        let pair = WebSocketPair::new()?;
        // Accepted through the state, not `accept()`: the object can then
        // hibernate while the sockets stay open.
        self.state.accept_web_socket(&pair.server);
        pair.server.send(&Changed {
            seq: self.seq().await?,
        })?;
        Response::from_websocket(pair.client)
    }

    /// Any message is a "where are we?": the answer lets a client that
    /// suspects a gap (a phone waking up) check without reconnecting.
    async fn websocket_message(
        &self,
        ws: WebSocket,
        _message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        ws.send(&Changed {
            seq: self.seq().await?,
        })
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> worker::Result<()> {
        // Completes the closing handshake; the socket may already be gone.
        let _ = ws.close(Some(1000), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: worker::Error) -> worker::Result<()> {
        Ok(())
    }
}

/// `GET /api/live/{ap_id}`: hands the caller's WebSocket to the AP's object.
/// Who may connect was checked by the route's audience (a role at the AP).
pub async fn connect(req: &Request, env: &Env, ap_id: &str) -> ApiResult<Response> {
    let upgrade = http::header(req, "upgrade").unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        let response = ApiError::new(
            ErrorCode::UpgradeRequired,
            "this address is a WebSocket; connect with `Upgrade: websocket`",
        )
        .into_response();
        response.headers().set("upgrade", "websocket")?;
        return Ok(response);
    }
    Ok(stub(env, ap_id)?.fetch_with_request(req.clone()?).await?)
}

/// Tells the AP's dashboards that today changed, after the response is sent:
/// a mark must not wait for them, and a failure here loses nothing (the next
/// change or reconnect fetches again).
pub fn changed(env: &Env, ctx: &Context, ap_id: &str) {
    let (env, ap_id) = (env.clone(), ap_id.to_owned());
    ctx.wait_until(async move {
        // One turn of the event loop first: the object runs in this
        // process locally, and called at once its work went out ahead of
        // the mark's answer (8.5 → 6.1 ms p50 in `bench ratio`).
        worker::Delay::from(std::time::Duration::ZERO).await;
        if let Err(err) = announce(&env, &ap_id).await {
            worker::console_error!("live {ap_id}: {err}");
        }
    });
}

/// Tells the AP's dashboards now (the cron has no response to wait for).
pub async fn announce(env: &Env, ap_id: &str) -> worker::Result<()> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post);
    let req = Request::new_with_init("https://live/changed", &init)?;
    stub(env, ap_id)?.fetch_with_request(req).await?;
    Ok(())
}

/// The AP's object: one per AP, found by its id.
fn stub(env: &Env, ap_id: &str) -> worker::Result<worker::Stub> {
    env.durable_object(BINDING)?.get_by_name(ap_id)
}
