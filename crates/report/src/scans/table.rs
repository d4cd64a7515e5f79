//! Tables as cells of text: the first sheet of an xlsx/xls workbook, or a CSV in whatever
//! encoding and delimiter the scanner chose.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xls, Xlsx};

use super::{ScanError, file_error, is_ole, is_zip};

/// The non-empty rows of a table, each with its 1-based row number as a spreadsheet program
/// shows it (blank rows count; a CSV cell spanning lines is still one row).
pub(crate) struct Grid {
    pub rows: Vec<(usize, Vec<String>)>,
}

pub(crate) fn load(bytes: &[u8]) -> Result<Grid, ScanError> {
    if is_zip(bytes) {
        let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable("xlsx", &e.to_string()))?;
        let range = wb.worksheet_range_at(0).ok_or_else(no_sheet)?.map_err(|e| unreadable("xlsx", &e.to_string()))?;
        Ok(from_range(&range))
    } else if is_ole(bytes) {
        let mut wb = Xls::new(Cursor::new(bytes)).map_err(|e| unreadable("xls", &e.to_string()))?;
        let range = wb.worksheet_range_at(0).ok_or_else(no_sheet)?.map_err(|e| unreadable("xls", &e.to_string()))?;
        Ok(from_range(&range))
    } else {
        csv(bytes)
    }
}

fn unreadable(kind: &str, detail: &str) -> ScanError {
    file_error(
        format!("无法读取 {kind} 文件（{detail}），文件可能已损坏"),
        format!("cannot read the {kind} file ({detail}); it may be corrupt"),
    )
}

fn no_sheet() -> ScanError {
    file_error("工作簿中没有工作表", "the workbook has no sheet")
}

fn from_range(range: &Range<Data>) -> Grid {
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, row)| (first_row as usize + i + 1, row.iter().map(cell_text).collect::<Vec<_>>()))
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect();
    Grid { rows }
}

/// Every cell as text: whole numbers without a decimal point (a port typed as 443 is "443").
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// CSV text: UTF-8 (the BOM Excel writes is dropped), UTF-16 with a BOM (Excel's "Unicode
/// text"), else GB18030, a superset of the GBK that 绿盟 RSAS and 启明星辰 天镜 export in.
fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

fn csv(bytes: &[u8]) -> Result<Grid, ScanError> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // A spreadsheet shows a record as one row however many lines its quoted cells span, and
    // counts blank lines (which the csv crate skips) as rows: so the row of a record is one
    // more than the line breaks before its end, less those inside quoted cells.
    let bytes = text.as_bytes();
    let (mut counted, mut breaks, mut inner) = (0usize, 0usize, 0usize);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                let mut p = super::Problem::file(
                    format!("第 {line} 行：CSV 格式错误（{e}）"),
                    format!("line {line}: malformed CSV ({e})"),
                );
                p.row = line;
                return Err(ScanError::File(p));
            }
        }
        let end = (reader.position().byte() as usize).min(bytes.len());
        let mut stop = end;
        while stop > counted && matches!(bytes[stop - 1], b'\n' | b'\r') {
            stop -= 1;
        }
        breaks += bytes[counted..stop].iter().filter(|&&b| b == b'\n').count();
        counted = stop;
        inner += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
        let row = 1 + breaks - inner.min(breaks);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((row, cells));
        }
    }
    Ok(Grid { rows })
}

/// Comma, unless the lines near the top (where the header is) have more tabs or semicolons
/// outside quotes. Per line, not in total: a title row above the header has none of them.
fn delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b'\t', b';'];
    let mut best = [0usize; 3];
    let mut line = [0usize; 3];
    let mut quoted = false;
    let mut lines = 0;
    for b in text.bytes().take(256 * 1024) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                for k in 0..3 {
                    best[k] = best[k].max(line[k]);
                }
                if line.iter().any(|&n| n > 0) {
                    lines += 1;
                    if lines == 20 {
                        break;
                    }
                }
                line = [0; 3];
            }
            _ if !quoted => {
                if let Some(k) = CANDIDATES.iter().position(|&c| c == b) {
                    line[k] += 1;
                }
            }
            _ => {}
        }
    }
    for k in 0..3 {
        best[k] = best[k].max(line[k]);
    }
    // Ties go to the comma, the first candidate.
    let mut pick = 0;
    for k in 1..3 {
        if best[k] > best[pick] {
            pick = k;
        }
    }
    CANDIDATES[pick]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(delimiter("报告\na\tb\tc\n\"x,y,z,w\"\t2\t3\n"), b'\t');
        assert_eq!(delimiter("a;b;c\n1;\"2,5\";3"), b';');
        assert_eq!(delimiter("单列"), b',');
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let grid = csv("h1,h2\n\n\"two\nlines\",x\n,\nlast,y\n".as_bytes()).expect("csv");
        let numbers: Vec<usize> = grid.rows.iter().map(|(n, _)| *n).collect();
        // Row 2 is blank, row 3 spans two lines, row 4 has only empty cells.
        assert_eq!(numbers, [1, 3, 5]);
        assert_eq!(grid.rows[1].1, ["two\nlines", "x"]);
    }

    #[test]
    fn encodings() {
        let (gbk, _, _) = encoding_rs::GBK.encode("名称,等级\n漏洞,高危\n");
        assert_eq!(decode(&gbk), "名称,等级\n漏洞,高危\n");
        assert_eq!(decode("\u{feff}名称".as_bytes()), "名称");
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("名称\t等级".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&utf16), "名称\t等级");
    }
}
