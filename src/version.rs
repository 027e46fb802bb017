//! Gateway API releases a cluster may run (`--gateway-api v1.0` … `v1.6`) and what each serves:
//! the apiVersion to emit per kind, and the features a release lacks.
//!
//! Facts from the release notes: Gateway, GatewayClass and HTTPRoute are v1 since v1.0; GRPCRoute
//! is v1 (standard) since v1.1; HTTPRoute timeouts are standard since v1.2, the HTTPRoute CORS
//! filter since v1.5 (experimental from v1.2); TLSRoute, TCPRoute and
//! UDPRoute are v1 (standard) since v1.6 and v1alpha2 in the experimental channel before;
//! ReferenceGrant is emitted as v1beta1, served by every release.

use std::fmt;

/// The newest release the generator knows, and its default target.
pub const LATEST: Version = Version { minor: 6 };
const OLDEST_MINOR: u8 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub minor: u8,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

impl Version {
    /// `v1.2`, `1.2`, `v1.2.1` (the patch is ignored).
    pub fn parse(text: &str) -> Result<Version, String> {
        let bad = || {
            format!("must be a Gateway API release from v1.{OLDEST_MINOR} to {LATEST}, like v1.6")
        };
        let rest = text.strip_prefix('v').unwrap_or(text);
        let mut parts = rest.split('.');
        let (Some("1"), Some(minor)) = (parts.next(), parts.next()) else {
            return Err(bad());
        };
        if parts.clone().count() > 1 || parts.any(|p| p.parse::<u32>().is_err()) {
            return Err(bad());
        }
        let minor: u8 = minor.parse().map_err(|_| bad())?;
        if !(OLDEST_MINOR..=LATEST.minor).contains(&minor) {
            return Err(bad());
        }
        Ok(Version { minor })
    }

    /// The apiVersion to emit for `kind`, with a note when only the experimental channel serves it;
    /// an error naming the release that brings it when this release lacks it.
    pub fn api_version(self, kind: &str) -> Result<(String, Option<String>), String> {
        let group = crate::spec::GROUP;
        let experimental = |v: &str| {
            let note = format!("{kind} is only served by the experimental channel CRDs on Gateway API {self} (standard v1 since v1.6): install the experimental channel, or target v1.6");
            Ok((format!("{group}/{v}"), Some(note)))
        };
        match kind {
            "GRPCRoute" if self.minor < 1 => Err(format!("GRPCRoute is v1 (standard) from Gateway API v1.1; {self} has it only as experimental v1alpha2, which v1.2 removed")),
            "TLSRoute" | "TCPRoute" | "UDPRoute" if self.minor < 6 => experimental("v1alpha2"),
            "ReferenceGrant" => Ok((format!("{group}/v1beta1"), None)),
            _ => Ok((format!("{group}/v1"), None)),
        }
    }
}

/// The first release whose standard channel serves HTTPRoute `timeouts`.
pub const TIMEOUTS: Version = Version { minor: 2 };
/// The first release whose standard channel serves the HTTPRoute `CORS` filter.
pub const CORS: Version = Version { minor: 5 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_releases() {
        assert_eq!(Version::parse("v1.2").unwrap().minor, 2);
        assert_eq!(Version::parse("1.6.1").unwrap(), LATEST);
        assert!(Version::parse("v1.7").is_err());
        assert!(Version::parse("v2.0").is_err());
        assert!(Version::parse("v1").is_err());
        assert!(Version::parse("v1.2.x").is_err());
    }

    #[test]
    fn api_versions_follow_the_release() {
        let v = |m| Version { minor: m };
        assert_eq!(
            v(6).api_version("TCPRoute").unwrap(),
            ("gateway.networking.k8s.io/v1".into(), None)
        );
        let (api, note) = v(5).api_version("TLSRoute").unwrap();
        assert_eq!(api, "gateway.networking.k8s.io/v1alpha2");
        assert!(note.unwrap().contains("experimental"));
        assert!(v(0).api_version("GRPCRoute").unwrap_err().contains("v1.1"));
        assert_eq!(
            v(1).api_version("GRPCRoute").unwrap().0,
            "gateway.networking.k8s.io/v1"
        );
        assert_eq!(
            v(0).api_version("ReferenceGrant").unwrap().0,
            "gateway.networking.k8s.io/v1beta1"
        );
    }
}
