//! Restricted monitors (everyone's but an administrator's) reach only allowed addresses, after
//! resolution and at every redirect hop, and a refused check opens no connection at all. The
//! local servers listen on loopback: 127.0.0.1 stays forbidden, and the tests that need an
//! allowed target open 127.0.0.2 with `Reach::allowing_loopback_for_tests`.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::monitoring::reach::Reach;
use domain::monitoring::spec::{MonitorInput, MonitorSpec};
use domain::monitoring::state::MonitorState;
use probe::{Command, Job, Outcome, Prober, Scheduler, SchedulerConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

fn spec(kind: &str, target: &str, expect: Value) -> MonitorSpec {
    MonitorInput {
        system_id: Some("sys".into()),
        kind: Some(kind.into()),
        target: Some(target.into()),
        interval_seconds: Some(1),
        timeout_ms: Some(3000),
        expect: Some(expect),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

/// Allows 10.0.0.0/8 and the loopback address 127.0.0.2, nothing else on this machine.
fn reach() -> Reach {
    Reach::parse("allowlist", &["10.0.0.0/8"]).unwrap().allowing_loopback_for_tests("127.0.0.2/32".parse().unwrap())
}

/// What a server saw: one entry per connection, holding the request head when there was one.
type Seen = Arc<Mutex<Vec<String>>>;

/// An HTTP server on `bind` answering every request with `answer(request head)`.
async fn server(bind: &str, answer: impl Fn(&str) -> String + Send + Sync + 'static) -> (SocketAddr, Seen) {
    let listener = TcpListener::bind(bind).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let (log, answer) = (seen.clone(), Arc::new(answer));
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let (log, answer) = (log.clone(), answer.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                log.lock().unwrap().push(head.clone());
                if n > 0 {
                    let _ = sock.write_all(answer(&head).as_bytes()).await;
                }
            });
        }
    });
    (addr, seen)
}

fn ok_page(_: &str) -> String {
    let body = "安阳市政务服务网 正常";
    format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
}

