//! An inspection record: the results of one task, with the fields 001 names for the 巡检记录表
//! (巡检日期, 巡检人, 巡检内容项, 巡检结果, 异常情况处理建议, 异常情况处理结果, 异常情况处理完成日期).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::template::{Item, ResultType};
use crate::error::Checker;
use crate::{FieldError, Msg};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ResultInput {
    pub item_id: Option<String>,
    /// normal_abnormal: "normal" | "abnormal"; number: a number; text: the text; photo: optional.
    #[schema(value_type = Object)]
    pub result: Option<Value>,
    /// For text and photo items: whether what was found is abnormal.
    pub abnormal: Option<bool>,
    pub note: Option<String>,
    /// 异常情况处理建议.
    pub suggestion: Option<String>,
    /// Link this abnormal result to an open ticket of the system instead of opening a new one.
    pub ticket_id: Option<String>,
}

pub use crate::geo::Location;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RecordInput {
    #[serde(default)]
    pub results: Vec<ResultInput>,
    pub note: Option<String>,
    pub location: Option<Location>,
    /// RFC 3339; an administrator back-filling a paper record may give a past instant.
    pub inspected_at: Option<String>,
    /// The signature drawn on the phone: a PNG as a `data:image/png;base64,…` URL (≤ 200 KB).
    pub signature: Option<String>,
}

/// The largest signature drawing accepted, decoded.
pub const SIGNATURE_MAX_BYTES: usize = 200_000;

/// A drawn signature: a PNG data URL of at most `SIGNATURE_MAX_BYTES`.
pub fn check_signature(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    use base64::Engine;
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let bad = || FieldError::new(field, "签名应为手写签名图片（PNG）", "must be a drawn signature (a PNG image)");
    let data = v.strip_prefix("data:image/png;base64,").ok_or_else(bad)?;
    if data.len() > SIGNATURE_MAX_BYTES * 4 / 3 + 4 {
        return Err(FieldError::new(field, "签名图片过大", "the signature image is too large"));
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(data).map_err(|_| bad())?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(bad());
    }
    Ok(Some(v.to_string()))
}

/// A checked result, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSpec {
    pub item_id: String,
    pub value: Option<String>,
    pub number: Option<f64>,
    pub abnormal: bool,
    pub note: Option<String>,
    pub suggestion: Option<String>,
    pub link_ticket: Option<String>,
    /// Filled from the item's automatic source, not by the inspector.
    pub automatic: bool,
}

/// A value an automatic source read for an item (see `app::inspections::auto`).
#[derive(Debug, Clone, PartialEq)]
pub enum AutoValue {
    Normal(bool),
    Number(f64),
    Text(String),
}

/// What an automatic source said about an item.
#[derive(Debug, Clone, PartialEq)]
pub enum AutoReading {
    /// Measured. The value is judged by the item's rule (a number by its range); `fault` marks
    /// the result abnormal whatever the value (an untrusted certificate, a site down now), and
    /// `detail` says what was read, kept as the result's note.
    Read { value: AutoValue, fault: bool, detail: String },
    /// Nothing to read (the system has no such monitor): the inspector answers the item, and the
    /// reason is kept with the answer, or named when the answer is missing.
    Unread(Msg),
}

impl AutoReading {
    /// How the item reads.
    fn judged(value: &AutoValue, fault: bool, item: &Item) -> Judged {
        match value {
            AutoValue::Normal(ok) => (Some(if *ok { "normal" } else { "abnormal" }.to_string()), None, !ok || fault),
            AutoValue::Number(x) => (Some(x.to_string()), Some(*x), item.out_of_range(*x) || fault),
            AutoValue::Text(s) => (Some(s.clone()), None, fault),
        }
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A result as judged: value, number, abnormal.
type Judged = (Option<String>, Option<f64>, bool);

/// The inspector's answer to one item in its type; `Ok(None)` when it is missing.
fn answer(item: &Item, raw: Option<&Value>, field: &str) -> Result<Option<Judged>, FieldError> {
    Ok(Some(match item.result_type {
        ResultType::NormalAbnormal => match raw.and_then(text_of).as_deref() {
            Some("normal" | "正常") => (Some("normal".to_string()), None, false),
            Some("abnormal" | "异常") => (Some("abnormal".to_string()), None, true),
            Some(_) => return Err(FieldError::new(field, "应为 normal 或 abnormal", "must be normal or abnormal")),
            None => return Ok(None),
        },
        ResultType::Number => {
            let x = raw.and_then(|v| v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())));
            match x.filter(|x: &f64| x.is_finite()) {
                // A share cannot be below nothing or above the whole.
                Some(x) if item.unit.as_deref().map(str::trim) == Some("%") && !(0.0..=100.0).contains(&x) => {
                    return Err(FieldError::new(
                        field,
                        "百分比应在 0 到 100 之间",
                        "a percentage is between 0 and 100",
                    ));
                }
                Some(x) => (Some(x.to_string()), Some(x), item.out_of_range(x)),
                None if raw.is_none() => return Ok(None),
                None => return Err(FieldError::new(field, "应为数值", "must be a number")),
            }
        }
        ResultType::Text => match raw.and_then(text_of) {
            Some(s) if s.chars().count() > 2000 => return Err(FieldError::too_long(field, 2000)),
            Some(s) => (Some(s), None, false),
            None => return Ok(None),
        },
        ResultType::Photo => (raw.and_then(text_of), None, false),
    }))
}

