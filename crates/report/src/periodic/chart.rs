//! Charts of a report: one SVG of our own drawing — bars (a distribution) or a line (a trend),
//! with the value on each point, the labels under the axis and an optional target line — shown
//! as it is in the preview and rasterised to PNG with resvg for Word. Text in the PNG needs a
//! font with Chinese glyphs on the server; [`ChartFonts`] loads the system's fonts (and any
//! given file) once and says whether one was found, so a server without one says so in its log
//! instead of issuing charts with empty boxes.

use std::fmt::Write as _;
use std::sync::Arc;

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

use crate::ReportError;

/// The chart's size in SVG units (and PNG pixels at scale 1).
pub const WIDTH: f32 = 640.0;
pub const HEIGHT: f32 = 300.0;
/// Bars beyond these are left out of the picture (the table and the sheet have them all).
pub const MAX_POINTS: usize = 24;
/// Families asked for in order: the Chinese fonts a government PC or a Linux server carries.
const FAMILIES: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', SimHei, 'Droid Sans Fallback', sans-serif";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Bars,
    Line,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    /// Appended to each value shown ("%" for rates).
    pub unit: String,
    /// A dashed line at the target, in the values' scale.
    pub target: Option<f64>,
    /// Where the value axis starts (0 for counts; just under the lowest for availability, whose
    /// differences live in the last digits).
    pub floor: f64,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn shown(v: f64, unit: &str) -> String {
    let s = format!("{v:.2}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    format!("{s}{unit}")
}

/// A label cut to `n` characters, so long system names do not run into each other.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

impl Chart {
    /// The chart as a standalone SVG document.
    pub fn svg(&self) -> String {
        let n = self.values.len().min(MAX_POINTS);
        let (left, right, top, bottom) = (40.0_f32, 16.0_f32, 36.0_f32, 64.0_f32);
        let (w, h) = (WIDTH - left - right, HEIGHT - top - bottom);
        let floor = self.floor;
        let max = self.values.iter().take(n).copied().chain(self.target).fold(floor, f64::max);
        let max = if max <= floor { floor + 1.0 } else { floor + (max - floor) * 1.15 };
        let y = |v: f64| top + h - (((v - floor) / (max - floor)).clamp(0.0, 1.0)) as f32 * h;
        let step = if n == 0 { w } else { w / n as f32 };
        let x = |i: usize| left + step * (i as f32 + 0.5);
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FAMILIES}"><rect width="100%" height="100%" fill="#ffffff"/><text x="{}" y="22" font-size="15" font-weight="bold" text-anchor="middle" fill="#303133">{}</text><line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#909399" stroke-width="1"/>"##,
            WIDTH / 2.0,
            esc(&self.title),
            top + h,
            left + w,
            top + h
        );
        let label_chars = if n > 12 { 4 } else { 8 };
        for (i, v) in self.values.iter().take(n).enumerate() {
            let (cx, cy) = (x(i), y(*v));
            match self.kind {
                ChartKind::Bars => {
                    let bw = (step * 0.6).min(48.0);
                    let _ = write!(
                        out,
                        r##"<rect x="{}" y="{cy}" width="{bw}" height="{}" fill="#409eff"/>"##,
                        cx - bw / 2.0,
                        (top + h - cy).max(0.0)
                    );
                }
                ChartKind::Line => {
                    let _ = write!(out, r##"<circle cx="{cx}" cy="{cy}" r="3" fill="#409eff"/>"##);
                }
            }
            let _ = write!(
                out,
                r##"<text x="{cx}" y="{}" font-size="11" text-anchor="middle" fill="#303133">{}</text>"##,
                cy - 5.0,
                esc(&shown(*v, &self.unit))
            );
            let label = self.labels.get(i).map_or(String::new(), |l| short(l, label_chars));
            let _ = write!(
                out,
                r##"<text x="{cx}" y="{}" font-size="11" text-anchor="end" fill="#606266" transform="rotate(-30 {cx} {})">{}</text>"##,
                top + h + 16.0,
                top + h + 16.0,
                esc(&label)
            );
        }
        if self.kind == ChartKind::Line && n > 1 {
            let points: Vec<String> =
                self.values.iter().take(n).enumerate().map(|(i, v)| format!("{},{}", x(i), y(*v))).collect();
            let _ = write!(
                out,
                r##"<polyline points="{}" fill="none" stroke="#409eff" stroke-width="2"/>"##,
                points.join(" ")
            );
        }
        if let Some(t) = self.target {
            let ty = y(t);
            let _ = write!(
                out,
                r##"<line x1="{left}" y1="{ty}" x2="{}" y2="{ty}" stroke="#f56c6c" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{}" y="{}" font-size="11" text-anchor="start" fill="#f56c6c">{}</text>"##,
                left + w,
                left + 4.0,
                ty - 4.0,
                esc(&format!("目标 {}", shown(t, &self.unit)))
            );
        }
        out.push_str("</svg>");
        out
    }
}

