use super::*;
use serde_json::json;

fn preset(name: &str) -> Implementation {
    Implementations::built_in().get(name).unwrap().clone()
}

fn route_with_filter(filter: Value) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"rules": [{"filters": [filter], "backendRefs": [{"name": "web", "port": 80}]}]}
    })
}

fn mirror_route() -> Value {
    route_with_filter(json!({"type": "RequestMirror",
        "requestMirror": {"backendRef": {"name": "shadow", "port": 80}}}))
}

fn regex_route() -> Value {
    json!({"kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "a"},
        "spec": {"rules": [{"matches": [{"path": {"type": "RegularExpression", "value": "/v[0-9]+"}}]}]}})
}

fn tcp_route() -> Value {
    json!({"kind": "TCPRoute", "metadata": {"name": "db", "namespace": "a"},
        "spec": {"rules": [{"backendRefs": [{"name": "db", "port": 5432}]}]}})
}

fn severities(findings: &[Finding]) -> Vec<Severity> {
    findings.iter().map(|f| f.severity).collect()
}

#[test]
fn every_preset_parses_and_every_data_file_is_built_in() {
    let all = Implementations::built_in();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("implementations");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    let mut names = all.names();
    names.sort();
    assert_eq!(names, files);
    for name in all.names() {
        assert_eq!(
            all.get(name).unwrap().name,
            name,
            "file {name}.yaml names itself"
        );
    }
}

/// Every row of RULES.md's "Implementations" table has a preset with its exact display name,
/// controllerName and (first) usual class. Skipped when the shared spec folder is absent.
#[test]
fn presets_match_the_rules_md_table() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/gateway-api/RULES.md"
    );
    let Ok(rules) = std::fs::read_to_string(path) else {
        println!("skipped: {path} is absent");
        return;
    };
    let table = rules.split("## Implementations").nth(1).unwrap();
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip_while(|l| !l.starts_with("|---"))
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 8);
    let all = Implementations::built_in();
    for row in rows {
        let class = row[2].split(',').next().unwrap().trim();
        let found = all
            .names()
            .into_iter()
            .filter_map(|n| all.get(n))
            .find(|i| {
                i.display_name == row[0] && i.controller_name == row[1] && i.gateway_class == class
            });
        assert!(found.is_some(), "no preset for {row:?}");
    }
}

#[test]
fn mirror_warns_on_traefik_and_kong_not_on_envoy_gateway() {
    let docs = [mirror_route()];
    let findings = warnings(&preset("traefik"), &docs);
    assert_eq!(severities(&findings), [Severity::Warning]);
    let f = &findings[0];
    assert_eq!(f.rule, "feature-not-claimed");
    assert_eq!(
        f.resource.as_ref().unwrap().to_string(),
        "HTTPRoute shop/web"
    );
    assert_eq!(f.field.as_deref(), Some("spec.rules[0].filters[0]"));
    assert!(
        f.message
            .contains("Traefik (traefik.io/gateway-controller)"),
        "{}",
        f.message
    );
    assert!(f.message.contains("RequestMirror") && f.message.contains("conformance report"));
    assert!(f.hint.is_some());
    assert_eq!(warnings(&preset("kong"), &docs).len(), 1);
    assert!(warnings(&preset("envoy-gateway"), &docs).is_empty());
}

#[test]
fn regex_path_warns_for_every_implementation() {
    let all = Implementations::built_in();
    for name in all.names() {
        let findings = warnings(all.get(name).unwrap(), &[regex_route()]);
        assert_eq!(severities(&findings), [Severity::Warning], "{name}");
        assert_eq!(
            findings[0].field.as_deref(),
            Some("spec.rules[0].matches[0].path.type")
        );
    }
}

#[test]
fn tcp_route_warns_on_istio_notes_on_envoy_gateway_passes_on_cilium() {
    let docs = [tcp_route()];
    for name in ["istio", "traefik", "contour"] {
        assert_eq!(
            severities(&warnings(&preset(name), &docs)),
            [Severity::Warning],
            "{name}"
        );
    }
    let provisional = warnings(&preset("envoy-gateway"), &docs);
    assert_eq!(severities(&provisional), [Severity::Note]);
    assert!(provisional[0].message.contains("provisionally"));
    assert!(warnings(&preset("cilium"), &docs).is_empty());
    assert!(warnings(&preset("nginx"), &docs).is_empty());
}