/// An answer the inspector had to give: "required", with the reason when a source could not
/// read the item.
fn missing(field: String, reading: Option<&AutoReading>) -> FieldError {
    match reading {
        Some(AutoReading::Unread(why)) => {
            FieldError::new(field, format!("需人工填写：{}", why.zh), format!("must be answered by hand: {}", why.en))
        }
        _ => FieldError::required(field),
    }
}

/// The note of a result: what the source read or why it could not, then the inspector's.
fn note_with(reading: Option<&AutoReading>, note: Option<String>) -> Option<String> {
    let source = match reading {
        Some(AutoReading::Read { detail, .. }) => Some(detail.clone()),
        Some(AutoReading::Unread(why)) => Some(format!("未自动读取（{}），人工填写", why.zh)),
        None => None,
    };
    match (source, note) {
        (Some(s), Some(n)) => Some(format!("{s}；{n}")),
        (s, n) => s.or(n),
    }
}

/// Checks the inspector's results against the template: each item answered once, in its type,
/// photos where required, numbers judged by the item's range. An item an automatic source read
/// (`AutoReading::Read`) takes the source's value whether or not the inspector answered it: the
/// inspector's answer may add a finding (abnormal) and a note, never clear one. Items the
/// source could not read are answered by hand, and the reason is kept.
pub fn evaluate(
    items: &[Item],
    input: &[ResultInput],
    photos: &HashMap<String, usize>,
    auto: &HashMap<String, AutoReading>,
) -> Result<Vec<ResultSpec>, Vec<FieldError>> {
    let mut c = Checker::default();
    let by_id: HashMap<&str, &Item> = items.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, r) in input.iter().enumerate() {
        let f = |k: &str| format!("results[{i}].{k}");
        let id = r.item_id.as_deref().map(str::trim).unwrap_or("");
        let Some(item) = by_id.get(id) else {
            c.push(if id.is_empty() {
                FieldError::required(f("item_id"))
            } else {
                FieldError::new(f("item_id"), "模板中没有这个巡检项", "is not an item of the template")
            });
            continue;
        };
        if !seen.insert(id.to_string()) {
            c.push(FieldError::new(f("item_id"), "同一巡检项重复填写", "is answered twice"));
            continue;
        }
        let reading = auto.get(id);
        let given = match answer(item, r.result.as_ref().filter(|v| !v.is_null()), &f("result")) {
            Ok(a) => a,
            Err(e) => {
                c.push(e);
                continue;
            }
        };
        // The inspector may flag any result as abnormal; a number outside its range always is.
        let flagged = r.abnormal.unwrap_or(false) || given.as_ref().is_some_and(|g| g.2);
        let (value, number, abnormal, automatic) = match (reading, given) {
            (Some(AutoReading::Read { value, fault, .. }), _) => {
                let (v, n, a) = AutoReading::judged(value, *fault, item);
                (v, n, a || flagged, true)
            }
            (_, Some((v, n, _))) => (v, n, flagged, false),
            (_, None) => {
                c.push(missing(f("result"), reading));
                continue;
            }
        };
        if item.photo_required && photos.get(id).copied().unwrap_or(0) == 0 {
            c.push(FieldError::new(
                f("photos"),
                format!("“{}”需要拍照", item.name),
                format!("“{}” needs a photo", item.name),
            ));
        }
        let link_ticket = c.optional_text(&f("ticket_id"), r.ticket_id.as_deref(), 64);
        let note = c.optional_text(&f("note"), r.note.as_deref(), 2000);
        // What the inspector found wrong is said in words: it becomes the ticket's description.
        if abnormal && !automatic && note.is_none() {
            c.push(FieldError::new(
                f("note"),
                format!("“{}”异常，请说明情况", item.name),
                format!("“{}” is abnormal: say what was found", item.name),
            ));
        }
        out.push(ResultSpec {
            item_id: id.to_string(),
            value,
            number,
            abnormal,
            note: note_with(reading, note),
            suggestion: c.optional_text(&f("suggestion"), r.suggestion.as_deref(), 2000),
            link_ticket: link_ticket.filter(|_| abnormal),
            automatic,
        });
    }
    for item in items {
        if seen.contains(&item.id) {
            continue;
        }
        let reading = auto.get(&item.id);
        match reading {
            Some(AutoReading::Read { value, fault, .. }) => {
                let (value, number, abnormal) = AutoReading::judged(value, *fault, item);
                out.push(ResultSpec {
                    item_id: item.id.clone(),
                    value,
                    number,
                    abnormal,
                    note: note_with(reading, None),
                    suggestion: None,
                    link_ticket: None,
                    automatic: true,
                })
            }
            Some(AutoReading::Unread(why)) => c.push(FieldError::new(
                "results",
                format!("缺少巡检项“{}”的结果（需人工填写：{}）", item.name, why.zh),
                format!("the result of “{}” is missing (answer it by hand: {})", item.name, why.en),
            )),
            None => c.push(FieldError::new(
                "results",
                format!("缺少巡检项“{}”的结果", item.name),
                format!("the result of “{}” is missing", item.name),
            )),
        }
    }
    c.finish().map(|_| out)
}

