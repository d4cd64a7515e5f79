//! Publishing, appeals, acknowledgement and the final assessment. The appeal window is the
//! template's working days on the bureau's calendar, ending at the close of the last one; an
//! appeal is a request of the one approval mechanism (kind `assessment_appeal`), decided by the
//! bureau, whose approval gives the criterion the points the vendor asked for.

use chrono::{DateTime, Utc};
use domain::approvals::ApprovalKind;
use domain::assessments::{AppealInput, Assessment, AssessmentStatus, DeductionStatus, points_ok};
use domain::error::Checker;
use domain::sla::Target;
use domain::sla::compiled::{instant, micros};
use domain::sla::target::DayAt;
use domain::{FieldError, Msg, Principal, Role, Scope};
use serde_json::json;
use store::assessments::Move;

use super::appeals::{AppealPayload, SUBJECT};
use super::flow::reason_required;
use super::{FinalResult, OPEN, history};
use crate::approvals::NewRequest;
use crate::{App, AppError, Result, audit};

/// Appeals and acknowledgements are the vendor's manager's; engineers see nothing of it.
fn require_vendor_manager(p: &Principal) -> Result<()> {
    match p.role {
        Role::VendorPm => Ok(()),
        Role::Engineer => Err(AppError::NotFound),
        _ => Err(AppError::Forbidden),
    }
}

fn moved_on() -> AppError {
    AppError::conflict(None, "考核状态已变化，请刷新后重试", "the assessment has moved on; reload and try again")
}

impl App {
    /// The end of the appeal window opened at `now`: the close of the `days`-th working day
    /// after it on the bureau's calendar (`now` itself when the template allows no appeal).
    async fn appeal_deadline(&self, days: u32, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        if days == 0 {
            return Ok(now);
        }
        let (_, cal) = self.compiled_calendar(crate::inspections::DEFAULT_CALENDAR).await?;
        let target = Target::WorkingDays { days: u16::try_from(days).unwrap_or(u16::MAX), at: DayAt::EndOfDay };
        let plan = target
            .plan(&cal, micros(now), &mut ())
            .ok_or_else(|| AppError::internal("the bureau's calendar has no working day within reach"))?;
        Ok(instant(plan.due))
    }

    /// Rules on every pending proposal of a criterion at once (a scan of breaches may bring
    /// hundreds): confirmed or dismissed, with one note.
    pub async fn rule_all_assessment_deductions(
        &self,
        p: &Principal,
        id: &str,
        key: &str,
        confirmed: Option<bool>,
        note: Option<String>,
    ) -> Result<Assessment> {
        super::require_assessor(p)?;
        let a = self.reread_scoped(&Scope::All, id).await?;
        let c = a.criteria.iter().find(|c| c.key == key).ok_or(AppError::NotFound)?;
        let mut check = Checker::default();
        let confirmed = confirmed.unwrap_or_else(|| {
            check.push(FieldError::required("confirmed"));
            false
        });
        let note = check.optional_text("note", note.as_deref(), 2000);
        check.finish()?;
        let status = if confirmed { DeductionStatus::Confirmed } else { DeductionStatus::Dismissed };
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::assessments::touch(&tx, id, &[AssessmentStatus::Draft], now).await? {
            return Err(moved_on());
        }
        let n = store::assessments::rule_pending(&tx, id, key, status, note.as_deref(), &p.user_id, now).await?;
        let after = super::points_in(&tx, &a, key).await?;
        let action = if confirmed { "confirm" } else { "dismiss" };
        let h = history(id, action, p, &name, now).on(key).points(c.points, after);
        store::assessments::add_history(&tx, &h.because(Some(&format!("{n} 项"))).clone()).await?;
        let change = json!({"criterion": key, "status": status, "count": n, "note": note});
        audit::<(), _>(&tx, p, "update", "assessment_deduction", id, None, Some(&change), now).await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }

    pub(super) async fn reread_scoped(&self, scope: &Scope, id: &str) -> Result<Assessment> {
        let row = store::assessments::get(&self.store, scope, id).await?.ok_or(AppError::NotFound)?;
        self.assessment_view(row).await
    }

