//! A periodic O&M report as a document: a cover, then sections of paragraphs, key figures and
//! tables, each section with the raw rows behind its numbers. The same document is written as
//! docx (the paper the bureau files), xlsx (one sheet per section, the rows behind every number)
//! and HTML (the preview in the browser), so the three never disagree.

pub mod chart;
mod docx;
mod html;
mod xlsx;

pub use docx::write_docx;
pub use html::write_html;
pub use xlsx::write_xlsx;

use crate::xlsx::Cell;

/// A whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 运维月报
    pub title: String,
    /// The cover's lines: (label, value) — 合同, 服务商, 报告期间, 编制日期 …
    pub cover: Vec<(String, String)>,
    /// Shown on the cover and the preview when the report is not issued (草稿 …).
    pub mark: Option<String>,
    pub sections: Vec<Section>,
    /// When the document was made, as its files' properties say: the issue time, or a draft's
    /// last change — not the moment it was rendered.
    pub made_at: chrono::DateTime<chrono::Utc>,
}

/// One chapter: its blocks on paper, and its rows in the workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub blocks: Vec<Block>,
    /// The raw rows behind the section's figures (the first sheet is named after the section,
    /// the others after themselves); none for a section of prose, whose text then makes its
    /// sheet.
    pub sheets: Vec<Sheet>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A sub-heading inside the section.
    Heading(String),
    /// A paragraph of prose; line breaks start new paragraphs.
    Text(String),
    /// Key figures as label–value pairs, shown as a two-column table.
    Figures(Vec<(String, String)>),
    Table(Table),
    /// Said when a section has nothing to show (“本期无工单”).
    Empty(String),
    /// A picture of figures the section also gives in a table or its sheet.
    Chart(chart::Chart),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub caption: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows left out of the paper (the workbook has them all), said under the table.
    pub omitted: Option<String>,
}

/// A worksheet: a header row and the data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Section {
    /// The section's text as a reader sees it (for search and for tests).
    pub fn text(&self) -> String {
        let mut out = vec![self.title.clone()];
        for b in &self.blocks {
            match b {
                Block::Heading(s) | Block::Text(s) | Block::Empty(s) => out.push(s.clone()),
                Block::Chart(c) => out.push(c.title.clone()),
                Block::Figures(f) => out.extend(f.iter().map(|(k, v)| format!("{k} {v}"))),
                Block::Table(t) => {
                    out.extend(t.caption.clone());
                    out.push(t.headers.join(" "));
                    for r in &t.rows {
                        out.push(r.iter().map(crate::docx::cell_text).collect::<Vec<_>>().join(" "));
                    }
                }
            }
        }
        out.join("\n")
    }
}
