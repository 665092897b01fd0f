//! Missed-arrival alerts end to end: the real `scheduled` handler fired at
//! chosen instants, delivering through a Web Push service stand-in (VAPID
//! and RFC 8291 checked, payload decrypted) and a GOV.UK Notify stand-in
//! (JWT checked), against the real worker and D1.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, last_school_day, session_id};
use lt_tests::notify::{self, Kind, NotifyReceiver};
use lt_tests::push::{self, PushReceiver, Subscription};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";
const DSL: &str = "dsl@riverside.example";
const SCHOOL_DSL: &str = "dsl@northgate.example";
const SENCO: &str = "senco@northgate.example";
const MAYA: &str = "maya.lewis@riverside.example";
const TOM: &str = "tom.reid@riverside.example";
const ESCORT: &str = "gary.hill@swiftcabs.example";
const APP: &str = "https://learntrek.example";

struct Rig {
    server: Server,
    notify: NotifyReceiver,
    push: PushReceiver,
}

async fn rig() -> Rig {
    rig_with(&[]).await
}

async fn rig_with(extra: &[(&str, &str)]) -> Rig {
    let notify = NotifyReceiver::start(0).await;
    let push = PushReceiver::start().await;
    let mut vars = notify::worker_vars(&notify.base_url);
    vars.extend(push::worker_vars(&push::new_vapid_key()));
    vars.push(("APP_URL".into(), APP.into()));
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let server = Server::start_with(&vars).await;
    Rig {
        server,
        notify,
        push,
    }
}

fn london(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    lt_core::london::to_utc(day, NaiveTime::from_hms_opt(h, m, 0).expect("time"))
}

fn new_id(n: u32) -> String {
    format!(
        "a1e47c2a-{n:04}-4f7e-9a51-{:012}",
        Utc::now().timestamp_micros() % 1_000_000_000_000
    )
}

impl Rig {
    /// Only Amara's morning session comes due at 09:40 on the last school
    /// day (Leo is registered); her contacts are the AP's DSL and the SENCo,
    /// who has a mobile number. Answers her session and the SENCo signed in,
    /// to add devices.
    async fn amara_alone_comes_due(&self) -> (String, Client) {
        let day = last_school_day();
        let mut maya = Client::signed_in(&self.server, MAYA).await;
        mark(&mut maya, &session_id("leo", 0, day), day, "present", None).await;
        designate(&self.server, "amara", &["person-dsl", "person-senco"]).await;
        let mut senco = Client::signed_in(&self.server, SENCO).await;
        set_phone(&mut senco, "07700 900003").await;
        (session_id("amara", 0, day), senco)
    }

    async fn fire(&self, at: DateTime<Utc>) {
        let response = self.server.fire_cron(at).await;
        assert!(response.status().is_success(), "cron at {at}");
    }

    /// The alerts raised for one occurrence.
    fn alerts_for(&self, session: &str, day: NaiveDate) -> Vec<Value> {
        self.server.rows(&format!(
            "SELECT id, kind, stage FROM alerts WHERE session_id = '{session}' AND date = '{day}'"
        ))
    }

    fn only_alert(&self, session: &str, day: NaiveDate) -> Value {
        let alerts = self.alerts_for(session, day);
        assert_eq!(alerts.len(), 1, "{session}: {alerts:?}");
        alerts[0].clone()
    }

    /// Notify messages about one alert, as (kind, to).
    fn sent_about(&self, alert_id: &str) -> Vec<(Kind, String)> {
        let mut sent: Vec<(Kind, String)> = self
            .notify
            .received()
            .into_iter()
            .filter(|m| m.reference.as_deref().is_some_and(|r| r.contains(alert_id)))
            .map(|m| {
                let to = if m.kind == Kind::Sms {
                    m.phone_number
                } else {
                    m.email_address
                };
                (m.kind, to)
            })
            .collect();
        sent.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        sent
    }

    fn pushes_about(&self, alert_id: &str, to: &Subscription) -> usize {
        self.push
            .accepted_for(to)
            .iter()
            .filter(|p| p.payload["alert_id"] == alert_id)
            .count()
    }
}

