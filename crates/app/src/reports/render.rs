//! A report as a document: its facts gathered once (the indicators exactly as `GET /kpis`
//! computes them for the same contract, item or unit and period), then each of its sections
//! written by its registered type, in the report's order.

use chrono::{DateTime, Utc};
use domain::Scope;
use domain::indicators::KpiScope;
use domain::reports::{ReportKind, ReportScope};
use report::periodic::{Block, Document, Section};
use store::reports::ReportRow;

use super::sections::{Facts, section_type};
use crate::indicators::KpiQuery;
use crate::{App, AppError, Result, system_principal};

/// The title a kind of report carries.
fn title(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Week => "运维周报",
        ReportKind::Month => "运维月报",
        ReportKind::Quarter => "运维季度报告",
        ReportKind::HalfYear => "运维半年度报告",
        ReportKind::Year => "运维年度报告",
        ReportKind::Custom => "运维专项报告",
    }
}

impl App {
    /// The report written from the facts now; `issued` = (version, when) for the files of an
    /// issued version, none for a draft (marked as such on its cover).
    pub(crate) async fn report_document(
        &self,
        r: &ReportRow,
        issued: Option<(u32, DateTime<Utc>)>,
    ) -> Result<Document> {
        let contract =
            store::contracts::get(&self.store, &Scope::All, &r.contract_id).await?.ok_or(AppError::NotFound)?;
        let q = KpiQuery {
            contract_id: Some(r.contract_id.clone()),
            contract_item_id: r.scope_id.clone().filter(|_| r.scope == ReportScope::Item),
            unit_id: r.scope_id.clone().filter(|_| r.scope == ReportScope::Unit),
            from: Some(r.period_start),
            to: Some(r.period_end),
            ..KpiQuery::default()
        };
        let system = system_principal();
        let (scope, _) = self.checked_scope(&system, &q).await?;
        let vendor = store::vendors::get(&self.store, &Scope::All, &contract.vendor_id).await?;
        let scope_text = match r.scope {
            ReportScope::Contract => "整个合同".to_string(),
            ReportScope::Item => {
                let item = contract.items.iter().find(|i| Some(&i.id) == r.scope_id.as_ref());
                format!("合同分项：{}", item.map_or("", |i| i.name.as_str()))
            }
            ReportScope::Unit => {
                let unit = match &r.scope_id {
                    Some(id) => store::units::get(&self.store, &Scope::All, id).await?.map(|u| u.name),
                    None => None,
                };
                format!("使用单位：{}", unit.unwrap_or_default())
            }
        };
        let mut cover = vec![
            ("合同".to_string(), contract.name.clone()),
            ("服务商".to_string(), vendor.map(|v| v.name).unwrap_or_default()),
            ("报告范围".to_string(), scope_text),
            ("报告期间".to_string(), format!("{} 至 {}", r.period_start, r.period_end)),
            ("提交期限".to_string(), r.due_on.to_string()),
        ];
        if let Some(code) = &contract.code {
            cover.insert(1, ("合同编号".to_string(), code.clone()));
        }
        let mark = match issued {
            Some((v, at)) => {
                cover.push(("签发".to_string(), format!("第 {v} 版，{}", crate::bureau_time(at))));
                None
            }
            None => Some(format!("{}（未签发）", r.status.label().zh)),
        };

        let availability = async {
            if r.sections.iter().any(|s| s == "availability") {
                crate::indicators::system_availabilities(self, &scope).await
            } else {
                Ok(Vec::new())
            }
        };
        let (names, availability) = tokio::try_join!(self.scope_names(&scope), availability)?;
        let mut facts = Facts {
            report: r.clone(),
            contract: contract.clone(),
            scope,
            kpis: Vec::new(),
            availability,
            catalogue: self.indicator_catalogue(),
            names,
            now: self.business_now(),
        };
        // The sections that do not read the indicators are written while they are computed,
        // each on its own pooled connection; those that do, once they are in.
        let (kpis, mut written) = {
            let early: Vec<&String> =
                r.sections.iter().filter(|k| section_type(k).is_none_or(|t| !t.needs_kpis)).collect();
            tokio::try_join!(self.kpis(&system, &q), self.write_sections(&facts, &early))?
        };
        facts.kpis = kpis;
        let late: Vec<&String> = r.sections.iter().filter(|k| section_type(k).is_some_and(|t| t.needs_kpis)).collect();
        written.extend(self.write_sections(&facts, &late).await?);
        let sections = r
            .sections
            .iter()
            .filter_map(|k| written.iter().position(|s| &s.key == k).map(|i| written.swap_remove(i)))
            .collect();
        // A draft is dated by its last change, not by when it was downloaded.
        let made_at = issued.map_or(r.updated_at, |(_, at)| at);
        Ok(Document { title: format!("{} {}", contract.name, title(r.kind)), cover, mark, sections, made_at })
    }

    /// `keys`' sections at once, in that order.
    async fn write_sections(&self, facts: &Facts, keys: &[&String]) -> Result<Vec<Section>> {
        let builds = keys.iter().map(|key| async move {
            match section_type(key) {
                Some(t) => (t.build)(self, facts, t.key).await,
                // A section type a later version no longer ships: said, not dropped silently.
                None => Ok(Section {
                    key: (*key).clone(),
                    title: (*key).clone(),
                    blocks: vec![Block::Empty("（此章节类型已不可用）".into())],
                    sheets: Vec::new(),
                }),
            }
        });
        futures_util::future::try_join_all(builds).await
    }

    /// The names of the scope's systems (one unit's, where the scope names a unit).
    async fn scope_names(&self, s: &KpiScope) -> Result<std::collections::HashMap<String, String>> {
        let mut ids = s.system_ids.clone();
        if let Some(unit) = &s.unit_id {
            ids = store::systems::visible_ids(&self.store, &Scope::Unit(unit.clone()), &ids).await?;
        }
        Ok(store::systems::names(&self.store, &ids).await?)
    }
}
