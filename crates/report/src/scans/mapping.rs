//! Guessing which column is which from the headers scanners and people write, and the words
//! of the severity column.

use super::{ColumnMapping, ScanError, ScanSeverity, file_error};

/// Header synonyms per field, most specific first: when a file has both "CVSS v3.0 Base Score"
/// and "CVSS v2.0 Base Score", the earlier synonym wins. Compared after [`normal`].
const TITLE: &[&str] = &[
    "漏洞名称",
    "漏洞标题",
    "名称",
    "标题",
    "漏洞",
    "title",
    "name",
    "pluginname",
    "nvtname",
    "vulnerability",
    "vulnerabilityname",
];
const SEVERITY: &[&str] = &[
    "风险等级",
    "危险等级",
    "风险级别",
    "严重程度",
    "漏洞等级",
    "漏洞级别",
    "威胁等级",
    "危险级别",
    "危险程度",
    "严重性",
    "等级",
    "级别",
    "风险",
    "severity",
    "risk",
    "riskfactor",
    "threat",
];
const HOST: &[&str] = &[
    "ip",
    "ip地址",
    "主机",
    "主机地址",
    "主机ip",
    "目标",
    "目标ip",
    "资产ip",
    "host",
    "hostip",
    "ipaddress",
    "target",
];
const HOSTNAME: &[&str] = &["主机名", "主机名称", "计算机名", "域名", "hostname", "fqdn", "netbiosname", "netbios"];
const PORT: &[&str] = &["端口", "端口号", "服务端口", "端口/协议", "port"];
const PROTOCOL: &[&str] = &["协议", "protocol", "portprotocol"];
const URL: &[&str] = &["url", "网址", "地址", "链接", "漏洞url", "uri"];
const PLUGIN_ID: &[&str] = &["插件id", "插件编号", "漏洞id", "规则id", "pluginid", "nvtoid", "oid"];
const CVSS: &[&str] = &[
    "cvssv3.0basescore",
    "cvssv3basescore",
    "cvss3",
    "cvssv3",
    "cvss3.1",
    "cvss",
    "cvss评分",
    "cvss分值",
    "cvss分数",
    "cvssbasescore",
    "cvssv2.0basescore",
    "cvssv2basescore",
];
const IDENTIFIERS: &[&str] = &["编号", "漏洞编号", "参考编号", "references"];
const CVE: &[&str] = &["cve", "cve编号", "cveid", "cves"];
const CNVD: &[&str] = &["cnvd", "cnvd编号", "cnvdid"];
const CNNVD: &[&str] = &["cnnvd", "cnnvd编号", "cnnvdid"];
const DESCRIPTION: &[&str] = &["描述", "漏洞描述", "详细描述", "漏洞详情", "description", "summary", "synopsis"];
const SOLUTION: &[&str] = &["解决办法", "解决方案", "修复建议", "整改建议", "修复方案", "加固建议", "建议", "solution"];
const EVIDENCE: &[&str] =
    &["返回信息", "证据", "验证信息", "验证结果", "检测结果", "输出", "evidence", "pluginoutput", "specificresult"];

