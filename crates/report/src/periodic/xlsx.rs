//! The report as a workbook: a cover sheet, then one sheet per section holding the raw rows
//! behind its figures (a prose section's sheet holds its text), each with a frozen header and
//! a filter.

use rust_xlsxwriter::{DocProperties, Workbook};

use super::{Block, Document};
use crate::ReportError;
use crate::xlsx::{Cell, err, fill_sheet};

/// Excel's limit on a sheet name, and the characters it refuses in one.
const SHEET_NAME_MAX: usize = 31;
const NOT_IN_NAMES: &[char] = &['[', ']', ':', '*', '?', '/', '\\'];

/// A prose section's lines, one row each.
fn prose(s: &super::Section) -> Vec<Vec<Cell>> {
    s.blocks
        .iter()
        .flat_map(|b| match b {
            Block::Text(t) => t.split('\n').map(str::to_string).collect(),
            Block::Heading(t) | Block::Empty(t) => vec![t.clone()],
            Block::Figures(f) => f.iter().map(|(k, v)| format!("{k}：{v}")).collect(),
            Block::Table(_) | Block::Chart(_) => vec![],
        })
        .filter(|l| !l.trim().is_empty())
        .map(|l| vec![Cell::Text(l)])
        .collect()
}

/// `n. title`, cut to Excel's limit and cleaned of the characters it refuses; unique because
/// it is numbered.
fn sheet_name(n: &str, title: &str) -> String {
    let clean: String = title.chars().map(|c| if NOT_IN_NAMES.contains(&c) { '_' } else { c }).collect();
    format!("{n}.{clean}").chars().take(SHEET_NAME_MAX).collect()
}

/// The document as an .xlsx file.
pub fn write_xlsx(d: &Document) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_title(&d.title).set_creation_datetime(&d.made_at));
    let cover: Vec<Vec<Cell>> = std::iter::once(vec![Cell::from("报告"), Cell::from(d.title.as_str())])
        .chain(d.mark.iter().map(|m| vec![Cell::from("状态"), Cell::from(m.as_str())]))
        .chain(d.cover.iter().map(|(k, v)| vec![Cell::from(k.as_str()), Cell::from(v.as_str())]))
        .collect();
    let ws = wb.add_worksheet();
    ws.set_name("0.封面").map_err(err)?;
    fill_sheet(ws, &["项目", "内容"], &cover)?;
    for (i, s) in d.sections.iter().enumerate() {
        if s.sheets.is_empty() {
            let ws = wb.add_worksheet();
            ws.set_name(sheet_name(&format!("{}", i + 1), &s.title)).map_err(err)?;
            fill_sheet(ws, &[s.title.as_str()], &prose(s))?;
        }
        for (k, sheet) in s.sheets.iter().enumerate() {
            let ws = wb.add_worksheet();
            let name = if k == 0 {
                sheet_name(&format!("{}", i + 1), &s.title)
            } else {
                sheet_name(&format!("{}-{}", i + 1, k + 1), &sheet.name)
            };
            ws.set_name(name).map_err(err)?;
            fill_sheet(ws, &sheet.headers, &sheet.rows)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_what_excel_takes() {
        assert_eq!(sheet_name("3", "工单/事件[明细]"), "3.工单_事件_明细_");
        assert_eq!(sheet_name("12-2", &"长".repeat(40)).chars().count(), SHEET_NAME_MAX);
    }
}
