//! Every call to the API goes through here.

use gloo_net::http::{Request, Response};
use lt_core::api::{Endpoint, ErrorCode, ErrorDetail, Me, SignInRequest, Today};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer at all: no signal, or the server is down.
    Offline,
    /// The server answered with an error body.
    Refused(ErrorDetail),
}

impl Failure {
    pub fn is_signed_out(&self) -> bool {
        matches!(self, Failure::Refused(d) if d.code == ErrorCode::Unauthenticated)
    }
}

async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, Failure> {
    let response = sent.map_err(|_| Failure::Offline)?;
    if response.ok() {
        return response.json::<T>().await.map_err(|_| Failure::Offline);
    }
    // A proxy or captive portal may answer with something that is not ours.
    match response.json::<lt_core::api::ErrorBody>().await {
        Ok(body) => Err(Failure::Refused(body.error)),
        Err(_) => Err(Failure::Offline),
    }
}

pub async fn me() -> Result<Me, Failure> {
    read(Request::get(Endpoint::Me.path()).send().await).await
}

pub async fn today() -> Result<Today, Failure> {
    read(Request::get(Endpoint::Today.path()).send().await).await
}

pub async fn sign_in(body: &SignInRequest) -> Result<Me, Failure> {
    let request = Request::post(Endpoint::SignIn.path())
        .json(body)
        .map_err(|_| Failure::Offline)?;
    read(request.send().await).await
}

pub async fn sign_out() -> Result<(), Failure> {
    let response = Request::post(Endpoint::SignOut.path())
        .send()
        .await
        .map_err(|_| Failure::Offline)?;
    if response.ok() || response.status() == 401 {
        Ok(())
    } else {
        read::<()>(Ok(response)).await
    }
}
