//! Sharing the Reintegration Export outside LearnTrek, end to end: the AP's
//! admin shares Jordan's export with the receiving school's SENCo, the
//! GOV.UK Notify stand-in receives the link and then the code, the
//! recipient opens it with the code and reads the PDF; wrong, used,
//! expired and revoked links and codes are refused, and every opening and
//! read is in the AP's audit log.

use lt_tests::client::{Client, error_of};
use lt_tests::demo::history;
use lt_tests::notify::{self, NotifyReceiver};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";
const RECIPIENT: &str = "j.hughes@northgate.example";

async fn start() -> (NotifyReceiver, Server) {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    (receiver, server)
}

fn shares_path() -> String {
    format!("/api/placements/{}/shares", history::PLACEMENT)
}

/// Shares Jordan's export with the recipient; returns the share's id and
/// the token from the emailed link.
async fn share(
    server: &Server,
    receiver: &NotifyReceiver,
    nth: usize,
    days: u32,
) -> (String, String) {
    let mut admin = Client::signed_in(server, ADMIN).await;
    let response = admin
        .post_json(
            &shares_path(),
            &json!({ "recipient_email": "J.Hughes@Northgate.example", "recipient_name": "Jo Hughes", "days": days }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.expect("share");
    assert_eq!(created["recipient_email"], RECIPIENT);
    assert_eq!(created["state"], "open");
    let email = receiver
        .wait_for_email(RECIPIENT, notify::TEMPLATE_SHARE, nth)
        .await;
    let link = email.personalisation["link"].clone();
    let token = link
        .split_once("/shared#")
        .map(|(_, t)| t.to_owned())
        .expect("a /shared# link");
    // The email names no pupil: the link and the code are what open it.
    assert!(!email.body.contains("Jordan") && !email.subject.contains("Jordan"));
    (created["share_id"].as_str().expect("id").to_owned(), token)
}

async fn post(
    http: &reqwest::Client,
    server: &Server,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    http.post(server.url(path))
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn ask_code(
    http: &reqwest::Client,
    server: &Server,
    receiver: &NotifyReceiver,
    token: &str,
    nth: usize,
) -> String {
    let response = post(http, server, "/api/shared/code", &json!({ "token": token })).await;
    assert_eq!(response.status(), 202);
    let sent: Value = response.json().await.expect("sent");
    assert_eq!(sent["sent_to"], "j***@northgate.example");
    let email = receiver
        .wait_for_email(RECIPIENT, notify::TEMPLATE_SHARE_CODE, nth)
        .await;
    email.personalisation["code"].clone()
}

fn cookie_of(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"].to_str().expect("cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("Path=/api/shared"),
        "{set}"
    );
    set.split(';').next().expect("pair").to_owned()
}

fn audit(server: &Server) -> Vec<String> {
    server
        .rows(&format!(
            "SELECT action FROM audit_log WHERE subject_id = '{}' AND action LIKE 'share.%' ORDER BY id",
            history::PLACEMENT
        ))
        .iter()
        .map(|r| r["action"].as_str().expect("action").to_owned())
        .collect()
}

#[tokio::test]
async fn the_recipient_opens_the_link_with_the_emailed_code_and_reads_the_pdf() {
    let (receiver, server) = start().await;
    let (share_id, token) = share(&server, &receiver, 1, 14).await;
    // Only a digest of the token is kept.
    let stored = server.rows("SELECT token_digest FROM shares");
    assert_eq!(
        stored[0]["token_digest"],
        lt_core::credentials::token_digest(&token)
    );
    assert!(
        !stored[0]["token_digest"]
            .as_str()
            .expect("digest")
            .contains(&token)
    );
    assert_eq!(token.len(), 64, "256 bits");

    let http = reqwest::Client::new();
    // Reading before opening: no.
    let response = http
        .get(server.url("/api/shared/export?format=pdf"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    // A code is needed, and a wrong one is refused by field.
    let code = ask_code(&http, &server, &receiver, &token, 1).await;
    assert_eq!(code.len(), 6);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, error) = error_of(
        post(
            &http,
            &server,
            "/api/shared/open",
            &json!({ "token": token, "code": wrong }),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("code")));
    let response = post(
        &http,
        &server,
        "/api/shared/open",
        &json!({ "token": token, "code": format!("{} {}", &code[..3], &code[3..]) }),
    )
    .await;
    assert_eq!(response.status(), 200);
    let cookie = cookie_of(&response);
    let opened: Value = response.json().await.expect("export");
    assert_eq!(opened["export"]["pupil"]["first_name"], "Jordan");
    assert_eq!(
        opened["export"]["attendance"]["attended"],
        history::expected::ATTENDED
    );
    let pdf = http
        .get(server.url("/api/shared/export?format=pdf"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF-"));
    // A code opens once.
    let (status, error) = error_of(
        post(
            &http,
            &server,
            "/api/shared/open",
            &json!({ "token": token, "code": code }),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("code")));

    assert_eq!(
        audit(&server),
        [
            "share.created",
            "share.code_sent",
            "share.opened",
            "share.read"
        ]
    );
    let opened_by = server.rows(&format!(
        "SELECT actor_id, ap_id, changes FROM audit_log WHERE action = 'share.opened' AND subject_id = '{}'",
        history::PLACEMENT
    ));
    assert_eq!(opened_by[0]["ap_id"], lt_tests::demo::AP);
    assert!(
        opened_by[0]["changes"]
            .as_str()
            .expect("changes")
            .contains(RECIPIENT)
    );

    // Withdrawn: the open reading key stops at once, and no new code is sent.
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let revoked = admin
        .post_json(&format!("{}/{share_id}/revoke", shares_path()), &json!({}))
        .await;
    assert_eq!(revoked.status(), 200);
    let list: Value = admin.get(&shares_path()).await.json().await.expect("list");
    assert_eq!(list["shares"][0]["state"], "revoked");
    assert_eq!(list["shares"][0]["opened"], 1);
    let response = http
        .get(server.url("/api/shared/export?format=html"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("html");
    assert_eq!(response.status(), 410);
    let (status, _) = error_of(
        post(
            &http,
            &server,
            "/api/shared/code",
            &json!({ "token": token }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 410);
    receiver.assert_nothing_rejected();
}

#[tokio::test]
async fn expired_unknown_and_guessed_links_and_codes_are_refused() {
    let (receiver, server) = start().await;
    let (_, token) = share(&server, &receiver, 1, 1).await;
    let http = reqwest::Client::new();
    let (status, _) = error_of(
        post(
            &http,
            &server,
            "/api/shared/code",
            &json!({ "token": "f".repeat(64) }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);

    // Five wrong tries use a code up, even for the right one after them.
    let code = ask_code(&http, &server, &receiver, &token, 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let response = post(
            &http,
            &server,
            "/api/shared/open",
            &json!({ "token": token, "code": wrong }),
        )
        .await;
        assert_eq!(response.status(), 400);
    }
    let (status, _) = error_of(
        post(
            &http,
            &server,
            "/api/shared/open",
            &json!({ "token": token, "code": code }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 429);
    // Three codes an hour per link.
    ask_code(&http, &server, &receiver, &token, 2).await;
    ask_code(&http, &server, &receiver, &token, 3).await;
    let (status, _) = error_of(
        post(
            &http,
            &server,
            "/api/shared/code",
            &json!({ "token": token }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 429);
    // Past its expiry the link is gone.
    server.sql("UPDATE shares SET expires_at = '2026-01-01T00:00:00+00:00'");
    let (status, error) = error_of(
        post(
            &http,
            &server,
            "/api/shared/code",
            &json!({ "token": token }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 410, "{error}");
    let (status, _) = error_of(
        post(
            &http,
            &server,
            "/api/shared/open",
            &json!({ "token": token, "code": "123456" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn only_the_aps_managers_share_and_bad_shares_write_nothing() {
    let (receiver, server) = start().await;
    for (who, status) in [
        ("senco@northgate.example", 403),
        ("maya.lewis@riverside.example", 403),
        ("admin@hillside.example", 404),
    ] {
        let mut client = Client::signed_in(&server, who).await;
        let body = json!({ "recipient_email": RECIPIENT, "recipient_name": "Jo" });
        let (got, _) = error_of(client.post_json(&shares_path(), &body).await).await;
        assert_eq!(got, status, "{who}");
    }
    let mut dsl = Client::signed_in(&server, "dsl@riverside.example").await;
    for (body, field) in [
        (
            json!({ "recipient_email": "nope", "recipient_name": "Jo" }),
            "recipient_email",
        ),
        (
            json!({ "recipient_email": RECIPIENT, "recipient_name": "" }),
            "recipient_name",
        ),
        (
            json!({ "recipient_email": RECIPIENT, "recipient_name": "Jo", "days": 31 }),
            "days",
        ),
        (
            json!({ "recipient_email": RECIPIENT, "recipient_name": "Jo", "cc": "x" }),
            "cc",
        ),
    ] {
        let (status, error) = error_of(dsl.post_json(&shares_path(), &body).await).await;
        assert_eq!(
            (status, error["field"].clone()),
            (400, json!(field)),
            "{body}"
        );
    }
    assert_eq!(server.rows("SELECT COUNT(*) AS n FROM shares")[0]["n"], 0);
    assert!(receiver.received().is_empty());
}
