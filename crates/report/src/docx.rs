//! Word documents for the paper trail the bureau files: a title, a few lines about the document,
//! one table, and lines to sign. Written with docx-rs, A4 landscape, 宋体 for Chinese text.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, PageMargin, PageOrientationType, Paragraph, Run, RunFonts, Shading, Table, TableCell, TableRow,
};

use crate::ReportError;
use crate::xlsx::Cell;

/// A document of one table.
pub struct TableDocument<'a> {
    pub title: &'a str,
    /// Lines under the title (system, period, …).
    pub lines: &'a [String],
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<Cell>],
    /// Lines after the table (signatures, remarks).
    pub footer: &'a [String],
}

/// The text a cell shows on paper.
pub fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Fen(f) => format!("{}{}.{:02}", if *f < 0 { "-" } else { "" }, f.abs() / 100, f.abs() % 100),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Num(n) => format!("{:.2}", n).trim_end_matches('0').trim_end_matches('.').to_string(),
        Cell::Empty => String::new(),
    }
}

pub(crate) fn run(text: &str, half_points: usize, bold: bool) -> Run {
    let r =
        Run::new().add_text(text).size(half_points).fonts(RunFonts::new().east_asia("宋体").ascii("Times New Roman"));
    if bold { r.bold() } else { r }
}

/// A cell whose lines are separate paragraphs (Word ignores `\n` inside a run).
pub(crate) fn cell(text: &str, bold: bool) -> TableCell {
    text.split('\n').fold(TableCell::new(), |c, line| c.add_paragraph(Paragraph::new().add_run(run(line, 20, bold))))
}

/// A header cell: bold on grey.
pub(crate) fn head_cell(text: &str) -> TableCell {
    cell(text, true).shading(Shading::new().fill("D9D9D9"))
}

/// An A4 landscape document (1.8 cm margins) opening with `title` and `lines`.
pub(crate) fn landscape(title: &str, lines: &[String]) -> Docx {
    // A4 landscape in twips.
    let doc = Docx::new()
        .page_size(16_838, 11_906)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(PageMargin::new().top(1020).bottom(1020).left(1020).right(1020))
        .add_paragraph(Paragraph::new().add_run(run(title, 36, true)).align(AlignmentType::Center));
    add_lines(doc, lines)
}

/// Plain lines, one paragraph each.
pub(crate) fn add_lines(doc: Docx, lines: &[String]) -> Docx {
    lines.iter().fold(doc, |d, line| d.add_paragraph(Paragraph::new().add_run(run(line, 22, false))))
}

pub(crate) fn pack(doc: Docx) -> Result<Vec<u8>, ReportError> {
    let mut buf = Cursor::new(Vec::new());
    doc.pack(&mut buf).map_err(|e| ReportError::Render(e.to_string()))?;
    Ok(buf.into_inner())
}

pub fn write_table(d: &TableDocument) -> Result<Vec<u8>, ReportError> {
    let head = TableRow::new(d.headers.iter().map(|h| head_cell(h)).collect());
    let body = d.rows.iter().map(|r| TableRow::new(r.iter().map(|c| cell(&cell_text(c), false)).collect()));
    let doc = landscape(d.title, d.lines).add_table(Table::new(std::iter::once(head).chain(body).collect()));
    pack(add_lines(doc, d.footer))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_document_holds_the_title_the_cells_and_the_signature_lines() {
        let rows =
            vec![vec![Cell::Date(chrono::NaiveDate::from_ymd_opt(2026, 2, 14).unwrap()), "磁盘使用率\n已清理".into()]];
        let bytes = write_table(&TableDocument {
            title: "巡检记录表",
            lines: &["系统：智慧图书馆".to_string()],
            headers: &["巡检日期", "巡检内容项"],
            rows: &rows,
            footer: &["巡检人签字：".to_string()],
        })
        .unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        for text in ["巡检记录表", "系统：智慧图书馆", "巡检日期", "2026-02-14", "磁盘使用率", "已清理", "巡检人签字："]
        {
            assert!(xml.contains(text), "{text} missing");
        }
        assert!(xml.contains("w:orient=\"landscape\""));
        assert_eq!(cell_text(&Cell::Fen(-12_345)), "-123.45");
    }
}
