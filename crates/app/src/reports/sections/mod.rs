//! The section catalogue of periodic reports: each section type is registered here with its
//! key, its names and how it is written — from the facts of the report's scope and period, or
//! from the vendor's narrative. Report definitions and templates list section keys; the
//! renderer asks each section for its blocks (the paper) and its sheet (the rows behind them).
//!
//! A later feature (backups, vulnerabilities, changes, drills, attendance, deliverables) adds
//! its section as a file here with a `SectionType` and one line in [`SECTIONS`]; it reads
//! what it needs from `Facts` (the scope, the period, the judged indicators) and the store.

mod availability;
mod backups;
mod facts;
mod inspections;
mod narrative;
mod overview;
mod problems;
mod security_events;
mod tickets;
mod vulnerabilities;

use std::future::Future;
use std::pin::Pin;

use domain::reports::SectionInfo;
use report::periodic::Section;

pub(crate) use facts::Facts;

use crate::{App, Result};

pub(crate) type Built<'a> = Pin<Box<dyn Future<Output = Result<Section>> + Send + 'a>>;

/// One registered section type.
pub(crate) struct SectionType {
    pub key: &'static str,
    pub name: (&'static str, &'static str),
    /// Written by the vendor in the app (工作总结 …) rather than from the facts.
    pub narrative: bool,
    /// Reads `Facts::kpis`: written once the indicators are in (the others are written while
    /// they are computed).
    pub needs_kpis: bool,
    /// Writes the section (its key given, for types that serve several).
    pub build: for<'a> fn(&'a App, &'a Facts, &'static str) -> Built<'a>,
}

/// Every section type, in the order a report holds them by default.
pub(crate) const SECTIONS: &[SectionType] = &[
    overview::OVERVIEW,
    overview::INDICATORS,
    tickets::SECTION,
    availability::SECTION,
    inspections::SECTION,
    vulnerabilities::SECTION,
    security_events::SECTION,
    backups::SECTION,
    problems::SECTION,
    narrative::SUMMARY,
    narrative::PROBLEMS,
    narrative::PLAN,
    narrative::SUGGESTIONS,
];

pub(crate) fn section_type(key: &str) -> Option<&'static SectionType> {
    SECTIONS.iter().find(|s| s.key == key)
}

pub fn catalogue() -> Vec<SectionInfo> {
    SECTIONS
        .iter()
        .map(|s| SectionInfo { key: s.key.into(), name: domain::Msg::new(s.name.0, s.name.1), narrative: s.narrative })
        .collect()
}

/// Every key, in order: a report's sections when nothing else says.
pub(crate) fn all_keys() -> Vec<String> {
    SECTIONS.iter().map(|s| s.key.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_knows_every_template_and_narrative_section() {
        for t in domain::reports::templates::templates() {
            for s in &t.sections {
                assert!(section_type(s).is_some(), "{} lists {s}", t.key);
            }
        }
        for k in domain::reports::NARRATIVE_KEYS {
            assert!(section_type(k).is_some_and(|s| s.narrative), "{k}");
        }
        let keys = all_keys();
        let mut unique = keys.clone();
        unique.dedup();
        assert_eq!(keys.len(), unique.len());
    }
}
