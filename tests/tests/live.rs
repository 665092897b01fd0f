//! Escorts' hand-overs, the dashboard's session states, and the live channel
//! that tells dashboards of each change, against the real worker.

use std::time::Duration as Wait;

use chrono::{Datelike, Duration, NaiveDate, Timelike, Utc};
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, last_school_day, session_id};
use lt_tests::live;
use lt_tests::server::Server;
use serde_json::{Value, json};

const ESCORT: &str = "gary.hill@swiftcabs.example";
const MAYA: &str = "maya.lewis@riverside.example";
const ADMIN: &str = "admin@riverside.example";
const SENCO: &str = "senco@northgate.example";

fn new_id(n: u32) -> String {
    format!(
        "5a1d0c3e-{n:04}-4b7e-8c21-{:012}",
        Utc::now().timestamp_micros() % 1_000_000_000_000
    )
}

fn handover(session: &str, on: NaiveDate, kind: &str) -> Value {
    json!({ "session_id": session, "date": on, "kind": kind, "device_time": Utc::now() })
}

async fn put_handover(client: &mut Client, id: &str, body: &Value) -> reqwest::Response {
    client.put_json(&format!("/api/handovers/{id}"), body).await
}

#[tokio::test]
async fn an_escort_confirms_each_hand_over_once_and_only_on_their_own_runs() {
    let server = Server::start().await;
    let day = last_school_day();
    let mut escort = Client::signed_in(&server, ESCORT).await;
    let amara_run = session_id("amara", 0, day);
    let count = || server.rows("SELECT COUNT(*) AS n FROM handovers")[0]["n"].clone();

    let id = new_id(1);
    let pick_up = handover(&amara_run, day, "pick_up");
    let response = put_handover(&mut escort, &id, &pick_up).await;
    assert_eq!(response.status(), 201);
    let first: Value = response.json().await.expect("hand-over");
    assert_eq!(
        (
            first["kind"].clone(),
            first["recorded_by"].clone(),
            first["located"].clone()
        ),
        (json!("pick_up"), json!("Gary Hill"), json!(false))
    );
    // A replay answers the first result and writes nothing.
    let response = put_handover(&mut escort, &id, &pick_up).await;
    assert_eq!(response.status(), 200);
    let replay: Value = response.json().await.expect("hand-over");
    assert_eq!(replay["received_at"], first["received_at"]);
    assert_eq!(count(), json!(1));
    // The same id for a different tap is refused, not lost.
    let (status, _) =
        error_of(put_handover(&mut escort, &id, &handover(&amara_run, day, "drop_off")).await)
            .await;
    assert_eq!(status, 409);

    // A drop-off with the escort's consent to share the location keeps it.
    let mut drop_off = handover(&amara_run, day, "drop_off");
    drop_off["location"] = json!({ "latitude": 53.48, "longitude": -2.24, "accuracy_m": 12.0 });
    let response = put_handover(&mut escort, &new_id(2), &drop_off).await;
    assert_eq!(response.status(), 201);
    let recorded: Value = response.json().await.expect("hand-over");
    assert_eq!(recorded["located"], true);
    let kept = server.rows("SELECT latitude, longitude FROM handovers WHERE kind = 'drop_off'");
    assert_eq!(
        (kept[0]["latitude"].clone(), kept[0]["longitude"].clone()),
        (json!(53.48), json!(-2.24))
    );

    // Refused, naming the problem, and nothing written.
    let before = count();
    drop_off["location"]["latitude"] = json!(123.0);
    let (status, error) = error_of(put_handover(&mut escort, &new_id(3), &drop_off).await).await;
    assert_eq!(
        (status, error["field"].clone()),
        (400, json!("location.latitude"))
    );
    let mut future = handover(&amara_run, day, "pick_up");
    future["device_time"] = json!(Utc::now() + Duration::hours(2));
    let (status, error) = error_of(put_handover(&mut escort, &new_id(4), &future).await).await;
    assert_eq!(
        (status, error["field"].clone()),
        (400, json!("device_time"))
    );
    // Amara's afternoon has no taxi: not the escort's to see.
    let (status, error) = error_of(
        put_handover(
            &mut escort,
            &new_id(5),
            &handover(&session_id("amara", 1, day), day, "pick_up"),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (404, json!("session_id")));
    // The tutor and the school see the session but do not confirm its run.
    let mut maya = Client::signed_in(&server, MAYA).await;
    let (status, error) = error_of(put_handover(&mut maya, &new_id(6), &pick_up).await).await;
    assert_eq!(status, 403, "{error}");
    let mut senco = Client::signed_in(&server, SENCO).await;
    assert_eq!(
        put_handover(&mut senco, &new_id(7), &pick_up)
            .await
            .status(),
        403
    );
    // The AP's office may confirm on the escort's behalf (a phone call).
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let leo_run = handover(&session_id("leo", 0, day), day, "pick_up");
    assert_eq!(
        put_handover(&mut admin, &new_id(8), &leo_run)
            .await
            .status(),
        201
    );
    assert_eq!(count(), json!(before.as_i64().unwrap_or(0) + 1));
}

/// Adds a quarter-hour session for Amara today at `start` (London), with the
/// demo escort when `escorted`.
fn session_today(server: &Server, id: &str, start: chrono::NaiveTime, escorted: bool) {
    let weekday = lt_core::london::local_date(Utc::now())
        .weekday()
        .number_from_monday();
    let end = start + Duration::minutes(15);
    let escort = if escorted { "'person-escort'" } else { "NULL" };
    server.sql(&format!(
        "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id, escort_id, pickup_place, pickup_time)
         VALUES ('{id}', '{}', {weekday}, '{}', '{}', 'venue-centre', 'person-tutor-maya', {escort}, {}, {})",
        demo::placement_id("amara"),
        start.format("%H:%M"),
        end.format("%H:%M"),
        if escorted { "'14 Elm Road'" } else { "NULL" },
        if escorted { format!("'{}'", (start - Duration::minutes(30)).format("%H:%M")) } else { "NULL".into() },
    ));
}

#[tokio::test]
async fn the_dashboard_reads_each_session_from_its_register_hand_overs_and_the_clock() {
    let now = lt_core::london::local_time(Utc::now());
    // Sessions from 25 minutes before now to 35 after must fall inside today.
    let minute_of_day = now.hour() * 60 + now.minute();
    if !(30..=23 * 60 + 20).contains(&minute_of_day) {
        eprintln!("skipped: the London clock is too near midnight for same-day sessions");
        return;
    }
    let server = Server::start().await;
    let soon = (now + Duration::minutes(20)).with_second(0).expect("time");
    let begun = (now - Duration::minutes(25)).with_second(0).expect("time");
    session_today(&server, "session-live-soon", soon, true);
    session_today(&server, "session-live-begun", begun, false);
    let date = lt_core::london::local_date(Utc::now());
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let state = |today: &Value, id: &str| {
        today["sessions"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["session_id"] == id))
            .map(|s| s["state"].clone())
            .unwrap_or(Value::Null)
    };
    let today: Value = admin.get("/api/today").await.json().await.expect("today");
    assert_eq!(state(&today, "session-live-soon"), "expected");
    assert_eq!(state(&today, "session-live-begun"), "missing");
    assert!(
        today["live"]
            .as_array()
            .is_some_and(|aps| aps.contains(&json!(demo::AP)))
    );

    let mut escort = Client::signed_in(&server, ESCORT).await;
    let run = |kind| handover("session-live-soon", date, kind);
    assert_eq!(
        put_handover(&mut escort, &new_id(10), &run("pick_up"))
            .await
            .status(),
        201
    );
    let today: Value = admin.get("/api/today").await.json().await.expect("today");
    assert_eq!(state(&today, "session-live-soon"), "picked_up");
    assert_eq!(
        put_handover(&mut escort, &new_id(11), &run("drop_off"))
            .await
            .status(),
        201
    );
    let today: Value = admin.get("/api/today").await.json().await.expect("today");
    assert_eq!(state(&today, "session-live-soon"), "dropped_off");
    let before = today["counts"].clone();

    let mut maya = Client::signed_in(&server, MAYA).await;
    let present = json!({ "session_id": "session-live-soon", "date": date, "kind": "present", "device_time": Utc::now() });
    assert_eq!(
        maya.put_json(&format!("/api/marks/{}", new_id(12)), &present)
            .await
            .status(),
        201
    );
    let today: Value = admin.get("/api/today").await.json().await.expect("today");
    assert_eq!(state(&today, "session-live-soon"), "arrived");
    let counts = &today["counts"];
    assert_eq!(
        counts["arrived"].as_u64(),
        before["arrived"].as_u64().map(|n| n + 1)
    );
    assert_eq!(
        counts["on_the_way"].as_u64(),
        before["on_the_way"].as_u64().map(|n| n - 1)
    );
    assert_eq!(
        counts["total"].as_u64(),
        today["sessions"].as_array().map(|s| s.len() as u64)
    );

    // The school sees its own pupils only, with the same states.
    let mut senco = Client::signed_in(&server, SENCO).await;
    let theirs: Value = senco.get("/api/today").await.json().await.expect("today");
    assert_eq!(state(&theirs, "session-live-soon"), "arrived");
    let names: Vec<&str> = theirs["sessions"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|s| s["pupil_first_name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !names.contains(&"Ellie"),
        "Ellie is the LA's pupil: {names:?}"
    );
    // The escort sees how far the run got, never a register's "missing".
    let run_view: Value = escort.get("/api/today").await.json().await.expect("today");
    assert_eq!(state(&run_view, "session-live-soon"), "dropped_off");
    assert_eq!(state(&run_view, "session-live-begun"), Value::Null);
}

#[tokio::test]
async fn the_live_channel_tells_the_aps_people_of_each_change_and_no_one_else() {
    let server = Server::start().await;
    let admin = Client::signed_in(&server, ADMIN).await;
    let senco = Client::signed_in(&server, SENCO).await;
    let wait = Wait::from_secs(10);
    let mut admin_socket = live::connect(&server, &admin, demo::AP, None)
        .await
        .expect("admin connects");
    let mut senco_socket = live::connect(&server, &senco, demo::AP, None)
        .await
        .expect("school connects");
    let start = live::next_seq(&mut admin_socket, wait)
        .await
        .expect("the current seq on connecting");
    assert_eq!(live::next_seq(&mut senco_socket, wait).await, Some(start));

    let day = last_school_day();
    let mut maya = Client::signed_in(&server, MAYA).await;
    let mark = json!({ "session_id": session_id("amara", 0, day), "date": day, "kind": "present", "device_time": Utc::now() });
    let id = new_id(20);
    assert_eq!(
        maya.put_json(&format!("/api/marks/{id}"), &mark)
            .await
            .status(),
        201
    );
    assert_eq!(
        live::next_seq(&mut admin_socket, wait).await,
        Some(start + 1)
    );
    assert_eq!(
        live::next_seq(&mut senco_socket, wait).await,
        Some(start + 1)
    );
    // A replay changes nothing, so it announces nothing.
    assert_eq!(
        maya.put_json(&format!("/api/marks/{id}"), &mark)
            .await
            .status(),
        200
    );
    assert_eq!(
        live::next_seq(&mut admin_socket, Wait::from_millis(800)).await,
        None
    );

    // Missed messages: a dashboard that reconnects is told where things are.
    drop(senco_socket);
    let mut escort = Client::signed_in(&server, ESCORT).await;
    let run = handover(&session_id("leo", 0, day), day, "pick_up");
    assert_eq!(
        put_handover(&mut escort, &new_id(21), &run).await.status(),
        201
    );
    assert_eq!(
        live::next_seq(&mut admin_socket, wait).await,
        Some(start + 2)
    );
    let mut again = live::connect(&server, &senco, demo::AP, None)
        .await
        .expect("reconnects");
    assert_eq!(live::next_seq(&mut again, wait).await, Some(start + 2));

    // Refused: another AP's admin (404, as for any AP not theirs), no sign-in
    // (401), another site's page (403), and a plain GET (426).
    let hillside = Client::signed_in(&server, "admin@hillside.example").await;
    let refused = |r: Result<live::Socket, _>| r.err().as_ref().and_then(live::refused_status);
    assert_eq!(
        refused(live::connect(&server, &hillside, demo::AP, None).await),
        Some(404)
    );
    assert_eq!(
        refused(live::connect(&server, &Client::new(&server), demo::AP, None).await),
        Some(401)
    );
    assert_eq!(
        refused(live::connect(&server, &admin, demo::AP, Some("https://evil.example")).await),
        Some(403)
    );
    let mut plain = Client::signed_in(&server, ADMIN).await;
    let (status, _) = error_of(plain.get(&format!("/api/live/{}", demo::AP)).await).await;
    assert_eq!(status, 426);
}
