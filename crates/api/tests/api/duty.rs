//! Duty shifts (值班): the vendor's manager keeps them, a contract item set to "duty first"
//! hands its new tickets to whoever is on duty (the least busy of several), and the engineer
//! sees their shifts on the home page.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, iso};

async fn user_id(t: &TestApp, username: &str) -> String {
    let (_, users) = t.get(&format!("/api/v1/users?q={username}"), &t.admin).await;
    let u = users["items"].as_array().unwrap().iter().find(|u| u["username"] == username).unwrap();
    u["id"].as_str().unwrap().to_string()
}

fn shift(contract: &str, user: &str, from: &str, to: &str) -> Value {
    json!({"contract_id": contract, "user_id": user, "starts_at": iso(from), "ends_at": iso(to)})
}

fn field(e: &Value) -> Option<&str> {
    e["field_errors"][0]["field"].as_str()
}

both!(the_vendors_manager_keeps_the_duty_roster, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    t.clock.set(bj("2026-11-23T08:00"));
    let day = shift(&f.contract, &f.engineer_id, "2026-11-23T08:30", "2026-11-23T17:30");
    // Who may: the bureau and this vendor's manager; not engineers, units, or other vendors.
    for (who, token) in [("engineer", &f.engineer), ("unit", &f.reporter), ("other vendor", &other.pm)] {
        let (s, e) = t.post("/api/v1/duty-shifts", token, day.clone()).await;
        let expected = if who == "other vendor" { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::FORBIDDEN };
        assert_eq!(s, expected, "{who}: {e}");
    }
    // What: the vendor's own active staff, a real period, not long ago.
    let cases = [
        (shift(&f.contract, &other.engineer_id, "2026-11-23T08:30", "2026-11-23T17:30"), "user_id"),
        (shift(&f.contract, &f.engineer_id, "2026-11-23T17:30", "2026-11-23T08:30"), "ends_at"),
        (shift(&f.contract, &f.engineer_id, "2026-11-20T08:30", "2026-11-20T17:30"), "starts_at"),
        (shift(&f.contract, &f.engineer_id, "2026-11-23T08:30", "2027-01-23T08:30"), "ends_at"),
        (shift("no-such-contract", &f.engineer_id, "2026-11-23T08:30", "2026-11-23T17:30"), "contract_id"),
        (json!({"contract_id": f.contract, "user_id": f.engineer_id}), "starts_at"),
    ];
    for (body, name) in cases {
        let (s, e) = t.post("/api/v1/duty-shifts", &f.pm, body.clone()).await;
        assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some(name)), "{body}: {e}");
    }
    let (s, a) = t.post("/api/v1/duty-shifts", &f.pm, day.clone()).await;
    assert_eq!((s, a["user_name"].as_str()), (StatusCode::CREATED, Some("engineer")), "{a}");
    let (s, e) = t.post("/api/v1/duty-shifts", &t.admin, day.clone()).await;
    assert_eq!((s, field(&e)), (StatusCode::CONFLICT, Some("starts_at")), "the same shift twice: {e}");
    let night = shift(&f.contract, &f.engineer_id, "2026-11-24T17:30", "2026-11-25T08:30");
    let (s, b) = t.post("/api/v1/duty-shifts", &f.pm, night).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // Who sees: the vendor and the units its contract serves; not another vendor or unit.
    for (token, n) in
        [(&f.pm, 2), (&f.engineer, 2), (&f.reporter, 2), (&t.admin, 2), (&other.pm, 0), (&other.reporter, 0)]
    {
        let (s, v) = t.get(&format!("/api/v1/duty-shifts?contract_id={}", f.contract), token).await;
        assert_eq!((s, v["total"].as_u64()), (StatusCode::OK, Some(n)), "{v}");
    }
    let (_, v) = t.get("/api/v1/duty-shifts?mine=true&from=2026-11-24", &f.engineer).await;
    assert_eq!(v["items"][0]["id"], b["id"], "{v}");
    let (s, e) = t.get("/api/v1/duty-shifts?from=2026-11-24&to=2026-11-23", &f.pm).await;
    assert_eq!((s, field(&e)), (StatusCode::BAD_REQUEST, Some("to")), "{e}");

    // The engineer's home page: the running shift, then the coming one.
    t.clock.set(bj("2026-11-23T09:00"));
    let (_, home) = t.get("/api/v1/me/today", &f.engineer).await;
    let mine = home["sections"].as_array().unwrap().iter().find(|s| s["key"] == "my_duty").unwrap();
    let states: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|i| i["state"].as_str().unwrap()).collect();
    assert_eq!((mine["count"].as_u64(), states), (Some(2), vec!["on_duty", "upcoming"]), "{mine}");
    assert!(mine["items"][0]["title"].as_str().unwrap().contains("运维"), "the contract's name: {mine}");

    // A shift that has begun is the record of who was on duty; a coming one can go.
    let a_id = a["id"].as_str().unwrap();
    assert_eq!(t.delete(&format!("/api/v1/duty-shifts/{a_id}"), &f.pm).await, StatusCode::CONFLICT);
    let b_id = b["id"].as_str().unwrap();
    assert_eq!(t.delete(&format!("/api/v1/duty-shifts/{b_id}"), &other.pm).await, StatusCode::NOT_FOUND);
    assert_eq!(t.delete(&format!("/api/v1/duty-shifts/{b_id}"), &f.engineer).await, StatusCode::FORBIDDEN);
    assert_eq!(t.delete(&format!("/api/v1/duty-shifts/{b_id}"), &f.pm).await, StatusCode::NO_CONTENT);
    let (_, log) =
        t.get(&format!("/api/v1/audit?object_type=duty_shift&object_id={b_id}&sort=seq&order=asc"), &t.admin).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "delete"], "{log}");
});

