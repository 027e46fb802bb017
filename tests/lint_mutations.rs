//! The built-in lint (no CRDs given) against the CRD oracle (`support::crd`): for single-field
//! mutations of every upstream example, and of seed documents that set the fields no example
//! sets, lint reports an admission error exactly when the API server would reject the document.
//!
//! An admission error is an error without a predicted condition: predictions (a listener a
//! controller refuses, a regex it cannot compile) and traffic rules (weights that send nothing
//! anywhere) are about what happens after the API server accepted the object.

mod support;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;
use support::crd::crds as oracle;
use support::mutation::{
    any_mutation, example_documents, mutate, parse_all, pointers, Values, REPLACEMENTS,
};
use traffic_engineer::finding::{Finding, Severity};
use traffic_engineer::lint::{lint_str, Channel, LintOptions};

/// Documents setting what no upstream example sets: Gateway client certificates, frontend
/// validation modes, allowedListeners, infrastructure; every BackendTLSPolicy field; a ListenerSet
/// with routes and passthrough; CORS on a backendRef; the alpha route versions.
const SEEDS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: seed-tls, namespace: infra}
spec:
  gatewayClassName: example
  infrastructure:
    labels: {team: platform, example.com/tier: edge}
    annotations: {example.com/owner: platform}
    parametersRef: {group: example.com, kind: Config, name: edge}
  allowedListeners:
    namespaces:
      from: Selector
      selector:
        matchLabels: {shared: "true"}
        matchExpressions:
        - {key: team, operator: In, values: [a, b]}
  tls:
    backend:
      clientCertificateRef: {group: "", kind: Secret, name: client-cert, namespace: certs}
    frontend:
      default:
        validation:
          mode: AllowInsecureFallback
          caCertificateRefs:
          - {group: "", kind: ConfigMap, name: ca, namespace: certs}
      perPort:
      - port: 443
        tls:
          validation:
            mode: AllowValidOnly
            caCertificateRefs: [{group: "", kind: ConfigMap, name: ca-443}]
  addresses:
  - {type: IPAddress, value: 10.0.0.1}
  - {type: Hostname, value: lb.example.com}
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    hostname: "*.example.com"
    tls:
      mode: Terminate
      certificateRefs: [{name: wildcard}]
      options: {example.com/cipher: modern}
    allowedRoutes:
      namespaces: {from: All}
      kinds: [{group: gateway.networking.k8s.io, kind: HTTPRoute}]
  - name: tls
    protocol: TLS
    port: 8443
    tls: {mode: Passthrough}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: seed-policy, namespace: app}
spec:
  targetRefs:
  - {group: "", kind: Service, name: api, sectionName: https}
  - {group: "", kind: Service, name: api, sectionName: grpc}
  validation:
    hostname: api.example.com
    caCertificateRefs: [{group: "", kind: ConfigMap, name: api-ca}]
    subjectAltNames:
    - {type: Hostname, hostname: "*.api.example.com"}
    - {type: URI, uri: "spiffe://cluster.local/ns/app/sa/api"}
  options: {example.com/min-version: "1.3"}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: seed-set, namespace: team-a}
spec:
  parentRef: {name: seed-tls, namespace: infra}
  listeners:
  - name: passthrough
    protocol: TLS
    port: 9443
    hostname: db.example.com
    tls: {mode: Passthrough}
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {team: a}}
      kinds: [{kind: TLSRoute}]
  - name: raw
    protocol: TCP
    port: 5432
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: seed-cors, namespace: app}
spec:
  parentRefs: [{name: seed-tls, namespace: infra, sectionName: https}]
  hostnames: [api.example.com]
  rules:
  - backendRefs:
    - name: api
      port: 8080
      filters:
      - type: CORS
        cors:
          allowOrigins: ["https://app.example.com", "http://*.example.com:8080"]
          allowMethods: ["*"]
          allowHeaders: [X-Request-Id, Content-Type]
          exposeHeaders: ["*"]
          allowCredentials: false
          maxAge: 600
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: seed-tls-alpha, namespace: app}
spec:
  parentRefs: [{name: seed-tls, namespace: infra, sectionName: tls}]
  hostnames: [db.example.com]
  rules:
  - name: primary
    backendRefs: [{name: db, port: 5432}]
  - name: replica
    backendRefs: [{name: db-replica, port: 5432}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: seed-tcp-alpha, namespace: app}
