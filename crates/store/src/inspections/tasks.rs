//! Inspection tasks: one per plan and day, inserted if absent, completed by a record.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::inspections::plan::{Task, TaskFilter, TaskStatus};
use domain::list::{ListQuery, Page};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entities::inspection_tasks as tk;
use crate::{Conn, Result, Tx, list};

pub(super) fn task_visible(scope: &Scope) -> Condition {
    crate::scope::by_scope(
        scope,
        |u| Condition::all().add(tk::Column::UnitId.eq(u)),
        |v| crate::scope::col_in(tk::Column::SystemId, crate::scope::vendor_system_ids(v)),
    )
}

fn task(m: tk::Model, now: DateTime<Utc>) -> Task {
    Task {
        status: Task::status_at(m.done, m.due_at, now),
        assignee_role: m.assignee_role.as_deref().and_then(domain::Role::parse),
        id: m.id,
        plan_id: m.plan_id,
        system_id: m.system_id,
        unit_id: m.unit_id,
        template_id: m.template_id,
        scheduled_for: m.scheduled_for,
        opens_at: m.opens_at,
        due_at: m.due_at,
        assignee_id: m.assignee_id,
        record_id: m.record_id,
        completed_at: m.completed_at,
        on_time: m.on_time,
    }
}

/// A task to create (the plan's copy of who and what, and the day's window).
#[derive(Debug, Clone)]
pub struct NewTask {
    pub plan_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub template_id: String,
    pub scheduled_for: NaiveDate,
    pub opens_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub assignee_id: Option<String>,
    pub assignee_role: Option<String>,
}

/// Inserts the tasks that do not exist yet (by plan and day); returns how many were new.
pub async fn insert_missing(tx: &Tx, tasks: &[NewTask], now: DateTime<Utc>) -> Result<u64> {
    let mut n = 0;
    for chunk in tasks.chunks(500) {
        let rows = chunk.iter().map(|t| tk::ActiveModel {
            id: Set(crate::new_id()),
            plan_id: Set(t.plan_id.clone()),
            system_id: Set(t.system_id.clone()),
            unit_id: Set(t.unit_id.clone()),
            template_id: Set(t.template_id.clone()),
            scheduled_for: Set(t.scheduled_for),
            opens_at: Set(t.opens_at),
            due_at: Set(t.due_at),
            done: Set(false),
            assignee_id: Set(t.assignee_id.clone()),
            assignee_role: Set(t.assignee_role.clone()),
            record_id: Set(None),
            completed_at: Set(None),
            on_time: Set(None),
            abnormal_count: Set(0),
            created_at: Set(now),
        });
        n += tk::Entity::insert_many(rows)
            .on_conflict(OnConflict::columns([tk::Column::PlanId, tk::Column::ScheduledFor]).do_nothing().to_owned())
            .exec_without_returning(tx.conn())
            .await?;
    }
    Ok(n)
}

/// Removes a plan's tasks whose window has not opened by `now` and that are no longer on its
/// schedule (after the plan or its calendar changed). Tasks already open, missed or done are
/// evidence and stay: changing a plan at six in the evening does not excuse the day.
pub async fn drop_unscheduled(tx: &Tx, plan_id: &str, now: DateTime<Utc>, keep: &[NaiveDate]) -> Result<u64> {
    let mut d = tk::Entity::delete_many()
        .filter(tk::Column::PlanId.eq(plan_id))
        .filter(tk::Column::Done.eq(false))
        .filter(tk::Column::OpensAt.gt(now));
    if !keep.is_empty() {
        d = d.filter(tk::Column::ScheduledFor.is_not_in(keep.iter().copied()));
    }
    Ok(d.exec(tx.conn()).await?.rows_affected)
}

/// Refreshes who the plan's open tasks are for and their windows, after the plan changed.
pub async fn reassign_open(tx: &Tx, plan_id: &str, assignee_id: Option<&str>, role: Option<&str>) -> Result<()> {
    tk::Entity::update_many()
        .col_expr(tk::Column::AssigneeId, Expr::value(assignee_id.map(str::to_string)))
        .col_expr(tk::Column::AssigneeRole, Expr::value(role.map(str::to_string)))
        .filter(tk::Column::PlanId.eq(plan_id))
        .filter(tk::Column::Done.eq(false))
        .exec(tx.conn())
        .await?;
    Ok(())
}

pub async fn plan_has_records(c: &impl Conn, plan_id: &str) -> Result<bool> {
    Ok(tk::Entity::find()
        .filter(tk::Column::PlanId.eq(plan_id))
        .filter(tk::Column::Done.eq(true))
        .count(c.conn())
        .await?
        > 0)
}

/// Tasks have no text of their own: `q` matches their plan's name.
fn plan_named(q: Option<&str>) -> Condition {
    if q.is_none() {
        return Condition::all();
    }
    use crate::entities::inspection_plans as ip;
    let plans = sea_orm::sea_query::Query::select()
        .column(ip::Column::Id)
        .from(ip::Entity)
        .cond_where(list::search(&[ip::Column::Name], q))
        .to_owned();
    crate::scope::col_in(tk::Column::PlanId, plans)
}

