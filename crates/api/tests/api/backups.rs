//! Backups: the bureau's policies, runs by hand and from a tool, missed periods across Spring
//! Festival opening one ticket each, restore drills judged against RTO/RPO, voids, indicators,
//! and who sees what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture};

const PDF: &[u8] = b"%PDF-1.4\n% restore drill report\n";

fn statuses(tasks: &Value) -> Vec<(String, String, String)> {
    tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap().to_string();
            (s("opens_on"), s("due_on"), s("status"))
        })
        .collect()
}

fn triples(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    v.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

fn field(e: &Value) -> Option<&str> {
    e["field_errors"][0]["field"].as_str()
}

fn run(policy: &str, start: &str, end: &str, result: &str) -> Value {
    json!({"policy_id": policy, "started_at": start, "finished_at": end, "result": result, "size_bytes": 1_073_741_824,
        "stored_at": "/backup/oracle", "tool": "RMAN"})
}

both!(weekly_backups_across_spring_festival_and_their_missed_periods, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    t.clock.set(bj("2026-02-02T10:00"));

    // The bureau sets the policies; the vendor may not; bad input names its fields.
    let weekly = |rule: &str, object: &str| {
        json!({"system_id": f.system, "object": object, "frequency": {"every": "week", "weekdays": ["mon"]},
            "holiday_rule": rule, "start_date": "2026-02-02", "retention_days": 30, "rpo_minutes": 1440,
            "rto_minutes": 240, "location": "offsite"})
    };
    let (s, _) = t.post("/api/v1/backup-policies", &f.pm, weekly("skip", "database")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "policies are the bureau's");
    let (s, skip) = t.post("/api/v1/backup-policies", &t.admin, weekly("skip", "database")).await;
    assert_eq!(s, StatusCode::CREATED, "{skip}");
    assert_eq!(
        (skip["name"].as_str(), skip["frequency_text"].as_str()),
        (Some("数据库备份"), Some("每周一")),
        "{skip}"
    );
    let (s, moved) = t.post("/api/v1/backup-policies", &t.admin, weekly("next_working_day", "files")).await;
    assert_eq!(s, StatusCode::CREATED, "{moved}");
    let (skip, moved) = (skip["id"].as_str().unwrap().to_string(), moved["id"].as_str().unwrap().to_string());
    let (s, e) = t
        .post(
            "/api/v1/backup-policies",
            &t.admin,
            json!({"system_id": f.system, "object": "tape", "frequency": {"every": "week"}, "retention_days": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!(fields, ["object", "frequency.weekdays", "retention_days"], "{e}");

    // Runs of the first week, by hand; another vendor's policy is not found; nonsense is refused.
    for p in [&skip, &moved] {
        let (s, r) = t
            .post(
                "/api/v1/backup-runs",
                &f.engineer,
                run(p, "2026-02-02T01:00:00+08:00", "2026-02-02T01:40:00+08:00", "success"),
            )
            .await;
        assert_eq!((s, r["source"].as_str()), (StatusCode::CREATED, Some("manual")), "{r}");
    }
    let (s, e) = t
        .post(
            "/api/v1/backup-runs",
            &other.engineer,
            run(&skip, "2026-02-02T01:00:00+08:00", "2026-02-02T02:00:00+08:00", "success"),
        )
        .await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("policy_id")), "{e}");
    let (s, e) = t
        .post(
            "/api/v1/backup-runs",
            &f.engineer,
            run(&skip, "2026-02-02T03:00:00+08:00", "2026-02-02T02:00:00+08:00", "ok"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!(fields, ["finished_at", "result"], "{e}");
    let (s, _) = t
        .post(
            "/api/v1/backup-runs",
            &f.reporter,
            run(&skip, "2026-02-02T01:00:00+08:00", "2026-02-02T02:00:00+08:00", "success"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "units do not record runs");

    // The week before the holiday: a run on Tuesday 10 February for both.
    t.clock.set(bj("2026-02-10T10:00"));
    for p in [&skip, &moved] {
        let (s, r) = t
            .post(
                "/api/v1/backup-runs",
                &f.engineer,
                run(p, "2026-02-10T01:00:00+08:00", "2026-02-10T01:30:00+08:00", "success"),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
    }

    // 2 March, after Spring Festival (15–23 February off). Skipping the holiday Mondays makes the
    // 9 February period run to 1 March: done. Moving them to Tuesday 24 February opens a period
    // nobody backed up in: missed.
    t.clock.set(bj("2026-03-02T10:00"));
    let tasks = |p: &str| format!("/api/v1/backup-tasks?policy_id={p}&kind=run&from=2026-02-01&to=2026-03-02");
    let (s, ts) = t.get(&tasks(&skip), &f.pm).await;
    assert_eq!(s, StatusCode::OK, "{ts}");
    assert_eq!(
        statuses(&ts),
        triples(&[
            ("2026-02-02", "2026-02-08", "done"),
            ("2026-02-09", "2026-03-01", "done"),
            ("2026-03-02", "2026-03-08", "open")
        ])
    );
    let (_, ts) = t.get(&tasks(&moved), &f.pm).await;
    assert_eq!(
        statuses(&ts),
        triples(&[
            ("2026-02-02", "2026-02-08", "done"),
            ("2026-02-09", "2026-02-23", "done"),
            ("2026-02-24", "2026-03-01", "missed"),
            ("2026-03-02", "2026-03-08", "open")
        ])
    );
    let (_, p) = t.get(&format!("/api/v1/backup-policies/{skip}"), &f.reporter).await;
    assert_eq!(
        (p["missed"].as_bool(), p["last_success_at"].as_str()),
        (Some(false), Some("2026-02-09T17:00:00Z")),
        "{p}"
    );
    assert_eq!(p["current_period"]["status"], "open");
    let (_, p) = t.get(&format!("/api/v1/backup-policies/{moved}"), &f.pm).await;
    assert_eq!(p["missed"], true, "{p}");

    // The job opens one ticket for the miss, however often it runs.
    assert_eq!(t.app.check_missed_backups().await.unwrap(), 1);
    assert_eq!(t.app.check_missed_backups().await.unwrap(), 0);
    let (_, tickets) = t.get(&format!("/api/v1/tickets?system_id={}", f.system), &t.admin).await;
    let ours: Vec<&Value> = tickets["items"].as_array().unwrap().iter().filter(|x| x["channel"] == "backup").collect();
    assert_eq!(ours.len(), 1, "{tickets}");
    let title = ours[0]["title"].as_str().unwrap();
    assert!(title.contains("漏备份") && title.contains("2026-02-24"), "{title}");
    // Nobody files a "backup check" ticket by hand.
    let (s, e) = t
        .post(
            "/api/v1/tickets",
            &f.reporter,
            json!({"system_id": f.system, "type": "incident", "title": "x", "channel": "backup"}),
        )
        .await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")), "{e}");

    // Vendor staff cannot fill the ended period after the fact; the bureau can, and the ticket
    // stays.
    let late = run(&moved, "2026-02-25T01:00:00+08:00", "2026-02-25T02:00:00+08:00", "success");
    let (s, e) = t.post("/api/v1/backup-runs", &f.engineer, late.clone()).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("started_at")), "{e}");
    let failed = run(&moved, "2026-02-25T01:00:00+08:00", "2026-02-25T01:05:00+08:00", "failed");
    let (s, _) = t.post("/api/v1/backup-runs", &f.engineer, failed).await;
    assert_eq!(s, StatusCode::CREATED, "a failure may always be told");
    let (s, r) = t.post("/api/v1/backup-runs", &t.admin, late).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (_, p) = t.get(&format!("/api/v1/backup-policies/{moved}"), &f.pm).await;
    assert_eq!(p["missed"], false, "{p}");

    // The bureau voids a wrong run, once, with a reason; the vendor cannot.
    let void = format!("/api/v1/backup-runs/{}/void", r["id"].as_str().unwrap());
    let (s, _) = t.post(&void, &f.pm, json!({"reason": "错录"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = t.post(&void, &t.admin, json!({"reason": "登记错了策略"})).await;
    assert_eq!((s, v["void_reason"].as_str()), (StatusCode::OK, Some("登记错了策略")), "{v}");
    let (s, _) = t.post(&void, &t.admin, json!({"reason": "again"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, p) = t.get(&format!("/api/v1/backup-policies/{moved}"), &f.pm).await;
    assert_eq!(p["missed"], true, "a void run counts for nothing");

    // Indicators for February: five periods ended, four done, one missed.
    let (s, k) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-02-01&to=2026-03-01", f.contract), &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let kpi = |key: &str| k["items"].as_array().unwrap().iter().find(|x| x["key"] == key).cloned().unwrap();
    let rate = kpi("backup_success_rate");
    assert_eq!((rate["numerator"].as_f64(), rate["denominator"].as_f64()), (Some(4.0), Some(5.0)), "{k}");
    assert_eq!(kpi("backup_missed")["value"].as_f64(), Some(1.0));
    // The February report's 数据备份与恢复 section lists each policy (the miss falls due on
    // 1 March, in March's report).
    let body = json!({"contract_id": f.contract, "kind": "month", "start": "2026-02-01"});
    let (s, r) = t.post("/api/v1/reports", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, _, preview) = t.download(&format!("/api/v1/reports/{}/preview", r["id"].as_str().unwrap()), &t.admin).await;
    let preview = String::from_utf8(preview).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(preview.contains("数据备份与恢复") && preview.contains("文件备份"), "{preview}");
    assert!(preview.contains("完成率 100%，漏备份 0 次"), "{preview}");

    // A policy with runs is evidence; so is its system.
    assert_eq!(t.delete(&format!("/api/v1/backup-policies/{skip}"), &t.admin).await, StatusCode::CONFLICT);
    assert_eq!(t.delete(&format!("/api/v1/systems/{}", f.system), &t.admin).await, StatusCode::CONFLICT);

    // Who sees what: the system's unit and vendor, not another's.
    let (s, _) = t.get(&format!("/api/v1/backup-policies/{skip}"), &other.pm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t.get(&format!("/api/v1/backup-policies/{skip}"), &other.reporter).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, runs) = t.get("/api/v1/backup-runs", &other.pm).await;
    assert_eq!(runs["total"], 0, "{runs}");
    let (_, runs) = t.get(&format!("/api/v1/backup-runs?policy_id={moved}"), &f.reporter).await;
    assert_eq!(runs["total"], 3, "{runs}");
    let (_, ts) = t.get("/api/v1/backup-tasks?from=2026-02-01&to=2026-03-02", &other.reporter).await;
    assert_eq!(ts, json!([]));
});

both!(a_backup_tool_pushes_its_runs_with_an_integration_token, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-06-01T10:00"));
    let policy = t
        .create(
            "backup-policies",
            json!({"system_id": f.system, "object": "database", "frequency": {"every": "day"}, "retention_days": 30}),
        )
        .await;
    let token = |kind: &str| {
        let t = &t;
        let kind = kind.to_string();
        async move {
            let (s, i) =
                t.post("/api/v1/integrations", &t.admin, json!({"name": format!("{kind} 工具"), "kind": kind})).await;
            assert_eq!(s, StatusCode::CREATED, "{i}");
            i["token"].as_str().unwrap().to_string()
        }
    };
    let backup = token("backup").await;
    let webhook = token("webhook").await;
    let push = |bearer: Option<String>, body: Value| {
        let t = &t;
        async move {
            let mut req = t.client.post(format!("{}/api/v1/intake/backup-runs", t.base)).json(&body);
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            let res = req.send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let body = run(&policy, "2026-06-01T02:00:00+08:00", "2026-06-01T02:30:00+08:00", "success");
    let (s, r) = push(Some(backup.clone()), body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!((r["source"].as_str(), r["recorded_by_name"].as_str()), (Some("tool"), Some("backup 工具")), "{r}");
    assert_eq!(push(None, body.clone()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(push(Some("ywi_nonsense".into()), body.clone()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(push(Some(webhook), body).await.0, StatusCode::FORBIDDEN, "an alert token pushes no runs");
    // A tool does not replay old runs into past periods.
    let old = run(&policy, "2026-05-29T02:00:00+08:00", "2026-05-29T02:30:00+08:00", "success");
    let (s, e) = push(Some(backup.clone()), old).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("started_at")), "{e}");
    let (s, e) = push(Some(backup.clone()), json!({"policy_id": "nope", "result": "success"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (_, p) = t.get(&format!("/api/v1/backup-policies/{policy}"), &f.pm).await;
    assert_eq!(p["last_success_at"], "2026-05-31T18:00:00Z", "{p}");
    let (_, log) = t.get("/api/v1/audit?object_type=backup_run", &t.admin).await;
    assert_eq!(log["items"][0]["actor_name"], "backup 工具", "{log}");
});

both!(restore_drills_are_judged_against_rto_and_rpo, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-03-20T10:00"));
    let policy = t
        .create(
            "backup-policies",
            json!({"system_id": f.system, "object": "database", "frequency": {"every": "day"}, "retention_days": 30,
                "rpo_minutes": 0, "rto_minutes": 240, "start_date": "2026-01-01",
                "drill_frequency": {"every": "quarter", "month": 1, "day": 1}}),
        )
        .await;
    let drill = |minutes: &str, loss: &str| {
        vec![
            ("policy_id", policy.clone()),
            ("performed_on", "2026-03-18".to_string()),
            ("restored", "true".to_string()),
            ("restore_minutes", minutes.to_string()),
            ("data_loss_minutes", loss.to_string()),
            ("summary", "Oracle 全库恢复到演练环境".to_string()),
        ]
    };
    let send = |token: String, fields: Vec<(&'static str, String)>| {
        let t = &t;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.upload_with("/api/v1/restore-drills", &token, ("恢复演练报告.pdf", PDF.to_vec()), &fields).await
        }
    };
    let (s, slow) = send(f.engineer.clone(), drill("300", "0")).await;
    assert_eq!(s, StatusCode::CREATED, "{slow}");
    assert_eq!(
        (slow["rto_met"].as_bool(), slow["rpo_met"].as_bool(), slow["passed"].as_bool()),
        (Some(false), Some(true), Some(false))
    );
    let (s, good) = send(f.engineer.clone(), drill("180", "0")).await;
    assert_eq!((s, good["passed"].as_bool()), (StatusCode::CREATED, Some(true)), "{good}");
    let (s, e) = send(f.engineer.clone(), drill("三小时", "")).await;
    assert_eq!((s, field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("restore_minutes")), "{e}");
    let (s, e) = send(f.engineer.clone(), vec![("policy_id", policy.clone())]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!(fields, ["performed_on", "restored", "restore_minutes", "data_loss_minutes", "summary"], "{e}");
    // A unit user is refused before the body is read.
    let res = t
        .client
        .post(format!("{}/api/v1/restore-drills", t.base))
        .bearer_auth(&f.reporter)
        .multipart(reqwest::multipart::Form::new().text("summary", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The report as uploaded; the targets kept with the drill even when the policy changes.
    let id = good["id"].as_str().unwrap();
    let res = t
        .client
        .get(format!("{}/api/v1/restore-drills/{id}/file", t.base))
        .bearer_auth(&f.reporter)
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let (s, _) = t
        .put(
            &format!("/api/v1/backup-policies/{policy}"),
            &t.admin,
            json!({"system_id": f.system, "object": "database", "frequency": {"every": "day"}, "retention_days": 30,
                "rto_minutes": 60, "drill_frequency": {"every": "quarter", "month": 1, "day": 1}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, d) = t.get(&format!("/api/v1/restore-drills/{id}"), &f.pm).await;
    assert_eq!((d["rto_minutes"].as_i64(), d["passed"].as_bool()), (Some(240), Some(true)), "{d}");

    // The first quarter's drill is done; the half year's drills: one of two passed.
    t.clock.set(bj("2026-04-02T10:00"));
    let (_, ts) = t
        .get(&format!("/api/v1/backup-tasks?policy_id={policy}&kind=drill&from=2026-01-01&to=2026-04-02"), &f.pm)
        .await;
    assert_eq!(
        statuses(&ts),
        triples(&[("2026-01-04", "2026-03-31", "done"), ("2026-04-01", "2026-06-30", "open")]),
        "{ts}"
    );
    let (_, k) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-01-01&to=2026-03-31", f.contract), &t.admin).await;
    let kpi = |key: &str| k["items"].as_array().unwrap().iter().find(|x| x["key"] == key).cloned().unwrap();
    assert_eq!(kpi("restore_drill_pass_rate")["value"].as_f64(), Some(0.5), "{k}");
    assert_eq!(kpi("restore_drill_completion_rate")["value"].as_f64(), Some(1.0), "{k}");
});

both!(runs_import_from_a_sheet_all_or_nothing, |t: TestApp| async move {
    use report::xlsx::{Cell, write_table};
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-03-10T10:00"));
    let policy = t
        .create(
            "backup-policies",
            json!({"system_id": f.system, "name": "Oracle 全库备份", "object": "database",
                "frequency": {"every": "week", "weekdays": ["mon"]}, "start_date": "2026-03-02", "retention_days": 30}),
        )
        .await;
    let headers = ["策略编号", "系统名称", "策略名称", "开始时间", "结束时间", "结果", "大小（字节）"];
    let sheet = |rows: Vec<Vec<&str>>| {
        let rows: Vec<Vec<Cell>> = rows.into_iter().map(|r| r.into_iter().map(Cell::from).collect()).collect();
        write_table("备份记录", &headers, &rows).unwrap()
    };
    let runs_path = format!("/api/v1/backup-runs?policy_id={policy}");
    // One bad row of four: nothing is written, every error named by row and column.
    let bad = sheet(vec![
        vec![&policy, "", "", "2026-03-09 01:00", "2026-03-09 01:40", "成功", "1048576"],
        vec!["", "馆藏档案管理平台", "Oracle 全库备份", "2026-03-03 01:00", "2026-03-03 01:30", "失败", ""],
        vec!["", "馆藏档案管理平台", "没有这个策略", "2026-03-03 01:00", "2026-03-03 01:30", "成功", ""],
        vec![&policy, "", "", "昨天", "2026-03-03 01:30", "好", "很大"],
        vec![&policy, "", "", "2026-03-04 01:00", "2026-03-04 01:30", "成功", ""],
    ]);
    let (s, body) = t.upload("/api/v1/backup-runs/import", &f.engineer, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors: Vec<(u64, &str)> = body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(4, "策略名称"), (5, "大小（字节）"), (6, "开始时间")], "{body}");
    assert_eq!(t.get(&runs_path, &t.admin).await.1["total"], 0, "nothing half-imported");
    // The good rows go in together, as imported, in the bureau's time.
    let good = sheet(vec![
        vec![&policy, "", "", "2026-03-09 01:00", "2026-03-09 01:40", "成功", "1048576"],
        vec!["", "馆藏档案管理平台", "Oracle 全库备份", "2026-03-03 01:00", "2026-03-03 01:30", "失败", ""],
    ]);
    let (s, body) = t.upload("/api/v1/backup-runs/import", &f.engineer, good.clone()).await;
    assert_eq!((s, body["created"].as_u64()), (StatusCode::OK, Some(2)), "{body}");
    let (_, list) = t.get(&format!("/api/v1/backup-runs?policy_id={policy}"), &f.pm).await;
    assert_eq!(list["items"][0]["started_at"], "2026-03-08T17:00:00Z", "{list}");
    assert_eq!(list["items"][0]["source"], "import");
    // Units import nothing, before the file is read.
    let (s, _) = t.upload("/api/v1/backup-runs/import", &f.reporter, good).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});
