//! Invitations end to end: the worker on workerd, email through the local
//! GOV.UK Notify receiver, and the person following the link.

use lt_core::api::{Invitation, InvitationList, InvitationPreview, Me, Today};
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, AP, OTHER_AP, SCHOOL};
use lt_tests::notify::{self, NotifyReceiver};
use lt_tests::server::Server;
use serde_json::{Value, json};

async fn start() -> (NotifyReceiver, Server) {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    (receiver, server)
}

fn senco_invitation(email: &str, pupils: &[&str]) -> Value {
    let placements: Vec<String> = pupils.iter().map(|p| demo::placement_id(p)).collect();
    json!({
        "email": email,
        "name": "Sam Patel",
        "role": "school_staff",
        "organisation_id": SCHOOL,
        "placement_ids": placements,
    })
}

async fn invite(admin: &mut Client, body: &Value) -> Invitation {
    let response = admin
        .post_json(&format!("/api/aps/{AP}/invitations"), body)
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.expect("invitation")
}

fn token_of(link: &str) -> String {
    link.split_once("/invite#")
        .map(|(_, t)| t.to_owned())
        .expect("link has a token")
}

#[tokio::test]
async fn a_school_senco_is_invited_accepts_and_sees_only_their_pupil() {
    let (receiver, server) = start().await;
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let invitation = invite(
        &mut admin,
        &senco_invitation("Sam.Patel@Northgate.example", &["amara"]),
    )
    .await;
    assert_eq!(invitation.email, "sam.patel@northgate.example");
    assert_eq!(
        invitation.email_delivery,
        Some(lt_core::api::EmailDelivery::Sent)
    );

    let emails = receiver.received();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].template_id, notify::TEMPLATE_INVITATION);
    assert_eq!(
        emails[0].personalisation["ap_name"],
        "Riverside Learning Centre"
    );
    assert!(
        !emails[0].body.contains("Amara"),
        "no pupil detail in the email"
    );
    let link = receiver
        .link_for("sam.patel@northgate.example")
        .expect("link");
    assert!(link.starts_with(&server.base), "{link}");
    let token = token_of(&link);

    let mut sam = Client::new(&server);
    let preview: InvitationPreview = sam
        .post_json("/api/invitations/lookup", &json!({ "token": token }))
        .await
        .json()
        .await
        .expect("preview");
    assert_eq!(preview.name, "Sam Patel");
    assert!(!preview.existing_account);

    let (status, error) = error_of(
        sam.post_json(
            "/api/invitations/accept",
            &json!({ "token": token, "password": "short" }),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["field"].as_str()), (400, Some("password")));

    let response = sam
        .post_json(
            "/api/invitations/accept",
            &json!({ "token": token, "password": "kettle-harbour-violet" }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let me: Me = response.json().await.expect("me");
    assert_eq!(me.grants.len(), 1);
    assert_eq!(me.grants[0].placements, 1);

    let today: Today = sam.get("/api/today").await.json().await.expect("today");
    assert!(!today.sessions.is_empty());
    assert!(
        today.sessions.iter().all(|s| s.pupil_first_name == "Amara"),
        "{today:?}"
    );

    // The link works once.
    let (status, _) = error_of(
        sam.post_json(
            "/api/invitations/accept",
            &json!({ "token": token, "password": "kettle-harbour-violet" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 410);
    let (status, _) = error_of(
        Client::new(&server)
            .post_json("/api/invitations/lookup", &json!({ "token": token }))
            .await,
    )
    .await;
    assert_eq!(status, 410);

    // And they can sign in with the password they chose.
    let response = Client::new(&server)
        .post_json(
            "/api/sign-in",
            &json!({ "email": "sam.patel@northgate.example", "password": "kettle-harbour-violet" }),
        )
        .await;
    assert_eq!(response.status(), 200);

    let list: InvitationList = admin
        .get(&format!("/api/aps/{AP}/invitations"))
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(
        list.invitations[0].status,
        lt_core::api::InvitationStatus::Accepted
    );
    receiver.assert_nothing_rejected();
}

#[tokio::test]
async fn revoked_and_expired_links_stop_working() {
    let (receiver, server) = start().await;
    let mut dsl = Client::signed_in(&server, "dsl@riverside.example").await;
    let revoked = invite(
        &mut dsl,
        &senco_invitation("one@northgate.example", &["leo"]),
    )
    .await;
    let expired = invite(
        &mut dsl,
        &senco_invitation("two@northgate.example", &["leo"]),
    )
    .await;

    let path = format!("/api/aps/{AP}/invitations/{}/revoke", revoked.id);
    let response = dsl.post_json(&path, &json!({})).await;
    assert_eq!(response.status(), 200);
    let again = error_of(dsl.post_json(&path, &json!({})).await).await;
    assert_eq!(again.0, 409);

    server.sql(&format!(
        "UPDATE invitations SET expires_at = '2020-01-01T00:00:00+00:00' WHERE id = '{}'",
        expired.id
    ));
    for (address, word) in [
        ("one@northgate.example", "withdrawn"),
        ("two@northgate.example", "expired"),
    ] {
        let token = token_of(&receiver.link_for(address).expect("link"));
        let (status, error) = error_of(
            Client::new(&server)
                .post_json(
                    "/api/invitations/accept",
                    &json!({ "token": token, "password": "kettle-harbour-violet" }),
                )
                .await,
        )
        .await;
        assert_eq!(status, 410);
        assert!(
            error["message"].as_str().unwrap_or("").contains(word),
            "{error}"
        );
    }
    let (status, error) = error_of(
        Client::new(&server)
            .post_json(
                "/api/invitations/lookup",
                &json!({ "token": "not-a-real-token" }),
            )
            .await,
    )
    .await;
    assert_eq!((status, error["field"].as_str()), (404, Some("token")));
    receiver.assert_nothing_rejected();
}

#[tokio::test]
async fn reinviting_an_existing_person_adds_scope_after_their_password() {
    let (receiver, server) = start().await;
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let maya = demo::person_by_role("off_site_tutor");
    invite(
        &mut admin,
        &json!({
            "email": maya.email, "name": maya.name, "role": "off_site_tutor",
            "organisation_id": AP, "placement_ids": [demo::placement_id("kai")],
        }),
    )
    .await;
    let token = token_of(&receiver.link_for(maya.email).expect("link"));
    let mut client = Client::new(&server);
    let preview: InvitationPreview = client
        .post_json("/api/invitations/lookup", &json!({ "token": token }))
        .await
        .json()
        .await
        .expect("preview");
    assert!(preview.existing_account);
    let (status, error) = error_of(
        client
            .post_json(
                "/api/invitations/accept",
                &json!({ "token": token, "password": "a-brand-new-password" }),
            )
            .await,
    )
    .await;
    assert_eq!((status, error["field"].as_str()), (401, Some("password")));
    let response = client
        .post_json(
            "/api/invitations/accept",
            &json!({ "token": token, "password": demo::PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let me: Me = response.json().await.expect("me");
    assert_eq!(me.grants.len(), 1);
    // Her pupils, Jordan (whose ended placement she taught) and the new one.
    assert_eq!(me.grants[0].placements, maya.scope.len() + 2);
}

#[tokio::test]
async fn only_admins_and_dsls_of_the_ap_manage_invitations() {
    let (_receiver, server) = start().await;
    let body = senco_invitation("x@northgate.example", &["amara"]);
    for email in [
        "maya.lewis@riverside.example",
        "senco@northgate.example",
        "gary.hill@swiftcabs.example",
        "admin@hillside.example",
    ] {
        let mut client = Client::signed_in(&server, email).await;
        let (status, _) = error_of(client.get(&format!("/api/aps/{AP}/invitations")).await).await;
        assert_eq!(status, 404, "{email} listed invitations");
        let (status, _) = error_of(
            client
                .post_json(&format!("/api/aps/{AP}/invitations"), &body)
                .await,
        )
        .await;
        assert_eq!(status, 404, "{email} invited");
    }
    let mut dsl = Client::signed_in(&server, "dsl@riverside.example").await;
    let (status, error) = error_of(
        dsl.post_json(
            &format!("/api/aps/{AP}/invitations"),
            &json!({ "email": "boss@riverside.example", "name": "Boss", "role": "ap_admin", "organisation_id": AP }),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["field"].as_str()), (403, Some("role")));
    // A placement of another AP is not in this AP, whatever its id.
    let (status, error) = error_of(
        dsl.post_json(
            &format!("/api/aps/{AP}/invitations"),
            &senco_invitation("y@northgate.example", &["noah"]),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (400, Some("placement_ids[0]"))
    );
    let (status, _) = error_of(dsl.get(&format!("/api/aps/{OTHER_AP}/invitations")).await).await;
    assert_eq!(status, 404);
    let (status, _) = error_of(
        Client::new(&server)
            .get(&format!("/api/aps/{AP}/invitations"))
            .await,
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_provider_outage_keeps_the_invitation_and_says_the_email_failed() {
    let (receiver, server) = start().await;
    receiver.fail_with(Some(500));
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let invitation = invite(
        &mut admin,
        &senco_invitation("z@northgate.example", &["sofia"]),
    )
    .await;
    assert_eq!(
        invitation.email_delivery,
        Some(lt_core::api::EmailDelivery::Failed)
    );
    let list: InvitationList = admin
        .get(&format!("/api/aps/{AP}/invitations"))
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(list.invitations.len(), 1);
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn the_receiver_refuses_what_notify_would_refuse() {
    let receiver = NotifyReceiver::start(0).await;
    let url = format!("{}/v2/notifications/email", receiver.base_url);
    let body = json!({
        "email_address": "a@b.example", "template_id": notify::TEMPLATE_PASSWORD_RESET,
        "personalisation": { "name": "A", "link": "http://x" },
    });
    let now = chrono::Utc::now().timestamp();
    let good = lt_core::notify::ApiKey::parse(&notify::api_key()).expect("key");
    let wrong_secret =
        lt_core::notify::ApiKey::parse(&notify::api_key().replace("3d844edf", "00000000"))
            .expect("key");
    let http = reqwest::Client::new();
    let send = |token: String, body: Value| {
        let http = http.clone();
        let url = url.clone();
        async move {
            http.post(&url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        send(wrong_secret.bearer_token(now), body.clone()).await,
        403
    );
    assert_eq!(send(good.bearer_token(now - 120), body.clone()).await, 403);
    let mut missing = body.clone();
    missing["personalisation"] = json!({ "name": "A" });
    assert_eq!(send(good.bearer_token(now), missing).await, 400);
    assert_eq!(receiver.rejected().len(), 3);
    assert_eq!(send(good.bearer_token(now), body).await, 201);
    assert_eq!(receiver.received().len(), 1);
}
