//! The home page's figures.

use domain::Principal;
use domain::dashboard::Dashboard;

use crate::{App, Result};

impl App {
    /// Counts of what the caller may see, as of the bureau's today.
    pub async fn dashboard(&self, p: &Principal) -> Result<Dashboard> {
        Ok(store::dashboard::summary(&self.store, &p.scope(), crate::bureau_today()).await?)
    }
}
