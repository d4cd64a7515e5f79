//! The report as HTML for the preview: the same blocks as the paper, every text escaped. A
//! fragment, not a page: the web app places it in its own frame and styles.

use super::{Block, Document, Table};
use crate::docx::cell_text;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, t: &Table) {
    out.push_str("<table class=\"rp-table\">");
    if let Some(c) = &t.caption {
        out.push_str(&format!("<caption>{}</caption>", esc(c)));
    }
    out.push_str("<thead><tr>");
    for h in &t.headers {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{}</td>", esc(&cell_text(c)).replace('\n', "<br>")));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    if let Some(o) = &t.omitted {
        out.push_str(&format!("<p class=\"rp-note\">{}</p>", esc(o)));
    }
}

/// The document as an HTML fragment.
pub fn write_html(d: &Document) -> String {
    let mut out = String::from("<article class=\"rp\">");
    out.push_str(&format!("<h1>{}</h1>", esc(&d.title)));
    if let Some(m) = &d.mark {
        out.push_str(&format!("<p class=\"rp-mark\">{}</p>", esc(m)));
    }
    out.push_str("<dl class=\"rp-cover\">");
    for (k, v) in &d.cover {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v)));
    }
    out.push_str("</dl>");
    for s in &d.sections {
        out.push_str(&format!("<section id=\"rp-{}\"><h2>{}</h2>", esc(&s.key), esc(&s.title)));
        for b in &s.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("<h3>{}</h3>", esc(h))),
                Block::Text(t) => {
                    for l in t.split('\n').filter(|l| !l.trim().is_empty()) {
                        out.push_str(&format!("<p>{}</p>", esc(l)));
                    }
                }
                Block::Empty(t) => out.push_str(&format!("<p class=\"rp-empty\">{}</p>", esc(t))),
                Block::Figures(f) => {
                    out.push_str("<dl class=\"rp-figures\">");
                    for (k, v) in f {
                        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v)));
                    }
                    out.push_str("</dl>");
                }
                Block::Table(t) => table(&mut out, t),
                // Our own SVG, every text in it escaped.
                Block::Chart(c) => {
                    out.push_str("<figure class=\"rp-chart\">");
                    out.push_str(&c.svg());
                    out.push_str("</figure>");
                }
            }
        }
        out.push_str("</section>");
    }
    out.push_str("</article>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let d = Document {
            title: "<script>alert(1)</script>".into(),
            cover: vec![("合同".into(), "A & B".into())],
            mark: None,
            sections: vec![],
            made_at: chrono::DateTime::UNIX_EPOCH,
        };
        let h = write_html(&d);
        assert!(h.contains("&lt;script&gt;") && h.contains("A &amp; B") && !h.contains("<script>"));
    }
}