async fn subscribe(client: &mut Client, push: &PushReceiver) -> Subscription {
    let subscription = push.subscribe();
    let body = serde_json::to_value(&subscription).expect("json");
    let response = client.post_json("/api/push/subscriptions", &body).await;
    assert_eq!(response.status(), 201);
    subscription
}

async fn set_phone(client: &mut Client, phone: &str) {
    let response = client
        .put_json("/api/me/phone", &json!({ "phone": phone }))
        .await;
    assert_eq!(response.status(), 200);
}

/// Amara's contacts: the AP's DSL and the school's, each signed in.
async fn both_dsls_named_for_amara(rig: &Rig) -> (Client, Client) {
    designate(&rig.server, "amara", &["person-dsl", "person-school-dsl"]).await;
    (
        Client::signed_in(&rig.server, DSL).await,
        Client::signed_in(&rig.server, SCHOOL_DSL).await,
    )
}

async fn designate(server: &Server, pupil: &str, people: &[&str]) {
    let mut admin = Client::signed_in(server, ADMIN).await;
    let response = admin
        .put_json(
            &format!("/api/placements/{}/contacts", demo::placement_id(pupil)),
            &json!({ "person_ids": people }),
        )
        .await;
    assert_eq!(response.status(), 200);
}

async fn mark(
    client: &mut Client,
    session: &str,
    day: NaiveDate,
    kind: &str,
    reason: Option<&str>,
) {
    let mut body =
        json!({ "session_id": session, "date": day, "kind": kind, "device_time": Utc::now() });
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    let response = client
        .put_json(&format!("/api/marks/{}", new_id(7)), &body)
        .await;
    assert_eq!(response.status(), 201, "mark {session}");
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

#[tokio::test]
async fn a_missed_arrival_goes_once_to_both_sides_on_every_channel_after_the_grace() {
    let rig = rig().await;
    let day = last_school_day();
    let amara = session_id("amara", 0, day);
    let (mut dsl, mut school_dsl) = both_dsls_named_for_amara(&rig).await;
    let dsl_phone = subscribe(&mut dsl, &rig.push).await;
    let school_phone = subscribe(&mut school_dsl, &rig.push).await;
    set_phone(&mut dsl, "07700 900001").await;
    set_phone(&mut school_dsl, "+44 7700 900002").await;

    // 09:30 start, 10 minutes' grace.
    rig.fire(london(day, 9, 39)).await;
    assert!(
        rig.alerts_for(&amara, day).is_empty(),
        "raised before the grace ran out"
    );
    rig.fire(london(day, 9, 40)).await;
    let alert = rig.only_alert(&amara, day);
    assert_eq!(alert["kind"], "missed_arrival");
    let id = alert["id"].as_str().expect("id").to_owned();

    // Each device once, with lock-screen words only: initials, place, time.
    for device in [&dsl_phone, &school_phone] {
        let pushes: Vec<_> = rig
            .push
            .accepted_for(device)
            .into_iter()
            .filter(|p| p.payload["alert_id"] == id.as_str())
            .collect();
        assert_eq!(pushes.len(), 1);
        let p = &pushes[0];
        assert_eq!(p.payload["title"], "Missed arrival: A.J.");
        let body = p.payload["body"].as_str().expect("body");
        assert!(
            body.contains("Riverside Centre") && body.contains("09:30"),
            "{body}"
        );
        let text = p.payload.to_string();
        assert!(
            !text.contains("Amara") && !text.contains("Johnson"),
            "{text}"
        );
        assert_eq!(p.payload["url"], format!("/alerts/{id}"));
        assert_eq!((p.ttl, p.urgency.as_deref()), (3600, Some("high")));
    }
    // Email and SMS to both, and to nobody else (the admin is not a contact).
    assert_eq!(
        rig.sent_about(&id),
        vec![
            (Kind::Email, "dsl@northgate.example".to_owned()),
            (Kind::Email, "dsl@riverside.example".to_owned()),
            (Kind::Sms, "+447700900001".to_owned()),
            (Kind::Sms, "+447700900002".to_owned()),
        ]
    );
    let email = rig
        .notify
        .received()
        .into_iter()
        .find(|m| m.reference.as_deref().is_some_and(|r| r.contains(&id)) && m.kind == Kind::Email)
        .expect("email");
    assert!(email.subject.contains("A.J."), "{}", email.subject);
    assert!(
        email.body.contains(&format!("{APP}/alerts/{id}")),
        "{}",
        email.body
    );
    assert!(!email.body.contains("Amara"), "{}", email.body);
    rig.notify.assert_nothing_rejected();
    rig.push.assert_nothing_refused();

    // The next minute sends nothing again.
    let before = (rig.notify.received().len(), rig.push.accepted().len());
    rig.fire(london(day, 9, 41)).await;
    rig.fire(london(day, 9, 41)).await;
    assert_eq!(
        before,
        (rig.notify.received().len(), rig.push.accepted().len())
    );
    assert_eq!(rig.alerts_for(&amara, day).len(), 1);

    // In the app: the school's DSL and SENCo see it (named), a tutor does not.
    let detail = json_of(school_dsl.get(&format!("/api/alerts/{id}")).await).await;
    assert_eq!(detail["alert"]["pupil_name"], "Amara Johnson");
    assert_eq!(detail["alert"]["stage"], "contacts");
    let timeline: Vec<(String, Option<String>)> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or("").to_owned(),
                e["status"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(timeline[0].0, "raised");
    assert_eq!(
        timeline
            .iter()
            .filter(|(k, s)| k == "delivery" && s.as_deref() == Some("accepted"))
            .count(),
        6
    );
    let mut senco = Client::signed_in(&rig.server, SENCO).await;
    let list = json_of(senco.get("/api/alerts").await).await;
    assert!(
        list["alerts"]
            .as_array()
            .expect("alerts")
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
    let mut maya = Client::signed_in(&rig.server, MAYA).await;
    assert_eq!(maya.get(&format!("/api/alerts/{id}")).await.status(), 404);
    let list = json_of(maya.get("/api/alerts").await).await;
    assert!(list["alerts"].as_array().expect("alerts").is_empty());
}

#[tokio::test]
async fn a_mark_a_known_absence_or_a_cancellation_raises_nothing_but_an_unknown_absence_does() {
    let rig = rig().await;
    let day = last_school_day();
    let mut maya = Client::signed_in(&rig.server, MAYA).await;
    mark(
        &mut maya,
        &session_id("amara", 0, day),
        day,
        "present",
        None,
    )
    .await;
    mark(
        &mut maya,
        &session_id("leo", 0, day),
        day,
        "absent",
        Some("illness"),
    )
    .await;
    mark(
        &mut maya,
        &session_id("sofia", 0, day),
        day,
        "absent",
        Some("not_yet_known"),
    )
    .await;
    // Ellie's first session is cancelled, on a day still to come.
    let next = (1..=7)
        .map(|n| lt_core::london::local_date(Utc::now()) + Duration::days(n))
        .find(|d| chrono::Datelike::weekday(d).number_from_monday() <= 5)
        .expect("a weekday");
    let mut admin = Client::signed_in(&rig.server, ADMIN).await;
    let ellie = session_id("ellie", 0, next);
    let response = admin
        .put_json(
            &format!(
                "/api/placements/{}/sessions/{ellie}/dates/{next}",
                demo::placement_id("ellie")
            ),
            &json!({ "cancelled": true, "reason": "Tutor unwell" }),
        )
        .await;
    assert_eq!(response.status(), 200);

    rig.fire(london(day, 14, 0)).await;
    for pupil in ["amara", "leo"] {
        assert!(
            rig.alerts_for(&session_id(pupil, 0, day), day).is_empty(),
            "{pupil}"
        );
    }
    // "Reason not yet known" is a child nobody can account for.
    assert_eq!(
        rig.only_alert(&session_id("sofia", 0, day), day)["kind"],
        "missed_arrival"
    );
    // Jayden was neither marked nor cancelled.
    assert_eq!(
        rig.only_alert(&session_id("jayden", 0, day), day)["kind"],
        "missed_arrival"
    );

    rig.fire(london(next, 9, 30)).await;
    assert!(
        rig.alerts_for(&ellie, next).is_empty(),
        "cancelled, yet alerted"
    );
    // The other pupil at that hour is still checked.
    assert_eq!(rig.alerts_for(&session_id("amara", 0, next), next).len(), 0);
    rig.fire(london(next, 9, 40)).await;
    assert_eq!(rig.alerts_for(&session_id("amara", 0, next), next).len(), 1);
    assert!(rig.alerts_for(&ellie, next).is_empty());
}

#[tokio::test]
async fn a_drop_off_without_an_arrival_and_a_pick_up_without_a_drop_off_are_urgent() {
    let rig = rig().await;
    let day = last_school_day();
    let (amara, leo) = (session_id("amara", 0, day), session_id("leo", 0, day));
    let mut escort = Client::signed_in(&rig.server, ESCORT).await;
    for (n, (session, kind, h, m)) in [
        (&amara, "pick_up", 9, 0),
        (&amara, "drop_off", 9, 20),
        (&leo, "pick_up", 9, 5),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({ "session_id": session, "date": day, "kind": kind, "device_time": london(day, h, m) });
        let response = escort
            .put_json(&format!("/api/handovers/{}", new_id(n as u32)), &body)
            .await;
        assert_eq!(response.status(), 201);
    }
    rig.fire(london(day, 9, 34)).await;
    assert!(rig.alerts_for(&amara, day).is_empty());
    assert!(rig.alerts_for(&leo, day).is_empty());
    // Five minutes after the start, not the ten of a missed arrival.
    rig.fire(london(day, 9, 35)).await;
    let dropped = rig.only_alert(&amara, day);
    assert_eq!(dropped["kind"], "not_arrived_after_drop_off");
    assert_eq!(rig.only_alert(&leo, day)["kind"], "not_dropped_off");
    let mut admin = Client::signed_in(&rig.server, ADMIN).await;
    let list = json_of(admin.get("/api/alerts").await).await;
    let first = &list["alerts"][0];
    assert_eq!(first["urgent"], true, "urgent alerts come first: {list}");
    // The AP's admins are told when no AP contact is named.
    let sent = rig.sent_about(dropped["id"].as_str().expect("id"));
    assert!(sent.contains(&(Kind::Email, ADMIN.to_owned())), "{sent:?}");
    let email = rig
        .notify
        .received()
        .into_iter()
        .find(|m| m.subject.contains("URGENT"))
        .expect("urgent email");
    assert!(
        email.subject.contains("A.J.") || email.subject.contains("L."),
        "{}",
        email.subject
    );
}

#[tokio::test]
async fn ten_overlapping_cron_runs_send_each_message_exactly_once() {
    let rig = rig().await;
    let day = last_school_day();
    let amara = session_id("amara", 0, day);
    let (mut dsl, mut school_dsl) = both_dsls_named_for_amara(&rig).await;
    let devices = [
        subscribe(&mut dsl, &rig.push).await,
        subscribe(&mut dsl, &rig.push).await,
        subscribe(&mut school_dsl, &rig.push).await,
    ];
    set_phone(&mut school_dsl, "07700900002").await;
    // Ten runs for the same minute and five for each of the next two, all at once.
    let instants: Vec<DateTime<Utc>> = (0..10)
        .map(|_| london(day, 9, 40))
        .chain((0..5).map(|_| london(day, 9, 41)))
        .chain((0..5).map(|_| london(day, 9, 42)))
        .collect();
    futures_util::future::join_all(instants.iter().map(|at| rig.server.fire_cron(*at))).await;
    let alert = rig.only_alert(&amara, day);
    let id = alert["id"].as_str().expect("id");
    for device in &devices {
        assert_eq!(rig.pushes_about(id, device), 1);
    }
    assert_eq!(
        rig.sent_about(id),
        vec![
            (Kind::Email, "dsl@northgate.example".to_owned()),
            (Kind::Email, "dsl@riverside.example".to_owned()),
            (Kind::Sms, "+447700900002".to_owned()),
        ]
    );
    let attempts = rig.server.rows(&format!(
        "SELECT COUNT(*) AS n FROM delivery_attempts t JOIN alert_deliveries d ON d.id = t.delivery_id
         WHERE d.alert_id = '{id}'"
    ));
    assert_eq!(attempts[0]["n"], 6, "one attempt per message");
    let raised = rig.server.rows(&format!(
        "SELECT COUNT(*) AS n FROM alert_events WHERE alert_id = '{id}' AND kind = 'raised'"
    ));
    assert_eq!(raised[0]["n"], 1);
}

#[tokio::test]
async fn a_provider_that_hangs_does_not_hold_up_the_cron_run() {
    let rig = rig_with(&[("PROVIDER_TIMEOUT_SECONDS", "2")]).await;
    let day = last_school_day();
    let (amara, mut senco) = rig.amara_alone_comes_due().await;
    let phone = subscribe(&mut senco, &rig.push).await;
    rig.fire(london(day, 9, 39)).await;

    // The push service and Notify each hold one request open for ten minutes.
    rig.push.hang_next(1);
    rig.notify.hang_next(1);
    let started = std::time::Instant::now();
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        rig.fire(london(day, 9, 40)),
    )
    .await
    .expect("the cron run ended");
    let took = started.elapsed();
    // The run's budget: the provider timeout (2 s here) and its own work.
    assert!(took.as_secs() < 20, "the cron run took {took:?}");
    let id = rig.only_alert(&amara, day)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(rig.pushes_about(&id, &phone), 0);
    assert_eq!(rig.sent_about(&id).len(), 2, "the other messages went out");
    let hung = rig.server.rows(&format!(
        "SELECT d.channel, t.error FROM delivery_attempts t
         JOIN alert_deliveries d ON d.id = t.delivery_id
         WHERE d.alert_id = '{id}' AND t.status = 'failed' ORDER BY d.channel"
    ));
    assert_eq!(hung.len(), 2, "{hung:?}");
    assert!(
        hung.iter().all(|r| r["error"]
            .as_str()
            .is_some_and(|e| e.contains("did not answer within 2 seconds"))),
        "{hung:?}"
    );
    // A minute later both are tried again and arrive.
    rig.fire(london(day, 9, 41)).await;
    assert_eq!(rig.pushes_about(&id, &phone), 1);
    assert_eq!(rig.sent_about(&id).len(), 3);
}

#[tokio::test]
async fn a_failure_is_retried_with_every_attempt_logged_and_a_gone_device_is_removed() {
    let rig = rig().await;
    let other_service = PushReceiver::start().await;
    let day = last_school_day();
    // The earlier sessions' alerts go out at 09:39, before the failures are set up.
    let (amara, mut senco) = rig.amara_alone_comes_due().await;
    let flaky = subscribe(&mut senco, &rig.push).await;
    let gone = subscribe(&mut senco, &other_service).await;
    // 09:39 also raises the day's overdue-gate alert (Mia's baseline), which
    // the SENCo hears of; count from here.
    rig.fire(london(day, 9, 39)).await;
    let (flaky_before, gone_before) = (rig.push.arrivals(), other_service.arrivals());

    rig.push.answer_next(&[500]);
    other_service.answer_next(&[410]);
    rig.notify.fail_next(&[500]);
    rig.fire(london(day, 9, 40)).await;
    let id = rig.only_alert(&amara, day)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(rig.pushes_about(&id, &flaky), 0);
    assert_eq!(
        rig.sent_about(&id).len(),
        2,
        "one of three Notify sends failed"
    );
    let subscriptions = rig.server.rows("SELECT endpoint FROM push_subscriptions");
    assert_eq!(subscriptions.len(), 1, "the gone device is removed");
    assert_eq!(subscriptions[0]["endpoint"], flaky.endpoint.as_str());

    // A minute later the failures are tried again, and succeed.
    rig.fire(london(day, 9, 41)).await;
    assert_eq!(rig.pushes_about(&id, &flaky), 1);
    assert_eq!(rig.push.arrivals() - flaky_before, 2, "500, then 201");
    assert_eq!(
        rig.sent_about(&id),
        vec![
            (Kind::Email, "dsl@riverside.example".to_owned()),
            (Kind::Email, SENCO.to_owned()),
            (Kind::Sms, "+447700900003".to_owned()),
        ]
    );
    let log = rig.server.rows(&format!(
        "SELECT d.channel, d.status AS delivery, t.status, t.http_status FROM delivery_attempts t
         JOIN alert_deliveries d ON d.id = t.delivery_id WHERE d.alert_id = '{id}'
         ORDER BY d.channel, t.id"
    ));
    let push_log: Vec<(Value, Value)> = log
        .iter()
        .filter(|r| r["channel"] == "push")
        .map(|r| (r["status"].clone(), r["http_status"].clone()))
        .collect();
    assert_eq!(push_log.len(), 3, "{log:?}");
    assert!(push_log.contains(&(json!("gone"), json!(410))));
    assert!(push_log.contains(&(json!("failed"), json!(500))));
    assert!(push_log.contains(&(json!("accepted"), json!(201))));
    let notify_failures = log
        .iter()
        .filter(|r| r["channel"] != "push" && r["status"] == "failed")
        .count();
    assert_eq!((notify_failures, log.len()), (1, 7), "{log:?}");
    // Nothing more goes out.
    rig.fire(london(day, 9, 50)).await;
    assert_eq!(rig.push.arrivals() - flaky_before, 2);
    assert_eq!(
        other_service.arrivals() - gone_before,
        1,
        "the 410, and nothing after"
    );
    assert!(
        other_service
            .accepted_for(&gone)
            .iter()
            .all(|p| p.payload["alert_id"] != id.as_str())
    );
}

#[tokio::test]
async fn an_unacknowledged_alert_climbs_to_the_dsls_then_the_admins_and_is_closed_with_an_outcome()
{
    let rig = rig().await;
    let day = last_school_day();
    let (amara, leo) = (session_id("amara", 0, day), session_id("leo", 0, day));
    designate(&rig.server, "amara", &["person-dsl", "person-senco"]).await;
    rig.fire(london(day, 9, 40)).await;
    let amara_id = rig.only_alert(&amara, day)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let leo_id = rig.only_alert(&leo, day)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Leo's alert is acknowledged in time: it stops there.
    let mut dsl = Client::signed_in(&rig.server, DSL).await;
    let acknowledged = json_of(
        dsl.post_json(&format!("/api/alerts/{leo_id}/acknowledge"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(acknowledged["alert"]["acknowledged_by"], "Daniel Okafor");
    let emails_to = |who: &str, id: &str| {
        rig.sent_about(id)
            .iter()
            .filter(|(k, to)| *k == Kind::Email && to == who)
            .count()
    };
    assert_eq!(emails_to(SCHOOL_DSL, &amara_id), 0, "not a contact");
    rig.fire(london(day, 9, 54)).await;
    assert_eq!(emails_to(SCHOOL_DSL, &amara_id), 0, "escalated early");
    rig.fire(london(day, 9, 55)).await;
    assert_eq!(emails_to(SCHOOL_DSL, &amara_id), 1);
    assert_eq!(emails_to(DSL, &amara_id), 2, "contact, then DSL");
    assert_eq!(emails_to(ADMIN, &amara_id), 0);
    rig.fire(london(day, 10, 10)).await;
    assert_eq!(emails_to(ADMIN, &amara_id), 1);
    rig.fire(london(day, 10, 40)).await;
    assert_eq!(
        emails_to(ADMIN, &amara_id),
        1,
        "the ladder ends at the admins"
    );
    let leo_stages = rig.server.rows(&format!(
        "SELECT MAX(stage) AS top FROM alert_deliveries WHERE alert_id = '{leo_id}'"
    ));
    assert_eq!(leo_stages[0]["top"], 0, "an acknowledged alert escalated");

    let mut school_dsl = Client::signed_in(&rig.server, SCHOOL_DSL).await;
    let close = format!("/api/alerts/{amara_id}/close");
    let (status, error) = error_of(
        school_dsl
            .post_json(&close, &json!({ "outcome": "child_missing" }))
            .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("note")));
    let (status, error) = error_of(
        school_dsl
            .post_json(&close, &json!({ "outcome": "lost" }))
            .await,
    )
    .await;
    assert_eq!(status, 400, "{error}");
    let closed = json_of(
        school_dsl
            .post_json(
                &close,
                &json!({ "outcome": "arrived_late", "note": "Came in at 10:20 with her mum" }),
            )
            .await,
    )
    .await;
    assert_eq!(closed["alert"]["outcome"], "arrived_late");
    assert_eq!(closed["alert"]["stage"], "ap_admins");
    assert_eq!(closed["note"], "Came in at 10:20 with her mum");
    let kinds: Vec<&str> = closed["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["kind"] != "delivery")
        .map(|e| e["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["raised", "escalated", "escalated", "closed"]);
    let last = closed["timeline"]
        .as_array()
        .and_then(|t| t.last())
        .expect("entry");
    assert_eq!(last["person"], "Mark Evans");
    let (status, _) = error_of(
        school_dsl
            .post_json(&close, &json!({ "outcome": "other", "note": "again" }))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    let audit = rig.server.rows(&format!(
        "SELECT action, changes FROM audit_log WHERE subject_id = '{amara_id}'"
    ));
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["action"], "alert.close");
    assert!(
        !audit[0]["changes"]
            .as_str()
            .unwrap_or("")
            .contains("her mum"),
        "the note stays out of the audit log"
    );
}

#[tokio::test]
async fn grace_counts_from_london_time_across_both_clock_changes() {
    let rig = rig().await;
    let placement = demo::placement_id("amara");
    rig.server.sql(&format!(
        "UPDATE placements SET start_date = '2026-03-01', end_date = '2027-07-31' WHERE id = '{placement}';
         INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id)
         VALUES ('session-sunday', '{placement}', 7, '10:00', '11:00', 'venue-centre');"
    ));
    let at = |s: &str| s.parse::<DateTime<Utc>>().expect("instant");
    let date = |s: &str| s.parse::<NaiveDate>().expect("date");
    // (session, date, last instant without an alert, first with one).
    let cases = [
        // The day the clocks go forward: 10:00 BST is 09:00 UTC.
        (
            "session-sunday",
            "2026-03-29",
            "2026-03-29T09:09:00Z",
            "2026-03-29T09:10:00Z",
        ),
        (
            "session-amara-1-0",
            "2026-03-30",
            "2026-03-30T08:39:00Z",
            "2026-03-30T08:40:00Z",
        ),
        // The day they go back: 10:00 GMT is 10:00 UTC.
        (
            "session-sunday",
            "2026-10-25",
            "2026-10-25T10:09:00Z",
            "2026-10-25T10:10:00Z",
        ),
        (
            "session-amara-1-0",
            "2026-10-26",
            "2026-10-26T09:39:00Z",
            "2026-10-26T09:40:00Z",
        ),
    ];
    for (session, day, quiet, loud) in cases {
        rig.fire(at(quiet)).await;
        assert!(
            rig.alerts_for(session, date(day)).is_empty(),
            "{session} alerted by {quiet}"
        );
        rig.fire(at(loud)).await;
        assert_eq!(
            rig.alerts_for(session, date(day)).len(),
            1,
            "{session} silent at {loud}"
        );
    }
}

#[tokio::test]
async fn the_dashboard_shows_alerted_sessions_and_the_settings_change_the_grace() {
    let rig = rig().await;
    let today = lt_core::london::local_date(Utc::now());
    let mut admin = Client::signed_in(&rig.server, ADMIN).await;
    let settings = format!("/api/aps/{}/alert-settings", demo::AP);
    let current = json_of(admin.get(&settings).await).await;
    assert_eq!(
        current,
        json!({ "grace_minutes": 10, "drop_off_grace_minutes": 5, "escalation_minutes": 15 })
    );
    let (status, error) = error_of(
        admin
            .put_json(&settings, &json!({ "grace_minutes": 20, "drop_off_grace_minutes": 5, "escalation_minutes": 1 }))
            .await,
    )
    .await;
    assert_eq!(
        (status, error["field"].clone()),
        (400, json!("escalation_minutes"))
    );
    let saved = admin
        .put_json(
            &settings,
            &json!({ "grace_minutes": 20, "drop_off_grace_minutes": 5, "escalation_minutes": 15 }),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let mut tom = Client::signed_in(&rig.server, TOM).await;
    assert_eq!(tom.get(&settings).await.status(), 404);

    // Twenty minutes now, from the day's plan on.
    let amara = session_id("amara", 0, today);
    rig.fire(london(today, 9, 49)).await;
    assert!(rig.alerts_for(&amara, today).is_empty());
    rig.fire(london(today, 9, 50)).await;
    assert_eq!(rig.alerts_for(&amara, today).len(), 1);
    let day = json_of(admin.get("/api/today").await).await;
    let state = day["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["session_id"] == amara.as_str())
        .map(|s| s["state"].clone());
    assert_eq!(state, Some(json!("alerted")));
}

#[tokio::test]
async fn devices_and_numbers_are_checked_before_they_are_kept() {
    let rig = rig().await;
    let mut dsl = Client::signed_in(&rig.server, DSL).await;
    let key = json_of(dsl.get("/api/push/key").await).await;
    assert_eq!(
        key["public_key"].as_str().map(str::len),
        Some(87),
        "65 bytes, base64url"
    );
    let good = serde_json::to_value(rig.push.subscribe()).expect("json");
    for (spoil, field) in [
        (
            json!({ "endpoint": "http://push.example.net/x" }),
            "endpoint",
        ),
        (json!({ "endpoint": "not a url" }), "endpoint"),
        (
            json!({ "keys": { "p256dh": "AAAA", "auth": good["keys"]["auth"] } }),
            "keys.p256dh",
        ),
        (
            json!({ "keys": { "p256dh": good["keys"]["p256dh"], "auth": "c2hvcnQ" } }),
            "keys.auth",
        ),
    ] {
        let mut body = good.clone();
        for (k, v) in spoil.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, error) = error_of(dsl.post_json("/api/push/subscriptions", &body).await).await;
        assert_eq!(
            (status, error["field"].clone()),
            (400, json!(field)),
            "{body}"
        );
    }
    assert_eq!(
        rig.server.rows("SELECT id FROM push_subscriptions").len(),
        0
    );
    // Subscribing the same browser twice keeps one row; removing it empties.
    for _ in 0..2 {
        assert_eq!(
            dsl.post_json("/api/push/subscriptions", &good)
                .await
                .status(),
            201
        );
    }
    assert_eq!(
        rig.server.rows("SELECT id FROM push_subscriptions").len(),
        1
    );
    let removed = dsl
        .post_json(
            "/api/push/subscriptions/remove",
            &json!({ "endpoint": good["endpoint"] }),
        )
        .await;
    assert_eq!(removed.status(), 204);
    assert_eq!(
        rig.server.rows("SELECT id FROM push_subscriptions").len(),
        0
    );

    let (status, error) = error_of(
        dsl.put_json("/api/me/phone", &json!({ "phone": "020 7946 0000" }))
            .await,
    )
    .await;
    assert_eq!((status, error["field"].clone()), (400, json!("phone")));
    let saved = json_of(
        dsl.put_json("/api/me/phone", &json!({ "phone": "07700 900123" }))
            .await,
    )
    .await;
    assert_eq!(saved["phone"], "+447700900123");
    let me = json_of(dsl.get("/api/me").await).await;
    assert_eq!(me["phone"], "+447700900123");
    let audit = rig
        .server
        .rows("SELECT changes FROM audit_log WHERE action = 'person.phone'");
    assert_eq!(audit.len(), 1);
    assert!(
        !audit[0]["changes"]
            .as_str()
            .unwrap_or("")
            .contains("900123")
    );
}

#[tokio::test]
async fn one_undecidable_check_does_not_hold_up_the_others() {
    let rig = rig().await;
    let day = last_school_day();
    let weekday = chrono::Datelike::weekday(&day).number_from_monday();
    // A session whose stored times cannot be read, due before everything else.
    rig.server.sql(&format!(
        "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id)
         VALUES ('session-broken', '{}', {weekday}, 'ab:cd', 'zz:zz', 'venue-centre');
         INSERT INTO alert_checks (session_id, date, kind, due_at)
         VALUES ('session-broken', '{day}', 'arrival', '2000-01-01T00:00:00.000Z');",
        demo::placement_id("amara")
    ));
    rig.fire(london(day, 9, 40)).await;
    assert_eq!(rig.alerts_for(&session_id("amara", 0, day), day).len(), 1);
    let stuck = rig
        .server
        .rows("SELECT done FROM alert_checks WHERE session_id = 'session-broken'");
    assert_eq!(
        stuck[0]["done"], 0,
        "left to be looked at again, and logged"
    );
}
