//! A small client for the API that carries the sign-in cookie like a browser.

use reqwest::{Method, Response};
use serde_json::Value;

use crate::server::Server;

pub struct Client {
    base: String,
    http: reqwest::Client,
    cookie: Option<String>,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client {
            base: server.base.clone(),
            http: reqwest::Client::new(),
            cookie: None,
        }
    }

    pub async fn signed_in(server: &Server, email: &str) -> Client {
        let mut client = Client::new(server);
        let response = client
            .post_json(
                "/api/sign-in",
                &serde_json::json!({ "email": email, "password": crate::demo::PASSWORD }),
            )
            .await;
        assert_eq!(response.status(), 200, "sign-in as {email}");
        client
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut builder = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            builder = builder.header("cookie", cookie);
        }
        builder
    }

    pub async fn send(&mut self, builder: reqwest::RequestBuilder) -> Response {
        let response = builder.send().await.expect("request sent");
        if let Some(set) = response.headers().get("set-cookie") {
            let pair = set
                .to_str()
                .unwrap_or("")
                .split(';')
                .next()
                .unwrap_or("")
                .to_owned();
            self.cookie = pair
                .split_once('=')
                .filter(|(_, v)| !v.is_empty())
                .map(|_| pair.clone());
        }
        response
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let builder = self.request(Method::GET, path);
        self.send(builder).await
    }

    pub async fn post_json(&mut self, path: &str, body: &Value) -> Response {
        let builder = self.request(Method::POST, path).json(body);
        self.send(builder).await
    }

    pub async fn put_json(&mut self, path: &str, body: &Value) -> Response {
        let builder = self.request(Method::PUT, path).json(body);
        self.send(builder).await
    }

    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }
}

/// The body of an API error, checked to have the documented shape.
pub async fn error_of(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body: Value = response.json().await.expect("error body is JSON");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let error = &body["error"];
    assert!(error["code"].is_string(), "no code in {body}");
    assert!(error["message"].is_string(), "no message in {body}");
    (status, error.clone())
}
