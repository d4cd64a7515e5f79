//! Calendars, holiday sets, SLA policies and the simulator through the API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;

fn fields(body: &Value) -> Vec<String> {
    body["field_errors"]
        .as_array()
        .map_or(vec![], |a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
}

fn five_by_eight() -> Value {
    let day = json!([["08:30", "12:00"], ["13:30", "17:30"]]);
    json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": [], "sun": []})
}

both!(calendars_presets_crud_and_month_view, |t: TestApp| async move {
    let (s, list) = t.get("/api/v1/calendars?page_size=50", &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let presets: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["preset"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(presets.len(), 4, "{presets:?}");
    let (_, five) = t.get("/api/v1/calendars/preset-5x8", &t.admin).await;
    assert_eq!(five["holiday_sets"], json!(["cn"]));
    assert!(five["holidays_until"].as_str().is_some_and(|d| d >= "2026-12-31"), "{five}");
    let left = (chrono::NaiveDate::parse_from_str(five["holidays_until"].as_str().unwrap(), "%Y-%m-%d").unwrap()
        - app::bureau_today())
    .num_days();
    assert_eq!(five["holiday_warning"], left < 60, "warns 60 days before the data runs out");

    // A bureau calendar with an override; its month view shows why each day is what it is.
    let body = json!({"name": "数据局 5×8", "time_zone": "Asia/Shanghai", "weekly": five_by_eight(), "holiday_sets": ["cn"],
        "overrides": [{"date": "2025-10-10", "kind": "special", "hours": [["09:00", "12:00"]], "note": "半天"}]});
    let (s, c) = t.post("/api/v1/calendars", &t.admin, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let (s, days) = t.get(&format!("/api/v1/calendars/{id}/days?from=2025-09-30&to=2025-10-12"), &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{days}");
    let day = |d: &str| days["items"].as_array().unwrap().iter().find(|x| x["date"] == d).unwrap().clone();
    assert_eq!(day("2025-10-01")["reason"], json!({"kind": "holiday", "name": "国庆节、中秋节"}));
    assert_eq!(day("2025-10-01")["working"], false);
    assert_eq!(day("2025-10-11")["reason"]["kind"], "workday");
    assert_eq!(day("2025-10-11")["minutes"], 450);
    assert_eq!(day("2025-10-10")["hours"], json!([["09:00", "12:00"]]));
    assert_eq!(day("2025-10-12")["reason"]["kind"], "off_day");
    let (s, _) = t.get(&format!("/api/v1/calendars/{id}/days?from=2025-01-01&to=2027-01-01"), &t.admin).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "at most 400 days");

    let mut renamed = body.clone();
    renamed["name"] = json!("数据局 5×8（修订）");
    let (s, c) = t.put(&format!("/api/v1/calendars/{id}"), &t.admin, renamed).await;
    assert_eq!((s, c["name"].as_str()), (StatusCode::OK, Some("数据局 5×8（修订）")));
    // Presets are read-only; names are unique.
    assert_eq!(t.put("/api/v1/calendars/preset-5x8", &t.admin, body.clone()).await.0, StatusCode::CONFLICT);
    assert_eq!(t.delete("/api/v1/calendars/preset-7x24", &t.admin).await, StatusCode::CONFLICT);
    let mut dup = body.clone();
    dup["name"] = json!("数据局 5×8（修订）");
    let (s, b) = t.post("/api/v1/calendars", &t.admin, dup).await;
    assert_eq!((s, fields(&b)), (StatusCode::CONFLICT, vec!["name".to_string()]));

    // Bad input names the field.
    let (s, b) = t
        .post("/api/v1/calendars", &t.admin, json!({"name": "x", "time_zone": "Mars/Base", "weekly": {"mon": [["09:00", "08:00"]]}, "holiday_sets": ["nope"]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&b), ["time_zone", "weekly.mon[0]"]);
    let (s, b) = t
        .post("/api/v1/calendars", &t.admin, json!({"name": "y", "weekly": five_by_eight(), "holiday_sets": ["nope"]}))
        .await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["holiday_sets[0]".to_string()]));

    // Everyone reads calendars; only the bureau writes them; every change is audited.
    let unit = t.unit("单位").await;
    let tok = t.user("u1", "unit_user", Some(&unit), None).await;
    assert_eq!(t.get(&format!("/api/v1/calendars/{id}"), &tok).await.0, StatusCode::OK);
    assert_eq!(t.post("/api/v1/calendars", &tok, body.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(t.delete(&format!("/api/v1/calendars/{id}"), &t.admin).await, StatusCode::NO_CONTENT);
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=calendar&object_id={id}"), &t.admin).await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
});

both!(holiday_sets_take_next_years_notice, |t: TestApp| async move {
    let (_, sets) = t.get("/api/v1/holiday-sets", &t.admin).await;
    let cn = sets["items"].as_array().unwrap().iter().find(|s| s["code"] == "cn").unwrap().clone();
    assert_eq!(cn["years"], json!([2024, 2025, 2026]));
    assert_eq!(cn["builtin"], true);
    let id = cn["id"].as_str().unwrap().to_string();

    // The 2027 notice, typed in: the presets now reach the end of 2027 and stop warning.
    let entries = json!({"entries": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-06", "kind": "holiday", "name": "春节"},
        {"date": "2027-02-14", "kind": "workday", "name": "春节"}]});
    let (s, d) = t.put(&format!("/api/v1/holiday-sets/{id}/years/2027"), &t.admin, entries).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["entries"].as_array().unwrap().len(), 3);
    let (_, five) = t.get("/api/v1/calendars/preset-5x8", &t.admin).await;
    assert_eq!(five["holidays_until"], "2027-12-31");
    assert_eq!(five["holiday_warning"], false);
    let (_, day) = t.get("/api/v1/calendars/preset-5x8/days?from=2027-02-14&to=2027-02-14", &t.admin).await;
    assert_eq!(day["items"][0]["reason"], json!({"kind": "workday", "name": "春节"}));

    let (s, b) = t
        .put(
            &format!("/api/v1/holiday-sets/{id}/years/2027"),
            &t.admin,
            json!({"entries": [{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}]}),
        )
        .await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["entries[0].date".to_string()]));
    let (s, b) = t
        .put(
            &format!("/api/v1/holiday-sets/{id}/years/2027"),
            &t.admin,
            json!({"entries": [{"date": "2027-02-30", "kind": "holiday", "name": "x"}]}),
        )
        .await;
    assert_eq!((s, fields(&b)), (StatusCode::BAD_REQUEST, vec!["entries[0].date".to_string()]));

    // An import with a bad line writes nothing and names the line.
    let csv = "date,kind,name\n2028-01-01,休,元旦\n2028-13-01,休,坏日期\n".as_bytes().to_vec();
    let (s, b) = t.upload(&format!("/api/v1/holiday-sets/{id}/import"), &t.admin, csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["row_errors"][0]["row"], 3);
    let (_, d) = t.get(&format!("/api/v1/holiday-sets/{id}?year=2028"), &t.admin).await;
    assert_eq!(d["entries"], json!([]));
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20281001\r\nDTEND;VALUE=DATE:20281008\r\nSUMMARY:国庆节 放假\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20280930\r\nSUMMARY:国庆节 补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (s, r) = t.upload(&format!("/api/v1/holiday-sets/{id}/import"), &t.admin, ics.as_bytes().to_vec()).await;
    assert_eq!(
        (s, r["years"].clone(), r["entries"].clone(), r["from"].clone()),
        (StatusCode::OK, json!([2028]), json!(8), json!("2028-09-30")),
        "{r}"
    );

    // The shipped set stays; a set of the bureau's own can go when no calendar uses it.
    assert_eq!(t.delete(&format!("/api/v1/holiday-sets/{id}"), &t.admin).await, StatusCode::CONFLICT);
    let (s, own) = t.post("/api/v1/holiday-sets", &t.admin, json!({"code": "anyang", "name": "安阳市补充安排"})).await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    let (s, b) = t.post("/api/v1/holiday-sets", &t.admin, json!({"code": "anyang", "name": "重复"})).await;
    assert_eq!((s, fields(&b)), (StatusCode::CONFLICT, vec!["code".to_string()]));
    let own_id = own["id"].as_str().unwrap();
    let (s, _) = t
        .post(
            "/api/v1/calendars",
            &t.admin,
            json!({"name": "安阳", "weekly": five_by_eight(), "holiday_sets": ["cn", "anyang"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(t.delete(&format!("/api/v1/holiday-sets/{own_id}"), &t.admin).await, StatusCode::CONFLICT);
    let unit = t.unit("单位").await;
    let tok = t.user("u1", "unit_user", Some(&unit), None).await;
    assert_eq!(
        t.put(&format!("/api/v1/holiday-sets/{id}/years/2029"), &tok, json!({"entries": []})).await.0,
        StatusCode::FORBIDDEN
    );
});

both!(simulate_checks_a_clause_before_it_goes_into_a_contract, |t: TestApp| async move {
    // “3个工作日内排除故障”, reported the morning before National Day 2025.
    let req = json!({"calendar_id": "preset-5x8", "reported_at": "2025-09-30T10:00:00+08:00",
        "targets": {"response": {"kind": "calendar", "minutes": 30}, "resolve": {"kind": "working_days", "days": 3}}});
    let (s, r) = t.post("/api/v1/sla/simulate", &t.admin, req.clone()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["in_hours"], true);
    assert_eq!(r["due"]["response"]["due_at"], "2025-09-30T02:30:00Z");
    assert_eq!(r["due"]["resolve"]["due_at"], "2025-10-11T09:30:00Z");
    assert_eq!(r["due"]["resolve"]["due_local"], "2025-10-11 17:30");
    let texts: Vec<&str> =
        r["due"]["resolve"]["explanation"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert!(texts.contains(&"跳过 2025-10-01..08：国庆节、中秋节"), "{texts:?}");
    // In English on request.
    let res = t
        .client
        .post(format!("{}/api/v1/sla/simulate", t.base))
        .bearer_auth(&t.admin)
        .header("accept-language", "en")
        .json(&req)
        .send()
        .await
        .unwrap();
    let en: Value = res.json().await.unwrap();
    let texts: Vec<&str> =
        en["due"]["resolve"]["explanation"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert!(texts.contains(&"skipped 2025-10-01..08: holiday (国庆节、中秋节)"), "{texts:?}");
    // A pause moves a working-time deadline by the working time it took.
    let mut paused = req.clone();
    paused["pauses"] = json!([["2025-09-30T11:00:00+08:00", "2025-09-30T15:00:00+08:00"]]);
    let (_, r) = t.post("/api/v1/sla/simulate", &t.admin, paused).await;
    // 2.5 working hours lost (11:00–12:00, 13:30–15:00): Saturday 17:30 moves to Monday 08:30 + 2.5 h.
    assert_eq!(r["due"]["resolve"]["due_local"], "2025-10-13 11:00", "{r}");
    assert_eq!(r["due"]["response"]["due_local"], "2025-09-30 10:30", "not paused before it was due");

    // Bad requests name their fields.
    let (s, b) = t.post("/api/v1/sla/simulate", &t.admin, json!({"calendar_id": "nope", "reported_at": "2025-09-30T10:00:00+08:00", "targets": {"r": {"kind": "calendar", "minutes": 5}}})).await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["calendar_id".to_string()]));
    let (s, b) = t.post("/api/v1/sla/simulate", &t.admin, json!({"calendar_id": "preset-5x8", "targets": {}})).await;
    assert_eq!(
        (s, fields(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reported_at".to_string(), "targets".to_string()])
    );
    let (s, b) = t.post("/api/v1/sla/simulate", &t.admin, json!({"calendar_id": "preset-5x8", "reported_at": "2025-09-30T10:00:00Z", "targets": {"r": {"kind": "fortnight"}}})).await;
    assert_eq!((s, fields(&b)), (StatusCode::BAD_REQUEST, vec!["targets.r.kind".to_string()]));
});

both!(policies_are_versioned_scoped_and_simulated, |t: TestApp| async move {
    let (_, tpl) = t.get("/api/v1/sla/templates", &t.admin).await;
    let row03 =
        tpl["items"].as_array().unwrap().iter().find(|x| x["id"] == "004-row-03-faults").unwrap()["policy"].clone();
    // The policy of a contract item held by vendor 1, covering unit A's system.
    let unit_a = t.unit("甲").await;
    let unit_b = t.unit("乙").await;
    let sys_a = t.system("档案管理平台", &unit_a).await;
    let sys_b = t.system("乙系统", &unit_b).await;
    let v1 = t.vendor("供应商一").await;
    let v2 = t.vendor("供应商二").await;
    let contract = t.contract("合同", &v1, &[&sys_a]).await;
    t.contract("合同二", &v2, &[&sys_b]).await;
    let (_, c) = t.get(&format!("/api/v1/contracts/{contract}"), &t.admin).await;
    let item = c["items"][0]["id"].as_str().unwrap().to_string();
    let mut body = row03.clone();
    body["contract_item_id"] = json!(item);
    let (s, p) = t.post("/api/v1/sla/policies", &t.admin, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!((p["version"].clone(), p["latest_version"].clone()), (json!(1), json!(1)));
    let id = p["id"].as_str().unwrap().to_string();

    // A new version; the old one stays readable.
    let mut v2body = body.clone();
    v2body["name"] = json!("档案馆故障（2026 修订）");
    v2body["levels"][0]["targets"]["arrival"] = json!({"kind": "calendar", "minutes": 20});
    let (s, p2) = t.put(&format!("/api/v1/sla/policies/{id}"), &t.admin, v2body).await;
    assert_eq!((s, p2["version"].clone()), (StatusCode::OK, json!(2)), "{p2}");
    let (_, old) = t.get(&format!("/api/v1/sla/policies/{id}?version=1"), &t.admin).await;
    assert_eq!(
        (old["name"].clone(), old["version"].clone(), old["latest_version"].clone()),
        (body["name"].clone(), json!(1), json!(2))
    );
    let (_, versions) = t.get(&format!("/api/v1/sla/policies/{id}/versions"), &t.admin).await;
    assert_eq!(
        versions["items"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect::<Vec<_>>(),
        [2, 1]
    );

    // Simulated by severity: a core fault on a Saturday night gets the out-of-hours targets.
    let sim = json!({"policy_id": id, "severity": "核心故障", "reported_at": "2026-03-14T22:00:00+08:00"});
    let (s, r) = t.post("/api/v1/sla/simulate", &t.admin, sim.clone()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["in_hours"].clone(), r["policy_version"].clone()), (json!(false), json!(2)));
    assert_eq!(r["due"]["arrival"]["due_local"], "2026-03-14 22:30");
    assert_eq!(r["due"]["arrival"]["out_of_hours"], true);
    assert_eq!(r["due"]["restore"]["due_local"], "2026-03-15 00:00");
    let mut v1sim = sim.clone();
    v1sim["severity"] = json!("1");
    v1sim["reported_at"] = json!("2026-03-10T09:00:00+08:00");
    v1sim["policy_version"] = json!(1);
    let (_, r) = t.post("/api/v1/sla/simulate", &t.admin, v1sim).await;
    assert_eq!(r["due"]["arrival"]["due_local"], "2026-03-10 09:15", "version 1 kept its 15 minutes: {r}");
    let mut bad = sim.clone();
    bad["severity"] = json!("五级");
    let (s, b) = t.post("/api/v1/sla/simulate", &t.admin, bad).await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["severity".to_string()]));

    // Seen by whoever sees the item; a draft without an item only by the bureau.
    let eng1 = t.user("eng1", "engineer", None, Some(&v1)).await;
    let eng2 = t.user("eng2", "engineer", None, Some(&v2)).await;
    let ua = t.user("ua", "unit_user", Some(&unit_a), None).await;
    let ub = t.user("ub", "unit_user", Some(&unit_b), None).await;
    assert_eq!(t.get(&format!("/api/v1/sla/policies/{id}"), &eng1).await.0, StatusCode::OK);
    assert_eq!(t.get(&format!("/api/v1/sla/policies/{id}"), &ua).await.0, StatusCode::OK);
    assert_eq!(t.get(&format!("/api/v1/sla/policies/{id}"), &eng2).await.0, StatusCode::NOT_FOUND);
    assert_eq!(t.get(&format!("/api/v1/sla/policies/{id}"), &ub).await.0, StatusCode::NOT_FOUND);
    assert_eq!(t.post("/api/v1/sla/simulate", &ub, sim.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/api/v1/sla/policies", &eng2).await.1["total"], 0);
    assert_eq!(t.put(&format!("/api/v1/sla/policies/{id}"), &eng1, body.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(t.put(&format!("/api/v1/sla/policies/{id}"), &eng2, body.clone()).await.0, StatusCode::NOT_FOUND);
    let mut draft = row03.clone();
    draft["name"] = json!("草稿");
    let (_, d) = t.post("/api/v1/sla/policies", &t.admin, draft).await;
    assert_eq!(
        t.get(&format!("/api/v1/sla/policies/{}", d["id"].as_str().unwrap()), &ua).await.0,
        StatusCode::NOT_FOUND
    );

    // A calendar in use cannot go; references are checked.
    let (_, cal) = t.post("/api/v1/calendars", &t.admin, json!({"name": "专用", "weekly": five_by_eight()})).await;
    let cal_id = cal["id"].as_str().unwrap();
    let mut on_cal = row03.clone();
    on_cal["calendar_id"] = json!(cal_id);
    assert_eq!(t.post("/api/v1/sla/policies", &t.admin, on_cal).await.0, StatusCode::CREATED);
    assert_eq!(t.delete(&format!("/api/v1/calendars/{cal_id}"), &t.admin).await, StatusCode::CONFLICT);
    let mut bad = row03.clone();
    bad["calendar_id"] = json!("ghost");
    bad["contract_item_id"] = json!("ghost");
    let (s, b) = t.post("/api/v1/sla/policies", &t.admin, bad).await;
    assert_eq!(
        (s, fields(&b)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["calendar_id".to_string(), "contract_item_id".to_string()])
    );
    let (s, b) = t
        .post("/api/v1/sla/policies", &t.admin, json!({"name": "空", "calendar_id": "preset-5x8", "levels": []}))
        .await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["levels".to_string()]));
    assert_eq!(t.delete(&format!("/api/v1/sla/policies/{id}"), &t.admin).await, StatusCode::NO_CONTENT);
    let (_, log) = t.get(&format!("/api/v1/audit?object_type=sla_policy&object_id={id}"), &t.admin).await;
    assert_eq!(log["total"], 3);
});

both!(holiday_edits_survive_imports_and_restarts, |t: TestApp| async move {
    let (_, sets) = t.get("/api/v1/holiday-sets", &t.admin).await;
    let id = sets["items"][0]["id"].as_str().unwrap().to_string();
    let count = |year: i32| {
        let t = &t;
        let id = id.clone();
        async move {
            t.get(&format!("/api/v1/holiday-sets/{id}?year={year}"), &t.admin).await.1["entries"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    let before_2026 = count(2026).await;
    assert!(before_2026 > 30);
    // A notice that starts in late December replaces only those days of the old year.
    let csv = "2026-12-31,休,元旦\n2027-01-01,休,元旦\n2027-01-02,休,元旦\n".as_bytes().to_vec();
    let (s, r) = t.upload(&format!("/api/v1/holiday-sets/{id}/import"), &t.admin, csv).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["from"].clone(), r["to"].clone(), r["years"].clone()),
        (json!("2026-12-31"), json!("2027-01-02"), json!([2026, 2027]))
    );
    assert_eq!(count(2026).await, before_2026 + 1);
    assert_eq!(count(2027).await, 2);
    // An administrator's clearing of a shipped year is not undone by the next start.
    let (s, _) = t.put(&format!("/api/v1/holiday-sets/{id}/years/2024"), &t.admin, json!({"entries": []})).await;
    assert_eq!(s, StatusCode::OK);
    let t = t.reopen().await;
    let (_, d) = t.get(&format!("/api/v1/holiday-sets/{id}?year=2024"), &t.admin).await;
    assert_eq!(d["entries"], json!([]));
    let (_, d) = t.get(&format!("/api/v1/holiday-sets/{id}?year=2025"), &t.admin).await;
    assert_eq!(d["entries"].as_array().unwrap().len(), 33, "untouched shipped years stay");
});

both!(policy_versions_keep_their_calendar_and_item, |t: TestApp| async move {
    let (_, cal) = t.post("/api/v1/calendars", &t.admin, json!({"name": "旧日历", "weekly": five_by_eight()})).await;
    let cal_id = cal["id"].as_str().unwrap().to_string();
    let level = json!([{"name": "故障", "targets": {"response": {"kind": "business", "minutes": 60}}}]);
    let unit = t.unit("单位").await;
    let sys = t.system("系统", &unit).await;
    let vendor = t.vendor("供应商").await;
    let c1 = t.contract("合同一", &vendor, &[&sys]).await;
    let c2 = t.contract("合同二", &vendor, &[&sys]).await;
    let item = |c: String| {
        let t = &t;
        async move {
            t.get(&format!("/api/v1/contracts/{c}"), &t.admin).await.1["items"][0]["id"].as_str().unwrap().to_string()
        }
    };
    let (i1, i2) = (item(c1).await, item(c2).await);
    let (s, p) = t
        .post(
            "/api/v1/sla/policies",
            &t.admin,
            json!({"name": "p", "calendar_id": cal_id, "contract_item_id": i1, "levels": level}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    let (s, _) = t
        .put(
            &format!("/api/v1/sla/policies/{id}"),
            &t.admin,
            json!({"name": "p", "calendar_id": "preset-5x8", "contract_item_id": i1, "levels": level}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Version 1 still counts in the old calendar: it cannot be deleted from under it.
    assert_eq!(t.delete(&format!("/api/v1/calendars/{cal_id}"), &t.admin).await, StatusCode::CONFLICT);
    let sim =
        json!({"policy_id": id, "policy_version": 1, "severity": "故障", "reported_at": "2026-03-10T09:00:00+08:00"});
    assert_eq!(t.post("/api/v1/sla/simulate", &t.admin, sim).await.0, StatusCode::OK);
    // A policy attached to an item stays with it.
    let (s, b) = t
        .put(
            &format!("/api/v1/sla/policies/{id}"),
            &t.admin,
            json!({"name": "p", "calendar_id": "preset-5x8", "contract_item_id": i2, "levels": level}),
        )
        .await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["contract_item_id".to_string()]));
    // Who saved a version is shown to the bureau only.
    let ua = t.user("ua", "unit_user", Some(&unit), None).await;
    let (_, v) = t.get(&format!("/api/v1/sla/policies/{id}/versions"), &ua).await;
    assert!(v["items"].as_array().unwrap().iter().all(|x| x["created_by"].is_null()), "{v}");
    let (_, v) = t.get(&format!("/api/v1/sla/policies/{id}/versions"), &t.admin).await;
    assert!(v["items"].as_array().unwrap().iter().all(|x| x["created_by"].is_string()), "{v}");
    // Deleting the item leaves the policy unattached, and saving it again works.
    let (_, c) = t.get("/api/v1/contracts?q=合同一", &t.admin).await;
    let cid = c["items"][0]["id"].as_str().unwrap();
    assert_eq!(t.delete(&format!("/api/v1/contracts/{cid}"), &t.admin).await, StatusCode::NO_CONTENT);
    let (_, p) = t.get(&format!("/api/v1/sla/policies/{id}"), &t.admin).await;
    assert!(p["contract_item_id"].is_null(), "{p}");
    let (s, _) = t
        .put(
            &format!("/api/v1/sla/policies/{id}"),
            &t.admin,
            json!({"name": "p", "calendar_id": "preset-5x8", "levels": level}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
});

both!(simulate_is_bounded, |t: TestApp| async move {
    let targets: serde_json::Map<String, Value> =
        (0..21).map(|i| (format!("m{i}"), json!({"kind": "calendar", "minutes": 5}))).collect();
    let (s, b) = t
        .post(
            "/api/v1/sla/simulate",
            &t.admin,
            json!({"calendar_id": "preset-5x8", "reported_at": "2026-03-10T09:00:00+08:00", "targets": targets}),
        )
        .await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["targets".to_string()]));
    let (s, b) = t.post("/api/v1/sla/simulate", &t.admin, json!({"calendar_id": "preset-5x8", "reported_at": "2026-03-10T09:00:00+08:00", "targets": {"resolve": {"kind": "business", "minutes": 3000}, "Bad Name": {"kind": "calendar", "minutes": 1}}})).await;
    assert_eq!((s, fields(&b)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["targets.Bad Name".to_string()]));
    // A year outside this century is a typing mistake, refused rather than simulated.
    let (s, r) = t.post("/api/v1/sla/simulate", &t.admin, json!({"calendar_id": "preset-5x8", "reported_at": "1969-12-01T10:00:00+08:00", "targets": {"resolve": {"kind": "business", "minutes": 3000}}})).await;
    assert_eq!((s, fields(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reported_at".to_string()]), "{r}");
    // So is a target of nothing.
    let (s, r) = t.post("/api/v1/sla/simulate", &t.admin, json!({"calendar_id": "preset-5x8", "reported_at": "2026-03-10T09:00:00+08:00", "targets": {"resolve": {"kind": "business", "minutes": 0}}})).await;
    assert_eq!((s, fields(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["targets.resolve".to_string()]), "{r}");
});
