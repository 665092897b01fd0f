//! Browser: the school's SENCo opens an ended placement on a phone and reads
//! its Reintegration Export, an accessible page made fresh from the records.

use lt_tests::browser::Browser;
use lt_tests::demo::{self, history};
use lt_tests::server::Server;

#[tokio::test]
async fn the_senco_reads_the_export_on_a_phone() {
    let server = Server::start().await;
    let phone = Browser::start().await;
    phone.client.goto(&server.url("/")).await.expect("open app");
    phone
        .sign_in("senco@northgate.example", demo::PASSWORD)
        .await;
    phone.wait_for("nav", 20).await;
    phone
        .client
        .goto(&server.url(&format!("/placements/{}", history::PLACEMENT)))
        .await
        .expect("open placement");
    phone.wait_for("section.export a.open-export", 20).await;
    phone.screenshot("export-links").await;
    phone.click("section.export a.open-export").await;
    let heading = phone.wait_for("main h1", 20).await;
    assert_eq!(
        heading.text().await.expect("text"),
        "Reintegration Export: Jordan Ellis"
    );
    let captions = phone.texts("figure figcaption").await;
    assert_eq!(
        captions,
        [
            "Attendance per week (%)",
            "Behaviour incidents per week",
            "Engagement per week (mean, 1 to 5)"
        ]
    );
    // Each chart is an image with a name and a description for screen readers.
    let labelled = phone.texts("svg[role=img] title").await;
    assert_eq!(labelled.len(), 3);
    let shot = phone.screenshot("export-html").await;
    assert!(shot.exists());
    phone.close().await;
}

/// The receiving school's SENCo, outside LearnTrek, follows the emailed
/// link on a phone, asks for a code, types it and reads the export.
#[tokio::test]
async fn a_recipient_outside_learntrek_opens_a_shared_export_with_the_code() {
    use lt_tests::notify::{self, NotifyReceiver};
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    let admin = Browser::start().await;
    admin.client.goto(&server.url("/")).await.expect("open app");
    admin
        .sign_in("admin@riverside.example", demo::PASSWORD)
        .await;
    admin.wait_for("nav", 20).await;
    admin
        .client
        .goto(&server.url(&format!("/placements/{}", history::PLACEMENT)))
        .await
        .expect("open placement");
    admin.wait_for("form.new-share", 20).await;
    admin.fill("#share-name", "Jo Hughes").await;
    admin
        .fill("#share-email", "j.hughes@northgate.example")
        .await;
    admin.click("form.new-share button[type=submit]").await;
    admin.wait_for("li.share", 20).await;
    admin.screenshot("share-created").await;
    admin.close().await;

    let email = receiver
        .wait_for_email("j.hughes@northgate.example", notify::TEMPLATE_SHARE, 1)
        .await;
    let phone = Browser::start().await;
    phone
        .client
        .goto(&email.personalisation["link"])
        .await
        .expect("follow the link");
    phone.wait_for("button.send-code", 20).await;
    phone.screenshot("shared-link").await;
    phone.click("button.send-code").await;
    phone.wait_for("#share-code", 20).await;
    let code = receiver
        .wait_for_email("j.hughes@northgate.example", notify::TEMPLATE_SHARE_CODE, 1)
        .await
        .personalisation["code"]
        .clone();
    phone.fill("#share-code", &code).await;
    phone.screenshot("shared-code").await;
    phone.click("form.open-share button[type=submit]").await;
    phone.wait_for("a.open-shared", 20).await;
    phone.click("a.open-shared").await;
    let heading = phone.wait_for("main h1", 20).await;
    assert_eq!(
        heading.text().await.expect("text"),
        "Reintegration Export: Jordan Ellis"
    );
    phone.screenshot("shared-export").await;
    phone.close().await;
    let opened = server.rows("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'share.opened'");
    assert_eq!(opened[0]["n"], 1);
}
