//! Proves the CRD oracle (`support::crd`) against upstream's own example sets: everything in
//! `examples/` is accepted and every file in `invalid-examples/` is rejected, as
//! upstream's envtest suite expects from a real API server; plus a few direct cases.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::crd::{crds, gateway_api_dir, Crds};
use support::yaml_files;

/// The Gateway API documents of a file; core kinds (Namespace, Service, ...) are not the
/// CRDs' business.
fn gateway_api_documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    traffic_engineer::yaml::from_str_multiple::<Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .filter(|doc| {
            doc["apiVersion"]
                .as_str()
                .is_some_and(|v| v.starts_with("gateway.networking."))
        })
        .collect()
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The files under `base/sub` with a document `crds` rejects, each with its errors.
fn rejected_files(crds: &Crds, base: &Path, sub: &str) -> Vec<(String, Vec<String>)> {
    yaml_files(&base.join(sub))
        .iter()
        .filter_map(|path| {
            let errors: Vec<String> = gateway_api_documents(path)
                .iter()
                .filter_map(|doc| crds.validate(doc).err())
                .flatten()
                .collect();
            (!errors.is_empty()).then(|| (relative(path, base), errors))
        })
        .collect()
}

fn assert_examples_accepted(channel: &str, subs: &[&str]) {
    let (Some(dir), Some(crds)) = (gateway_api_dir(), crds(channel)) else {
        return;
    };
    let mut checked = 0;
    for sub in subs {
        checked += yaml_files(&dir.join("examples").join(sub)).len();
        let rejected = rejected_files(crds, &dir.join("examples"), sub);
        assert!(
            rejected.is_empty(),
            "{channel} CRDs reject valid examples: {rejected:#?}"
        );
    }
    assert!(checked > 0);
    eprintln!("{channel}: {checked} example files accepted");
}

#[test]
fn standard_examples_are_accepted_by_standard_crds() {
    assert_examples_accepted("standard", &["standard"]);
}

#[test]
fn all_examples_are_accepted_by_experimental_crds() {
    assert_examples_accepted("experimental", &["standard", "experimental"]);
}

/// Asserts every file under `invalid-examples/<sub>` except `accepted` is rejected with
/// `channel`, and prints why.
fn assert_invalid_rejected(channel: &str, sub: &str, accepted: &[&str]) {
    let (Some(dir), Some(crds)) = (gateway_api_dir(), crds(channel)) else {
        return;
    };
    let base = dir.join("invalid-examples");
    let rejected = rejected_files(crds, &base, sub);
    for (file, errors) in &rejected {
        eprintln!("{channel}: {file} rejected: {}", errors.join(" | "));
    }
    let expected: Vec<String> = yaml_files(&base.join(sub))
        .iter()
        .map(|path| relative(path, &base))
        .filter(|file| !accepted.iter().any(|name| file.ends_with(name)))
        .collect();
    let rejected_names: Vec<&String> = rejected.iter().map(|(file, _)| file).collect();
    assert_eq!(
        rejected_names,
        expected.iter().collect::<Vec<_>>(),
        "{channel} CRDs: rejected files differ from the expected"
    );
}

#[test]
fn invalid_standard_examples_are_rejected_by_both_channels() {
    assert_invalid_rejected("standard", "standard", &[]);
    assert_invalid_rejected("experimental", "standard", &[]);
}

#[test]
fn invalid_experimental_examples_are_rejected_by_experimental_crds() {
    assert_invalid_rejected("experimental", "experimental", &[]);
}

/// The header-value pattern exists only in the experimental channel; the ExternalAuth examples
/// fail with standard CRDs too, for naming an unknown filter type.
#[test]
fn invalid_header_value_is_accepted_by_standard_crds() {
    assert_invalid_rejected("standard", "experimental", &["invalid-header-value.yaml"]);
}

fn document(api_version: &str, kind: &str, spec: Value) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "namespace": "ns"}, "spec": spec})
}

/// A channel, a document, and the message of the error expected (`None`: accepted).
type Case = (&'static str, Value, Option<&'static str>);

