//! What each scope may read, as SQL conditions. Every business query goes through these.

use domain::Scope;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use crate::entities::{contract_item_systems as cis, contract_items as ci, contracts, systems};

/// Ids of the systems covered by any contract of `vendor_id`.
pub(crate) fn vendor_system_ids(vendor_id: &str) -> SelectStatement {
    Query::select()
        .column((cis::Entity, cis::Column::SystemId))
        .from(cis::Entity)
        .inner_join(ci::Entity, Expr::col((ci::Entity, ci::Column::Id)).equals((cis::Entity, cis::Column::ItemId)))
        .inner_join(
            contracts::Entity,
            Expr::col((contracts::Entity, contracts::Column::Id)).equals((ci::Entity, ci::Column::ContractId)),
        )
        .and_where(Expr::col((contracts::Entity, contracts::Column::VendorId)).eq(vendor_id))
        .to_owned()
}

/// Ids of the systems owned by `unit_id`.
pub(crate) fn unit_system_ids(unit_id: &str) -> SelectStatement {
    Query::select()
        .column((systems::Entity, systems::Column::Id))
        .from(systems::Entity)
        .and_where(Expr::col((systems::Entity, systems::Column::UnitId)).eq(unit_id))
        .to_owned()
}

/// Ids of the contract items covering a system of `unit_id`.
pub(crate) fn unit_item_ids(unit_id: &str) -> SelectStatement {
    Query::select()
        .column((cis::Entity, cis::Column::ItemId))
        .from(cis::Entity)
        .and_where(Expr::col((cis::Entity, cis::Column::SystemId)).in_subquery(unit_system_ids(unit_id)))
        .to_owned()
}

/// Ids of the contracts with an item covering a system of `unit_id`.
pub(crate) fn unit_contract_ids(unit_id: &str) -> SelectStatement {
    Query::select()
        .column((ci::Entity, ci::Column::ContractId))
        .from(ci::Entity)
        .and_where(Expr::col((ci::Entity, ci::Column::Id)).in_subquery(unit_item_ids(unit_id)))
        .to_owned()
}

/// Ids of the items of the contracts of `vendor_id`.
pub(crate) fn vendor_item_ids(vendor_id: &str) -> SelectStatement {
    Query::select()
        .column((ci::Entity, ci::Column::Id))
        .from(ci::Entity)
        .inner_join(
            contracts::Entity,
            Expr::col((contracts::Entity, contracts::Column::Id)).equals((ci::Entity, ci::Column::ContractId)),
        )
        .and_where(Expr::col((contracts::Entity, contracts::Column::VendorId)).eq(vendor_id))
        .to_owned()
}

/// Ids of the units owning a system covered by a contract of `vendor_id`.
pub(crate) fn vendor_unit_ids(vendor_id: &str) -> SelectStatement {
    Query::select()
        .column((systems::Entity, systems::Column::UnitId))
        .from(systems::Entity)
        .and_where(Expr::col((systems::Entity, systems::Column::Id)).in_subquery(vendor_system_ids(vendor_id)))
        .to_owned()
}

/// Ids of the vendors holding a contract that covers a system of `unit_id`.
pub(crate) fn unit_vendor_ids(unit_id: &str) -> SelectStatement {
    Query::select()
        .column((contracts::Entity, contracts::Column::VendorId))
        .from(contracts::Entity)
        .and_where(Expr::col((contracts::Entity, contracts::Column::Id)).in_subquery(unit_contract_ids(unit_id)))
        .to_owned()
}

/// A condition that matches no row, for `Scope::Nothing`.
pub(crate) fn none() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// The usual shape: everything, a condition for a unit, a condition for a vendor.
pub(crate) fn by_scope(
    scope: &Scope,
    unit: impl FnOnce(&str) -> Condition,
    vendor: impl FnOnce(&str) -> Condition,
) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Unit(u) => unit(u),
        Scope::Vendor(v) => vendor(v),
        Scope::Nothing => none(),
    }
}

pub(crate) fn col_in<C: ColumnTrait>(col: C, sub: SelectStatement) -> Condition {
    Condition::all().add(col.in_subquery(sub))
}