both!(a_duty_first_item_hands_new_tickets_to_whoever_is_on_duty, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let pm_id = user_id(&t, "pm").await;
    let second = t.user("engineer2", "engineer", None, Some(&f.vendor)).await;
    let second_id = user_id(&t, "engineer2").await;
    let (_, c) = t.get(&format!("/api/v1/contracts/{}", f.contract), &t.admin).await;
    let mut item = c["items"][0].clone();
    item["assign_to_duty"] = json!(true);
    item["default_assignee_id"] = json!(pm_id);
    let url = format!("/api/v1/contracts/{}/items/{}", f.contract, item["id"].as_str().unwrap());
    let (s, saved) = t.put(&url, &t.admin, item).await;
    assert_eq!((s, saved["assign_to_duty"].as_bool()), (StatusCode::OK, Some(true)), "{saved}");

    t.clock.set(bj("2026-11-23T08:00"));
    for who in [&f.engineer_id, &second_id] {
        let (s, e) =
            t.post("/api/v1/duty-shifts", &f.pm, shift(&f.contract, who, "2026-11-23T08:30", "2026-11-23T17:30")).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
    }
    let report =
        |title: &str| json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": title});
    // Before the shifts: the default handler.
    let (_, tk) = t.post("/api/v1/tickets", &f.reporter, report("清晨报告")).await;
    assert_eq!(tk["assignee_id"].as_str(), Some(pm_id.as_str()), "{tk}");
    // During them: each new ticket to the one on duty with the fewest open tickets.
    let mut got = Vec::new();
    for (i, title) in ["一", "二", "三"].iter().enumerate() {
        t.clock.set(bj("2026-11-23T09:00") + Duration::minutes(i as i64));
        let (_, tk) = t.post("/api/v1/tickets", &f.reporter, report(title)).await;
        got.push(tk["assignee_id"].as_str().unwrap().to_string());
    }
    let (first, other) =
        if f.engineer_id < second_id { (&f.engineer_id, &second_id) } else { (&second_id, &f.engineer_id) };
    assert_eq!(got, [first.clone(), other.clone(), first.clone()], "even, ties by id");
    // Someone on duty who left the vendor is skipped.
    let (s, _) = t
        .put(
            &format!("/api/v1/users/{second_id}"),
            &t.admin,
            json!({"username": "engineer2", "role": "engineer",
        "vendor_id": f.vendor, "active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    drop(second);
    let (_, tk) = t.post("/api/v1/tickets", &f.reporter, report("四")).await;
    assert_eq!(tk["assignee_id"].as_str(), Some(f.engineer_id.as_str()), "{tk}");
    // After the shifts: the default handler again; a vendor's own choice always wins.
    t.clock.set(bj("2026-11-23T18:00"));
    let (_, tk) = t.post("/api/v1/tickets", &f.reporter, report("夜间报告")).await;
    assert_eq!(tk["assignee_id"].as_str(), Some(pm_id.as_str()), "{tk}");
    let chosen = json!({"system_id": f.system, "type": "request", "title": "新增账号", "assignee_id": f.engineer_id});
    let (_, tk) = t.post("/api/v1/tickets", &f.pm, chosen).await;
    assert_eq!(tk["assignee_id"].as_str(), Some(f.engineer_id.as_str()), "{tk}");
});
