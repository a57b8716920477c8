//! `closte-emulator dns`: an authoritative-and-recursive-looking DNS server for tests and
//! the demo, on UDP and TCP of the same loopback port. It answers from a zone file the way
//! a recursive resolver answers a stub: CNAME chains followed inside the zone, with every
//! link in the answer. Names can be made to fail (SERVFAIL), to never answer (SILENT), or
//! to answer late (DELAY), so every verdict of `Closte\check_dns` can be produced.
//!
//! Zone file, one entry a line (`#` starts a comment):
//!
//! ```text
//! shop.example.com      300 A     198.51.100.7
//! v6.example.com        300 AAAA  2001:db8::7
//! www.shop.example.com  60  CNAME shop.example.com
//! mail.example.com      300 TXT   v=spf1     # a name with no A or AAAA
//! example.com           300 CAA   0 issue "letsencrypt.org"   # FLAGS TAG VALUE (quotes optional)
//! example.com           300 CAA   0 issuewild ";"
//! broken.example.com    SERVFAIL
//! silent.example.com    SILENT
//! slow.example.com      DELAY 200          # hold answers for this name 200 ms
//! ```
//!
//! A name not in the file is NXDOMAIN; a name with records of other types only is NOERROR
//! with no answer. Controls are TXT queries: `stats.emulator.` answers
//! `queries=N max_pending=M caa=C` (M: the most queries held at once, which shows a
//! client's concurrency; C: how many of the N were CAA queries), `reset.emulator.` zeroes them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CAA, CNAME, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

#[derive(Debug, Clone)]
enum Entry {
    Record { ttl: u32, data: RData },
    ServFail,
    Silent,
}

#[derive(Debug, Default)]
pub struct Zone {
    entries: HashMap<String, Vec<Entry>>,
    delays: HashMap<String, Duration>,
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl Zone {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut zone = Zone::default();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |why: &str| format!("line {}: {why}: {raw}", n + 1);
            let f: Vec<&str> = line.split_whitespace().collect();
            let name = key(f[0]);
            match f.get(1..).unwrap_or_default() {
                ["SERVFAIL"] => zone.entries.entry(name).or_default().push(Entry::ServFail),
                ["SILENT"] => zone.entries.entry(name).or_default().push(Entry::Silent),
                ["DELAY", ms] => {
                    let ms: u64 = ms.parse().map_err(|_| bad("DELAY needs milliseconds"))?;
                    zone.delays.insert(name, Duration::from_millis(ms));
                }
                [ttl, "CAA", flags, tag, value @ ..] if !value.is_empty() => {
                    let ttl: u32 = ttl.parse().map_err(|_| bad("the TTL must be a whole number"))?;
                    let data = caa(flags, tag, &value.join(" ")).map_err(|e| bad(&e))?;
                    zone.entries.entry(name).or_default().push(Entry::Record { ttl, data });
                }
                [ttl, rtype, value] => {
                    let ttl: u32 = ttl.parse().map_err(|_| bad("the TTL must be a whole number"))?;
                    let data = match *rtype {
                        "A" => RData::A(A(value.parse().map_err(|_| bad("not an IPv4 address"))?)),
                        "AAAA" => RData::AAAA(AAAA(value.parse().map_err(|_| bad("not an IPv6 address"))?)),
                        "CNAME" => RData::CNAME(CNAME(fqdn(value).map_err(|e| bad(&e))?)),
                        "TXT" => RData::TXT(TXT::new(vec![(*value).to_owned()])),
                        other => return Err(bad(&format!("unknown record type {other}"))),
                    };
                    zone.entries.entry(name).or_default().push(Entry::Record { ttl, data });
                }
                _ => {
                    return Err(bad(
                        "expected NAME TTL TYPE VALUE, NAME TTL CAA FLAGS TAG VALUE, NAME SERVFAIL, NAME SILENT or NAME DELAY MS",
                    ));
                }
            }
        }
        Ok(zone)
    }

    /// The answer to (name, type): records (CNAMEs first, in chain order) and the code, or
    /// None to stay silent.
    fn answer(&self, qname: &Name, qtype: RecordType) -> Option<(ResponseCode, Vec<Record>)> {
        let mut records = Vec::new();
        let mut owner = qname.clone();
        for _ in 0..16 {
            let Some(entries) = self.entries.get(&key(&owner.to_ascii())) else {
                return Some((ResponseCode::NXDomain, records));
            };
            if entries.iter().any(|e| matches!(e, Entry::Silent)) {
                return None;
            }
            if entries.iter().any(|e| matches!(e, Entry::ServFail)) {
                return Some((ResponseCode::ServFail, Vec::new()));
            }
            let cname = entries.iter().find_map(|e| match e {
                Entry::Record { ttl, data: RData::CNAME(c) } if qtype != RecordType::CNAME => Some((*ttl, c.clone())),
                _ => None,
            });
            if let Some((ttl, target)) = cname {
                records.push(Record::from_rdata(owner.clone(), ttl, RData::CNAME(target.clone())));
                owner = target.0;
                continue;
            }
            for e in entries {
                if let Entry::Record { ttl, data } = e
                    && data.record_type() == qtype
                {
                    records.push(Record::from_rdata(owner.clone(), *ttl, data.clone()));
                }
            }
            return Some((ResponseCode::NoError, records));
        }
        Some((ResponseCode::ServFail, Vec::new())) // a CNAME loop
    }

    fn delay(&self, qname: &Name) -> Option<Duration> {
        self.delays.get(&key(&qname.to_ascii())).copied()
    }
}

