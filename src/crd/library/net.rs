//! The `ip` and `cidr` libraries: k8s.io/apiserver/pkg/cel/library/{ip,cidr}.go, over Go's
//! net/netip.

use super::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

static IP_TYPE: Type = Type::simple_type(Kind::Opaque, "net.IP");
static CIDR_TYPE: Type = Type::simple_type(Kind::Opaque, "net.CIDR");

pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(IP_TYPE.to_owned())?;
    env.add_type(CIDR_TYPE.to_owned())?;

    cel::add_overload!(env, fn ip: (CelString) -> Result<Ip>)?;
    cel::add_overload!(env, fn is_ip: (CelString) -> CelBool, name = "isIP")?;
    cel::add_overload!(env, fn ip_is_canonical: (CelString) -> Result<CelBool>,
        name = "ip.isCanonical")?;
    cel::add_overload!(env, fn ip_to_string: (Ip) -> CelString, name = "string")?;
    cel::add_member_overload!(env, fn family: (Ip) -> CelInt)?;
    cel::add_member_overload!(env, fn is_unspecified: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_loopback: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_link_local_multicast: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_link_local_unicast: (Ip) -> CelBool)?;
    cel::add_member_overload!(env, fn is_global_unicast: (Ip) -> CelBool)?;

    cel::add_overload!(env, fn cidr: (CelString) -> Result<Cidr>)?;
    cel::add_overload!(env, fn is_cidr: (CelString) -> CelBool, name = "isCIDR")?;
    cel::add_overload!(env, fn cidr_to_string: (Cidr) -> CelString, name = "string")?;
    cel::add_member_overload!(env, fn contains_ip: (Cidr, Ip) -> CelBool,
        name = "containsIP")?;
    cel::add_member_overload!(env, fn contains_ip_string: (Cidr, CelString) -> Result<CelBool>,
        name = "containsIP")?;
    cel::add_member_overload!(env, fn contains_cidr: (Cidr, Cidr) -> CelBool,
        name = "containsCIDR")?;
    cel::add_member_overload!(env,
        fn contains_cidr_string: (Cidr, CelString) -> Result<CelBool>,
        name = "containsCIDR")?;
    cel::add_member_overload!(env, fn cidr_ip: (Cidr) -> Ip, name = "ip")?;
    cel::add_member_overload!(env, fn masked: (Cidr) -> Cidr)?;
    cel::add_member_overload!(env, fn prefix_length: (Cidr) -> CelInt)?;
    Ok(())
}

/// An IP address, `net.IP`: never IPv4-mapped IPv6, never with a zone.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Ip(IpAddr);

opaque_val!(Ip, &IP_TYPE);

/// A network, `net.CIDR`: an address and a prefix length, the address
/// possibly with bits set past the prefix (see `masked()`).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Cidr {
    addr: IpAddr,
    bits: u8,
}

opaque_val!(Cidr, &CIDR_TYPE);

/// The apiserver's `parseIPAddr`: Go's `netip.ParseAddr`, which refuses
/// IPv4 octets with leading zeros, and then no zone and no IPv4-mapped
/// IPv6 address.
fn parse_ip(raw: &str) -> Result<IpAddr, String> {
    let parse_error = |reason: &str| {
        format!(
            "IP Address {} parse error during conversion from string: ParseAddr({}): {reason}",
            go_quote(raw),
            go_quote(raw)
        )
    };
    if let Some((address, zone)) = raw.split_once('%') {
        return Err(match address.parse::<Ipv6Addr>() {
            Ok(_) if !zone.is_empty() => {
                format!(
                    "IP address {} with zone value is not allowed",
                    go_quote(raw)
                )
            }
            Ok(_) => parse_error("zone must be a non-empty string"),
            Err(_) => parse_error("unable to parse IP"),
        });
    }
    // Rust's parser refuses what Go's does, leading zeros included.
    let addr = raw.parse::<IpAddr>().map_err(|_| {
        parse_error(if has_leading_zero_octet(raw) {
            "IPv4 field has octet with leading zero"
        } else {
            "unable to parse IP"
        })
    })?;
    if let IpAddr::V6(v6) = addr {
        if v6.to_ipv4_mapped().is_some() {
            return Err(format!(
                "IPv4-mapped IPv6 address {} is not allowed",
                go_quote(raw)
            ));
        }
    }
    Ok(addr)
}