fn redirect(status: &'static str, location: String) -> impl Fn(&str) -> String + Send + Sync + 'static {
    move |_| format!("HTTP/1.1 {status}\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
}

fn refused(o: &Outcome, what: &str) {
    assert!(!o.ok, "{what}: {o:?}");
    let e = o.error.as_deref().unwrap_or("");
    assert!(e.starts_with("address not allowed"), "{what}: {e}");
}

/// Gives a connection that should not happen time to show up.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn a_restricted_monitor_cannot_reach_loopback_in_any_spelling_and_connects_nowhere() {
    let (addr, seen) = server("127.0.0.1:0", ok_page).await;
    let port = addr.port();
    let p = Prober::new().unwrap();
    let r = reach();
    for target in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://[::ffff:7f00:1]:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://0x7f.1:{port}/"),
        format!("http://0177.0.0.1:{port}/"),
        format!("http://127.1:{port}/"),
        format!("http://0.0.0.0:{port}/"),
        format!("http://[::]:{port}/"),
        format!("http://[::1]:{port}/"),
        format!("http://10.0.0.1@127.0.0.1:{port}/"),
        "http://169.254.169.254/latest/meta-data".to_string(),
        "http://100.100.100.200/latest/meta-data".to_string(),
        "http://[fd00:ec2::254]/latest/meta-data".to_string(),
    ] {
        refused(&p.check(&spec("http", &target, json!({"keyword": "正常"})), Some(&r)).await, &target);
    }
    settle().await;
    assert!(seen.lock().unwrap().is_empty(), "no connection reached the server");

    // The same monitor without restriction (an administrator's) reaches it as before.
    let o = p.check(&spec("http", &format!("http://127.0.0.1:{port}/"), json!({"keyword": "正常"})), None).await;
    assert!(o.ok, "{o:?}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn every_redirect_hop_is_checked_and_a_refused_hop_is_never_contacted() {
    let (inside, inside_seen) = server("127.0.0.1:0", ok_page).await;
    let p = Prober::new().unwrap();
    let r = reach();
    for location in [
        format!("http://127.0.0.1:{}/", inside.port()),
        format!("http://[::ffff:127.0.0.1]:{}/", inside.port()),
        format!("http://2130706433:{}/", inside.port()),
        format!("http://localhost:{}/", inside.port()),
        "http://169.254.169.254/latest/meta-data".to_string(),
    ] {
        let (allowed, seen) = server("127.0.0.2:0", redirect("302 Found", location.clone())).await;
        let o = p.check(&spec("http", &format!("http://{allowed}/"), json!({})), Some(&r)).await;
        refused(&o, &location);
        assert_eq!(seen.lock().unwrap().len(), 1, "the allowed first hop was asked once");
    }
    settle().await;
    assert!(inside_seen.lock().unwrap().is_empty(), "the forbidden hop saw no request");

    // Unrestricted, the shared client follows the same redirect.
    let (allowed, _) =
        server("127.0.0.2:0", redirect("302 Found", format!("http://127.0.0.1:{}/", inside.port()))).await;
    let o = p.check(&spec("http", &format!("http://{allowed}/"), json!({"keyword": "正常"})), None).await;
    assert!(o.ok, "{o:?}");
    assert_eq!(inside_seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn allowed_redirects_are_followed_like_a_browser_at_most_five_times() {
    let p = Prober::new().unwrap();
    let r = reach();
    let (last, last_seen) = server("127.0.0.2:0", ok_page).await;
    // A relative Location, on another allowed host: POST becomes GET, credentials stay behind.
    let (first, first_seen) = server("127.0.0.2:0", move |head: &str| {
        let to = if head.starts_with("POST /start") { "/next".to_string() } else { format!("http://{last}/end") };
        redirect("301 Moved Permanently", to)(head)
    })
    .await;
    let monitor =
        json!({"method": "POST", "headers": {"Authorization": "Bearer s3cret", "X-Probe": "1"}, "keyword": "正常"});
    let o = p.check(&spec("http", &format!("http://{first}/start"), monitor), Some(&r)).await;
    assert!(o.ok, "{o:?}");
    assert_eq!(o.status, Some(200));
    let first_seen = first_seen.lock().unwrap().clone();
    assert!(first_seen[0].starts_with("POST /start "), "{first_seen:?}");
    assert!(first_seen[1].starts_with("GET /next "), "301 turns POST into GET: {first_seen:?}");
    assert!(first_seen[1].to_lowercase().contains("authorization: bearer s3cret"), "same host keeps it");
    let last_seen = last_seen.lock().unwrap().clone();
    assert!(last_seen[0].starts_with("GET /end "), "{last_seen:?}");
    assert!(!last_seen[0].to_lowercase().contains("authorization"), "another host does not get it: {last_seen:?}");
    assert!(last_seen[0].to_lowercase().contains("x-probe: 1"));

    // 307 keeps the method.
    let (target, seen) = server("127.0.0.2:0", |head: &str| {
        if head.contains(" /again ") {
            ok_page(head)
        } else {
            redirect("307 Temporary Redirect", "/again".into())(head)
        }
    })
    .await;
    let o = p.check(&spec("http", &format!("http://{target}/"), json!({"method": "PUT"})), Some(&r)).await;
    assert!(o.ok, "{o:?}");
    assert!(seen.lock().unwrap()[1].starts_with("PUT /again "));

    // A loop stops after five redirects, as the shared client does.
    let (looping, seen) = server("127.0.0.2:0", redirect("302 Found", "/".into())).await;
    let o = p.check(&spec("http", &format!("http://{looping}/"), json!({})), Some(&r)).await;
    assert_eq!(o.error.as_deref(), Some("too many redirects"));
    assert_eq!(seen.lock().unwrap().len(), 6);
    let o = p.check(&spec("http", &format!("http://{looping}/"), json!({})), None).await;
    assert!(o.error.unwrap().contains("too many redirects"));
}

#[tokio::test]
async fn a_name_is_checked_by_the_addresses_it_resolves_to() {
    let (addr, seen) = server("127.0.0.1:0", ok_page).await;
    let port = addr.port();
    let p = Prober::new().unwrap();
    // localhost is an allowed domain, but resolves to loopback, which stays forbidden.
    let by_name = Reach::parse("allowlist", &["localhost"]).unwrap();
    let o = p.check(&spec("http", &format!("http://localhost:{port}/"), json!({})), Some(&by_name)).await;
    refused(&o, "http localhost");
    assert!(o.error.unwrap().contains("127.0.0.1"), "a name of the system's own tells where it went");
    refused(&p.check(&spec("tcp", &format!("localhost:{port}"), Value::Null), Some(&by_name)).await, "tcp");
    refused(&p.check(&spec("tls", &format!("localhost:{port}"), Value::Null), Some(&by_name)).await, "tls");
    // Outside the allowed domains, the addresses are not told.
    let o = p.check(&spec("http", &format!("http://localhost:{port}/"), json!({})), Some(&reach())).await;
    assert_eq!(o.error.as_deref(), Some("address not allowed: localhost"));
    settle().await;
    assert!(seen.lock().unwrap().is_empty(), "no connection reached the server");

    // With loopback opened, the name goes through the client pinned to its checked addresses.
    let opened = by_name
        .allowing_loopback_for_tests("127.0.0.0/8".parse().unwrap())
        .allowing_loopback_for_tests("::1/128".parse().unwrap());
    for _ in 0..3 {
        let o = p
            .check(&spec("http", &format!("http://LocalHost:{port}/"), json!({"keyword": "正常"})), Some(&opened))
            .await;
        assert!(o.ok, "{o:?}");
    }
    assert_eq!(seen.lock().unwrap().len(), 3);
}

/// Counts the connections a listener accepts.
async fn listener(bind: &str) -> (SocketAddr, Seen) {
    server(bind, |_| String::new()).await
}

#[tokio::test]
async fn tcp_and_tls_to_a_forbidden_address_open_no_connection() {
    let (addr, seen) = listener("127.0.0.1:0").await;
    let port = addr.port();
    let p = Prober::new().unwrap();
    let r = reach();
    for target in [format!("127.0.0.1:{port}"), format!("[::ffff:127.0.0.1]:{port}"), format!("[::1]:{port}")] {
        refused(&p.check(&spec("tcp", &target, Value::Null), Some(&r)).await, &target);
        refused(&p.check(&spec("tls", &target, Value::Null), Some(&r)).await, &target);
    }
    let o = p.check(&spec("tcp", &format!("2130706433:{port}"), Value::Null), Some(&r)).await;
    assert_eq!(o.error.as_deref(), Some("address not allowed: 2130706433"), "a resolver's number is an address too");
    settle().await;
    assert!(seen.lock().unwrap().is_empty(), "no connection was opened");

    assert!(p.check(&spec("tcp", &addr.to_string(), Value::Null), None).await.ok, "unrestricted as before");
    let (allowed, allowed_seen) = listener("127.0.0.2:0").await;
    assert!(p.check(&spec("tcp", &allowed.to_string(), Value::Null), Some(&r)).await.ok);
    settle().await;
    assert_eq!(allowed_seen.lock().unwrap().len(), 1);
}

/// A DNS server answering every query with an A record of 10.1.2.3, counting queries.
async fn dns_server(bind: &str) -> (SocketAddr, Arc<Mutex<usize>>) {
    use hickory_resolver::proto::op::{Message, MessageType};
    use hickory_resolver::proto::rr::rdata::A;
    use hickory_resolver::proto::rr::{RData, Record};
    let sock = UdpSocket::bind(bind).await.unwrap();
    let addr = sock.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 512];
        loop {
            let Ok((n, from)) = sock.recv_from(&mut buf).await else { return };
            *seen.lock().unwrap() += 1;
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
    (addr, count)
}

#[tokio::test]
async fn dns_monitors_ask_only_allowed_servers_and_tell_only_allowed_answers() {
    let p = Prober::new().unwrap();
    let (forbidden_server, forbidden_count) = dns_server("127.0.0.1:0").await;
    let (server, _) = dns_server("127.0.0.2:0").await;
    let r = Reach::parse("allowlist", &["ay.gov.cn", "10.9.0.0/16"])
        .unwrap()
        .allowing_loopback_for_tests("127.0.0.2/32".parse().unwrap());
    let dns = |name: &str, server: SocketAddr, extra: Value| {
        let mut expect = json!({"server": server.to_string()});
        expect.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        spec("dns", name, expect)
    };

    let o = p.check(&dns("www.ay.gov.cn", forbidden_server, Value::Null), Some(&r)).await;
    assert_eq!(o.error.as_deref(), Some("address not allowed: 127.0.0.1"));
    settle().await;
    assert_eq!(*forbidden_count.lock().unwrap(), 0, "the forbidden server was not asked");

    let o = p.check(&dns("www.ay.gov.cn", server, json!({"answer": "10.1.2.3"})), Some(&r)).await;
    assert!(o.ok, "a name under an allowed domain: {o:?}");
    // Any other name only through allowed addresses, and its answer is not told.
    let o = p.check(&dns("db.internal.corp", server, json!({"answer": "10.9.9.9"})), Some(&r)).await;
    assert_eq!(o.error.as_deref(), Some("address not allowed: db.internal.corp"));
    let o = p.check(&dns("db.internal.corp", server, json!({"record_type": "TXT"})), Some(&r)).await;
    assert_eq!(o.error.as_deref(), Some("address not allowed: db.internal.corp"));
    let wider = r.clone().merge(Reach::parse("allowlist", &["10.1.0.0/16"]).unwrap());
    assert!(p.check(&dns("db.internal.corp", server, Value::Null), Some(&wider)).await.ok);
    // Unrestricted, the answer is told as before.
    let o = p.check(&dns("db.internal.corp", server, json!({"answer": "10.9.9.9"})), None).await;
    assert!(o.error.unwrap().contains("10.1.2.3"));
}

#[tokio::test]
async fn the_scheduler_runs_a_job_within_its_reach() {
    let (addr, seen) = server("127.0.0.1:0", ok_page).await;
    let mut s = Scheduler::spawn(Prober::new().unwrap(), SchedulerConfig { max_in_flight: 4, report_buffer: 64 });
    let job = |id: &str, reach: Option<Reach>| {
        Command::Upsert(Box::new(Job {
            id: id.into(),
            spec: spec("http", &format!("http://{addr}/"), json!({})),
            state: MonitorState::Unknown,
            reach: reach.map(Arc::new),
        }))
    };
    s.commands.send(job("vendor", Some(reach()))).unwrap();
    s.commands.send(job("admin", None)).unwrap();
    let mut outcomes = std::collections::HashMap::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while outcomes.len() < 2 {
            let r = s.reports.recv().await.unwrap();
            outcomes.insert(r.monitor_id, r.outcome);
        }
    })
    .await
    .expect("both monitors report");
    refused(&outcomes["vendor"], "the vendor's monitor");
    assert!(outcomes["admin"].ok, "{:?}", outcomes["admin"]);
    assert!(!seen.lock().unwrap().is_empty(), "the administrator's monitor connected");
}
