//! A tiny SMTP server on loopback that speaks enough of RFC 5321 for a real client (lettre) to
//! deliver to it, and can be told to refuse delivery with a temporary or permanent error.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the stub answers the end of DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpBehaviour {
    Accept,
    /// 451: try again later.
    Temporary,
    /// 550: will never work.
    Permanent,
    /// Accepts the connection and never says anything.
    Silent,
    /// Accepts each message, but only after this long: a slow server.
    AcceptAfter(std::time::Duration),
}

pub struct SmtpStub {
    pub port: u16,
    /// Each accepted message's DATA, as received.
    pub received: Arc<Mutex<Vec<String>>>,
    behaviour: Arc<Mutex<SmtpBehaviour>>,
}

impl SmtpStub {
    pub async fn start(behaviour: SmtpBehaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind SMTP stub");
        let port = listener.local_addr().expect("address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(Mutex::new(behaviour));
        let (store, mode) = (received.clone(), behaviour.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (store, mode) = (store.clone(), mode.clone());
                tokio::spawn(async move {
                    let behaviour = *mode.lock().expect("lock");
                    let _ = converse(socket, behaviour, store).await;
                });
            }
        });
        Self {
            port,
            received,
            behaviour,
        }
    }

    /// Settings that send Cocreate's mail to this stub, giving up on a delivery after `timeout`.
    pub fn settings(&self, timeout: std::time::Duration) -> cocreate_app::SmtpSettings {
        cocreate_app::SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            security: cocreate_app::SmtpSecurity::None,
            username: None,
            password: None,
            from: "Cocreate <noreply@cocreate.test>".into(),
            timeout,
        }
    }

    pub fn set_behaviour(&self, behaviour: SmtpBehaviour) {
        *self.behaviour.lock().expect("lock") = behaviour;
    }

    pub fn messages(&self) -> Vec<String> {
        self.received.lock().expect("lock").clone()
    }
}

async fn converse(
    socket: tokio::net::TcpStream,
    behaviour: SmtpBehaviour,
    store: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    if behaviour == SmtpBehaviour::Silent {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        return Ok(());
    }
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 stub.test ESMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => {
                write
                    .write_all(b"250-stub.test\r\n250 8BITMIME\r\n")
                    .await?
            }
            "MAIL" | "RCPT" | "RSET" | "NOOP" => write.write_all(b"250 OK\r\n").await?,
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    data.push_str(&line);
                    data.push('\n');
                }
                match behaviour {
                    SmtpBehaviour::Accept => {
                        store.lock().expect("lock").push(data);
                        write.write_all(b"250 queued\r\n").await?;
                    }
                    SmtpBehaviour::AcceptAfter(delay) => {
                        tokio::time::sleep(delay).await;
                        store.lock().expect("lock").push(data);
                        write.write_all(b"250 queued\r\n").await?;
                    }
                    SmtpBehaviour::Temporary => write.write_all(b"451 try again later\r\n").await?,
                    SmtpBehaviour::Permanent => write.write_all(b"550 no such user\r\n").await?,
                    SmtpBehaviour::Silent => {}
                }
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                break;
            }
            _ => write.write_all(b"502 not implemented\r\n").await?,
        }
    }
    Ok(())
}
