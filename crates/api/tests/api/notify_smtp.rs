//! A plain SMTP receiver on loopback that keeps each session's transcript.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

pub struct FakeSmtp {
    pub port: u16,
    sessions: Arc<Mutex<Vec<String>>>,
}

impl FakeSmtp {
    pub async fn start() -> FakeSmtp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sessions: Arc<Mutex<Vec<String>>> = Arc::default();
        let kept = sessions.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let mut log = String::new();
                    w.write_all(b"220 fake ESMTP\r\n").await.ok();
                    let mut in_data = false;
                    while let Ok(Some(line)) = lines.next_line().await {
                        log.push_str(&line);
                        log.push('\n');
                        let reply: &[u8] = if in_data {
                            if line == "." {
                                in_data = false;
                                b"250 queued\r\n"
                            } else {
                                continue;
                            }
                        } else {
                            let cmd = line.to_ascii_uppercase();
                            if cmd.starts_with("EHLO") {
                                b"250-fake\r\n250 8BITMIME\r\n"
                            } else if cmd.starts_with("DATA") {
                                in_data = true;
                                b"354 go on\r\n"
                            } else if cmd.starts_with("QUIT") {
                                w.write_all(b"221 bye\r\n").await.ok();
                                break;
                            } else {
                                b"250 ok\r\n"
                            }
                        };
                        w.write_all(reply).await.ok();
                    }
                    kept.lock().unwrap().push(log);
                });
            }
        });
        FakeSmtp { port, sessions }
    }

    pub fn mails(&self) -> Vec<String> {
        self.sessions.lock().unwrap().clone()
    }
}
