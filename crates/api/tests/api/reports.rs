//! `/reports`: a month of back-filled facts → a report whose numbers are the indicators'; due
//! dates on the working calendar across a holiday; the review with its non-conformities proposed
//! in the assessment; issuing and reissuing as versions; who reads what. The files are opened
//! (unzip + XML for docx, calamine for xlsx) and their structure checked.

use std::io::{Cursor, Read};

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::{bj, fixture, step};

fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut s = String::new();
    z.by_name(name).unwrap_or_else(|_| panic!("{name} in the package")).read_to_string(&mut s).expect("utf-8");
    s
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    z.file_names().map(str::to_string).collect()
}

/// The text of a WordprocessingML part, tags dropped, paragraphs on their own lines.
fn text_of(xml: &str) -> String {
    let xml = xml.replace("</w:p>", "\n");
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id: {v}")).to_string()
}

both!(a_months_report_holds_the_indicators, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let report =
        |title: &str| json!({"system_id": f.system, "type": "incident", "severity": "二级（严重）", "title": title});
    t.clock.set(bj("2026-11-23T10:00"));
    let a = id(&t.post("/api/v1/tickets", &f.reporter, report("档案检索很慢")).await.1);
    t.post("/api/v1/tickets", &f.reporter, report("打印服务中断")).await;
    t.clock.set(bj("2026-11-23T10:05"));
    step(&t, &a, &f.engineer, json!({"to": "responded"})).await;
    let (s, v) = t
        .post(
            "/api/v1/tickets",
            &t.admin,
            json!({"system_id": f.system, "type": "request", "title": "导出借阅统计", "channel": "phone",
                "reported_at": "2026-11-02T02:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    t.clock.set(bj("2026-12-01T09:00"));

    let (s, r) = t
        .post("/api/v1/reports", &f.pm, json!({"contract_id": f.contract, "kind": "month", "start": "2026-11-01"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["period_start"].as_str(), r["period_end"].as_str()),
        (Some("draft"), Some("2026-11-01"), Some("2026-11-30"))
    );
    assert_eq!(r["due_on"], "2026-12-07", "the 5th working day of December");
    assert_eq!(r["overdue"], false);
    let rid = id(&r);
    let (s, again) = t
        .post("/api/v1/reports", &t.admin, json!({"contract_id": f.contract, "kind": "month", "start": "2026-11-01"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one report per period: {again}");
    let (s, list) = t.get(&format!("/api/v1/reports?contract_id={}", f.contract), &f.engineer).await;
    assert_eq!((s, list["total"].as_u64()), (StatusCode::OK, Some(1)), "{list}");

    let (_, kpis) =
        t.get(&format!("/api/v1/kpis?contract_id={}&from=2026-11-01&to=2026-11-30", f.contract), &t.admin).await;
    let count =
        kpis["items"].as_array().unwrap().iter().find(|k| k["key"] == "ticket_count").unwrap()["value"].as_f64();
    assert_eq!(count, Some(3.0));

    let (s, ct, docx) = t.download(&format!("/api/v1/reports/{rid}/report.docx"), &f.pm).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.unwrap_or_default().contains("wordprocessingml"));
    let doc = zip_part(&docx, "word/document.xml");
    let text = text_of(&doc);
    assert!(text.contains("运维合同"), "the contract's name: {text}");
    assert!(text.contains("共受理工单 3 张"), "the period's ticket count as /kpis gives it: {text}");
    assert!(text.contains("草稿（未签发）"), "a draft says so on its cover");
    assert!(text.contains("导出借阅统计") || text.contains("工单按类型"), "the ticket section: {text}");
    assert!(doc.contains("w:w=\"11906\"") && doc.contains("w:h=\"16838\""), "A4");
    assert!(doc.contains("TOC \\o"), "a table of contents field: {doc}");
    assert!(doc.contains("w:tblLayout w:type=\"fixed\""), "tables fit the page");
    let styles = zip_part(&docx, "word/styles.xml");
    assert!(styles.contains("黑体") && styles.contains("Heading 1"), "黑体 headings");
    let fonts_declared = styles.contains("仿宋") || doc.contains("仿宋");
    assert!(fonts_declared, "仿宋 body");
    let names = zip_names(&docx);
    assert!(names.iter().any(|n| n.starts_with("word/media/") && n.ends_with(".png")), "a chart picture: {names:?}");
    let footer = names.into_iter().find(|n| n.starts_with("word/footer")).expect("a footer part");
    assert!(zip_part(&docx, &footer).contains("PAGE"), "page numbers");

    let (s, _, xlsx) = t.download(&format!("/api/v1/reports/{rid}/report.xlsx"), &f.pm).await;
    assert_eq!(s, StatusCode::OK);
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.clone())).expect("a workbook");
    let names = wb.sheet_names().to_vec();
    assert_eq!(names[0], "0.封面");
    assert!(names.iter().any(|n| n == "3.工单情况"), "{names:?}");
    assert!(names.iter().any(|n| n == "13.意见建议"), "every section has a sheet: {names:?}");
    assert!(names.iter().any(|n| n == "8-2.恢复演练"), "a section's second sheet: {names:?}");
    let tickets = wb.worksheet_range("3.工单情况").expect("the tickets sheet");
    assert_eq!(tickets.height(), 4, "a header and the period's three tickets");
    assert_eq!(tickets.get((0, 0)).map(|c| c.to_string()), Some("工单号".into()));
    let first_sheet = zip_part(&xlsx, "xl/worksheets/sheet4.xml");
    assert!(first_sheet.contains("state=\"frozen\"") && first_sheet.contains("autoFilter"), "frozen, filtered");

    let (s, _, preview) = t.download(&format!("/api/v1/reports/{rid}/preview"), &f.pm).await;
    let preview = String::from_utf8(preview).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(preview.contains("共受理工单 3 张") && preview.contains("<section"), "{preview}");
    assert!(preview.contains("<svg") && preview.contains("工单按类型"), "the chart, drawn in the preview");

    // Nobody else's: another vendor's manager, a unit that the contract does not serve.
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "b-").await;
    assert_eq!(t.get(&format!("/api/v1/reports/{rid}"), &other.pm).await.0, StatusCode::NOT_FOUND);
    let (s, _) = t
        .post("/api/v1/reports", &other.pm, json!({"contract_id": f.contract, "kind": "month", "start": "2026-10-01"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not their contract");
    assert_eq!(
        t.post(
            "/api/v1/reports",
            &f.engineer,
            json!({"contract_id": f.contract, "kind": "month", "start": "2026-10-01"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Drafts are the vendor's work: the unit reads the report only once issued.
    assert_eq!(t.get(&format!("/api/v1/reports/{rid}"), &f.reporter).await.0, StatusCode::NOT_FOUND);
});

both!(due_dates_follow_the_working_calendar, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    let make = |kind: &str, start: &str| json!({"contract_id": f.contract, "kind": kind, "start": start});
    // September's report: the 5th working day after the National Day holiday (1–7 October),
    // counting Saturday the 10th, a working day in 2026's schedule.
    let (s, sep) = t.post("/api/v1/reports", &t.admin, make("month", "2026-09-01")).await;
    assert_eq!(s, StatusCode::CREATED, "{sep}");
    assert_eq!(sep["due_on"], "2026-10-13");
    let (_, week) = t.post("/api/v1/reports", &t.admin, make("week", "2026-09-28")).await;
    assert_eq!((week["period_end"].as_str(), week["due_on"].as_str()), (Some("2026-10-04"), Some("2026-10-08")));
    let (_, year) = t.post("/api/v1/reports", &t.admin, make("year", "2026-01-01")).await;
    assert_eq!((year["period_end"].as_str(), year["due_on"].as_str()), (Some("2026-12-31"), Some("2027-01-31")));
    let (_, q) = t.post("/api/v1/reports", &t.admin, make("quarter", "2026-07-01")).await;
    assert_eq!(q["period_end"], "2026-09-30");
    // Bad input names its field; nothing outside the service period.
    let (s, e) = t.post("/api/v1/reports", &t.admin, make("fortnight", "2026-13-01")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!(fields, ["kind", "start"], "{e}");
    let (s, e) = t.post("/api/v1/reports", &t.admin, make("month", "2025-06-01")).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("start")), "{e}");
    let (s, e) = t
        .post("/api/v1/reports", &t.admin, json!({"contract_id": f.contract, "kind": "month", "start": "2026-08-01", "scope": "unit", "scope_id": "nope"}))
        .await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("scope_id")),
        "{e}"
    );
    let (s, custom) = t
        .post(
            "/api/v1/reports",
            &t.admin,
            json!({"contract_id": f.contract, "kind": "custom", "start": "2026-09-20", "end": "2026-10-08"}),
        )
        .await;
    assert_eq!((s, custom["period_end"].as_str()), (StatusCode::CREATED, Some("2026-10-08")), "{custom}");
    // Overdue once the due day has passed with the report still a draft.
    t.clock.set(bj("2026-10-14T09:00"));
    let (_, over) = t.get(&format!("/api/v1/reports?contract_id={}&overdue=true", f.contract), &t.admin).await;
    let ids: Vec<&str> = over["items"].as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(ids.contains(&sep["id"].as_str().unwrap()) && ids.contains(&week["id"].as_str().unwrap()), "{over}");
    assert!(!ids.contains(&year["id"].as_str().unwrap()));
    let (_, dash) = t.get("/api/v1/dashboard", &t.admin).await;
    assert_eq!(dash["reports_overdue"], 2, "September's and the week's: {dash}");
    assert_eq!(t.get("/api/v1/dashboard", &f.pm).await.1["reports_overdue"], 2, "the vendor sees its own");
});

both!(the_review_notes_non_conformities_and_issues_versions, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2027-01-05T09:00"));
    let (_, tpls) = t.get("/api/v1/assessment-templates", &t.admin).await;
    let tpl = tpls["items"].as_array().unwrap().iter().find(|x| x["key"] == "002-performance").unwrap()["id"].clone();
    let (s, a) = t
        .post(
            "/api/v1/assessments",
            &t.admin,
            json!({"contract_id": f.contract, "template_id": tpl, "from": "2026-07-01", "to": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let aid = id(&a);
    let (s, r) = t
        .post("/api/v1/reports", &f.pm, json!({"contract_id": f.contract, "kind": "half_year", "start": "2026-07-01"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = id(&r);
    let url = |what: &str| format!("/api/v1/reports/{rid}/{what}");

    // Submitting needs every narrative section.
    let (s, e) = t.post(&url("submit"), &f.pm, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["field_errors"].as_array().unwrap().len(), 4, "{e}");
    let (s, e) = t.put(&url("narrative"), &f.pm, json!({"sections": {"overview": "x"}})).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("sections.overview"))
    );
    assert_eq!(
        t.put(&url("narrative"), &f.engineer, json!({"sections": {"summary": "x"}})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.put(&url("narrative"), &t.admin, json!({"sections": {"summary": "x"}})).await.0,
        StatusCode::FORBIDDEN
    );
    let text = json!({"sections": {"summary": "下半年完成巡检 120 次。", "problems": "备份空间不足。", "plan": "扩容备份存储。", "suggestions": "无"}});
    let (s, r) = t.put(&url("narrative"), &f.pm, text).await;
    assert_eq!((s, r["narrative"]["summary"].as_str()), (StatusCode::OK, Some("下半年完成巡检 120 次。")), "{r}");
    let (s, r) = t.post(&url("submit"), &f.pm, json!({})).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("submitted")), "{r}");
    assert_eq!(t.put(&url("narrative"), &f.pm, json!({"sections": {"plan": "改"}})).await.0, StatusCode::CONFLICT);

    // Returned with a note and a non-conformity: proposed in the half-year's draft assessment.
    assert_eq!(t.post(&url("return"), &f.pm, json!({"note": "x"})).await.0, StatusCode::FORBIDDEN);
    let (s, e) = t.post(&url("return"), &t.admin, json!({"findings": [{"text": "故障数少报 2 起"}]})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
    let review = json!({"note": "工单统计与系统不符", "findings": [{"text": "故障数少报 2 起"}]});
    let (s, r) = t.post(&url("return"), &t.admin, review).await;
    assert_eq!(
        (s, r["status"].as_str(), r["findings"].as_array().map(Vec::len)),
        (StatusCode::OK, Some("returned"), Some(1)),
        "{r}"
    );
    let deductions = format!("/api/v1/assessments/{aid}/deductions?criterion_key=half_year_report");
    let (_, d) = t.get(&deductions, &t.admin).await;
    assert_eq!(d["total"], 1, "{d}");
    assert_eq!((d["items"][0]["status"].as_str(), d["items"][0]["points"].as_f64()), (Some("proposed"), Some(1.0)));

    // Fixed, resubmitted, accepted with a serious finding: issued as version 1.
    t.put(&url("narrative"), &f.pm, json!({"sections": {"summary": "下半年故障 5 起，巡检 120 次。"}})).await;
    assert_eq!(t.post(&url("submit"), &f.pm, json!({})).await.0, StatusCode::OK);
    let (s, r) = t
        .post(&url("accept"), &t.admin, json!({"findings": [{"text": "可用性数据与监测不符", "serious": true}]}))
        .await;
    assert_eq!((s, r["status"].as_str(), r["version"].as_u64()), (StatusCode::OK, Some("issued"), Some(1)), "{r}");
    let (_, d) = t.get(&deductions, &t.admin).await;
    let points: Vec<f64> = d["items"].as_array().unwrap().iter().filter_map(|x| x["points"].as_f64()).collect();
    assert_eq!(points, [1.0, 5.0], "the serious one takes the one-off deduction: {d}");
    let v1 = r["versions"][0]["docx_sha256"].as_str().unwrap().to_string();
    let (_, _, docx) = t.download(&url("report.docx"), &f.reporter).await;
    assert_eq!(hex::encode(Sha256::digest(&docx)), v1, "the unit reads the issued file, as issued");
    assert!(text_of(&zip_part(&docx, "word/document.xml")).contains("第 1 版"));
    assert_eq!(t.post(&url("accept"), &t.admin, json!({})).await.0, StatusCode::CONFLICT, "issued once");
    assert_eq!(t.post(&url("submit"), &f.pm, json!({})).await.0, StatusCode::CONFLICT);

    // Reissued with a reason: version 2 beside version 1.
    let (s, e) = t.post(&url("reissue"), &t.admin, json!({})).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let (s, r) = t.post(&url("reissue"), &t.admin, json!({"reason": "故障原因经复核改为运营商线路"})).await;
    assert_eq!(
        (s, r["version"].as_u64(), r["versions"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(2), Some(2)),
        "{r}"
    );
    let (_, _, old) = t.download(&format!("{}?version=1", url("report.docx")), &f.pm).await;
    assert_eq!(hex::encode(Sha256::digest(&old)), v1, "version 1 is kept as issued");
    let (_, _, new) = t.download(&url("report.docx"), &f.pm).await;
    assert_eq!(hex::encode(Sha256::digest(&new)), r["versions"][1]["docx_sha256"].as_str().unwrap());
    let (s, _, _) = t.download(&format!("{}?version=7", url("report.xlsx")), &f.pm).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let actions: Vec<&str> = r["history"].as_array().unwrap().iter().filter_map(|h| h["action"].as_str()).collect();
    assert_eq!(actions, ["created", "submitted", "returned", "submitted", "issued", "reissued"]);

    // A later draft over the year proposes both non-conformities from the start.
    let (s, a2) = t
        .post(
            "/api/v1/assessments",
            &t.admin,
            json!({"contract_id": f.contract, "template_id": tpl, "from": "2026-01-01", "to": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a2}");
    let (_, d) =
        t.get(&format!("/api/v1/assessments/{}/deductions?criterion_key=half_year_report", id(&a2)), &t.admin).await;
    assert_eq!(d["total"], 2, "{d}");

    // Units read the issued reports over their systems; a unit-scoped report is its unit's only.
    let other = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "b-").await;
    let one = format!("/api/v1/reports/{rid}");
    assert_eq!(t.get(&one, &f.reporter).await.0, StatusCode::OK);
    assert_eq!(t.get(&one, &other.reporter).await.0, StatusCode::NOT_FOUND);
    let (s, u) = t
        .post("/api/v1/reports", &t.admin, json!({"contract_id": f.contract, "kind": "month", "start": "2026-12-01", "scope": "unit", "scope_id": f.unit}))
        .await;
    assert_eq!((s, u["scope_name"].as_str()), (StatusCode::CREATED, Some("档案馆")), "{u}");
    assert_eq!(t.get(&format!("/api/v1/reports/{}", id(&u)), &other.reporter).await.0, StatusCode::NOT_FOUND);
});

both!(owed_reports_are_drafted_when_their_period_ends, |t: TestApp| async move {
    let f = fixture(&t, "004-row-04", ("2026-01-01", "2026-12-31"), "").await;
    t.clock.set(bj("2026-10-15T09:00"));
    let defs = format!("/api/v1/contracts/{}/report-definitions", f.contract);
    // The bureau decides what the vendor owes; the vendor cannot.
    assert_eq!(t.post(&defs, &f.pm, json!({"template": "002-monthly"})).await.0, StatusCode::FORBIDDEN);
    let (s, d) = t.post(&defs, &t.admin, json!({"template": "002-monthly"})).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(
        (d["kind"].as_str(), d["anchor"].as_str(), d["due"]["days"].as_u64()),
        (Some("month"), Some("2026-01-01"), Some(5))
    );
    assert_eq!(d["sections"].as_array().map(Vec::len), Some(10), "{d}");
    let (s, e) = t.post(&defs, &t.admin, json!({"kind": "month"})).await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::CONFLICT, Some("kind")),
        "one per kind and scope"
    );
    let (s, e) = t
        .post(
            &defs,
            &t.admin,
            json!({"kind": "quarter", "sections": ["overview", "nope"], "due": {"kind": "working_days", "days": 0}}),
        )
        .await;
    let fields: Vec<&str> = e["field_errors"].as_array().unwrap().iter().filter_map(|x| x["field"].as_str()).collect();
    assert_eq!((s, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["due", "sections[1]"]), "{e}");

    // The job writes September's draft (the last month ended before the definition), then
    // nothing more until October has ended; running it twice makes nothing twice.
    assert_eq!(t.app.generate_due_reports().await.unwrap(), 1);
    assert_eq!(t.app.generate_due_reports().await.unwrap(), 0);
    t.clock.set(bj("2026-11-02T01:00"));
    assert_eq!(t.app.generate_due_reports().await.unwrap(), 1);
    let (_, list) =
        t.get(&format!("/api/v1/reports?contract_id={}&sort=period_start&order=asc", f.contract), &f.pm).await;
    let periods: Vec<&str> =
        list["items"].as_array().unwrap().iter().filter_map(|r| r["period_start"].as_str()).collect();
    assert_eq!(periods, ["2026-09-01", "2026-10-01"], "{list}");
    assert_eq!(list["items"][1]["definition_id"], d["id"]);
    assert_eq!(list["items"][1]["sections"].as_array().map(Vec::len), Some(10), "the definition's sections");
    // Removing the definition keeps its reports.
    let one = format!("/api/v1/report-definitions/{}", d["id"].as_str().unwrap());
    assert_eq!(t.delete(&one, &f.pm).await, StatusCode::FORBIDDEN);
    assert_eq!(t.delete(&one, &t.admin).await, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&format!("/api/v1/reports?contract_id={}", f.contract), &f.pm).await.1["total"], 2);
});
