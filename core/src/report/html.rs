//! The export as one self-contained, accessible HTML page: headings in
//! order, every chart an image with a text description and its figures in a
//! table, and print styles for A4.

use std::fmt::Write;

use super::chart::{self, Chart};
use super::{ReintegrationExport, text};

/// Text made safe for HTML content and attribute values.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root{color-scheme:light;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1b1b1b;background:#fff}
body{margin:0 auto;max-width:52rem;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:2px solid #1d4e89}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.summary dt{font-weight:600}dl.summary dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #b1b4b6;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figcaption{font-weight:600}svg{width:100%;height:auto;max-width:40rem}
details summary{cursor:pointer;min-height:44px;display:flex;align-items:center;color:#1d4e89;text-decoration:underline}
.axis{stroke:#505a5f;stroke-width:1}.grid{stroke:#dcdcdc;stroke-width:.5}.line{fill:none;stroke:#1d4e89;stroke-width:2}
.dot{fill:#1d4e89}.trend{stroke:#b35900;stroke-width:1.5;stroke-dasharray:6 4}.label{font-size:9px;fill:#1b1b1b}
footer{margin-top:2rem;color:#505a5f;font-size:.9rem}
@media print{body{max-width:none;padding:0}details{display:block}details>summary{display:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
@page{size:A4;margin:18mm}
";

fn svg(c: &Chart, id: &str) -> String {
    let mut s = String::new();
    let (l, t, r, b) = c.area;
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        chart::WIDTH,
        chart::HEIGHT,
        escape(&c.title),
        escape(&c.description)
    );
    for tick in &c.y_ticks {
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{l}\" y1=\"{y}\" x2=\"{r}\" y2=\"{y}\"/>\
             <text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            l - 4.0,
            tick.at + 3.0,
            escape(&tick.label),
            y = tick.at
        );
    }
    for tick in &c.x_ticks {
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            tick.at,
            b + 14.0,
            escape(&tick.label)
        );
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/>\
         <line class=\"axis\" x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\"/>"
    );
    if let Some([(x1, y1), (x2, y2)]) = c.trend {
        let _ = write!(
            s,
            "<line class=\"trend\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"/>"
        );
    }
    for run in &c.lines {
        let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            s,
            "<polyline class=\"line\" points=\"{}\"/>",
            points.join(" ")
        );
    }
    for (x, y) in &c.points {
        let _ = write!(
            s,
            "<circle class=\"dot\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\"/>"
        );
    }
    s.push_str("</svg>");
    s
}

fn figure(c: &Chart, id: &str, heading: &str) -> String {
    let rows: String = c
        .table
        .iter()
        .map(|(w, v)| {
            format!(
                "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td></tr>",
                escape(w),
                escape(v)
            )
        })
        .collect();
    format!(
        "<figure><figcaption>{}</figcaption>{}<p>{} {}</p>\
         <details><summary>The figures week by week</summary>\
         <table><thead><tr><th scope=\"col\">Week of</th><th scope=\"col\" class=\"n\">{}</th></tr></thead>\
         <tbody>{rows}</tbody></table></details></figure>",
        escape(&c.title),
        svg(c, id),
        escape(&c.description),
        chart::LEGEND,
        escape(heading)
    )
}

fn paragraphs(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("<p>{}</p>", escape(l)))
        .collect()
}

/// The whole page.
pub fn render(e: &ReintegrationExport) -> String {
    let [attendance, incidents, engagement] = chart::charts(e);
    let mut h = String::new();
    let title = escape(&text::title(e));
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main><h1>{title}</h1>\
         <dl class=\"summary\">"
    );
    for (label, value) in text::summary(e) {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(&value));
    }
    h.push_str("</dl><h2>Attendance</h2>");
    h += &paragraphs(&text::attendance(e));
    h += &figure(&attendance, "chart-attendance", "Attendance");
    h.push_str("<h2>Behaviour incidents</h2>");
    h += &paragraphs(&text::incidents(e));
    h += &figure(&incidents, "chart-incidents", "Incidents");
    h.push_str("<h2>Engagement</h2>");
    h += &paragraphs(&text::engagement(e));
    h += &figure(&engagement, "chart-engagement", "Mean engagement");
    h.push_str("<h2>Strategies that worked</h2>");
    if e.strategies.is_empty() {
        let _ = write!(h, "<p>{}</p>", text::NO_STRATEGIES);
    } else {
        h.push_str(
            "<p>Ranked by evidence: the mean effect (1 to 5) less a margin that shrinks as uses grow, \
             so a strategy tried once does not outrank one tried many times.</p><table>\
             <thead><tr><th scope=\"col\" class=\"n\">Rank</th><th scope=\"col\">Strategy</th>\
             <th scope=\"col\" class=\"n\">Uses (n)</th><th scope=\"col\" class=\"n\">Mean effect</th></tr></thead><tbody>",
        );
        for (i, s) in e.strategies.iter().enumerate() {
            let _ = write!(
                h,
                "<tr><td class=\"n\">{}</td><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{:.2}</td></tr>",
                i + 1,
                escape(&s.strategy),
                s.uses,
                s.mean_effect
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("<h2>Triggers to avoid</h2>");
    if e.triggers.is_empty() && e.approaches_to_avoid.is_empty() {
        let _ = write!(h, "<p>{}</p>", text::NO_TRIGGERS);
    }
    if !e.triggers.is_empty() {
        h.push_str("<ul>");
        for t in &e.triggers {
            let _ = write!(
                h,
                "<li>{} ({})</li>",
                escape(&t.trigger),
                escape(&text::trigger_source(t.in_baseline, t.incidents))
            );
        }
        h.push_str("</ul>");
    }
    if !e.approaches_to_avoid.is_empty() {
        h.push_str("<h3>Approaches to avoid</h3><ul>");
        for a in &e.approaches_to_avoid {
            let _ = write!(h, "<li>{}</li>", escape(a));
        }
        h.push_str("</ul>");
    }
    h.push_str(
        "<h2>Then and now</h2><table><thead><tr><th scope=\"col\">Measure</th>\
         <th scope=\"col\">At the start</th><th scope=\"col\">Now</th></tr></thead><tbody>",
    );
    for l in &e.levels {
        let now = match (&l.now, l.assessed_on) {
            (Some(v), Some(d)) => format!("{v} ({})", text::date(d)),
            (Some(v), None) => v.clone(),
            (None, _) => text::NOT_ASSESSED.to_owned(),
        };
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
            escape(&l.measure),
            escape(l.at_start.as_deref().unwrap_or(text::NOT_ASSESSED)),
            escape(&now)
        );
    }
    h.push_str("</tbody></table><h2>Staff commentary</h2>");
    if e.commentary.is_empty() {
        let _ = write!(h, "<p>{}</p>", text::NO_COMMENTARY);
    }
    for c in &e.commentary {
        let _ = write!(
            h,
            "<blockquote><p>{}</p><p class=\"by\">{}, {}</p></blockquote>",
            escape(&c.text),
            escape(&c.written_by),
            escape(&text::date(c.written_on))
        );
    }
    let _ = write!(
        h,
        "</main><footer><p>{}</p></footer></body></html>",
        escape(&text::footer(e))
    );
    h
}
