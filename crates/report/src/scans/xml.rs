//! Streaming XML for the scanner readers: one pass of quick-xml over the bytes, no DOM, so a
//! 100 MB report costs its own size in memory and not ten times that.
//!
//! The readers see the document as a path of element names (local names, prefixes dropped)
//! with callbacks at starts, text and ends. Entities: the five predefined ones and character
//! references are resolved; others (from a DTD) are kept as written, never expanded, so an
//! uploaded file cannot make us read local files or blow up memory.

use std::borrow::Cow;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{SUPPORTED_EN, SUPPORTED_ZH, nessus, openvas};
use super::{ScanError, ScanFile, file_error};

/// Reads an XML report, choosing the reader by the root element.
pub(crate) fn read(body: &[u8]) -> Result<ScanFile, ScanError> {
    let src = decode(body);
    let root = root_name(&src)?;
    match root.as_str() {
        "NessusClientData_v2" => nessus::read(&src),
        "report" | "get_reports_response" => openvas::read(&src, &root),
        _ => Err(file_error(
            format!("无法识别的 XML 报告（根元素 <{root}>）：{SUPPORTED_ZH}"),
            format!("unrecognised XML report (root element <{root}>): {SUPPORTED_EN}"),
        )),
    }
}

/// Scanners write UTF-8; an export re-saved by some Windows tool may carry another encoding in
/// its declaration, which is honoured when the bytes are not UTF-8. Line breaks are ASCII in
/// every such encoding, so line numbers stay those of the file.
fn decode(body: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(body) {
        return Cow::Borrowed(s);
    }
    let head = &body[..body.len().min(200)];
    let label = find(head, b"encoding=").and_then(|at| {
        let rest = &head[at + 9..];
        let quote = *rest.first()?;
        let value = &rest[1..];
        let end = value.iter().position(|&b| b == quote)?;
        Some(&value[..end])
    });
    let encoding = label.and_then(encoding_rs::Encoding::for_label).unwrap_or(encoding_rs::UTF_8);
    encoding.decode_without_bom_handling(body).0
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The local name of the document's root element.
fn root_name(src: &str) -> Result<String, ScanError> {
    let mut r = Reader::from_str(src);
    let mut lines = Lines::new(src.as_bytes());
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => return Ok(local(&e).to_string()),
            Ok(Event::Eof) => {
                return Err(file_error(
                    format!("XML 文件中没有任何元素：{SUPPORTED_ZH}"),
                    format!("the XML file has no element: {SUPPORTED_EN}"),
                ));
            }
            Ok(_) => {}
            Err(e) => {
                let detail = e.to_string();
                return Err(malformed(lines.at(r.error_position() as usize), &detail, &detail));
            }
        }
    }
}

fn local<'a>(e: &'a BytesStart<'_>) -> &'a str {
    e.local_name().into_inner()
}

