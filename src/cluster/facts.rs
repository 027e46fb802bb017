//! What was read from the cluster, as plain values parsed from `kubectl get -o json` output.
//! Parsing is lenient: a field that is absent or of another type reads as absent, because these
//! are facts to report on, not input to validate.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A Gateway API CRD installed in the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CrdFact {
    /// e.g. `gateways.gateway.networking.k8s.io`.
    pub name: String,
    pub kind: String,
    /// The `gateway.networking.k8s.io/bundle-version` annotation, e.g. `v1.2.1`.
    pub bundle_version: Option<String>,
    /// The `gateway.networking.k8s.io/channel` annotation: `standard` or `experimental`.
    pub channel: Option<String>,
    /// The served versions, e.g. `["v1", "v1beta1"]`.
    pub served: Vec<String>,
}

/// The Gateway API release a cluster runs, as its Gateway CRD states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledApi {
    pub bundle_version: String,
    pub channel: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassFact {
    pub name: String,
    pub controller: String,
    /// The `Accepted` condition: `None` when Unknown or not set yet (no controller claimed it).
    pub accepted: Option<bool>,
    /// The reason of the `Accepted` condition, e.g. `Pending` or `InvalidParameters`.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayFact {
    pub namespace: String,
    pub name: String,
    pub class: String,
    pub listeners: Vec<ListenerFact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListenerFact {
    pub name: String,
    pub protocol: String,
    pub port: i64,
    pub hostname: Option<String>,
    /// `allowedRoutes.namespaces.from` and its selector.
    pub from: AllowedFrom,
}

/// Which namespaces a listener accepts routes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AllowedFrom {
    Same,
    All,
    Selector(Selector),
    /// A value this version does not know: neither admitted nor refused.
    Other(String),
}

/// A Kubernetes label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

/// The namespace routes would be created in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespaceFact {
    pub name: String,
    /// Its labels; `None` when the namespace does not exist (yet).
    pub labels: Option<BTreeMap<String, String>>,
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn strings(value: &Value) -> Vec<String> {
    let items = value.as_array().into_iter().flatten();
    items
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    let entries = value.as_object().into_iter().flatten();
    let entries = entries.filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())));
    entries.collect()
}

/// The objects of a `kubectl get -o json` answer: the items of a List, or the one object.
pub(super) fn objects(answer: &Value) -> Vec<&Value> {
    match answer.get("items").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![answer],
    }
}

impl CrdFact {
    pub(super) fn parse(crd: &Value) -> CrdFact {
        let annotation = |key| text(crd, &format!("/metadata/annotations/{key}"));
        let versions = crd.pointer("/spec/versions").and_then(Value::as_array);
        let served = versions
            .into_iter()
            .flatten()
            .filter(|v| v["served"] == true);
        CrdFact {
            name: text(crd, "/metadata/name").unwrap_or_default(),
            kind: text(crd, "/spec/names/kind").unwrap_or_default(),
            // `~1` escapes the `/` inside the annotation keys in a JSON pointer.
            bundle_version: annotation("gateway.networking.k8s.io~1bundle-version"),
            channel: annotation("gateway.networking.k8s.io~1channel"),
            served: served.filter_map(|v| text(v, "/name")).collect(),
        }
    }
}

impl ClassFact {
    pub(super) fn parse(class: &Value) -> ClassFact {
        let conditions = class
            .pointer("/status/conditions")
            .and_then(Value::as_array);
        let accepted = conditions
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Accepted");
        ClassFact {
            name: text(class, "/metadata/name").unwrap_or_default(),
            controller: text(class, "/spec/controllerName").unwrap_or_default(),
            accepted: accepted.and_then(|c| match c["status"].as_str() {
                Some("True") => Some(true),
                Some("False") => Some(false),
                _ => None,
            }),
            reason: accepted.and_then(|c| text(c, "/reason")),
        }
    }
}

impl GatewayFact {
    pub(super) fn parse(gateway: &Value) -> GatewayFact {
        let listeners = gateway.pointer("/spec/listeners").and_then(Value::as_array);
        GatewayFact {
            namespace: text(gateway, "/metadata/namespace").unwrap_or_default(),
            name: text(gateway, "/metadata/name").unwrap_or_default(),
            class: text(gateway, "/spec/gatewayClassName").unwrap_or_default(),
            listeners: listeners
                .into_iter()
                .flatten()
                .map(ListenerFact::parse)
                .collect(),
        }
    }
}

