//! Monitoring as a source of checklist items (`inspections::auto`): the system's monitors as
//! the inspector may see them, with the runner's live state, judged by
//! `domain::monitoring::inspect`.

use async_trait::async_trait;
use domain::Principal;
use domain::inspections::record::AutoReading;
use domain::inspections::template::Item;
use domain::list::{ListQuery, MAX_PAGE_SIZE};
use domain::monitoring::Monitor;
use domain::monitoring::inspect::{HTTP, TLS, read_http, read_tls};
use domain::monitoring::spec::MonitorKind;

use super::MonitorFilter;
use crate::inspections::auto::ItemSource;
use crate::{App, Result};

/// `monitor:http`: is the system's site up now, and its availability over the last 24 hours.
pub struct Http;

/// `monitor:tls`: days left on the system's certificates.
pub struct Tls;

impl App {
    /// The monitors (of `kind`, or all) on a system, scoped to the caller, with their live state.
    pub(crate) async fn system_monitors(
        &self,
        p: &Principal,
        system_id: &str,
        kind: Option<MonitorKind>,
    ) -> Result<Vec<Monitor>> {
        let q = ListQuery { page_size: MAX_PAGE_SIZE, ..ListQuery::default() };
        let f = MonitorFilter { system_id: Some(system_id.to_string()), kind, ..MonitorFilter::default() };
        Ok(self.list_monitors(p, &q, &f).await?.items)
    }
}

#[async_trait]
impl ItemSource for Http {
    fn name(&self) -> &str {
        HTTP
    }

    async fn read(&self, app: &App, p: &Principal, system_id: &str, item: &Item) -> Result<AutoReading> {
        let monitors = app.system_monitors(p, system_id, Some(MonitorKind::Http)).await?;
        let availability = if monitors.is_empty() {
            None
        } else {
            let now = app.business_now();
            app.system_availability(p, system_id, now - chrono::Duration::hours(24), now).await?.availability
        };
        Ok(read_http(item, &monitors, availability))
    }
}

#[async_trait]
impl ItemSource for Tls {
    fn name(&self) -> &str {
        TLS
    }

    async fn read(&self, app: &App, p: &Principal, system_id: &str, item: &Item) -> Result<AutoReading> {
        let monitors = app.system_monitors(p, system_id, Some(MonitorKind::Tls)).await?;
        Ok(read_tls(item, &monitors, app.business_now()))
    }
}
