//! Schema-driven fuzzing: Schemathesis (PyPI, pinned in tests/requirements.txt)
//! reads `/api/openapi.json` from the real worker and sends every operation
//! examples, boundary cases and generated requests, valid and not, signed in
//! as an AP admin through the document's own cookie scheme. No answer may be
//! a 5xx, and every answer must be a documented status with the documented
//! content type and a body that matches its schema; a request the document
//! calls invalid must be refused with a 4xx; methods the document does not
//! list must get a 405, and operations that need a sign-in must refuse a
//! request without one. Afterwards the database is checked for half-written
//! records.

use std::process::Command;

use lt_tests::client::Client;
use lt_tests::demo;
use lt_tests::server::Server;
use lt_tests::{push, root, scratch};

/// Fixed so a failure is reproduced by running the test again;
/// `LT_FUZZ_SEED` explores other inputs.
const SEED: &str = "20261205";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_schema_conformance,response_headers_conformance,unsupported_method,\
allow_header_conformance,ignored_auth,negative_data_rejection";

/// Spot checks for half-written records: each query lists rows missing a
/// part that is written in the same batch.
const ORPHANS: [(&str, &str); 6] = [
    (
        "invitation without its audit entry",
        "SELECT i.id FROM invitations i WHERE NOT EXISTS (SELECT 1 FROM audit_log a
           WHERE a.action = 'invitation.created' AND a.subject_id = i.id)",
    ),
    (
        "share without its audit entry",
        "SELECT s.id FROM shares s WHERE NOT EXISTS (SELECT 1 FROM audit_log a
           WHERE a.action = 'share.created' AND a.subject_id = s.id)",
    ),
    (
        "review without its audit entry",
        "SELECT r.id FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM audit_log a
           WHERE a.action = 'review.added' AND a.request_id = r.request_id)",
    ),
    (
        "alert without its raised event",
        "SELECT l.id FROM alerts l WHERE NOT EXISTS (SELECT 1 FROM alert_events e
           WHERE e.alert_id = l.id AND e.kind = 'raised')",
    ),
    (
        "pupil without a placement",
        "SELECT u.id FROM pupils u WHERE NOT EXISTS (SELECT 1 FROM placements p
           WHERE p.pupil_id = u.id)",
    ),
    (
        "row pointing at nothing",
        "SELECT * FROM pragma_foreign_key_check",
    ),
];

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_every_answer_matches_the_document() {
    let server = Server::start_with(&push::worker_vars(&push::new_vapid_key())).await;
    // An open alert, so the alert operations have a real one to work on.
    server.fire_cron(demo::morning_alerts_due()).await;
    let alerts = server.rows("SELECT id FROM alerts ORDER BY raised_at LIMIT 1");
    let alert_id = alerts[0]["id"].as_str().expect("an alert").to_owned();
    let cookie = sign_in_cookie(&server, "admin@riverside.example").await;
    let orphans_before: Vec<_> = ORPHANS.iter().map(|(_, q)| server.rows(q)).collect();

    // Real ids for the path parameters, so requests reach the logic behind them.
    let work = scratch("fuzz").join(format!("run-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("fuzz dir");
    let config = work.join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[auth.openapi.signInCookie]\napi_key = \"{cookie}\"\n\n\
             [parameters]\nap_id = \"{ap}\"\nplacement_id = \"{placement}\"\n\
             section = \"identity\"\nsession_id = \"session-amara-1-0\"\n\
             alert_id = \"{alert_id}\"\nperson_id = \"person-tutor-tom\"\n",
            ap = demo::AP,
            placement = demo::placement_id("amara"),
        ),
    )
    .expect("write config");
    let seed = std::env::var("LT_FUZZ_SEED").unwrap_or_else(|_| SEED.to_owned());
    let output = Command::new(root().join(".tools/venv/bin/schemathesis"))
        .arg("--config-file")
        .arg(&config)
        .args(["run", &server.url("/api/openapi.json")])
        .args(["--checks", CHECKS])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "25", "--seed", &seed, "--workers", "2"])
        // Signing out would end the run's own sign-in.
        .args(["--exclude-path", "/api/sign-out"])
        .args(["--request-timeout", "30", "--no-color"])
        .current_dir(&work)
        .output()
        .expect("run schemathesis (make install-test)");
    let report = String::from_utf8_lossy(&output.stdout);
    let summary = report
        .split("=== SUMMARY ===")
        .nth(1)
        .unwrap_or(&report)
        .to_owned();
    eprintln!("schemathesis (seed {seed}):{summary}");
    assert!(
        output.status.success(),
        "schemathesis found problems (seed {seed}):\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every operation in the document but sign-out was tested.
    let in_document = summary
        .split("Selected:")
        .nth(1)
        .and_then(|rest| figure(rest, "/"));
    let tested = figure(&summary, "Tested:");
    assert!(
        tested.is_some() && tested.map(|n| n + 1) == in_document,
        "not every operation was tested:\n{summary}"
    );

    // Only what the run wrote: the demo's seeded rows are not written by requests.
    for ((what, query), before) in ORPHANS.iter().zip(&orphans_before) {
        let found: Vec<_> = server
            .rows(query)
            .into_iter()
            .filter(|row| !before.contains(row))
            .collect();
        assert!(found.is_empty(), "{what}: {found:?}");
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// The value of the sign-in cookie for `email`.
async fn sign_in_cookie(server: &Server, email: &str) -> String {
    let client = Client::signed_in(server, email).await;
    let pair = client.cookie().expect("a sign-in cookie");
    pair.strip_prefix("lt_sign_in=")
        .expect("the lt_sign_in cookie")
        .to_owned()
}

/// The number after `label` in Schemathesis's summary.
fn figure(summary: &str, label: &str) -> Option<usize> {
    let rest = summary.split(label).nth(1)?;
    rest.trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}