impl ListenerFact {
    fn parse(listener: &Value) -> ListenerFact {
        let namespaces = &listener["allowedRoutes"]["namespaces"];
        // The spec's default is Same, when allowedRoutes or `from` is left out.
        let from = match namespaces["from"].as_str().unwrap_or("Same") {
            "Same" => AllowedFrom::Same,
            "All" => AllowedFrom::All,
            "Selector" => AllowedFrom::Selector(Selector::parse(&namespaces["selector"])),
            other => AllowedFrom::Other(other.to_string()),
        };
        ListenerFact {
            name: text(listener, "/name").unwrap_or_default(),
            protocol: text(listener, "/protocol").unwrap_or_default(),
            port: listener["port"].as_i64().unwrap_or_default(),
            hostname: text(listener, "/hostname"),
            from,
        }
    }

    /// Whether the listener admits routes from `namespace`, for a Gateway in `gateway_namespace`.
    /// `None` when that cannot be known: a Selector without the namespace's labels, or an unknown
    /// `from`.
    pub fn admits(
        &self,
        gateway_namespace: &str,
        namespace: &str,
        labels: Option<&BTreeMap<String, String>>,
    ) -> Option<bool> {
        match &self.from {
            AllowedFrom::Same => Some(namespace == gateway_namespace),
            AllowedFrom::All => Some(true),
            AllowedFrom::Selector(selector) => selector.matches(labels?),
            AllowedFrom::Other(_) => None,
        }
    }
}

impl Selector {
    fn parse(selector: &Value) -> Selector {
        let expressions = selector["matchExpressions"].as_array();
        Selector {
            match_labels: string_map(&selector["matchLabels"]),
            match_expressions: expressions
                .into_iter()
                .flatten()
                .map(|e| Requirement {
                    key: text(e, "/key").unwrap_or_default(),
                    operator: text(e, "/operator").unwrap_or_default(),
                    values: strings(&e["values"]),
                })
                .collect(),
        }
    }

    /// Kubernetes label-selector semantics: every label and every expression must hold. `None`
    /// for an operator Kubernetes does not define.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> Option<bool> {
        let mut all = self
            .match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v));
        for r in &self.match_expressions {
            let value = labels.get(&r.key);
            let listed = value.is_some_and(|v| r.values.contains(v));
            all &= match r.operator.as_str() {
                "In" => listed,
                "NotIn" => !listed,
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => return None,
            };
        }
        Some(all)
    }

    /// For messages: `a=b, c in (x, y)`.
    pub fn describe(&self) -> String {
        let labels = self.match_labels.iter().map(|(k, v)| format!("{k}={v}"));
        let expressions = self.match_expressions.iter().map(|r| match r.values.len() {
            0 => format!("{} {}", r.key, r.operator),
            _ => format!("{} {} ({})", r.key, r.operator, r.values.join(", ")),
        });
        labels.chain(expressions).collect::<Vec<_>>().join(", ")
    }
}

impl NamespaceFact {
    pub(super) fn parse(name: &str, namespace: Option<&Value>) -> NamespaceFact {
        NamespaceFact {
            name: name.to_string(),
            labels: namespace.map(|ns| string_map(&ns["metadata"]["labels"])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_follow_kubernetes_semantics() {
        let selector = Selector::parse(&json!({
            "matchLabels": {"team": "shop"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "staging"]},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        }));
        let yes = labels(&[("team", "shop"), ("env", "prod")]);
        assert_eq!(selector.matches(&yes), Some(true));
        let wrong_env = labels(&[("team", "shop"), ("env", "dev")]);
        assert_eq!(selector.matches(&wrong_env), Some(false));
        let legacy = labels(&[("team", "shop"), ("env", "prod"), ("legacy", "1")]);
        assert_eq!(selector.matches(&legacy), Some(false));
        assert_eq!(selector.matches(&labels(&[])), Some(false));
        // An empty selector selects every namespace.
        assert_eq!(Selector::default().matches(&labels(&[])), Some(true));
        let odd = Selector::parse(&json!({"matchExpressions": [{"key": "a", "operator": "Gt"}]}));
        assert_eq!(odd.matches(&yes), None);
        assert_eq!(
            selector.describe(),
            "team=shop, env In (prod, staging), legacy DoesNotExist"
        );
    }

    #[test]
    fn a_listener_without_allowed_routes_admits_only_its_namespace() {
        let listener =
            ListenerFact::parse(&json!({"name": "http", "protocol": "HTTP", "port": 80}));
        assert_eq!(listener.from, AllowedFrom::Same);
        assert_eq!(listener.admits("infra", "infra", None), Some(true));
        assert_eq!(listener.admits("infra", "shop", None), Some(false));
    }
}
