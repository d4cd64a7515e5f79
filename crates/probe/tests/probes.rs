//! Every probe against local targets on 127.0.0.1: a tiny HTTP server that can answer well,
//! wrongly, slowly or not at all; a TLS server with a short-lived self-signed certificate; a
//! DNS server on UDP; and the scheduler taking a monitor down and up again.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, Utc};
use domain::monitoring::spec::{MonitorInput, MonitorSpec};
use domain::monitoring::state::MonitorState;
use probe::{Command, Job, Prober, Scheduler, SchedulerConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;

/// A loopback port that refuses connections for as long as the socket is held: bound, never
/// listening, so no other test or process can take it meanwhile.
fn closed_port() -> (tokio::net::TcpSocket, SocketAddr) {
    let s = tokio::net::TcpSocket::new_v4().unwrap();
    s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = s.local_addr().unwrap();
    (s, addr)
}

fn spec(kind: &str, target: &str, expect: Value, timeout_ms: u32) -> MonitorSpec {
    MonitorInput {
        system_id: Some("sys".into()),
        kind: Some(kind.into()),
        target: Some(target.into()),
        interval_seconds: Some(1),
        timeout_ms: Some(timeout_ms),
        failures_before_down: Some(2),
        expect: Some(expect),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

/// An HTTP server whose answer follows `mode`: "ok", "500", "slow" (2 s), "hang" (never).
async fn http_server(mode: watch::Receiver<&'static str>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let mode = *mode.borrow();
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = sock.read(&mut buf).await;
                let (status, body) = match mode {
                    "500" => ("500 Internal Server Error", "数据库连接失败"),
                    "hang" => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        return;
                    }
                    "slow" => {
                        tokio::time::sleep(Duration::from_millis(1500)).await;
                        ("200 OK", "安阳市政务服务网 正常")
                    }
                    _ => ("200 OK", "安阳市政务服务网 正常"),
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn http_status_keyword_pattern_latency_and_timeout() {
    let (mode, rx) = watch::channel("ok");
    let addr = http_server(rx).await;
    let url = format!("http://{addr}/");
    let p = Prober::new().unwrap();

    let o = p.check(&spec("http", &url, json!({"keyword": "政务服务网", "regex": "正常$"}), 2000), None).await;
    assert!(o.ok, "{o:?}");
    assert_eq!(o.status, Some(200));
    let o = p.check(&spec("http", &url, json!({"keyword": "维护中"}), 2000), None).await;
    assert_eq!((o.ok, o.error.as_deref()), (false, Some("keyword not found")));
    let o = p.check(&spec("http", &url, json!({"status": [204]}), 2000), None).await;
    assert_eq!(o.error.as_deref(), Some("status 200"));

    mode.send("500").unwrap();
    let o = p.check(&spec("http", &url, json!({}), 2000), None).await;
    assert_eq!((o.ok, o.status, o.error.as_deref()), (false, Some(500), Some("status 500")));
    let o = p.check(&spec("http", &url, json!({"status": ["500-599"]}), 2000), None).await;
    assert!(o.ok, "an expected error page is up");

    mode.send("slow").unwrap();
    let o = p.check(&spec("http", &url, json!({"max_latency_ms": 200}), 5000), None).await;
    assert!(!o.ok && o.error.as_deref().unwrap().starts_with("slow"), "{o:?}");
    mode.send("hang").unwrap();
    let o = p.check(&spec("http", &url, json!({}), 300), None).await;
    assert_eq!(o.error.as_deref(), Some("timeout after 300 ms"));

    let (_held, closed) = closed_port();
    let o = p.check(&spec("http", &format!("http://{closed}/"), json!({}), 2000), None).await;
    assert!(!o.ok && o.error.is_some(), "{o:?}");
}

#[tokio::test]
async fn tcp_open_and_closed_ports() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let open = listener.local_addr().unwrap();
    let p = Prober::new().unwrap();
    assert!(p.check(&spec("tcp", &open.to_string(), Value::Null, 1000), None).await.ok);
    let (_held, closed) = closed_port();
    let o = p.check(&spec("tcp", &closed.to_string(), Value::Null, 1000), None).await;
    assert!(!o.ok && o.error.unwrap().starts_with("connect failed"));
}

#[tokio::test]
async fn tls_certificate_expiry_issuer_and_chain() {
    // A self-signed certificate for localhost that ends in ten days.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let end = (Utc::now() + chrono::Duration::days(10)).date_naive();
    params.not_after = rcgen::date_time_ymd(end.year(), end.month() as u8, end.day() as u8);
    params.distinguished_name.push(rcgen::DnType::CommonName, "Yunwei Test CA");
    let cert = params.self_signed(&key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = acceptor.accept(sock).await {
                    let _ = s.shutdown().await;
                }
            });
        }
    });

    let p = Prober::new().unwrap();
    let o = p.check(&spec("tls", &format!("localhost:{port}"), json!({"min_days": 14}), 3000), None).await;
    let cert = o.cert.clone().expect("the certificate is read even when it is not trusted");
    assert!((9..=10).contains(&cert.days_left), "{cert:?}");
    assert_eq!(cert.not_after.date_naive(), end);
    assert!(cert.issuer.contains("Yunwei Test CA"), "{cert:?}");
    assert!(cert.chain_error.is_some(), "self-signed: not trusted by the built-in roots");
    assert!(!o.ok && o.error.unwrap().starts_with("certificate not trusted"));
    // HTTPS to the same server fails on the certificate.
    let o = p.check(&spec("http", &format!("https://localhost:{port}/"), json!({}), 3000), None).await;
    assert!(!o.ok, "{o:?}");
}

