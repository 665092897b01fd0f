//! Rate limits against the real worker: links and codes cannot be guessed
//! at speed, nobody's inbox can be flooded with resets or invitations, a
//! limited client gets a 429 that says when to come back, and the next
//! window starts afresh.

use chrono::{Duration, Utc};
use lt_core::rate_limit::{self, Limit};
use lt_tests::client::{Client, error_of};
use lt_tests::demo;
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";

/// Sends `body` to `path` until the limit's allowance is spent, each
/// answered with `allowed`, then once more: that one must be a 429.
async fn spend(client: &mut Client, limit: Limit, path: &str, body: &Value, allowed: u16) {
    for n in 1..=limit.max {
        let status = client.post_json(path, body).await.status().as_u16();
        assert_eq!(status, allowed, "{path}: request {n} of {}", limit.max);
    }
    let (status, error) = error_of(client.post_json(path, body).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (429, Some("too_many_requests")),
        "{path}: {error}"
    );
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(limit.what) && message.contains("try again in"),
        "{message}"
    );
}

#[tokio::test]
async fn invitation_and_share_links_cannot_be_guessed_at_speed() {
    let server = Server::start().await;
    let mut anyone = Client::new(&server);
    let guess = json!({ "token": "a".repeat(43) });
    spend(
        &mut anyone,
        rate_limit::INVITATION_LINKS,
        "/api/invitations/lookup",
        &guess,
        404,
    )
    .await;
    // Accepting shares the count: the guesser is stopped there too.
    let (status, _) = error_of(
        anyone
            .post_json(
                "/api/invitations/accept",
                &json!({ "token": "a".repeat(43), "password": "correct horse battery" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 429);

    // When the window has passed, requests are counted afresh.
    server.sql("UPDATE rate_limits SET window_ends_at = '2020-01-01T00:00:00.000Z'");
    let status = anyone
        .post_json("/api/invitations/lookup", &guess)
        .await
        .status();
    assert_eq!(status, 404);

    spend(
        &mut anyone,
        rate_limit::SHARE_LINKS,
        "/api/shared/open",
        &json!({ "token": "b".repeat(43), "code": "123456" }),
        404,
    )
    .await;

    // The cron run forgets windows that have ended, and only those.
    server.sql("UPDATE rate_limits SET window_ends_at = '2020-01-01T00:00:00.000Z' WHERE key LIKE 'invitation-link:%'");
    let rows = || server.rows("SELECT key FROM rate_limits ORDER BY key");
    assert_eq!(rows().len(), 2);
    server.fire_cron(Utc::now()).await;
    let left = rows();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0]["key"]
            .as_str()
            .unwrap_or_default()
            .starts_with("share-link:")
    );
}

#[tokio::test]
async fn reset_emails_and_invitations_cannot_flood_an_inbox() {
    let server = Server::start().await;
    let mut anyone = Client::new(&server);
    // Three resets an hour for one address, whether or not it has an account.
    for email in ["maya.lewis@riverside.example", "nobody@nowhere.example"] {
        spend(
            &mut anyone,
            rate_limit::RESET_EMAILS,
            "/api/password-resets",
            &json!({ "email": email }),
            202,
        )
        .await;
    }
    // Typed differently, the same address.
    let (status, _) = error_of(
        anyone
            .post_json(
                "/api/password-resets",
                &json!({ "email": "Maya.Lewis@Riverside.example" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 429);
    // Another address is still served.
    let status = anyone
        .post_json(
            "/api/password-resets",
            &json!({ "email": "tom.reid@riverside.example" }),
        )
        .await
        .status();
    assert_eq!(status, 202);
    let sent = server.rows("SELECT COUNT(*) AS n FROM password_resets");
    assert_eq!(
        sent[0]["n"], 2,
        "one link for Maya (then one per two minutes), one for Tom"
    );

    // An admin invites a staff room, but not a stream of strangers.
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let path = format!("/api/aps/{}/invitations", demo::AP);
    let limit = rate_limit::INVITATIONS_SENT;
    for n in 1..=limit.max {
        let body = json!({ "email": format!("teacher{n}@northgate.example"), "name": format!("Teacher {n}"),
                           "role": "school_staff", "organisation_id": demo::SCHOOL, "placement_ids": [demo::placement_id("amara")] });
        let response = admin.post_json(&path, &body).await;
        assert_eq!(response.status(), 201, "invitation {n}");
    }
    let body = json!({ "email": "one.more@northgate.example", "name": "One More",
                       "role": "school_staff", "organisation_id": demo::SCHOOL, "placement_ids": [demo::placement_id("amara")] });
    let (status, error) = error_of(admin.post_json(&path, &body).await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (429, Some("too_many_requests"))
    );
    let pending = server.rows(
        "SELECT COUNT(*) AS n FROM invitations WHERE email LIKE 'teacher%' OR email LIKE 'one.more%'",
    );
    assert_eq!(
        pending[0]["n"], limit.max,
        "the refused one was not written"
    );
    // An hour on, the admin invites again.
    server.sql(&format!(
        "UPDATE rate_limits SET window_ends_at = '{}' WHERE key LIKE 'invitation-sent:%'",
        (Utc::now() - Duration::hours(2)).to_rfc3339()
    ));
    assert_eq!(admin.post_json(&path, &body).await.status(), 201);
}
