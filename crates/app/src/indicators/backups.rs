//! Backups (`domain::backups::indicators`): the periods of the scope's policies that ended in
//! the assessment period — runs done or missed, drills done or not — and the drills recorded in
//! it that passed.

use domain::backups::indicators::defs;
use domain::backups::{BackupTaskKind, BackupTaskStatus};
use domain::indicators::{Kpi, KpiScope};

use super::{Computed, Source};
use crate::App;

pub const SOURCE: Source = Source { defs, compute };

fn compute<'a>(app: &'a App, s: &'a KpiScope) -> Computed<'a> {
    Box::pin(async move {
        let today = crate::bureau_date(app.business_now());
        let (from, to) = (s.period.from, s.period.to);
        let mut ids = s.system_ids.clone();
        if let Some(id) = &s.system_id {
            ids.retain(|x| x == id);
        }
        let mut policies = store::backups::policies_of(app.store(), &ids).await?;
        if let Some(u) = &s.unit_id {
            policies.retain(|p| &p.unit_id == u);
        }
        let tasks = app.backup_tasks_of(&policies, (from, to), today, None).await?;
        // [run, drill] × (done, counted)
        let mut tally = [(0u64, 0u64); 2];
        for t in tasks.iter().filter(|t| t.due_on >= from && t.due_on <= to) {
            let k = &mut tally[usize::from(t.kind == BackupTaskKind::Drill)];
            match t.status {
                BackupTaskStatus::Done => *k = (k.0 + 1, k.1 + 1),
                BackupTaskStatus::Missed => k.1 += 1,
                BackupTaskStatus::Open => {}
            }
        }
        let ids: Vec<String> = policies.iter().map(|p| p.id.clone()).collect();
        let drills = store::backups::drills_of(app.store(), &ids, (from, to)).await?;
        let passed = drills.iter().filter(|d| d.passed).count() as u64;
        let [runs, drilled] = tally;
        Ok(vec![
            Kpi::rate("backup_success_rate", runs.0, runs.1),
            Kpi::count("backup_missed", runs.1 - runs.0),
            Kpi::rate("restore_drill_completion_rate", drilled.0, drilled.1),
            Kpi::rate("restore_drill_pass_rate", passed, drills.len() as u64),
        ])
    })
}
