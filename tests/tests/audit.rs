//! The audit log: what changes write to it, who can read it, and that nothing
//! can rewrite it.

use lt_core::api::AuditPage;
use lt_tests::client::{Client, error_of};
use lt_tests::demo::{self, AP, OTHER_AP, SCHOOL};
use lt_tests::notify::{self, NotifyReceiver};
use lt_tests::server::Server;
use serde_json::json;

#[tokio::test]
async fn invitations_leave_entries_that_admins_filter_and_export() {
    let receiver = NotifyReceiver::start(0).await;
    let server = Server::start_with(&notify::worker_vars(&receiver.base_url)).await;
    let mut dsl = Client::signed_in(&server, "dsl@riverside.example").await;
    let response = dsl
        .post_json(
            &format!("/api/aps/{AP}/invitations"),
            &json!({ "email": "=cmd@northgate.example", "name": "=SUM(1+1)", "role": "school_staff",
                     "organisation_id": SCHOOL, "placement_ids": [demo::placement_id("amara")] }),
        )
        .await;
    // An address that starts like a spreadsheet formula is still an address.
    assert_eq!(response.status(), 201);
    let invitation: lt_core::api::Invitation = response.json().await.expect("invitation");
    let link = receiver.link_for("=cmd@northgate.example").expect("link");
    let token = link
        .split_once('#')
        .map(|(_, t)| t.to_owned())
        .expect("token");
    let accepted = Client::new(&server)
        .post_json(
            "/api/invitations/accept",
            &json!({ "token": token, "password": "kettle-harbour-violet" }),
        )
        .await;
    assert_eq!(accepted.status(), 200);

    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let page: AuditPage = admin
        .get(&format!("/api/aps/{AP}/audit"))
        .await
        .json()
        .await
        .expect("page");
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["invitation.accepted", "invitation.created"],
        "newest first"
    );
    let created = &page.entries[1];
    assert_eq!(created.actor_name.as_deref(), Some("Daniel Okafor"));
    assert_eq!(created.subject_id, invitation.id);
    assert!(
        created
            .changes
            .iter()
            .any(|c| c.field == "role" && c.new.as_deref() == Some("school_staff"))
    );
    assert_ne!(page.entries[0].request_id, created.request_id);

    let filtered: AuditPage = admin
        .get(&format!(
            "/api/aps/{AP}/audit?action=invitation.created&limit=1"
        ))
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(filtered.entries.len(), 1);
    assert_eq!(filtered.next_before, None);
    let paged: AuditPage = admin
        .get(&format!("/api/aps/{AP}/audit?limit=1"))
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(paged.next_before, Some(paged.entries[0].id));
    let (status, error) = error_of(admin.get(&format!("/api/aps/{AP}/audit?limit=0")).await).await;
    assert_eq!((status, error["field"].as_str()), (400, Some("limit")));
    let (status, error) = error_of(
        admin
            .get(&format!("/api/aps/{AP}/audit?from=yesterday"))
            .await,
    )
    .await;
    assert_eq!((status, error["field"].as_str()), (400, Some("from")));

    let response = admin.get(&format!("/api/aps/{AP}/audit.csv")).await;
    assert_eq!(response.status(), 200);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let text = response.text().await.expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,at,actor_id,actor_name,action,subject_type,subject_id,request_id,changes")
    );
    assert_eq!(text.lines().count(), 3);
    // The new person's name starts like a formula: the export defuses it.
    assert!(text.contains(",'=SUM(1+1),invitation.accepted,"), "{text}");
    assert!(!text.contains(",=SUM"), "{text}");

    // Other APs' admins, tutors and schools never see it.
    for email in [
        "admin@hillside.example",
        "maya.lewis@riverside.example",
        "senco@northgate.example",
    ] {
        let mut client = Client::signed_in(&server, email).await;
        assert_eq!(
            error_of(client.get(&format!("/api/aps/{AP}/audit")).await)
                .await
                .0,
            404,
            "{email}"
        );
        assert_eq!(
            error_of(client.get(&format!("/api/aps/{AP}/audit.csv")).await)
                .await
                .0,
            404,
            "{email}"
        );
    }
    let mut other = Client::signed_in(&server, "admin@hillside.example").await;
    let theirs: AuditPage = other
        .get(&format!("/api/aps/{OTHER_AP}/audit"))
        .await
        .json()
        .await
        .expect("page");
    assert!(theirs.entries.is_empty());
}

#[tokio::test]
async fn the_database_refuses_to_rewrite_the_audit_log() {
    let server = Server::start().await;
    assert!(server.try_sql(
        "INSERT INTO audit_log (at, actor_id, ap_id, action, subject_type, subject_id, request_id) \
         VALUES ('2026-01-01T00:00:00.000Z', NULL, 'org-riverside', 'test.entry', 'test', 't1', 'r1')"
    ));
    assert!(
        !server.try_sql("UPDATE audit_log SET action = 'forged'"),
        "update must be refused"
    );
    assert!(
        !server.try_sql("DELETE FROM audit_log"),
        "delete must be refused"
    );
    let mut admin = Client::signed_in(&server, "admin@riverside.example").await;
    let page: AuditPage = admin
        .get(&format!("/api/aps/{AP}/audit"))
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].action, "test.entry");
}
