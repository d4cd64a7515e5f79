//! Spreadsheet and CSV exports as Chinese scanners and people produce them.

use rust_xlsxwriter::Workbook;

use super::*;

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "test text must be GBK");
    bytes.into_owned()
}

/// A 绿盟 RSAS-style export: GBK, a title row and a time row above the header, quoted cells
/// with commas and line breaks.
const RSAS: &str = "政务外网漏洞扫描报告,,,,,,,,\r\n\
扫描时间：2024-06-04 10:20,,,,,,,,\r\n\
\r\n\
序号,IP地址,端口,漏洞名称,风险等级,CVE编号,CNVD编号,漏洞描述,解决办法\r\n\
1,10.2.0.5,443/tcp,Apache Log4j2 远程代码执行漏洞,紧急,\"CVE-2021-44228,CVE-2021-45046\",CNVD-2021-95914,\"Log4j2 在处理 JNDI 时，存在远程代码执行漏洞\r\n影响 2.0 至 2.14.1\",升级到 2.17.1\r\n\
2,10.2.0.5,22,OpenSSH 弱加密算法,中危,无,-,支持弱加密算法,禁用弱算法\r\n\
3,10.2.0.6,TCP:3306,MySQL 弱口令,高危,,,root 使用弱口令,修改口令\r\n\
4,10.2.0.7,,ICMP 时间戳请求响应,信息,CVE-1999-0524,,,\r\n\
5,10.2.0.5,22,OpenSSH 弱加密算法,中危,无,-,支持弱加密算法,禁用弱算法\r\n\
6,10.2.0.6,tcp/161,SNMP 默认团体名,低危,CVE-1999-0517,,,\r\n\
,,,,,,,,\r\n";

#[test]
fn gbk_csv_with_title_rows_is_read_with_a_guessed_mapping() {
    let bytes = gbk(RSAS);
    assert!(std::str::from_utf8(&bytes).is_err(), "the test file really is GBK");
    let f = read_scan(&bytes, None).expect("a readable export");
    assert_eq!(f.format, ScanFormat::Table);
    assert_eq!((f.scanner.as_deref(), f.started_at), (None, None));
    assert_eq!(f.hosts, ["10.2.0.5", "10.2.0.6", "10.2.0.7"], "the host with only an informational row is covered");
    assert_eq!(f.informational, 1);
    let rows: Vec<usize> = f.findings.iter().map(|x| x.row).collect();
    // The header is row 4; the Log4j record spans two lines but is one row.
    assert_eq!(rows, [5, 6, 7, 9, 10]);
    let severities: Vec<ScanSeverity> = f.findings.iter().map(|x| x.severity).collect();
    use ScanSeverity::*;
    assert_eq!(severities, [Critical, Medium, High, Medium, Low]);

    let log4j = &f.findings[0];
    assert_eq!(log4j.title, "Apache Log4j2 远程代码执行漏洞");
    assert_eq!(
        (log4j.host.as_deref(), log4j.port, log4j.protocol.as_deref()),
        (Some("10.2.0.5"), Some(443), Some("tcp"))
    );
    assert_eq!(log4j.cves, ["CVE-2021-44228", "CVE-2021-45046"]);
    assert_eq!(log4j.cnvd, ["CNVD-2021-95914"]);
    assert_eq!(log4j.description.as_deref(), Some("Log4j2 在处理 JNDI 时，存在远程代码执行漏洞\r\n影响 2.0 至 2.14.1"));
    assert_eq!(log4j.solution.as_deref(), Some("升级到 2.17.1"));
    assert_eq!((log4j.plugin_id.as_deref(), log4j.cvss, log4j.evidence.as_deref()), (None, None, None));

    let ssh = &f.findings[1];
    assert_eq!((ssh.port, ssh.protocol.as_deref()), (Some(22), None));
    assert!(ssh.cves.is_empty() && ssh.cnvd.is_empty(), "无 and - are not ids");
    assert_eq!(f.findings[3].title, ssh.title, "duplicates are kept");
    let mysql = &f.findings[2];
    assert_eq!((mysql.port, mysql.protocol.as_deref()), (Some(3306), Some("tcp")));
    assert_eq!(f.findings[4].port, Some(161));

    let headers = table_headers(&bytes).expect("headers");
    assert_eq!(headers[..5], ["序号", "IP地址", "端口", "漏洞名称", "风险等级"]);
}