/// Lower case, without spaces, underscores and dashes: "Plugin ID", "plugin_id" and "PluginID"
/// are one header.
pub(crate) fn normal(header: &str) -> String {
    header
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The best guess from common Chinese and English headers. Title or severity left "" when no
/// header looks like them: the UI asks.
pub fn mapping_guess(headers: &[String]) -> ColumnMapping {
    let normals: Vec<String> = headers.iter().map(|h| normal(h)).collect();
    let mut used = vec![false; headers.len()];
    let mut pick = |synonyms: &[&str]| -> Option<String> {
        let i = synonyms.iter().find_map(|s| (0..normals.len()).find(|&i| !used[i] && normals[i] == *s))?;
        used[i] = true;
        Some(headers[i].trim().to_string())
    };
    // Identifier columns before the generic "编号", host before the generic "地址".
    let cve = pick(CVE);
    let cnvd = pick(CNVD);
    let cnnvd = pick(CNNVD);
    let plugin_id = pick(PLUGIN_ID);
    let hostname = pick(HOSTNAME);
    let host = pick(HOST);
    ColumnMapping {
        title: pick(TITLE).unwrap_or_default(),
        severity: pick(SEVERITY).unwrap_or_default(),
        host,
        hostname,
        port: pick(PORT),
        protocol: pick(PROTOCOL),
        url: pick(URL),
        plugin_id,
        cvss: pick(CVSS),
        identifiers: pick(IDENTIFIERS),
        cve,
        cnvd,
        cnnvd,
        description: pick(DESCRIPTION),
        solution: pick(SOLUTION),
        evidence: pick(EVIDENCE),
        severity_words: Default::default(),
    }
}

/// A severity cell's meaning: `Some(None)` is informational.
pub(crate) type Level = Option<ScanSeverity>;

const CRITICAL_WORDS: &[&str] = &["危急", "紧急", "严重", "超危", "critical", "urgent"];
const HIGH_WORDS: &[&str] = &["高", "高危", "高风险", "high"];
const MEDIUM_WORDS: &[&str] = &["中", "中危", "中风险", "medium", "moderate"];
const LOW_WORDS: &[&str] = &["低", "低危", "低风险", "low"];
const INFO_WORDS: &[&str] = &["信息", "提示", "info", "informational", "none", "log", "debug", "false positive"];

/// Reads the severity column with the built-in words, the mapping's own words and Nessus'
/// numeric levels.
pub(crate) struct SeverityWords {
    extra: Vec<(String, Level)>,
}

impl SeverityWords {
    pub(crate) fn new(mapping: &ColumnMapping) -> Result<Self, ScanError> {
        let mut extra = Vec::new();
        for (word, meaning) in &mapping.severity_words {
            let level = match meaning.trim().to_ascii_lowercase().as_str() {
                "critical" => Some(ScanSeverity::Critical),
                "high" => Some(ScanSeverity::High),
                "medium" => Some(ScanSeverity::Medium),
                "low" => Some(ScanSeverity::Low),
                "info" => None,
                _ => {
                    return Err(file_error(
                        format!("等级词“{word}”的含义“{meaning}”无效：应为 critical、high、medium、low 或 info"),
                        format!(
                            "severity word “{word}” maps to “{meaning}”: expected critical, high, medium, low or info"
                        ),
                    ));
                }
            };
            extra.push((word.trim().to_lowercase(), level));
        }
        Ok(SeverityWords { extra })
    }

    /// `None` when the word is not known.
    pub(crate) fn level(&self, cell: &str) -> Option<Level> {
        let word = cell.trim().to_lowercase();
        if let Some((_, level)) = self.extra.iter().find(|(w, _)| *w == word) {
            return Some(*level);
        }
        let lists = [
            (CRITICAL_WORDS, Some(ScanSeverity::Critical)),
            (HIGH_WORDS, Some(ScanSeverity::High)),
            (MEDIUM_WORDS, Some(ScanSeverity::Medium)),
            (LOW_WORDS, Some(ScanSeverity::Low)),
            (INFO_WORDS, None),
        ];
        if let Some((_, level)) = lists.iter().find(|(words, _)| words.contains(&word.as_str())) {
            return Some(*level);
        }
        word.parse::<i64>().ok().and_then(ScanSeverity::from_level)
    }

    /// The accepted words, for the message about one that is not.
    pub(crate) fn accepted(&self) -> String {
        let builtin = [CRITICAL_WORDS, HIGH_WORDS, MEDIUM_WORDS, LOW_WORDS, INFO_WORDS].concat();
        let mut words: Vec<&str> = builtin;
        words.extend(self.extra.iter().map(|(w, _)| w.as_str()));
        words.push("0–4");
        words.join("、")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn chinese_scanner_headers() {
        let m = mapping_guess(&headers(&[
            "序号",
            " IP地址 ",
            "端口",
            "漏洞名称",
            "风险等级",
            "CVE编号",
            "CNVD编号",
            "漏洞描述",
            "解决办法",
            "返回信息",
            "地址",
        ]));
        assert_eq!(m.title, "漏洞名称");
        assert_eq!(m.severity, "风险等级");
        assert_eq!(m.host.as_deref(), Some("IP地址"));
        assert_eq!(m.port.as_deref(), Some("端口"));
        assert_eq!(m.url.as_deref(), Some("地址"));
        assert_eq!(m.cve.as_deref(), Some("CVE编号"));
        assert_eq!(m.cnvd.as_deref(), Some("CNVD编号"));
        assert_eq!(m.cnnvd, None);
        assert_eq!(m.description.as_deref(), Some("漏洞描述"));
        assert_eq!(m.solution.as_deref(), Some("解决办法"));
        assert_eq!(m.evidence.as_deref(), Some("返回信息"));
        assert_eq!(m.identifiers, None);
    }

    #[test]
    fn nessus_csv_headers_prefer_cvss3() {
        let m = mapping_guess(&headers(&[
            "Plugin ID",
            "CVE",
            "CVSS v2.0 Base Score",
            "CVSS v3.0 Base Score",
            "Risk",
            "Host",
            "Protocol",
            "Port",
            "Name",
            "Synopsis",
            "Description",
            "Solution",
            "Plugin Output",
        ]));
        assert_eq!(m.title, "Name");
        assert_eq!(m.severity, "Risk");
        assert_eq!(m.plugin_id.as_deref(), Some("Plugin ID"));
        assert_eq!(m.cvss.as_deref(), Some("CVSS v3.0 Base Score"));
        assert_eq!(m.protocol.as_deref(), Some("Protocol"));
        assert_eq!(m.description.as_deref(), Some("Description"), "the more specific header wins over Synopsis");
        assert_eq!(m.evidence.as_deref(), Some("Plugin Output"));
    }

    #[test]
    fn missing_required_columns_stay_empty() {
        let m = mapping_guess(&headers(&["主机", "编号", "备注"]));
        assert_eq!((m.title.as_str(), m.severity.as_str()), ("", ""));
        assert_eq!(m.host.as_deref(), Some("主机"));
        assert_eq!(m.identifiers.as_deref(), Some("编号"));
    }

    #[test]
    fn severity_words() {
        let mut m = ColumnMapping::default();
        m.severity_words.insert("很高".into(), "High".into());
        let w = SeverityWords::new(&m).expect("valid words");
        assert_eq!(w.level(" 紧急 "), Some(Some(ScanSeverity::Critical)));
        assert_eq!(w.level("High"), Some(Some(ScanSeverity::High)));
        assert_eq!(w.level("很高"), Some(Some(ScanSeverity::High)));
        assert_eq!(w.level("2"), Some(Some(ScanSeverity::Medium)));
        assert_eq!(w.level("信息"), Some(None));
        assert_eq!(w.level("0"), Some(None));
        assert_eq!(w.level("5"), None);
        assert_eq!(w.level("较高"), None);
        assert!(w.accepted().contains("很高"));
        m.severity_words.insert("x".into(), "severe".into());
        assert!(matches!(SeverityWords::new(&m), Err(ScanError::File(_))));
    }
}
