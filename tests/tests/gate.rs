//! The transition gate against the real worker: a referral's baseline is
//! completed section by section, submitted, reviewed and accepted; nothing
//! incomplete gets through; every value says who entered it and how.

use lt_core::gate::{FIELDS, Kind};
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, AP};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";
const SENCO: &str = "senco@northgate.example";
const TUTOR: &str = "tom.reid@riverside.example";

fn mia() -> String {
    demo::placement_id("mia")
}

/// A complete, valid baseline, section by section.
fn complete_sections() -> Vec<(&'static str, Value)> {
    vec![
        (
            "identity",
            json!({ "upn": "E941400125201", "preferred_name": "Mimi" }),
        ),
        (
            "safeguarding",
            json!({ "child_protection_plan": false, "child_in_need": true, "looked_after": false,
                    "known_risks": "None known", "not_to_collect": [] }),
        ),
        (
            "academic",
            json!({ "reading_age": "11 years 1 month", "english_level": "Year 7 expected",
                    "maths_level": "Year 6 secure", "sen_status": "sen_support" }),
        ),
        (
            "behaviour",
            json!({ "triggers": ["Being asked to read aloud"] }),
        ),
        (
            "strategies",
            json!({ "known_to_work": ["A calm start with a task she can finish"] }),
        ),
        ("medical", json!({ "needs": "Asthma: inhaler in her bag" })),
        (
            "contacts",
            json!({ "emergency": { "name": "Joanne Clarke", "relationship": "Mother", "phone": "07700 900555" } }),
        ),
    ]
}

fn field<'a>(baseline: &'a Value, section: &str, key: &str) -> &'a Value {
    baseline["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["section"] == section))
        .and_then(|s| s["fields"].as_array())
        .and_then(|f| f.iter().find(|x| x["key"] == key))
        .unwrap_or_else(|| panic!("no field {section}.{key}"))
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    response.json().await.expect("json body")
}