#[test]
fn xlsx_with_a_user_mapping() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows: [&[&str]; 6] = [
        &["天镜脆弱性扫描与管理系统 导出"],
        &["目标", "检查项", "危险程度", "编号", "CVSS", "插件编号", "验证信息", "访问路径"],
        &[
            "10.3.0.1",
            "Struts2 S2-045 远程代码执行",
            "很高",
            "CVE-2017-5638；CNNVD-201703-152、cnvd-2017-02474",
            "10",
            "S2-045",
            "Content-Type 注入成功",
            "http://10.3.0.1/login.action",
        ],
        &["10.3.0.2", "目录遍历", "中", "", "5.3", "", "", "http://10.3.0.2/files/"],
        &[],
        &["10.3.0.9", "服务指纹", "提示", "", "", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) => ws.write_number(r as u32, c as u16, n),
                Err(_) => ws.write_string(r as u32, c as u16, *cell),
            }
            .expect("cell written");
        }
    }
    let bytes = wb.save_to_buffer().expect("xlsx");

    let headers = table_headers(&bytes).expect("headers");
    assert_eq!(headers, ["目标", "检查项", "危险程度", "编号", "CVSS", "插件编号", "验证信息", "访问路径"]);
    let guessed = mapping_guess(&headers);
    assert_eq!(guessed.title, "", "检查项 is not a known title header: the UI asks");
    assert_eq!(guessed.severity, "危险程度");
    let Err(ScanError::File(p)) = read_scan(&bytes, None) else { panic!("no title column was recognised") };
    assert!(p.zh.contains("漏洞名称") && !p.zh.contains("风险等级"), "{}", p.zh);

    let mut m = ColumnMapping { title: " 检查项 ".into(), url: Some("访问路径".into()), ..guessed };
    m.severity_words.insert("很高".into(), "critical".into());
    let f = read_scan(&bytes, Some(&m)).expect("readable with the mapping");
    assert_eq!(f.hosts, ["10.3.0.1", "10.3.0.2", "10.3.0.9"]);
    assert_eq!((f.findings.len(), f.informational), (2, 1));
    let s2 = &f.findings[0];
    assert_eq!(s2.row, 3);
    assert_eq!(
        (s2.title.as_str(), s2.severity, s2.cvss),
        ("Struts2 S2-045 远程代码执行", ScanSeverity::Critical, Some(10.0))
    );
    assert_eq!(
        (s2.cves.as_slice(), s2.cnvd.as_slice(), s2.cnnvd.as_slice()),
        (
            &["CVE-2017-5638".to_string()][..],
            &["CNVD-2017-02474".to_string()][..],
            &["CNNVD-201703-152".to_string()][..]
        )
    );
    assert_eq!(s2.plugin_id.as_deref(), Some("S2-045"));
    assert_eq!(s2.evidence.as_deref(), Some("Content-Type 注入成功"));
    assert_eq!(s2.url.as_deref(), Some("http://10.3.0.1/login.action"));
    assert_eq!((s2.port, s2.hostname.as_deref()), (None, None));
    let traversal = &f.findings[1];
    assert_eq!((traversal.row, traversal.severity, traversal.cvss), (4, ScanSeverity::Medium, Some(5.3)));
    assert!(traversal.cves.is_empty() && traversal.plugin_id.is_none());
}

#[test]
fn bad_rows_are_all_listed() {
    let csv = "Host\tName\tRisk\tPort\tCVSS\n\
10.0.0.1\tA\tHigh\t80\t7.5\n\
10.0.0.1\t\tHigh\t80\t7.5\n\
10.0.0.2\tB\tsevere\t80\t\n\
10.0.0.3\tC\tLow\t70000\t11\n\
10.0.0.4\tD\t\tabc\tn/a\n\
10.0.0.5\tE\tNone\tbad\tbad\n\
10.0.0.6\tF\t1\t0\t3,5\n";
    let Err(ScanError::Rows(problems)) = read_scan(csv.as_bytes(), None) else { panic!("bad rows refuse the file") };
    let found: Vec<(usize, Option<&str>)> = problems.iter().map(|p| (p.row, p.column.as_deref())).collect();
    assert_eq!(
        found,
        [
            (3, Some("Name")),
            (4, Some("Risk")),
            (5, Some("Port")),
            (5, Some("CVSS")),
            (6, Some("Risk")),
            (6, Some("Port")),
            (8, Some("CVSS")),
        ],
        "row 7 is informational, n/a is no score; {problems:#?}"
    );
    let unknown = &problems[1];
    assert!(unknown.zh.starts_with("第 4 行“Risk”列：无法识别的风险等级“severe”"), "{}", unknown.zh);
    assert!(unknown.zh.contains("紧急") && unknown.zh.contains("高危") && unknown.zh.contains("0–4"), "{}", unknown.zh);
    assert!(unknown.en.starts_with("row 4, column “Risk”: unknown severity “severe”"), "{}", unknown.en);
    assert!(problems[2].zh.contains("70000") && problems[2].en.contains("invalid port"));
    assert!(problems[3].en.contains("invalid CVSS score “11”"));
}

