//! The report as Word: A4 portrait, a cover page, a table of contents, 黑体 headings over a
//! 仿宋 body and 宋体 tables (as Chinese government documents are set), page numbers in the
//! footer, and tables that take the text width with fixed columns so they never run off A4.
//! The contents are listed from the headings when written and marked for Word and WPS to fill
//! in the page numbers on opening.

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, LineSpacing, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Shading,
    Style, StyleType, Table as DocTable, TableCell, TableLayoutType, TableOfContents, TableOfContentsItem, TableRow,
    WidthType,
};

use super::chart::{self, ChartFonts};
use super::{Block, Document, Table};
use crate::ReportError;
use crate::docx::{cell_text, pack};
use crate::xlsx::display_width;

/// A4 in twips, with the margins of GB/T 9704 rounded to what office suites offer.
const PAGE_W: u32 = 11_906;
const PAGE_H: u32 = 16_838;
const MARGIN_TB: i32 = 1_440;
const MARGIN_LR: i32 = 1_588;
const TEXT_W: usize = PAGE_W as usize - 2 * MARGIN_LR as usize;

const BODY: &str = "仿宋";
const HEADING: &str = "黑体";
const TABLE: &str = "宋体";
const LATIN: &str = "Times New Roman";

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new().east_asia(east_asia).ascii(LATIN).hi_ansi(LATIN)
}

fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(half_points)
}

fn heading_style(id: &str, name: &str, level: usize, half_points: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
        .fonts(fonts(HEADING))
        .size(half_points)
        .bold()
        .outline_lvl(level)
        .line_spacing(LineSpacing::new().before(240).after(120))
}

fn paragraph(text: &str) -> Paragraph {
    // 首行缩进两字, 小四 仿宋.
    Paragraph::new().add_run(run(text, BODY, 24)).first_line_chars(200).line_spacing(LineSpacing::new().after(60))
}

fn cell(text: &str, bold: bool, width: usize) -> TableCell {
    text.split('\n').fold(TableCell::new().width(width, WidthType::Dxa), |c, line| {
        let r = run(line, TABLE, 21);
        c.add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
    })
}

/// Column widths in twips summing to the text width: each column's share follows its widest
/// text (headers and the first rows), capped so one long title cannot starve the others.
fn columns(headers: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    let n = headers.len().max(1);
    let mut want: Vec<usize> = headers.iter().map(|h| display_width(h).clamp(4, 24)).collect();
    for r in rows.iter().take(50) {
        for (i, c) in r.iter().enumerate().take(n) {
            want[i] = want[i].max(display_width(c).clamp(4, 40));
        }
    }
    let total: usize = want.iter().sum::<usize>().max(1);
    let mut widths: Vec<usize> = want.iter().map(|w| TEXT_W * w / total).collect();
    let used: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += TEXT_W.saturating_sub(used);
    }
    widths
}

fn table(t: &Table) -> DocTable {
    let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(cell_text).collect()).collect();
    let widths = columns(&t.headers, &rows);
    let head = TableRow::new(
        t.headers.iter().zip(&widths).map(|(h, w)| cell(h, true, *w).shading(Shading::new().fill("D9D9D9"))).collect(),
    );
    let body = rows.iter().map(|r| TableRow::new(r.iter().zip(&widths).map(|(c, w)| cell(c, false, *w)).collect()));
    DocTable::new(std::iter::once(head).chain(body).collect())
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(TEXT_W, WidthType::Dxa)
}

