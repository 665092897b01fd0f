//! Faults and hostile input against the real worker: a database that fails
//! part-way through a request leaves nothing half-written, and bodies no
//! client of ours would send are refused with a 4xx naming what is wrong.

use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, history};
use lt_tests::server::Server;
use serde_json::{Value, json};

const ADMIN: &str = "admin@riverside.example";
const HILLSIDE: &str = "admin@hillside.example";
const MAYA: &str = "maya.lewis@riverside.example";
const DEVICE_ID: &str = "f00dcafe-0000-4000-8000-000000000001";

/// Makes every insert into `table` fail inside SQLite, as a D1 error would
/// arrive in the middle of a request's writes.
fn break_table(server: &Server, table: &str) {
    server.sql(&format!(
        "CREATE TRIGGER lt_fault AFTER INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
    ));
}

fn mend(server: &Server) {
    server.sql("DROP TRIGGER lt_fault;");
}

struct Write {
    what: &'static str,
    who: &'static str,
    path: String,
    body: Value,
    created: u16,
}

#[tokio::test]
async fn a_database_failure_part_way_through_a_write_leaves_nothing_written() {
    let server = Server::start().await;
    // A record to import, exported before the fault (the export is audited too).
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let record: Value = admin
        .get(&format!("/api/placements/{}/record", history::PLACEMENT))
        .await
        .json()
        .await
        .expect("record");
    let writes = [
        Write {
            what: "a new placement (pupil, placement, event, audit)",
            who: ADMIN,
            path: format!("/api/aps/{}/placements", demo::AP),
            body: json!({ "first_name": "Zoe", "last_name": "Hart", "date_of_birth": "2013-02-01",
                          "commissioner_id": demo::LA, "tier": "eotas", "start_date": "2027-01-04" }),
            created: 201,
        },
        Write {
            what: "a share of the export",
            who: ADMIN,
            path: format!("/api/placements/{}/shares", history::PLACEMENT),
            body: json!({ "recipient_email": "j.hughes@northgate.example", "recipient_name": "Jo Hughes", "days": 7 }),
            created: 201,
        },
        Write {
            what: "a review",
            who: MAYA,
            path: format!("/api/placements/{}/reviews", demo::placement_id("amara")),
            body: json!({ "reading_age": "10 years", "commentary": "Reads aloud now." }),
            created: 201,
        },
        Write {
            what: "a record imported (every row of a 12-week placement)",
            who: HILLSIDE,
            path: format!("/api/aps/{}/records", demo::OTHER_AP),
            body: record,
            created: 201,
        },
        Write {
            what: "an erasure (every row of the placement, then its audit entry)",
            who: ADMIN,
            path: format!("/api/placements/{}/erase", history::PLACEMENT),
            body: json!({ "confirm_last_name": "Ellis" }),
            created: 200,
        },
    ];
    for write in writes {
        let mut client = Client::signed_in(&server, write.who).await;
        let before = server.snapshot();
        break_table(&server, "audit_log");
        let (status, error) = error_of(client.post_json(&write.path, &write.body).await).await;
        mend(&server);
        assert_eq!(status, 500, "{}: {error}", write.what);
        assert_eq!(error["code"], "internal", "{}", write.what);
        assert!(
            before == server.snapshot(),
            "{}: the failed request left rows behind",
            write.what
        );
        // The same request once the database is well again goes through.
        let response = client.post_json(&write.path, &write.body).await;
        assert_eq!(response.status(), write.created, "{}", write.what);
        assert!(before != server.snapshot(), "{}", write.what);
    }
}

