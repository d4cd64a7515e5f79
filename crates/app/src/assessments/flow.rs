//! The assessment's flow: the assessor scores the draft (points by hand, the veto, deductions
//! confirmed, dismissed or added), publishes it with an appeal window on the bureau's working
//! calendar, the vendor's manager appeals or acknowledges, and the bureau makes it final.

use domain::assessments::{
    Assessment, AssessmentStatus, Deduction, DeductionInput, DeductionStatus, PointsInput, Rule, RulingInput,
    VetoInput, no_criterion, points_ok,
};
use domain::error::Checker;
use domain::{FieldError, Principal, Scope};
use serde_json::json;

use super::history;
use crate::{App, AppError, Result, audit};

fn not_draft() -> AppError {
    AppError::conflict(
        None,
        "考核已发布，分数只能经申诉改变",
        "the assessment is published: points change only through an appeal",
    )
}

pub(super) fn reason_required(c: &mut Checker, raw: Option<&str>) -> Option<String> {
    let r = c.optional_text("reason", raw, 2000);
    if r.is_none() {
        c.push(FieldError::new("reason", "请说明理由", "give a reason"));
    }
    r
}

impl App {
    /// The assessment as the bureau sees it, for a change.
    async fn for_change(&self, p: &Principal, id: &str) -> Result<Assessment> {
        super::require_assessor(p)?;
        self.reread_scoped(&Scope::All, id).await
    }

    /// Sets a criterion's points by hand with a reason (or, with no points, returns it to what
    /// its rule computes). Drafts only.
    pub async fn set_assessment_points(
        &self,
        p: &Principal,
        id: &str,
        key: &str,
        input: PointsInput,
    ) -> Result<Assessment> {
        let a = self.for_change(p, id).await?;
        let c = a.criteria.iter().find(|c| c.key == key).ok_or(AppError::NotFound)?;
        let mut check = Checker::default();
        if let Some(pts) = input.points
            && !points_ok(pts, c.max_points)
        {
            check.push(FieldError::new(
                "points",
                format!("得分须在 0 至 {} 之间，最多两位小数", c.max_points),
                format!("0 to {}, at most two decimals", c.max_points),
            ));
        }
        let reason = reason_required(&mut check, input.reason.as_deref());
        check.finish()?;
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::assessments::touch(&tx, id, &[AssessmentStatus::Draft], now).await? {
            return Err(not_draft());
        }
        store::assessments::set_hand_points(&tx, &c.id, input.points, reason.as_deref(), &p.user_id, now).await?;
        let after = super::points_in(&tx, &a, key).await?;
        let h = history(id, "set", p, &name, now).on(key).points(c.points, after).because(reason.as_deref());
        store::assessments::add_history(&tx, &h).await?;
        audit(&tx, p, "update", "assessment", id, Some(&json!({key: c.points})), Some(&json!({key: after})), now)
            .await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }

    /// Vetoes the assessment (一票否决, lowest grade) or lifts the veto, with a reason. Only a
    /// template with veto conditions allows it.
    pub async fn set_assessment_veto(&self, p: &Principal, id: &str, input: VetoInput) -> Result<Assessment> {
        let a = self.for_change(p, id).await?;
        let mut check = Checker::default();
        let vetoed = input.vetoed.unwrap_or_else(|| {
            check.push(FieldError::required("vetoed"));
            false
        });
        if vetoed && a.spec.veto.is_empty() {
            check.push(FieldError::new("vetoed", "该考核表没有一票否决项", "the template has no veto conditions"));
        }
        let reason = reason_required(&mut check, input.reason.as_deref());
        check.finish()?;
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::assessments::set_veto(&tx, id, vetoed, if vetoed { reason.as_deref() } else { None }).await? {
            return Err(not_draft());
        }
        let action = if vetoed { "veto" } else { "lift_veto" };
        store::assessments::add_history(&tx, &history(id, action, p, &name, now).because(reason.as_deref())).await?;
        let before = json!({"vetoed": a.vetoed, "reason": a.veto_reason});
        audit(
            &tx,
            p,
            "update",
            "assessment",
            id,
            Some(&before),
            Some(&json!({"vetoed": vetoed, "reason": reason})),
            now,
        )
        .await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }

