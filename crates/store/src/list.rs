//! Paging, sorting and free-text search, the same way for every list.

use domain::list::{ListQuery, Order as ListOrder};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryOrder, QuerySelect, Select,
};

use crate::Result;

/// Case-insensitive `contains` over several columns, with `%`, `_` and `\` in the text taken
/// literally.
pub(crate) fn search<C: ColumnTrait>(cols: &[C], q: Option<&str>) -> Condition {
    let Some(q) = q else { return Condition::all() };
    let escaped: String = q
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    cols.iter().fold(Condition::any(), |cond, col| {
        cond.add(Expr::expr(Func::lower(Expr::col(*col))).like(LikeExpr::new(pattern.clone()).escape('\\')))
    })
}

/// One page of `select`, ordered by `sort` (then by `tie` for a stable order), and the total.
pub(crate) async fn page<E, C>(
    c: &C,
    select: Select<E>,
    q: &ListQuery,
    sort: E::Column,
    tie: E::Column,
) -> Result<(Vec<E::Model>, u64)>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let total = select.clone().count(c).await?;
    let order = match q.order {
        ListOrder::Asc => Order::Asc,
        ListOrder::Desc => Order::Desc,
    };
    let rows =
        select.order_by(sort, order.clone()).order_by(tie, order).offset(q.offset()).limit(q.page_size).all(c).await?;
    Ok((rows, total))
}

/// The direction of a list that sorts one way of its own (newest first, by name): the caller's
/// `order` once `sort` names the list's key, the list's own direction otherwise.
pub(crate) fn direction(q: &ListQuery, own: ListOrder) -> Order {
    match if q.sort.is_some() { q.order } else { own } {
        ListOrder::Asc => Order::Asc,
        ListOrder::Desc => Order::Desc,
    }
}

/// Equality filter on an optional value.
pub(crate) fn eq_opt<C: ColumnTrait, V: Into<sea_orm::Value> + Clone>(col: C, v: &Option<V>) -> Condition {
    match v {
        Some(v) => Condition::all().add(col.eq(v.clone())),
        None => Condition::all(),
    }
}
