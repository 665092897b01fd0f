//! The Reintegration Export against the real worker: Jordan's twelve-week
//! demo placement gives the figures worked out by hand from the seed, the
//! same in JSON, HTML and the PDF (read back with poppler's pdftotext), with
//! its fonts embedded; reviews feed "where the pupil is now"; access and
//! bad input are refused, and every export is in the audit log.

use std::path::PathBuf;
use std::process::Command;

use lt_tests::client::{Client, error_of};
use lt_tests::demo::history::{self, expected};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";
const SENCO: &str = "senco@northgate.example";
const MAYA: &str = "maya.lewis@riverside.example";

fn export_path(format: &str) -> String {
    format!(
        "/api/placements/{}/export?format={format}",
        history::PLACEMENT
    )
}

fn out_dir() -> PathBuf {
    lt_tests::scratch("screenshots")
}

/// Text as poppler reads it, with runs of spaces (table columns) made one.
fn pdf_text(pdf: &PathBuf) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn twelve_weeks_give_the_same_figures_in_json_html_and_pdf() {
    let server = Server::start().await;
    let mut senco = Client::signed_in(&server, SENCO).await;

    let response = senco.get(&export_path("json")).await;
    assert_eq!(response.status(), 200);
    let export: Value = response.json().await.expect("json");
    assert_eq!(export["schema"], "learntrek.reintegration-export.v1");
    assert_eq!(export["pupil"]["first_name"], "Jordan");
    assert_eq!(export["placement"]["ended"], true);
    assert_eq!(export["placement"]["tier"], "short_term");
    let a = &export["attendance"];
    assert_eq!(a["sessions"], expected::SESSIONS);
    assert_eq!(a["possible"], expected::SESSIONS);
    assert_eq!(a["attended"], expected::ATTENDED);
    assert_eq!(a["unauthorised_absences"], expected::UNAUTHORISED);
    assert_eq!(a["authorised_absences"], expected::AUTHORISED);
    assert_eq!(a["not_recorded"], 0);
    assert_eq!(a["weeks"].as_array().expect("weeks").len(), 12);
    assert_eq!(a["trend"]["direction"], "improving");
    assert_eq!(export["incidents"]["total"], expected::INCIDENTS);
    assert_eq!(export["incidents"]["trend"]["direction"], "improving");
    let counts: Vec<u64> = export["incidents"]["weeks"]
        .as_array()
        .expect("weeks")
        .iter()
        .map(|w| w["count"].as_u64().expect("count"))
        .collect();
    assert_eq!(counts, [3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(export["engagement"]["sessions_logged"], expected::ATTENDED);
    assert_eq!(export["engagement"]["trend"]["direction"], "improving");
    let ranked: Vec<(String, u64)> = export["strategies"]
        .as_array()
        .expect("strategies")
        .iter()
        .map(|s| {
            (
                s["strategy"].as_str().expect("name").to_owned(),
                s["uses"].as_u64().expect("uses"),
            )
        })
        .collect();
    let wanted: Vec<(String, u64)> = expected::STRATEGIES
        .iter()
        .map(|(s, n, _)| ((*s).to_owned(), u64::from(*n)))
        .collect();
    assert_eq!(ranked, wanted);
    assert_eq!(export["levels"][0]["at_start"], expected::READING_AGE_THEN);
    assert_eq!(export["levels"][0]["now"], expected::READING_AGE_NOW);
    assert_eq!(export["triggers"][0]["trigger"], "Being rushed to finish");
    assert_eq!(export["triggers"][0]["incidents"], expected::RUSHED);
    assert!(
        export.to_string().find("child_protection").is_none(),
        "no safeguarding data in an export"
    );

    // The same sentences in each form, from the same figures.
    let sentences = [
        format!(
            "Attendance {}: attended {} of {} possible sessions.",
            expected::RATE,
            expected::ATTENDED,
            expected::SESSIONS
        ),
        format!(
            "Authorised absences {}; unauthorised absences {}.",
            expected::AUTHORISED,
            expected::UNAUTHORISED
        ),
        format!(
            "{} behaviour incidents logged, {} of high severity.",
            expected::INCIDENTS,
            expected::HIGH_SEVERITY
        ),
        format!(
            "Mean engagement {} out of 5 over {} sessions logged.",
            expected::MEAN_ENGAGEMENT,
            expected::ATTENDED
        ),
        format!(
            "Being rushed to finish (baseline; {} incidents)",
            expected::RUSHED
        ),
        "Sanctions in front of the class".to_owned(),
        expected::READING_AGE_NOW.to_owned(),
        "Jordan is ready to return full time.".to_owned(),
    ];

    let response = senco.get(&export_path("html")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let page = response.text().await.expect("html");
    for s in &sentences {
        assert!(page.contains(s), "HTML lacks {s:?}");
    }
    for (name, uses, mean) in expected::STRATEGIES {
        assert!(
            page.contains(&format!(
                "<th scope=\"row\">{name}</th><td class=\"n\">{uses}</td><td class=\"n\">{mean}</td>"
            )),
            "HTML row for {name}"
        );
    }

    let response = senco.get(&export_path("pdf")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.expect("pdf");
    let pdf = out_dir().join("export-jordan.pdf");
    std::fs::write(&pdf, &bytes).expect("write pdf");
    let text = pdf_text(&pdf);
    assert!(text.contains("Reintegration Export: Jordan Ellis"));
    for s in &sentences {
        assert!(text.contains(s), "PDF lacks {s:?}:\n{text}");
    }
    for (rank, (name, uses, mean)) in expected::STRATEGIES.iter().enumerate() {
        let row = format!("{} {name} {uses} {mean}", rank + 1);
        assert!(text.contains(&row), "PDF row {row:?}:\n{text}");
    }
    // Every font in it is embedded (poppler's pdffonts: the "emb" column).
    let fonts = Command::new("pdffonts")
        .arg(&pdf)
        .output()
        .expect("pdffonts");
    let listing = String::from_utf8_lossy(&fonts.stdout).into_owned();
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{listing}");
    assert!(
        rows.iter().all(|r| r.contains(" yes ")),
        "fonts not embedded:\n{listing}"
    );
    // A4 pages.
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(info.contains("595.28 x 841.89 pts (A4)"), "{info}");
    // Tagged PDF: headings, paragraphs, tables and figures for screen readers.
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    // The first page as a picture, to look at.
    let png = out_dir().join("export-pdf-page1");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .status()
        .expect("pdftoppm");
    assert!(status.success());

    // Each export is in the AP's audit log, with its form.
    let audit = server.rows(&format!(
        "SELECT actor_id, changes FROM audit_log WHERE action = 'export.generated'
         AND subject_id = '{}' ORDER BY id",
        history::PLACEMENT
    ));
    let forms: Vec<String> = audit
        .iter()
        .map(|r| {
            assert_eq!(r["actor_id"], "person-senco");
            let changes: Value =
                serde_json::from_str(r["changes"].as_str().expect("changes")).expect("json");
            changes[0]["new"].as_str().expect("format").to_owned()
        })
        .collect();
    assert_eq!(forms, ["json", "html", "pdf"]);
}

#[tokio::test]
async fn exports_are_for_those_who_may_see_the_placement() {
    let server = Server::start().await;
    for (who, status) in [
        (ADMIN, 200),
        (MAYA, 200),
        ("gary.hill@swiftcabs.example", 404),
        ("admin@hillside.example", 404),
        ("commissioning@kirkfield.example", 404),
    ] {
        let mut client = Client::signed_in(&server, who).await;
        let response = client.get(&export_path("json")).await;
        assert_eq!(response.status().as_u16(), status, "{who}");
    }
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let (status, body) = error_of(admin.get(&export_path("docx")).await).await;
    assert_eq!((status, body["field"].clone()), (400, json!("format")));
    let mut nobody = Client::new(&server);
    assert_eq!(nobody.get(&export_path("pdf")).await.status(), 401);
}

#[tokio::test]
async fn reviews_say_where_the_pupil_is_now() {
    let server = Server::start().await;
    let placement = lt_tests::demo::placement_id("amara");
    let path = format!("/api/placements/{placement}/reviews");
    let mut maya = Client::signed_in(&server, MAYA).await;
    let created = maya
        .post_json(
            &path,
            &json!({ "reading_age": " 10 years 6 months (NGRT) ", "commentary": "Reads aloud now." }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let review: Value = created.json().await.expect("review");
    assert_eq!(review["reading_age"], "10 years 6 months (NGRT)");
    assert_eq!(review["written_by"], "Maya Lewis");

    // The school reads reviews but does not write the AP's evidence.
    let mut senco = Client::signed_in(&server, SENCO).await;
    let (status, _) = error_of(senco.post_json(&path, &json!({ "commentary": "Hi" })).await).await;
    assert_eq!(status, 403);
    let list: Value = senco.get(&path).await.json().await.expect("list");
    assert_eq!(list["reviews"].as_array().expect("reviews").len(), 1);
    for (body, field) in [
        (json!({ "commentary": "  " }), "commentary"),
        (json!({ "maths_level": "x".repeat(121) }), "maths_level"),
        (json!({ "commentary": "ok", "mood": "good" }), "mood"),
    ] {
        let (status, error) = error_of(maya.post_json(&path, &body).await).await;
        assert_eq!(
            (status, error["field"].clone()),
            (400, json!(field)),
            "{body}"
        );
    }
    let count =
        server.rows("SELECT COUNT(*) AS n FROM reviews WHERE placement_id = 'placement-amara'");
    assert_eq!(count[0]["n"], 1, "refused reviews write nothing");

    let export: Value = senco
        .get(&format!("/api/placements/{placement}/export"))
        .await
        .json()
        .await
        .expect("export");
    assert_eq!(export["levels"][0]["now"], "10 years 6 months (NGRT)");
    assert_eq!(export["commentary"][0]["text"], "Reads aloud now.");
    let audit = server.rows(&format!(
        "SELECT changes FROM audit_log WHERE action = 'review.added' AND subject_id = '{placement}'"
    ));
    assert_eq!(audit.len(), 1);
    assert!(
        !audit[0]["changes"]
            .as_str()
            .expect("changes")
            .contains("Reads aloud"),
        "the commentary stays out of the audit log"
    );
}
