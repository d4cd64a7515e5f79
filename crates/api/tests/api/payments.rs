//! `/contracts/{id}/payments`: milestones tied to an assessed period take its final
//! assessment's deduction; payments are recorded once per voucher, never past what is owed;
//! the vendor reads, the bureau writes, nobody else sees it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::TestApp;
use crate::tickets::bj;

fn milestone(v: &Value, i: usize) -> &Value {
    &v["milestones"][i]
}

both!(payments_follow_the_final_assessment, |t: TestApp| async move {
    let unit = t.unit("档案馆").await;
    let system = t.system("馆藏档案管理平台", &unit).await;
    let vendor = t.vendor("运维公司").await;
    let other_vendor = t.vendor("另一家公司").await;
    let (s, contract) = t
        .post(
            "/api/v1/contracts",
            &t.admin,
            json!({"name": "档案运维合同", "vendor_id": vendor, "items": [{
                "name": "软件运维", "budget_fen": 10_000_000, "start_date": "2026-01-01", "end_date": "2026-12-31",
                "system_ids": [system], "milestones": [
                    {"percent": 50, "condition": "第三季度考评后支付", "assessed_from": "2026-07-01", "assessed_to": "2026-09-30"},
                    {"percent": 50, "condition": "年底支付", "due_on": "2026-12-31"}]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{contract}");
    let cid = contract["id"].as_str().unwrap().to_string();
    let item = contract["items"][0]["id"].as_str().unwrap().to_string();
    let pm = t.user("pm", "vendor_pm", None, Some(&vendor)).await;
    let engineer = t.user("engineer", "engineer", None, Some(&vendor)).await;
    let clerk = t.user("clerk", "unit_user", Some(&unit), None).await;
    let other_pm = t.user("other-pm", "vendor_pm", None, Some(&other_vendor)).await;
    let url = format!("/api/v1/contracts/{cid}/payments");

    t.clock.set(bj("2026-10-09T09:00"));
    let (s, v) = t.get(&url, &pm).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (milestone(&v, 0)["state"].as_str(), milestone(&v, 1)["state"].as_str()),
        (Some("awaiting_assessment"), Some("scheduled"))
    );
    assert_eq!(
        (milestone(&v, 0)["amount_fen"].as_i64(), v["outstanding_fen"].as_i64()),
        (Some(5_000_000), Some(10_000_000))
    );
    for token in [&engineer, &clerk, &other_pm] {
        assert_eq!(t.get(&url, token).await.0, StatusCode::NOT_FOUND);
    }

    // The third quarter scores 89.5 under 004: 10.5 points × 2 ‰ of the price.
    let (_, templates) = t.get("/api/v1/assessment-templates", &t.admin).await;
    let tpl =
        templates["items"].as_array().unwrap().iter().find(|x| x["key"] == "004-deduction").unwrap()["id"].clone();
    let (s, a) = t
        .post(
            "/api/v1/assessments",
            &t.admin,
            json!({"contract_id": cid, "template_id": tpl, "from": "2026-07-01", "to": "2026-09-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let aid = a["id"].as_str().unwrap().to_string();
    let (s, a) = t
        .put(
            &format!("/api/v1/assessments/{aid}/criteria/tickets"),
            &t.admin,
            json!({"points": 14.5, "reason": "三次超时未报告"}),
        )
        .await;
    assert_eq!((s, a["payment"]["deduction_fen"].as_i64()), (StatusCode::OK, Some(210_000)), "{a}");
    for (path, token) in [("publish", &t.admin), ("acknowledge", &pm), ("finalize", &t.admin)] {
        let (s, v) = t.post(&format!("/api/v1/assessments/{aid}/{path}"), token, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
    }
    let (_, v) = t.get(&url, &t.admin).await;
    let m = milestone(&v, 0);
    assert_eq!(
        (m["state"].as_str(), m["deduction_fen"].as_i64(), m["payable_fen"].as_i64()),
        (Some("due"), Some(210_000), Some(4_790_000)),
        "{m}"
    );
    assert_eq!(m["assessment_id"].as_str(), Some(aid.as_str()));
    assert_eq!((v["deducted_fen"].as_i64(), v["outstanding_fen"].as_i64()), (Some(210_000), Some(9_790_000)));

    // The bureau records the payment of the milestone.
    let pay = json!({"paid_on": "2026-10-20", "amount_fen": 4_790_000, "voucher": "记-2026-1017", "item_id": item, "milestone": 0});
    let (s, e) = t.post(&url, &pm, pay.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the vendor does not record its own payments: {e}");
    let (s, p) = t.post(&url, &t.admin, pay.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, e) = t.post(&url, &t.admin, pay).await;
    assert_eq!((s, e["field_errors"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("voucher")), "{e}");
    let (s, e) = t
        .post(&url, &t.admin, json!({"paid_on": "2026-10-21", "amount_fen": 5_000_001, "voucher": "记-2026-1018"}))
        .await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("amount_fen")),
        "{e}"
    );
    let (s, e) = t
        .post(&url, &t.admin, json!({"paid_on": "2026-10-21", "amount_fen": 1, "voucher": "记-2026-1019", "item_id": item, "milestone": 5}))
        .await;
    assert_eq!(
        (s, e["field_errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("milestone")),
        "{e}"
    );
    let (_, v) = t.get(&url, &pm).await;
    assert_eq!(
        (milestone(&v, 0)["state"].as_str(), v["paid_fen"].as_i64(), v["outstanding_fen"].as_i64()),
        (Some("paid"), Some(4_790_000), Some(5_000_000))
    );
    assert_eq!(v["payments"][0]["voucher"], "记-2026-1017");

    // A mistaken entry is removed by the bureau only.
    let pid = p["id"].as_str().unwrap();
    assert_eq!(t.delete(&format!("{url}/{pid}"), &pm).await, StatusCode::FORBIDDEN);
    assert_eq!(t.delete(&format!("{url}/{pid}"), &t.admin).await, StatusCode::NO_CONTENT);
    let (_, v) = t.get(&url, &t.admin).await;
    assert_eq!((milestone(&v, 0)["state"].as_str(), v["outstanding_fen"].as_i64()), (Some("due"), Some(9_790_000)));
});
