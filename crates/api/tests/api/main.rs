//! The API integration suite: the real router on 127.0.0.1:0 over a fresh database per test —
//! SQLite always, PostgreSQL too when `YUNWEI_TEST_PG_URL` is set.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

mod harness;

mod approval_files;
mod assessments;
mod audit;
mod auth;
mod backups;
mod changes;
mod dashboard;
mod dengbao;
mod duty;
mod form_rules;
mod handlers;
mod hardening;
mod import_export;
mod inspection_reports;
mod inspections;
mod intake;
mod kpi_targets;
mod kpis;
mod measurement;
mod monitor_storage;
mod monitoring;
mod notifications;
mod notify_smtp;
mod payments;
mod query_params;
mod reach;
mod registry;
mod reports;
mod security;
mod security_events;
mod security_plans;
mod sign_in;
mod sla;
mod sso;
mod sso_fakes;
mod sweep_common;
mod sweep_input;
mod sweep_tenancy;
mod tenancy;
mod ticket_lists;
mod ticket_work;
mod tickets;
mod today;
mod unit_scoring;
mod validation;
mod vuln_next_scan;
mod vulnerabilities;