#[test]
fn gke_warns_on_method_match_and_path_rewrite_with_its_caveat() {
    let rewrite = route_with_filter(json!({"type": "URLRewrite",
        "urlRewrite": {"path": {"type": "ReplaceFullPath", "replaceFullPath": "/"}}}));
    let host_only =
        route_with_filter(json!({"type": "URLRewrite", "urlRewrite": {"hostname": "a.example"}}));
    let method = json!({"kind": "HTTPRoute", "metadata": {"name": "m", "namespace": "a"},
        "spec": {"rules": [{"matches": [{"method": "GET"}]}]}});
    let findings = warnings(&preset("gke"), &[rewrite, host_only, method]);
    let fields: Vec<_> = findings
        .iter()
        .map(|f| f.field.as_deref().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "spec.rules[0].filters[0].urlRewrite.path",
            "spec.rules[0].matches[0].method"
        ]
    );
    assert!(
        findings[0].message.contains("regional"),
        "{}",
        findings[0].message
    );
}

#[test]
fn features_are_found_wherever_they_are_in_rendered_documents() {
    let docs = [
        json!({"kind": "Gateway", "metadata": {"name": "gw", "namespace": "infra"},
            "spec": {"listeners": [{"name": "http", "protocol": "HTTP", "port": 80},
                                   {"name": "https", "protocol": "HTTPS", "port": 443}]}}),
        json!({"kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "a"}, "spec": {"rules": [{
            "matches": [{"queryParams": [{"name": "v", "value": "2"}]}],
            "filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": []}},
                        {"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "s", "namespace": "b", "port": 80}}}],
            "backendRefs": [
                {"name": "x", "namespace": "a", "port": 80, "weight": 9},
                {"name": "y", "namespace": "b", "port": 80, "weight": 1,
                 "filters": [{"type": "ResponseHeaderModifier", "responseHeaderModifier": {"remove": ["x"]}}]}]
        }, {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]}]}}),
        json!({"kind": "GRPCRoute", "metadata": {"name": "g", "namespace": "a"},
            "spec": {"rules": [{"matches": [{"method": {"service": "s", "method": "M"}}]}]}}),
        json!({"kind": "TLSRoute", "metadata": {"name": "t", "namespace": "a"}, "spec": {}}),
        json!({"kind": "UDPRoute", "metadata": {"name": "u", "namespace": "a"}, "spec": {}}),
        json!({"kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": []}}),
    ];
    let found: Vec<(Feature, String)> = features_used(&docs)
        .into_iter()
        .map(|u| (u.feature, u.to_string()))
        .collect();
    use Feature::*;
    let expected = [
        (HttpsListener, "Gateway infra/gw spec.listeners[1].protocol"),
        (
            QueryParamMatch,
            "HTTPRoute a/r spec.rules[0].matches[0].queryParams",
        ),
        (HeaderModifier, "HTTPRoute a/r spec.rules[0].filters[0]"),
        (RequestMirror, "HTTPRoute a/r spec.rules[0].filters[1]"),
        (
            CrossNamespaceBackends,
            "HTTPRoute a/r spec.rules[0].filters[1].requestMirror.backendRef.namespace",
        ),
        (WeightedBackends, "HTTPRoute a/r spec.rules[0].backendRefs"),
        (
            CrossNamespaceBackends,
            "HTTPRoute a/r spec.rules[0].backendRefs[1].namespace",
        ),
        (
            HeaderModifier,
            "HTTPRoute a/r spec.rules[0].backendRefs[1].filters[0]",
        ),
        (Redirect, "HTTPRoute a/r spec.rules[1].filters[0]"),
        (GrpcRoute, "GRPCRoute a/g kind"),
        (TlsRoute, "TLSRoute a/t kind"),
        (UdpRoute, "UDPRoute a/u kind"),
    ];
    let expected: Vec<(Feature, String)> = expected
        .into_iter()
        .map(|(f, s)| (f, s.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn feature_ids_are_kebab_case() {
    let ids = serde_json::to_value([Feature::TcpRoute, Feature::CrossNamespaceBackends]).unwrap();
    assert_eq!(ids, json!(["tcp-route", "cross-namespace-backends"]));
}

#[test]
fn a_directory_adds_presets_and_rejects_bad_controller_names() {
    let dir = tempfile::tempdir().unwrap();
    let custom = BUILT_IN[0]
        .1
        .replace("name: envoy-gateway", "name: my-envoy");
    std::fs::write(dir.path().join("mine.yaml"), custom).unwrap();
    let all = Implementations::load(Some(dir.path())).unwrap();
    assert_eq!(all.names().last(), Some(&"my-envoy"));

    let bad = BUILT_IN[1]
        .1
        .replace("istio.io/gateway-controller", "istio");
    std::fs::write(dir.path().join("bad.yaml"), bad).unwrap();
    let err = Implementations::load(Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.yaml: controllerName must"), "{err}");
}
