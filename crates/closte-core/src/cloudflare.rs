//! Cloudflare's proxy ranges: a name whose addresses all lie here is behind Cloudflare's
//! proxy ("orange cloud"), so visitors and Let's Encrypt reach Cloudflare, never Closte.
//!
//! The table is Cloudflare's published list, https://www.cloudflare.com/ips-v4 and
//! https://www.cloudflare.com/ips-v6, taken 2026-12-07 (as quoted in issue 25; this
//! machine cannot fetch it). Cloudflare changes it rarely and announces changes; refresh
//! both lists together and update [`TAKEN`].

use std::net::IpAddr;

/// The day the table below was taken from Cloudflare's lists.
pub const TAKEN: &str = "2026-12-07";

const V4: &[&str] = &[
    "173.245.48.0/20",
    "103.21.244.0/22",
    "103.22.200.0/22",
    "103.31.4.0/22",
    "141.101.64.0/18",
    "108.162.192.0/18",
    "190.93.240.0/20",
    "188.114.96.0/20",
    "197.234.240.0/22",
    "198.41.128.0/17",
    "162.158.0.0/15",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "131.0.72.0/22",
];

const V6: &[&str] = &[
    "2400:cb00::/32",
    "2606:4700::/32",
    "2803:f800::/32",
    "2405:b500::/32",
    "2405:8100::/32",
    "2a06:98c0::/29",
    "2c0f:f248::/32",
];

/// Whether `net` ("address/prefix") holds `ip`; false for a malformed entry or another family.
fn contains(net: &str, ip: IpAddr) -> bool {
    let Some((base, len)) = net.split_once('/') else { return false };
    let (Ok(base), Ok(len)) = (base.parse::<IpAddr>(), len.parse::<u32>()) else { return false };
    match (base, ip) {
        (IpAddr::V4(b), IpAddr::V4(a)) if len <= 32 => {
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            u32::from(b) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(b), IpAddr::V6(a)) if len <= 128 => {
            let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
            u128::from(b) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// Whether `ip` is one of Cloudflare's proxy addresses (an IPv4-mapped IPv6 address counts
/// as its IPv4 address).
pub fn is_proxy(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let table = if ip.is_ipv4() { V4 } else { V6 };
    table.iter().any(|net| contains(net, ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_entry_is_a_network_of_its_family() {
        for net in V4.iter().chain(V6) {
            let (base, len) = net.split_once('/').unwrap();
            let base: IpAddr = base.parse().unwrap_or_else(|_| panic!("{net}"));
            let len: u32 = len.parse().unwrap();
            let bits = if base.is_ipv4() { 32 } else { 128 };
            assert!(len <= bits, "{net}");
            // The base address has no host bits: the entry means exactly what it says.
            assert!(contains(net, base), "{net}");
            let host_bits = match base {
                IpAddr::V4(b) => u128::from(u32::from(b)) & ((1u128 << (32 - len)) - 1),
                IpAddr::V6(b) => u128::from(b) & (u128::MAX.checked_shr(len).unwrap_or(0)),
            };
            assert_eq!(host_bits, 0, "{net} has host bits set");
        }
        assert_eq!((V4.len(), V6.len()), (15, 7));
    }

    #[test]
    fn edges_of_ranges() {
        for inside in ["104.16.0.0", "104.23.255.255", "172.67.1.1", "198.41.255.255", "131.0.75.255", "162.159.0.1"] {
            assert!(is_proxy(ip(inside)), "{inside}");
        }
        for outside in ["104.15.255.255", "104.28.0.0", "198.41.127.255", "131.0.76.0", "162.160.0.0", "198.51.100.7"] {
            assert!(!is_proxy(ip(outside)), "{outside}");
        }
        assert!(is_proxy(ip("2606:4700:3033::6815:1")));
        assert!(is_proxy(ip("2a06:98c7:ffff::1"))); // /29: 98c0 to 98c7
        assert!(!is_proxy(ip("2a06:98c8::1")));
        assert!(!is_proxy(ip("2001:db8::7")));
        assert!(is_proxy(ip("::ffff:104.16.1.1")));
    }
}