fn todays_pupils(today: &Value) -> Vec<String> {
    today["sessions"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|x| x["pupil_first_name"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_referral_is_completed_submitted_accepted_and_then_runs() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let path = format!("/api/placements/{}", mia());

    // Not active: no session today, and no way to jump the gate.
    assert!(
        !todays_pupils(&json_of(admin.get("/api/today").await, 200).await).contains(&"Mia".into())
    );
    let (status, error) =
        error_of(senco.post_json(&format!("{path}/submit"), &json!({})).await).await;
    assert_eq!(status, 409);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("not complete")
    );
    let (status, _) = error_of(admin.post_json(&format!("{path}/accept"), &json!({})).await).await;
    assert_eq!(status, 409, "a referred placement cannot be accepted");

    let before = json_of(senco.get(&format!("{path}/baseline")).await, 200).await;
    assert_eq!(before["editable"], true);
    assert!(before["missing"].as_u64().unwrap_or(0) > 10);
    for (section, body) in complete_sections() {
        let saved = json_of(
            senco
                .put_json(&format!("{path}/baseline/{section}"), &body)
                .await,
            200,
        )
        .await;
        let this = saved["sections"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["section"] == section))
            .expect("section");
        assert_eq!(this["complete"], true, "{section}: {}", this["missing"]);
    }
    let done = json_of(senco.get(&format!("{path}/baseline")).await, 200).await;
    assert_eq!(done["missing"], 0);

    let submitted = json_of(
        senco.post_json(&format!("{path}/submit"), &json!({})).await,
        200,
    )
    .await;
    assert_eq!(submitted["state"], "submitted");
    // Now it is with the AP: the school can no longer change it.
    let (status, _) = error_of(
        senco
            .put_json(
                &format!("{path}/baseline/medical"),
                &json!({ "needs": "None" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 403);
    // Only the AP's admin or DSL accepts.
    let (status, _) = error_of(senco.post_json(&format!("{path}/accept"), &json!({})).await).await;
    assert_eq!(status, 403);

    let accepted = json_of(
        admin.post_json(&format!("{path}/accept"), &json!({})).await,
        200,
    )
    .await;
    assert_eq!(accepted["state"], "active");
    let events: Vec<(String, String)> = accepted["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["to_state"].as_str().unwrap_or("").into(),
                e["by"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("submitted".into(), "Helen Price".into()),
            ("active".into(), "Priya Shah".into())
        ]
    );
    assert!(
        todays_pupils(&json_of(admin.get("/api/today").await, 200).await).contains(&"Mia".into())
    );
    let audit = server.rows(&format!(
        "SELECT action FROM audit_log WHERE subject_id = '{}' AND action LIKE 'placement.%' ORDER BY id",
        mia()
    ));
    let actions: Vec<&str> = audit.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(actions, ["placement.submit", "placement.accept"]);
}

#[tokio::test]
async fn every_value_says_who_entered_it_when_and_how_and_keeps_its_history() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;
    let path = format!("/api/placements/{}/baseline", mia());
    senco
        .put_json(
            &format!("{path}/academic"),
            &json!({ "reading_age": "10 years" }),
        )
        .await;
    let baseline = json_of(
        senco
            .put_json(
                &format!("{path}/academic"),
                &json!({ "reading_age": "10 years 4 months" }),
            )
            .await,
        200,
    )
    .await;
    let reading = field(&baseline, "academic", "reading_age");
    assert_eq!(reading["value"], "10 years 4 months");
    assert_eq!(reading["current"]["entered_by"], "Helen Price");
    assert_eq!(reading["current"]["organisation"], "Northgate Academy");
    assert_eq!(reading["current"]["source"], "typed");
    assert!(
        reading["current"]["entered_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(reading["history"].as_array().map(Vec::len), Some(1));
    assert_eq!(reading["history"][0]["value"], "10 years");
    // The referral's own values were entered by the AP admin who recorded it.
    let name = field(&baseline, "identity", "first_name");
    assert_eq!(name["current"]["entered_by"], "Priya Shah");
    // Saving the same value again adds nothing to the history.
    let again = json_of(
        senco
            .put_json(
                &format!("{path}/academic"),
                &json!({ "reading_age": "10 years 4 months" }),
            )
            .await,
        200,
    )
    .await;
    assert_eq!(
        field(&again, "academic", "reading_age")["history"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // Changes are in the audit log by field name, never with the values.
    let audit = server.rows(&format!(
        "SELECT changes FROM audit_log WHERE action = 'baseline.changed' AND subject_id = '{}'",
        mia()
    ));
    assert_eq!(audit.len(), 2);
    assert!(
        audit
            .iter()
            .all(|r| !r["changes"].as_str().unwrap_or("").contains("10 years"))
    );
}

#[tokio::test]
async fn safeguarding_entered_by_the_school_is_withheld_from_others_and_reads_are_audited() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;
    let path = format!("/api/placements/{}/baseline", mia());
    let body = &complete_sections()[1].1;
    let own = json_of(
        senco.put_json(&format!("{path}/safeguarding"), body).await,
        200,
    )
    .await;
    // The SENCo is not a DSL but sees what she entered herself.
    assert_eq!(field(&own, "safeguarding", "child_in_need")["value"], true);
    // Her tutor sees the baseline, with the safeguarding values withheld.
    let mut tutor = Client::signed_in(&server, TUTOR).await;
    let seen = json_of(tutor.get(&path).await, 200).await;
    let flag = field(&seen, "safeguarding", "child_in_need");
    assert_eq!(
        (flag["value"].clone(), flag["withheld"].clone()),
        (Value::Null, json!(true))
    );
    assert_eq!(seen["editable"], false);
    let mut dsl = Client::signed_in(&server, "dsl@riverside.example").await;
    let seen = json_of(dsl.get(&path).await, 200).await;
    assert_eq!(field(&seen, "safeguarding", "child_in_need")["value"], true);
    let reads = server.rows(&format!(
        "SELECT actor_id FROM audit_log WHERE action = 'safeguarding.read' AND subject_id = '{}' ORDER BY id",
        mia()
    ));
    let readers: Vec<&str> = reads
        .iter()
        .filter_map(|r| r["actor_id"].as_str())
        .collect();
    assert_eq!(readers, ["person-senco", "person-dsl"]);
}

#[tokio::test]
async fn a_returned_baseline_goes_back_with_a_comment() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let path = format!("/api/placements/{}", mia());
    for (section, body) in complete_sections() {
        senco
            .put_json(&format!("{path}/baseline/{section}"), &body)
            .await;
    }
    json_of(
        senco.post_json(&format!("{path}/submit"), &json!({})).await,
        200,
    )
    .await;
    let (status, error) = error_of(
        admin
            .post_json(&format!("{path}/return"), &json!({ "comment": "  " }))
            .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("comment")));
    let returned = json_of(
        admin
            .post_json(
                &format!("{path}/return"),
                &json!({ "comment": "Please add the reading test used" }),
            )
            .await,
        200,
    )
    .await;
    assert_eq!(returned["state"], "referred");
    assert_eq!(
        returned["events"][1]["comment"],
        "Please add the reading test used"
    );
    // Back with the school, who can edit again.
    let response = senco
        .put_json(
            &format!("{path}/baseline/academic"),
            &json!({ "reading_age": "11 years 1 month (NGRT)" }),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_new_referral_starts_referred_with_its_identity_and_cannot_be_activated_incomplete() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let created = json_of(
        admin
            .post_json(
                &format!("/api/aps/{AP}/placements"),
                &json!({ "first_name": "Zoe", "last_name": "Hart", "date_of_birth": "2013-02-01",
                         "commissioner_id": demo::LA, "tier": "eotas", "start_date": "2027-01-04" }),
            )
            .await,
        201,
    )
    .await;
    assert_eq!(created["state"], "referred");
    let id = created["id"].as_str().expect("id");
    let missing = created["missing"].as_u64().expect("missing");
    assert_eq!(
        missing as usize,
        FIELDS.iter().filter(|f| f.required).count() - 3
    );
    let (status, _) = error_of(
        admin
            .post_json(&format!("/api/placements/{id}/submit"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    let state = server.rows(&format!("SELECT state FROM placements WHERE id = '{id}'"));
    assert_eq!(state[0]["state"], "referred");
    // It is in the admin's list with its progress.
    let list = json_of(admin.get("/api/placements").await, 200).await;
    let item = list["placements"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["id"] == id))
        .expect("listed");
    assert_eq!(item["missing"].as_u64(), Some(missing));
    // Ending a referral needs a reason; withdrawn it is final.
    let ended = json_of(
        admin
            .post_json(
                &format!("/api/placements/{id}/end"),
                &json!({ "reason": "withdrawn" }),
            )
            .await,
        200,
    )
    .await;
    assert_eq!(
        (ended["state"].clone(), ended["end_reason"].clone()),
        (json!("ended"), json!("withdrawn"))
    );
    let (status, _) = error_of(
        admin
            .post_json(&format!("/api/placements/{id}/submit"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
}

/// A value the field must refuse, and the field path the error must name.
fn bad_value(key: &str, kind: Kind) -> (Value, String) {
    match kind {
        Kind::Text { max, .. } => (json!("x".repeat(max + 1)), key.into()),
        Kind::PastDate => (json!("2099-01-01"), key.into()),
        Kind::Upn => (json!("A941400125201"), key.into()),
        Kind::YesNo => (json!("yes"), key.into()),
        Kind::Choice(_) => (json!("maybe"), key.into()),
        Kind::List { .. } => (json!([1]), format!("{key}[0]")),
        Kind::Contact => (json!({ "name": "Jo" }), format!("{key}.relationship")),
        Kind::Contacts => (
            json!([{ "name": "Jo", "relationship": "Aunt", "email": "nope" }]),
            format!("{key}[0].email"),
        ),
        Kind::AttendanceSummary => (json!({ "academic_year": 2025 }), format!("{key}.possible")),
    }
}

#[tokio::test]
async fn bad_input_on_every_field_is_refused_naming_it_and_nothing_is_written() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;
    let path = format!("/api/placements/{}/baseline", mia());
    let count = || server.rows("SELECT COUNT(*) AS n FROM baseline_entries")[0]["n"].clone();
    let before = count();
    for spec in FIELDS {
        let (value, named) = bad_value(spec.key, spec.kind);
        // A good field alongside: the bad one must stop the whole save.
        let good = spec
            .section
            .fields()
            .find(|f| f.key != spec.key && matches!(f.kind, Kind::Text { .. }))
            .map(|f| f.key);
        let mut body = json!({ spec.key: value });
        if let Some(good) = good {
            body[good] = json!("a good value");
        }
        let response = senco
            .put_json(&format!("{path}/{}", spec.section.as_str()), &body)
            .await;
        let (status, error) = error_of(response).await;
        assert_eq!(status, 400, "{}", spec.id());
        assert_eq!(error["field"], named, "{}", spec.id());
    }
    let (status, error) = error_of(
        senco
            .put_json(&format!("{path}/identity"), &json!({ "shoe_size": 4 }))
            .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("shoe_size")));
    assert_eq!(
        senco
            .put_json(&format!("{path}/hobbies"), &json!({ "x": 1 }))
            .await
            .status(),
        404
    );
    assert_eq!(count(), before, "a refused save wrote something");

    let mut admin = Client::signed_in(&server, ADMIN).await;
    let good = json!({ "first_name": "Zoe", "last_name": "Hart", "date_of_birth": "2013-02-01", "upn": "U941400125202",
                       "commissioner_id": demo::SCHOOL, "tier": "short_term", "start_date": "2027-01-04", "end_date": "2027-03-26" });
    for (key, bad) in [
        ("first_name", json!("")),
        ("date_of_birth", json!("2099-01-01")),
        ("upn", json!("A941400125201")),
        ("commissioner_id", json!(demo::TAXI)),
        ("tier", json!("tier9")),
        ("start_date", json!("soon")),
        ("end_date", Value::Null),
    ] {
        let mut body = good.clone();
        body[key] = bad;
        let (status, error) = error_of(
            admin
                .post_json(&format!("/api/aps/{AP}/placements"), &body)
                .await,
        )
        .await;
        assert_eq!((status, error["field"].clone()), (400, json!(key)), "{key}");
    }
    let pupils = server.rows("SELECT COUNT(*) AS n FROM pupils WHERE first_name = 'Zoe'");
    assert_eq!(pupils[0]["n"], 0);
}

async fn import(
    client: &mut Client,
    placement: &str,
    body: Vec<u8>,
    content_type: &str,
) -> reqwest::Response {
    let builder = client
        .request(
            reqwest::Method::POST,
            &format!("/api/placements/{placement}/ctf"),
        )
        .header("content-type", content_type)
        .body(body);
    client.send(builder).await
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(lt_tests::root().join("tests/fixtures/ctf").join(name)).expect("fixture")
}

#[tokio::test]
async fn a_full_ctf_prefills_the_baseline_marked_as_imported_and_keeps_typed_values() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;
    // Typed first: the import must not overwrite it.
    senco
        .put_json(
            &format!("/api/placements/{}/baseline/identity", mia()),
            &json!({ "preferred_name": "Mia-Rose" }),
        )
        .await;
    let result = json_of(
        import(&mut senco, &mia(), fixture("full.xml"), "application/xml").await,
        200,
    )
    .await;
    let filled: Vec<&str> = result["filled"]
        .as_array()
        .expect("filled")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for f in [
        "identity.upn",
        "academic.sen_status",
        "academic.sen_needs",
        "academic.prior_attendance",
        "contacts.emergency",
        "contacts.others",
    ] {
        assert!(filled.contains(&f), "{f} not filled: {filled:?}");
    }
    assert_eq!(result["kept"], json!(["identity.preferred_name"]));
    assert_eq!(result["source_school"], "Northgate Academy");
    let b = &result["baseline"];
    assert_eq!(field(b, "identity", "upn")["value"], "E941400125201");
    assert_eq!(field(b, "identity", "upn")["current"]["source"], "imported");
    assert_eq!(field(b, "identity", "preferred_name")["value"], "Mia-Rose");
    assert_eq!(field(b, "academic", "sen_status")["value"], "sen_support");
    assert_eq!(
        field(b, "academic", "sen_needs")["value"][0],
        "Social, emotional and mental health (SEMH)"
    );
    assert_eq!(
        field(b, "academic", "prior_attendance")["value"],
        json!({ "academic_year": 2025, "possible": 324, "attended": 262, "authorised": 21, "unauthorised": 41 })
    );
    assert_eq!(
        field(b, "contacts", "emergency")["value"],
        json!({ "name": "Joanne Clarke", "relationship": "Mother", "phone": "07700 900555" })
    );
    // What a CTF cannot say (safeguarding, triggers) stays required.
    assert!(field(b, "safeguarding", "looked_after")["answered"] == false);
    assert!(field(b, "behaviour", "triggers")["answered"] == false);
    let pupil = server.rows("SELECT upn FROM pupils WHERE id = 'pupil-mia'");
    assert_eq!(pupil[0]["upn"], "E941400125201");
}

#[tokio::test]
async fn a_ctf_with_gaps_fills_what_it_has_and_bad_files_write_nothing() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;
    let result = json_of(
        import(&mut senco, &mia(), fixture("gaps.xml"), "application/xml").await,
        200,
    )
    .await;
    assert_eq!(
        field(&result["baseline"], "identity", "upn")["answered"],
        false
    );
    // The only contact has no phone: no emergency contact from this file.
    assert_eq!(
        field(&result["baseline"], "contacts", "emergency")["answered"],
        false
    );
    assert_eq!(
        field(&result["baseline"], "contacts", "others")["value"][0]["name"],
        "Joanne Clarke"
    );

    let count = || server.rows("SELECT COUNT(*) AS n FROM baseline_entries")[0]["n"].clone();
    let before = count();
    let (status, error) = error_of(
        import(
            &mut senco,
            &mia(),
            fixture("malformed.xml"),
            "application/xml",
        )
        .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("ctf")));
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("well-formed")
    );
    let foreign = b"<?xml version=\"1.0\"?><SchoolCensus><Header/></SchoolCensus>".to_vec();
    let (status, error) =
        error_of(import(&mut senco, &mia(), foreign, "application/xml").await).await;
    assert_eq!(status, 400);
    assert!(error["message"].as_str().unwrap_or("").contains("CTfile"));
    let (status, _) =
        error_of(import(&mut senco, &mia(), fixture("full.xml"), "application/json").await).await;
    assert_eq!(status, 415);
    let huge = vec![b' '; 3 * 1024 * 1024];
    let (status, _) = error_of(import(&mut senco, &mia(), huge, "application/xml").await).await;
    assert_eq!(status, 413);
    assert_eq!(count(), before, "a refused file wrote something");
}

#[tokio::test]
async fn a_start_date_passing_with_the_gate_open_is_recorded_once() {
    let server = Server::start().await;
    let now = chrono::Utc::now();
    assert_eq!(server.fire_cron(now).await.status(), 200);
    let overdue = server.rows("SELECT placement_id FROM gate_overdue");
    assert_eq!(overdue, [json!({ "placement_id": mia() })]);
    server.fire_cron(now + chrono::Duration::minutes(1)).await;
    assert_eq!(
        server.rows("SELECT COUNT(*) AS n FROM gate_overdue")[0]["n"],
        1
    );
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let detail = json_of(admin.get(&format!("/api/placements/{}", mia())).await, 200).await;
    assert_eq!(detail["gate_overdue"], true);
}