fn accepts(channel: &'static str, doc: Value) -> Case {
    (channel, doc, None)
}

fn rejects(channel: &'static str, doc: Value, message: &'static str) -> Case {
    (channel, doc, Some(message))
}

/// Documents that reach the rules upstream's examples leave unevaluated, mostly those using the
/// Kubernetes CEL library (durations, `split`, regexes on map keys, the format library).
fn rule_cases() -> Vec<Case> {
    let gateway = |labels: Value| {
        document(
            "gateway.networking.k8s.io/v1",
            "Gateway",
            json!({
                "gatewayClassName": "eg",
                "infrastructure": {"labels": labels},
                "listeners": [{"name": "web", "port": 80, "protocol": "HTTP"}],
            }),
        )
    };
    let mirror = |fraction: Value| {
        http_route(
            json!({"rules": [{"filters": [{"type": "RequestMirror", "requestMirror": {
            "backendRef": {"name": "shadow", "port": 80}, "fraction": fraction}}]}]}),
        )
    };
    let tls_policy = |san: Value| {
        document(
            "gateway.networking.k8s.io/v1",
            "BackendTLSPolicy",
            json!({
                "targetRefs": [{"group": "", "kind": "Service", "name": "auth"}],
                "validation": {"wellKnownCACertificates": "System", "hostname": "auth.example.com",
                               "subjectAltNames": [san]},
            }),
        )
    };
    let traffic_policy = |spec: Value| {
        let mut spec = spec;
        spec["targetRefs"] = json!([{"group": "", "kind": "Service", "name": "api"}]);
        document(
            "gateway.networking.x-k8s.io/v1alpha1",
            "XBackendTrafficPolicy",
            spec,
        )
    };
    let external_auth = |auth: Value| {
        http_route(
            json!({"rules": [{"filters": [{"type": "ExternalAuth", "externalAuth": auth}]}]}),
        )
    };
    let auth_backend = json!({"name": "auth", "port": 9000});
    let backend = |spec: Value| document("gateway.networking.x-k8s.io/v1alpha1", "XBackend", spec);
    let external = json!({"hostname": "api.example.com"});
    vec![
        accepts(
            "standard",
            gateway(json!({"example.com/tier": "edge", "app": "web"})),
        ),
        rejects(
            "standard",
            gateway(json!({"-bad": "x"})),
            "Label keys must be in the form",
        ),
        accepts(
            "standard",
            mirror(json!({"numerator": 1, "denominator": 4})),
        ),
        rejects(
            "standard",
            mirror(json!({"numerator": 5, "denominator": 4})),
            "numerator must be less than or equal to denominator",
        ),
        accepts(
            "standard",
            tls_policy(json!({"type": "URI", "uri": "spiffe://example.com/api"})),
        ),
        rejects(
            "standard",
            tls_policy(json!({"type": "Hostname"})),
            "SubjectAltName element must contain Hostname",
        ),
        rejects(
            "standard",
            tls_policy(json!({"type": "URI", "hostname": "a.example.com", "uri": "spiffe://a/b"})),
            "must not contain Hostname",
        ),
        rejects(
            "standard",
            tls_policy(
                json!({"type": "Hostname", "hostname": "a.example.com", "uri": "spiffe://a/b"}),
            ),
            "must not contain URI",
        ),
        accepts(
            "experimental",
            traffic_policy(
                json!({"retryConstraint": {"budget": {"interval": "30m"}, "minRetryRate": {"count": 5, "interval": "1s"}}}),
            ),
        ),
        rejects(
            "experimental",
            traffic_policy(json!({"retryConstraint": {"budget": {"interval": "2h"}}})),
            "interval cannot be greater than one hour or less than one second",
        ),
        rejects(
            "experimental",
            traffic_policy(
                json!({"retryConstraint": {"minRetryRate": {"count": 5, "interval": "0s"}}}),
            ),
            "interval cannot be greater than one hour",
        ),
        rejects(
            "experimental",
            traffic_policy(
                json!({"sessionPersistence": {"type": "Header", "cookieConfig": {"lifetimeType": "Session"}}}),
            ),
            "cookieConfig can only be set with type Cookie",
        ),
        rejects(
            "experimental",
            traffic_policy(
                json!({"sessionPersistence": {"type": "Cookie", "cookieConfig": {"lifetimeType": "Permanent"}}}),
            ),
            "AbsoluteTimeout must be specified when cookie lifetimeType is Permanent",
        ),
        accepts(
            "experimental",
            backend(
                json!({"type": "ExternalHostname", "externalHostname": external, "port": {"port": 443, "name": ""}, "tls": {"mode": "ServerOnly"}}),
            ),
        ),
        rejects(
            "experimental",
            backend(json!({"type": "ExternalHostname", "port": {"port": 443}})),
            "externalHostname must be set when type is ExternalHostname",
        ),
        rejects(
            "experimental",
            backend(
                json!({"type": "ExternalHostname", "externalHostname": {"hostname": "api.cluster.local"}, "port": {"port": 443}}),
            ),
            "must not be an IP address or end with .cluster.local",
        ),
        rejects(
            "experimental",
            backend(
                json!({"type": "ExternalHostname", "externalHostname": external, "port": {"port": 443}, "tls": {"mode": "ClientAndServer"}}),
            ),
            "clientCertificateRef",
        ),
        accepts(
            "experimental",
            external_auth(json!({"protocol": "GRPC", "backendRef": auth_backend, "grpc": {}})),
        ),
        rejects(
            "experimental",
            external_auth(
                json!({"protocol": "HTTP", "backendRef": auth_backend, "http": {}, "grpc": {}}),
            ),
            "protocol must be 'GRPC' when grpc is set",
        ),
        rejects(
            "experimental",
            external_auth(json!({"protocol": "GRPC", "backendRef": auth_backend, "http": {}})),
            "grpc must be specified when protocol is set to 'GRPC'",
        ),
        // As on a real API server (cel-go): `validate` returns an optional, which never
        // equals `null`, so this upstream rule rejects every non-empty port name.
        rejects(
            "experimental",
            backend(
                json!({"type": "ExternalHostname", "externalHostname": external, "port": {"port": 443, "name": "https"}}),
            ),
            "Name must be a valid DNS label",
        ),
    ]
}

