//! Browser: joining by invitation, and the admin screens, on a phone.

use fantoccini::Locator;
use lt_tests::browser::Browser;
use lt_tests::client::Client;
use lt_tests::demo::{self, AP, SCHOOL};
use lt_tests::notify::{self, NotifyReceiver};
use lt_tests::server::Server;
use serde_json::json;

#[tokio::test]
async fn a_school_senco_accepts_an_invitation_and_sees_only_their_pupils() {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let response = admin
        .post_json(
            &format!("/api/aps/{AP}/invitations"),
            &json!({ "email": "jo.senco@northgate.example", "name": "Jo Khan", "role": "school_staff",
                     "organisation_id": SCHOOL, "placement_ids": [demo::placement_id("leo"), demo::placement_id("sofia")] }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link = receiver
        .link_for("jo.senco@northgate.example")
        .expect("invitation link");

    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&link).await.expect("follow the link");
    let heading = browser.wait_for("form.invite h2", 20).await;
    assert_eq!(heading.text().await.unwrap_or_default(), "Welcome, Jo Khan");
    browser.screenshot("invite").await;

    // Two different passwords are caught before anything is sent.
    browser.fill("#password", "kettle-harbour-violet").await;
    browser.fill("#confirm", "kettle-harbour-violrt").await;
    browser.click("button[type=submit]").await;
    browser.wait_for("#confirm-error", 10).await;
    browser.screenshot("invite-mismatch").await;

    browser.fill("#confirm", "kettle-harbour-violet").await;
    browser.click("button[type=submit]").await;
    browser.wait_for(".session", 20).await;
    let mut pupils = browser.texts(".session .pupil").await;
    pupils.sort();
    pupils.dedup();
    assert_eq!(pupils, ["Leo Carter", "Sofia Novak"]);
    assert_eq!(
        browser.texts("nav.tabs .tab").await,
        ["Today", "Dashboard", "Alerts", "Pupils"],
        "a SENCo has no admin tabs"
    );
    browser.screenshot("today-senco").await;
    receiver.assert_nothing_rejected();
    browser.close().await;
}

#[tokio::test]
async fn an_admin_invites_from_the_phone_and_reads_the_audit_log() {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&server.url("/invitations")).await.expect("open");
    browser
        .sign_in("dsl@riverside.example", demo::PASSWORD)
        .await;
    browser.wait_for("form.invite-form", 20).await;

    // Sending with nothing filled in names the field at fault.
    browser.click("form.invite-form button[type=submit]").await;
    browser.wait_for("#invite-email-error", 10).await;
    browser.screenshot("invite-form-error").await;

    browser.fill("#invite-name", "Kim Lee").await;
    browser
        .fill("#invite-email", "kim.lee@northgate.example")
        .await;
    let boxes = c
        .find_all(Locator::Css("fieldset input[type=checkbox]"))
        .await
        .expect("placements");
    assert_eq!(
        boxes.len(),
        6,
        "Northgate commissions six of Riverside's placements (one still referred, Jordan's ended)"
    );
    boxes[0].click().await.expect("tick");
    browser.click("form.invite-form button[type=submit]").await;
    let sent = browser.wait_for(".success", 10).await;
    assert!(
        sent.text()
            .await
            .unwrap_or_default()
            .contains("kim.lee@northgate.example")
    );
    browser.wait_for("ul.list li.row", 10).await;
    browser
        .wait_for("ul[aria-label='People with access'] li.row", 10)
        .await;
    let people = browser
        .texts("ul[aria-label='People with access'] .pupil")
        .await;
    assert!(people.contains(&"Helen Price".to_owned()), "{people:?}");
    assert!(
        !people.contains(&"Owen Clarke".to_owned()),
        "Hillside's admin is not Riverside's: {people:?}"
    );
    browser.screenshot("invitations").await;
    assert_eq!(receiver.received().len(), 1);

    browser.click("a.tab[href='/audit']").await;
    let first = browser.wait_for("ul.list li.row .pupil", 10).await;
    assert_eq!(first.text().await.unwrap_or_default(), "Invitation sent");
    browser.screenshot("audit").await;
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth",
            vec![],
        )
        .await
        .expect("measure");
    assert_eq!(overflow.as_i64(), Some(0), "page scrolls sideways");
    browser.close().await;
}

#[tokio::test]
async fn a_tutor_who_forgot_their_password_resets_it_from_the_email() {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    let browser = Browser::start().await;
    browser.client.goto(&server.url("/")).await.expect("open");
    browser.wait_for("form.sign-in", 20).await;
    browser.click("form.sign-in a[href='/forgot']").await;
    browser.fill("#email", "tom.reid@riverside.example").await;
    browser.click("button[type=submit]").await;
    let sent = browser.wait_for(".success", 10).await;
    assert!(
        sent.text()
            .await
            .unwrap_or_default()
            .contains("tom.reid@riverside.example")
    );
    browser.screenshot("forgot").await;

    let link = receiver.wait_for_link("tom.reid@riverside.example").await;
    browser.client.goto(&link).await.expect("follow the link");
    browser.wait_for("#password", 20).await;
    browser.fill("#password", "copper-lantern-meadow").await;
    browser.fill("#confirm", "copper-lantern-meadow").await;
    browser.screenshot("reset").await;
    browser.click("button[type=submit]").await;
    browser.wait_for(".session", 20).await;
    let pupils = browser.texts(".session .pupil").await;
    assert!(
        pupils.iter().any(|p| p == "Kai Morgan"),
        "Tom teaches Kai: {pupils:?}"
    );
    receiver.assert_nothing_rejected();
    browser.close().await;
}
