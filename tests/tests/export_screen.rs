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
