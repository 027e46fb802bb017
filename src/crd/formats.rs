//! The string `format`s the API server validates in custom resources (kube-openapi's
//! `strfmt` registry as apiextensions-apiserver configures it). Formats it does not know, and
//! numeric ones such as `int32`, pass, as they do there.

use std::net::IpAddr;
use std::sync::OnceLock;

use regex::Regex;

use super::library;

/// Whether `value` is valid for `format`.
pub fn is_valid(format: &str, value: &str) -> bool {
    match format {
        // Go's strfmt: net.ParseIP accepts it, and it has the family's separator.
        "ipv4" => value.parse::<IpAddr>().is_ok() && value.contains('.'),
        "ipv6" => value.parse::<IpAddr>().is_ok() && value.contains(':'),
        "cidr" => is_cidr(value),
        "date-time" | "datetime" => library::is_datetime(value),
        "date" => library::is_date(value),
        "uuid" => library::is_uuid(value),
        "byte" => library::is_base64(value),
        "hostname" => is_hostname(value),
        "mac" => matches(&MAC, MAC_PATTERN, value),
        "duration" => crate::spec::duration(value).is_ok() || is_go_duration(value),
        _ => true,
    }
}

static MAC: OnceLock<Regex> = OnceLock::new();
const MAC_PATTERN: &str = r"^(?i)([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$";

fn matches(cell: &OnceLock<Regex>, pattern: &str, value: &str) -> bool {
    cell.get_or_init(|| Regex::new(pattern).expect("format patterns compile"))
        .is_match(value)
}

fn is_cidr(value: &str) -> bool {
    let Some((address, prefix)) = value.split_once('/') else {
        return false;
    };
    let Ok(bits) = prefix.parse::<u8>() else {
        return false;
    };
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => bits <= 32,
        Ok(IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

fn is_hostname(value: &str) -> bool {
    value.len() <= 255
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Go's `time.ParseDuration`: signed sequence of decimal numbers with units.
fn is_go_duration(value: &str) -> bool {
    static GO_DURATION: OnceLock<Regex> = OnceLock::new();
    matches(
        &GO_DURATION,
        r"^[-+]?(0|(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$",
        value,
    )
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn addresses_follow_go_strfmt() {
        assert!(is_valid("ipv4", "10.0.0.1"));
        assert!(!is_valid("ipv4", "10.0.0.01"));
        assert!(!is_valid("ipv4", "fe80::1"));
        assert!(is_valid("ipv6", "fe80::1"));
        assert!(!is_valid("ipv6", "fe80::1%eth0"));
        assert!(is_valid("cidr", "10.0.0.0/8"));
        assert!(!is_valid("cidr", "10.0.0.0/33"));
    }

    #[test]
    fn times_and_unknown_formats() {
        assert!(is_valid("date-time", "2026-11-30T10:00:00Z"));
        assert!(!is_valid("date-time", "yesterday"));
        assert!(is_valid("int32", "anything"));
        assert!(is_valid("duration", "1h30m"));
    }
}
