//! Registers against the real worker: marks and their DfE codes, replay
//! safety, the conflict rule, and every way a mark is refused.

use chrono::{Duration, NaiveDate, Utc};
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{last_school_day, session_id};
use lt_tests::server::Server;
use serde_json::{Value, json};

const MAYA: &str = "maya.lewis@riverside.example";
const TOM: &str = "tom.reid@riverside.example";

fn mark(session: &str, on: NaiveDate, kind: &str) -> Value {
    json!({ "session_id": session, "date": on, "kind": kind, "device_time": Utc::now() })
}

async fn put(client: &mut Client, id: &str, body: &Value) -> reqwest::Response {
    let builder = client
        .request(reqwest::Method::PUT, &format!("/api/marks/{id}"))
        .json(body);
    client.send(builder).await
}

fn new_id(n: u32) -> String {
    format!(
        "0b7e4c2a-{n:04}-4f7e-9a51-{:012}",
        Utc::now().timestamp_micros() % 1_000_000_000_000
    )
}

#[tokio::test]
async fn a_tutor_marks_and_each_mark_gets_both_registers_codes() {
    let server = Server::start().await;
    let mut maya = Client::signed_in(&server, MAYA).await;
    let day = last_school_day();
    let morning = session_id("amara", 0, day);
    let response = put(&mut maya, &new_id(1), &mark(&morning, day, "present")).await;
    assert_eq!(response.status(), 201);
    let recorded: Value = response.json().await.expect("mark");
    assert_eq!(
        (
            recorded["ap_code"].clone(),
            recorded["school_code"].clone(),
            recorded["half_day"].clone()
        ),
        (json!("/"), json!("B"), json!("AM"))
    );
    assert_eq!(recorded["marked_by"], "Maya Lewis");
    assert_eq!(recorded["current"], true);

    let afternoon = session_id("amara", 1, day);
    let mut late = mark(&afternoon, day, "late");
    late["minutes_late"] = json!(45);
    let recorded: Value = put(&mut maya, &new_id(2), &late)
        .await
        .json()
        .await
        .expect("mark");
    assert_eq!(
        (recorded["ap_code"].clone(), recorded["school_code"].clone()),
        (json!("U"), json!("U"))
    );

    // Ellie's placement was arranged by the LA: K in the school's register.
    let mut tom = Client::signed_in(&server, TOM).await;
    let mut ill = mark(&session_id("ellie", 0, day), day, "absent");
    ill["reason"] = json!("illness");
    let recorded: Value = put(&mut tom, &new_id(3), &ill)
        .await
        .json()
        .await
        .expect("mark");
    assert_eq!(
        (recorded["ap_code"].clone(), recorded["school_code"].clone()),
        (json!("I"), json!("I"))
    );
    let mut here = mark(&session_id("ellie", 1, day), day, "present");
    here["device_time"] = json!(Utc::now() - Duration::minutes(3));
    let recorded: Value = put(&mut tom, &new_id(4), &here)
        .await
        .json()
        .await
        .expect("mark");
    assert_eq!(recorded["school_code"], "K");
}

