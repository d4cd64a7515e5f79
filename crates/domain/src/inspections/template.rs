//! Checklist templates: what an engineer looks at, how, and what counts as normal.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;
use crate::error::Checker;

text_enum!(
    /// How an item's result is given.
    ResultType {
        NormalAbnormal = "normal_abnormal" / "正常/异常" / "normal or abnormal",
        Number = "number" / "数值" / "number",
        Text = "text" / "文字" / "text",
        Photo = "photo" / "照片" / "photo",
    }
);

text_enum!(
    /// What a template inspects.
    TemplateKind {
        Application = "application" / "应用系统" / "application system",
        Database = "database" / "数据库" / "database",
        Server = "server" / "服务器" / "server",
        Network = "network" / "网络设备" / "network devices",
        Security = "security" / "安全设备" / "security devices",
        VideoConference = "video_conference" / "视频会议" / "video conference",
        MachineRoom = "machine_room" / "机房" / "machine room",
        Website = "website" / "网站" / "website",
        Other = "other" / "其他" / "other",
    }
);

/// One checklist item. `id` is stable across edits, so records keep pointing at it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Item {
    pub id: String,
    pub name: String,
    /// Heading the item is listed under (e.g. 硬件, 操作系统).
    pub group: Option<String>,
    /// How to check it.
    pub method: Option<String>,
    /// What a normal result looks like, in words.
    pub expected: Option<String>,
    pub result_type: ResultType,
    /// For numbers: the unit (%, ℃, GB) and the normal range; outside it the result is abnormal.
    pub unit: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// A photo must be attached to this item's result.
    #[serde(default)]
    pub photo_required: bool,
    /// Where the result can come from without a person (e.g. `monitor:http`); see
    /// `app::inspections::auto`.
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ItemInput {
    /// Keep an existing item's id when editing a template; new items get one.
    pub id: Option<String>,
    pub name: Option<String>,
    pub group: Option<String>,
    pub method: Option<String>,
    pub expected: Option<String>,
    /// normal_abnormal, number, text, photo.
    pub result_type: Option<String>,
    pub unit: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub photo_required: Option<bool>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TemplateInput {
    pub name: Option<String>,
    /// application, database, server, network, security, video_conference, machine_room, website, other.
    pub kind: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemInput>,
}

/// A validated template; items without an id get one from the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateSpec {
    pub name: String,
    pub kind: TemplateKind,
    pub description: Option<String>,
    pub items: Vec<Item>,
}

/// The key a list of checklists sorts by (with `order`); built-in ones first, then by name, when
/// none is given.
pub const SORT_KEYS: &[&str] = &["name"];

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = InspectionTemplate)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub kind: TemplateKind,
    pub description: Option<String>,
    /// Shipped with Yunwei, drawn from the seeds: read-only, copy it to change it.
    pub builtin: bool,
    pub items: Vec<Item>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const MAX_ITEMS: usize = 200;
/// Ids a caller may choose for items: short, printable, no spaces.
const MAX_ID: usize = 64;

impl TemplateInput {
    /// Checks every field; `new_id` names items that have none yet.
    pub fn validate(&self, mut new_id: impl FnMut() -> String) -> Result<TemplateSpec, Vec<FieldError>> {
        let mut c = Checker::default();
        let name = c.required_text("name", self.name.as_deref().unwrap_or(""), 100);
        let kind = match self.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => TemplateKind::Other,
            Some(k) => TemplateKind::parse(k).unwrap_or_else(|| {
                c.push(FieldError::new(
                    "kind",
                    format!("应为 {} 之一", TemplateKind::choices()),
                    format!("must be one of {}", TemplateKind::choices()),
                ));
                TemplateKind::Other
            }),
        };
        let description = c.optional_text("description", self.description.as_deref(), 2000);
        if self.items.is_empty() {
            c.push(FieldError::new("items", "至少需要一个巡检项", "add at least one item"));
        }
        if self.items.len() > MAX_ITEMS {
            c.push(FieldError::new(
                "items",
                format!("巡检项不能超过 {MAX_ITEMS} 个"),
                format!("at most {MAX_ITEMS} items"),
            ));
        }
        let mut items = Vec::with_capacity(self.items.len());
        let mut seen = std::collections::HashSet::new();
        for (i, it) in self.items.iter().enumerate() {
            let f = |k: &str| format!("items[{i}].{k}");
            let id = match it.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(id) if id.len() > MAX_ID || id.chars().any(|ch| ch.is_whitespace() || ch.is_control()) => {
                    c.push(FieldError::new(f("id"), "编号格式不正确", "is not a valid id"));
                    id.to_string()
                }
                Some(id) => id.to_string(),
                None => new_id(),
            };
            if !seen.insert(id.clone()) {
                c.push(FieldError::new(f("id"), "与其他巡检项重复", "repeats another item's id"));
            }
            let name = c.required_text(&f("name"), it.name.as_deref().unwrap_or(""), 200);
            let result_type = match it.result_type.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => ResultType::NormalAbnormal,
                Some(s) => ResultType::parse(s).unwrap_or_else(|| {
                    c.push(FieldError::new(
                        f("result_type"),
                        format!("应为 {} 之一", ResultType::choices()),
                        format!("must be one of {}", ResultType::choices()),
                    ));
                    ResultType::NormalAbnormal
                }),
            };
            let number = result_type == ResultType::Number;
            for (k, v) in [("min", it.min), ("max", it.max)] {
                if v.is_some_and(|x| !x.is_finite()) {
                    c.push(FieldError::new(f(k), "应为有限数值", "must be a finite number"));
                }
                if v.is_some() && !number {
                    c.push(FieldError::new(f(k), "只有数值类巡检项有阈值", "only number items have a range"));
                }
            }
            if let (Some(lo), Some(hi)) = (it.min, it.max)
                && lo > hi
            {
                c.push(FieldError::new(f("max"), "不能小于下限", "must not be below min"));
            }
            items.push(Item {
                id,
                name,
                group: c.optional_text(&f("group"), it.group.as_deref(), 50),
                method: c.optional_text(&f("method"), it.method.as_deref(), 500),
                expected: c.optional_text(&f("expected"), it.expected.as_deref(), 200),
                result_type,
                unit: c.optional_text(&f("unit"), it.unit.as_deref(), 20),
                min: it.min.filter(|_| number),
                max: it.max.filter(|_| number),
                photo_required: it.photo_required.unwrap_or(false) || result_type == ResultType::Photo,
                source: c.optional_text(&f("source"), it.source.as_deref(), 100),
            });
        }
        c.finish().map(|_| TemplateSpec { name, kind, description, items })
    }
}

impl Item {
    /// Whether a number is outside the item's normal range.
    pub fn out_of_range(&self, x: f64) -> bool {
        self.min.is_some_and(|lo| x < lo) || self.max.is_some_and(|hi| x > hi)
    }

    /// The normal range in words, e.g. `< 80 %` or `18–27 ℃`.
    pub fn range_text(&self) -> Option<String> {
        let unit = self.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => Some(format!("{lo}–{hi}{unit}")),
            (None, Some(hi)) => Some(format!("≤ {hi}{unit}")),
            (Some(lo), None) => Some(format!("≥ {lo}{unit}")),
            (None, None) => None,
        }
    }
}
