//! Items that fill themselves. A template item may name a `source` (e.g. `monitor:http` for a
//! website's reachability); when an inspection is recorded, the item is read from the source
//! registered under that name: its value stands whatever the inspector says (the inspector may
//! add a finding and a note). When the source has nothing to read — the system has no such
//! monitor — the inspector answers and the reason is kept with the answer.
//!
//! `Sources::standard` registers what ships: the monitoring readers (`monitor:http`,
//! `monitor:tls`, in `crate::monitoring::inspect`). A new source is an `ItemSource` and a line
//! there.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::inspections::record::AutoReading;
use domain::inspections::template::Item;
use domain::{Msg, Principal};

use crate::{App, Result};

/// Sources read the present: a record dated further back than this (an administrator filing a
/// paper record) is answered by hand.
const PRESENT: Duration = Duration::hours(1);

/// Something that can answer checklist items for a system at the moment of inspection.
#[async_trait]
pub trait ItemSource: Send + Sync {
    /// The name items refer to in `source` (e.g. `monitor:http`).
    fn name(&self) -> &str;
    /// What the source says now about `item` on `system_id`, reading only what `p` may see.
    async fn read(&self, app: &App, p: &Principal, system_id: &str, item: &Item) -> Result<AutoReading>;
}

/// The registered sources, looked up by name.
#[derive(Default, Clone)]
pub struct Sources(Vec<Arc<dyn ItemSource>>);

impl Sources {
    /// What ships with Yunwei: the monitoring readers.
    pub fn standard() -> Sources {
        let mut s = Sources::default();
        s.register(Arc::new(crate::monitoring::inspect::Http));
        s.register(Arc::new(crate::monitoring::inspect::Tls));
        s
    }

    pub fn register(&mut self, s: Arc<dyn ItemSource>) {
        self.0.push(s);
    }

    /// Readings for the items of a template that name a registered source, for a record made
    /// `at`. Items naming a source nobody registered are answered by hand as any other.
    pub async fn read(
        &self,
        app: &App,
        p: &Principal,
        system_id: &str,
        items: &[Item],
        at: DateTime<Utc>,
    ) -> Result<HashMap<String, AutoReading>> {
        let mut out = HashMap::new();
        let past = app.business_now() - at > PRESENT;
        for item in items {
            let Some(name) = item.source.as_deref() else { continue };
            let Some(src) = self.0.iter().find(|s| s.name() == name) else { continue };
            let reading = if past {
                AutoReading::Unread(Msg::new(
                    "补录的记录不读取当时的监控",
                    "a record of an earlier inspection is not read from monitoring",
                ))
            } else {
                src.read(app, p, system_id, item).await?
            };
            out.insert(item.id.clone(), reading);
        }
        Ok(out)
    }
}
