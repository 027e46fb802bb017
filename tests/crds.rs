//! `lint --crds`: the product's CRD validation against upstream's CRDs, examples and invalid
//! examples, and against the test oracle (`support::crd`) on single-field mutations.

mod support;

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use serde_json::json;
use support::crd::{crd_documents, crds as oracle, gateway_api_dir};
use support::mutation::{
    example_documents, mutate, mutation, parse_all, pointers, Values, REPLACEMENTS,
};
use support::{read, yaml_files};
use traffic_engineer::crd::{CrdSet, Object, CEL_RULES, OPENAPI_SCHEMA};
use traffic_engineer::finding::{Finding, Severity};
use traffic_engineer::lint::{lint_str, Channel, LintOptions};

/// The product's CRD set of a channel, loaded once per test process.
fn product(channel: &str) -> Option<Arc<CrdSet>> {
    static STANDARD: OnceLock<Arc<CrdSet>> = OnceLock::new();
    static EXPERIMENTAL: OnceLock<Arc<CrdSet>> = OnceLock::new();
    let cell = if channel == "standard" {
        &STANDARD
    } else {
        &EXPERIMENTAL
    };
    let dir = gateway_api_dir()?.join("crds").join(channel);
    Some(Arc::clone(cell.get_or_init(|| {
        Arc::new(CrdSet::load(&[dir]).expect("the CRD folder reads"))
    })))
}

fn options(channel: &str) -> Option<LintOptions> {
    Some(LintOptions {
        channel: if channel == "standard" {
            Channel::Standard
        } else {
            Channel::Experimental
        },
        crds: Some(product(channel)?),
        ..LintOptions::default()
    })
}

/// The errors the CRDs report (not the built-in status predictions, which stay).
fn crd_errors(text: &str, label: &str, opts: &LintOptions) -> Vec<Finding> {
    lint_str(text, label, opts)
        .findings
        .into_iter()
        .filter(|f| {
            f.severity == Severity::Error
                && f.hint
                    .as_deref()
                    .is_some_and(|h| h.starts_with("from the CRD"))
        })
        .collect()
}

#[test]
fn every_cel_rule_of_both_channels_compiles() {
    for channel in ["standard", "experimental"] {
        let Some(crds) = product(channel) else { return };
        let oracle = oracle(channel).unwrap();
        assert!(
            crds.problems().is_empty(),
            "{channel}: {:#?}",
            crds.problems()
        );
        eprintln!(
            "{channel}: {} kinds, {} distinct CEL rules compiled",
            crds.len(),
            crds.rule_count()
        );
        // The oracle counts the distinct rules that do not compare with `oldSelf`, as lint does.
        assert_eq!(crds.rule_count(), oracle.rule_stats().compiled, "{channel}");
        assert!(crds.rule_count() > 50, "{channel}: {}", crds.rule_count());
    }
}

#[test]
fn upstream_examples_are_accepted() {
    let Some(dir) = gateway_api_dir() else { return };
    for (channel, subs) in [
        ("standard", &["standard"][..]),
        ("experimental", &["standard", "experimental"][..]),
    ] {
        let opts = options(channel).expect("the folder is present");
        let mut checked = 0;
        for sub in subs {
            for path in yaml_files(&dir.join("examples").join(sub)) {
                let errors = crd_errors(&read(&path), &path.display().to_string(), &opts);
                assert!(errors.is_empty(), "{channel}: {errors:#?}");
                checked += 1;
            }
        }
        eprintln!("{channel}: {checked} example files accepted");
    }
}

