//! Deployment contexts ("profiles"): data files that say which resources a context generates, its
//! defaults, and which questions the wizard asks. The four built-in ones are embedded from
//! `profiles/`; `--profiles DIR` adds or replaces them with files of the same shape.

use crate::catalog::{Catalog, Named};
use crate::request::FromNamespaces;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Who owns a generated resource, which decides its folder under `--out-dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    /// The application team (folder named after the app namespace).
    App,
    /// The platform team (folder `platform/`).
    Platform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RoutesNeed {
    /// A service is needed: the context exists to route to it.
    Required,
    /// Routes are generated only when a service is given.
    Optional,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayDefaults {
    /// Whether this context creates the Gateway (otherwise it attaches to an existing one).
    pub create: bool,
    /// Default name; `{service}` is replaced. Absent: the user must name the Gateway.
    #[serde(default)]
    pub name: Option<String>,
    /// Default namespace; `{namespace}` stands for the app namespace.
    pub namespace: String,
    /// Who owns the Gateway (only for contexts that create it).
    #[serde(default = "default_owner")]
    pub owner: Owner,
    /// Default `allowedRoutes.namespaces.from` of the generated listeners.
    #[serde(default = "default_from")]
    pub allowed_routes: FromNamespaces,
}

fn default_owner() -> Owner {
    Owner::Platform
}

fn default_from() -> FromNamespaces {
    FromNamespaces::Same
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// One line for menus.
    pub summary: String,
    pub description: String,
    pub gateway: GatewayDefaults,
    pub routes: RoutesNeed,
    /// The context is about backends in other namespaces: at least one is required.
    #[serde(default)]
    pub cross_namespace_backends: bool,
    /// Wizard questions, in order (see `wizard` for the ids).
    pub questions: Vec<String>,
    /// Notes shown with the output; `{gateway}` and `{namespace}` are replaced.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Profile {
    /// The kinds this context generates, for `contexts` and the wizard's menu.
    pub fn generates(&self) -> Vec<&'static str> {
        let mut kinds = Vec::new();
        if self.gateway.create {
            kinds.push("Gateway");
        }
        kinds.push(match self.routes {
            RoutesNeed::Required => "HTTPRoute",
            RoutesNeed::Optional => "HTTPRoute (when a service is given)",
        });
        kinds.push("ReferenceGrant (for cross-namespace backends and certificates)");
        kinds
    }
}

const BUILT_IN: [(&str, &str); 4] = [
    ("single-dev", include_str!("../profiles/single-dev.yaml")),
    (
        "shared-gateway",
        include_str!("../profiles/shared-gateway.yaml"),
    ),
    (
        "platform-team",
        include_str!("../profiles/platform-team.yaml"),
    ),
    (
        "cross-namespace",
        include_str!("../profiles/cross-namespace.yaml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("profile {origin}: {source}\n  hint: compare it with `traffic-engineer contexts --output json`")]
    Parse {
        origin: String,
        source: crate::yaml::YamlError,
    },
    #[error("cannot read profiles: {0}")]
    Read(#[from] crate::yaml::ReadError),
}

/// The available contexts, in menu order: built-in ones first, then those from `--profiles DIR`.
pub type Profiles = Catalog<Profile>;

impl Named for Profile {
    fn name(&self) -> &str {
        &self.name
    }

    fn embedded(text: &str, origin: &str) -> Self {
        parse(text, origin).expect("embedded profiles are valid")
    }
}

impl Catalog<Profile> {
    /// The embedded profiles, each parsed when first used.
    pub fn built_in() -> Profiles {
        Catalog::embedded(&BUILT_IN)
    }

    /// Built-in profiles, with each `*.yaml` of `dir` added or replacing the one of the same name.
    pub fn load(dir: Option<&Path>) -> Result<Profiles, ProfileError> {
        Profiles::built_in().overlay(dir, parse)
    }
}

fn parse(text: &str, origin: &str) -> Result<Profile, ProfileError> {
    crate::yaml::from_str(text).map_err(|source| ProfileError::Parse {
        origin: origin.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_parse_and_have_the_four_contexts() {
        let p = Profiles::built_in();
        assert_eq!(
            p.names(),
            [
                "single-dev",
                "shared-gateway",
                "platform-team",
                "cross-namespace"
            ]
        );
        for name in p.names() {
            assert_eq!(
                p.get(name).unwrap().name,
                name,
                "{name} is listed under its own name"
            );
        }
        assert!(p.get("single-dev").unwrap().gateway.create);
        assert!(!p.get("shared-gateway").unwrap().gateway.create);
    }

    #[test]
    fn a_directory_replaces_and_adds() {
        let dir = tempfile::tempdir().unwrap();
        let custom = BUILT_IN[0]
            .1
            .replace("name: single-dev", "name: kind-local");
        std::fs::write(dir.path().join("kind.yaml"), custom).unwrap();
        let p = Profiles::load(Some(dir.path())).unwrap();
        assert_eq!(p.names().last(), Some(&"kind-local"));
        assert_eq!(p.names().len(), 5);
    }
}
