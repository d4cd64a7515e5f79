//! The sections the vendor writes (工作总结, 存在问题, 下一步计划, 建议): the text as saved, or a
//! line saying it is not written yet (a draft can be previewed before it is).

use report::periodic::{Block, Section};

use super::facts::Facts;
use super::{Built, SectionType};
use crate::App;

const fn prose(key: &'static str, zh: &'static str, en: &'static str) -> SectionType {
    SectionType { key, name: (zh, en), narrative: true, needs_kpis: false, build }
}

pub(crate) const SUMMARY: SectionType = prose("summary", "工作总结", "Summary of the work");
pub(crate) const PROBLEMS: SectionType = prose("problems", "存在问题", "Issues");
pub(crate) const PLAN: SectionType = prose("plan", "下一步计划", "Next steps");
pub(crate) const SUGGESTIONS: SectionType = prose("suggestions", "意见建议", "Suggestions");

fn build<'a>(_: &'a App, f: &'a Facts, key: &'static str) -> Built<'a> {
    Box::pin(async move { Ok(written(f, key)) })
}

fn written(f: &Facts, key: &str) -> Section {
    let title = super::section_type(key).map_or(key, |s| s.name.0);
    let block = match f.report.narrative.get(key).filter(|t| !t.trim().is_empty()) {
        Some(text) => Block::Text(text.clone()),
        None => Block::Empty("（尚未填写）".into()),
    };
    Section { key: key.into(), title: title.into(), blocks: vec![block], sheets: Vec::new() }
}
