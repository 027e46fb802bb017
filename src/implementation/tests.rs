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

fn method_route() -> Value {
    json!({"kind": "HTTPRoute", "metadata": {"name": "m", "namespace": "a"},
        "spec": {"rules": [{"matches": [{"method": "GET"}]}]}})
}

fn tcp_route() -> Value {
    json!({"kind": "TCPRoute", "metadata": {"name": "db", "namespace": "a"},
        "spec": {"rules": [{"backendRefs": [{"name": "db", "port": 5432}]}]}})
}

/// The one finding of `name` about `docs`, a warning that says `text`.
fn one_warning(name: &str, docs: &[Value], text: &str) {
    let findings = warnings(&preset(name), docs);
    assert_eq!(severities(&findings), [Severity::Warning], "{name}");
    says(&findings[0], text);
}

/// The finding's message contains `text`.
fn says(finding: &Finding, text: &str) {
    assert!(finding.message.contains(text), "{}", finding.message);
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

/// The folder of the conformance reports the presets are written from, or `None` after saying the
/// test is skipped.
fn reports_dir() -> Option<std::path::PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/gateway-api/conformance-reports");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

/// The values of `key` in every profile's `part` (`core` or `extended`), in the report's order,
/// each once.
fn in_profiles(report: &Value, part: &str, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for profile in report["profiles"].as_array().unwrap() {
        for value in profile[part][key].as_array().into_iter().flatten() {
            let value = value.as_str().unwrap().to_string();
            if !out.contains(&value) {
                out.push(value);
            }
        }
    }
    out
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}

/// Every preset says what its report says: the report read in place from `../shared`, never copied.
#[test]
fn every_preset_matches_its_conformance_report() {
    let Some(dir) = reports_dir() else { return };
    for preset in Implementations::built_in().iter() {
        let r = &preset.report;
        let path = dir.join(&r.file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {}: {e}", preset.name, path.display()));
        let report: Value = crate::yaml::from_str(&text).unwrap();
        let name = &preset.name;
        assert_eq!(report["kind"], "ConformanceReport", "{name}");
        assert_eq!(
            report["implementation"]["project"],
            r.project.as_str(),
            "{name}"
        );
        assert_eq!(
            report["implementation"]["version"],
            r.version.as_str(),
            "{name}"
        );
        assert_eq!(
            report["gatewayAPIVersion"],
            r.gateway_api_version.as_str(),
            "{name}"
        );
        assert_eq!(report["gatewayAPIChannel"], r.channel.as_str(), "{name}");
        assert_eq!(report["mode"], r.mode.as_str(), "{name}");
        let profiles: Vec<String> = report["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            sorted(profiles),
            sorted(r.profiles.clone()),
            "{name}: profiles"
        );
        for (key, preset_list) in [
            ("supportedFeatures", &r.supported_features),
            ("unsupportedFeatures", &r.unsupported_features),
        ] {
            let listed = sorted(in_profiles(&report, "extended", key));
            assert_eq!(listed, sorted(preset_list.clone()), "{name}: {key}");
        }
        for (key, preset_list) in [
            ("skippedTests", &r.skipped_tests),
            ("failedTests", &r.failed_tests),
        ] {
            let mut listed = in_profiles(&report, "core", key);
            listed.extend(in_profiles(&report, "extended", key));
            assert_eq!(sorted(listed), sorted(preset_list.clone()), "{name}: {key}");
        }
        let provisional: Vec<String> = report["succeededProvisionalTests"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            sorted(provisional),
            sorted(r.provisional_tests.clone()),
            "{name}: provisional tests"
        );
    }
}

/// `v1.6` → (1, 6, 0), `v1.3.0` → (1, 3, 0).
fn release(folder: &str) -> (u32, u32, u32) {
    let mut parts = folder
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse().unwrap());
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

/// Every implementation with a report in the shared folder has a preset, written from a report of
/// the newest release folder it appears in.
#[test]
fn every_implementation_with_a_report_has_a_preset_from_its_newest_release() {
    let Some(dir) = reports_dir() else { return };
    let mut newest: std::collections::BTreeMap<String, String> = Default::default();
    for release_dir in std::fs::read_dir(&dir).unwrap() {
        let release_dir = release_dir.unwrap().path();
        let folder = release_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for implementation in std::fs::read_dir(&release_dir).unwrap() {
            let implementation = implementation
                .unwrap()
                .file_name()
                .to_string_lossy()
                .into_owned();
            let entry = newest
                .entry(implementation)
                .or_insert_with(|| folder.clone());
            if release(&folder) > release(entry) {
                *entry = folder.clone();
            }
        }
    }
    assert!(newest.len() >= 14, "{newest:?}");
    let presets = Implementations::built_in();
    for (implementation, folder) in &newest {
        let prefix = format!("{folder}/{implementation}/");
        let found = presets.iter().find(|p| p.report.file.starts_with(&prefix));
        assert!(found.is_some(), "no preset from a report under {prefix}");
    }
}

#[test]
fn mirror_warns_where_the_report_does_not_claim_it() {
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
    let m = &f.message;
    assert!(m.contains("Traefik (traefik.io/gateway-controller)"), "{m}");
    assert!(
        m.contains("RequestMirror")
            && m.contains(
                "conformance report for Gateway API v1.6.1 (traefik v3.7.10, experimental channel)"
            ),
        "{m}"
    );
    assert!(
        m.contains("HTTPRouteRequestMirror is among its unsupported features"),
        "{m}"
    );
    assert!(!m.contains("RULES.md"), "{m}");
    assert!(f.hint.is_some());
    for name in [
        "kong",
        "kong-operator",
        "airlock-microgateway",
        "gravitee",
        "aws-load-balancer-controller",
    ] {
        assert_eq!(warnings(&preset(name), &docs).len(), 1, "{name}");
    }
    // Higress claims no extended feature at all: not listing it is not claiming it.
    let text = "HTTPRouteRequestMirror is not among its supported features";
    one_warning("higress", &docs, text);
    for name in [
        "envoy-gateway",
        "cilium",
        "nginx",
        "gke",
        "istio",
        "contour",
        "kgateway",
        "agentgateway",
    ] {
        assert!(warnings(&preset(name), &docs).is_empty(), "{name}");
    }
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
fn tcp_route_follows_the_gateway_tcp_profile() {
    let docs = [tcp_route()];
    for name in ["istio", "traefik", "contour", "gke", "higress"] {
        one_warning(name, &docs, "does not cover the GATEWAY-TCP profile");
    }
    // Envoy Gateway and agentgateway passed the provisional TCPRoute tests without the profile.
    for name in ["envoy-gateway", "agentgateway"] {
        let provisional = warnings(&preset(name), &docs);
        assert_eq!(severities(&provisional), [Severity::Note], "{name}");
        assert!(provisional[0].message.contains("provisionally"));
        says(&provisional[0], "provisional TCPRoute tests");
    }
    for name in ["cilium", "nginx", "kgateway", "kong-operator"] {
        assert!(warnings(&preset(name), &docs).is_empty(), "{name}");
    }
}

#[test]
fn a_skipped_core_test_is_not_a_claim() {
    let gateway = json!({"kind": "Gateway", "metadata": {"name": "gw", "namespace": "infra"},
        "spec": {"listeners": [{"name": "https", "protocol": "HTTPS", "port": 443}]}});
    for name in ["aws-load-balancer-controller", "contour"] {
        let text = "it skipped the core test HTTPRouteHTTPSListener";
        one_warning(name, std::slice::from_ref(&gateway), text);
    }
    assert!(warnings(&preset("envoy-gateway"), &[gateway]).is_empty());
    // Kong Operator skipped TCPRoute weighted routing, not HTTPRoute's.
    let split = |kind: &str| {
        json!({"kind": kind, "metadata": {"name": "r", "namespace": "a"},
        "spec": {"rules": [{"backendRefs": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]}]}})
    };
    assert!(warnings(&preset("kong-operator"), &[split("HTTPRoute")]).is_empty());
    let tcp = warnings(&preset("kong-operator"), &[split("TCPRoute")]);
    assert_eq!(tcp.len(), 1, "{tcp:?}");
    says(&tcp[0], "TCPRouteWeightedRouting");
}

#[test]
fn gke_warns_on_method_match_and_path_rewrite() {
    let rewrite = route_with_filter(json!({"type": "URLRewrite",
        "urlRewrite": {"path": {"type": "ReplaceFullPath", "replaceFullPath": "/"}}}));
    let host_only =
        route_with_filter(json!({"type": "URLRewrite", "urlRewrite": {"hostname": "a.example"}}));
    let findings = warnings(&preset("gke"), &[rewrite, host_only, method_route()]);
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
}

#[test]
fn a_caveat_is_said_with_the_warning() {
    let findings = warnings(&preset("kong-operator"), &[method_route()]);
    assert_eq!(findings.len(), 1);
    says(&findings[0], "traditional_compatible mode");
    says(&findings[0], "expressions-router report");
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
        (
            RequestHeaderModifier,
            "HTTPRoute a/r spec.rules[0].filters[0]",
        ),
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
            ResponseHeaderModifier,
            "HTTPRoute a/r spec.rules[0].backendRefs[1].filters[0]",
        ),
        (Redirect, "HTTPRoute a/r spec.rules[1].filters[0]"),
        (
            SchemeRedirect,
            "HTTPRoute a/r spec.rules[1].filters[0].requestRedirect.scheme",
        ),
        (GrpcRoute, "GRPCRoute a/g kind"),
        (
            GrpcMethodMatch,
            "GRPCRoute a/g spec.rules[0].matches[0].method",
        ),
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
