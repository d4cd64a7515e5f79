//! A second factor and the password rules of 等保 level 3 on users: the TOTP secret (sealed by
//! the app), whether it is on, the last time step accepted (a code is good once: an atomic
//! update moves it forward), the recovery codes' hashes, the recent password hashes (history),
//! and whether the password must be changed before anything else.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn users() -> Alias {
    Alias::new("users")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let cols = [
            ColumnDef::new(Alias::new("totp_secret")).text().null().take(),
            ColumnDef::new(Alias::new("totp_enabled")).boolean().not_null().default(false).take(),
            ColumnDef::new(Alias::new("totp_last_step")).big_integer().null().take(),
            ColumnDef::new(Alias::new("recovery_codes")).text().null().take(),
            ColumnDef::new(Alias::new("password_history")).text().null().take(),
            ColumnDef::new(Alias::new("must_change_password")).boolean().not_null().default(false).take(),
        ];
        // One column per statement: SQLite adds one at a time.
        for mut c in cols {
            m.alter_table(Table::alter().table(users()).add_column(&mut c).take()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in [
            "totp_secret",
            "totp_enabled",
            "totp_last_step",
            "recovery_codes",
            "password_history",
            "must_change_password",
        ] {
            m.alter_table(Table::alter().table(users()).drop_column(Alias::new(c)).take()).await?;
        }
        Ok(())
    }
}
