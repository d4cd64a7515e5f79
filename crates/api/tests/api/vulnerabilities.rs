//! The vulnerability ledger: fix clocks from the contract item's vulnerability policy, imports
//! of Nessus and OpenVAS files (duplicates, re-imports, reopening and verifying by re-scan),
//! what needs the bureau, a broken file, and who sees what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{Fixture, bj, fixture, iso};

/// Gives the fixture's contract item a vulnerability policy: 危急 24 h and 高危 48 h of wall
/// time, 中危 10 working days on the 5×8 calendar; at-risk at 75 %.
async fn with_fix_policy(t: &TestApp, f: &Fixture) -> String {
    let policy = t
        .create(
            "sla/policies",
            json!({"name": "漏洞修复时限", "calendar_id": "preset-5x8",
                "levels": [
                    {"name": "危急", "targets": {"fix": {"kind": "calendar", "minutes": 1440}}},
                    {"name": "高危", "targets": {"fix": {"kind": "calendar", "minutes": 2880}}},
                    {"name": "中危", "targets": {"fix": {"kind": "working_days", "days": 10}}}
                ],
                "escalation": [{"metric": "fix", "at_percent": 75, "notify": ["vendor_pm"]}]}),
        )
        .await;
    let (_, mut contract) = t.get(&format!("/api/v1/contracts/{}", f.contract), &t.admin).await;
    contract["items"][0]["vulnerability_policy_id"] = json!(policy);
    let (s, c) = t.put(&format!("/api/v1/contracts/{}", f.contract), &t.admin, contract).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["items"][0]["vulnerability_policy_id"], policy.as_str());
    policy
}

fn fix_clock(v: &Value) -> &Value {
    v["clocks"].as_array().and_then(|c| c.iter().find(|c| c["metric"] == "fix")).unwrap_or(&Value::Null)
}