/// Every invalid example and a words of the CRD's message for the fault it was written for.
const INVALID: &[(&str, &str)] = &[
    (
        "experimental/httproute/invalid-filter-externalauth-bad-http-path.yaml",
        "externalAuth.http.path in body should match",
    ),
    (
        "experimental/httproute/invalid-filter-externalauth-empty.yaml",
        "filter.externalAuth must be specified for ExternalAuth filter.type",
    ),
    (
        "experimental/httproute/invalid-filter-externalauth-no-protocol.yaml",
        "externalAuth.protocol",
    ),
    (
        "experimental/httproute/invalid-header-value.yaml",
        "add[0].value in body should match",
    ),
    (
        "standard/gateway/duplicate-listeners.yaml",
        "Listener name must be unique within the Gateway",
    ),
    (
        "standard/gateway/hostname-tcp.yaml",
        "hostname must not be specified for protocols ['TCP', 'UDP']",
    ),
    (
        "standard/gateway/hostname-udp.yaml",
        "hostname must not be specified for protocols ['TCP', 'UDP']",
    ),
    (
        "standard/gateway/invalid-addresses.yaml",
        "must validate one and only one schema (oneOf)",
    ),
    (
        "standard/gateway/invalid-listener-name.yaml",
        "listeners[0].name in body should match",
    ),
    (
        "standard/gateway/invalid-listener-port.yaml",
        "port in body should be less than or equal to 65535",
    ),
    (
        "standard/gateway/invalid-tls-mode.yaml",
        "tls mode must be Terminate for protocol HTTPS",
    ),
    (
        "standard/gateway/tlsconfig-tcp.yaml",
        "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
    ),
    (
        "standard/gatewayclass/invalid-controller.yaml",
        "controllerName in body should match",
    ),
    (
        "standard/httproute/duplicate-header-match.yaml",
        "Duplicate value: {\"name\":\"foo\"}",
    ),
    (
        "standard/httproute/duplicate-query-match.yaml",
        "Duplicate value: {\"name\":\"foo\"}",
    ),
    (
        "standard/httproute/httproute-portless-backend.yaml",
        "Must have port for Service reference",
    ),
    (
        "standard/httproute/httproute-portless-service.yaml",
        "Must have port for Service reference",
    ),
    (
        "standard/httproute/invalid-backend-group.yaml",
        "group in body should match",
    ),
    (
        "standard/httproute/invalid-backend-kind.yaml",
        "kind in body should match",
    ),
    (
        "standard/httproute/invalid-backend-port.yaml",
        "port in body should be less than or equal to 65535",
    ),
    (
        "standard/httproute/invalid-filter-duplicate-header.yaml",
        "Duplicate value: {\"foo\"}",
    ),
    (
        "standard/httproute/invalid-filter-duplicate.yaml",
        "RequestHeaderModifier filter cannot be repeated",
    ),
    (
        "standard/httproute/invalid-filter-empty.yaml",
        "filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type",
    ),
    (
        "standard/httproute/invalid-filter-wrong-field.yaml",
        "filter.requestRedirect must be nil if the filter.type is not RequestRedirect",
    ),
    (
        "standard/httproute/invalid-header-name.yaml",
        "headers[0].name in body should match",
    ),
    (
        "standard/httproute/invalid-hostname.yaml",
        "hostnames[0] in body should match",
    ),
    (
        "standard/httproute/invalid-httpredirect-hostname.yaml",
        "requestRedirect.hostname in body should match",
    ),
    (
        "standard/httproute/invalid-method.yaml",
        "Unsupported value: \"NOTREAL\"",
    ),
    (
        "standard/httproute/invalid-path-alphanum-specialchars-mix.yaml",
        "must only contain valid characters",
    ),
    (
        "standard/httproute/invalid-path-specialchars.yaml",
        "must only contain valid characters",
    ),
    (
        "standard/httproute/invalid-request-redirect-with-backendref.yaml",
        "RequestRedirect filter must not be used together with backendRefs",
    ),
    (
        "standard/referencegrant/missing-from.yaml",
        "Required value",
    ),
    ("standard/referencegrant/missing-ns.yaml", "Required value"),
    ("standard/referencegrant/missing-to.yaml", "Required value"),
    (
        "standard/tlsroute/invalid-hostname.yaml",
        "Hostnames must be valid based on RFC-1123",
    ),
    ("standard/tlsroute/no-hostname.yaml", "Required value"),
];