/// The fonts charts are drawn with, loaded once per server.
pub struct ChartFonts {
    db: Arc<fontdb::Database>,
}

impl ChartFonts {
    /// The system's fonts and `extra` font files (a CJK font the operator points to); the files
    /// that could not be read, with why.
    pub fn load(extra: &[std::path::PathBuf]) -> (ChartFonts, Vec<String>) {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        let mut failed = Vec::new();
        for f in extra {
            if let Err(e) = db.load_font_file(f) {
                failed.push(format!("{}: {e}", f.display()));
            }
        }
        (ChartFonts { db: Arc::new(db) }, failed)
    }

    /// Whether a font that draws Chinese is loaded: one that names itself in Chinese, or a
    /// known CJK family.
    pub fn has_chinese(&self) -> bool {
        const CJK: &[&str] = &["CJK", "Source Han", "WenQuanYi", "YaHei", "SimHei", "SimSun", "Droid Sans Fallback"];
        self.db.faces().any(|f| {
            f.families
                .iter()
                .any(|(name, lang)| lang.primary_language() == "Chinese" || CJK.iter().any(|c| name.contains(c)))
        })
    }

    /// The chart as a PNG at twice its size (sharp when printed).
    pub fn png(&self, chart: &Chart) -> Result<Vec<u8>, ReportError> {
        let opt = usvg::Options { fontdb: self.db.clone(), ..usvg::Options::default() };
        let tree = usvg::Tree::from_str(&chart.svg(), &opt).map_err(|e| ReportError::Render(e.to_string()))?;
        let scale = 2.0;
        let mut pixmap = tiny_skia::Pixmap::new((WIDTH * scale) as u32, (HEIGHT * scale) as u32)
            .ok_or_else(|| ReportError::Render("chart pixmap".into()))?;
        resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        pixmap.encode_png().map_err(|e| ReportError::Render(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            title: "工单按类型 <A&B>".into(),
            kind: ChartKind::Bars,
            labels: vec!["故障".into(), "需求".into(), "一个非常非常长的信息系统名称".into()],
            values: vec![12.0, 3.0, 0.5],
            unit: String::new(),
            target: Some(10.0),
            floor: 0.0,
        }
    }

    #[test]
    fn the_svg_holds_every_value_escaped() {
        let svg = chart().svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;A&amp;B&gt;"));
        assert_eq!(svg.matches("<rect x=").count(), 3, "three bars");
        assert!(svg.contains(">12<") && svg.contains(">0.5<") && svg.contains("目标 10"));
        assert!(svg.contains("一个非常非常长…"), "long labels are cut");
        let line = Chart { kind: ChartKind::Line, ..chart() };
        assert!(line.svg().contains("<polyline"));
        let many = Chart { values: vec![1.0; 40], labels: vec!["x".into(); 40], ..chart() };
        assert_eq!(many.svg().matches("<rect x=").count(), MAX_POINTS);
    }

    #[test]
    fn the_png_is_a_png_of_twice_the_size() {
        let (fonts, failed) = ChartFonts::load(&[std::path::PathBuf::from("/nonexistent/font.ttf")]);
        assert_eq!(failed.len(), 1, "a missing font file is reported");
        let png = fonts.png(&chart()).expect("png");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        // IHDR: width and height big-endian at bytes 16..24.
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!((w, h), ((WIDTH * 2.0) as u32, (HEIGHT * 2.0) as u32));
    }
}