    /// Adds an occurrence to a deduction criterion (confirmed at once), with its reason.
    pub async fn add_assessment_deduction(&self, p: &Principal, id: &str, input: DeductionInput) -> Result<Assessment> {
        let a = self.for_change(p, id).await?;
        let key = input.criterion_key.as_deref().map(str::trim).unwrap_or_default();
        let def = a.spec.criterion(key).ok_or_else(no_criterion)?;
        let Rule::Deductions { points_each, serious_points, .. } = def.rule else {
            return Err(FieldError::new(
                "criterion_key",
                "该指标不按次扣分",
                "the criterion is not scored by deductions",
            )
            .into());
        };
        let mut check = Checker::default();
        let points = if input.serious {
            serious_points.unwrap_or_else(|| {
                check.push(FieldError::new("serious", "该指标没有严重情形扣分", "the criterion has no serious case"));
                0.0
            })
        } else {
            points_each
        };
        let reason = reason_required(&mut check, input.reason.as_deref());
        check.finish()?;
        let c = a.criteria.iter().find(|c| c.key == key).ok_or_else(no_criterion)?;
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let d = Deduction {
            id: store::new_id(),
            assessment_id: id.to_string(),
            criterion_key: key.to_string(),
            source: "manual".into(),
            subject_type: None,
            subject_id: None,
            subject_part: None,
            title: reason.clone().unwrap_or_default(),
            points,
            status: DeductionStatus::Confirmed,
            note: None,
            decided_by: Some(p.user_id.clone()),
            decided_at: Some(now),
            created_at: now,
        };
        let tx = self.store.begin().await?;
        if !store::assessments::touch(&tx, id, &[AssessmentStatus::Draft], now).await? {
            return Err(not_draft());
        }
        store::assessments::insert_deduction(&tx, &d).await?;
        let after = super::points_in(&tx, &a, key).await?;
        let h = history(id, "deduction", p, &name, now).on(key).points(c.points, after).because(reason.as_deref());
        store::assessments::add_history(&tx, &h).await?;
        audit::<(), _>(&tx, p, "create", "assessment_deduction", &d.id, None, Some(&d), now).await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }

    /// Confirms or dismisses a deduction (a proposal, or one ruled before).
    pub async fn rule_assessment_deduction(
        &self,
        p: &Principal,
        id: &str,
        deduction_id: &str,
        input: RulingInput,
    ) -> Result<Assessment> {
        let a = self.for_change(p, id).await?;
        let d = store::assessments::get_deduction(&self.store, id, deduction_id).await?.ok_or(AppError::NotFound)?;
        let mut check = Checker::default();
        let confirmed = input.confirmed.unwrap_or_else(|| {
            check.push(FieldError::required("confirmed"));
            false
        });
        let note = check.optional_text("note", input.note.as_deref(), 2000);
        check.finish()?;
        let status = if confirmed { DeductionStatus::Confirmed } else { DeductionStatus::Dismissed };
        let c = a.criteria.iter().find(|c| c.key == d.criterion_key).ok_or_else(no_criterion)?;
        let name = self.person_name(p).await?;
        let now = self.business_now();
        let tx = self.store.begin().await?;
        if !store::assessments::touch(&tx, id, &[AssessmentStatus::Draft], now).await? {
            return Err(not_draft());
        }
        store::assessments::rule_deduction(&tx, &d.id, status, note.as_deref(), &p.user_id, now).await?;
        let action = if confirmed { "confirm" } else { "dismiss" };
        let after_points = super::points_in(&tx, &a, &d.criterion_key).await?;
        let h = history(id, action, p, &name, now).on(&d.criterion_key).points(c.points, after_points);
        store::assessments::add_history(&tx, &h.because(Some(&d.title))).await?;
        let after = Deduction { status, note, decided_by: Some(p.user_id.clone()), decided_at: Some(now), ..d.clone() };
        audit(&tx, p, "update", "assessment_deduction", &d.id, Some(&d), Some(&after), now).await?;
        tx.commit().await?;
        self.reread_scoped(&Scope::All, id).await
    }
}