/// Whether `raw`'s dotted part has an octet like `01`.
fn has_leading_zero_octet(raw: &str) -> bool {
    let dotted = raw.rsplit(':').next().unwrap_or(raw);
    dotted.contains('.')
        && dotted
            .split('.')
            .any(|octet| octet.len() > 1 && octet.starts_with('0'))
}

/// The apiserver's `parseCIDR`: Go's `netip.ParsePrefix`, then no
/// IPv4-mapped IPv6 address.
fn parse_cidr(raw: &str) -> Result<Cidr, String> {
    let prefix_error = |reason: &str| format!("netip.ParsePrefix({}): {reason}", go_quote(raw));
    let wrap = |error: String| {
        format!("network address parse error during conversion from string: {error}")
    };
    let Some((address, bits)) = raw.rsplit_once('/') else {
        return Err(wrap(prefix_error("no '/'")));
    };
    if let Some((ipv6, _)) = address.split_once('%') {
        // Go's `ParseAddr` takes a zone, which `ParsePrefix` then refuses.
        if ipv6.parse::<Ipv6Addr>().is_ok() {
            return Err(wrap(prefix_error(
                "IPv6 zones cannot be present in a prefix",
            )));
        }
    }
    let addr = address.parse::<IpAddr>().map_err(|_| {
        wrap(prefix_error(&format!(
            "ParseAddr({}): {}",
            go_quote(address),
            if has_leading_zero_octet(address) {
                "IPv4 field has octet with leading zero"
            } else {
                "unable to parse IP"
            }
        )))
    })?;
    // Go's `strconv.Atoi` takes a sign and leading zeros, which
    // `ParsePrefix` refuses.
    let bad_bits = || {
        wrap(prefix_error(&format!(
            "bad bits after slash: {}",
            go_quote(bits)
        )))
    };
    if bits.len() > 1 && !matches!(bits.as_bytes()[0], b'1'..=b'9') {
        return Err(bad_bits());
    }
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_bits());
    }
    let max_bits = if addr.is_ipv4() { 32 } else { 128 };
    let bits = match bits.parse::<i64>() {
        Ok(bits) if bits <= max_bits => bits as u8,
        Ok(_) => return Err(wrap(prefix_error("prefix length out of range"))),
        Err(_) => return Err(bad_bits()),
    };
    if let IpAddr::V6(v6) = addr {
        if v6.to_ipv4_mapped().is_some() {
            return Err(format!(
                "IPv4-mapped IPv6 address {} is not allowed",
                go_quote(raw)
            ));
        }
    }
    Ok(Cidr { addr, bits })
}

/// `addr` with the bits past the first `bits` cleared.
fn mask(addr: IpAddr, bits: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// `ip(<string>)`: the IP address; an error if not one.
fn ip(s: &CelString<'_>) -> Result<Ip, ExecutionError> {
    parse_ip(s.inner())
        .map(Ip)
        .map_err(|error| ExecutionError::function_error("ip", error))
}

/// `isIP(<string>)`: whether `ip(<string>)` succeeds.
fn is_ip(s: &CelString<'_>) -> CelBool {
    parse_ip(s.inner()).is_ok().into()
}

/// `ip.isCanonical(<string>)`: whether the address is written in its
/// canonical form (RFC 5952 for IPv6), so that addresses compare as
/// strings; an error if it isn't an address.
fn ip_is_canonical(s: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let addr = parse_ip(s.inner())
        .map_err(|error| ExecutionError::function_error("ip.isCanonical", error))?;
    // Rust writes IPv6 as RFC 5952 does, as Go does; both write the
    // IPv4-mapped form differently, but it was refused above.
    Ok((addr.to_string() == s.inner()).into())
}

/// `string(<IP>)`: the canonical form.
fn ip_to_string(ip: &Ip) -> CelString<'static> {
    ip.0.to_string().into()
}

/// `<IP>.family()`: 4 or 6.
fn family(ip: &Ip) -> CelInt {
    CelInt::from(if ip.0.is_ipv4() { 4 } else { 6 })
}

/// `<IP>.isUnspecified()`: `0.0.0.0` or `::`.
fn is_unspecified(ip: &Ip) -> CelBool {
    ip.0.is_unspecified().into()
}

/// `<IP>.isLoopback()`: `127.0.0.0/8` or `::1`.
fn is_loopback(ip: &Ip) -> CelBool {
    ip.0.is_loopback().into()
}