/// A CAA record as zone files write it: flags 0-255, a tag of letters and digits, and the
/// value (quotes around it are dropped). The value goes on the wire as written.
fn caa(flags: &str, tag: &str, value: &str) -> Result<RData, String> {
    let flags: u8 = flags.parse().map_err(|_| "CAA flags must be 0 to 255".to_owned())?;
    if tag.is_empty() || tag.len() > 15 || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("bad CAA tag {tag}"));
    }
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    let mut record = CAA::new_issue(flags & 0x80 != 0, None, Vec::new());
    record.reserved_flags = flags & 0x7f;
    record.tag = tag.to_owned();
    record.value = value.as_bytes().to_vec();
    Ok(RData::CAA(record))
}

fn fqdn(s: &str) -> Result<Name, String> {
    let s = if s.ends_with('.') { s.to_owned() } else { format!("{s}.") };
    Name::from_ascii(&s).map_err(|e| format!("bad name {s}: {e}"))
}

#[derive(Default)]
struct Stats {
    queries: AtomicUsize,
    /// Of them, CAA queries (a check asks them only for names whose addresses are right).
    caa: AtomicUsize,
    pending: AtomicUsize,
    max_pending: AtomicUsize,
}

/// The reply to one query message, after its delay; None for no reply at all.
async fn respond(zone: &Zone, stats: &Stats, bytes: &[u8]) -> Option<Vec<u8>> {
    let query = Message::from_vec(bytes).ok()?;
    let q = query.queries.first()?.clone();
    let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
    reply.metadata.recursion_desired = query.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    reply.add_query(q.clone());
    let control = key(&q.name.to_ascii());
    if control == "stats.emulator" || control == "reset.emulator" {
        if control == "reset.emulator" {
            stats.queries.store(0, Ordering::SeqCst);
            stats.caa.store(0, Ordering::SeqCst);
            stats.max_pending.store(0, Ordering::SeqCst);
        }
        let text = format!(
            "queries={} max_pending={} caa={}",
            stats.queries.load(Ordering::SeqCst),
            stats.max_pending.load(Ordering::SeqCst),
            stats.caa.load(Ordering::SeqCst)
        );
        reply.add_answer(Record::from_rdata(q.name.clone(), 0, RData::TXT(TXT::new(vec![text]))));
        return reply.to_vec().ok();
    }
    stats.queries.fetch_add(1, Ordering::SeqCst);
    if q.query_type == RecordType::CAA {
        stats.caa.fetch_add(1, Ordering::SeqCst);
    }
    let now = stats.pending.fetch_add(1, Ordering::SeqCst) + 1;
    stats.max_pending.fetch_max(now, Ordering::SeqCst);
    if let Some(d) = zone.delay(&q.name) {
        tokio::time::sleep(d).await;
    }
    stats.pending.fetch_sub(1, Ordering::SeqCst);
    let (code, answers) = zone.answer(&q.name, q.query_type)?;
    reply.metadata.authoritative = true;
    reply.metadata.response_code = code;
    reply.metadata.message_type = MessageType::Response;
    reply.add_answers(answers);
    reply.to_vec().ok()
}