/// An attribute's value, unescaped; `None` when absent or blank.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok().flatten()?;
    // quick-xml refuses a value with an entity it does not know; such a value is kept with the
    // unknown entity as written, like in text.
    let v =
        a.normalized_value(XmlVersion::Implicit1_0).map(Cow::into_owned).unwrap_or_else(|_| unescape_lenient(&a.value));
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Predefined entities and character references resolved, anything else kept as written.
fn unescape_lenient(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let name = rest.find(';').filter(|&semi| semi <= 32).map(|semi| &rest[1..semi]);
        let value = name.and_then(|n| match n.strip_prefix('#') {
            Some(num) => {
                let code = match num.strip_prefix('x') {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                code.and_then(char::from_u32).map(String::from)
            }
            None => resolve_predefined_entity(n).map(String::from),
        });
        match (name, value) {
            (Some(n), Some(v)) => {
                out.push_str(&v);
                rest = &rest[n.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn malformed(line: usize, zh: &str, en: &str) -> ScanError {
    let mut p = super::Problem::file(
        format!("第 {line} 行：XML 格式错误（{zh}）"),
        format!("line {line}: malformed XML ({en})"),
    );
    p.row = line;
    ScanError::File(p)
}

/// 1-based line numbers of byte offsets, counted forward from the last one asked (readers ask
/// in document order, so the whole file is counted once).
struct Lines<'a> {
    src: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(src: &'a [u8]) -> Self {
        Lines { src, offset: 0, line: 1 }
    }

    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.src[self.offset..offset].iter().filter(|&&b| b == b'\n').count();
        self.offset = offset;
        self.line
    }
}

/// Where the element being started begins, for readers that record it.
pub(crate) struct Here<'s, 'a> {
    lines: &'s mut Lines<'a>,
    offset: usize,
}

impl Here<'_, '_> {
    /// The 1-based line of the element's `<`.
    pub(crate) fn line(&mut self) -> usize {
        self.lines.at(self.offset)
    }
}

/// Element names from the root down to the current element, kept in one buffer so that
/// walking millions of elements allocates nothing.
#[derive(Default)]
pub(crate) struct Path {
    names: String,
    ends: Vec<usize>,
}

impl Path {
    fn push(&mut self, name: &str) {
        self.names.push_str(name);
        self.ends.push(self.names.len());
    }

    fn pop(&mut self) {
        self.ends.pop();
        self.names.truncate(self.ends.last().copied().unwrap_or(0));
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`-th name from the root (0 is the root); "" past the end.
    pub(crate) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.names.get(start..end).unwrap_or("")
    }

    pub(crate) fn ends_with(&self, tail: &[&str]) -> bool {
        let n = self.len();
        n >= tail.len() && tail.iter().enumerate().all(|(k, t)| self.get(n - tail.len() + k) == *t)
    }

    /// Whether the names below depth `depth` (the element at `depth - 1` is the anchor, such as
    /// an item) are exactly `rel`.
    pub(crate) fn below(&self, depth: usize, rel: &[&str]) -> bool {
        self.len() == depth + rel.len() && rel.iter().enumerate().all(|(k, r)| self.get(depth + k) == *r)
    }
}

/// What a reader does with the document.
pub(crate) trait Handler {
    /// An element starts; `path` ends with it.
    fn start(&mut self, path: &Path, e: &BytesStart<'_>, here: &mut Here<'_, '_>) -> Result<(), ScanError>;
    /// Text directly inside the element `path` ends with, trimmed and never blank. Text
    /// interrupted by a child element comes in pieces.
    fn text(&mut self, path: &Path, text: &str);
    /// An element ends; `path` still ends with it.
    fn end(&mut self, path: &Path) -> Result<(), ScanError>;
}

/// Walks the whole document, reporting malformed XML with its line.
pub(crate) fn walk(src: &str, h: &mut impl Handler) -> Result<(), ScanError> {
    let mut r = Reader::from_str(src);
    let mut lines = Lines::new(src.as_bytes());
    let mut path = Path::default();
    let mut text = String::new();
    loop {
        let before = r.buffer_position() as usize;
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let detail = e.to_string();
                return Err(malformed(lines.at(r.error_position() as usize), &detail, &detail));
            }
        };
        match ev {
            Event::Start(e) => {
                flush(h, &path, &mut text);
                path.push(local(&e));
                h.start(&path, &e, &mut Here { lines: &mut lines, offset: before })?;
            }
            Event::Empty(e) => {
                flush(h, &path, &mut text);
                path.push(local(&e));
                h.start(&path, &e, &mut Here { lines: &mut lines, offset: before })?;
                h.end(&path)?;
                path.pop();
            }
            Event::End(_) => {
                flush(h, &path, &mut text);
                h.end(&path)?;
                path.pop();
            }
            Event::Text(t) if path.len() > 0 => text.push_str(&t.xml10_content()),
            Event::CData(t) if path.len() > 0 => text.push_str(&t.xml10_content()),
            Event::GeneralRef(e) if path.len() > 0 => match e.resolve_char_ref() {
                Ok(Some(ch)) => text.push(ch),
                _ => {
                    let name = e.xml10_content();
                    match resolve_predefined_entity(&name) {
                        Some(v) => text.push_str(v),
                        None => {
                            text.push('&');
                            text.push_str(&name);
                            text.push(';');
                        }
                    }
                }
            },
            Event::Eof => {
                if path.len() > 0 {
                    // A truncated upload: the scanner always closes its root.
                    let open = path.get(path.len() - 1).to_string();
                    let line = lines.at(src.len());
                    return Err(malformed(
                        line,
                        &format!("元素 <{open}> 没有结束，文件可能不完整"),
                        &format!("element <{open}> is not closed, the file may be truncated"),
                    ));
                }
                return Ok(());
            }
            _ => {}
        }
    }
}

fn flush(h: &mut impl Handler, path: &Path, text: &mut String) {
    let t = text.trim();
    if !t.is_empty() && path.len() > 0 {
        h.text(path, t);
    }
    text.clear();
}
