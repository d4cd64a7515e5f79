//! xlsx tables: one header row, then data rows. Writing with rust_xlsxwriter, reading with
//! calamine.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet};

use crate::ReportError;

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// An amount in fen, shown as yuan with two decimals.
    Fen(i64),
    /// A number such as points (9.5), shown without trailing zeros.
    Num(f64),
    Date(NaiveDate),
    Empty,
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map_or(Cell::Empty, Cell::Text)
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}
impl From<Option<NaiveDate>> for Cell {
    fn from(v: Option<NaiveDate>) -> Self {
        v.map_or(Cell::Empty, Cell::Date)
    }
}

/// Writes a single-sheet workbook with a bold, frozen header row and an autofilter.
pub fn write_table(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    fill_sheet(ws, headers, rows)?;
    wb.save_to_buffer().map_err(err)
}

pub(crate) fn err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Render(e.to_string())
}

/// A bold, frozen header row, the rows under it, columns as wide as their text and an
/// autofilter over the whole table.
pub(crate) fn fill_sheet<H: AsRef<str>>(
    ws: &mut Worksheet,
    headers: &[H],
    rows: &[Vec<Cell>],
) -> Result<(), ReportError> {
    let bold = Format::new().set_bold().set_align(FormatAlign::Center);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0.00");
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h.as_ref())).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h.as_ref(), &bold).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let w = match cell {
                Cell::Text(s) => {
                    let s = fit_cell(s);
                    ws.write_string(r, col, &*s).map_err(err)?;
                    display_width(&s)
                }
                Cell::Int(i) => {
                    ws.write_number(r, col, *i as f64).map_err(err)?;
                    i.to_string().len()
                }
                Cell::Fen(f) => {
                    ws.write_number_with_format(r, col, *f as f64 / 100.0, &money).map_err(err)?;
                    f.to_string().len() + 2
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, col, *d, &date).map_err(err)?;
                    10
                }
                Cell::Num(n) => {
                    ws.write_number(r, col, *n).map_err(err)?;
                    crate::docx::cell_text(cell).len()
                }
                Cell::Empty => 0,
            };
            if let Some(cur) = widths.get_mut(c) {
                *cur = (*cur).max(w);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 2.0).map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    if !headers.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, headers.len() as u16 - 1).map_err(err)?;
    }
    Ok(())
}

/// Excel refuses cells over 32 767 characters. Long text (an audit record's before/after of a
/// large contract) is cut, visibly, rather than failing the whole export.
pub(crate) fn fit_cell(s: &str) -> std::borrow::Cow<'_, str> {
    const KEEP: usize = 32_000;
    match s.char_indices().nth(KEEP) {
        None => s.into(),
        Some((cut, _)) => format!("{}…（已截断 / truncated）", &s[..cut]).into(),
    }
}

/// CJK characters take two columns in Excel's width unit.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A table read from the first sheet of a workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    /// Data rows with their 1-based spreadsheet row number (the header is row 1).
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Index of the column whose header matches any of `names`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.headers.iter().position(|h| names.iter().any(|n| h.trim() == *n))
    }
}

/// Reads the first sheet: the first non-empty row is the header; fully empty rows are skipped.
/// Every cell comes back as text (dates as `YYYY-MM-DD`, whole numbers without a decimal point).
pub fn read_table(bytes: &[u8]) -> Result<Table, ReportError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReportError::Unreadable(e.to_string()))?;
    let range =
        wb.worksheet_range_at(0).ok_or(ReportError::Empty)?.map_err(|e| ReportError::Unreadable(e.to_string()))?;
    let (start_row, _) = range.start().unwrap_or((0, 0));
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let number = start_row as usize + i + 1;
        match headers {
            None => headers = Some(cells),
            Some(_) => rows.push((number, cells)),
        }
    }
    let headers = headers.ok_or(ReportError::Empty)?;
    Ok(Table { headers, rows })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let bytes = write_table(
            "系统",
            &["名称", "数量", "预算（元）", "日期", "备注"],
            &[
                vec!["电子政务外网".into(), Cell::Int(17), Cell::Fen(12_345_678), Cell::Date(d), Cell::Empty],
                vec![],
                vec!["OA".into(), Cell::Int(0), Cell::Fen(5), Cell::Empty, "x".into()],
            ],
        )
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let t = read_table(&bytes).unwrap();
        assert_eq!(t.headers, ["名称", "数量", "预算（元）", "日期", "备注"]);
        assert_eq!(t.rows.len(), 2, "the empty row is skipped");
        assert_eq!(
            t.rows[0],
            (2, vec!["电子政务外网".into(), "17".into(), "123456.78".into(), "2026-07-01".into(), "".into()])
        );
        assert_eq!(t.rows[1].0, 4);
        assert_eq!(t.column(&["备注", "notes"]), Some(4));
        assert_eq!(t.column(&["nope"]), None);
    }

    #[test]
    fn overlong_text_is_cut_not_refused() {
        let long = "审".repeat(40_000);
        let bytes = write_table("审计", &["内容"], &[vec![long.as_str().into()]]).unwrap();
        let cell = &read_table(&bytes).unwrap().rows[0].1[0];
        assert!(cell.starts_with("审审审"));
        assert!(cell.ends_with("（已截断 / truncated）"));
        assert!(cell.chars().count() < 32_767);
    }

    #[test]
    fn garbage_is_refused() {
        assert!(matches!(read_table(b"not a zip"), Err(ReportError::Unreadable(_))));
    }
}
