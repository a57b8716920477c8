//! `closte-emulator proxy`: a TCP proxy that adds network latency, for benchmarks. Every
//! chunk is delivered half the round-trip time after it was read, in each direction, so a
//! new connection pays its handshake round trips and a warm one one RTT per request, while
//! many connections at once overlap as they would over a real network.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

pub async fn run(listen: SocketAddr, to: SocketAddr, rtt: Duration) -> Result<(), String> {
    let listener = TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on tcp://{addr}");
    let half = rtt / 2;
    loop {
        let (client, _) = listener.accept().await.map_err(|e| format!("accept: {e}"))?;
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(to).await else { return };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::join!(pipe(cr, sw, half), pipe(sr, cw, half));
        });
    }
}

/// Copies `from` to `to`, each chunk `delay` after it was read; closes `to` once `from`
/// has ended and everything read was delivered.
async fn pipe(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf, delay: Duration) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    };
    tokio::join!(reader, writer);
}
