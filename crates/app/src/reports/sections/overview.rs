//! 总体情况 (the period in a paragraph and its key figures) and 指标达标情况 (every indicator of
//! the catalogue against the targets that apply), both from the judged indicators.

use domain::indicators::Kpi;
use report::periodic::{Block, Section, Sheet, Table};
use report::xlsx::Cell;

use super::facts::{Facts, trim, value_text};
use super::{Built, SectionType};
use crate::App;

pub(crate) const OVERVIEW: SectionType = SectionType {
    key: "overview",
    name: ("总体情况", "Overview"),
    narrative: false,
    needs_kpis: true,
    build: overview_built,
};

fn overview_built<'a>(_: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(async move { Ok(overview(f)) })
}

pub(crate) const INDICATORS: SectionType = SectionType {
    key: "indicators",
    name: ("指标达标情况", "Indicators against targets"),
    narrative: false,
    needs_kpis: true,
    build: indicators_built,
};

fn indicators_built<'a>(_: &'a App, f: &'a Facts, _: &'static str) -> Built<'a> {
    Box::pin(async move { Ok(indicators(f)) })
}

/// The key figures, in the order the paragraph tells them.
const KEY_FIGURES: &[&str] = &[
    "ticket_count",
    "incident_count",
    "response_on_time_rate",
    "arrival_on_time_rate",
    "resolve_on_time_rate",
    "handling_rate",
    "satisfaction_mean",
    "availability_min",
    "downtime_minutes",
    "inspection_completion_rate",
    "inspection_on_time_rate",
    "inspection_abnormal_count",
];

fn missed(f: &Facts) -> Vec<&Kpi> {
    f.kpis.iter().filter(|k| k.met == Some(false)).collect()
}

fn name(f: &Facts, key: &str) -> String {
    f.def(key).map_or(key.to_string(), |d| d.name.zh.clone())
}

fn overview(f: &Facts) -> Section {
    let r = &f.report;
    let missed = missed(f);
    let mut text = format!(
        "本期（{} 至 {}），{}覆盖信息系统 {} 个，共受理工单 {} 张，其中故障 {} 起；响应及时率 {}，解决及时率 {}；巡检完成率 {}，发现异常项 {} 个；各系统中最低可用性 {}。",
        r.period_start,
        r.period_end,
        f.contract.name,
        f.names.len(),
        f.shown("ticket_count"),
        f.shown("incident_count"),
        f.shown("response_on_time_rate"),
        f.shown("resolve_on_time_rate"),
        f.shown("inspection_completion_rate"),
        f.shown("inspection_abnormal_count"),
        f.shown("availability_min"),
    );
    if f.kpis.iter().all(|k| k.met.is_none()) {
        text.push_str("合同未对本期指标设定目标。");
    } else if missed.is_empty() {
        text.push_str("设有目标的指标均已达标。");
    } else {
        let names: Vec<String> = missed.iter().map(|k| name(f, &k.key)).collect();
        text.push_str(&format!("未达标指标 {} 项：{}。", missed.len(), names.join("、")));
    }
    let figures: Vec<(String, String)> = KEY_FIGURES.iter().map(|k| (name(f, k), f.shown(k))).collect();
    let sheet =
        Sheet {
            name: "总体情况".into(),
            headers: vec!["指标".into(), "数值".into()],
            rows: std::iter::once(vec![Cell::from("覆盖信息系统数"), Cell::Int(f.names.len() as i64)])
                .chain(KEY_FIGURES.iter().map(|k| {
                    vec![Cell::from(name(f, k)), f.kpi(k).and_then(|x| x.value).map_or(Cell::Empty, Cell::Num)]
                }))
                .collect(),
        };
    Section {
        key: OVERVIEW.key.into(),
        title: OVERVIEW.name.0.into(),
        blocks: vec![Block::Text(text), Block::Figures(figures)],
        sheets: vec![sheet],
    }
}

/// "≥ 98%" / "≤ 3": the first target that applies, in the indicator's unit.
fn target_text(f: &Facts, k: &Kpi) -> String {
    match (k.target, f.def(&k.key)) {
        (Some(t), Some(d)) => format!("{} {}", if d.higher_is_better { "≥" } else { "≤" }, value_text(Some(t), d.unit)),
        _ => "—".into(),
    }
}

fn verdict(k: &Kpi) -> &'static str {
    match k.met {
        Some(true) => "达标",
        Some(false) => "未达标",
        None => "—",
    }
}

fn ratio(k: &Kpi) -> String {
    match (k.numerator, k.denominator) {
        (Some(n), Some(d)) => format!("{}/{}", trim(n, 2), trim(d, 2)),
        _ => String::new(),
    }
}

fn indicators(f: &Facts) -> Section {
    let rows: Vec<Vec<Cell>> = f
        .kpis
        .iter()
        .map(|k| {
            let unit = f.def(&k.key).map(|d| d.unit);
            vec![
                Cell::from(name(f, &k.key)),
                Cell::from(unit.map_or("—".into(), |u| value_text(k.value, u))),
                Cell::from(ratio(k)),
                Cell::from(target_text(f, k)),
                Cell::from(verdict(k)),
            ]
        })
        .collect();
    let missed = missed(f).len();
    let judged = f.kpis.iter().filter(|k| k.met.is_some()).count();
    let text = format!("本期共统计指标 {} 项，其中设有目标的 {} 项，未达标 {} 项。", f.kpis.len(), judged, missed);
    let sheet = Sheet {
        name: "指标".into(),
        headers: ["指标键", "指标", "数值", "分子", "分母", "目标", "结论", "口径"].map(String::from).to_vec(),
        rows: f
            .kpis
            .iter()
            .map(|k| {
                let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Num);
                vec![
                    Cell::from(k.key.as_str()),
                    Cell::from(name(f, &k.key)),
                    num(k.value),
                    num(k.numerator),
                    num(k.denominator),
                    Cell::from(target_text(f, k)),
                    Cell::from(verdict(k)),
                    Cell::from(f.def(&k.key).map(|d| d.definition.zh.clone()).unwrap_or_default()),
                ]
            })
            .collect(),
    };
    Section {
        key: INDICATORS.key.into(),
        title: INDICATORS.name.0.into(),
        blocks: vec![
            Block::Text(text),
            Block::Table(Table {
                caption: Some("表 指标与目标".into()),
                headers: ["指标", "本期数值", "分子/分母", "目标", "结论"].map(String::from).to_vec(),
                rows,
                omitted: None,
            }),
        ],
        sheets: vec![sheet],
    }
}