async fn upload(t: &TestApp, token: &str, name: &str, bytes: &[u8], fields: &[(&str, String)]) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    let res = t
        .client
        .post(format!("{}/api/v1/vulnerability-imports", t.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn ledger(t: &TestApp, token: &str, query: &str) -> Value {
    let (s, v) = t.get(&format!("/api/v1/vulnerabilities?page_size=100&{query}"), token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

both!(a_critical_finding_runs_its_fix_clock_across_the_weekend, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "o-").await;
    with_fix_policy(&t, &f).await;
    // Friday 2026-11-20 at 16:00 in Beijing.
    t.clock.set(bj("2026-11-20T16:00"));
    let body = json!({"system_id": f.system, "title": "Apache Log4j2 远程代码执行漏洞", "severity": "critical",
        "cve": "cve-2021-44228", "host": "10.1.2.3", "port": 8080, "source": "scan"});
    let (s, v) = t.post("/api/v1/vulnerabilities", &f.engineer, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!((v["status"].as_str(), v["cve"].as_str()), (Some("open"), Some("CVE-2021-44228")));
    // A calendar-hours target counts the weekend: due Saturday 16:00.
    assert_eq!(fix_clock(&v)["due_at"], iso("2026-11-21T16:00"), "{v}");
    assert_eq!(fix_clock(&v)["state"], "running");
    assert_eq!(v["due_at"], iso("2026-11-21T16:00"));
    // The same check at the same place is in the ledger once.
    let (s, e) = t.post("/api/v1/vulnerabilities", &f.pm, body).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    // A finding on a system no vulnerability policy covers has no clock.
    let (s, w) = t
        .post(
            "/api/v1/vulnerabilities",
            &other.engineer,
            json!({"system_id": other.system, "title": "弱口令", "severity": "high"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    assert_eq!(w["clocks"], json!([]));

    // Saturday 10:00: 75 % spent (18 h of 24) — the manager was told when it turned amber.
    t.clock.set(bj("2026-11-21T10:30"));
    t.app.check_due_vulnerabilities().await.unwrap();
    let (_, inbox) = t.get("/api/v1/notifications", &f.pm).await;
    assert!(
        inbox["items"].as_array().unwrap().iter().any(|n| n["title"].as_str().is_some_and(|x| x.contains("75%"))),
        "{inbox}"
    );
    let listed = ledger(&t, &t.admin, "at_risk=true").await;
    assert_eq!(listed["total"], 1, "{listed}");
    // Monday morning: breached at its due time, and the breach stays after the fix.
    t.clock.set(bj("2026-11-23T09:00"));
    t.app.check_due_vulnerabilities().await.unwrap();
    let (_, v) = t.get(&format!("/api/v1/vulnerabilities/{id}"), &f.pm).await;
    assert_eq!((v["breached"].as_bool(), v["clock_state"].as_str()), (Some(true), Some("breached")), "{v}");
    assert_eq!(fix_clock(&v)["breached_at"], iso("2026-11-21T16:00"));
    let (s, v) =
        t.post(&format!("/api/v1/vulnerabilities/{id}/transitions"), &f.engineer, json!({"to": "fixed"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["status"].as_str(), fix_clock(&v)["state"].as_str()), (Some("fixed"), Some("breached")));
    let breached = ledger(&t, &t.admin, "breached=true&severity=critical").await;
    assert_eq!(breached["total"], 1);
    let open = ledger(&t, &t.admin, "status=unresolved").await;
    assert_eq!(open["total"], 1, "only the other system's finding is still open: {open}");

    // Only the bureau verifies by hand; units and auditors read, units only their own.
    let (s, _) =
        t.post(&format!("/api/v1/vulnerabilities/{id}/transitions"), &f.engineer, json!({"to": "verified"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) =
        t.post(&format!("/api/v1/vulnerabilities/{id}/transitions"), &t.admin, json!({"to": "verified"})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("verified")), "{v}");
    let (s, _) = t.get(&format!("/api/v1/vulnerabilities/{id}"), &f.reporter).await;
    assert_eq!(s, StatusCode::OK);
    for token in [&other.reporter, &other.engineer, &other.pm] {
        let (s, _) = t.get(&format!("/api/v1/vulnerabilities/{id}"), token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = t.post(&format!("/api/v1/vulnerabilities/{id}/transitions"), token, json!({"to": "fixing"})).await;
        let expected = if *token == other.reporter { StatusCode::FORBIDDEN } else { StatusCode::NOT_FOUND };
        assert_eq!(s, expected, "units move no finding; another vendor does not see it");
    }
    assert_eq!(ledger(&t, &f.reporter, "").await["total"], 1);
    assert_eq!(ledger(&t, &other.reporter, "").await["total"], 1);
    let (s, _) = t
        .post("/api/v1/vulnerabilities", &f.reporter, json!({"system_id": f.system, "title": "x", "severity": "low"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "units record no findings");
    // Bad input names its field.
    let (s, e) = t
        .post(
            "/api/v1/vulnerabilities",
            &f.engineer,
            json!({"system_id": f.system, "title": "x", "severity": "urgent", "port": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!(fields, ["severity", "port"], "{e}");
    // The catalogue's indicators: one critical finding of November, breached; one open high
    // finding (another contract's) is not this contract's.
    let kpis = format!("/api/v1/kpis?contract_id={}&from=2026-11-01&to=2026-11-30", f.contract);
    let (s, k) = t.get(&kpis, &t.admin).await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let kpi = |key: &str| k["items"].as_array().unwrap().iter().find(|x| x["key"] == key).cloned().unwrap_or_default();
    assert_eq!(
        (kpi("vuln_fix_on_time_rate")["value"].as_f64(), kpi("vuln_fix_on_time_rate")["denominator"].as_f64()),
        (Some(0.0), Some(1.0))
    );
    assert!(kpi("vuln_fix_minutes_mean")["value"].as_f64().is_some_and(|m| m > 24.0 * 60.0), "{k}");
    assert_eq!(kpi("vuln_open_high_count")["value"].as_f64(), Some(0.0));
    // The monthly report's 安全漏洞扫描记录 section lists it.
    let body = json!({"contract_id": f.contract, "kind": "month", "start": "2026-11-01"});
    let (s, r) = t.post("/api/v1/reports", &t.admin, body).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, _, preview) = t.download(&format!("/api/v1/reports/{}/preview", r["id"].as_str().unwrap()), &t.admin).await;
    let preview = String::from_utf8(preview).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(preview.contains("安全漏洞扫描记录") && preview.contains("Apache Log4j2"), "{preview}");
    assert!(preview.contains("新发现漏洞 1 个（危急 1"), "{preview}");
    // The ledger downloads as a workbook.
    let (s, ct, bytes) = t.download("/api/v1/vulnerabilities/export.xlsx?severity=critical", &t.admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.unwrap_or_default().contains("spreadsheetml"));
    assert!(bytes.starts_with(b"PK"));
});

/// (plugin id, port, Nessus severity 0–4, plugin name)
type Item<'a> = (&'a str, u16, u8, &'a str);

fn nessus(hosts: &[(&str, &[Item])]) -> Vec<u8> {
    let mut x = String::from("<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n<Report name=\"季度扫描\">\n");
    for (host, items) in hosts {
        x.push_str(&format!(
            "<ReportHost name=\"{host}\"><HostProperties><tag name=\"host-ip\">{host}</tag></HostProperties>\n"
        ));
        for (plugin, port, severity, name) in *items {
            x.push_str(&format!(
                "<ReportItem port=\"{port}\" svc_name=\"www\" protocol=\"tcp\" severity=\"{severity}\" pluginID=\"{plugin}\" pluginName=\"{name}\" pluginFamily=\"Web\">\n\
                 <description>{name} 描述</description><solution>升级到最新版本</solution>\
                 <cvss3_base_score>9.8</cvss3_base_score><cve>CVE-2021-{plugin}</cve><plugin_output>banner</plugin_output>\n</ReportItem>\n"
            ));
        }
        x.push_str("</ReportHost>\n");
    }
    x.push_str("</Report>\n</NessusClientData_v2>\n");
    x.into_bytes()
}

both!(scanner_imports_preview_dedupe_reopen_and_verify, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    with_fix_policy(&t, &f).await;
    t.clock.set(bj("2026-11-16T09:00"));
    let first = nessus(&[
        (
            "10.0.0.1",
            &[
                ("1001", 443, 4, "OpenSSL 心脏出血"),
                ("1002", 22, 3, "OpenSSH 弱算法"),
                ("1001", 443, 4, "OpenSSL 心脏出血"),
                ("1003", 0, 0, "主机信息"),
            ],
        ),
        ("10.0.0.2", &[("1004", 3306, 2, "MySQL 未授权访问")]),
        ("10.0.0.3", &[]),
    ]);
    let hosts = json!({"10.0.0.0/24": f.system}).to_string();
    let dry = [("hosts", hosts.clone()), ("dry_run", "true".into())];
    let (s, p) = upload(&t, &f.engineer, "q4.nessus", &first, &dry).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let counts = |p: &Value| {
        ["create", "update", "reopen", "verify", "duplicates", "informational", "errors"]
            .map(|k| p[k].as_u64().unwrap_or(99))
    };
    assert_eq!(counts(&p), [3, 0, 0, 0, 1, 1, 0], "{p}");
    assert_eq!(ledger(&t, &t.admin, "").await["total"], 0, "a preview writes nothing");
    let (s, p) = upload(&t, &f.engineer, "q4.nessus", &first, &[("hosts", hosts.clone())]).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(counts(&p)[..3], [3, 0, 0]);
    let import_id = p["import"]["id"].as_str().unwrap().to_string();
    let all = ledger(&t, &t.admin, &format!("import_id={import_id}")).await;
    assert_eq!(all["total"], 3, "{all}");
    let critical = ledger(&t, &f.engineer, "severity=critical").await;
    assert_eq!(critical["items"][0]["due_at"], iso("2026-11-17T09:00"), "{critical}");
    // The same file again creates nothing: every finding is seen again.
    let (s, p) = upload(&t, &f.pm, "q4.nessus", &first, &[("hosts", hosts.clone())]).await;
    assert_eq!((s, counts(&p)[..3].to_vec()), (StatusCode::CREATED, vec![0, 3, 0]), "{p}");
    let seen = ledger(&t, &t.admin, "severity=critical").await;
    assert_eq!(seen["items"][0]["seen_count"], 2);

    // Two fixes; the re-scan still finds one of them and no longer the other.
    let id_of = |list: &Value, title: &str| {
        list["items"].as_array().unwrap().iter().find(|v| v["title"] == title).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let ssl = id_of(&all, "OpenSSL 心脏出血");
    let ssh = id_of(&all, "OpenSSH 弱算法");
    for id in [&ssl, &ssh] {
        let (s, v) =
            t.post(&format!("/api/v1/vulnerabilities/{id}/transitions"), &f.engineer, json!({"to": "fixed"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    t.clock.set(bj("2026-11-18T09:00"));
    let rescan = nessus(&[
        ("10.0.0.1", &[("1001", 443, 4, "OpenSSL 心脏出血")]),
        ("10.0.0.2", &[("1004", 3306, 2, "MySQL 未授权访问")]),
    ]);
    let (s, p) = upload(&t, &f.engineer, "rescan.nessus", &rescan, &[("hosts", hosts.clone())]).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(counts(&p)[..4], [0, 1, 1, 1], "{p}");
    let (_, v) = t.get(&format!("/api/v1/vulnerabilities/{ssl}"), &f.engineer).await;
    assert_eq!(v["status"], "open", "reported again: reopened");
    let reopened = v["events"].as_array().unwrap().iter().find(|e| e["kind"] == "reopened").unwrap();
    assert!(reopened["note"].as_str().unwrap().contains("rescan.nessus"), "{reopened}");
    let (_, v) = t.get(&format!("/api/v1/vulnerabilities/{ssh}"), &f.engineer).await;
    assert_eq!(v["status"], "verified", "{v}");

    // OpenVAS, with one system for every finding.
    let openvas = r#"<get_reports_response status="200"><report id="r1"><report id="r1">
<scan_start>2026-11-17T08:00:00Z</scan_start>
<host><ip>10.9.0.7</ip></host>
<results>
<result id="a"><name>jQuery XSS</name><host>10.9.0.7</host><port>80/tcp</port>
<nvt oid="1.3.6.1.4.1.25623.1.0.1"><name>jQuery XSS</name><cvss_base>6.1</cvss_base><refs><ref type="cve" id="CVE-2020-11022"/></refs></nvt>
<threat>Medium</threat><severity>6.1</severity><description>jQuery 1.8</description></result>
<result id="b"><name>jQuery XSS</name><host>10.9.0.7</host><port>80/tcp</port>
<nvt oid="1.3.6.1.4.1.25623.1.0.1"><name>jQuery XSS</name><cvss_base>6.1</cvss_base></nvt>
<threat>Medium</threat><severity>6.1</severity><description>again</description></result>
<result id="c"><name>OS detection</name><host>10.9.0.7</host><port>general/tcp</port>
<nvt oid="1.3.6.1.4.1.25623.1.0.2"><name>OS detection</name></nvt><threat>Log</threat><severity>0.0</severity></result>
</results></report></report></get_reports_response>"#;
    let one = [("system_id", f.system.clone())];
    let (s, p) = upload(&t, &f.engineer, "gvm.xml", openvas.as_bytes(), &one).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(counts(&p), [1, 0, 0, 0, 1, 1, 0], "{p}");
    let medium = ledger(&t, &t.admin, "severity=medium&cve=CVE-2020-11022").await;
    assert_eq!(medium["total"], 1, "{medium}");
    assert_eq!(medium["items"][0]["found_at"], "2026-11-17T08:00:00Z", "the scan's own start");

    // A broken file and an unplaced host change nothing.
    let before = ledger(&t, &t.admin, "").await["total"].clone();
    let broken = b"<?xml version=\"1.0\"?>\n<NessusClientData_v2>\n<Report name=\"x\">\n<ReportHost name=\"10.0.0.1\">\n<ReportItem port=\"1\" severity=\"3\" pluginID=\"9\" pluginName=\"a\">\n</Report>";
    let (s, e) = upload(&t, &f.engineer, "broken.nessus", broken, &[("hosts", hosts.clone())]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field_errors"][0]["field"], "file");
    assert!(e["field_errors"][0]["message"].as_str().unwrap().contains('行'), "{e}");
    let stray = nessus(&[("10.0.0.9", &[("2001", 80, 3, "A")]), ("192.168.5.5", &[("2002", 80, 3, "B")])]);
    let (s, p) = upload(&t, &f.engineer, "stray.nessus", &stray, &dry).await;
    assert_eq!((s, p["errors"].as_u64(), p["create"].as_u64()), (StatusCode::OK, Some(1), Some(1)), "{p}");
    assert!(p["problems"][0]["message"].as_str().unwrap().contains("192.168.5.5"), "{p}");
    let (s, e) = upload(&t, &f.engineer, "stray.nessus", &stray, &[("hosts", hosts)]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(ledger(&t, &t.admin, "").await["total"], before, "nothing of the file was written");
    // Units read the ledger and import nothing.
    let (s, _) = upload(&t, &f.reporter, "q4.nessus", &first, &one).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, imports) = t.get("/api/v1/vulnerability-imports", &f.reporter).await;
    assert_eq!(imports["total"], 4, "{imports}");
    let (s, _, bytes) = t.download(&format!("/api/v1/vulnerability-imports/{import_id}/file"), &f.pm).await;
    assert_eq!((s, bytes), (StatusCode::OK, first));
});

both!(a_spreadsheet_export_imports_through_a_saved_mapping, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let mapping = json!({"title": "漏洞名称", "severity": "风险等级", "host": "IP地址", "port": "端口", "identifiers": "漏洞编号",
        "severity_words": {"较高": "high"}});
    let (s, m) = t.post("/api/v1/scan-mappings", &f.engineer, json!({"name": "绿盟 RSAS", "mapping": mapping})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let (s, _) = t.post("/api/v1/scan-mappings", &f.pm, json!({"name": "绿盟 RSAS", "mapping": mapping})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let csv = "绿盟远程安全评估系统 主机漏洞列表\n漏洞名称,风险等级,IP地址,端口,漏洞编号\n\
               Redis 未授权访问,高危,10.0.0.5,6379,CNVD-2015-07557\n\
               SMB 签名未启用,较高,10.0.0.5,445,\n\
               ICMP 时间戳,信息,10.0.0.5,,\n";
    let with = [("system_id", f.system.clone()), ("mapping_id", m["id"].as_str().unwrap().to_string())];
    let (s, p) = upload(&t, &f.engineer, "rsas.csv", csv.as_bytes(), &with).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!((p["create"].as_u64(), p["informational"].as_u64()), (Some(2), Some(1)), "{p}");
    let list = ledger(&t, &t.admin, "severity=high").await;
    assert_eq!(list["total"], 2);
    assert!(list["items"].as_array().unwrap().iter().any(|v| v["cnvd"] == "CNVD-2015-07557"), "{list}");
    // A bad row is named by its spreadsheet row, and nothing is written.
    let bad = "漏洞名称,风险等级,IP地址,端口,漏洞编号\nA,高危,10.0.0.5,443,\nB,很高,10.0.0.5,70000,\n";
    let (s, e) = upload(&t, &f.engineer, "bad.csv", bad.as_bytes(), &with).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["field_errors"][0]["message"].as_str().unwrap().contains("第 3 行"), "{e}");
    assert_eq!(ledger(&t, &t.admin, "").await["total"], 2);
});

both!(false_positives_and_accepted_risk_need_the_bureau, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    with_fix_policy(&t, &f).await;
    t.clock.set(bj("2026-11-16T09:00"));
    let mut ids = Vec::new();
    for (i, sev) in ["high", "high", "medium"].iter().enumerate() {
        let body = json!({"system_id": f.system, "title": format!("发现 {i}"), "severity": sev, "host": "10.0.0.1", "port": 8000 + i});
        let (s, v) = t.post("/api/v1/vulnerabilities", &f.engineer, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let path = |id: &str| format!("/api/v1/vulnerabilities/{id}/transitions");
    // Accepted risk needs a reason and an expiry, and is a request of the vendor.
    let (s, e) = t.post(&path(&ids[0]), &f.engineer, json!({"to": "risk_accepted"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let accept = json!({"to": "risk_accepted", "reason": "系统年底下线，不再升级", "accepted_until": "2027-03-31"});
    t.clock.set(bj("2026-11-16T10:00"));
    let (s, a) = t.post(&path(&ids[0]), &f.engineer, accept.clone()).await;
    assert_eq!((s, a["kind"].as_str()), (StatusCode::ACCEPTED, Some("vulnerability_exception")), "{a}");
    let (s, _) = t.post(&path(&ids[0]), &f.pm, accept.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "one pending request per finding");
    let (_, v) = t.get(&format!("/api/v1/vulnerabilities/{}", ids[0]), &f.engineer).await;
    assert_eq!((v["status"].as_str(), v["request_id"].as_str()), (Some("open"), a["id"].as_str()));
    // The unit does not decide it; the bureau does, a day later: the clock stopped when asked.
    let approve = format!("/api/v1/approvals/{}/approve", a["id"].as_str().unwrap());
    let (s, _) = t.post(&approve, &f.reporter, json!({})).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
    t.clock.set(bj("2026-11-17T10:00"));
    let (s, d) = t.post(&approve, &t.admin, json!({"comment": "同意"})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (_, v) = t.get(&format!("/api/v1/vulnerabilities/{}", ids[0]), &f.engineer).await;
    assert_eq!(
        (v["status"].as_str(), v["accepted_until"].as_str()),
        (Some("risk_accepted"), Some("2027-03-31")),
        "{v}"
    );
    assert_eq!(v["request_id"], Value::Null);
    assert_eq!(
        (fix_clock(&v)["state"].as_str(), fix_clock(&v)["stopped_at"].clone()),
        (Some("met"), json!(iso("2026-11-16T10:00")))
    );

    // Several false positives are one request; withdrawing it frees them.
    let (s, b) = t
        .post("/api/v1/vulnerabilities/bulk", &f.engineer, json!({"ids": [ids[1], ids[2]], "action": "transition", "to": "false_positive", "reason": "端口未对外开放"}))
        .await;
    assert_eq!((s, b["done"].as_u64()), (StatusCode::OK, Some(0)), "{b}");
    let request = b["request_id"].as_str().unwrap().to_string();
    let (s, _) = t.post(&path(&ids[1]), &f.engineer, json!({"to": "false_positive", "reason": "再次申请"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, w) = t.post(&format!("/api/v1/approvals/{request}/withdraw"), &f.engineer, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    let (_, v) = t.get(&format!("/api/v1/vulnerabilities/{}", ids[1]), &f.engineer).await;
    assert_eq!((v["status"].as_str(), v["request_id"].clone()), (Some("open"), Value::Null));
    // The bureau marks one at once; bulk moves the vendor may make are done at once.
    let (s, v) = t.post(&path(&ids[1]), &t.admin, json!({"to": "false_positive", "reason": "复核为误报"})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("false_positive")), "{v}");
    let (s, b) = t
        .post(
            "/api/v1/vulnerabilities/bulk",
            &f.engineer,
            json!({"ids": [ids[2]], "action": "transition", "to": "fixing"}),
        )
        .await;
    assert_eq!((s, b["done"].as_u64()), (StatusCode::OK, Some(1)), "{b}");
    // A pause is the unit's to grant (as for tickets), and counts from the request.
    t.clock.set(bj("2026-11-17T11:00"));
    let (s, a) = t.post(&path(&ids[2]), &f.engineer, json!({"to": "pending", "reason": "等待业务停机窗口"})).await;
    assert_eq!((s, a["kind"].as_str()), (StatusCode::ACCEPTED, Some("vulnerability_pause")), "{a}");
    t.clock.set(bj("2026-11-17T15:00"));
    let (s, d) =
        t.post(&format!("/api/v1/approvals/{}/approve", a["id"].as_str().unwrap()), &f.reporter, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (_, v) = t.get(&format!("/api/v1/vulnerabilities/{}", ids[2]), &f.engineer).await;
    assert_eq!((v["status"].as_str(), fix_clock(&v)["state"].as_str()), (Some("pending"), Some("paused")), "{v}");
    let paused = v["events"].as_array().unwrap().iter().find(|e| e["to_status"] == "pending").unwrap();
    assert_eq!(paused["at"], iso("2026-11-17T11:00"));
    // A handler must work for the system's vendor.
    let (s, e) =
        t.post(&format!("/api/v1/vulnerabilities/{}/assign", ids[2]), &f.pm, json!({"assignee_id": "nobody"})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("assignee_id")));
    let (s, v) = t
        .post(&format!("/api/v1/vulnerabilities/{}/assign", ids[2]), &f.pm, json!({"assignee_id": f.engineer_id}))
        .await;
    assert_eq!((s, v["assignee_id"].as_str()), (StatusCode::OK, Some(f.engineer_id.as_str())), "{v}");
    // A ticket for the fix: opened for the finding's system, and linked.
    let (s, v) = t.post(&format!("/api/v1/vulnerabilities/{}/ticket", ids[2]), &f.pm, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ticket = v["ticket_id"].as_str().unwrap();
    let (_, tk) = t.get(&format!("/api/v1/tickets/{ticket}"), &f.pm).await;
    assert_eq!((tk["type"].as_str(), tk["system_id"].as_str()), (Some("request"), Some(f.system.as_str())), "{tk}");
});
