//! The demo that `make run` loads and the tests start from: Riverside, an AP
//! with a DSL, an admin, two tutors and a taxi escort; Northgate Academy with
//! a SENCo; Kirkfield's LA commissioner; six pupils with placements and
//! sessions today. A second AP, Hillside, with one pupil, shows that APs are
//! kept apart.

pub mod history;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use lt_core::credentials::{SALT_BYTES, hash_password};

/// Every demo person signs in with this password.
pub const PASSWORD: &str = "learntrek-demo";

pub const AP: &str = "org-riverside";
pub const OTHER_AP: &str = "org-hillside";
pub const SCHOOL: &str = "org-northgate";
pub const LA: &str = "org-kirkfield";
pub const TAXI: &str = "org-swiftcabs";

pub struct DemoPerson {
    pub id: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    pub ap: &'static str,
    pub organisation: &'static str,
    pub role: &'static str,
    /// Pupils (by key) whose placements a scoped role was invited for.
    pub scope: &'static [&'static str],
    /// School staff who are their school's DSL.
    pub is_dsl: bool,
}

const fn person(
    id: &'static str,
    email: &'static str,
    name: &'static str,
    ap: &'static str,
    organisation: &'static str,
    role: &'static str,
    scope: &'static [&'static str],
) -> DemoPerson {
    DemoPerson {
        id,
        email,
        name,
        ap,
        organisation,
        role,
        scope,
        is_dsl: false,
    }
}

pub const PEOPLE: &[DemoPerson] = &[
    person(
        "person-admin",
        "admin@riverside.example",
        "Priya Shah",
        AP,
        AP,
        "ap_admin",
        &[],
    ),
    person(
        "person-dsl",
        "dsl@riverside.example",
        "Daniel Okafor",
        AP,
        AP,
        "dsl",
        &[],
    ),
    person(
        "person-tutor-maya",
        "maya.lewis@riverside.example",
        "Maya Lewis",
        AP,
        AP,
        "off_site_tutor",
        &["amara", "leo", "sofia"],
    ),
    person(
        "person-tutor-tom",
        "tom.reid@riverside.example",
        "Tom Reid",
        AP,
        AP,
        "off_site_tutor",
        &["leo", "jayden", "ellie", "kai", "mia"],
    ),
    person(
        "person-escort",
        "gary.hill@swiftcabs.example",
        "Gary Hill",
        AP,
        TAXI,
        "taxi_escort",
        &[],
    ),
    person(
        "person-senco",
        "senco@northgate.example",
        "Helen Price",
        AP,
        SCHOOL,
        "school_staff",
        &["amara", "leo", "jayden", "sofia", "mia"],
    ),
    DemoPerson {
        is_dsl: true,
        ..person(
            "person-school-dsl",
            "dsl@northgate.example",
            "Mark Evans",
            AP,
            SCHOOL,
            "school_staff",
            &["amara", "leo"],
        )
    },
    person(
        "person-commissioner",
        "commissioning@kirkfield.example",
        "Ruth Adams",
        AP,
        LA,
        "la_commissioner",
        &["ellie", "kai"],
    ),
    person(
        "person-hillside-admin",
        "admin@hillside.example",
        "Owen Clarke",
        OTHER_AP,
        OTHER_AP,
        "ap_admin",
        &[],
    ),
];

/// (start, end, venue, tutor, escorted): one session of a pupil's school day.
type Slot = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
);

