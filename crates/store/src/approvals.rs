//! Requests awaiting a decision, and the bureau's settings. A decision is one conditional update
//! (`WHERE status = 'pending'`), so two deciders at once cannot both decide; a partial unique
//! index keeps one pending request per subject.

use chrono::{DateTime, NaiveDate, Utc};
use domain::approvals::{
    Approval, ApprovalFile, ApprovalFilter, ApprovalKind, ApprovalStatus, ApprovalStep, Delegation, Waiting,
};
use domain::list::{ListQuery, Page};
use domain::{Role, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::{approval_delegations as ad, approval_files as af, approvals as ap, settings};
use crate::scope::by_scope;
use crate::{Conn, Result, StoreError, Tx, corrupt, list};

fn approval(m: ap::Model) -> Result<Approval> {
    let json = |s: &str| serde_json::from_str(s).map_err(|_| corrupt("approvals.proposed", &m.id));
    Ok(Approval {
        kind: ApprovalKind::parse(&m.kind).ok_or_else(|| corrupt("approvals.kind", &m.kind))?,
        status: ApprovalStatus::parse(&m.status).ok_or_else(|| corrupt("approvals.status", &m.status))?,
        requester_role: Role::parse(&m.requester_role).ok_or_else(|| corrupt("approvals.role", &m.requester_role))?,
        proposed: json(&m.proposed)?,
        payload: json(&m.payload)?,
        current: m.current.as_deref().map(json).transpose()?,
        steps: serde_json::from_str(&m.steps).map_err(|_| corrupt("approvals.steps", &m.id))?,
        current_step: usize::try_from(m.current_step).unwrap_or(0),
        id: m.id,
        subject_type: m.subject_type,
        subject_id: m.subject_id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        vendor_id: m.vendor_id,
        title: m.title,
        title_en: m.title_en,
        reason: m.reason,
        requested_by: m.requested_by,
        requested_by_name: m.requested_by_name,
        requested_at: m.requested_at,
        decided_by: m.decided_by,
        decided_by_name: m.decided_by_name,
        decided_at: m.decided_at,
        comment: m.comment,
        unit_may_decide: m.unit_may_decide,
        can_decide: false,
    })
}

fn visible(scope: &Scope) -> Condition {
    by_scope(
        scope,
        |u| Condition::all().add(ap::Column::UnitId.eq(u)),
        |v| Condition::all().add(ap::Column::VendorId.eq(v)),
    )
}

/// Requests whose decision (or waiting step) is for one of these deciders.
fn waiting(w: &Waiting) -> Condition {
    let mut any = Condition::any();
    if w.bureau {
        any = any.add(ap::Column::WaitingFor.is_null()).add(ap::Column::WaitingFor.eq("bureau"));
    }
    if let Some(u) = &w.unit_id {
        let own = Condition::any()
            .add(Condition::all().add(ap::Column::WaitingFor.is_null()).add(ap::Column::UnitMayDecide.eq(true)))
            .add(ap::Column::WaitingFor.eq("unit"));
        any = any.add(Condition::all().add(ap::Column::UnitId.eq(u.as_str())).add(own));
    }
    if !w.people.is_empty() {
        any = any.add(ap::Column::WaitingFor.is_in(w.people.iter().map(|p| format!("user:{p}"))));
    }
    // Nobody in particular: nothing waits for them.
    any.add(Expr::value(false))
}

/// Stores a new pending request; a conflict means the subject already has one.
pub async fn insert(tx: &Tx, a: &Approval) -> Result<()> {
    ap::ActiveModel {
        id: Set(a.id.clone()),
        kind: Set(a.kind.as_str().into()),
        subject_type: Set(a.subject_type.clone()),
        subject_id: Set(a.subject_id.clone()),
        system_id: Set(a.system_id.clone()),
        unit_id: Set(a.unit_id.clone()),
        vendor_id: Set(a.vendor_id.clone()),
        title: Set(a.title.chars().take(500).collect()),
        title_en: Set(a.title_en.chars().take(500).collect()),
        proposed: Set(a.proposed.to_string()),
        current: Set(a.current.as_ref().map(|c| c.to_string())),
        reason: Set(a.reason.clone()),
        payload: Set(a.payload.to_string()),
        status: Set(ApprovalStatus::Pending.as_str().into()),
        requested_by: Set(a.requested_by.clone()),
        requested_by_name: Set(a.requested_by_name.chars().take(200).collect()),
        requester_role: Set(a.requester_role.as_str().into()),
        requested_at: Set(a.requested_at),
        decided_by: Set(None),
        decided_by_name: Set(None),
        decided_at: Set(None),
        comment: Set(None),
        unit_may_decide: Set(a.unit_may_decide),
        steps: Set(serde_json::to_string(&a.steps).unwrap_or_else(|_| "[]".into())),
        current_step: Set(0),
        waiting_for: Set(a.steps.first().map(ApprovalStep::waiting_key)),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

pub async fn get(c: &impl Conn, scope: &Scope, id: &str) -> Result<Option<Approval>> {
    ap::Entity::find_by_id(id.to_string()).filter(visible(scope)).one(c.conn()).await?.map(approval).transpose()
}

pub async fn list(c: &impl Conn, scope: &Scope, q: &ListQuery, f: &ApprovalFilter) -> Result<Page<Approval>> {
    let mut s = ap::Entity::find()
        .filter(visible(scope))
        .filter(list::eq_opt(ap::Column::Status, &f.status.map(|s| s.as_str().to_string())))
        .filter(list::eq_opt(ap::Column::Kind, &f.kind.map(|k| k.as_str().to_string())))
        .filter(list::eq_opt(ap::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(ap::Column::SubjectId, &f.subject_id))
        .filter(list::eq_opt(ap::Column::RequestedBy, &f.requested_by))
        .filter(list::search(&[ap::Column::Title, ap::Column::TitleEn, ap::Column::RequestedByName], q.q.as_deref()));
    if let Some(w) = &f.waiting_for {
        s = s.filter(waiting(w));
    }
    let total = s.clone().count(c.conn()).await?;
    let dir = list::direction(q, domain::list::Order::Desc);
    let rows = s
        .order_by(ap::Column::RequestedAt, dir.clone())
        .order_by(ap::Column::Id, dir)
        .paginate(c.conn(), q.page_size)
        .fetch_page(q.page.saturating_sub(1))
        .await?;
    let items = rows.into_iter().map(approval).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total, page: q.page, page_size: q.page_size })
}

/// Moves a pending request to `status`; false when it was no longer pending (decided or
/// withdrawn meanwhile).
pub async fn decide(
    tx: &Tx,
    id: &str,
    status: ApprovalStatus,
    by: (&str, &str),
    comment: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let r = ap::Entity::update_many()
        .col_expr(ap::Column::Status, Expr::value(status.as_str()))
        .col_expr(ap::Column::DecidedBy, Expr::value(Some(by.0.to_string())))
        .col_expr(ap::Column::DecidedByName, Expr::value(Some(by.1.chars().take(200).collect::<String>())))
        .col_expr(ap::Column::DecidedAt, Expr::value(Some(at)))
        .col_expr(ap::Column::Comment, Expr::value(comment.map(str::to_string)))
        .filter(ap::Column::Id.eq(id))
        .filter(ap::Column::Status.eq(ApprovalStatus::Pending.as_str()))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Records the decision of step `at_step` of a request in steps: `steps` as they now stand, the
/// request moved on to the next step (`status` pending) or closed with `status`. False when the
/// step was decided by someone else meanwhile.
#[allow(clippy::too_many_arguments)]
pub async fn decide_step(
    tx: &Tx,
    id: &str,
    at_step: usize,
    steps: &[ApprovalStep],
    status: ApprovalStatus,
    by: (&str, &str),
    comment: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let step = i32::try_from(at_step).map_err(|_| StoreError::Corrupt(format!("approval {id} step")))?;
    let mut u = ap::Entity::update_many()
        .col_expr(ap::Column::Steps, Expr::value(serde_json::to_string(steps).unwrap_or_else(|_| "[]".into())))
        .col_expr(ap::Column::CurrentStep, Expr::value(step + 1))
        .col_expr(ap::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            ap::Column::WaitingFor,
            Expr::value(
                steps.get(at_step + 1).filter(|_| status == ApprovalStatus::Pending).map(ApprovalStep::waiting_key),
            ),
        );
    if status != ApprovalStatus::Pending {
        u = u
            .col_expr(ap::Column::DecidedBy, Expr::value(Some(by.0.to_string())))
            .col_expr(ap::Column::DecidedByName, Expr::value(Some(by.1.chars().take(200).collect::<String>())))
            .col_expr(ap::Column::DecidedAt, Expr::value(Some(at)))
            .col_expr(ap::Column::Comment, Expr::value(comment.map(str::to_string)));
    }
    let r = u
        .filter(ap::Column::Id.eq(id))
        .filter(ap::Column::Status.eq(ApprovalStatus::Pending.as_str()))
        .filter(ap::Column::CurrentStep.eq(step))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Pending requests about a subject (so a deleted subject's requests can be closed).
pub async fn pending_for(c: &impl Conn, subject_type: &str, subject_id: &str) -> Result<Vec<Approval>> {
    ap::Entity::find()
        .filter(ap::Column::SubjectType.eq(subject_type))
        .filter(ap::Column::SubjectId.eq(subject_id))
        .filter(ap::Column::Status.eq(ApprovalStatus::Pending.as_str()))
        .all(c.conn())
        .await?
        .into_iter()
        .map(approval)
        .collect()
}

/// Requests about a system follow it to its new unit (tickets keep theirs: a ticket stays with
/// the unit that reported it).
pub async fn move_system(tx: &Tx, system_id: &str, unit_id: &str) -> Result<u64> {
    let r = ap::Entity::update_many()
        .col_expr(ap::Column::UnitId, Expr::value(Some(unit_id.to_string())))
        .filter(ap::Column::SystemId.eq(system_id))
        .filter(ap::Column::SubjectType.ne("ticket"))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected)
}

/// A setting's JSON value, if the bureau has set it.
pub async fn setting(c: &impl Conn, key: &str) -> Result<Option<serde_json::Value>> {
    match settings::Entity::find_by_id(key.to_string()).one(c.conn()).await? {
        None => Ok(None),
        Some(m) => serde_json::from_str(&m.value).map(Some).map_err(|_| StoreError::Corrupt(format!("setting {key}"))),
    }
}

pub async fn put_setting(tx: &Tx, key: &str, value: &serde_json::Value, now: DateTime<Utc>) -> Result<()> {
    use sea_orm::sea_query::OnConflict;
    let row = settings::ActiveModel { key: Set(key.to_string()), value: Set(value.to_string()), updated_at: Set(now) };
    settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(settings::Column::Key)
                .update_columns([settings::Column::Value, settings::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(tx.conn())
        .await?;
    Ok(())
}

/// Every request about any of `ids` (of `subject_type`), in any state.
pub async fn about_subjects(c: &impl Conn, subject_type: &str, ids: &[String]) -> Result<Vec<Approval>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        let rows = ap::Entity::find()
            .filter(ap::Column::SubjectType.eq(subject_type))
            .filter(ap::Column::SubjectId.is_in(chunk.iter().cloned()))
            .all(c.conn())
            .await?;
        for m in rows {
            out.push(approval(m)?);
        }
    }
    Ok(out)
}

/// The pending request about each of `ids` that has one: subject id → request id.
pub async fn pending_by_subjects(
    c: &impl Conn,
    subject_type: &str,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(crate::IN_CHUNK) {
        let rows: Vec<(Option<String>, String)> = ap::Entity::find()
            .select_only()
            .column(ap::Column::SubjectId)
            .column(ap::Column::Id)
            .filter(ap::Column::SubjectType.eq(subject_type))
            .filter(ap::Column::SubjectId.is_in(chunk.iter().cloned()))
            .filter(ap::Column::Status.eq(ApprovalStatus::Pending.as_str()))
            .into_tuple()
            .all(c.conn())
            .await?;
        out.extend(rows.into_iter().filter_map(|(s, id)| s.map(|s| (s, id))));
    }
    Ok(out)
}

fn file(m: af::Model) -> ApprovalFile {
    ApprovalFile {
        id: m.id,
        approval_id: m.approval_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size: m.size,
        sha256: m.sha256,
        uploaded_by: m.uploaded_by,
        created_at: m.created_at,
    }
}

/// The files of a request, oldest first.
pub async fn files(c: &impl Conn, approval_id: &str) -> Result<Vec<ApprovalFile>> {
    let rows = af::Entity::find()
        .filter(af::Column::ApprovalId.eq(approval_id))
        .order_by_asc(af::Column::CreatedAt)
        .order_by_asc(af::Column::Id)
        .all(c.conn())
        .await?;
    Ok(rows.into_iter().map(file).collect())
}

pub async fn get_file(c: &impl Conn, approval_id: &str, id: &str) -> Result<Option<ApprovalFile>> {
    let m = af::Entity::find_by_id(id.to_string()).filter(af::Column::ApprovalId.eq(approval_id)).one(c.conn()).await?;
    Ok(m.map(file))
}

pub async fn add_file(tx: &Tx, f: &ApprovalFile) -> Result<()> {
    af::ActiveModel {
        id: Set(f.id.clone()),
        approval_id: Set(f.approval_id.clone()),
        file_name: Set(f.file_name.clone()),
        content_type: Set(f.content_type.clone()),
        size: Set(f.size),
        sha256: Set(f.sha256.clone()),
        uploaded_by: Set(f.uploaded_by.clone()),
        created_at: Set(f.created_at),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// Whether the request is still pending, holding its row until the transaction ends (a no-op
/// update), so a decision waits for what is being added to it rather than racing it.
pub async fn lock_pending(tx: &Tx, id: &str) -> Result<bool> {
    let r = ap::Entity::update_many()
        .col_expr(ap::Column::Status, Expr::col(ap::Column::Status))
        .filter(ap::Column::Id.eq(id))
        .filter(ap::Column::Status.eq(ApprovalStatus::Pending.as_str()))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

fn delegation(m: ad::Model, names: &std::collections::HashMap<String, String>) -> Delegation {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    Delegation {
        user_name: name(&m.user_id),
        delegate_name: name(&m.delegate_id),
        id: m.id,
        user_id: m.user_id,
        delegate_id: m.delegate_id,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        reason: m.reason,
        created_at: m.created_at,
        revoked_at: m.revoked_at,
    }
}

async fn with_names(c: &impl Conn, rows: Vec<ad::Model>) -> Result<Vec<Delegation>> {
    let mut ids: Vec<String> = rows.iter().flat_map(|m| [m.user_id.clone(), m.delegate_id.clone()]).collect();
    ids.sort();
    ids.dedup();
    let names = crate::users::display_names(c, &ids).await?;
    Ok(rows.into_iter().map(|m| delegation(m, &names)).collect())
}

pub async fn insert_delegation(tx: &Tx, d: &Delegation) -> Result<()> {
    ad::ActiveModel {
        id: Set(d.id.clone()),
        user_id: Set(d.user_id.clone()),
        delegate_id: Set(d.delegate_id.clone()),
        starts_on: Set(d.starts_on),
        ends_on: Set(d.ends_on),
        reason: Set(d.reason.clone()),
        created_at: Set(d.created_at),
        revoked_at: Set(None),
    }
    .insert(tx.conn())
    .await?;
    Ok(())
}

/// Delegations given by or to `user_id` (every one when `None`: the bureau's view) that have
/// not ended before `since` and were not revoked.
pub async fn delegations(c: &impl Conn, user_id: Option<&str>, since: NaiveDate) -> Result<Vec<Delegation>> {
    let mut s = ad::Entity::find().filter(ad::Column::EndsOn.gte(since)).filter(ad::Column::RevokedAt.is_null());
    if let Some(u) = user_id {
        s = s.filter(Condition::any().add(ad::Column::UserId.eq(u)).add(ad::Column::DelegateId.eq(u)));
    }
    let rows = s.order_by_asc(ad::Column::StartsOn).order_by_asc(ad::Column::Id).all(c.conn()).await?;
    with_names(c, rows).await
}

pub async fn get_delegation(c: &impl Conn, id: &str) -> Result<Option<Delegation>> {
    match ad::Entity::find_by_id(id.to_string()).one(c.conn()).await? {
        Some(m) => Ok(with_names(c, vec![m]).await?.pop()),
        None => Ok(None),
    }
}

/// Revokes a delegation once: false when it already was.
pub async fn revoke_delegation(tx: &Tx, id: &str, at: DateTime<Utc>) -> Result<bool> {
    let r = ad::Entity::update_many()
        .col_expr(ad::Column::RevokedAt, Expr::value(Some(at)))
        .filter(ad::Column::Id.eq(id))
        .filter(ad::Column::RevokedAt.is_null())
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Who handed their decisions to `delegate_id` for `day`.
pub async fn delegators(c: &impl Conn, delegate_id: &str, day: NaiveDate) -> Result<Vec<String>> {
    Ok(ad::Entity::find()
        .select_only()
        .column(ad::Column::UserId)
        .filter(ad::Column::DelegateId.eq(delegate_id))
        .filter(ad::Column::StartsOn.lte(day))
        .filter(ad::Column::EndsOn.gte(day))
        .filter(ad::Column::RevokedAt.is_null())
        .into_tuple()
        .all(c.conn())
        .await?)
}
