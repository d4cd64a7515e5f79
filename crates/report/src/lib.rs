//! Document rendering and reading. Knows no database: callers hand it rows of cells.

pub mod docx;
pub mod form;
pub mod periodic;
pub mod scans;
pub mod xlsx;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The uploaded file is not a readable xlsx workbook.
    #[error("not a readable xlsx file: {0}")]
    Unreadable(String),
    /// The workbook has no sheet or no header row.
    #[error("the workbook is empty")]
    Empty,
    #[error("could not render the document: {0}")]
    Render(String),
}
