//! Jordan Ellis: a twelve-week placement at Riverside that ended two weeks
//! ago with a return to Northgate, with every register, progress entry and
//! review of those weeks, so the Reintegration Export has a real story to
//! tell. Nothing of it falls in the last fortnight, so the tests' registers,
//! alerts and today's lists never meet it.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use lt_core::attendance::{self, AbsenceReason, HalfDay, Mark};
use lt_core::domain::OrganisationKind;
use serde_json::json;

use super::{AP, SCHOOL, q};

/// A valid UPN from the same school as the other demo pupils.
pub fn upn() -> String {
    super::upn(98)
}

pub const KEY: &str = "jordan";
pub const PLACEMENT: &str = "placement-jordan";
pub const WEEKS: u32 = 12;

/// What the registers and progress log of this history add up to, worked
/// out by hand from the pattern below (the e2e test checks the export
/// against these, not against the code that computes it).
pub mod expected {
    pub const SESSIONS: u32 = 60;
    pub const ATTENDED: u32 = 55;
    pub const UNAUTHORISED: u32 = 4;
    pub const AUTHORISED: u32 = 1;
    pub const RATE: &str = "91.7%";
    pub const INCIDENTS: u32 = 12;
    /// The first incident of each day in the first week.
    pub const HIGH_SEVERITY: u32 = 2;
    /// Incidents naming "Being rushed to finish" (each day's first).
    pub const RUSHED: u32 = 10;
    pub const MEAN_ENGAGEMENT: &str = "3.58";
    /// Best first: (strategy, uses, mean effect).
    pub const STRATEGIES: [(&str, u32, &str); 3] = [
        ("Visual timetable on the desk", 9, "5.00"),
        ("Movement breaks every 20 minutes", 55, "4.00"),
        ("Reward chart", 4, "2.00"),
    ];
    pub const READING_AGE_THEN: &str = "9 years 4 months (NGRT, June 2026)";
    pub const READING_AGE_NOW: &str = "10 years 9 months (NGRT)";
}

/// The Monday the placement began: fourteen weeks before this week's.
pub fn start(today: NaiveDate) -> NaiveDate {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    monday - Duration::weeks(14)
}

/// The Friday of its twelfth week.
pub fn end(today: NaiveDate) -> NaiveDate {
    start(today) + Duration::weeks(i64::from(WEEKS) - 1) + Duration::days(4)
}

/// The mark for week `w`, weekday `d` (0 = Monday).
fn mark(w: u32, d: u32) -> Mark {
    match (w, d) {
        (0..=3, 4) => Mark::Absent(AbsenceReason::Unauthorised),
        (6, 2) => Mark::Absent(AbsenceReason::Illness),
        (2, 0) => Mark::Late { minutes: 15 },
        _ => Mark::Present,
    }
}

fn incidents(w: u32, d: u32) -> usize {
    match (w, d) {
        (0..=1, 0) => 2,
        (0..=3, 2) | (2..=5, 0) => 1,
        _ => 0,
    }
}