/// `<IP>.isLinkLocalMulticast()`: `224.0.0.0/24`, or `ff02::/16` whatever
/// the flags, as Go's `Addr.IsLinkLocalMulticast`.
fn is_link_local_multicast(ip: &Ip) -> CelBool {
    match ip.0 {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
    .into()
}

/// `<IP>.isLinkLocalUnicast()`: `169.254.0.0/16` or `fe80::/10`.
fn is_link_local_unicast(ip: &Ip) -> CelBool {
    link_local_unicast(ip.0).into()
}

fn link_local_unicast(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.octets()[..2] == [169, 254],
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// `<IP>.isGlobalUnicast()`, as Go's `Addr.IsGlobalUnicast`: neither
/// unspecified, loopback, multicast, link-local unicast nor the IPv4
/// broadcast address. Private addresses count as global.
fn is_global_unicast(ip: &Ip) -> CelBool {
    let addr = ip.0;
    let broadcast = addr == IpAddr::V4(Ipv4Addr::BROADCAST);
    (!broadcast
        && !addr.is_unspecified()
        && !addr.is_loopback()
        && !addr.is_multicast()
        && !link_local_unicast(addr))
    .into()
}

/// `cidr(<string>)`: the network; an error if not one.
fn cidr(s: &CelString<'_>) -> Result<Cidr, ExecutionError> {
    parse_cidr(s.inner()).map_err(|error| {
        ExecutionError::function_error(
            "cidr",
            format!("network address parse error during conversion from string: {error}"),
        )
    })
}

/// `isCIDR(<string>)`: whether `cidr(<string>)` succeeds.
fn is_cidr(s: &CelString<'_>) -> CelBool {
    parse_cidr(s.inner()).is_ok().into()
}

/// `string(<CIDR>)`: `address/bits`, the address as given.
fn cidr_to_string(cidr: &Cidr) -> CelString<'static> {
    format!("{}/{}", cidr.addr, cidr.bits).into()
}

/// `<CIDR>.containsIP(<IP>)`: whether the address is in the network.
fn contains_ip(cidr: &Cidr, ip: &Ip) -> CelBool {
    (cidr.addr.is_ipv4() == ip.0.is_ipv4() && mask(cidr.addr, cidr.bits) == mask(ip.0, cidr.bits))
        .into()
}

/// `<CIDR>.containsIP(<string>)`: as with `ip(<string>)`, an error if the
/// string isn't an address.
fn contains_ip_string(cidr: &Cidr, s: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let addr =
        parse_ip(s.inner()).map_err(|error| ExecutionError::function_error("containsIP", error))?;
    Ok(contains_ip(cidr, &Ip(addr)))
}

/// `<CIDR>.containsCIDR(<CIDR>)`: whether the other network is within
/// this one. Both addresses are masked, as since kubernetes/kubernetes#130450
/// (1.33, cherry-picked to 1.32): before, the other's address had to be
/// this one's network address, so `192.168.0.0/16` didn't contain
/// `192.168.10.0/24`.
fn contains_cidr(cidr: &Cidr, other: &Cidr) -> CelBool {
    (cidr.addr.is_ipv4() == other.addr.is_ipv4()
        && cidr.bits <= other.bits
        && mask(cidr.addr, cidr.bits) == mask(other.addr, cidr.bits))
    .into()
}

/// `<CIDR>.containsCIDR(<string>)`: as with `cidr(<string>)`, an error if
/// the string isn't a network.
fn contains_cidr_string(cidr: &Cidr, s: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let other = parse_cidr(s.inner()).map_err(|error| {
        ExecutionError::function_error(
            "containsCIDR",
            format!("network address parse error during conversion from string: {error}"),
        )
    })?;
    Ok(contains_cidr(cidr, &other))
}

/// `<CIDR>.ip()`: the address, as given.
fn cidr_ip(cidr: &Cidr) -> Ip {
    Ip(cidr.addr)
}

/// `<CIDR>.masked()`: the network with the bits past the prefix cleared,
/// its canonical form.
fn masked(cidr: &Cidr) -> Cidr {
    Cidr {
        addr: mask(cidr.addr, cidr.bits),
        bits: cidr.bits,
    }
}

/// `<CIDR>.prefixLength()`: the prefix length in bits.
fn prefix_length(cidr: &Cidr) -> CelInt {
    CelInt::from(i64::from(cidr.bits))
}
