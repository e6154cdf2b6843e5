//! Addresses: who is the client behind the proxies an operator trusts,
//! and whether an address is in a list of addresses and CIDR blocks.

use std::net::IpAddr;

/// A rule of an address list: an address or a CIDR block, as (network,
/// prefix length); `None` when it is neither (start-up refuses such a
/// setting, naming it).
pub fn parse_rule(rule: &str) -> Option<(IpAddr, u32)> {
    let (addr, bits) = match rule.split_once('/') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (rule.trim(), None),
    };
    let net = addr.parse::<IpAddr>().ok()?;
    let most = if net.is_ipv4() { 32 } else { 128 };
    let bits = match bits {
        Some(b) => b.parse::<u32>().ok().filter(|n| *n <= most)?,
        None => most,
    };
    Some((net, bits))
}

/// Whether `ip` is in one of `allowed` (addresses or CIDR blocks).
pub fn ip_allowed(ip: IpAddr, allowed: &[String]) -> bool {
    allowed.iter().any(|rule| {
        let Some((net, bits)) = parse_rule(rule) else {
            return false;
        };
        match (ip, net) {
            (IpAddr::V4(a), IpAddr::V4(n)) => {
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                u32::from(a) & mask == u32::from(n) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(n)) => {
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                u128::from(a) & mask == u128::from(n) & mask
            }
            (IpAddr::V6(a), IpAddr::V4(_)) => a
                .to_ipv4_mapped()
                .is_some_and(|a4| ip_allowed(IpAddr::V4(a4), std::slice::from_ref(rule))),
            _ => false,
        }
    })
}

/// The client's address: the socket's peer, unless the peer is a proxy the
/// operator trusts (`trusted`: addresses and CIDR blocks; `trust_peer`: the
/// peer whatever its address, `REDRESS_TRUST_FORWARDED_FOR`). Then the
/// `X-Forwarded-For` entries are read from the right, each added by the
/// hop before it, and the first one that is not a trusted proxy is the
/// client: behind a CDN and a load balancer, the client's own address, not
/// the CDN's. An entry that is not an address ends the walk (whoever wrote
/// it is not trusted); when every entry is trusted, the leftmost is taken.
pub fn client_address<'a>(
    peer: Option<IpAddr>,
    forwarded_for: impl Iterator<Item = &'a str>,
    trust_peer: bool,
    trusted: &[String],
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !(trust_peer || ip_allowed(peer, trusted)) {
        return peer.to_string();
    }
    let hops: Vec<&str> = forwarded_for
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if ip_allowed(ip, trusted) => continue,
            Ok(ip) => return ip.to_string(),
            // Not an address: kept as written, short (a rate limit's key).
            Err(_) => return hop.chars().take(64).collect(),
        }
    }
    hops.first()
        .map(|h| h.chars().take(64).collect())
        .unwrap_or_else(|| peer.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_blocks_are_matched() {
        let allow = vec![
            "127.0.0.1".to_owned(),
            "10.1.0.0/16".to_owned(),
            "::1".to_owned(),
        ];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(ip_allowed(ip("127.0.0.1"), &allow));
        assert!(ip_allowed(ip("10.1.200.3"), &allow));
        assert!(!ip_allowed(ip("10.2.0.1"), &allow));
        assert!(ip_allowed(ip("::1"), &allow));
        assert!(ip_allowed(ip("::ffff:10.1.0.9"), &allow));
        assert!(!ip_allowed(ip("192.168.1.1"), &allow));
        assert!(!ip_allowed(ip("127.0.0.1"), &[]));
    }

    #[test]
    fn a_rule_is_an_address_or_a_block_and_nothing_else() {
        let v4 = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(parse_rule("10.0.0.0/8"), Some((v4("10.0.0.0"), 8)));
        assert_eq!(parse_rule(" 192.0.2.1 "), Some((v4("192.0.2.1"), 32)));
        assert_eq!(parse_rule("::1"), Some((v4("::1"), 128)));
        assert_eq!(parse_rule("2001:db8::/32"), Some((v4("2001:db8::"), 32)));
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/x",
            "example.jp",
            "",
            "10.0.0/8",
        ] {
            assert_eq!(parse_rule(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_first_untrusted_address_from_the_right() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let proxies = vec!["10.0.0.0/8".to_owned(), "203.0.113.0/24".to_owned()];
        // A CDN (203.0.113.x) and a load balancer (10.x): the client is
        // the address the CDN saw, not the CDN.
        let chain = ["198.51.100.7, 203.0.113.9"];
        assert_eq!(
            client_address(ip("10.0.0.2"), chain.into_iter(), false, &proxies),
            "198.51.100.7"
        );
        // A client who writes its own header cannot choose its address:
        // the entries left of the first untrusted one are not read.
        let forged = ["1.2.3.4, 198.51.100.7, 203.0.113.9"];
        assert_eq!(
            client_address(ip("10.0.0.2"), forged.into_iter(), false, &proxies),
            "198.51.100.7"
        );
        // A peer that is not a trusted proxy is the client, header or not.
        assert_eq!(
            client_address(ip("192.0.2.1"), chain.into_iter(), false, &proxies),
            "192.0.2.1"
        );
        // Several headers read as one list, in order.
        let split = ["198.51.100.7", "203.0.113.9"];
        assert_eq!(
            client_address(ip("10.0.0.2"), split.into_iter(), false, &proxies),
            "198.51.100.7"
        );
        // Trusting the peer alone (the older setting): the last entry.
        assert_eq!(
            client_address(ip("192.0.2.1"), chain.into_iter(), true, &[]),
            "203.0.113.9"
        );
        // No header from a trusted peer: the peer.
        assert_eq!(
            client_address(ip("10.0.0.2"), std::iter::empty(), false, &proxies),
            "10.0.0.2"
        );
        // Every entry trusted: the leftmost; an entry that is no address
        // ends the walk.
        let inner = ["10.0.0.7, 10.0.0.8"];
        assert_eq!(
            client_address(ip("10.0.0.2"), inner.into_iter(), false, &proxies),
            "10.0.0.7"
        );
        let junk = ["198.51.100.7, unknown"];
        assert_eq!(
            client_address(ip("10.0.0.2"), junk.into_iter(), false, &proxies),
            "unknown"
        );
        assert_eq!(
            client_address(None, chain.into_iter(), true, &proxies),
            "unknown"
        );
    }
}
