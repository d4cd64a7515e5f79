//! The filled 考核表 in the seed's layout (序号, 权重, 一级, 二级指标, 指标要求, 权重分, 考核标准,
//! 得分), with the evidence behind every automatic number, the deductions and the history as an
//! appendix; xlsx or docx.

use domain::Principal;
use domain::assessments::{Assessment, DeductionStatus, FactSource, HistoryEntry, Rule};
use domain::list::ListQuery;
use report::form::{Form, FormTable};
use report::xlsx::Cell;

use crate::{App, AppError, Format, Result};

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn num(v: f64) -> String {
    report::docx::cell_text(&Cell::Num(v))
}

/// The grade and what it costs, in words.
fn payment_line(a: &Assessment) -> String {
    let p = &a.payment;
    let veto = if a.vetoed {
        format!("（一票否决：{}）", a.veto_reason.as_deref().unwrap_or(""))
    } else {
        String::new()
    };
    let pay = match (p.negotiate, p.breach, p.deduction_fen, p.payable_fen) {
        (true, _, _, _) => "费用另行商议".to_string(),
        (_, true, _, _) => "视同中标人单方违约，采购人有权终止合同".to_string(),
        (_, _, Some(d), Some(pay)) => {
            format!("扣减 {} 元，应付 {} 元（合同总价 {} 元）", yuan(d), yuan(pay), yuan(p.base_fen))
        }
        _ => String::new(),
    };
    format!("考核等级：{}{veto}；{pay}", a.grade)
}

/// What stands behind a criterion's points, in words.
fn evidence_text(a: &Assessment, key: &str) -> (String, String) {
    let Some(c) = a.criteria.iter().find(|c| c.key == key) else { return (String::new(), String::new()) };
    let Some(def) = a.spec.criterion(key) else { return (String::new(), String::new()) };
    let e = &c.evidence;
    let (how, mut text) = match &def.rule {
        Rule::Manual if !c.units.is_empty() => {
            let parts: Vec<String> = c
                .units
                .iter()
                .map(|u| {
                    let pts = u.points.map_or_else(|| "未评".to_string(), |p| format!("{} 分", num(p)));
                    let why = u.reason.as_deref().map(|r| format!("（{r}）")).unwrap_or_default();
                    format!("{}（{} 个系统）：{pts}{why}", u.unit_name, u.systems)
                })
                .collect();
            ("使用单位评分（按系统数加权平均）".to_string(), parts.join("\n"))
        }
        Rule::Manual => ("评分".to_string(), String::new()),
        Rule::Banded { indicator, .. } => {
            let name = e["name"]["zh"].as_str().unwrap_or(indicator);
            let value = e["value"].as_f64().map_or_else(|| "无数据".to_string(), num);
            let mut t = format!("{name}：{value}");
            if let Some(parts) = e["distribution"].as_array() {
                let bands: Vec<String> = parts
                    .iter()
                    .map(|p| {
                        let upto =
                            p["upto"].as_f64().map_or_else(|| "其余".to_string(), |u| format!("≤{} 分钟", num(u)));
                        format!("{upto}：{} 张（{} 分档）", p["count"], p["points"])
                    })
                    .collect();
                t.push_str(&format!("\n分布：{}", bands.join("；")));
            }
            ("指标分档（第 90 百分位）".to_string(), t)
        }
        Rule::Deductions { .. } => {
            let mut t = format!("确认扣分 {} 项，驳回 {} 项", c.confirmed, c.dismissed);
            if let Some(total) = e["total"].as_u64() {
                t.push_str(&format!("；系统发现 {total} 项，列出 {}", e["proposed"]));
            }
            ("按次扣分".to_string(), t)
        }
    };
    if c.by_hand {
        text = format!(
            "{text}\n人工评分：{}（{}）",
            c.points.map_or_else(|| "—".into(), num),
            c.reason.as_deref().unwrap_or("")
        )
        .trim()
        .to_string();
    }
    (how, text)
}

fn history_row(h: &HistoryEntry) -> Vec<Cell> {
    let pts = |p: Option<f64>| p.map_or(Cell::Empty, Cell::Num);
    vec![
        crate::bureau_time(h.at).into(),
        h.actor_name.clone().into(),
        h.action.clone().into(),
        h.criterion_key.clone().into(),
        pts(h.before),
        pts(h.after),
        h.reason.clone().into(),
    ]
}