spec:
  parentRefs: [{name: seed-tls, namespace: infra}]
  rules:
  - name: primary
    backendRefs: [{name: db, port: 5432}]
  - name: replica
    backendRefs: [{name: db-replica, port: 5432}]
"#;

/// Replacement values (JSON) beside those of the `--crds` comparison ([`REPLACEMENTS`]).
const MORE_REPLACEMENTS: &[&str] = &[
    // Item shapes: a list of maps where a map belongs, items of the wrong type.
    "[{\"team\": \"a\"}]",
    "[1]",
    "{\"key\": 1}",
    "\"80\"",
    // Values some fields take and others refuse.
    "\"10.0.0.1\"",
    "\"*\"",
    "\"*.example.com\"",
    "\"https://*.example.com\"",
    "\"System\"",
    "\"None\"",
    "\"Hostname\"",
    "\"URI\"",
    "\"spiffe://x/y\"",
    "\"GET\"",
    "\"Secret\"",
    "\"ConfigMap\"",
    "\"Passthrough\"",
    "\"AllowInsecureFallback\"",
    "443",
];

/// Fields (name, JSON value) a `SetField` mutation sets on the object at the chosen pointer:
/// the other half of the CEL rules that tie fields together, and values of known fields.
const FIELDS: &[(&str, &str)] = &[
    ("wellKnownCACertificates", "\"System\""),
    ("caCertificateRefs", "[{\"group\": \"\", \"kind\": \"ConfigMap\", \"name\": \"ca\"}]"),
    ("caCertificateRefs", "[]"),
    ("hostname", "\"x.example.com\""),
    ("hostname", "\"*.example.com\""),
    ("uri", "\"spiffe://x/y\""),
    ("type", "\"URI\""),
    ("sectionName", "\"https\""),
    ("tls", "{\"mode\": \"Passthrough\"}"),
    ("tls", "{\"certificateRefs\": [{\"name\": \"cert\"}]}"),
    ("tls", "{}"),
    ("mode", "\"Passthrough\""),
    ("mode", "\"Terminate\""),
    ("options", "{\"example.com/a\": \"b\"}"),
    ("percent", "50"),
    ("fraction", "{\"numerator\": 1}"),
    ("fraction", "{\"numerator\": 200}"),
    ("replacePrefixMatch", "\"/x\""),
    ("replaceFullPath", "\"/x\""),
    ("backendRefs", "[{\"name\": \"web\", \"port\": 80}]"),
    ("matches", "[{\"path\": {\"type\": \"Exact\", \"value\": \"/x\"}}, {\"path\": {\"value\": \"/y\"}}]"),
    ("namespace", "\"other\""),
    ("port", "443"),
    ("protocol", "\"TCP\""),
    ("protocol", "\"TLS\""),
    ("protocol", "\"HTTPS\""),
    ("type", "\"RequestRedirect\""),
    ("requestRedirect", "{\"scheme\": \"https\"}"),
    ("filters", "[{\"type\": \"RequestRedirect\", \"requestRedirect\": {\"path\": {\"type\": \"ReplacePrefixMatch\", \"replacePrefixMatch\": \"/\"}}}]"),
    ("filters", "[{\"type\": \"CORS\", \"cors\": {\"allowOrigins\": [\"https://a.example.com\"]}}, {\"type\": \"CORS\", \"cors\": {}}]"),
    ("cors", "{\"allowOrigins\": [\"*\", \"https://a.example.com\"]}"),
    ("allowOrigins", "[\"https://a.example.com\", \"https://a.example.com\"]"),
    ("allowOrigins", "[\"https://a.example.com/path\"]"),
    ("allowMethods", "[\"GET\", \"*\"]"),
    ("allowHeaders", "[\"X-A\", \"x a\"]"),
    ("exposeHeaders", "[\"*\", \"X-A\"]"),
    ("allowCredentials", "\"yes\""),
    ("maxAge", "0"),
    ("timeouts", "{\"request\": \"1s\", \"backendRequest\": \"2s\"}"),
    ("hostnames", "[\"10.0.0.1\"]"),
    ("hostnames", "[\"*.example.com\"]"),
    ("perPort", "[{\"port\": 443, \"tls\": {}}]"),
    ("default", "{}"),
    ("validation", "{\"caCertificateRefs\": [{\"name\": \"ca\"}]}"),
    ("clientCertificateRef", "{\"name\": \"client\", \"kind\": \"Secret\"}"),
    ("subjectAltNames", "[{\"type\": \"Hostname\", \"uri\": \"spiffe://x/y\"}]"),
    ("subjectAltNames", "[{\"type\": \"URI\", \"uri\": \"spiffe://x/y\"}]"),
    ("selector", "{\"matchLabels\": {\"a\": \"b\"}}"),
    ("from", "\"None\""),
    ("from", "\"Selector\""),
    ("name", "\"dup\""),
    ("rules", "[{\"name\": \"a\", \"backendRefs\": [{\"name\": \"x\", \"port\": 1}]}, {\"name\": \"a\", \"backendRefs\": [{\"name\": \"x\", \"port\": 1}]}]"),
    ("method", "{\"service\": \"a.B\"}"),
    ("kinds", "[{\"kind\": \"TCPRoute\"}]"),
    ("allowedListeners", "{\"namespaces\": {\"from\": \"All\"}}"),
    ("infrastructure", "{\"labels\": {\"Bad Key\": \"x\"}}"),
    ("infrastructure", "{\"annotations\": {\"example.com/a\": \"\"}, \"labels\": {\"a\": \"\"}}"),
    ("parentRef", "{\"name\": \"gw\"}"),
    ("targetRefs", "[{\"group\": \"\", \"kind\": \"Service\", \"name\": \"a\"}, {\"group\": \"\", \"kind\": \"Service\", \"name\": \"a\"}]"),
    ("addresses", "[{\"type\": \"Hostname\", \"value\": \"*.example.com\"}, {\"value\": \"::1\"}]"),
    ("parentRefs", "[{\"name\": \"gw\", \"port\": 80}, {\"name\": \"gw\", \"port\": 443}]"),
];

