//! xlsx import of systems and assets: every row is checked first, and either every row is
//! written in one transaction or none is. Rows with an `编号` (id) update that record; other rows
//! update the record with the same natural key (unit + system name; asset serial) or create one.
//! The columns are those of the export, so a list can be exported, edited in Excel and imported.

use std::collections::{HashMap, HashSet};

use domain::list::ListQuery;
use domain::registry::{AssetInput, SystemInput};
use domain::{Msg, Principal, Scope};
use report::xlsx::{Table, read_table};
use serde::Serialize;

use crate::{App, AppError, Result, require_registry_write};

pub const MAX_ROWS: usize = 10_000;

/// (header, API field) of each system column, in export order.
pub const SYSTEM_COLUMNS: &[(&str, &str)] = &[
    ("编号", "id"),
    ("系统名称", "name"),
    ("所属单位", "unit"),
    ("开发商", "developer"),
    ("品牌", "brand"),
    ("部署情况", "deployment"),
    ("等保级别", "dengbao_level"),
    ("重要程度", "criticality"),
    ("服务时间", "service_hours"),
    ("服务要求", "sla_text"),
    ("系统描述", "description"),
    ("网络地址", "addresses"),
];

pub const ASSET_COLUMNS: &[(&str, &str)] = &[
    ("编号", "id"),
    ("资产名称", "name"),
    ("资产类型", "kind"),
    ("型号", "model"),
    ("序列号", "serial"),
    ("位置", "location"),
    ("所属单位", "unit"),
    ("所属系统", "system"),
    ("保修截止", "warranty_end"),
    ("到期日期", "expires_on"),
    ("备注", "notes"),
];

#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// The column header, or empty when the error concerns the whole row.
    pub column: String,
    pub message: Msg,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// The file itself is unusable (not xlsx, no header, missing a required column, too big).
    File(Msg),
    Rows(Vec<RowError>),
    App(AppError),
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        ImportError::App(e)
    }
}

impl From<store::StoreError> for ImportError {
    fn from(e: store::StoreError) -> Self {
        ImportError::App(e.into())
    }
}

/// A table whose cells are addressed by API field name.
pub(crate) struct Sheet<'a> {
    pub(crate) table: Table,
    columns: &'a [(&'a str, &'a str)],
    index: HashMap<&'a str, usize>,
}

impl<'a> Sheet<'a> {
    pub(crate) fn open(
        bytes: &[u8],
        columns: &'a [(&'a str, &'a str)],
        required: &[&str],
    ) -> std::result::Result<Self, ImportError> {
        let table = read_table(bytes).map_err(|e| {
            ImportError::File(Msg::new(
                format!("无法读取文件，请上传 xlsx 格式的表格（{e}）"),
                format!("cannot read the file as xlsx ({e})"),
            ))
        })?;
        let mut index = HashMap::new();
        for (header, field) in columns {
            if let Some(i) = table.column(&[header, field]) {
                index.insert(*field, i);
            }
        }
        let missing: Vec<&str> =
            columns.iter().filter(|(_, f)| required.contains(f) && !index.contains_key(f)).map(|(h, _)| *h).collect();
        if !missing.is_empty() {
            return Err(ImportError::File(Msg::new(
                format!("缺少必需的列：{}", missing.join("、")),
                format!("missing required columns: {}", missing.join(", ")),
            )));
        }
        if table.rows.len() > MAX_ROWS {
            return Err(ImportError::File(Msg::new(
                format!("一次最多导入 {MAX_ROWS} 行"),
                format!("at most {MAX_ROWS} rows per import"),
            )));
        }
        if table.rows.is_empty() {
            return Err(ImportError::File(Msg::new("表格中没有数据行", "the sheet has no data rows")));
        }
        Ok(Sheet { table, columns, index })
    }

