use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

#[test]
fn scales_have_five_points_with_words() {
    assert!(Engagement::new(0).is_none() && Engagement::new(6).is_none());
    let words: Vec<&str> = (1..=5)
        .map(|p| Engagement::new(p).expect("point").descriptor())
        .collect();
    assert_eq!(words.len(), 5);
    assert!(words.windows(2).all(|w| w[0] != w[1]));
    assert_eq!(
        Effect::new(1).map(Effect::descriptor),
        Some("Made things worse")
    );
    assert!(serde_json::from_str::<Engagement>("7").is_err());
    assert_eq!(
        serde_json::to_string(&Engagement::new(4)).ok().as_deref(),
        Some("4")
    );
}

#[test]
fn weeks_start_on_monday_in_london_across_the_clock_change() {
    // 23:30 UTC on Sunday 29 March 2026 is 00:30 BST on Monday 30 March.
    assert_eq!(week_of(at("2026-03-29T23:30:00Z")), d("2026-03-30"));
    assert_eq!(week_of(at("2026-03-29T22:59:00Z")), d("2026-03-23"));
    // In winter, London is UTC.
    assert_eq!(week_of(at("2026-10-25T23:30:00Z")), d("2026-10-19"));
    assert_eq!(week_of(at("2026-10-26T00:00:00Z")), d("2026-10-26"));
    assert_eq!(
        weeks(d("2026-03-25"), d("2026-04-07")),
        [d("2026-03-23"), d("2026-03-30"), d("2026-04-06")]
    );
}

#[test]
fn weekly_figures_keep_empty_weeks() {
    let w = weeks(d("2026-01-05"), d("2026-01-25"));
    let means = weekly_means(
        &w,
        [
            (d("2026-01-05"), 2.0),
            (d("2026-01-09"), 4.0),
            (d("2026-01-21"), 5.0),
        ],
    );
    assert_eq!(
        means,
        vec![
            (d("2026-01-05"), Some(3.0), 2),
            (d("2026-01-12"), None, 0),
            (d("2026-01-19"), Some(5.0), 1)
        ]
    );
    assert_eq!(
        weekly_counts(&w, [d("2026-01-13"), d("2026-01-14")]),
        vec![0, 2, 0]
    );
}

#[test]
fn trends_say_which_way_is_better() {
    let rising = [Some(2.0), None, Some(3.0), Some(4.0)];
    let s = slope(&rising).expect("slope");
    assert!((s - 0.6428).abs() < 1e-3, "{s}");
    assert_eq!(direction(Some(s), true, 0.1), Direction::Improving);
    assert_eq!(direction(Some(s), false, 0.1), Direction::Worsening);
    assert_eq!(direction(Some(0.05), true, 0.1), Direction::Steady);
    assert_eq!(
        direction(slope(&[Some(1.0), None]), true, 0.1),
        Direction::NotEnoughData
    );
}

#[test]
fn ranking_weighs_evidence() {
    let e = |p| Effect::new(p).expect("point");
    let mut uses = vec![("Movement break", e(5))];
    uses.extend((0..30).map(|i| ("Quiet word one to one", e(if i % 3 == 0 { 4 } else { 5 }))));
    uses.extend((0..4).map(|_| ("Raised voice", e(1))));
    let ranked = rank_strategies(uses.iter().map(|(n, e)| (*n, *e)));
    let names: Vec<&str> = ranked.iter().map(|r| r.strategy.as_str()).collect();
    assert_eq!(
        names,
        ["Quiet word one to one", "Movement break", "Raised voice"]
    );
    assert_eq!((ranked[0].uses, ranked[1].uses), (30, 1));
}

proptest! {
    /// With the same mean, more uses never rank below fewer.
    #[test]
    fn more_evidence_never_ranks_lower_at_the_same_mean(point in 1u8..=5, fewer in 1u32..10, extra in 1u32..40) {
        let e = Effect::new(point).expect("point");
        let more = fewer + extra;
        let uses: Vec<(&str, Effect)> = (0..fewer).map(|_| ("a", e)).chain((0..more).map(|_| ("b", e))).collect();
        let ranked = rank_strategies(uses);
        prop_assert_eq!(ranked[0].strategy.as_str(), "b");
        prop_assert!(ranked.iter().all(|r| (r.mean_effect - f64::from(point)).abs() < 1e-9));
    }

    /// Every day falls in the week that starts on the Monday before it.
    #[test]
    fn a_day_is_in_its_own_week(days in 0i64..4000) {
        let day = d("2020-01-01") + Duration::days(days);
        let week = week_of_date(day);
        prop_assert_eq!(week.weekday(), chrono::Weekday::Mon);
        prop_assert!(week <= day && day - week < Duration::days(7));
    }
}