pub async fn run(listen: SocketAddr, zone_file: &Path) -> Result<(), String> {
    let text =
        std::fs::read_to_string(zone_file).map_err(|e| format!("cannot read zone {}: {e}", zone_file.display()))?;
    let zone = Arc::new(Zone::parse(&text).map_err(|e| format!("zone {}: {e}", zone_file.display()))?);
    let stats = Arc::new(Stats::default());
    // UDP first (port 0 picks one), then TCP on the same port; a taken TCP port is retried.
    let (udp, tcp) = {
        let mut tries = 0;
        loop {
            let udp = UdpSocket::bind(listen).await.map_err(|e| format!("cannot listen on udp {listen}: {e}"))?;
            let addr = udp.local_addr().map_err(|e| e.to_string())?;
            match TcpListener::bind(addr).await {
                Ok(tcp) => break (udp, tcp),
                Err(e) if listen.port() != 0 || tries > 20 => return Err(format!("cannot listen on tcp {addr}: {e}")),
                Err(_) => tries += 1,
            }
        }
    };
    let addr = udp.local_addr().map_err(|e| e.to_string())?;
    println!("listening on udp://{addr}");
    let udp = Arc::new(udp);
    let (z, s) = (zone.clone(), stats.clone());
    tokio::spawn(async move {
        loop {
            let Ok((conn, _)) = tcp.accept().await else { continue };
            let (z, s) = (z.clone(), s.clone());
            tokio::spawn(async move {
                let mut conn = conn;
                loop {
                    let Ok(len) = conn.read_u16().await else { return };
                    let mut buf = vec![0; usize::from(len)];
                    if conn.read_exact(&mut buf).await.is_err() {
                        return;
                    }
                    let Some(reply) = respond(&z, &s, &buf).await else { continue };
                    let Ok(len) = u16::try_from(reply.len()) else { return };
                    if conn.write_u16(len).await.is_err() || conn.write_all(&reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let mut buf = vec![0u8; 4096];
    loop {
        let (n, peer) = udp.recv_from(&mut buf).await.map_err(|e| format!("udp receive: {e}"))?;
        let query = buf[..n].to_vec();
        let (udp, zone, stats) = (udp.clone(), zone.clone(), stats.clone());
        tokio::spawn(async move {
            if let Some(reply) = respond(&zone, &stats, &query).await {
                let _ = udp.send_to(&reply, peer).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(zone: &Zone, name: &str, t: RecordType) -> Option<(ResponseCode, Vec<String>)> {
        zone.answer(&fqdn(name).unwrap(), t)
            .map(|(code, rs)| (code, rs.iter().map(|r| format!("{} {}", r.name, r.data)).collect()))
    }

    #[test]
    fn zone_answers_like_a_recursive_resolver() {
        let zone = Zone::parse(
            "a.test 300 A 192.0.2.1 # comment\nc.test 60 CNAME a.test\nd.test 60 CNAME c.test\n\
             s.test SERVFAIL\nq.test SILENT\nx.test 60 CNAME nowhere.test\n",
        )
        .unwrap();
        assert_eq!(
            ask(&zone, "a.test", RecordType::A),
            Some((ResponseCode::NoError, vec!["a.test. 192.0.2.1".into()]))
        );
        assert_eq!(ask(&zone, "a.test", RecordType::AAAA), Some((ResponseCode::NoError, vec![])));
        assert_eq!(
            ask(&zone, "D.test", RecordType::A).unwrap().1,
            vec!["D.test. c.test.", "c.test. a.test.", "a.test. 192.0.2.1"]
        );
        assert_eq!(ask(&zone, "none.test", RecordType::A), Some((ResponseCode::NXDomain, vec![])));
        assert_eq!(ask(&zone, "x.test", RecordType::A).unwrap().0, ResponseCode::NXDomain);
        assert_eq!(ask(&zone, "s.test", RecordType::A).unwrap().0, ResponseCode::ServFail);
        assert_eq!(ask(&zone, "q.test", RecordType::A), None);
    }

    #[test]
    fn zone_errors_name_the_line() {
        let e = Zone::parse("ok.test 1 A 192.0.2.1\nbad.test 1 A nope\n").unwrap_err();
        assert!(e.starts_with("line 2: not an IPv4 address"), "{e}");
        assert!(Zone::parse("x.test 1 MX a").unwrap_err().contains("unknown record type MX"));
        assert!(Zone::parse("x.test 1 CAA 256 issue a").unwrap_err().contains("CAA flags must be 0 to 255"));
        assert!(Zone::parse("x.test 1 CAA 0 is-sue a").unwrap_err().contains("bad CAA tag is-sue"));
    }

    #[test]
    fn caa_records_are_served_as_written() {
        let zone = Zone::parse(
            "example.test 300 CAA 0 issue \"letsencrypt.org; validationmethods=dns-01\"\n\
             example.test 300 CAA 128 issuewild ;\nwww.example.test 60 CNAME example.test\n",
        )
        .unwrap();
        let (code, records) = zone.answer(&fqdn("www.example.test").unwrap(), RecordType::CAA).unwrap();
        assert_eq!(code, ResponseCode::NoError);
        let caa: Vec<(u8, String, String)> = records
            .iter()
            .filter_map(|r| match &r.data {
                RData::CAA(c) => Some((c.flags(), c.tag.clone(), String::from_utf8_lossy(&c.value).into_owned())),
                _ => None,
            })
            .collect();
        assert_eq!(
            caa,
            vec![
                (0, "issue".into(), "letsencrypt.org; validationmethods=dns-01".into()),
                (128, "issuewild".into(), ";".into())
            ]
        );
        // Over the wire and back, as a client decodes it.
        let mut msg = Message::response(1, hickory_proto::op::OpCode::Query);
        msg.add_answers(records);
        let back = Message::from_vec(&msg.to_vec().unwrap()).unwrap();
        assert_eq!(back.answers.len(), 3);
        assert_eq!(ask(&zone, "other.test", RecordType::CAA), Some((ResponseCode::NXDomain, vec![])));
    }
}
