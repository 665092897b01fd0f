//! Browser: a school completes a referred pupil's baseline through its
//! invitation on a phone, the AP accepts it, and the pupil's sessions start.

use lt_tests::browser::Browser;
use lt_tests::client::Client;
use lt_tests::demo::{self, AP, SCHOOL};
use lt_tests::notify::{self, NotifyReceiver};
use lt_tests::server::Server;
use serde_json::json;

async fn save(browser: &Browser, section: &str) {
    browser
        .click(&format!("#section-{section} button[type=submit]"))
        .await;
    browser
        .wait_for(&format!("#section-{section} .success"), 20)
        .await;
}

#[tokio::test]
async fn the_school_completes_the_baseline_the_ap_accepts_and_the_pupil_appears_today() {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let invited = admin
        .post_json(
            &format!("/api/aps/{AP}/invitations"),
            &json!({ "email": "sam.green@northgate.example", "name": "Sam Green", "role": "school_staff",
                     "organisation_id": SCHOOL, "placement_ids": [demo::placement_id("mia")] }),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let link = receiver
        .link_for("sam.green@northgate.example")
        .expect("invitation link");

    let school = Browser::start().await;
    school.client.goto(&link).await.expect("follow the link");
    school.wait_for("form.invite h2", 20).await;
    school.fill("#password", "lantern-orchard-pebble").await;
    school.fill("#confirm", "lantern-orchard-pebble").await;
    school.click("button[type=submit]").await;
    school.wait_for("nav.tabs", 20).await;
    school
        .client
        .goto(&server.url("/placements"))
        .await
        .expect("pupils");
    school.wait_for(".card-link", 20).await;
    assert_eq!(school.texts(".card-link .pupil").await, ["Mia Clarke"]);
    school.screenshot("placements-school").await;
    school.click(".card-link").await;
    school.wait_for("#section-identity", 20).await;
    // The gate lists what is missing, each item a link to its field.
    school.wait_for(".missing-items a", 20).await;
    let missing = school.texts(".missing-items a").await;
    assert!(
        missing.contains(&"Unique pupil number (UPN)".to_owned()),
        "{missing:?}"
    );
    assert!(
        missing.contains(&"Emergency contact".to_owned()),
        "{missing:?}"
    );
    school.screenshot("baseline-start").await;

    // A wrong check letter is caught by the server and shown at the field.
    school.fill("#f-upn", "A941400125201").await;
    school.click("#section-identity button[type=submit]").await;
    let error = school.wait_for("#f-upn-error", 20).await;
    assert!(
        error
            .text()
            .await
            .unwrap_or_default()
            .contains("check letter")
    );
    school.screenshot("baseline-upn-error").await;
    school.fill("#f-upn", "E941400125201").await;
    save(&school, "identity").await;

    for radio in ["child_protection_plan", "child_in_need", "looked_after"] {
        school.click(&format!("#f-{radio}-no")).await;
    }
    school.fill("#f-known_risks", "None known").await;
    save(&school, "safeguarding").await;

    school
        .fill("#f-reading_age", "11 years 1 month (NGRT)")
        .await;
    school.fill("#f-english_level", "Year 7 expected").await;
    school.fill("#f-maths_level", "Year 6 secure").await;
    school
        .click("#f-sen_status option[value=sen_support]")
        .await;
    save(&school, "academic").await;

    school
        .fill("#f-triggers", "Being asked to read aloud")
        .await;
    save(&school, "behaviour").await;
    school
        .fill(
            "#f-known_to_work",
            "A calm start with a task she can finish",
        )
        .await;
    save(&school, "strategies").await;
    school.fill("#f-needs", "None").await;
    save(&school, "medical").await;
    school.fill("#f-emergency-name", "Joanne Clarke").await;
    school.fill("#f-emergency-relationship", "Mother").await;
    school.fill("#f-emergency-phone", "07700 900555").await;
    save(&school, "contacts").await;

    school.wait_for(".gate-complete", 20).await;
    school.screenshot("baseline-complete").await;
    school.click(".steps button.primary").await;
    school.wait_for(".placement p.state-submitted", 20).await;
    let provenance = school.texts("#section-identity .provenance").await;
    assert!(
        provenance
            .iter()
            .any(|p| p.contains("Sam Green, Northgate Academy")),
        "{provenance:?}"
    );
    school.screenshot("baseline-submitted").await;
    school.close().await;

    let ap = Browser::start().await;
    ap.client.goto(&server.url("/")).await.expect("app");
    ap.sign_in("admin@riverside.example", demo::PASSWORD).await;
    ap.wait_for(".session", 20).await;
    assert!(
        !ap.texts(".session .pupil")
            .await
            .contains(&"Mia Clarke".to_owned())
    );
    ap.client
        .goto(&server.url(&format!("/placements/{}", demo::placement_id("mia"))))
        .await
        .expect("placement");
    ap.wait_for("#accept", 20).await;
    ap.screenshot("baseline-review").await;
    ap.click("#accept").await;
    ap.wait_for(".placement p.state-active", 20).await;
    ap.wait_for(".upcoming .row", 20).await;
    ap.screenshot("timetable-active").await;
    ap.client.goto(&server.url("/")).await.expect("today");
    ap.wait_for(".session", 20).await;
    assert!(
        ap.texts(".session .pupil")
            .await
            .contains(&"Mia Clarke".to_owned()),
        "an accepted placement's sessions take place"
    );
    ap.screenshot("today-after-accept").await;
    receiver.assert_nothing_rejected();
    ap.close().await;
}

#[tokio::test]
async fn the_ap_records_a_referral_and_prefills_it_from_a_ctf() {
    let server = Server::start().await;
    let ap = Browser::start().await;
    ap.client
        .goto(&server.url("/placements"))
        .await
        .expect("app");
    ap.sign_in("admin@riverside.example", demo::PASSWORD).await;
    ap.wait_for("details.referral", 20).await;
    ap.click("details.referral summary").await;
    // Sending it empty names the first field at fault.
    ap.click("form.referral-form button[type=submit]").await;
    ap.wait_for("#ref-born-error", 10).await;
    ap.fill("#ref-first", "Mia").await;
    ap.fill("#ref-last", "Clarke").await;
    ap.set_value("#ref-born", "2012-10-05").await;
    ap.set_value("#ref-start", "2027-01-04").await;
    ap.set_value("#ref-end", "2027-03-26").await;
    ap.screenshot("referral-form").await;
    ap.click("form.referral-form button[type=submit]").await;
    let heading = ap.wait_for(".placement h2", 20).await;
    assert_eq!(heading.text().await.unwrap_or_default(), "Mia Clarke");

    // The referral has no UPN yet: the file's one pupil is used, because her
    // name and date of birth agree with the referral.
    let fixture = lt_tests::root().join("tests/fixtures/ctf/full.xml");
    let input = ap
        .client
        .find(fantoccini::Locator::Css("#ctf-file"))
        .await
        .expect("file input");
    input
        .send_keys(fixture.to_str().expect("path"))
        .await
        .expect("choose the file");
    ap.click("form.ctf button[type=submit]").await;
    let done = ap.wait_for("form.ctf .success", 20).await;
    let text = done.text().await.unwrap_or_default();
    assert!(text.contains("from Northgate Academy"), "{text}");
    let upn = ap.wait_for("#f-upn", 20).await;
    assert_eq!(
        upn.prop("value").await.ok().flatten().as_deref(),
        Some("E941400125201")
    );
    ap.screenshot("ctf-imported").await;
    ap.close().await;
}

#[tokio::test]
async fn a_tutor_registers_a_pupil_from_today_on_a_phone() {
    let server = Server::start().await;
    // A session just after midnight today: its register is open all day,
    // whenever the suite runs.
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let weekday = chrono::Datelike::weekday(&lt_core::london::local_date(chrono::Utc::now()))
        .number_from_monday();
    let added = admin
        .post_json(
            &format!("/api/placements/{}/sessions", demo::placement_id("amara")),
            &json!({ "weekday": weekday, "start_time": "00:05", "end_time": "00:35",
                     "venue_id": "venue-centre", "tutor_id": "person-tutor-maya" }),
        )
        .await;
    assert_eq!(added.status(), 201);

    let tutor = Browser::start().await;
    tutor.client.goto(&server.url("/")).await.expect("app");
    tutor
        .sign_in("maya.lewis@riverside.example", demo::PASSWORD)
        .await;
    tutor.wait_for(".session .register", 20).await;
    let first = ".sessions .session:first-child";
    assert_eq!(
        tutor.texts(&format!("{first} .time")).await,
        ["00:05–00:35"]
    );
    tutor.click(&format!("{first} button.mark.present")).await;
    let marked = tutor
        .wait_for(&format!("{first} .marked-present"), 20)
        .await;
    assert!(
        marked
            .text()
            .await
            .unwrap_or_default()
            .starts_with("Present · Maya Lewis")
    );
    tutor.screenshot("register-present").await;

    // A correction: absent, with a reason.
    tutor.click(&format!("{first} button.mark.absent")).await;
    tutor.wait_for(&format!("{first} .ask select"), 10).await;
    tutor
        .click(&format!("{first} .ask select option[value=illness]"))
        .await;
    tutor.click(&format!("{first} .ask button.primary")).await;
    let marked = tutor.wait_for(&format!("{first} .marked-absent"), 20).await;
    assert!(
        marked
            .text()
            .await
            .unwrap_or_default()
            .starts_with("Absent: Ill")
    );
    tutor.screenshot("register-absent").await;
    let rows = server.rows(
        "SELECT kind, ap_code, school_code FROM marks WHERE marked_by = 'person-tutor-maya' AND placement_id <> 'placement-jordan' ORDER BY received_at",
    );
    assert_eq!(
        rows,
        [
            json!({ "kind": "present", "ap_code": "/", "school_code": "B" }),
            json!({ "kind": "absent", "ap_code": "I", "school_code": "I" })
        ]
    );
    tutor.close().await;
}
