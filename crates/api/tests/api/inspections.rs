//! Inspections end to end: a checklist, a plan on the bureau's working days, the generated tasks
//! across Spring Festival 2026, a signed record whose abnormal item opens a ticket, and who may
//! do and see what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, step};

fn days(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|x| x["scheduled_for"].as_str().unwrap().to_string()).collect()
}

both!(a_plan_its_tasks_a_record_and_the_ticket_it_opens, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "b").await;
    t.clock.set(bj("2026-02-12T08:00"));

    // The shipped checklists are there; the bureau adds its own.
    let (_, builtins) = t.get("/api/v1/inspection-templates?kind=server", &f.engineer).await;
    assert_eq!(builtins["items"][0]["builtin"], true, "{builtins}");
    let (s, _) = t
        .put("/api/v1/inspection-templates/builtin-server", &t.admin, json!({"name": "x", "items": [{"name": "y"}]}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let body = json!({"name": "档案系统日常巡检", "kind": "application", "items": [
        {"id": "up", "name": "系统可访问", "result_type": "normal_abnormal"},
        {"id": "disk", "name": "磁盘使用率", "result_type": "number", "unit": "%", "max": 80},
        {"id": "log", "name": "错误日志", "result_type": "text"}]});
    let (s, _) = t.post("/api/v1/inspection-templates", &f.pm, body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "templates are the bureau's");
    let template = t.create("inspection-templates", body).await;

    // The vendor's manager plans every working day for the engineer.
    let plan = json!({"system_id": f.system, "template_id": template, "recurrence": {"every": "working_day"},
        "holiday_rule": "skip", "assignee_id": f.engineer_id});
    let (s, e) = t.post("/api/v1/inspection-plans", &f.engineer, plan.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let mut bad = plan.clone();
    bad["recurrence"] = json!({"every": "fortnight"});
    bad["window_end"] = json!("25:00");
    let (s, e) = t.post("/api/v1/inspection-plans", &f.pm, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<_> = e["field_errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["recurrence.every", "window_end"]);
    let (s, e) = t.post("/api/v1/inspection-plans", &other.pm, plan.clone()).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("system_id")));
    let (s, p) = t.post("/api/v1/inspection-plans", &f.pm, plan).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let plan_id = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["recurrence_text"], "每个工作日");
    assert_eq!(p["calendar_id"], "preset-5x8");

    // Tasks exist 30 days ahead: Saturday 14 February is a working day, the holiday is not.
    let url = format!("/api/v1/inspection-tasks?plan_id={plan_id}&from=2026-02-12&to=2026-02-25&page_size=50");
    let (_, tasks) = t.get(&url, &f.engineer).await;
    assert_eq!(days(&tasks), ["2026-02-12", "2026-02-13", "2026-02-14", "2026-02-24", "2026-02-25"]);
    assert_eq!(tasks["items"][0]["status"], "pending");
    assert_eq!(tasks["items"][0]["due_at"], "2026-02-12T09:30:00Z", "17:30 in Beijing");
    let (_, all) = t.get(&format!("/api/v1/inspection-tasks?plan_id={plan_id}&page_size=100"), &t.admin).await;
    let count = all["total"].as_u64().unwrap();
    assert_eq!(days(&all).last().unwrap(), "2026-03-13", "today + 30 days is Saturday 14 March, a day off");
    // The job, twice, creates nothing more.
    assert_eq!(t.app.generate_inspection_tasks().await.unwrap(), 0);
    assert_eq!(t.app.generate_inspection_tasks().await.unwrap(), 0);
    let (_, again) = t.get(&format!("/api/v1/inspection-tasks?plan_id={plan_id}&page_size=100"), &t.admin).await;
    assert_eq!(again["total"].as_u64().unwrap(), count);

    // Others: another vendor sees nothing, the unit reads, nobody but the vendor inspects.
    let first = tasks["items"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = t.get(&format!("/api/v1/inspection-tasks/{first}"), &other.engineer).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t.get(&format!("/api/v1/inspection-tasks/{first}"), &f.reporter).await;
    assert_eq!(s, StatusCode::OK);
    let results = json!({"results": [
        {"item_id": "up", "result": "normal"},
        {"item_id": "disk", "result": 91.5, "note": "/data 分区", "suggestion": "清理归档日志并扩容"},
        {"item_id": "log", "result": "无新增错误"}]});
    let (s, _) = t.post(&format!("/api/v1/inspection-tasks/{first}/record"), &f.reporter, results.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = t
        .post(
            &format!("/api/v1/inspection-tasks/{first}/record"),
            &f.engineer,
            json!({"results": [{"item_id": "up", "result": "maybe"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field_errors"][0]["field"], "results[0].result");

    // The engineer signs it at 10:00: the disk is above 80 %, so a ticket opens on the system.
    t.clock.set(bj("2026-02-12T10:00"));
    let (s, rec) = t.post(&format!("/api/v1/inspection-tasks/{first}/record"), &f.engineer, results.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["inspected_on"], "2026-02-12");
    assert_eq!(rec["abnormal_count"], 1);
    let disk = &rec["results"][1];
    assert_eq!((disk["item_name"].as_str(), disk["abnormal"].as_bool()), (Some("磁盘使用率"), Some(true)));
    assert_eq!(disk["expected"], "≤ 80 %");
    let ticket = disk["ticket_id"].as_str().expect("a ticket for the abnormal item").to_string();
    assert_eq!(rec["results"][0]["ticket_id"], Value::Null);
    let (_, tk) = t.get(&format!("/api/v1/tickets/{ticket}"), &t.admin).await;
    assert_eq!((tk["system_id"].as_str(), tk["channel"].as_str()), (Some(f.system.as_str()), Some("inspection")));
    assert!(tk["description"].as_str().unwrap().contains("清理归档日志并扩容"));
    let (s, _) = t.post(&format!("/api/v1/inspection-tasks/{first}/record"), &f.engineer, results).await;
    assert_eq!(s, StatusCode::CONFLICT, "one record per task");
    let (_, done) = t.get(&format!("/api/v1/inspection-tasks/{first}"), &f.engineer).await;
    assert_eq!((done["status"].as_str(), done["on_time"].as_bool()), (Some("done"), Some(true)));

    // Once the ticket is resolved, the record shows the outcome and the day (001's fields).
    t.clock.set(bj("2026-02-13T11:00"));
    step(&t, &ticket, &f.engineer, json!({"to": "resolved", "resolution": {"summary": "已重启服务，恢复正常"}})).await;
    let id = rec["id"].as_str().unwrap();
    let (_, rec) = t.get(&format!("/api/v1/inspection-records/{id}"), &f.reporter).await;
    assert!(rec["results"][1]["handling"].as_str().unwrap().contains("已解决"), "{rec}");
    assert_eq!(rec["results"][1]["handled_on"], "2026-02-13");
    let (s, _) = t.get(&format!("/api/v1/inspection-records/{id}"), &other.pm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = t.get(&format!("/api/v1/inspection-records?system_id={}&abnormal=true", f.system), &t.admin).await;
    assert_eq!(list["total"], 1);

    // Yesterday's task not done is overdue; the plan changes to Mondays and Thursdays.
    t.clock.set(bj("2026-02-14T18:00"));
    let (_, overdue) = t.get(&format!("/api/v1/inspection-tasks?plan_id={plan_id}&status=overdue"), &f.engineer).await;
    assert_eq!(days(&overdue), ["2026-02-13", "2026-02-14"]);
    let change = json!({"system_id": f.system, "template_id": template, "recurrence": {"every": "week", "weekdays": ["mon", "thu"]},
        "holiday_rule": "next_working_day", "assignee_id": f.engineer_id, "start_date": "2026-02-12"});
    // What is due is what the completion rate is measured against: the bureau approves it.
    let (s, a) = t.put(&format!("/api/v1/inspection-plans/{plan_id}"), &f.pm, change.clone()).await;
    assert_eq!((s, a["kind"].as_str()), (StatusCode::ACCEPTED, Some("plan_update")), "{a}");
    let (s, _) = t.put(&format!("/api/v1/inspection-plans/{plan_id}"), &f.pm, change).await;
    assert_eq!(s, StatusCode::CONFLICT, "one pending request per plan");
    let (s, _) =
        t.post(&format!("/api/v1/approvals/{}/approve", a["id"].as_str().unwrap()), &f.reporter, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "plans are the bureau's to approve unless it lets units");
    let (s, d) = t.post(&format!("/api/v1/approvals/{}/approve", a["id"].as_str().unwrap()), &t.admin, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (_, after) =
        t.get(&format!("/api/v1/inspection-tasks?plan_id={plan_id}&from=2026-02-12&to=2026-03-02"), &f.engineer).await;
    // Done and past tasks stay; Monday 16 and Thursday 19 are holidays and move to Tuesday 24.
    assert_eq!(days(&after), ["2026-02-12", "2026-02-13", "2026-02-14", "2026-02-24", "2026-02-26", "2026-03-02"]);
    let s = t.delete(&format!("/api/v1/inspection-plans/{plan_id}"), &f.pm).await;
    assert_eq!(s, StatusCode::CONFLICT, "a plan with records is kept");
});

/// Today's website task of a new plan on `system`, for `engineer` (whose id is given).
async fn website_task(t: &TestApp, pm: &str, system: &str, engineer_id: &str) -> String {
    let plan = json!({"system_id": system, "template_id": "builtin-website", "recurrence": {"every": "day"},
        "assignee_id": engineer_id});
    let (s, p) = t.post("/api/v1/inspection-plans", pm, plan).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let url = format!("/api/v1/inspection-tasks?plan_id={}&from={today}&to={today}", p["id"].as_str().unwrap());
    let (_, tasks) = t.get(&url, pm).await;
    tasks["items"][0]["id"].as_str().expect("today's task").to_string()
}

fn result(record: &Value, n: u32) -> &Value {
    let id = format!("builtin-website-{n:02}");
    record["results"].as_array().unwrap().iter().find(|r| r["item_id"] == id.as_str()).unwrap_or(&Value::Null)
}

both!(a_website_inspection_reads_reachability_from_the_systems_http_monitor, |t: TestApp| async move {
    use tokio::sync::watch;
    let up = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "").await;
    let down = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "b").await;
    let none = fixture(&t, "004-row-04", ("2020-01-01", "2035-12-31"), "c").await;
    t.clock.set(chrono::Utc::now());
    let (_healthy, healthy_rx) = watch::channel(true);
    let (_failing, failing_rx) = watch::channel(false);
    let (healthy_url, failing_url) =
        (crate::monitoring::target(healthy_rx).await, crate::monitoring::target(failing_rx).await);
    let (stop, stop_rx) = watch::channel(false);
    let runner = t.app.start_monitoring(app::monitoring::SchedulerConfig::default(), stop_rx).await.unwrap();
    let mut ids = Vec::new();
    for (system, url, name) in [(&up.system, &healthy_url, "门户首页"), (&down.system, &failing_url, "政务公开栏目")]
    {
        let body = json!({"system_id": system, "name": name, "kind": "http", "target": url, "interval_seconds": 1,
            "timeout_ms": 500, "failures_before_down": 1});
        ids.push(t.create("monitors", body).await);
    }
    crate::monitoring::until_state(&t, &ids[0], &t.admin, "up").await;
    crate::monitoring::until_state(&t, &ids[1], &t.admin, "down").await;
    crate::monitoring::until_measured(&t, &up.system).await;
    t.clock.set(chrono::Utc::now());

    // Everything but reachability is answered by the inspector; the certificate by hand, as
    // none of the systems has a TLS monitor.
    let by_hand = |reachable: Option<&str>| {
        let mut r = vec![
            json!({"item_id": "builtin-website-02", "result": "normal"}),
            json!({"item_id": "builtin-website-03", "result": "normal"}),
            json!({"item_id": "builtin-website-04", "result": "栏目按期更新"}),
            json!({"item_id": "builtin-website-05", "result": 120}),
        ];
        if let Some(v) = reachable {
            r.push(json!({"item_id": "builtin-website-01", "result": v}));
        }
        json!({"results": r})
    };

    // Up: filled in, normal, with what the monitor saw.
    let task = website_task(&t, &up.pm, &up.system, &up.engineer_id).await;
    let (s, rec) = t.post(&format!("/api/v1/inspection-tasks/{task}/record"), &up.engineer, by_hand(None)).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let reach = result(&rec, 1);
    assert_eq!(
        (reach["value"].as_str(), reach["abnormal"].as_bool(), reach["automatic"].as_bool()),
        (Some("normal"), Some(false), Some(true)),
        "{reach}"
    );
    let note = reach["note"].as_str().unwrap();
    assert!(
        note.contains("HTTP 监控 1 个均正常")
            && note.contains("近 24 小时可用率 100%")
            && note.contains("门户首页：正常"),
        "{note}"
    );
    assert_eq!(rec["abnormal_count"], 0);
    let cert = result(&rec, 5);
    assert_eq!((cert["value"].as_str(), cert["automatic"].as_bool()), (Some("120"), Some(false)));
    assert!(cert["note"].as_str().unwrap().contains("该系统没有 TLS 证书监控"), "{cert}");

    // Down: abnormal whatever the inspector says, and a ticket carries what the monitor saw.
    let task = website_task(&t, &down.pm, &down.system, &down.engineer_id).await;
    let (s, rec) =
        t.post(&format!("/api/v1/inspection-tasks/{task}/record"), &down.engineer, by_hand(Some("normal"))).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let reach = result(&rec, 1);
    assert_eq!(
        (reach["value"].as_str(), reach["abnormal"].as_bool(), reach["automatic"].as_bool()),
        (Some("abnormal"), Some(true), Some(true)),
        "{reach}"
    );
    assert!(reach["note"].as_str().unwrap().contains("政务公开栏目：异常"), "{reach}");
    assert_eq!(rec["abnormal_count"], 1);
    let ticket = reach["ticket_id"].as_str().expect("a ticket for the site being down");
    let (_, tk) = t.get(&format!("/api/v1/tickets/{ticket}"), &down.pm).await;
    assert!(tk["description"].as_str().unwrap().contains("status 503"), "{tk}");

    // None: not taken as normal; the inspector must answer, and the record says why.
    let task = website_task(&t, &none.pm, &none.system, &none.engineer_id).await;
    let (s, e) = t.post(&format!("/api/v1/inspection-tasks/{task}/record"), &none.engineer, by_hand(None)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field_errors"][0]["field"], "results");
    assert!(e["field_errors"][0]["message"].as_str().unwrap().contains("该系统没有 HTTP 监控"), "{e}");
    let (s, rec) =
        t.post(&format!("/api/v1/inspection-tasks/{task}/record"), &none.engineer, by_hand(Some("normal"))).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let reach = result(&rec, 1);
    assert_eq!(
        (reach["value"].as_str(), reach["abnormal"].as_bool(), reach["automatic"].as_bool()),
        (Some("normal"), Some(false), Some(false))
    );
    assert_eq!(reach["note"], "未自动读取（该系统没有 HTTP 监控），人工填写");

    stop.send(true).unwrap();
    runner.await.unwrap();
});
