//! The one migration tree for SQLite and PostgreSQL. Kept apart from the entities because the
//! two preludes clash.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_sla;
mod m0003_tickets;
mod m0004_inspections;
mod m0005_monitoring;
mod m0006_intake;
mod m0007_hardening;
mod m0008_approvals;
mod m0009_leases;
mod m0010_audit_head;
mod m0011_resolution;
mod m0012_breached_open;
mod m0013_default_assignee;
mod m0014_inspection_signature;
mod m0015_next_due_metric;
mod m0016_assignee_due;
mod m0017_duty;
mod m0018_home_indexes;
mod m0019_attachment_stage;
mod m0020_kpi_index;
mod m0021_assessments;
mod m0022_payments;
mod m0023_item_targets;
mod m0024_approval_files;
mod m0025_kpi_cover;
mod m0026_unit_scores;
mod m0027_reports;
mod m0028_notify;
mod m0029_second_factor;
mod m0030_session_address;
mod m0031_reminders;
mod m0032_sso;
mod m0033_wider_columns;
mod m0034_vulnerabilities;
mod m0035_dengbao;
mod m0036_security_plans;
mod m0037_security_events;
mod m0038_backups;
mod m0039_changes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_sla::Migration),
            Box::new(m0003_tickets::Migration),
            Box::new(m0004_inspections::Migration),
            Box::new(m0005_monitoring::Migration),
            Box::new(m0006_intake::Migration),
            Box::new(m0007_hardening::Migration),
            Box::new(m0008_approvals::Migration),
            Box::new(m0009_leases::Migration),
            Box::new(m0010_audit_head::Migration),
            Box::new(m0011_resolution::Migration),
            Box::new(m0012_breached_open::Migration),
            Box::new(m0013_default_assignee::Migration),
            Box::new(m0014_inspection_signature::Migration),
            Box::new(m0015_next_due_metric::Migration),
            Box::new(m0016_assignee_due::Migration),
            Box::new(m0017_duty::Migration),
            Box::new(m0018_home_indexes::Migration),
            Box::new(m0019_attachment_stage::Migration),
            Box::new(m0020_kpi_index::Migration),
            Box::new(m0021_assessments::Migration),
            Box::new(m0022_payments::Migration),
            Box::new(m0023_item_targets::Migration),
            Box::new(m0024_approval_files::Migration),
            Box::new(m0025_kpi_cover::Migration),
            Box::new(m0026_unit_scores::Migration),
            Box::new(m0027_reports::Migration),
            Box::new(m0028_notify::Migration),
            Box::new(m0029_second_factor::Migration),
            Box::new(m0030_session_address::Migration),
            Box::new(m0031_reminders::Migration),
            Box::new(m0032_sso::Migration),
            Box::new(m0033_wider_columns::Migration),
            Box::new(m0034_vulnerabilities::Migration),
            Box::new(m0035_dengbao::Migration),
            Box::new(m0036_security_plans::Migration),
            Box::new(m0037_security_events::Migration),
            Box::new(m0038_backups::Migration),
            Box::new(m0039_changes::Migration),
        ]
    }
}

// Column and constraint shapes shared by the migrations.

pub(super) fn id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string_len(40).not_null().primary_key().take()
}
pub(super) fn text(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}
pub(super) fn name(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string_len(200).not_null().take()
}
pub(super) fn opt_str(name: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).null().take()
}
pub(super) fn instant(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().take()
}
pub(super) fn opt_instant(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().take()
}
pub(super) fn ref_id(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string_len(40).not_null().take()
}
pub(super) fn short(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string_len(20).not_null().take()
}
pub(super) fn int(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).integer().not_null().take()
}
pub(super) fn opt_date(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).date().null().take()
}
pub(super) fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).take()
}
pub(super) fn index(table: impl IntoIden, name: &str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.take()
}