#[test]
fn invalid_examples_are_rejected_for_their_own_reason() {
    let Some(dir) = gateway_api_dir() else { return };
    let base = dir.join("invalid-examples");
    let files: Vec<String> = yaml_files(&base)
        .iter()
        .map(|p| p.strip_prefix(&base).unwrap().display().to_string())
        .collect();
    let listed: Vec<String> = INVALID.iter().map(|(file, _)| file.to_string()).collect();
    assert_eq!(files, listed, "the table must list every invalid example");
    for (file, reason) in INVALID {
        let channel = file.split('/').next().unwrap();
        let opts = options(channel).unwrap();
        let errors = crd_errors(&read(&base.join(file)), file, &opts);
        assert!(
            errors.iter().any(|f| {
                let field = f.field.as_deref().unwrap_or_default();
                format!("{field}: {}", f.message).contains(reason)
            }),
            "{file}: no error says {reason:?}: {errors:#?}"
        );
    }
}

/// A fault the CRDs reject is reported once: by the CRD, not also by the built-in rule.
#[test]
fn a_fault_is_reported_once() {
    let Some(opts) = options("standard") else {
        return;
    };
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n  - matches:\n    - method: get\n";
    let report = lint_str(text, "r.yaml", &opts);
    let on_method: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.field.as_deref() == Some("spec.rules[0].matches[0].method"))
        .collect();
    assert_eq!(on_method.len(), 1, "{on_method:#?}");
    assert_eq!(on_method[0].line, Some(7));
    assert!(on_method[0].message.contains("Unsupported value: \"get\""));
    // Without --crds, the built-in rule reports it.
    let built_in = lint_str(text, "r.yaml", &LintOptions::default());
    assert!(built_in
        .findings
        .iter()
        .any(|f| f.field.as_deref() == Some("spec.rules[0].matches[0].method")));
}

/// ObjectMeta is checked as the API server checks it: name, namespace, label keys and values,
/// annotation keys.
#[test]
fn object_meta_is_checked() {
    let Some(opts) = options("standard") else {
        return;
    };
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: Web\n  namespace: team_a\n  labels: {\"bad key\": x, app: -web}\n  annotations: {example.com/ok: \"any value\", \"/empty-prefix\": x}\nspec: {}\n";
    let report = lint_str(text, "r.yaml", &opts);
    let found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "invalid-name")
        .map(|f| (f.field.as_deref().unwrap_or_default(), f.line.unwrap_or(0)))
        .collect();
    assert_eq!(
        found,
        [
            ("metadata.name", 4),
            ("metadata.namespace", 5),
            ("metadata.labels", 6),
            ("metadata.labels", 6),
            ("metadata.annotations", 7),
        ],
        "{:#?}",
        report.findings
    );
    let messages: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.starts_with(
            "Invalid value: \"bad key\": name part must consist of alphanumeric characters"
        )),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Invalid value: \"-web\": a valid label must be")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("prefix part must be non-empty")),
        "{messages:#?}"
    );
}

/// CEL rules are not run when the schema check found a blocking error, as in the API server.
#[test]
fn blocking_schema_errors_hide_cel_errors() {
    let Some(opts) = options("standard") else {
        return;
    };
    // A redirect with backends (a CEL rule) and an unsupported scheme (an enum, blocking).
    let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n  - filters:\n    - type: RequestRedirect\n      requestRedirect: {scheme: ftp}\n    backendRefs: [{name: web, port: 80}]\n";
    let report = lint_str(text, "r.yaml", &opts);
    let rules: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.severity))
        .collect();
    assert!(
        rules.contains(&("invalid-value", Severity::Error)),
        "{rules:?}"
    );
    assert!(rules.contains(&("crd-rule", Severity::Note)), "{rules:?}");
    assert!(!rules.contains(&("crd-rule", Severity::Error)), "{rules:?}");
    let fixed = text.replace("ftp", "https");
    let report = lint_str(&fixed, "r.yaml", &opts);
    assert!(report.findings.iter().any(|f| f.rule == "crd-rule"
        && f.severity == Severity::Error
        && f.message
            .contains("RequestRedirect filter must not be used together with backendRefs")));
}