pub struct Pupil {
    pub key: &'static str,
    pub ap: &'static str,
    pub first: &'static str,
    pub last: &'static str,
    born: &'static str,
    pub commissioner: &'static str,
    tier: &'static str,
    day: &'static [Slot],
    /// Where escorted runs collect the pupil.
    home: Option<&'static str>,
    /// (name, relationship, phone) for the contacts section.
    emergency: Option<(&'static str, &'static str, &'static str)>,
    /// `active`, or `referred` for a pupil whose baseline is still to complete.
    pub state: &'static str,
    /// (reading age, SEN status, triggers, strategies) for the baseline.
    learning: (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    ),
}

/// A valid UPN issued by Kirkfield (LA 941) at Northgate (4001) in 2024.
fn upn(serial: usize) -> String {
    let rest = format!("941400124{:03}", serial + 101);
    let letter = lt_core::domain::upn_check_letter(rest.as_bytes()).map_or('?', char::from);
    format!("{letter}{rest}")
}

fn half_an_hour_before(time: &str) -> String {
    chrono::NaiveTime::parse_from_str(time, "%H:%M")
        .map(|t| (t - Duration::minutes(30)).format("%H:%M").to_string())
        .unwrap_or_else(|_| time.to_owned())
}

const MAYA: Option<&str> = Some("person-tutor-maya");
const TOM: Option<&str> = Some("person-tutor-tom");

pub const PUPILS: &[Pupil] = &[
    Pupil {
        key: "amara",
        state: "active",
        learning: (
            "10 years 2 months (NGRT, Sept 2026)",
            "sen_support",
            &[
                "Sudden changes to the plan",
                "Being singled out in front of peers",
            ],
            &[
                "Warn of changes the day before",
                "A quiet word one to one, not in front of the group",
            ],
        ),
        home: Some("14 Elm Road, Kirkfield KF2 7AB"),
        emergency: Some(("Grace Johnson", "Mother", "07700 900123")),
        ap: AP,
        first: "Amara",
        last: "Johnson",
        born: "2012-03-14",
        commissioner: SCHOOL,
        tier: "short_term",
        day: &[
            ("09:30", "12:00", "venue-centre", MAYA, true),
            ("12:45", "14:30", "venue-centre", MAYA, false),
        ],
    },
    Pupil {
        key: "leo",
        state: "active",
        learning: (
            "8 years 11 months (NGRT, Sept 2026)",
            "ehc_plan",
            &["Loud, crowded rooms", "Being rushed to finish"],
            &[
                "Movement breaks every 20 minutes",
                "Visual timetable on the desk",
            ],
        ),
        home: Some("3 Canal Walk, Kirkfield KF2 5LC"),
        emergency: Some(("Dean Carter", "Father", "07700 900456")),
        ap: AP,
        first: "Leo",
        last: "Carter",
        born: "2011-11-02",
        commissioner: SCHOOL,
        tier: "short_term",
        day: &[
            ("09:30", "12:00", "venue-centre", MAYA, true),
            ("12:45", "14:30", "venue-centre", TOM, false),
        ],
    },
    Pupil {
        key: "jayden",
        state: "active",
        learning: (
            "11 years 0 months (NGRT, Sept 2026)",
            "no_sen",
            &["Talk of his older brother"],
            &["Start with practical tasks", "Praise effort, privately"],
        ),
        home: None,
        emergency: None,
        ap: AP,
        first: "Jayden",
        last: "Brooks",
        born: "2012-07-21",
        commissioner: SCHOOL,
        tier: "short_term",
        day: &[("10:00", "12:30", "venue-centre", TOM, false)],
    },
    Pupil {
        key: "sofia",
        state: "active",
        learning: (
            "9 years 6 months (Salford, Oct 2026)",
            "sen_support",
            &["Group work without a clear role"],
            &["Give her a named role in group tasks"],
        ),
        home: None,
        emergency: None,
        ap: AP,
        first: "Sofia",
        last: "Novak",
        born: "2013-01-09",
        commissioner: SCHOOL,
        tier: "outreach",
        day: &[("13:15", "14:45", "venue-northgate", MAYA, false)],
    },
    Pupil {
        key: "ellie",
        state: "active",
        learning: (
            "12 years 4 months (NGRT, Sept 2026)",
            "ehc_plan",
            &["Unexpected adults in the room", "Raised voices"],
            &[
                "Same tutor each session",
                "Agree an exit signal she can use",
            ],
        ),
        home: Some("Flat 2, 40 Station Road, Kirkfield KF1 3SR"),
        emergency: Some(("Marie Dunn", "Foster carer", "07700 900789")),
        ap: AP,
        first: "Ellie",
        last: "Turner",
        born: "2010-09-30",
        commissioner: LA,
        tier: "eotas",
        day: &[
            ("09:00", "10:30", "venue-online", TOM, false),
            ("11:00", "12:30", "venue-library", TOM, true),
        ],
    },
    Pupil {
        key: "kai",
        state: "active",
        learning: (
            "9 years 9 months (NGRT, Sept 2026)",
            "sen_support",
            &["Long written tasks"],
            &[
                "Chunk tasks into 10-minute steps",
                "Let him dictate first drafts",
            ],
        ),
        home: None,
        emergency: None,
        ap: AP,
        first: "Kai",
        last: "Morgan",
        born: "2011-05-17",
        commissioner: LA,
        tier: "eotas",
        day: &[("13:00", "15:00", "venue-library", TOM, false)],
    },
    Pupil {
        key: "mia",
        state: "referred",
        learning: ("", "", &[], &[]),
        home: None,
        emergency: None,
        ap: AP,
        first: "Mia",
        last: "Clarke",
        born: "2012-10-05",
        commissioner: SCHOOL,
        tier: "short_term",
        day: &[("10:00", "12:00", "venue-centre", TOM, false)],
    },
    Pupil {
        key: "noah",
        state: "active",
        learning: (
            "10 years 0 months (NGRT, Sept 2026)",
            "no_sen",
            &[],
            &["Clear, short instructions"],
        ),
        home: None,
        emergency: None,
        ap: OTHER_AP,
        first: "Noah",
        last: "Bennett",
        born: "2012-02-11",
        commissioner: SCHOOL,
        tier: "short_term",
        day: &[("09:15", "12:15", "venue-hillside", None, false)],
    },
];

fn q(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub fn placement_id(pupil_key: &str) -> String {
    format!("placement-{pupil_key}")
}

/// SQL that loads the demo into a freshly migrated database, with sessions on
/// every school day and on `today` too, so the demo always has a day to show.
pub fn seed_sql(today: NaiveDate) -> String {
    let now = q(&Utc::now().to_rfc3339());
    let mut sql =
        String::from("-- LearnTrek demo; generated by `cargo run -p lt-tests --bin demo-seed`.\n");
    let orgs = [
        (AP, "ap", "Riverside Learning Centre", "NULL", "NULL"),
        (
            OTHER_AP,
            "ap",
            "Hillside Alternative Provision",
            "NULL",
            "NULL",
        ),
        (SCHOOL, "school", "Northgate Academy", "'138240'", "NULL"),
        (LA, "la", "Kirkfield Borough Council", "NULL", "'941'"),
        (TAXI, "transport", "Swift Cabs", "NULL", "NULL"),
    ];
    for (id, kind, name, urn, la) in orgs {
        sql += &format!(
            "INSERT INTO organisations (id, kind, name, urn, la_code, created_at) VALUES ({}, {}, {}, {urn}, {la}, {now});\n",
            q(id),
            q(kind),
            q(name)
        );
    }
    let venues = [
        (
            "venue-centre",
            AP,
            "Riverside Centre",
            "14 Mill Lane, Kirkfield KF2 4RT",
        ),
        (
            "venue-northgate",
            AP,
            "Northgate Academy, learning support room",
            "Northgate Road, Kirkfield KF1 2NA",
        ),
        (
            "venue-library",
            AP,
            "Kirkfield Library study room",
            "Market Square, Kirkfield KF1 1LB",
        ),
        ("venue-online", AP, "Online (video call)", "Online"),
        (
            "venue-hillside",
            OTHER_AP,
            "Hillside Centre",
            "2 Hill Street, Kirkfield KF3 9HS",
        ),
    ];
    for (id, ap, name, address) in venues {
        sql += &format!(
            "INSERT INTO venues (id, ap_id, name, address) VALUES ({}, {}, {}, {});\n",
            q(id),
            q(ap),
            q(name),
            q(address)
        );
    }
    let start = today - Duration::weeks(4);
    let end = today + Duration::weeks(8);
    let mut weekdays: Vec<u32> = (1..=5).collect();
    let today_number = today.weekday().number_from_monday();
    if !weekdays.contains(&today_number) {
        weekdays.push(today_number);
    }
    for (i, p) in PEOPLE.iter().enumerate() {
        let salt = [u8::try_from(i).unwrap_or(0).wrapping_add(1); SALT_BYTES];
        sql += &format!(
            "INSERT INTO people (id, email, name, password_hash, created_at) VALUES ({}, {}, {}, {}, {now});\n",
            q(p.id),
            q(p.email),
            q(p.name),
            q(&hash_password(PASSWORD, &salt))
        );
    }
    for (number, p) in PUPILS.iter().enumerate() {
        let pupil = format!("pupil-{}", p.key);
        let placement = placement_id(p.key);
        sql += &format!(
            "INSERT INTO pupils (id, ap_id, first_name, last_name, date_of_birth, upn, created_at) VALUES ({}, {}, {}, {}, {}, {}, {now});\n",
            q(&pupil),
            q(p.ap),
            q(p.first),
            q(p.last),
            q(p.born),
            // A referral arrives without a UPN; the baseline asks for it.
            if p.state == "active" {
                q(&upn(number))
            } else {
                "NULL".into()
            }
        );
        let end_date = if p.tier == "short_term" {
            q(&end.to_string())
        } else {
            "NULL".into()
        };
        sql += &format!(
            "INSERT INTO placements (id, ap_id, pupil_id, commissioner_id, tier, state, start_date, end_date, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {end_date}, {now});\n",
            q(&placement),
            q(p.ap),
            q(&pupil),
            q(p.commissioner),
            q(p.tier),
            q(p.state),
            q(&start.to_string())
        );
        for &weekday in &weekdays {
            for (n, (from, to, venue, tutor, escorted)) in p.day.iter().enumerate() {
                let escort = if *escorted {
                    q("person-escort")
                } else {
                    "NULL".into()
                };
                let tutor = tutor.map_or("NULL".into(), q);
                // Escorted runs collect the pupil from home half an hour before the start.
                let (pickup_place, pickup_time) = match (*escorted, p.home) {
                    (true, Some(home)) => (q(home), q(&half_an_hour_before(from))),
                    _ => ("NULL".into(), "NULL".into()),
                };
                sql += &format!(
                    "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id, escort_id, pickup_place, pickup_time) VALUES ({}, {}, {weekday}, {}, {}, {}, {tutor}, {escort}, {pickup_place}, {pickup_time});\n",
                    q(&format!("session-{}-{weekday}-{n}", p.key)),
                    q(&placement),
                    q(from),
                    q(to),
                    q(venue)
                );
            }
        }
        for (field, value, by) in baseline(p, &upn(number)) {
            let organisation = PEOPLE
                .iter()
                .find(|x| x.id == by)
                .map_or(p.commissioner, |x| x.organisation);
            sql += &format!(
                "INSERT INTO baseline_entries (placement_id, field, value, source, entered_by, organisation_id, entered_at, request_id) VALUES ({}, {}, {}, 'typed', {}, {}, {now}, 'demo-seed');\n",
                q(&placement),
                q(field),
                q(&value.to_string()),
                q(by),
                q(organisation)
            );
        }
    }
    for p in PEOPLE {
        sql += &format!(
            "INSERT INTO grants (person_id, ap_id, organisation_id, role, is_dsl, created_at) VALUES ({}, {}, {}, {}, {}, {now});\n",
            q(p.id),
            q(p.ap),
            q(p.organisation),
            q(p.role),
            u8::from(p.is_dsl)
        );
        for key in p.scope {
            sql += &format!(
                "INSERT INTO grant_scopes (person_id, ap_id, role, placement_id, created_at) VALUES ({}, {}, {}, {}, {now});\n",
                q(p.id),
                q(p.ap),
                q(p.role),
                q(&placement_id(key))
            );
        }
    }
    sql += &history::sql(today, &now);
    sql
}

/// The baseline a pupil's placement starts the demo with, as (field, value,
/// entered by). Active placements have a complete one, entered by their
/// commissioner (safeguarding by the school's DSL or the LA); a referred
/// one has only what the referral said.
fn baseline(p: &Pupil, upn: &str) -> Vec<(&'static str, serde_json::Value, &'static str)> {
    use serde_json::json;
    let identity = vec![
        ("identity.first_name", json!(p.first), "person-admin"),
        ("identity.last_name", json!(p.last), "person-admin"),
        ("identity.date_of_birth", json!(p.born), "person-admin"),
    ];
    if p.state != "active" {
        return identity;
    }
    let (by, lead) = match (p.commissioner, p.ap) {
        (LA, _) => ("person-commissioner", "person-commissioner"),
        (_, AP) => ("person-senco", "person-school-dsl"),
        _ => ("person-hillside-admin", "person-hillside-admin"),
    };
    let (reading_age, sen, triggers, strategies) = p.learning;
    let (cp, cin, lac, risks, not_to_collect) = match p.key {
        "amara" => (
            false,
            true,
            false,
            "Older contacts outside school; see DSL notes of 12 Nov",
            json!(["Father (court order)"]),
        ),
        "ellie" => (
            true,
            false,
            true,
            "Self-harm history; keep sharp tools supervised",
            json!([]),
        ),
        _ => (false, false, false, "None known", json!([])),
    };
    let (name, relationship, phone) =
        p.emergency
            .unwrap_or(("Sam Taylor", "Parent", "07700 900321"));
    let mut all = identity;
    all.extend([
        ("identity.upn", json!(upn), by),
        ("safeguarding.child_protection_plan", json!(cp), lead),
        ("safeguarding.child_in_need", json!(cin), lead),
        ("safeguarding.looked_after", json!(lac), lead),
        ("safeguarding.known_risks", json!(risks), lead),
        ("safeguarding.not_to_collect", not_to_collect, lead),
        ("academic.reading_age", json!(reading_age), by),
        (
            "academic.english_level",
            json!("Working towards year 6 expectations"),
            by,
        ),
        ("academic.maths_level", json!("Secure at year 5"), by),
        ("academic.sen_status", json!(sen), by),
        ("behaviour.triggers", json!(triggers), by),
        ("strategies.known_to_work", json!(strategies), by),
        ("medical.needs", json!("None"), by),
        (
            "contacts.emergency",
            json!({ "name": name, "relationship": relationship, "phone": phone }),
            by,
        ),
    ]);
    all
}

/// How many sessions the demo has at `ap` on any day it runs.
pub fn sessions_per_day(ap: &str) -> usize {
    PUPILS
        .iter()
        .filter(|p| p.ap == ap && p.state == "active")
        .map(|p| p.day.len())
        .sum()
}

pub fn person_by_role(role: &str) -> &'static DemoPerson {
    PEOPLE
        .iter()
        .find(|p| p.role == role && p.ap == AP)
        .unwrap_or_else(|| panic!("no demo {role}"))
}

/// The latest weekday before today: every demo session runs on weekdays, and
/// a past occurrence's register is open whatever the time of day.
pub fn last_school_day() -> NaiveDate {
    let today = lt_core::london::local_date(Utc::now());
    (1..=7)
        .map(|n| today - Duration::days(n))
        .find(|d| d.weekday().number_from_monday() <= 5)
        .expect("a weekday in the last week")
}

/// The id the seed gives a pupil's `n`th session of `on`'s weekday.
pub fn session_id(pupil: &str, n: usize, on: NaiveDate) -> String {
    format!("session-{pupil}-{}-{n}", on.weekday().number_from_monday())
}

/// When the cron raises the last school day's missed-arrival alerts for
/// the morning sessions (09:30 starts, 10 minutes' grace).
pub fn morning_alerts_due() -> chrono::DateTime<Utc> {
    let nine_forty = chrono::NaiveTime::from_hms_opt(9, 40, 0).expect("time");
    lt_core::london::to_utc(last_school_day(), nine_forty)
}

fn weekday_today() -> u32 {
    lt_core::london::local_date(Utc::now())
        .weekday()
        .number_from_monday()
}

/// SQL for a session of `pupil` with `tutor_id` running all day today, so
/// its register is open at any hour (but the first minute).
pub fn all_day_session_sql(id: &str, pupil: &str, tutor_id: &str) -> String {
    format!(
        "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id)
         VALUES ('{id}', '{}', {}, '00:01', '23:59', 'venue-centre', '{tutor_id}')",
        placement_id(pupil),
        weekday_today()
    )
}

/// SQL for `count` sessions running all day today, `{prefix}0`, `{prefix}1`…,
/// taken in turn by `pupils` and taught by Maya: a morning's worth of
/// registers, one occurrence each.
pub fn all_day_sessions_sql(prefix: &str, count: usize, pupils: &[&str]) -> String {
    let placements: Vec<String> = pupils
        .iter()
        .map(|p| format!("\"{}\"", placement_id(p)))
        .collect();
    format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {})
         INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, tutor_id)
         SELECT '{prefix}' || i, json_extract('[{}]', '$[' || (i % {}) || ']'), {},
                '00:01', '23:59', 'venue-centre', 'person-tutor-maya' FROM n",
        count - 1,
        placements.join(","),
        pupils.len(),
        weekday_today()
    )
}