/// Answers every A query with 10.1.2.3.
async fn dns_server() -> SocketAddr {
    use hickory_resolver::proto::op::{Message, MessageType};
    use hickory_resolver::proto::rr::rdata::A;
    use hickory_resolver::proto::rr::{RData, Record};
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = sock.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 512];
        loop {
            let Ok((n, from)) = sock.recv_from(&mut buf).await else { return };
            let Ok(q) = Message::from_vec(&buf[..n]) else { continue };
            let mut r = Message::new();
            r.set_id(q.id()).set_message_type(MessageType::Response).set_recursion_available(true);
            for query in q.queries() {
                r.add_query(query.clone());
                r.add_answer(Record::from_rdata(query.name().clone(), 60, RData::A(A::new(10, 1, 2, 3))));
            }
            let _ = sock.send_to(&r.to_vec().unwrap(), from).await;
        }
    });
    addr
}

#[tokio::test]
async fn dns_answers_through_a_given_server() {
    let server = dns_server().await.to_string();
    let p = Prober::new().unwrap();
    let o = p.check(&spec("dns", "www.ay.gov.cn", json!({"server": server, "answer": "10.1.2.3"}), 2000), None).await;
    assert!(o.ok, "{o:?}");
    let o = p.check(&spec("dns", "www.ay.gov.cn", json!({"server": server, "answer": "10.9.9.9"}), 2000), None).await;
    assert!(!o.ok && o.error.unwrap().contains("10.1.2.3"));
    // Held for the check and never read: a server that does not answer.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let o = p.check(&spec("dns", "www.ay.gov.cn", json!({"server": addr}), 500), None).await;
    assert!(!o.ok, "{o:?}");
}

#[tokio::test]
async fn the_scheduler_takes_a_monitor_down_and_up_and_a_hung_target_holds_up_nobody() {
    let (mode, rx) = watch::channel("ok");
    let addr = http_server(rx).await;
    let (_hang_mode, hang_rx) = watch::channel("hang");
    let hung = http_server(hang_rx).await;
    let mut s = Scheduler::spawn(Prober::new().unwrap(), SchedulerConfig { max_in_flight: 4, report_buffer: 64 });
    let job = |id: &str, url: String, timeout: u32| {
        Command::Upsert(Box::new(Job {
            id: id.into(),
            spec: spec("http", &url, json!({}), timeout),
            state: MonitorState::Unknown,
            reach: None,
        }))
    };
    s.commands.send(job("web", format!("http://{addr}/"), 800)).unwrap();
    s.commands.send(job("hung", format!("http://{hung}/"), 5000)).unwrap();

    // Waits (up to a generous bound, so a hang fails the test instead of blocking it) for the
    // web monitor's next change, counting its reports on the way.
    let next_change = async |s: &mut Scheduler| {
        let mut seen = 0;
        tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                let r = s.reports.recv().await.unwrap();
                if r.monitor_id != "web" {
                    continue;
                }
                seen += 1;
                if let Some(change) = r.changed {
                    return (change, r.at, seen);
                }
            }
        })
        .await
        .expect("the web monitor keeps reporting while the hung one waits")
    };
    let ((state, _), _, _) = next_change(&mut s).await;
    assert_eq!(state, MonitorState::Up);
    mode.send("500").unwrap();
    let ((state, since), declared, seen) = next_change(&mut s).await;
    assert_eq!(state, MonitorState::Down);
    assert!(seen >= 2, "down after two failures in a row");
    assert!(since < declared, "the interruption starts at the first failed check");
    mode.send("ok").unwrap();
    let ((state, since_up), _, _) = next_change(&mut s).await;
    assert_eq!(state, MonitorState::Up);
    assert!(since_up > since);
    assert!(s.stats.checks.load(std::sync::atomic::Ordering::Relaxed) >= 4);
    s.commands.send(Command::Remove("web".into())).unwrap();
}