pub fn sql(today: NaiveDate, now: &str) -> String {
    let start = start(today);
    let end = end(today);
    let mut sql = String::new();
    sql += &format!(
        "INSERT INTO pupils (id, ap_id, first_name, last_name, date_of_birth, upn, created_at) VALUES ('pupil-jordan', {}, 'Jordan', 'Ellis', '2012-06-02', {}, {now});\n",
        q(AP),
        q(&upn())
    );
    sql += &format!(
        "INSERT INTO placements (id, ap_id, pupil_id, commissioner_id, tier, state, start_date, end_date, end_reason, ended_on, created_at) VALUES ({}, {}, 'pupil-jordan', {}, 'short_term', 'ended', {}, {}, 'reintegrated', {}, {now});\n",
        q(PLACEMENT),
        q(AP),
        q(SCHOOL),
        q(&start.to_string()),
        q(&end.to_string()),
        q(&end.to_string())
    );
    for weekday in 1..=5 {
        sql += &format!(
            "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id, valid_until) VALUES ('session-jordan-{weekday}', {}, {weekday}, '10:00', '12:00', 'venue-centre', 'person-tutor-maya', {});\n",
            q(PLACEMENT),
            q(&end.to_string())
        );
    }
    for (person, role) in [
        ("person-senco", "school_staff"),
        ("person-tutor-maya", "off_site_tutor"),
    ] {
        sql += &format!(
            "INSERT INTO grant_scopes (person_id, ap_id, role, placement_id, created_at) VALUES ({}, {}, {}, {}, {now});\n",
            q(person),
            q(AP),
            q(role),
            q(PLACEMENT)
        );
    }
    let baseline = [
        ("identity.first_name", json!("Jordan")),
        ("identity.last_name", json!("Ellis")),
        ("identity.date_of_birth", json!("2012-06-02")),
        ("identity.upn", json!(upn())),
        ("safeguarding.child_protection_plan", json!(false)),
        ("safeguarding.child_in_need", json!(false)),
        ("safeguarding.looked_after", json!(false)),
        ("safeguarding.known_risks", json!("None known")),
        ("safeguarding.not_to_collect", json!([])),
        ("academic.reading_age", json!(expected::READING_AGE_THEN)),
        (
            "academic.english_level",
            json!("Working towards year 5 expectations"),
        ),
        ("academic.maths_level", json!("Secure at year 5")),
        ("academic.sen_status", json!("sen_support")),
        (
            "behaviour.triggers",
            json!(["Being rushed to finish", "Sudden changes to the plan"]),
        ),
        ("strategies.known_to_work", json!(["Movement breaks"])),
        (
            "strategies.to_avoid",
            json!(["Sanctions in front of the class"]),
        ),
        ("medical.needs", json!("None")),
        (
            "contacts.emergency",
            json!({ "name": "Kim Ellis", "relationship": "Mother", "phone": "07700 900555" }),
        ),
    ];
    for (field, value) in baseline {
        sql += &format!(
            "INSERT INTO baseline_entries (placement_id, field, value, source, entered_by, organisation_id, entered_at, request_id) VALUES ({}, {}, {}, 'typed', 'person-senco', {}, {}, 'demo-seed');\n",
            q(PLACEMENT),
            q(field),
            q(&value.to_string()),
            q(SCHOOL),
            q(&format!("{}T09:00:00Z", start - Duration::days(7)))
        );
    }
    for w in 0..WEEKS {
        for d in 0..5u32 {
            let date = start + Duration::weeks(i64::from(w)) + Duration::days(i64::from(d));
            let weekday = d + 1;
            let at = format!("{date}T10:05:00Z");
            let mark = mark(w, d);
            let codes = attendance::codes(
                mark,
                HalfDay::of(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()),
                OrganisationKind::School,
            );
            let (kind, minutes, reason) = match mark {
                Mark::Present => ("present", "NULL".to_owned(), "NULL".to_owned()),
                Mark::Late { minutes } => ("late", minutes.to_string(), "NULL".to_owned()),
                Mark::Absent(r) => ("absent", "NULL".to_owned(), q(r.as_str())),
            };
            sql += &format!(
                "INSERT INTO marks (id, session_id, date, placement_id, kind, minutes_late, reason, half_day, ap_code, school_code, marked_by, device_time, received_at, request_id) VALUES ('mark-jordan-{date}', 'session-jordan-{weekday}', '{date}', {}, '{kind}', {minutes}, {reason}, 'AM', {}, {}, 'person-tutor-maya', '{at}', '{at}', 'demo-seed');\n",
                q(PLACEMENT),
                q(codes.ap),
                q(codes.school)
            );
            if matches!(mark, Mark::Absent(_)) {
                continue;
            }
            let engagement = 2 + w / 3;
            let incidents: Vec<serde_json::Value> = (0..incidents(w, d))
                .map(|i| {
                    json!({
                        "kind": "disruption",
                        "severity": if w == 0 && i == 0 { "high" } else { "low" },
                        "time": "10:40:00",
                        "trigger": if i == 0 { "Being rushed to finish" } else { "Sudden changes to the plan" },
                        "strategy": "Time out in the quiet room",
                        "outcome": "Back to work within ten minutes",
                    })
                })
                .collect();
            let mut strategies =
                vec![json!({ "strategy": "Movement breaks every 20 minutes", "effect": 4 })];
            if d == 0 && w >= 3 {
                strategies.push(json!({ "strategy": "Visual timetable on the desk", "effect": 5 }));
            }
            if d == 2 && w <= 3 {
                strategies.push(json!({ "strategy": "Reward chart", "effect": 2 }));
            }
            let saved = format!("{date}T12:10:00Z");
            sql += &format!(
                "INSERT INTO progress_saves (id, entry_id, session_id, date, placement_id, engagement, incidents, strategies, note, recorded_by, device_time, received_at, request_id) VALUES ('save-jordan-{date}', 'entry-jordan-{date}', 'session-jordan-{weekday}', '{date}', {}, {engagement}, {}, {}, '', 'person-tutor-maya', '{saved}', '{saved}', 'demo-seed');\n",
                q(PLACEMENT),
                q(&serde_json::Value::Array(incidents).to_string()),
                q(&serde_json::Value::Array(strategies).to_string())
            );
        }
    }
    let reviews = [
        (
            start + Duration::weeks(6) + Duration::days(4),
            "person-tutor-maya",
            "10 years 1 month (NGRT)",
            "NULL",
            "Settling: fewer flare-ups since we started the visual timetable.",
        ),
        (
            end,
            "person-admin",
            expected::READING_AGE_NOW,
            "'Working at year 6 expectations'",
            "Jordan is ready to return full time. Keep the visual timetable and movement breaks; warn him of changes the day before.",
        ),
    ];
    for (n, (day, by, reading, english, text)) in reviews.iter().enumerate() {
        sql += &format!(
            "INSERT INTO reviews (id, placement_id, reading_age, english_level, maths_level, commentary, written_by, written_at, request_id) VALUES ('review-jordan-{n}', {}, {}, {english}, NULL, {}, {}, '{day}T15:30:00Z', 'demo-seed');\n",
            q(PLACEMENT),
            q(reading),
            q(text),
            q(by)
        );
    }
    sql
}