impl App {
    /// The assessment as a filled 考核表 with its evidence; the file name's stem.
    pub async fn export_assessment(&self, p: &Principal, id: &str, format: Format) -> Result<(String, Vec<u8>)> {
        let a = self.get_assessment(p, id).await?;
        let history = self.assessment_history(p, id).await?;
        // A unit's users get the form without the list of occurrences (other units' tickets).
        let deductions = if p.role == domain::Role::UnitUser {
            Vec::new()
        } else {
            self.list_assessment_deductions(
                p,
                id,
                &ListQuery::default().unpaged(),
                None,
                Some(DeductionStatus::Confirmed),
            )
            .await?
            .items
        };
        let mut rows = Vec::new();
        let mut groups = Vec::new();
        for (n, s) in a.spec.sections.iter().enumerate() {
            for c in &s.criteria {
                let points = a.criteria.iter().find(|x| x.key == c.key).and_then(|x| x.points);
                rows.push(vec![
                    Cell::Int(n as i64 + 1),
                    s.weight_percent.map_or(Cell::Empty, |w| Cell::Text(format!("{}%", num(w)))),
                    s.name.clone().into(),
                    c.name.clone().into(),
                    c.requirement.clone().into(),
                    Cell::Num(c.max_points),
                    c.standard.clone().into(),
                    points.map_or(Cell::Empty, Cell::Num),
                ]);
                groups.push(n);
            }
        }
        let full: f64 = a.criteria.iter().map(|c| c.max_points).sum();
        rows.push(vec![
            Cell::Empty,
            Cell::Empty,
            "总分".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Num(full),
            Cell::Empty,
            Cell::Num(a.score),
        ]);
        groups.push(usize::MAX);
        let main = FormTable {
            heading: "考核表".into(),
            headers: ["序号", "权重", "一级", "二级指标", "指标要求", "权重分", "考核标准", "得分"]
                .map(String::from)
                .to_vec(),
            rows,
            groups,
            merged: 3,
        };
        let evidence = FormTable {
            heading: "佐证材料".into(),
            headers: ["二级指标", "得分", "得分方式", "依据"].map(String::from).to_vec(),
            rows: a
                .criteria
                .iter()
                .map(|c| {
                    let (how, text) = evidence_text(&a, &c.key);
                    vec![c.name.clone().into(), c.points.map_or(Cell::Empty, Cell::Num), how.into(), text.into()]
                })
                .collect(),
            groups: Vec::new(),
            merged: 0,
        };
        let names = |key: &str| a.criteria.iter().find(|c| c.key == key).map_or(key.to_string(), |c| c.name.clone());
        let deducted = FormTable {
            heading: "扣分明细".into(),
            headers: ["二级指标", "来源", "事项", "扣分", "说明"].map(String::from).to_vec(),
            rows: deductions
                .iter()
                .map(|d| {
                    let source = match d.source.as_str() {
                        "manual" => "考核人录入".to_string(),
                        other => FactSource::parse(other).map_or(other.to_string(), |s| s.label().zh),
                    };
                    vec![
                        names(&d.criterion_key).into(),
                        source.into(),
                        d.title.clone().into(),
                        Cell::Num(d.points),
                        d.note.clone().into(),
                    ]
                })
                .collect(),
            groups: Vec::new(),
            merged: 0,
        };
        let changes = FormTable {
            heading: "变更记录".into(),
            headers: ["时间", "操作人", "操作", "指标", "原分", "新分", "理由"].map(String::from).to_vec(),
            rows: history.iter().map(history_row).collect(),
            groups: Vec::new(),
            merged: 0,
        };
        let form = Form {
            title: a.template_name.clone(),
            lines: vec![
                format!("合同：{}", a.contract_name),
                format!("考核期间：{} 至 {}", a.from, a.to),
                format!("状态：{}", a.status.label().zh),
            ],
            tables: vec![main, evidence, deducted, changes],
            footer: vec![
                payment_line(&a),
                "考核人（签字）：                    日期：".into(),
                "供应商（签章）：                    日期：".into(),
            ],
        };
        let bytes = match format {
            Format::Xlsx => report::form::write_xlsx(&form),
            Format::Docx => report::form::write_docx(&form),
        }
        .map_err(|e| AppError::internal_from("rendering the assessment", e))?;
        Ok((format!("考核表-{}-{}至{}", a.contract_name, a.from, a.to), bytes))
    }
}