/// Strings just past the length limits of the CRDs (63, 64, 253, 256, 1024, 4096).
const LONG: [usize; 6] = [64, 65, 254, 257, 1025, 4097];

/// The replacements and fields as values.
struct Tables {
    replacements: Vec<Value>,
    fields: Vec<(&'static str, Value)>,
}

impl Tables {
    fn get() -> &'static Tables {
        static TABLES: OnceLock<Tables> = OnceLock::new();
        TABLES.get_or_init(|| {
            let mut replacements = parse_all(REPLACEMENTS);
            replacements.extend(parse_all(MORE_REPLACEMENTS));
            replacements.extend(LONG.map(|n| Value::from("a".repeat(n))));
            let fields = FIELDS
                .iter()
                .map(|(k, v)| {
                    (
                        *k,
                        serde_json::from_str(v).unwrap_or_else(|e| panic!("{v}: {e}")),
                    )
                })
                .collect();
            Tables {
                replacements,
                fields,
            }
        })
    }

    fn values(&self) -> Values<'_> {
        Values {
            replacements: &self.replacements,
            fields: &self.fields,
        }
    }
}

/// Where the oracle and the API server part, lint follows the API server. The oracle refuses
/// `null` in metadata (read as absent by the API server) and as the value of a map entry
/// (labels, annotations, options, matchLabels: pruned by the API server like a null field).
fn oracle_stricter_than_the_api_server(pointer: &str, mutated: &Value) -> bool {
    if mutated.pointer(pointer) != Some(&Value::Null) {
        return false;
    }
    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
    let map = parent.rsplit('/').next().unwrap_or_default();
    pointer.starts_with("/metadata/")
        || ["labels", "annotations", "options", "matchLabels"].contains(&map)
}