fn figures(items: &[(String, String)]) -> DocTable {
    let widths = vec![TEXT_W * 3 / 5, TEXT_W - TEXT_W * 3 / 5];
    let rows =
        items.iter().map(|(k, v)| TableRow::new(vec![cell(k, false, widths[0]), cell(v, true, widths[1])])).collect();
    DocTable::new(rows).set_grid(widths).layout(TableLayoutType::Fixed).width(TEXT_W, WidthType::Dxa)
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

fn cover(mut doc: Docx, d: &Document) -> Docx {
    for _ in 0..6 {
        doc = doc.add_paragraph(Paragraph::new());
    }
    doc = doc.add_paragraph(Paragraph::new().add_run(run(&d.title, HEADING, 52).bold()).align(AlignmentType::Center));
    if let Some(mark) = &d.mark {
        doc = doc.add_paragraph(
            Paragraph::new().add_run(run(mark, HEADING, 32).color("C00000")).align(AlignmentType::Center),
        );
    }
    for _ in 0..4 {
        doc = doc.add_paragraph(Paragraph::new());
    }
    for (k, v) in &d.cover {
        let p = Paragraph::new()
            .add_run(run(&format!("{k}："), HEADING, 30))
            .add_run(run(v, BODY, 30))
            .indent(Some(1_200), None, None, None)
            .line_spacing(LineSpacing::new().after(200));
        doc = doc.add_paragraph(p);
    }
    doc.add_paragraph(page_break())
}

/// A chart as an inline picture the width of the text.
fn picture(png: Vec<u8>, n: usize) -> Paragraph {
    let (w_px, h_px) = ((chart::WIDTH * 2.0) as u32, (chart::HEIGHT * 2.0) as u32);
    // Twips to EMU: 635 each.
    let w = TEXT_W as u32 * 635;
    let h = (f64::from(w) * f64::from(chart::HEIGHT) / f64::from(chart::WIDTH)) as u32;
    let mut pic = Pic::new_with_dimensions(png, w_px, h_px).size(w, h);
    // Numbered per document, not from docx-rs's process-wide counter.
    pic.id = format!("rIdYwChart{n}");
    Paragraph::new().add_run(Run::new().add_image(pic)).align(AlignmentType::Center)
}

/// The document as a .docx file, its charts drawn with `fonts`.
pub fn write_docx(d: &Document, chart_fonts: &ChartFonts) -> Result<Vec<u8>, ReportError> {
    let mut charts = 0;
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .add_run(run("— ", TABLE, 28))
            .add_page_num(PageNum::new())
            .add_run(run(" —", TABLE, 28))
            .align(AlignmentType::Center),
    );
    let mut doc = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(PageMargin::new().top(MARGIN_TB).bottom(MARGIN_TB).left(MARGIN_LR).right(MARGIN_LR))
        .default_fonts(fonts(BODY))
        .default_size(24)
        .add_style(heading_style("Heading1", "Heading 1", 0, 32))
        .add_style(heading_style("Heading2", "Heading 2", 1, 28))
        .footer(footer);
    doc = cover(doc, d);
    // The contents list the chapters under bookmarks of our own naming, numbered per document
    // (docx-rs's automatic list numbers them from a process-wide counter); Word and WPS fill in
    // the page numbers when the file is opened.
    let toc =
        d.sections.iter().enumerate().fold(TableOfContents::new().heading_styles_range(1, 2).dirty(), |toc, (i, s)| {
            toc.add_item(
                TableOfContentsItem::new()
                    .text(format!("{}、{}", chinese_number(i + 1), s.title))
                    .toc_key(toc_key(i))
                    .level(1),
            )
        });
    doc = doc
        .add_paragraph(Paragraph::new().add_run(run("目  录", HEADING, 32).bold()).align(AlignmentType::Center))
        .add_table_of_contents(toc)
        .add_paragraph(page_break());
    for (i, s) in d.sections.iter().enumerate() {
        let number = chinese_number(i + 1);
        let heading = Paragraph::new()
            .add_bookmark_start(i + 1, toc_key(i))
            .add_run(Run::new().add_text(format!("{number}、{}", s.title)))
            .add_bookmark_end(i + 1)
            .style("Heading1");
        doc = doc.add_paragraph(heading);
        for b in &s.blocks {
            doc = match b {
                Block::Heading(h) => {
                    doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(h)).style("Heading2"))
                }
                Block::Text(t) => {
                    t.split('\n').filter(|l| !l.trim().is_empty()).fold(doc, |d, l| d.add_paragraph(paragraph(l)))
                }
                Block::Empty(t) => doc.add_paragraph(paragraph(t)),
                Block::Chart(c) => {
                    charts += 1;
                    doc.add_paragraph(picture(chart_fonts.png(c)?, charts))
                }
                Block::Figures(f) => doc.add_table(figures(f)).add_paragraph(Paragraph::new()),
                Block::Table(t) => {
                    if let Some(c) = &t.caption {
                        doc = doc.add_paragraph(
                            Paragraph::new().add_run(run(c, HEADING, 21)).align(AlignmentType::Center).keep_next(true),
                        );
                    }
                    doc = doc.add_table(table(t));
                    match &t.omitted {
                        Some(o) => doc.add_paragraph(Paragraph::new().add_run(run(o, TABLE, 18))),
                        None => doc.add_paragraph(Paragraph::new()),
                    }
                }
            };
        }
    }
    let at = d.made_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    doc = doc.created_at(&at).updated_at(&at);
    pack(doc)
}

fn toc_key(i: usize) -> String {
    format!("_TocYW{:04}", i + 1)
}

/// 一 … 九十九, for chapter numbers.
fn chinese_number(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".into(),
        1..=9 => D[n].into(),
        10..=19 => format!("十{}", D[n % 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_count_in_chinese() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(34), "三十四");
    }

    #[test]
    fn columns_fill_the_text_width() {
        let headers: Vec<String> = ["编号", "标题", "级别"].iter().map(|s| s.to_string()).collect();
        let rows = vec![vec!["T-1".to_string(), "某某系统门户网站首页无法访问，用户反映".repeat(5), "一级".into()]];
        let w = columns(&headers, &rows);
        assert_eq!(w.iter().sum::<usize>(), TEXT_W);
        assert!(w[1] > w[0] && w[1] > w[2]);
    }
}