/// The standard HTTPRoute and GRPCRoute CRDs, read in place and edited: HTTPRoute v1 gets a
/// rule that does not compile on `spec` and a limit on `metadata.name`; GRPCRoute v1 loses the
/// type of `spec`, so it is no structural schema. Each is written as YAML, as a CRD file would be.
fn broken_crds() -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for mut crd in crd_documents("standard")? {
        let kind = crd["spec"]["names"]["kind"].as_str().unwrap().to_string();
        if kind != "HTTPRoute" && kind != "GRPCRoute" {
            continue;
        }
        for version in crd["spec"]["versions"].as_array_mut().unwrap() {
            if version["name"] != "v1" {
                continue;
            }
            let schema = &mut version["schema"][OPENAPI_SCHEMA];
            if kind == "HTTPRoute" {
                let spec = schema["properties"]["spec"].as_object_mut().unwrap();
                let rules = spec.entry(CEL_RULES).or_insert(json!([]));
                rules
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"rule": "self.size >"}));
                schema["properties"]["metadata"] = json!({"type": "object", "properties": {"name": {"type": "string", "maxLength": 8}}});
            } else {
                schema["properties"]["spec"]
                    .as_object_mut()
                    .unwrap()
                    .shift_remove("type");
            }
        }
        out.push((
            format!("{}.yaml", kind.to_lowercase()),
            traffic_engineer::yaml::to_string(&crd),
        ));
    }
    Some(out)
}

/// The 1-based line of the first line of `text` containing `needle`, after the line containing
/// `after`.
fn line_of(text: &str, after: &str, needle: &str) -> u64 {
    let start = text.lines().position(|l| l.contains(after)).unwrap();
    let offset = text
        .lines()
        .skip(start)
        .position(|l| l.contains(needle))
        .unwrap();
    (start + offset + 1) as u64
}

/// A broken CRD is reported once, and its other rules and kinds still validate.
#[test]
fn a_broken_rule_is_reported_once_and_the_rest_validates() {
    let Some(files) = broken_crds() else { return };
    let sources: Vec<(&str, &str)> = files
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    let crds = Arc::new(CrdSet::from_sources(&sources));
    let (grpc, http) = (&files[0].1, &files[1].1);
    let problems: Vec<_> = crds
        .problems()
        .iter()
        .map(|p| (p.file.as_str(), p.line, p.crd.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                "grpcroute.yaml",
                line_of(grpc, "name: v1", OPENAPI_SCHEMA),
                "grpcroutes.gateway.networking.k8s.io"
            ),
            (
                "httproute.yaml",
                line_of(http, "self.size >", "self.size >"),
                "httproutes.gateway.networking.k8s.io"
            ),
        ]
    );
    assert!(
        crds.problems()[0].message.contains("v1.spec: no type"),
        "{}",
        crds.problems()[0].message
    );
    assert!(crds.problems()[1].message.contains("self.size >"));
    let opts = LintOptions {
        crds: Some(crds),
        ..LintOptions::default()
    };
    let route = |name: &str, rest: &str| {
        format!("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}}}\n{rest}")
    };
    // The other rules of the broken CRD still run.
    let report = lint_str(
        &route(
            "r",
            "spec:\n  extra: 1\n  rules:\n  - timeouts: {request: 1s, backendRequest: 2s}\n",
        ),
        "r.yaml",
        &opts,
    );
    let found: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.message.as_str()))
        .collect();
    assert!(
        found.contains(&("unknown-field", "field not declared in schema: spec.extra")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(rule, message)| *rule == "crd-rule"
            && message.contains("backendRequest timeout cannot be longer than request timeout")),
        "{found:?}"
    );
    assert_eq!(
        found
            .iter()
            .filter(|(rule, _)| *rule == "crd-invalid")
            .count(),
        2,
        "{found:?}"
    );
    // Defaults apply before the rules: the default match is a PathPrefix one, which
    // ReplacePrefixMatch needs.
    let rewrite = "spec:\n  rules:\n  - filters:\n    - type: URLRewrite\n      urlRewrite:\n        path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}\n";
    let report = lint_str(&route("r", rewrite), "r.yaml", &opts);
    assert!(
        report.findings.iter().all(|f| f.rule == "crd-invalid"),
        "{:#?}",
        report.findings
    );
    // The CRD limits the name; `status` is dropped on create (a status subresource).
    let long = route("route-long", "spec: {}\nstatus: {parents: maybe}\n");
    let report = lint_str(&long, "r.yaml", &opts);
    let fields: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.rule.as_str(), f.field.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(fields, [("invalid-value", "metadata.name")]);
    // A version the CRD does not serve.
    let report = lint_str(
        &route("r", "spec: {}\n").replace("/v1\n", "/v9\n"),
        "r.yaml",
        &opts,
    );
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "api-version-not-served"));
}