/// Versions an apiVersion mutation may switch to: served ones and unserved ones.
const VERSIONS: &[&str] = &["v1", "v1beta1", "v1alpha2", "v1alpha3"];

/// Traffic rules: errors about where accepted objects send requests, not admission.
const TRAFFIC_RULES: &[&str] = &["backends-all-weight-zero", "redirect-loop"];

type ByKind = BTreeMap<String, Vec<(String, Value)>>;

/// The documents the channel's oracle accepts, grouped by kind (so every kind is mutated as
/// often as any other, however many examples it has).
fn documents(channel: &str) -> &'static ByKind {
    static STANDARD: OnceLock<ByKind> = OnceLock::new();
    static EXPERIMENTAL: OnceLock<ByKind> = OnceLock::new();
    let cell = if channel == "standard" {
        &STANDARD
    } else {
        &EXPERIMENTAL
    };
    cell.get_or_init(|| {
        let Some(oracle) = oracle(channel) else {
            return ByKind::new();
        };
        let seeds: Vec<Value> = traffic_engineer::yaml::from_str_multiple(SEEDS).unwrap();
        let seeds = seeds.into_iter().map(|d| ("seeds".to_string(), d));
        let mut by_kind = ByKind::new();
        for (label, doc) in example_documents().iter().cloned().chain(seeds) {
            if oracle.validate(&doc).is_ok() {
                let kind = doc["kind"].as_str().unwrap().to_string();
                by_kind.entry(kind).or_default().push((label, doc));
            }
        }
        by_kind
    })
}

/// The errors lint reports that the API server would give: no prediction, no traffic rule.
fn admission_errors(text: &str, channel: Channel) -> Vec<Finding> {
    let opts = LintOptions {
        channel,
        ..LintOptions::default()
    };
    lint_str(text, "mutated.yaml", &opts)
        .findings
        .into_iter()
        .filter(|f| {
            f.severity == Severity::Error
                && f.condition.is_none()
                && !TRAFFIC_RULES.contains(&f.rule.as_str())
        })
        .collect()
}

#[test]
fn seeds_are_accepted_by_the_oracle_and_by_lint() {
    let Some(standard) = oracle("standard") else {
        return;
    };
    let experimental = oracle("experimental").unwrap();
    for doc in traffic_engineer::yaml::from_str_multiple::<Value>(SEEDS).unwrap() {
        let alpha = doc["apiVersion"].as_str().unwrap().contains("alpha");
        let (channel, crds) = if alpha {
            (Channel::Experimental, experimental)
        } else {
            (Channel::Standard, standard)
        };
        assert_eq!(crds.validate(&doc), Ok(()), "{doc:#}");
        let text = serde_json::to_string_pretty(&doc).unwrap();
        assert_eq!(admission_errors(&text, channel), [], "{doc:#}");
    }
}

#[test]
fn every_kind_of_the_standard_channel_is_mutated() {
    if oracle("standard").is_none() {
        return;
    }
    let kinds: Vec<&str> = documents("standard").keys().map(String::as_str).collect();
    assert_eq!(
        kinds,
        [
            "BackendTLSPolicy",
            "GRPCRoute",
            "Gateway",
            "GatewayClass",
            "HTTPRoute",
            "ListenerSet",
            "ReferenceGrant",
            "TCPRoute",
            "TLSRoute",
            "UDPRoute"
        ]
    );
    // The areas of issue #13 item 7 have fields to mutate.
    let mut paths = Vec::new();
    for docs in documents("standard").values() {
        for (_, doc) in docs {
            pointers(&doc["spec"], "/spec".into(), &mut paths);
        }
    }
    for area in [
        "/cors/allowOrigins/0",
        "/cors/maxAge",
        "/tls/frontend/default/validation/caCertificateRefs/0/kind",
        "/tls/frontend/perPort/0/port",
        "/tls/backend/clientCertificateRef/name",
        "/allowedListeners/namespaces/selector/matchLabels",
        "/infrastructure/labels",
        "/validation/subjectAltNames/1/uri",
        "/spec/parentRef/name",
        "/requestHeaderModifier/remove/0",
    ] {
        assert!(paths.iter().any(|p| p.contains(area)), "{area}");
    }
    let alpha = &documents("experimental")["TLSRoute"];
    assert!(alpha
        .iter()
        .any(|(_, d)| d["apiVersion"].as_str().unwrap().ends_with("v1alpha2")));
}