/// One line of the 巡检记录表.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ResultView {
    pub item_id: String,
    /// 巡检内容项.
    pub item_name: String,
    pub group: Option<String>,
    pub expected: Option<String>,
    pub result_type: ResultType,
    pub value: Option<String>,
    pub unit: Option<String>,
    /// 巡检结果: 正常 (false) or 异常 (true).
    pub abnormal: bool,
    pub automatic: bool,
    pub note: Option<String>,
    /// 异常情况处理建议.
    pub suggestion: Option<String>,
    pub ticket_id: Option<String>,
    pub ticket_number: Option<String>,
    pub ticket_status: Option<String>,
    /// 异常情况处理结果 (from the ticket once it is resolved).
    pub handling: Option<String>,
    /// 异常情况处理完成日期.
    pub handled_on: Option<NaiveDate>,
    pub photo_ids: Vec<String>,
}

/// A photo taken for a task, before it is recorded; `item_id` ties it to a checklist item.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = InspectionPhoto)]
pub struct Photo {
    pub id: String,
    pub task_id: String,
    pub item_id: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The key a list of records sorts by (with `order`): when they were made, the default.
pub const SORT_KEYS: &[&str] = &["inspected_at"];

/// What a list of records can be narrowed by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordFilter {
    pub system_id: Option<String>,
    pub plan_id: Option<String>,
    /// With at least one abnormal result (or, with `false`, none).
    pub abnormal: Option<bool>,
    /// Inspected on or after.
    pub from: Option<NaiveDate>,
    /// Inspected on or before.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = InspectionRecord)]
pub struct Record {
    pub id: String,
    pub task_id: String,
    pub plan_id: String,
    pub system_id: String,
    pub unit_id: String,
    pub template_id: String,
    pub template_name: String,
    /// 巡检日期 (the bureau's date of the inspection).
    pub inspected_on: NaiveDate,
    pub inspected_at: DateTime<Utc>,
    /// 巡检人.
    pub inspector_id: String,
    pub inspector_name: String,
    pub note: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub accuracy: Option<f64>,
    pub abnormal_count: i32,
    pub results: Vec<ResultView>,
    pub created_at: DateTime<Utc>,
    /// Signed `early` (before the task's window opened), `on_time` or `late`; null for records
    /// made before this was kept.
    pub timing: Option<String>,
    /// A signature was drawn.
    pub signed: bool,
    /// The drawing (PNG data URL) on a single record's page; lists leave it out.
    pub signature: Option<String>,
}

/// Completion and punctuality of the tasks due in a period, for one system, contract or month.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    /// The system, contract or month (`YYYY-MM`) the row is about.
    pub key: String,
    pub name: String,
    /// Tasks whose due time has passed (or that are done) in the period.
    pub due: i64,
    pub done: i64,
    pub on_time: i64,
    pub abnormal: i64,
    /// done ÷ due; `null` when nothing was due.
    pub completion_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
}

/// What inspection rates are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateBy {
    System,
    Contract,
    Month,
}

impl RateBy {
    pub fn parse(s: &str) -> Option<RateBy> {
        match s {
            "system" => Some(RateBy::System),
            "contract" => Some(RateBy::Contract),
            "month" => Some(RateBy::Month),
            _ => None,
        }
    }
}

/// The completion rate 000 asks of daily inspections.
pub const COMPLETION_TARGET: f64 = 0.99;

/// Rates for a period, one row per system, contract or month, and the whole.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RateReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: RateBy,
    /// The completion rate a row must reach (0.99).
    pub target: f64,
    pub rows: Vec<Rate>,
    pub total: Rate,
}

impl Rate {
    /// Adds one task to the row.
    pub fn count(&mut self, done: bool, on_time: bool, abnormal: i64) {
        *self = Rate::new(
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.name),
            self.due + 1,
            self.done + i64::from(done),
            self.on_time + i64::from(done && on_time),
            self.abnormal + abnormal,
        );
    }

    pub fn new(key: String, name: String, due: i64, done: i64, on_time: i64, abnormal: i64) -> Rate {
        let ratio = |n: i64| (due > 0).then(|| n as f64 / due as f64);
        Rate { key, name, due, done, on_time, abnormal, completion_rate: ratio(done), on_time_rate: ratio(on_time) }
    }
}
