//! The approval mechanism (requests, their decision, at most one pending per subject), the
//! bureau's settings, maintenance windows that keep their history (a window applies from when it
//! took effect until it was ended, and says who asked for it and who approved it), and monitors
//! whose request header values are kept apart as secrets, with whether a non-administrator
//! defined them (their targets are then held to the system's networks, now registered on the
//! system).

use sea_orm_migration::prelude::*;

use super::{id, index, instant, opt_instant, opt_str, ref_id, short, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Approvals::Table)
                .col(id(Approvals::Id))
                .col(ColumnDef::new(Approvals::Kind).string_len(40).not_null())
                .col(ColumnDef::new(Approvals::SubjectType).string_len(40).not_null())
                .col(opt_str(Approvals::SubjectId, 40))
                .col(opt_str(Approvals::SystemId, 40))
                .col(opt_str(Approvals::UnitId, 40))
                .col(opt_str(Approvals::VendorId, 40))
                .col(ColumnDef::new(Approvals::Title).string_len(500).not_null())
                .col(ColumnDef::new(Approvals::TitleEn).string_len(500).not_null())
                .col(ColumnDef::new(Approvals::Proposed).text().not_null())
                .col(text(Approvals::Current))
                .col(text(Approvals::Reason))
                .col(ColumnDef::new(Approvals::Payload).text().not_null())
                .col(short(Approvals::Status))
                .col(ref_id(Approvals::RequestedBy))
                .col(ColumnDef::new(Approvals::RequestedByName).string_len(200).not_null())
                .col(short(Approvals::RequesterRole))
                .col(instant(Approvals::RequestedAt))
                .col(opt_str(Approvals::DecidedBy, 40))
                .col(opt_str(Approvals::DecidedByName, 200))
                .col(opt_instant(Approvals::DecidedAt))
                .col(text(Approvals::Comment))
                .col(ColumnDef::new(Approvals::UnitMayDecide).boolean().not_null())
                .take(),
        )
        .await?;
        m.create_index(index(Approvals::Table, "ix_approvals_status", &["status", "requested_at"], false)).await?;
        m.create_index(index(Approvals::Table, "ix_approvals_unit", &["unit_id"], false)).await?;
        m.create_index(index(Approvals::Table, "ix_approvals_vendor", &["vendor_id"], false)).await?;
        m.create_index(index(Approvals::Table, "ix_approvals_system", &["system_id"], false)).await?;
        // At most one open request of a kind per subject: a second one waits for the first to be
        // decided (a ticket may wait for a pause and for its outage cause at once).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_approvals_pending ON approvals (subject_type, subject_id, kind) \
                 WHERE status = 'pending' AND subject_id IS NOT NULL",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(Settings::Table)
                .col(ColumnDef::new(Settings::Key).string_len(100).not_null().primary_key())
                .col(ColumnDef::new(Settings::Value).text().not_null())
                .col(instant(Settings::UpdatedAt))
                .take(),
        )
        .await?;

        let window = |c: ColumnDef| Table::alter().table(Windows::Table).add_column(c).take();
        m.alter_table(window(text(Windows::Reason))).await?;
        m.alter_table(window(opt_instant(Windows::EffectiveFrom))).await?;
        m.alter_table(window(opt_instant(Windows::EndedAt))).await?;
        m.alter_table(window(opt_str(Windows::RequestedByName, 200))).await?;
        m.alter_table(window(opt_str(Windows::ApprovedByName, 200))).await?;
        m.alter_table(window(opt_str(Windows::ApprovalId, 40))).await?;
        // Windows made before this took effect when they were made.
        m.get_connection()
            .execute_unprepared(
                "UPDATE maintenance_windows SET effective_from = created_at WHERE effective_from IS NULL",
            )
            .await?;

        let monitor = |c: ColumnDef| Table::alter().table(Monitors::Table).add_column(c).take();
        m.alter_table(monitor(text(Monitors::SecretHeaders))).await?;
        m.alter_table(monitor(ColumnDef::new(Monitors::Restricted).boolean().not_null().default(false).take())).await?;
        m.alter_table(Table::alter().table(Systems::Table).add_column(text(Systems::Addresses)).take()).await?;
        move_header_values(m).await
    }
}

#[derive(DeriveIden)]
enum Systems {
    Table,
    Addresses,
}

/// Header values written into `expect` before this migration move to `secret_headers`; `expect`
/// keeps the names only.
async fn move_header_values(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let select = Query::select().columns([Monitors::Id, Monitors::Expect]).from(Monitors::Table).to_owned();
    for row in db.query_all(&select).await? {
        let id: String = row.try_get("", "id")?;
        let expect: String = row.try_get("", "expect")?;
        let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&expect) else { continue };
        let Some(headers) = value.get_mut("headers").and_then(|h| h.as_object_mut()) else { continue };
        if headers.is_empty() {
            continue;
        }
        let secrets = serde_json::Value::Object(headers.clone());
        for v in headers.values_mut() {
            *v = serde_json::Value::String(String::new());
        }
        let update = Query::update()
            .table(Monitors::Table)
            .value(Monitors::Expect, value.to_string())
            .value(Monitors::SecretHeaders, secrets.to_string())
            .and_where(Expr::col(Monitors::Id).eq(id))
            .to_owned();
        db.execute(&update).await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Monitors {
    Table,
    Id,
    Expect,
    SecretHeaders,
    Restricted,
}

#[derive(DeriveIden)]
enum Approvals {
    Table,
    Id,
    Kind,
    SubjectType,
    SubjectId,
    SystemId,
    UnitId,
    VendorId,
    Title,
    TitleEn,
    Proposed,
    Current,
    Reason,
    Payload,
    Status,
    RequestedBy,
    RequestedByName,
    RequesterRole,
    RequestedAt,
    DecidedBy,
    DecidedByName,
    DecidedAt,
    Comment,
    UnitMayDecide,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Windows {
    #[sea_orm(iden = "maintenance_windows")]
    Table,
    Reason,
    EffectiveFrom,
    EndedAt,
    RequestedByName,
    ApprovedByName,
    ApprovalId,
}