    /// Publishes a complete draft to the vendor and opens the appeal window. Every criterion
    /// needs its points and every proposal a ruling first.
    pub async fn publish_assessment(&self, p: &Principal, id: &str) -> Result<Assessment> {
        super::require_assessor(p)?;
        let a = self.reread_scoped(&Scope::All, id).await?;
        if a.status != AssessmentStatus::Draft {
            return Err(moved_on());
        }
        let unset: Vec<&str> = a.criteria.iter().filter(|c| c.points.is_none()).map(|c| c.name.as_str()).collect();
        let pending: Vec<&str> = a.criteria.iter().filter(|c| c.proposed > 0).map(|c| c.name.as_str()).collect();
        let mut errors = Vec::new();
        if !unset.is_empty() {
            errors.push(FieldError::new(
                "criteria",
                format!("以下指标尚未评分：{}", unset.join("、")),
                format!("not scored yet: {}", unset.join(", ")),
            ));
        }
        if !pending.is_empty() {
            errors.push(FieldError::new(
                "deductions",
                format!("以下指标还有待确认的扣分：{}", pending.join("、")),
                format!("proposed deductions still to rule on: {}", pending.join(", ")),
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let now = self.business_now();
        let until = self.appeal_deadline(a.spec.appeal_days, now).await?;
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        let m = Move { published_at: Some(now), appeal_until: Some(until), ..Move::default() };
        if !store::assessments::move_status(&tx, id, &[AssessmentStatus::Draft], AssessmentStatus::Published, &m, now)
            .await?
        {
            return Err(moved_on());
        }
        store::assessments::add_history(&tx, &history(id, "publish", p, &name, now)).await?;
        let change = json!({"status": "published", "appeal_until": until, "score": a.score, "grade": a.grade});
        audit(&tx, p, "update", "assessment", id, Some(&json!({"status": "draft"})), Some(&change), now).await?;
        let title = Msg::new(
            format!("考核结果已发布：{}", a.template_name),
            format!("Assessment published: {}", a.template_name),
        );
        let body = Msg::new(
            format!("{} 至 {}，得分 {}（{}），申诉截止 {}", a.from, a.to, a.score, a.grade, crate::bureau_time(until)),
            format!(
                "{} to {}, score {} ({}), appeal by {}",
                a.from,
                a.to,
                a.score,
                a.grade_en,
                crate::bureau_time(until)
            ),
        );
        let managers = store::users::active_ids_by_role(&tx, Role::VendorPm, None, Some(&a.vendor_id)).await?;
        let notice = store::notifications::Notice {
            ticket_id: None,
            kind: "assessment",
            title: &title,
            body: &body,
            urgent: false,
        };
        store::notifications::add(&tx, &managers, &notice, now).await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }

    /// The vendor's manager appeals one criterion, asking for other points, with a reason;
    /// within the window, one pending appeal per criterion.
    pub async fn appeal_assessment(
        &self,
        p: &Principal,
        id: &str,
        key: &str,
        input: AppealInput,
    ) -> Result<domain::approvals::Approval> {
        require_vendor_manager(p)?;
        let a = self.reread_scoped(&p.scope(), id).await?;
        let c = a.criteria.iter().find(|c| c.key == key).ok_or(AppError::NotFound)?;
        let now = self.business_now();
        if !OPEN.contains(&a.status) || a.acknowledged_at.is_some() || a.appeal_until.is_none_or(|u| now > u) {
            return Err(AppError::conflict(
                None,
                "申诉期已过或已确认无异议，不能再申诉",
                "the appeal window is closed or the result was acknowledged",
            ));
        }
        let mut check = Checker::default();
        let asked = input.points.unwrap_or_else(|| {
            check.push(FieldError::required("points"));
            0.0
        });
        if input.points.is_some() && (!points_ok(asked, c.max_points) || Some(asked) == c.points) {
            check.push(FieldError::new(
                "points",
                format!("请填写与现得分不同、0 至 {} 之间的分数", c.max_points),
                format!("points other than the current ones, 0 to {}", c.max_points),
            ));
        }
        let reason = reason_required(&mut check, input.reason.as_deref());
        check.finish()?;
        let payload = AppealPayload { assessment_id: id.to_string(), key: key.to_string(), points: asked };
        let title = Msg::new(
            format!(
                "考核申诉：{}（{} 至 {}）{}：{} → {}",
                a.template_name,
                a.from,
                a.to,
                c.name,
                show(c.points),
                asked
            ),
            format!("Appeal: {} ({} to {}) {}: {} → {}", a.template_name, a.from, a.to, c.key, show(c.points), asked),
        );
        let request = self
            .request_approval(
                p,
                NewRequest {
                    kind: ApprovalKind::AssessmentAppeal,
                    subject_type: SUBJECT,
                    subject_id: Some(c.id.clone()),
                    system_id: None,
                    unit_id: None,
                    vendor_id: Some(a.vendor_id.clone()),
                    title,
                    proposed: json!({"assessment_id": id, "criterion_key": key, "points": asked}),
                    current: Some(json!({"points": c.points})),
                    reason: reason.clone(),
                    payload: serde_json::to_value(&payload).unwrap_or_default(),
                },
            )
            .await?;
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        let m = Move::default();
        store::assessments::move_status(&tx, id, &[AssessmentStatus::Published], AssessmentStatus::Appealed, &m, now)
            .await?;
        let h = history(id, "appeal", p, &name, now).on(key).points(c.points, Some(asked));
        store::assessments::add_history(&tx, &h.because(reason.as_deref())).await?;
        tx.commit().await?;
        Ok(request)
    }

    /// The vendor's manager declares it has no (further) appeal: the bureau may then make the
    /// assessment final before the window ends.
    pub async fn acknowledge_assessment(&self, p: &Principal, id: &str) -> Result<Assessment> {
        require_vendor_manager(p)?;
        let a = self.reread_scoped(&p.scope(), id).await?;
        let now = self.business_now();
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        if a.acknowledged_at.is_some() || !store::assessments::acknowledge(&tx, id, OPEN, now).await? {
            return Err(moved_on());
        }
        store::assessments::add_history(&tx, &history(id, "acknowledge", p, &name, now)).await?;
        audit::<(), _>(&tx, p, "acknowledge", "assessment", id, None, Some(&json!({"acknowledged_at": now})), now)
            .await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }

    /// Makes a published assessment final: no appeal pending, and the window over or the
    /// vendor's acknowledgement given. The score, grade and payment are fixed.
    pub async fn finalize_assessment(&self, p: &Principal, id: &str) -> Result<Assessment> {
        super::require_assessor(p)?;
        let a = self.reread_scoped(&Scope::All, id).await?;
        if !OPEN.contains(&a.status) {
            return Err(moved_on());
        }
        if a.criteria.iter().any(|c| c.appeal_id.is_some()) {
            return Err(AppError::conflict(None, "还有未处理的申诉", "appeals are still pending"));
        }
        let now = self.business_now();
        if a.acknowledged_at.is_none() && a.appeal_until.is_some_and(|u| now <= u) {
            let until = a.appeal_until.map(crate::bureau_time).unwrap_or_default();
            return Err(AppError::conflict(
                None,
                format!("申诉期至 {until} 结束，供应商也未确认无异议"),
                format!("the appeal window runs until {until} and the vendor has not acknowledged"),
            ));
        }
        let fixed = FinalResult {
            score: a.score,
            complete: a.complete,
            grade: a.grade.clone(),
            grade_en: a.grade_en.clone(),
            payment: a.payment.clone(),
        };
        let name = self.person_name(p).await?;
        let tx = self.store.begin().await?;
        let m = Move {
            finalized_at: Some(now),
            final_result: Some(serde_json::to_value(&fixed).unwrap_or_default()),
            ..Move::default()
        };
        if !store::assessments::move_status(&tx, id, OPEN, AssessmentStatus::Final, &m, now).await? {
            return Err(moved_on());
        }
        // An appeal filed while this was being decided would now find the assessment final.
        let ids: Vec<String> = a.criteria.iter().map(|c| c.id.clone()).collect();
        if !store::approvals::pending_by_subjects(&tx, SUBJECT, &ids).await?.is_empty() {
            return Err(AppError::conflict(None, "还有未处理的申诉", "appeals are still pending"));
        }
        store::assessments::add_history(&tx, &history(id, "final", p, &name, now)).await?;
        let before = json!({"status": a.status});
        audit(
            &tx,
            p,
            "update",
            "assessment",
            id,
            Some(&before),
            Some(&json!({"status": "final", "result": m.final_result})),
            now,
        )
        .await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }
}

fn show(p: Option<f64>) -> String {
    p.map_or_else(|| "—".into(), |p| p.to_string())
}