/// A change of apiVersion to another version of the group (then a field mutation on top).
fn switch_version(doc: &Value, version: &str) -> Value {
    let mut doc = doc.clone();
    let api = doc["apiVersion"].as_str().unwrap();
    let group = api.rsplit_once('/').unwrap().0;
    doc["apiVersion"] = Value::from(format!("{group}/{version}"));
    doc
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Built-in lint reports an admission error exactly when the oracle rejects the document,
    /// for single-field mutations of every kind, on both channels.
    #[test]
    fn built_in_lint_gets_the_oracles_verdict(
        kind in any::<usize>(),
        doc in any::<usize>(),
        field in any::<usize>(),
        m in any_mutation(),
        version in prop::option::weighted(0.2, 0..VERSIONS.len()),
        experimental in any::<bool>(),
    ) {
        let channel = if experimental { "experimental" } else { "standard" };
        let by_kind = documents(channel);
        if by_kind.is_empty() {
            return Ok(());
        }
        let docs = by_kind.values().nth(kind % by_kind.len()).unwrap();
        let (label, original) = &docs[doc % docs.len()];
        let original = match version {
            Some(v) => switch_version(original, VERSIONS[v]),
            None => original.clone(),
        };
        let mut paths = Vec::new();
        pointers(&original["spec"], "/spec".into(), &mut paths);
        for key in ["name", "namespace"] {
            if original["metadata"].get(key).is_some() {
                paths.push(format!("/metadata/{key}"));
            }
        }
        let pointer = &paths[field % paths.len()];
        let Some(mutated) = mutate(&original, pointer, &m, &Tables::get().values()) else {
            return Ok(());
        };
        if oracle_stricter_than_the_api_server(pointer, &mutated) {
            return Ok(());
        }
        let expected = oracle(channel).unwrap().validate(&mutated);
        let text = serde_json::to_string_pretty(&mutated).unwrap();
        let lint_channel = if experimental { Channel::Experimental } else { Channel::Standard };
        let errors = admission_errors(&text, lint_channel);
        prop_assert_eq!(
            expected.is_ok(),
            errors.is_empty(),
            "{} {} {:?} {:?} at {} ({}):\noracle: {:#?}\nlint: {:#?}",
            channel, label, version.map(|v| VERSIONS[v]), m, pointer, text, expected, errors
        );
    }
}

/// Every document as every version, without a field change: served versions and the rules
/// that differ between versions (TLSRoute hostnames, the alpha routes' rule counts).
#[test]
fn a_version_switch_alone_gets_the_oracles_verdict() {
    for channel in ["standard", "experimental"] {
        let lint_channel = if channel == "standard" {
            Channel::Standard
        } else {
            Channel::Experimental
        };
        for docs in documents(channel).values() {
            for (label, doc) in docs {
                for version in VERSIONS {
                    let switched = switch_version(doc, version);
                    let expected = oracle(channel).unwrap().validate(&switched);
                    let text = serde_json::to_string_pretty(&switched).unwrap();
                    let errors = admission_errors(&text, lint_channel);
                    assert_eq!(
                        expected.is_ok(),
                        errors.is_empty(),
                        "{channel} {label} as {version}:\noracle: {expected:#?}\nlint: {errors:#?}"
                    );
                }
            }
        }
    }
}
