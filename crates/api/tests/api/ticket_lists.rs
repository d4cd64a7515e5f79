//! Ticket lists past a thousand rows: the bounded count, the order of tickets without a due time,
//! and the bulk writer that loads them (the benchmark's and an importer's path).

use chrono::Duration;
use domain::Scope;
use domain::tickets::Status;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

fn numbers(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|x| x["number"].as_str().unwrap().to_string()).collect()
}

both!(lists_count_to_a_bound_and_put_tickets_without_due_times_last, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-11-20T09:00"));
    let (s, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "一级（紧急）", "title": "模板"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tk}");
    let store = t.app.store();
    let now = bj("2026-11-20T09:00");
    let template = store::tickets::get(store, &Scope::All, tk["id"].as_str().unwrap(), now).await.unwrap().unwrap();

    // 1,100 copies: the even ones due a minute apart, the odd ones closed without a due time.
    let copies: Vec<_> = (0..1100)
        .map(|i| {
            let mut x = template.clone();
            x.id = format!("bulk-{i:05}");
            x.number = format!("B{i:05}");
            x.next_due_at = (i % 2 == 0).then(|| now + Duration::minutes(i));
            x
        })
        .collect();
    let tx = store.begin().await.unwrap();
    store::tickets::bulk_insert(&tx, &copies, &[]).await.unwrap();
    tx.commit().await.unwrap();
    let (_, stored) = t.get("/api/v1/tickets/bulk-00042", &t.admin).await;
    assert_eq!(stored["number"], "B00042", "{stored}");
    assert_eq!(stored["system_id"], f.system.as_str());

    // 1,101 tickets: the first page counts one past a thousand, a page past that counts exactly.
    let (_, first) = t.get("/api/v1/tickets?page_size=20", &t.admin).await;
    assert_eq!(first["total"], 1001);
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    let (_, late) = t.get("/api/v1/tickets?page=51&page_size=20", &t.admin).await;
    assert_eq!(late["total"], 1101);
    assert_eq!(late["items"].as_array().unwrap().len(), 20);
    let (_, last) = t.get("/api/v1/tickets?page=56&page_size=20", &t.admin).await;
    assert_eq!(numbers(&last).len(), 1);

    // Due soonest first, then latest first; either way the 550 without a due time come last.
    let (_, asc) = t.get("/api/v1/tickets?sort=next_due_at&order=asc&page_size=3", &t.admin).await;
    assert_eq!(numbers(&asc)[..2], ["B00000", "B00002"]);
    let (_, desc) = t.get("/api/v1/tickets?sort=next_due_at&order=desc&page_size=2", &t.admin).await;
    assert_eq!(numbers(&desc), ["B01098", "B01096"]);
    // The page where the due ones end (551 due incl. the template, which is due in 15 minutes).
    let (_, edge) = t.get("/api/v1/tickets?sort=next_due_at&order=asc&page=28&page_size=20", &t.admin).await;
    let edge = edge["items"].as_array().unwrap();
    assert_eq!(edge.len(), 20);
    assert!(edge[..11].iter().all(|x| !x["next_due_at"].is_null()), "{edge:?}");
    assert!(edge[11..].iter().all(|x| x["next_due_at"].is_null()), "{edge:?}");
    let (_, tail) = t.get("/api/v1/tickets?sort=next_due_at&order=desc&page=56&page_size=20", &t.admin).await;
    assert_eq!(numbers(&tail), ["B00001"]);
});

// Sorting by due time puts breached tickets still open first: their breached clock has no due
// time any more, and by due time alone they sorted below tickets with hours left (issue 16).
both!(sorting_by_due_time_puts_breached_open_tickets_first, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let now = bj("2026-11-20T09:00");
    t.clock.set(now);
    let (_, tk) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "severity": "一级（紧急）", "title": "模板"}),
        )
        .await;
    let store = t.app.store();
    let template = store::tickets::get(store, &Scope::All, tk["id"].as_str().unwrap(), now).await.unwrap().unwrap();
    let copy = |n: &str, reported: i64, status: Status, breached: bool, due: Option<i64>| {
        let mut x = template.clone();
        (x.id, x.number) = (format!("due-{n}"), n.to_string());
        x.reported_at = now - Duration::hours(reported);
        (x.status, x.breached) = (status, breached);
        x.next_due_at = due.map(|m| now + Duration::minutes(m));
        x
    };
    let copies = [
        copy("LATE-RUNNING", 5, Status::InProgress, true, Some(120)), // its resolve clock still runs
        copy("LATE-ALL", 30, Status::Responded, true, None),          // every clock breached
        copy("SOON", 1, Status::New, false, Some(10)),
        copy("LATER", 1, Status::InProgress, false, Some(300)),
        copy("CLOSED-LATE", 40, Status::Closed, true, None), // breached, but done
    ];
    let tx = store.begin().await.unwrap();
    store::tickets::bulk_insert(&tx, &copies, &[]).await.unwrap();
    tx.commit().await.unwrap();
    let template_number = tk["number"].as_str().unwrap().to_string(); // due in 15 minutes

    let expected = ["LATE-ALL", "LATE-RUNNING", "SOON", template_number.as_str(), "LATER", "CLOSED-LATE"];
    let (_, asc) = t.get("/api/v1/tickets?sort=next_due_at&order=asc&page_size=20", &t.admin).await;
    assert_eq!(numbers(&asc), expected);
    // Page by page the ranges join up the same way, whatever the page size.
    for size in [1, 2, 4] {
        let mut seen = Vec::new();
        for page in 1..=(expected.len() as u64).div_ceil(size) {
            let url = format!("/api/v1/tickets?sort=next_due_at&order=asc&page={page}&page_size={size}");
            seen.extend(numbers(&t.get(&url, &t.admin).await.1));
        }
        assert_eq!(seen, expected, "page size {size}");
    }
    let (_, desc) = t.get("/api/v1/tickets?sort=next_due_at&order=desc&page_size=20", &t.admin).await;
    assert_eq!(numbers(&desc), ["LATER", template_number.as_str(), "SOON", "LATE-RUNNING", "LATE-ALL", "CLOSED-LATE"]);
});
