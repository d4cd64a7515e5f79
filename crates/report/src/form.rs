//! A filled form such as a 考核表: a title, a few lines, tables whose leading columns merge over
//! the rows of a group (序号, 权重, 一级 over their criteria), and lines to sign — as xlsx (the
//! first table with the title on the first sheet, each further table on a sheet of its own) and
//! as docx (one document, the tables in order).

use docx_rs::{Paragraph, Table, TableCell, TableRow, VMergeType};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::ReportError;
use crate::docx::{add_lines, cell, cell_text, head_cell, landscape, pack, run};
use crate::xlsx::{Cell, display_width, fit_cell};

pub struct FormTable {
    /// The table's heading (and its sheet's name in xlsx).
    pub heading: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Each row's group: consecutive rows of one group share the first `merged` columns (the
    /// first row's cells). Empty for no merging.
    pub groups: Vec<usize>,
    pub merged: usize,
}

pub struct Form {
    pub title: String,
    pub lines: Vec<String>,
    pub tables: Vec<FormTable>,
    pub footer: Vec<String>,
}

/// The runs of equal groups: (first row, last row).
fn runs(groups: &[usize]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        match out.last_mut() {
            Some((s, e)) if groups[*s] == *g && *e + 1 == i => *e = i,
            _ => out.push((i, i)),
        }
    }
    out
}

/// Whether row `r`, column `c` continues a merge started above.
fn continued(t: &FormTable, r: usize, c: usize) -> bool {
    c < t.merged && r > 0 && t.groups.get(r).is_some_and(|g| t.groups.get(r - 1) == Some(g))
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str, i: usize) -> String {
    let clean: String = s.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if clean.trim().is_empty() { format!("Sheet{}", i + 1) } else { clean }
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Render(e.to_string())
}

fn write_cell(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell, f: &Format) -> Result<(), ReportError> {
    match cell {
        Cell::Int(n) => ws.write_number_with_format(r, c, *n as f64, f).map(|_| ()),
        Cell::Num(n) => ws.write_number_with_format(r, c, *n, f).map(|_| ()),
        Cell::Fen(n) => ws.write_number_with_format(r, c, *n as f64 / 100.0, f).map(|_| ()),
        Cell::Empty => ws.write_blank(r, c, f).map(|_| ()),
        other => ws.write_string_with_format(r, c, &*fit_cell(&cell_text(other)), f).map(|_| ()),
    }
    .map_err(xerr)
}

/// Writes `t` from row `top`; returns the next free row.
fn xlsx_table(ws: &mut Worksheet, t: &FormTable, top: u32) -> Result<u32, ReportError> {
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("D9D9D9");
    let body = Format::new().set_text_wrap().set_align(FormatAlign::VerticalCenter).set_border(FormatBorder::Thin);
    let mut widths: Vec<usize> = t.headers.iter().map(|h| display_width(h)).collect();
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, h, &head).map_err(xerr)?;
    }
    for (i, row) in t.rows.iter().enumerate() {
        let r = top + 1 + i as u32;
        for (c, cell) in row.iter().enumerate() {
            if continued(t, i, c) {
                continue;
            }
            write_cell(ws, r, c as u16, cell, &body)?;
            let longest = cell_text(cell).lines().map(display_width).max().unwrap_or(0);
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(longest);
            }
        }
    }
    if !t.groups.is_empty() {
        for (s, e) in runs(&t.groups).into_iter().filter(|(s, e)| e > s) {
            for c in 0..t.merged.min(t.headers.len()) {
                let text = t.rows.get(s).and_then(|r| r.get(c)).map(cell_text).unwrap_or_default();
                let (r0, r1) = (top + 1 + s as u32, top + 1 + e as u32);
                ws.merge_range(r0, c as u16, r1, c as u16, &text, &body).map_err(xerr)?;
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 50) as f64 + 2.0).map_err(xerr)?;
    }
    Ok(top + 1 + t.rows.len() as u32)
}