    pub(crate) fn get(&self, row: &[String], field: &str) -> Option<String> {
        self.index.get(field).and_then(|i| row.get(*i)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }

    fn header(&self, field: &str) -> String {
        // Validation names API fields; the sheet names the looked-up columns.
        let field = match field {
            "unit_id" => "unit",
            "system_id" => "system",
            f => f,
        };
        self.columns.iter().find(|(_, f)| *f == field).map_or(field.to_string(), |(h, _)| h.to_string())
    }

    pub(crate) fn err(&self, row: usize, field: &str, msg: Msg) -> RowError {
        RowError { row, column: self.header(field), message: msg }
    }
}

pub(crate) fn row_errors_of(sheet: &Sheet, row: usize, errs: Vec<domain::FieldError>, out: &mut Vec<RowError>) {
    for e in errs {
        out.push(sheet.err(row, &e.field, e.msg));
    }
}

enum Plan<F> {
    Create(F),
    Update(String, F),
}

impl App {
    pub async fn import_systems(&self, p: &Principal, bytes: &[u8]) -> std::result::Result<ImportReport, ImportError> {
        require_registry_write(p)?;
        let sheet = Sheet::open(bytes, SYSTEM_COLUMNS, &["name", "unit"])?;
        let units = self.unit_names().await?;
        // Rows are matched in memory: one query up front instead of one or two per row.
        let existing = self.system_names().await?;
        let ids: HashSet<&str> = existing.values().flatten().map(|(id, _)| id.as_str()).collect();
        let by_key: HashMap<(&str, &str), &str> = existing
            .iter()
            .flat_map(|(name, v)| v.iter().map(move |(id, unit)| ((unit.as_str(), name.as_str()), id.as_str())))
            .collect();
        let mut errors = Vec::new();
        let mut plans = Vec::new();
        let mut seen = HashSet::new();
        for (row, cells) in &sheet.table.rows {
            let row = *row;
            let unit_name = sheet.get(cells, "unit");
            let unit_id = unit_name.as_ref().and_then(|n| units.get(n)).cloned();
            if let (Some(n), None) = (&unit_name, &unit_id) {
                errors.push(sheet.err(
                    row,
                    "unit",
                    Msg::new(format!("单位“{n}”不存在"), format!("no unit named “{n}”")),
                ));
                continue;
            }
            let level = sheet.get(cells, "dengbao_level");
            let dengbao_level = match level.as_deref().map(|l| l.trim_end_matches('级').trim_start_matches('第')) {
                None => None,
                Some(l) => match parse_level(l) {
                    Some(n) => Some(n),
                    None => {
                        errors.push(sheet.err(row, "dengbao_level", Msg::new("等保级别须为 1 到 5", "must be 1 to 5")));
                        continue;
                    }
                },
            };
            let input = SystemInput {
                name: sheet.get(cells, "name"),
                unit_id: unit_id.clone().or(unit_name.clone()),
                developer: sheet.get(cells, "developer"),
                brand: sheet.get(cells, "brand"),
                deployment: sheet.get(cells, "deployment"),
                dengbao_level,
                criticality: sheet.get(cells, "criticality"),
                service_hours: sheet.get(cells, "service_hours"),
                sla_text: sheet.get(cells, "sla_text"),
                description: sheet.get(cells, "description"),
                addresses: sheet.get(cells, "addresses").map(|a| domain::registry::split_addresses(&a)),
            };
            let f = match input.validate() {
                Ok(f) => f,
                Err(e) => {
                    row_errors_of(&sheet, row, e, &mut errors);
                    continue;
                }
            };
            if !seen.insert((f.unit_id.clone(), f.name.clone())) {
                errors.push(sheet.err(
                    row,
                    "name",
                    Msg::new("与表格中前面的行重复（同一单位同名系统）", "repeats an earlier row (same unit and name)"),
                ));
                continue;
            }
            let target = match sheet.get(cells, "id") {
                Some(id) if ids.contains(id.as_str()) => Some(id),
                Some(_) => {
                    errors.push(sheet.err(row, "id", Msg::new("编号对应的系统不存在", "no system has this id")));
                    continue;
                }
                None => by_key.get(&(f.unit_id.as_str(), f.name.as_str())).map(|id| id.to_string()),
            };
            plans.push((row, target.map_or(Plan::Create(f.clone()), |id| Plan::Update(id, f))));
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        let tx = self.store.begin().await?;
        let mut report = ImportReport { created: 0, updated: 0 };
        for (row, plan) in plans {
            let res = match &plan {
                Plan::Create(f) => crate::systems::insert_system(&tx, p, f).await.map(|_| report.created += 1),
                Plan::Update(id, f) => {
                    let before = store::systems::get(&tx, &Scope::All, id).await?.ok_or(AppError::NotFound)?;
                    crate::systems::update_system(&tx, p, &before, f).await.map(|_| report.updated += 1)
                }
            };
            if let Err(e) = res {
                return Err(ImportError::Rows(vec![row_error_from_app(&sheet, row, e)]));
            }
        }
        crate::audit::<(), _>(&tx, p, "import", "system", "-", None, Some(&report), crate::wall_now()).await?;
        tx.commit().await?;
        Ok(report)
    }

    pub async fn import_assets(&self, p: &Principal, bytes: &[u8]) -> std::result::Result<ImportReport, ImportError> {
        require_registry_write(p)?;
        let sheet = Sheet::open(bytes, ASSET_COLUMNS, &["name", "kind"])?;
        let units = self.unit_names().await?;
        let systems = self.system_names().await?;
        let existing = store::assets::serials(&self.store).await?;
        let ids: HashSet<&str> = existing.iter().map(|(id, _)| id.as_str()).collect();
        let by_serial: HashMap<&str, &str> =
            existing.iter().filter_map(|(id, s)| Some((s.as_deref()?, id.as_str()))).collect();
        let mut errors = Vec::new();
        let mut plans = Vec::new();
        let mut serials = HashSet::new();
        for (row, cells) in &sheet.table.rows {
            let row = *row;
            let unit_name = sheet.get(cells, "unit");
            let unit_id = match &unit_name {
                None => None,
                Some(n) => match units.get(n) {
                    Some(id) => Some(id.clone()),
                    None => {
                        errors.push(sheet.err(
                            row,
                            "unit",
                            Msg::new(format!("单位“{n}”不存在"), format!("no unit named “{n}”")),
                        ));
                        continue;
                    }
                },
            };
            let system_id = match sheet.get(cells, "system") {
                None => None,
                Some(n) => {
                    let candidates: Vec<&(String, String)> = systems
                        .get(&n)
                        .map(|v| v.iter().filter(|(_, u)| unit_id.as_ref().is_none_or(|x| x == u)).collect())
                        .unwrap_or_default();
                    match candidates.as_slice() {
                        [one] => Some(one.0.clone()),
                        [] => {
                            errors.push(sheet.err(
                                row,
                                "system",
                                Msg::new(format!("信息系统“{n}”不存在"), format!("no system named “{n}”")),
                            ));
                            continue;
                        }
                        _ => {
                            errors.push(sheet.err(
                                row,
                                "system",
                                Msg::new(
                                    "多个单位有同名系统，请填写所属单位",
                                    "several units have a system with this name; fill in the unit",
                                ),
                            ));
                            continue;
                        }
                    }
                }
            };
            let input = AssetInput {
                name: sheet.get(cells, "name"),
                kind: sheet.get(cells, "kind"),
                model: sheet.get(cells, "model"),
                serial: sheet.get(cells, "serial"),
                location: sheet.get(cells, "location"),
                system_id,
                unit_id,
                warranty_end: sheet.get(cells, "warranty_end"),
                expires_on: sheet.get(cells, "expires_on"),
                notes: sheet.get(cells, "notes"),
            };
            let f = match input.validate() {
                Ok(f) => f,
                Err(e) => {
                    row_errors_of(&sheet, row, e, &mut errors);
                    continue;
                }
            };
            if let Some(s) = &f.serial
                && !serials.insert(s.clone())
            {
                errors.push(sheet.err(
                    row,
                    "serial",
                    Msg::new("序列号与表格中前面的行重复", "repeats an earlier row's serial number"),
                ));
                continue;
            }
            let target = match sheet.get(cells, "id") {
                Some(id) if ids.contains(id.as_str()) => Some(id),
                Some(_) => {
                    errors.push(sheet.err(row, "id", Msg::new("编号对应的资产不存在", "no asset has this id")));
                    continue;
                }
                None => f.serial.as_deref().and_then(|s| by_serial.get(s)).map(|id| id.to_string()),
            };
            plans.push((row, target.map_or(Plan::Create(f.clone()), |id| Plan::Update(id, f))));
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(errors));
        }
        let tx = self.store.begin().await?;
        let mut report = ImportReport { created: 0, updated: 0 };
        for (row, plan) in plans {
            let res = match plan {
                Plan::Create(f) => crate::assets::insert_asset(&tx, p, f).await.map(|_| report.created += 1),
                Plan::Update(id, f) => {
                    let before = store::assets::get(&tx, &Scope::All, &id).await?.ok_or(AppError::NotFound)?;
                    crate::assets::update_asset(&tx, p, &before, f).await.map(|_| report.updated += 1)
                }
            };
            if let Err(e) = res {
                return Err(ImportError::Rows(vec![row_error_from_app(&sheet, row, e)]));
            }
        }
        crate::audit::<(), _>(&tx, p, "import", "asset", "-", None, Some(&report), crate::wall_now()).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Unit name → id, for every unit.
    async fn unit_names(&self) -> Result<HashMap<String, String>> {
        let all = store::units::list(&self.store, &Scope::All, &ListQuery::default().unpaged()).await?;
        Ok(all.items.into_iter().map(|u| (u.name, u.id)).collect())
    }

    /// System name → [(system id, unit id)], for every system.
    async fn system_names(&self) -> Result<HashMap<String, Vec<(String, String)>>> {
        let all = store::systems::list(&self.store, &Scope::All, &ListQuery::default().unpaged(), &Default::default())
            .await?;
        let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for s in all.items {
            out.entry(s.name).or_default().push((s.id, s.unit_id));
        }
        Ok(out)
    }
}

fn parse_level(s: &str) -> Option<i32> {
    match s.trim() {
        "1" | "一" => Some(1),
        "2" | "二" => Some(2),
        "3" | "三" => Some(3),
        "4" | "四" => Some(4),
        "5" | "五" => Some(5),
        _ => None,
    }
}

fn row_error_from_app(sheet: &Sheet, row: usize, e: AppError) -> RowError {
    match e {
        AppError::Validation(errs) if !errs.is_empty() => {
            let f = &errs[0];
            sheet.err(row, &f.field, f.msg.clone())
        }
        AppError::Conflict { msg, field } => sheet.err(row, field.as_deref().unwrap_or(""), msg),
        other => RowError {
            row,
            column: String::new(),
            message: Msg::new(format!("写入失败：{other}"), format!("write failed: {other}")),
        },
    }
}
