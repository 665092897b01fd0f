//! Accounts end to end: password reset by emailed link, and what it revokes.

use lt_core::api::{Me, PasswordResetRequested};
use lt_tests::client::{Client, error_of};
use lt_tests::demo;
use lt_tests::notify::{self, NotifyReceiver};
use lt_tests::server::Server;
use serde_json::json;

async fn start() -> (NotifyReceiver, Server) {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    (receiver, server)
}

fn token_of(link: &str) -> String {
    link.split_once("/reset#")
        .map(|(_, t)| t.to_owned())
        .expect("reset link")
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_other_sign_ins() {
    let (receiver, server) = start().await;
    let mut phone = Client::signed_in(&server, "dsl@riverside.example").await;
    assert_eq!(phone.get("/api/me").await.status(), 200);

    let mut anyone = Client::new(&server);
    let response = anyone
        .post_json(
            "/api/password-resets",
            &json!({ "email": "DSL@riverside.example" }),
        )
        .await;
    assert_eq!(response.status(), 202);
    let known: PasswordResetRequested = response.json().await.expect("answer");
    let response = anyone
        .post_json(
            "/api/password-resets",
            &json!({ "email": "nobody@riverside.example" }),
        )
        .await;
    assert_eq!(response.status(), 202);
    let unknown: PasswordResetRequested = response.json().await.expect("answer");
    assert_eq!(
        known.message.replace("dsl@", "X@"),
        unknown.message.replace("nobody@", "X@"),
        "the answer must not reveal whether an account exists"
    );
    let link = receiver.wait_for_link("dsl@riverside.example").await;
    assert_eq!(
        receiver.received().len(),
        1,
        "only the real account gets an email"
    );
    let token = token_of(&link);

    let (status, error) = error_of(
        anyone
            .post_json(
                "/api/password-resets/complete",
                &json!({ "token": token, "password": "123" }),
            )
            .await,
    )
    .await;
    assert_eq!((status, error["field"].as_str()), (400, Some("password")));

    let response = anyone
        .post_json(
            "/api/password-resets/complete",
            &json!({ "token": token, "password": "lantern-moss-quartz" }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let me: Me = response.json().await.expect("me");
    assert_eq!(me.email, "dsl@riverside.example");

    // The phone's sign-in ended; the old password no longer works; the new one does.
    let (status, _) = error_of(phone.get("/api/me").await).await;
    assert_eq!(status, 401);
    let old = Client::new(&server)
        .post_json(
            "/api/sign-in",
            &json!({ "email": "dsl@riverside.example", "password": demo::PASSWORD }),
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = Client::new(&server)
        .post_json(
            "/api/sign-in",
            &json!({ "email": "dsl@riverside.example", "password": "lantern-moss-quartz" }),
        )
        .await;
    assert_eq!(new.status(), 200);

    let (status, _) = error_of(
        anyone
            .post_json(
                "/api/password-resets/complete",
                &json!({ "token": token, "password": "another-long-password" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 410);
    receiver.assert_nothing_rejected();
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let (receiver, server) = start().await;
    let mut anyone = Client::new(&server);
    anyone
        .post_json(
            "/api/password-resets",
            &json!({ "email": "admin@riverside.example" }),
        )
        .await;
    let token = token_of(&receiver.wait_for_link("admin@riverside.example").await);
    server.sql("UPDATE password_resets SET expires_at = '2020-01-01T00:00:00+00:00'");
    let (status, _) = error_of(
        anyone
            .post_json(
                "/api/password-resets/complete",
                &json!({ "token": token, "password": "lantern-moss-quartz" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 410);
    let still = Client::new(&server)
        .post_json(
            "/api/sign-in",
            &json!({ "email": "admin@riverside.example", "password": demo::PASSWORD }),
        )
        .await;
    assert_eq!(still.status(), 200);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_one_message_for_all() {
    let server = Server::start().await;
    let mut client = Client::new(&server);
    let attempt = |email: &'static str, password: &'static str| {
        let server = &server;
        async move {
            Client::new(server)
                .post_json(
                    "/api/sign-in",
                    &json!({ "email": email, "password": password }),
                )
                .await
        }
    };
    for _ in 0..5 {
        let (status, _) = error_of(attempt("maya.lewis@riverside.example", "guess").await).await;
        assert_eq!(status, 401);
        let (status, _) = error_of(attempt("ghost@riverside.example", "guess").await).await;
        assert_eq!(status, 401);
    }
    // Locked now, even with the right password; a made-up address reads the same.
    let (status, real) =
        error_of(attempt("maya.lewis@riverside.example", demo::PASSWORD).await).await;
    assert_eq!(status, 429);
    let (status, ghost) = error_of(attempt("ghost@riverside.example", demo::PASSWORD).await).await;
    assert_eq!(status, 429);
    assert_eq!(real, ghost);
    assert!(
        real["message"].as_str().unwrap_or("").contains("wait"),
        "{real}"
    );

    // Other people at the same address still sign in.
    assert_eq!(
        attempt("tom.reid@riverside.example", demo::PASSWORD)
            .await
            .status(),
        200
    );

    // When the lock runs out, the right password works and clears the count.
    server.sql("UPDATE sign_in_failures SET locked_until = '2020-01-01T00:00:00+00:00'");
    let response = client
        .post_json(
            "/api/sign-in",
            &json!({ "email": "maya.lewis@riverside.example", "password": demo::PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (status, _) = error_of(attempt("maya.lewis@riverside.example", "guess").await).await;
    assert_eq!(status, 401, "the count started again after a success");
}

#[tokio::test]
async fn an_idle_sign_in_expires() {
    let server = Server::start().await;
    let mut client = Client::signed_in(&server, "admin@riverside.example").await;
    assert_eq!(client.get("/api/me").await.status(), 200);
    server.sql("UPDATE sign_ins SET idle_expires_at = '2020-01-01T00:00:00+00:00'");
    let (status, error) = error_of(client.get("/api/me").await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}

#[tokio::test]
async fn sign_in_lifetimes_are_set_per_deployment() {
    let vars = [(
        "SIGN_IN_LIFETIMES".to_owned(),
        r#"{"office_absolute_hours": 1, "field_absolute_hours": 48}"#.to_owned(),
    )];
    let server = Server::start_with(&vars).await;
    let max_age = |email: &'static str| {
        let url = server.url("/api/sign-in");
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .json(&json!({ "email": email, "password": demo::PASSWORD }))
                .send()
                .await
                .expect("sign in");
            let cookie = response
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            cookie
                .split("Max-Age=")
                .nth(1)
                .and_then(|v| v.split(';').next())
                .and_then(|v| v.parse::<i64>().ok())
        }
    };
    assert_eq!(max_age("dsl@riverside.example").await, Some(3600));
    assert_eq!(
        max_age("gary.hill@swiftcabs.example").await,
        Some(48 * 3600)
    );

    assert_eq!(
        max_age("maya.lewis@riverside.example").await,
        Some(48 * 3600)
    );
}

#[tokio::test]
async fn removing_a_person_ends_their_access_and_sign_ins() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, "senco@northgate.example").await;
    assert_eq!(senco.get("/api/today").await.status(), 200);
    let mut dsl = Client::signed_in(&server, "dsl@riverside.example").await;
    let people: lt_core::api::PeopleList = dsl
        .get("/api/aps/org-riverside/people")
        .await
        .json()
        .await
        .expect("people");
    let helen = people
        .people
        .iter()
        .find(|p| p.name == "Helen Price")
        .expect("the SENCo is listed");
    // Five pupils now, and Jordan, whose placement has ended.
    assert_eq!(helen.grants[0].placement_ids.len(), 6);
    assert!(
        people
            .people
            .iter()
            .all(|p| p.email != "admin@hillside.example"),
        "other APs' people are not listed"
    );

    // A DSL cannot remove the AP admin, nor themselves.
    let (status, _) = error_of(
        dsl.post_json(
            "/api/aps/org-riverside/people/person-admin/remove",
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = error_of(
        dsl.post_json(
            "/api/aps/org-riverside/people/person-dsl/remove",
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);

    let response = dsl
        .post_json(
            &format!("/api/aps/org-riverside/people/{}/remove", helen.person_id),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let (status, _) = error_of(senco.get("/api/today").await).await;
    assert_eq!(status, 401, "the removed person's sign-in ended");
    let mut again = Client::signed_in(&server, "senco@northgate.example").await;
    let today: lt_core::api::Today = again.get("/api/today").await.json().await.expect("today");
    assert!(today.sessions.is_empty(), "no access left: {today:?}");
    let audit: lt_core::api::AuditPage = dsl
        .get("/api/aps/org-riverside/audit?action=person.access_removed")
        .await
        .json()
        .await
        .expect("audit");
    assert_eq!(audit.entries.len(), 1);
    assert_eq!(audit.entries[0].subject_id, helen.person_id);
}