#[test]
fn rules_beyond_the_examples() {
    for (channel, doc, expected) in rule_cases() {
        let Some(crds) = crds(channel) else {
            return;
        };
        match (crds.validate(&doc), expected) {
            (Ok(()), None) => {}
            (Err(errors), Some(message)) if errors.iter().any(|e| e.contains(message)) => {}
            (outcome, _) => panic!("{channel} {doc}: expected {expected:?}, got {outcome:#?}"),
        }
    }
}

/// Runs the whole corpus and the cases above through both channels, then insists that no rule
/// went unchecked.
#[test]
fn every_cel_rule_is_supported() {
    let Some(dir) = gateway_api_dir() else {
        return;
    };
    for channel in ["standard", "experimental"] {
        let crds = crds(channel).expect("the folder is present");
        // Standard documents are valid experimental ones too.
        let cases = rule_cases();
        let reaching = cases
            .iter()
            .filter(|(c, _, _)| *c == channel || channel == "experimental");
        for (_, doc, _) in reaching {
            let _ = crds.validate(doc);
        }
        for path in yaml_files(&dir.join("examples"))
            .iter()
            .chain(&yaml_files(&dir.join("invalid-examples")))
        {
            for doc in gateway_api_documents(path) {
                let _ = crds.validate(&doc);
            }
        }
        let stats = crds.rule_stats();
        eprintln!("{channel}: {stats:#?}");
        assert!(stats.compiled > 0);
        assert!(
            stats.unsupported.is_empty(),
            "{channel}: unsupported rules: {:#?}",
            stats.unsupported
        );
    }
}

fn http_route(spec: Value) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "store", "namespace": "shop"},
        "spec": spec,
    })
}

