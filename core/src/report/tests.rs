use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use super::*;
use crate::api::{Incident, Review, StrategyUse};
use crate::progress::{Effect, IncidentKind, Severity};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn incident(trigger: &str, severity: Severity) -> Incident {
    Incident {
        kind: IncidentKind::Disruption,
        severity,
        time: NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
        trigger: trigger.to_owned(),
        strategy: String::new(),
        outcome: String::new(),
    }
}

fn uses(name: &str, effect: u8) -> StrategyUse {
    StrategyUse {
        strategy: name.to_owned(),
        effect: Effect::new(effect).expect("effect"),
    }
}

/// Twelve weeks from Monday 7 September 2026 (over the end of BST on 25
/// October), sessions on Monday, Wednesday and Friday.
fn twelve_weeks() -> Records {
    let start = d(2026, 9, 7);
    let mut sessions = Vec::new();
    let mut progress = Vec::new();
    for week in 0..12u32 {
        for (n, weekday) in [Weekday::Mon, Weekday::Wed, Weekday::Fri]
            .iter()
            .enumerate()
        {
            let date = start
                + Duration::weeks(i64::from(week))
                + Duration::days(i64::from(weekday.num_days_from_monday()));
            let code = match (week, n) {
                (0, 1) => Some("O"),
                (0, 2) => Some("I"),
                (5, 1) => Some("Y1"),
                (6, 2) => None,
                (3, 1) => Some("L"),
                _ => Some("/"),
            };
            sessions.push(HeldSession {
                date,
                code: code.map(str::to_owned),
            });
            if code.is_some_and(|c| c == "/" || c == "L") {
                let engagement = u8::try_from(2 + week / 4).expect("small");
                // Three incidents a week at first, none by the end.
                let incidents = if n == 0 && week < 9 {
                    (0..(3 - week / 3))
                        .map(|i| {
                            incident(
                                if i == 0 {
                                    "being singled out in front of PEERS"
                                } else {
                                    "Noise in the corridor"
                                },
                                if week == 0 && i == 0 {
                                    Severity::High
                                } else {
                                    Severity::Low
                                },
                            )
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                progress.push(ProgressEntry {
                    date,
                    engagement: Engagement::new(engagement).expect("engagement"),
                    incidents,
                    strategies: vec![uses("Movement breaks", 4)],
                });
            }
        }
    }
    // Tried once, rated top: must not outrank thirty uses at 4.
    progress[1].strategies.push(uses("Reward chart", 5));
    Records {
        generated_at: "2026-11-27T16:00:00Z".parse().expect("time"),
        up_to: d(2026, 11, 27),
        pupil: PupilSummary {
            first_name: "Amara".into(),
            last_name: "Johnson <Jr>".into(),
            date_of_birth: d(2012, 3, 14),
            upn: Some("A941400124101".into()),
        },
        placement: PlacementSummary {
            placement_id: "placement-amara".into(),
            ap: "Riverside Learning Centre".into(),
            commissioner: "Northgate Academy".into(),
            tier: Tier::ShortTerm,
            start_date: start,
            end_date: Some(d(2026, 12, 18)),
            ended: false,
        },
        sessions,
        progress,
        baseline: Baseline {
            reading_age: Some("10 years 2 months".into()),
            english_level: Some("Working towards year 6".into()),
            maths_level: None,
            triggers: vec!["Being singled out in front of peers".into()],
            to_avoid: vec!["Raised voices".into()],
        },
        reviews: vec![
            Review {
                review_id: "r1".into(),
                placement_id: "placement-amara".into(),
                reading_age: Some("10 years 8 months".into()),
                english_level: None,
                maths_level: Some("Secure at year 5".into()),
                commentary: "Settled well.".into(),
                written_by: "Maya Lewis".into(),
                written_at: "2026-10-16T15:00:00Z".parse().expect("time"),
            },
            Review {
                review_id: "r2".into(),
                placement_id: "placement-amara".into(),
                reading_age: Some("11 years 1 month".into()),
                english_level: None,
                maths_level: None,
                commentary: "Ready for a phased return.".into(),
                written_by: "Priya Shah".into(),
                written_at: "2026-11-26T15:00:00Z".parse().expect("time"),
            },
        ],
    }
}

#[test]
fn attendance_counts_by_dfe_category_per_london_week() {
    let e = build(&twelve_weeks());
    let a = &e.attendance;
    assert_eq!(
        e.covers,
        Period {
            from: d(2026, 9, 7),
            to: d(2026, 11, 27)
        }
    );
    assert_eq!(a.weeks.len(), 12);
    assert!(a.weeks.iter().all(|w| w.week.weekday() == Weekday::Mon));
    // 36 held; Y1 is not a possible session; one was never registered.
    assert_eq!(
        (a.sessions, a.possible, a.attended, a.not_recorded),
        (36, 34, 32, 1)
    );
    assert_eq!((a.authorised_absences, a.unauthorised_absences), (1, 1));
    assert_eq!(a.rate, Some(94.1));
    assert_eq!(a.weeks[0].rate, Some(33.3));
    assert_eq!(a.weeks[5].possible, 2);
    assert_eq!(a.weeks[6].not_recorded, 1);
    assert_eq!(a.trend.direction, Direction::Improving);
}

#[test]
fn incidents_and_engagement_trend_the_right_way() {
    let e = build(&twelve_weeks());
    let counts: Vec<u32> = e.incidents.weeks.iter().map(|w| w.count).collect();
    assert_eq!(counts, [3, 3, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0]);
    assert_eq!((e.incidents.total, e.incidents.high_severity), (18, 1));
    assert_eq!(e.incidents.trend.direction, Direction::Improving);
    assert!(e.incidents.trend.per_week.is_some_and(|s| s < 0.0));
    let means: Vec<Option<f64>> = e.engagement.weeks.iter().map(|w| w.mean).collect();
    assert_eq!(means[0], Some(2.0));
    assert_eq!(means[11], Some(4.0));
    assert_eq!(e.engagement.trend.direction, Direction::Improving);
    assert_eq!(e.engagement.sessions_logged, 32);
}

#[test]
fn a_week_with_nothing_logged_is_a_gap_not_a_zero() {
    let mut records = twelve_weeks();
    records
        .progress
        .retain(|p| progress::week_of_date(p.date) != d(2026, 10, 12));
    let e = build(&records);
    let week = &e.incidents.weeks[5];
    assert_eq!((week.count, week.sessions_logged), (0, 0));
    assert_eq!(e.engagement.weeks[5].mean, None);
    let [_, incidents, engagement] = chart::charts(&e);
    // The gap breaks each line in two.
    assert_eq!(incidents.lines.len(), 2);
    assert_eq!(engagement.lines.len(), 2);
    assert_eq!(engagement.points.len(), 11);
}

#[test]
fn strategies_rank_by_evidence_and_triggers_merge_by_words() {
    let e = build(&twelve_weeks());
    assert_eq!(e.strategies[0].strategy, "Movement breaks");
    assert_eq!(e.strategies[0].uses, 32);
    assert_eq!(e.strategies[1].strategy, "Reward chart");
    assert_eq!(e.strategies[1].uses, 1);
    // The baseline's trigger, seen again in incidents written differently.
    let singled = &e.triggers[0];
    assert!(singled.in_baseline);
    assert_eq!(singled.trigger, "Being singled out in front of peers");
    assert_eq!(singled.incidents, 9);
    let noise = &e.triggers[1];
    assert!(!noise.in_baseline);
    assert_eq!(noise.incidents, 9);
    assert_eq!(e.approaches_to_avoid, ["Raised voices"]);
}

#[test]
fn levels_compare_the_baseline_with_the_latest_review_of_each() {
    let e = build(&twelve_weeks());
    let reading = &e.levels[0];
    assert_eq!(reading.at_start.as_deref(), Some("10 years 2 months"));
    assert_eq!(reading.now.as_deref(), Some("11 years 1 month"));
    assert_eq!(reading.assessed_on, Some(d(2026, 11, 26)));
    // The maths level was reviewed once, earlier; English never.
    assert_eq!(e.levels[2].now.as_deref(), Some("Secure at year 5"));
    assert_eq!(e.levels[2].assessed_on, Some(d(2026, 10, 16)));
    assert_eq!(e.levels[1].now, None);
    assert_eq!(e.commentary[0].text, "Ready for a phased return.");
    assert_eq!(e.commentary[1].written_by, "Maya Lewis");
}

#[test]
fn records_outside_the_placement_are_left_out() {
    let mut records = twelve_weeks();
    records.sessions.push(HeldSession {
        date: d(2026, 9, 4),
        code: Some("O".into()),
    });
    let e = build(&records);
    assert_eq!(e.attendance.sessions, 36);
}

#[test]
fn json_round_trips_and_has_a_schema() {
    let e = build(&twelve_weeks());
    let json = serde_json::to_string(&e).expect("serialises");
    let back: ReintegrationExport = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, e);
    assert!(json.contains("\"schema\":\"learntrek.reintegration-export.v1\""));
    let schema = serde_json::to_value(schemars::schema_for!(ReintegrationExport)).expect("schema");
    let required = schema["required"].as_array().expect("required");
    for field in [
        "attendance",
        "incidents",
        "engagement",
        "strategies",
        "levels",
    ] {
        assert!(required.iter().any(|r| r == field), "{field}");
    }
}

#[test]
fn html_is_escaped_and_carries_the_figures() {
    let e = build(&twelve_weeks());
    let page = html::render(&e);
    assert!(page.starts_with("<!doctype html><html lang=\"en-GB\">"));
    assert!(page.contains("Johnson &lt;Jr&gt;"));
    assert!(!page.contains("<Jr>"));
    assert!(page.contains("Attendance 94.1%: attended 32 of 34 possible sessions."));
    assert!(page.contains("18 behaviour incidents logged, 1 of high severity."));
    assert!(page.contains("<th scope=\"row\">Movement breaks</th><td class=\"n\">32</td>"));
    assert_eq!(page.matches("role=\"img\"").count(), 3);
    assert_eq!(page.matches("<polyline").count(), 3);
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_is_a4_with_its_fonts_embedded() {
    let e = build(&twelve_weeks());
    let bytes = pdf::render(&e).expect("renders");
    if let Ok(path) = std::env::var("LT_WRITE_PDF") {
        std::fs::write(path, &bytes).expect("write");
    }
    assert!(bytes.starts_with(b"%PDF-"));
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/FontFile2"), "TrueType font embedded");
    assert!(raw.contains("/ToUnicode"), "text can be extracted");
    // Tagged: a structure tree in reading order, the charts as figures
    // with their descriptions as alternative text.
    assert!(raw.contains("/StructTreeRoot") && raw.contains("/MarkInfo"));
    assert!(raw.contains("/Figure") && raw.contains("/Table") && raw.contains("/H1"));
    // krilla wrote it under its PDF/UA-1 checks, and says so.
    assert!(raw.contains("<pdfuaid:part>1</pdfuaid:part>"));
    assert!(raw.contains("/Outlines"));
    let pages = raw.matches("/Type/Page/").count();
    assert!(pages >= 2, "{pages} pages");
    assert_eq!(raw.matches("/MediaBox[0 0 595.28 841.89]").count(), pages);
}