/// Bodies no client of ours sends, each with the status it must get.
fn hostile_bodies() -> Vec<(&'static str, &'static str, Vec<u8>, u16)> {
    let json = "application/json";
    let deep_array = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let huge_array = format!("{{\"items\":[{}0]}}", "0,".repeat(30_000));
    let strings = format!("{{\"placement_ids\":[{}\"x\"]}}", "\"x\",".repeat(12_000));
    vec![
        (
            "invalid UTF-8",
            json,
            b"{\"note\":\"\xff\xfe\xfd\"}".to_vec(),
            400,
        ),
        (
            "invalid UTF-8 in a key",
            json,
            b"{\"\xc3\x28\":1}".to_vec(),
            400,
        ),
        ("deeply nested arrays", json, deep_array.into_bytes(), 400),
        ("deeply nested objects", json, deep_object.into_bytes(), 400),
        ("a huge array", json, huge_array.into_bytes(), 400),
        ("a huge array of strings", json, strings.into_bytes(), 400),
        (
            "a number too large",
            json,
            b"{\"engagement\":1e999}".to_vec(),
            400,
        ),
        (
            "a lone surrogate",
            json,
            b"{\"note\":\"\\ud800\"}".to_vec(),
            400,
        ),
        ("plain text", "text/plain", b"{}".to_vec(), 415),
        (
            "a form",
            "application/x-www-form-urlencoded",
            b"a=1".to_vec(),
            415,
        ),
        (
            "multipart",
            "multipart/form-data; boundary=x",
            b"--x--".to_vec(),
            415,
        ),
        ("no content type", "", b"{}".to_vec(), 415),
        ("too large", json, vec![b' '; 5_000_000], 413),
    ]
}

#[tokio::test]
async fn hostile_bodies_get_a_clear_4xx_from_every_endpoint_that_reads_json() {
    let server = Server::start().await;
    let mut admin = Client::signed_in(&server, ADMIN).await;
    let doc: Value = admin
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("openapi");
    let mut targets = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let json_body = &operation["requestBody"]["content"]["application/json"];
            if json_body.is_null() || path == "/api/sign-out" {
                continue;
            }
            let path = path
                .replace("{ap_id}", demo::AP)
                .replace("{placement_id}", &demo::placement_id("amara"))
                .replace("{section}", "identity")
                .replace("{date}", "2030-01-07");
            // Ids the device makes: well-formed, so the body is what is judged.
            let path = path
                .split('/')
                .map(|part| {
                    if part.starts_with('{') {
                        DEVICE_ID
                    } else {
                        part
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            targets.push((method.to_uppercase(), path));
        }
    }
    assert!(targets.len() > 25, "only {} JSON endpoints", targets.len());
    let before = server.snapshot();
    let (mut judged, mut sent) = (0, 0);
    for (method, path) in &targets {
        for (what, content_type, body, wanted) in hostile_bodies() {
            let mut builder = admin.request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                path,
            );
            if !content_type.is_empty() {
                builder = builder.header("content-type", content_type);
            }
            let (status, error) = error_of(admin.send(builder.body(body)).await).await;
            // Access and the path's ids are checked before the body is read.
            let refused_first = [403, 404, 409].contains(&status);
            sent += 1;
            judged += usize::from(status == wanted);
            assert!(
                status == wanted || refused_first,
                "{method} {path} with {what}: {status} {error}"
            );
            assert!(
                error["code"].is_string() && error["message"].is_string(),
                "{method} {path} with {what}: {error}"
            );
        }
    }
    eprintln!("{judged} of {sent} hostile bodies were judged by their content");
    assert!(
        judged * 4 > sent * 3,
        "only {judged} of {sent} reached the body"
    );
    assert!(
        before == server.snapshot(),
        "a refused body wrote something"
    );
}

/// A body sent without a length (chunked) is refused once it passes the
/// limit, while it is still coming: the worker neither waits for the end of
/// a stream that need never end nor holds it in memory. The body here is
/// never finished, so only an answer given part-way can arrive.
#[tokio::test]
async fn a_body_without_a_length_is_refused_while_it_is_still_coming() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = Server::start().await;
    let host = server.url("").trim_start_matches("http://").to_owned();
    let socket = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    let (mut read, mut write) = socket.into_split();
    let head = format!(
        "POST /api/sign-in HTTP/1.1\r\nHost: {host}\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\n\r\n"
    );
    write.write_all(head.as_bytes()).await.expect("send head");
    let sender = tokio::spawn(async move {
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        // 64 KiB every 5 ms, up to 256 MiB (far past the 64 KiB limit), and
        // no last chunk. Paced, so the answer is read before the worker's
        // close resets a connection still full of unread body.
        for _ in 0..4096 {
            if write.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // Kept open: the request is still unfinished.
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        drop(write);
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let read_head = async {
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    };
    let answered = tokio::time::timeout(std::time::Duration::from_secs(30), read_head).await;
    sender.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answered.is_ok(),
        "no answer while the body was still coming"
    );
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "a body past the limit: {answer}"
    );
}