#[tokio::test]
async fn a_replayed_mark_is_recorded_once_even_twenty_at_a_time() {
    let server = Server::start().await;
    let mut maya = Client::signed_in(&server, MAYA).await;
    let day = last_school_day();
    let body = mark(&session_id("leo", 0, day), day, "present");
    let id = new_id(10);
    let first = put(&mut maya, &id, &body).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("mark");
    let again = put(&mut maya, &id, &body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.expect("mark"), first);
    // The same id for a different mark is refused, not silently dropped.
    let mut other = body.clone();
    other["kind"] = json!("absent");
    other["reason"] = json!("illness");
    assert_eq!(put(&mut maya, &id, &other).await.status(), 409);

    let burst = new_id(11);
    let body = mark(&session_id("sofia", 0, day), day, "present");
    let cookie = maya.cookie().expect("signed in").to_owned();
    let url = server.url(&format!("/api/marks/{burst}"));
    let sends = (0..20).map(|_| {
        let (url, cookie, body) = (url.clone(), cookie.clone(), body.clone());
        tokio::spawn(async move {
            reqwest::Client::new()
                .put(url)
                .header("cookie", cookie)
                .json(&body)
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for s in sends {
        statuses.push(s.await.expect("joined"));
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 201),
        "{statuses:?}"
    );
    let rows = server.rows(&format!(
        "SELECT COUNT(*) AS n FROM marks WHERE id = '{burst}'"
    ));
    assert_eq!(rows[0]["n"], 1);
}

#[tokio::test]
async fn marks_are_refused_naming_the_problem() {
    let server = Server::start().await;
    let day = last_school_day();
    let mut maya = Client::signed_in(&server, MAYA).await;
    let mut tom = Client::signed_in(&server, TOM).await;
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let mut senco = Client::signed_in(&server, "senco@northgate.example").await;
    let mut escort = Client::signed_in(&server, "gary.hill@swiftcabs.example").await;
    let amara = session_id("amara", 0, day);
    let count = || server.rows("SELECT COUNT(*) AS n FROM marks")[0]["n"].clone();
    let before = count();

    // Not assigned: Leo's morning is Maya's, not Tom's (who teaches Leo in the
    // afternoon); schools never register.
    let leo = session_id("leo", 0, day);
    assert_eq!(
        put(&mut tom, &new_id(20), &mark(&leo, day, "present"))
            .await
            .status(),
        403
    );
    // Tom does not work with Amara at all: her sessions are out of his sight.
    assert_eq!(
        put(&mut tom, &new_id(19), &mark(&amara, day, "present"))
            .await
            .status(),
        404
    );
    assert_eq!(
        put(&mut senco, &new_id(21), &mark(&amara, day, "present"))
            .await
            .status(),
        403
    );
    // An escort does not see sessions as records at all.
    let (status, error) =
        error_of(put(&mut escort, &new_id(22), &mark(&amara, day, "present")).await).await;
    assert_eq!((status, error["field"].clone()), (404, json!("session_id")));
    // Unknown session.
    let (status, error) = error_of(
        put(
            &mut admin,
            &new_id(23),
            &mark("session-nobody", day, "present"),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (404, json!("session_id")));
    // The placement is not active: Mia's baseline has not been accepted.
    let (status, error) = error_of(
        put(
            &mut admin,
            &new_id(24),
            &mark(&session_id("mia", 0, day), day, "present"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("not active"),
        "{error}"
    );
    // A session a week ahead has not started; a device clock in the future is wrong.
    let ahead = day + Duration::days(7);
    let (status, _) = error_of(
        put(
            &mut maya,
            &new_id(25),
            &mark(&session_id("amara", 0, ahead), ahead, "present"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    let mut future = mark(&amara, day, "present");
    future["device_time"] = json!(Utc::now() + Duration::hours(2));
    let (status, error) = error_of(put(&mut maya, &new_id(26), &future).await).await;
    assert_eq!(
        (status, error["field"].clone()),
        (400, json!("device_time"))
    );
    // Not that session's day.
    let (status, _) = error_of(
        put(
            &mut maya,
            &new_id(27),
            &mark(&amara, day - Duration::days(1), "present"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409);
    // Bad details, each named.
    for (body, field) in [
        (mark(&amara, day, "late"), "minutes_late"),
        (mark(&amara, day, "absent"), "reason"),
        (mark(&amara, day, "asleep"), "kind"),
    ] {
        let (status, error) = error_of(put(&mut maya, &new_id(28), &body).await).await;
        assert_eq!((status, error["field"].clone()), (400, json!(field)));
    }
    let (status, error) =
        error_of(put(&mut maya, "short", &mark(&amara, day, "present")).await).await;
    assert_eq!((status, error["field"].clone()), (400, json!("mark_id")));
    assert_eq!(count(), before, "a refused mark wrote something");
}

#[tokio::test]
async fn a_placeholder_never_replaces_a_real_mark_and_a_correction_does() {
    let server = Server::start().await;
    let day = last_school_day();
    let morning = session_id("leo", 0, day);
    let mut maya = Client::signed_in(&server, MAYA).await;
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let mut present = mark(&morning, day, "present");
    present["device_time"] = json!(Utc::now() - Duration::minutes(10));
    let real: Value = put(&mut maya, &new_id(30), &present)
        .await
        .json()
        .await
        .expect("mark");
    assert_eq!(real["current"], true);
    let mut unknown = mark(&morning, day, "absent");
    unknown["reason"] = json!("not_yet_known");
    let placeholder = put(&mut admin, &new_id(31), &unknown).await;
    assert_eq!(placeholder.status(), 201, "kept in the history");
    let placeholder: Value = placeholder.json().await.expect("mark");
    assert_eq!(
        placeholder["current"], false,
        "a later placeholder does not win"
    );
    let mut late = mark(&morning, day, "late");
    late["minutes_late"] = json!(12);
    let correction: Value = put(&mut maya, &new_id(32), &late)
        .await
        .json()
        .await
        .expect("mark");
    assert_eq!(
        (correction["current"].clone(), correction["ap_code"].clone()),
        (json!(true), json!("L"))
    );
    let all = server.rows(&format!(
        "SELECT COUNT(*) AS n FROM marks WHERE session_id = '{morning}'"
    ));
    assert_eq!(all[0]["n"], 3, "every mark is kept");
}

async fn csv(client: &mut Client, query: &str) -> (u16, Vec<Vec<String>>) {
    let response = client.get(&format!("/api/attendance.csv?{query}")).await;
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let rows = text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (status, rows)
}

#[tokio::test]
async fn the_commissioning_school_downloads_its_pupils_codes_for_the_day() {
    let server = Server::start().await;
    let day = last_school_day();
    let mut maya = Client::signed_in(&server, MAYA).await;
    let mut tom = Client::signed_in(&server, TOM).await;
    put(
        &mut maya,
        &new_id(40),
        &mark(&session_id("amara", 0, day), day, "present"),
    )
    .await;
    let mut late = mark(&session_id("amara", 1, day), day, "late");
    late["minutes_late"] = json!(45);
    put(&mut maya, &new_id(41), &late).await;
    let mut ill = mark(&session_id("ellie", 0, day), day, "absent");
    ill["reason"] = json!("illness");
    put(&mut tom, &new_id(42), &ill).await;
    // Ellie arrived for her second session: the morning counts as attended (K).
    let mut here = mark(&session_id("ellie", 1, day), day, "present");
    here["device_time"] = json!(Utc::now() - Duration::minutes(1));
    put(&mut tom, &new_id(43), &here).await;

    let mut senco = Client::signed_in(&server, "senco@northgate.example").await;
    let (status, rows) = csv(&mut senco, &format!("from={day}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        rows[0],
        [
            "upn",
            "first_name",
            "last_name",
            "date",
            "session",
            "code",
            "minutes_late",
            "reason",
            "source_ap"
        ]
    );
    let amara: Vec<(String, String, String)> = rows[1..]
        .iter()
        .filter(|r| r[1] == "Amara")
        .map(|r| (r[4].clone(), r[5].clone(), r[6].clone()))
        .collect();
    assert_eq!(
        amara,
        [
            ("AM".into(), "B".into(), String::new()),
            ("PM".into(), "U".into(), "45".into())
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r.get(1).map(String::as_str) != Some("Ellie")),
        "not Northgate's pupil"
    );
    assert!(
        rows[1][0].len() == 13,
        "the UPN leads each row: {:?}",
        rows[1]
    );

    let mut la = Client::signed_in(&server, "commissioning@kirkfield.example").await;
    let (_, rows) = csv(&mut la, &format!("from={day}&to={day}")).await;
    let ellie: Vec<(String, String)> = rows[1..]
        .iter()
        .filter(|r| r[1] == "Ellie")
        .map(|r| (r[4].clone(), r[5].clone()))
        .collect();
    assert_eq!(ellie, [("AM".to_owned(), "K".to_owned())]);
    let mut escort = Client::signed_in(&server, "gary.hill@swiftcabs.example").await;
    let (_, rows) = csv(&mut escort, &format!("from={day}")).await;
    assert_eq!(rows.len(), 1, "an escort's feed is empty");
    let (status, _) = csv(
        &mut senco,
        &format!("from={day}&to={}", day - Duration::days(1)),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = csv(&mut senco, "from=yesterday").await;
    assert_eq!(status, 400);
}