pub fn write_xlsx(f: &Form) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    for (i, t) in f.tables.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.heading, i)).map_err(xerr)?;
        let cols = t.headers.len().max(1) as u16;
        let mut r = 0u32;
        if i == 0 {
            ws.merge_range(0, 0, 0, cols - 1, &f.title, &title).map_err(xerr)?;
            r = 1;
            for line in &f.lines {
                ws.write_string(r, 0, line).map_err(xerr)?;
                r += 1;
            }
        }
        r = xlsx_table(ws, t, r)?;
        if i == 0 {
            for line in &f.footer {
                r += 1;
                ws.write_string(r, 0, line).map_err(xerr)?;
            }
        }
    }
    wb.save_to_buffer().map_err(xerr)
}

fn docx_table(t: &FormTable) -> Table {
    let head = TableRow::new(t.headers.iter().map(|h| head_cell(h)).collect());
    let body = t.rows.iter().enumerate().map(|(i, row)| {
        TableRow::new(
            row.iter()
                .enumerate()
                .map(|(c, value)| {
                    if continued(t, i, c) {
                        return TableCell::new().vertical_merge(VMergeType::Continue);
                    }
                    let tc = cell(&cell_text(value), false);
                    if c < t.merged && !t.groups.is_empty() { tc.vertical_merge(VMergeType::Restart) } else { tc }
                })
                .collect(),
        )
    });
    Table::new(std::iter::once(head).chain(body).collect())
}

pub fn write_docx(f: &Form) -> Result<Vec<u8>, ReportError> {
    let mut doc = landscape(&f.title, &f.lines);
    for (i, t) in f.tables.iter().enumerate() {
        if i > 0 {
            doc = doc.add_paragraph(Paragraph::new().add_run(run(&t.heading, 28, true)));
        }
        doc = doc.add_table(docx_table(t));
        if i == 0 {
            doc = add_lines(doc, &f.footer);
        }
    }
    pack(doc)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn form() -> Form {
        let row = |n: i64, sec: &str, name: &str, pts: f64| vec![Cell::Int(n), sec.into(), name.into(), Cell::Num(pts)];
        Form {
            title: "运维绩效评估表".into(),
            lines: vec!["合同：某运维合同".into()],
            tables: vec![
                FormTable {
                    heading: "考核表".into(),
                    headers: vec!["序号".into(), "一级".into(), "二级指标".into(), "得分".into()],
                    rows: vec![
                        row(1, "服务质量", "响应速度", 10.0),
                        row(1, "服务质量", "服务态度", 9.5),
                        row(2, "定期报告", "年度报告", 8.0),
                    ],
                    groups: vec![0, 0, 1],
                    merged: 2,
                },
                FormTable {
                    heading: "佐证材料".into(),
                    headers: vec!["指标".into(), "说明".into()],
                    rows: vec![vec!["响应速度".into(), "第 90 百分位 42 分钟".into()]],
                    groups: Vec::new(),
                    merged: 0,
                },
            ],
            footer: vec!["考核人签字：".into()],
        }
    }

    #[test]
    fn groups_merge_their_leading_columns() {
        assert_eq!(runs(&[0, 0, 1, 2, 2, 2]), vec![(0, 1), (2, 2), (3, 5)]);
        let t = &form().tables[0];
        assert!(continued(t, 1, 0) && continued(t, 1, 1));
        assert!(!continued(t, 1, 2), "only the merged columns");
        assert!(!continued(t, 2, 0), "a new group starts");
    }

    #[test]
    fn the_workbook_and_the_document_hold_every_part() {
        let xlsx = write_xlsx(&form()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut sheet).unwrap();
        assert!(sheet.contains("<mergeCell ref=\"A4:A5\"/>"), "{sheet}");
        assert!(sheet.contains("<mergeCell ref=\"B4:B5\"/>"));
        assert!(zip.by_name("xl/worksheets/sheet2.xml").is_ok(), "the appendix has its own sheet");
        let docx = write_docx(&form()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        for text in ["运维绩效评估表", "服务态度", "9.5", "佐证材料", "第 90 百分位 42 分钟", "考核人签字："]
        {
            assert!(xml.contains(text), "{text} missing");
        }
        assert!(xml.contains("w:vMerge w:val=\"restart\""));
    }
}
