//! Demo inspections: daily application checks, twice-weekly database checks and a quarterly
//! machine-room round on the demo contract's systems, and today's application check signed by
//! the on-site engineer with one slow page, which opens a ticket.

use domain::inspections::plan::PlanInput;
use domain::inspections::plan::TaskFilter;
use domain::inspections::record::{RecordInput, ResultInput};
use domain::inspections::template::ResultType;
use domain::list::ListQuery;
use domain::{Principal, Role};
use serde_json::{Value, json};

use crate::{App, Result};

/// (system, checklist, recurrence, assignee)
type PlanSeed<'a> = (&'a str, &'static str, Value, &'a str);

impl App {
    pub(super) async fn demo_inspections(
        &self,
        sys: &Principal,
        systems: &[String],
        engineers: &[(String, String)],
        vendor_id: &str,
    ) -> Result<()> {
        let (Some(first), Some(second), Some((eng, eng_name))) = (systems.first(), systems.get(1), engineers.first())
        else {
            return Ok(());
        };
        let other = engineers.get(1).map_or(eng.as_str(), |(id, _)| id.as_str());
        let plans: [PlanSeed; 3] = [
            (first, "builtin-application", json!({"every": "day"}), eng),
            (second, "builtin-database", json!({"every": "week", "weekdays": ["mon", "thu"]}), other),
            (first, "builtin-machine-room", json!({"every": "quarter", "month": 1, "day": 5}), eng),
        ];
        let mut daily = None;
        for (system, template, recurrence, assignee) in plans {
            let p = self
                .create_inspection_plan(
                    sys,
                    PlanInput {
                        system_id: Some(system.to_string()),
                        template_id: Some(template.into()),
                        recurrence: Some(recurrence),
                        holiday_rule: Some("keep".into()),
                        assignee_id: Some(assignee.to_string()),
                        ..Default::default()
                    },
                )
                .await?;
            daily.get_or_insert(p.id);
        }
        let Some(plan_id) = daily else { return Ok(()) };

        // Today's application check, signed by the engineer: every item fine but the page time.
        let today = crate::bureau_date(self.business_now());
        let f = TaskFilter { plan_id: Some(plan_id), from: Some(today), to: Some(today), ..Default::default() };
        let Some(task) = self.list_inspection_tasks(sys, &ListQuery::default(), &f).await?.items.into_iter().next()
        else {
            return Ok(());
        };
        let template = self.get_inspection_template(sys, &task.template_id).await?;
        let results = template
            .items
            .iter()
            .map(|item| {
                let (result, note, suggestion) = match (item.result_type, item.max, item.min) {
                    (ResultType::Number, Some(max), _) if item.unit.as_deref() == Some("秒") => (
                        json!(max + 1.2),
                        Some("首页加载 4.2 秒，高峰期数据库连接池占满".to_string()),
                        Some("扩大连接池并排查慢查询".to_string()),
                    ),
                    (ResultType::Number, Some(max), _) => (json!(max * 0.6), None, None),
                    (ResultType::Number, None, Some(min)) => (json!(min * 3.0), None, None),
                    (ResultType::NormalAbnormal, _, _) => (json!("normal"), None, None),
                    _ => (json!("正常"), None, None),
                };
                ResultInput {
                    item_id: Some(item.id.clone()),
                    result: Some(result),
                    note,
                    suggestion,
                    ..Default::default()
                }
            })
            .collect();
        let engineer = Principal {
            user_id: eng.clone(),
            username: eng_name.clone(),
            role: Role::Engineer,
            unit_id: None,
            vendor_id: Some(vendor_id.to_string()),
        };
        let input = RecordInput { results, note: Some("驻场例行巡检".into()), ..Default::default() };
        self.record_inspection(&engineer, &task.id, input).await?;
        Ok(())
    }
}
