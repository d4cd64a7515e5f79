//! The demo's verdict: last quarter's assessment under seed 004's 百分扣分制, scored by the
//! bureau, appealed twice by the vendor (one appeal accepted, one rejected), acknowledged, final,
//! and each item's quarterly milestone paid less its share of the deduction. Run at the real
//! time of loading, so every step is dated the day the demo starts; in the first quarter of a
//! year no quarter of the contract's year has ended, and there is none. Beside it, last month's
//! draft under a copy of 004 whose staffing criterion the units score, half-way through.

use chrono::Datelike;
use domain::Principal;
use domain::approvals::DecisionInput;
use domain::assessments::{AppealInput, AssessmentInput, CopyInput, DeductionInput, Rule, ScoredBy, UnitScoreInput};
use domain::payments::{MilestoneState, PaymentInput};

use crate::{App, Result};

impl App {
    pub(super) async fn demo_assessment(&self, admin: &Principal, pm: &Principal, contract_id: &str) -> Result<()> {
        let today = crate::bureau_today();
        let q = today.month0() as usize / 3;
        if q == 0 {
            return Ok(());
        }
        let (from, to) = super::quarter(today.year(), q - 1);
        let a = self
            .create_assessment(
                admin,
                AssessmentInput {
                    contract_id: Some(contract_id.to_string()),
                    template_id: Some("builtin-004-deduction".into()),
                    from: Some(from.to_string()),
                    to: Some(to.to_string()),
                },
            )
            .await?;
        let id = a.id.clone();
        for c in a.criteria.iter().filter(|c| c.proposed > 0) {
            self.rule_all_assessment_deductions(admin, &id, &c.key, Some(true), Some("核实属实".into())).await?;
        }
        let deductions = [
            ("staffing", false, "第 8 周驻场人员 13 人，少于承诺的 15 人"),
            ("inspections", false, "机房巡检记录缺少温湿度读数"),
            ("procedures", false, "变更未走审批流程（门户网站栏目调整）"),
            ("procedures", false, "值班记录未按日填写"),
            ("procedures", false, "运维月报迟交 3 个工作日"),
            ("hardening", false, "弱口令未按期整改（审批系统数据库）"),
            ("hardening", false, "中间件版本漏洞逾期修复"),
            ("emergency", true, "政务外网中断后应急预案启动延迟 40 分钟"),
        ];
        for (key, serious, reason) in deductions {
            let input = DeductionInput { criterion_key: Some(key.into()), serious, reason: Some(reason.into()) };
            self.add_assessment_deduction(admin, &id, input).await?;
        }
        self.publish_assessment(admin, &id).await?;
        let appeal = |key: &'static str, points: f64, reason: &'static str| {
            self.appeal_assessment(pm, &id, key, AppealInput { points: Some(points), reason: Some(reason.into()) })
        };
        let accepted = appeal("staffing", 20.0, "两名驻场人员经采购人同意调休，附调休审批单").await?;
        let rejected = appeal("emergency", 10.0, "中断系运营商线路故障，非我方原因").await?;
        let comment = |c: &str| DecisionInput { comment: Some(c.into()) };
        self.decide_approval(
            admin,
            &accepted.id,
            domain::approvals::Decision::Approve,
            comment("调休有审批记录，采纳"),
        )
        .await?;
        self.decide_approval(
            admin,
            &rejected.id,
            domain::approvals::Decision::Reject,
            comment("启动记录显示延迟与线路原因无关，维持扣分"),
        )
        .await?;
        self.acknowledge_assessment(pm, &id).await?;
        self.finalize_assessment(admin, &id).await?;
        // Finance pays each item's milestone of the quarter, less its share of the deduction.
        let summary = self.payment_summary(admin, contract_id).await?;
        for (n, m) in summary.milestones.iter().filter(|m| m.state == MilestoneState::Due).enumerate() {
            let Some(amount) = m.payable_fen.filter(|a| *a > 0) else { continue };
            let input = PaymentInput {
                paid_on: Some(today.to_string()),
                amount_fen: Some(amount),
                voucher: Some(format!("记-{}-{:04}（演示）", today.year(), 1017 + n)),
                note: Some(format!("{}：{}", m.item_name, m.condition)),
                item_id: Some(m.item_id.clone()),
                milestone: Some(m.index),
            };
            self.record_payment(admin, contract_id, input).await?;
        }
        Ok(())
    }

    /// Last month's check under a copy of 004 whose 人员驻场情况 the units score (each for the
    /// staff on its own premises): a draft in which the first five units have scored and the
    /// others have yet to, so the bureau sees who it waits for.
    pub(super) async fn demo_unit_scoring(
        &self,
        admin: &Principal,
        units: &[Principal],
        contract_id: &str,
    ) -> Result<()> {
        let copy = self
            .copy_assessment_template(
                admin,
                "builtin-004-deduction",
                CopyInput {
                    key: Some("004-units".into()),
                    name: Some("运维考评百分扣分表（驻场情况由使用单位评分）".into()),
                },
            )
            .await?;
        let mut spec = copy.spec.clone();
        for c in spec.sections.iter_mut().flat_map(|s| s.criteria.iter_mut()).filter(|c| c.key == "staffing") {
            c.rule = Rule::Manual;
            c.scored_by = ScoredBy::Units;
            c.standard = format!("各使用单位就驻场本单位的人员评分，按单位系统数加权平均。{}", c.standard);
        }
        self.update_assessment_template(admin, &copy.id, spec).await?;
        let first = crate::bureau_today().with_day(1).unwrap_or_default();
        let to = first.pred_opt().unwrap_or_default();
        let from = to.with_day(1).unwrap_or_default();
        let a = self
            .create_assessment(
                admin,
                AssessmentInput {
                    contract_id: Some(contract_id.to_string()),
                    template_id: Some(copy.id.clone()),
                    from: Some(from.to_string()),
                    to: Some(to.to_string()),
                },
            )
            .await?;
        let scores = [
            (20.0, None),
            (19.0, Some("驻场工程师一次未按时到岗（迟到 40 分钟）")),
            (20.0, None),
            (18.0, Some("驻场人员两次未经报备离岗")),
            (20.0, None),
        ];
        let scoring: Vec<&Principal> = units
            .iter()
            .filter(|u| a.criteria.iter().flat_map(|c| &c.units).any(|r| Some(&r.unit_id) == u.unit_id.as_ref()))
            .collect();
        for (user, (points, reason)) in scoring.into_iter().zip(scores) {
            let Some(unit) = user.unit_id.as_deref() else { continue };
            let input = UnitScoreInput { points: Some(points), reason: reason.map(str::to_string) };
            self.set_unit_points(user, &a.id, unit, "staffing", input).await?;
        }
        Ok(())
    }
}
