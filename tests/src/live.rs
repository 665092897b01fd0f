//! A dashboard's end of the live channel: a WebSocket to `/api/live/{ap_id}`
//! carrying the sign-in cookie, as the PWA's would.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::client::Client;
use crate::server::Server;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens the AP's live channel as `client`, with an `Origin` header if given.
pub async fn connect(
    server: &Server,
    client: &Client,
    ap_id: &str,
    origin: Option<&str>,
) -> Result<Socket, Error> {
    let url = server
        .url(&format!("/api/live/{ap_id}"))
        .replacen("http", "ws", 1);
    let mut request = url.into_client_request()?;
    let headers = request.headers_mut();
    if let Some(cookie) = client.cookie().and_then(|c| c.parse().ok()) {
        headers.insert("cookie", cookie);
    }
    if let Some(origin) = origin.and_then(|o| o.parse().ok()) {
        headers.insert("origin", origin);
    }
    let (socket, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(socket)
}

/// The next `seq` the channel announces, or `None` if none comes within
/// `wait` (or the socket closes).
pub async fn next_seq(socket: &mut Socket, wait: Duration) -> Option<u64> {
    loop {
        let message = tokio::time::timeout(wait, socket.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(text) = message {
            let value: serde_json::Value = serde_json::from_str(text.as_str()).ok()?;
            return value["seq"].as_u64();
        }
    }
}

/// The HTTP status a refused handshake answered with.
pub fn refused_status(error: &Error) -> Option<u16> {
    match error {
        Error::Http(response) => Some(response.status().as_u16()),
        _ => None,
    }
}