#[test]
fn header_problems_are_file_problems() {
    let csv = "漏洞名称,风险等级,端口\nA,高,80\n";
    let m = ColumnMapping {
        title: "漏洞名称".into(),
        severity: "风险等级".into(),
        host: Some("IP".into()),
        ..Default::default()
    };
    let Err(ScanError::File(p)) = read_scan(csv.as_bytes(), Some(&m)) else { panic!("a mapped column is missing") };
    assert!(p.zh.contains("“IP”") && p.en.contains("row 1"), "{p:?}");

    let m = ColumnMapping { title: "名称".into(), severity: "风险等级".into(), ..Default::default() };
    let Err(ScanError::File(p)) = read_scan(csv.as_bytes(), Some(&m)) else { panic!("no such header row") };
    assert!(p.zh.contains("前 20 行") && p.en.contains("“名称”"), "{p:?}");

    let incomplete = ColumnMapping { title: "漏洞名称".into(), ..Default::default() };
    assert!(matches!(read_scan(csv.as_bytes(), Some(&incomplete)), Err(ScanError::File(_))));
    assert!(matches!(read_scan(b"PK\x03\x04 not really a zip", None), Err(ScanError::File(_))));
    assert!(matches!(read_scan(b"\xEF\xBB\xBF\n\n", None), Err(ScanError::File(_))));
    assert!(matches!(table_headers(b",,,\n\n"), Err(ScanError::File(_))));
    let empty_book = Workbook::new().save_to_buffer().expect("xlsx");
    assert!(matches!(table_headers(&empty_book), Err(ScanError::File(_))));
    assert!(matches!(read_scan(&empty_book, None), Err(ScanError::File(_))));

    let m = ColumnMapping { title: "漏洞名称".into(), severity: "风险等级".into(), ..Default::default() };
    let f = read_scan("\u{feff}漏洞名称;风险等级;端口\n\"A; B\";HIGH;\n".as_bytes(), Some(&m)).expect("semicolons");
    assert_eq!((f.findings[0].title.as_str(), f.findings[0].severity), ("A; B", ScanSeverity::High));
}

#[test]
fn a_repeated_header_row_is_skipped() {
    let csv = "IP,漏洞名称,风险等级\n10.0.0.1,A,高\nIP,漏洞名称,风险等级\n10.0.0.2,B,低\n";
    let f = read_scan(csv.as_bytes(), None).expect("valid");
    let got: Vec<(usize, &str)> = f.findings.iter().map(|x| (x.row, x.title.as_str())).collect();
    assert_eq!(got, [(2, "A"), (4, "B")]);
    assert_eq!(f.hosts, ["10.0.0.1", "10.0.0.2"]);
}

#[test]
fn column_mapping_round_trips_through_json() {
    let mut m = mapping_guess(&["漏洞名称".to_string(), "风险等级".to_string()]);
    m.severity_words.insert("较高".into(), "high".into());
    let json = serde_json::to_string(&m).expect("json");
    let back: ColumnMapping = serde_json::from_str(&json).expect("parsed");
    assert_eq!(back, m);
    let minimal: ColumnMapping = serde_json::from_str(r#"{"title":"t","severity":"s","host":null,"hostname":null,"port":null,"url":null,"plugin_id":null,"cvss":null,"identifiers":null,"cve":null,"cnvd":null,"cnnvd":null,"description":null,"solution":null,"evidence":null}"#).expect("older clients omit protocol and severity_words");
    assert_eq!((minimal.title.as_str(), minimal.protocol.as_deref(), minimal.severity_words.len()), ("t", None, 0));
}