/// SQL for a taxi run of `pupil` with the demo escort, under way all day
/// today (a run opens for confirming three hours before its session).
pub fn all_day_run_sql(id: &str, pupil: &str) -> String {
    format!(
        "INSERT INTO sessions (id, placement_id, weekday, start_time, end_time, venue_id, escort_id,
                               pickup_place, pickup_time)
         VALUES ('{id}', '{}', {}, '00:00', '23:59', 'venue-centre',
                 'person-escort', '14 Elm Road, Kirkfield KF2 7AB', '00:00')",
        placement_id(pupil),
        weekday_today()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_weekday_including_weekends_gets_today() {
        let saturday = NaiveDate::from_ymd_opt(2026, 12, 5).expect("date");
        let sql = seed_sql(saturday);
        assert!(sql.contains("session-amara-6-0"));
        assert!(!sql.contains("session-amara-7-0"));
        // The demo pupils and Jordan, whose history is seeded apart.
        assert_eq!(sql.matches("INSERT INTO pupils").count(), PUPILS.len() + 1);
    }

    #[test]
    fn scopes_name_real_pupils_of_the_same_ap() {
        for p in PEOPLE {
            for key in p.scope {
                let pupil = PUPILS.iter().find(|x| x.key == *key).expect("pupil");
                assert_eq!(pupil.ap, p.ap, "{} scoped to another AP's pupil", p.id);
            }
        }
    }

    #[test]
    fn demo_upns_are_valid() {
        for n in 0..PUPILS.len() {
            assert!(
                lt_core::domain::Upn::parse(&upn(n), "upn").is_ok(),
                "{}",
                upn(n)
            );
        }
    }

    #[test]
    fn active_demo_placements_pass_the_gate_and_referred_ones_do_not() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        for (n, p) in PUPILS.iter().enumerate() {
            let entries = baseline(p, &upn(n));
            for (field, value, _) in &entries {
                let spec = lt_core::gate::fields::by_id(field).expect("known field");
                let checked = lt_core::gate::check_value(spec, value, field, today);
                assert_eq!(checked.as_ref(), Ok(value), "{} {field}", p.key);
            }
            let current: Vec<(String, serde_json::Value)> = entries
                .into_iter()
                .map(|(f, v, _)| (f.to_owned(), v))
                .collect();
            let missing = lt_core::gate::view::missing_count(&current);
            assert_eq!(
                missing == 0,
                p.state == "active",
                "{}: {missing} missing",
                p.key
            );
        }
    }

    #[test]
    fn quotes_are_escaped() {
        assert_eq!(q("O'Neil"), "'O''Neil'");
    }
}