fn filtered(scope: &Scope, q: &ListQuery, f: &TaskFilter, now: DateTime<Utc>) -> sea_orm::Select<tk::Entity> {
    let mut s = tk::Entity::find()
        .filter(task_visible(scope))
        .filter(plan_named(q.q.as_deref()))
        .filter(list::eq_opt(tk::Column::PlanId, &f.plan_id))
        .filter(list::eq_opt(tk::Column::SystemId, &f.system_id))
        .filter(list::eq_opt(tk::Column::AssigneeId, &f.assignee_id));
    match f.status {
        Some(TaskStatus::Done) => s = s.filter(tk::Column::Done.eq(true)),
        Some(TaskStatus::Overdue) => s = s.filter(tk::Column::Done.eq(false)).filter(tk::Column::DueAt.lt(now)),
        Some(TaskStatus::Pending) => s = s.filter(tk::Column::Done.eq(false)).filter(tk::Column::DueAt.gte(now)),
        None => {}
    }
    if let Some(open) = f.open {
        s = s.filter(tk::Column::Done.eq(!open));
    }
    // As `may_inspect` reads a task: named for them, or for their role (or anyone) with nobody named.
    if let Some((user, role)) = &f.person {
        let anyone_in_role =
            Condition::any().add(tk::Column::AssigneeRole.eq(role.as_str())).add(tk::Column::AssigneeRole.is_null());
        s = s.filter(
            Condition::any()
                .add(tk::Column::AssigneeId.eq(user.as_str()))
                .add(Condition::all().add(tk::Column::AssigneeId.is_null()).add(anyone_in_role)),
        );
    }
    if let Some(from) = f.from {
        s = s.filter(tk::Column::ScheduledFor.gte(from));
    }
    if let Some(to) = f.to {
        s = s.filter(tk::Column::ScheduledFor.lte(to));
    }
    s
}

/// Tasks by day (`scheduled_for`, then id), oldest first unless `order=desc`.
pub async fn list_tasks(
    c: &impl Conn,
    scope: &Scope,
    q: &ListQuery,
    f: &TaskFilter,
    now: DateTime<Utc>,
) -> Result<Page<Task>> {
    let s = filtered(scope, q, f, now);
    let total = s.clone().count(c.conn()).await?;
    let order = match q.order {
        domain::list::Order::Asc => sea_orm::Order::Asc,
        domain::list::Order::Desc => sea_orm::Order::Desc,
    };
    let rows = s
        .order_by(tk::Column::ScheduledFor, order.clone())
        .order_by(tk::Column::DueAt, order.clone())
        .order_by(tk::Column::Id, order)
        .offset(q.offset())
        .limit(q.page_size)
        .all(c.conn())
        .await?;
    Ok(Page { items: rows.into_iter().map(|m| task(m, now)).collect(), total, page: q.page, page_size: q.page_size })
}

pub async fn get_task(c: &impl Conn, scope: &Scope, id: &str, now: DateTime<Utc>) -> Result<Option<Task>> {
    Ok(tk::Entity::find_by_id(id.to_string()).filter(task_visible(scope)).one(c.conn()).await?.map(|m| task(m, now)))
}

/// Marks a task done by `record_id`, if it is still open; `false` when someone else was first.
pub async fn complete(
    tx: &Tx,
    id: &str,
    record_id: &str,
    at: DateTime<Utc>,
    on_time: bool,
    abnormal: i32,
) -> Result<bool> {
    let r = tk::Entity::update_many()
        .col_expr(tk::Column::Done, Expr::value(true))
        .col_expr(tk::Column::RecordId, Expr::value(record_id))
        .col_expr(tk::Column::CompletedAt, Expr::value(at))
        .col_expr(tk::Column::OnTime, Expr::value(on_time))
        .col_expr(tk::Column::AbnormalCount, Expr::value(abnormal))
        .filter(tk::Column::Id.eq(id))
        .filter(tk::Column::Done.eq(false))
        .exec(tx.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// What a rate is computed from: the tasks of the period that were due by `now` or are done.
#[derive(Debug, Clone)]
pub struct TaskFact {
    pub system_id: String,
    pub scheduled_for: NaiveDate,
    pub done: bool,
    pub on_time: bool,
    pub abnormal: i32,
}

pub async fn facts(
    c: &impl Conn,
    scope: &Scope,
    system_id: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<TaskFact>> {
    let rows: Vec<(String, NaiveDate, bool, Option<bool>, i32)> = tk::Entity::find()
        .select_only()
        .columns([
            tk::Column::SystemId,
            tk::Column::ScheduledFor,
            tk::Column::Done,
            tk::Column::OnTime,
            tk::Column::AbnormalCount,
        ])
        .filter(task_visible(scope))
        .filter(list::eq_opt(tk::Column::SystemId, &system_id.map(str::to_string)))
        .filter(tk::Column::ScheduledFor.gte(from))
        .filter(tk::Column::ScheduledFor.lte(to))
        .filter(Condition::any().add(tk::Column::Done.eq(true)).add(tk::Column::DueAt.lte(now)))
        .into_tuple()
        .all(c.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(system_id, scheduled_for, done, on_time, abnormal)| TaskFact {
            system_id,
            scheduled_for,
            done,
            on_time: on_time.unwrap_or(false),
            abnormal,
        })
        .collect())
}
