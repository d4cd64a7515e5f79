//! The home page's figures.

use domain::Principal;
use domain::dashboard::Dashboard;

use crate::{App, Result};

impl App {
    /// Counts of what the caller may see, as of the bureau's today.
    pub async fn dashboard(&self, p: &Principal) -> Result<Dashboard> {
        let business_today = crate::bureau_date(self.business_now());
        Ok(store::dashboard::summary(&self.store, &p.scope(), crate::bureau_today(), business_today).await?)
    }
}
