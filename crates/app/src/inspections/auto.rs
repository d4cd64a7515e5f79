//! Items that fill themselves. A template item may name a `source` (e.g. `monitor:http` for a
//! website's reachability); when an inspection is recorded, the item is read from the source
//! registered under that name instead of from the inspector. No source is registered yet: the
//! monitoring issue adds the probes, and registers them here. Until then an item with a source
//! is answered by hand like any other, and its source is shown as a hint.

use async_trait::async_trait;
use domain::inspections::record::AutoValue;
use domain::inspections::template::Item;

/// Something that can answer checklist items for a system at the moment of inspection.
#[async_trait]
pub trait ItemSource: Send + Sync {
    /// The name items refer to in `source` (e.g. `monitor:http`).
    fn name(&self) -> &str;
    /// The current value for `item` on `system_id`, or `None` when the source has nothing
    /// (no probe on that system): the inspector answers then.
    async fn read(&self, system_id: &str, item: &Item) -> Option<AutoValue>;
}

/// The registered sources, looked up by name.
#[derive(Default, Clone)]
pub struct Sources(Vec<std::sync::Arc<dyn ItemSource>>);

impl Sources {
    pub fn register(&mut self, s: std::sync::Arc<dyn ItemSource>) {
        self.0.push(s);
    }

    /// Values for the items of a template that name a registered source.
    pub async fn read(&self, system_id: &str, items: &[Item]) -> std::collections::HashMap<String, AutoValue> {
        let mut out = std::collections::HashMap::new();
        for item in items {
            let Some(name) = item.source.as_deref() else { continue };
            let Some(src) = self.0.iter().find(|s| s.name() == name) else { continue };
            if let Some(v) = src.read(system_id, item).await {
                out.insert(item.id.clone(), v);
            }
        }
        out
    }
}