/// The errors of `doc` with the standard CRDs; `None` when the data folder is absent.
fn standard_errors(doc: &Value) -> Option<Vec<String>> {
    Some(crds("standard")?.validate(doc).err().unwrap_or_default())
}

fn assert_rejected_for(doc: &Value, expected: &str) {
    let Some(errors) = standard_errors(doc) else {
        return;
    };
    assert!(
        errors.iter().any(|e| e.contains(expected)),
        "expected an error containing {expected:?}, got {errors:#?}"
    );
}

#[test]
fn valid_http_route_is_accepted() {
    let route = http_route(json!({
        // Same name, other namespaces: distinct parents only if the rule sees `__namespace__`.
        "parentRefs": [{"name": "gw", "namespace": "infra"}, {"name": "gw", "namespace": "other"}],
        "hostnames": ["shop.example.com"],
        "rules": [{
            "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
            "filters": [{"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}}],
            "backendRefs": [{"name": "api", "port": 8080, "weight": 90}],
            "timeouts": {"request": "10s", "backendRequest": "2s"},
        }],
    }));
    if let Some(errors) = standard_errors(&route) {
        assert_eq!(errors, Vec::<String>::new());
    }
}

#[test]
fn redirect_with_backend_refs_is_rejected_by_cel() {
    let route = http_route(json!({
        "rules": [{
            "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}],
            "backendRefs": [{"name": "api", "port": 8080}],
        }],
    }));
    assert_rejected_for(
        &route,
        "RequestRedirect filter must not be used together with backendRefs",
    );
}

#[test]
fn replace_prefix_match_with_exact_path_is_rejected_by_cel() {
    let route = http_route(json!({
        "rules": [{
            "matches": [{"path": {"type": "Exact", "value": "/old"}}],
            "filters": [{"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/new"}}}],
            "backendRefs": [{"name": "api", "port": 8080}],
        }],
    }));
    assert_rejected_for(
        &route,
        "[rule: (has(self.filters) && self.filters.exists_one(f, has(f.urlRewrite)",
    );
}

/// The rule relies on defaulting: a rule without matches matches PathPrefix `/`.
#[test]
fn replace_prefix_match_without_matches_is_accepted_thanks_to_defaults() {
    let route = http_route(json!({
        "rules": [{
            "filters": [{"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/new"}}}],
            "backendRefs": [{"name": "api", "port": 8080}],
        }],
    }));
    if let Some(errors) = standard_errors(&route) {
        assert_eq!(errors, Vec::<String>::new());
    }
}

#[test]
fn same_parent_twice_is_rejected_by_cel() {
    let route = http_route(json!({
        "parentRefs": [{"name": "gw", "namespace": "infra"}, {"name": "gw", "namespace": "infra"}],
    }));
    assert_rejected_for(&route, "sectionName must be unique when parentRefs includes 2 or more references to the same parent");
}

#[test]
fn unknown_field_is_rejected() {
    let route = http_route(json!({
        "rules": [{"backendRefs": [{"name": "api", "port": 8080, "weigth": 1}]}],
    }));
    assert_rejected_for(&route, "/spec/rules/0/backendRefs/0");
}

#[test]
fn bad_names_and_unserved_versions_are_rejected() {
    let mut route = http_route(json!({}));
    route["metadata"] = json!({"name": "Store", "namespace": "a.b"});
    assert_rejected_for(&route, "metadata.name");
    assert_rejected_for(&route, "metadata.namespace");
    route["apiVersion"] = json!("gateway.networking.k8s.io/v1alpha2");
    route["metadata"] = json!({"name": "store"});
    assert_rejected_for(&route, "not served");
}

#[test]
fn duplicate_list_map_keys_are_rejected() {
    let gateway = json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "gw"},
        "spec": {
            "gatewayClassName": "eg",
            "listeners": [{"name": "web", "port": 80, "protocol": "HTTP"},
                          {"name": "web", "port": 8080, "protocol": "HTTP"}],
        },
    });
    assert_rejected_for(&gateway, "spec.listeners[1]: Duplicate value");
}