// ---- mutations compared with the oracle ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The product accepts exactly what the oracle accepts, for single-field mutations of
    /// every upstream example, with both channels' CRDs.
    #[test]
    fn mutations_get_the_oracles_verdict(doc in any::<usize>(), field in any::<usize>(), m in mutation(), experimental in any::<bool>()) {
        let docs = example_documents();
        if docs.is_empty() {
            return Ok(());
        }
        let channel = if experimental { "experimental" } else { "standard" };
        let (label, original) = &docs[doc % docs.len()];
        let oracle = oracle(channel).unwrap();
        // Standard CRDs do not know the experimental examples' fields or kinds.
        prop_assume!(oracle.validate(original).is_ok());
        let mut paths = Vec::new();
        pointers(&original["spec"], "/spec".into(), &mut paths);
        let pointer = &paths[field % paths.len()];
        let replacements = parse_all(REPLACEMENTS);
        let values = Values { replacements: &replacements, fields: &[] };
        let Some(mutated) = mutate(original, pointer, &m, &values) else {
            return Ok(());
        };
        let expected = oracle.validate(&mutated);
        let opts = options(channel).unwrap();
        let text = serde_json::to_string_pretty(&mutated).unwrap();
        let errors = crd_errors(&text, label, &opts);
        prop_assert_eq!(
            expected.is_ok(),
            errors.is_empty(),
            "{} {} {:?} at {} ({}):\noracle: {:#?}\nproduct: {:#?}",
            channel, label, m, pointer, text, expected, errors
        );
    }
}

/// Rules that passed on a value are not evaluated again on an equal one: what a set validated
/// before never changes what it reports.
#[test]
fn results_do_not_depend_on_earlier_documents() {
    let Some(dir) = gateway_api_dir() else { return };
    let crds = CrdSet::load(&[dir.join("crds").join("standard")]).unwrap();
    let route = |parents: &str| {
        format!("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r}}\nspec:\n  parentRefs: {parents}\n")
    };
    let violations = |text: &str| {
        let objects = Object::parse_all(text);
        crds.validate_object(&objects[0]).unwrap().violations
    };
    let (good, bad) = (
        route("[{name: a}, {name: b}]"),
        route("[{name: a}, {name: a}]"),
    );
    let first_bad = violations(&bad);
    assert!(!first_bad.is_empty());
    let first_good = violations(&good);
    assert!(first_good.is_empty(), "{first_good:#?}");
    for _ in 0..2 {
        assert_eq!(violations(&good), first_good);
        assert_eq!(violations(&bad), first_bad);
    }
}
