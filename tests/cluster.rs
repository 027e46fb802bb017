//! Cluster facts against a kubectl stand-in that answers with recorded `kubectl get -o json` output
//! (`tests/cluster/`), and against the real kubectl pointed at a server that cannot be reached.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;
use traffic_engineer::cluster::{self, ClusterFacts, InstalledApi, Kubectl, Query};
use traffic_engineer::crd::OPENAPI_SCHEMA;
use traffic_engineer::door::Door;
use traffic_engineer::finding::{Finding, Severity};

const SUFFIX: &str = " -o json --request-timeout=5s";
const CRDS: &str = "get customresourcedefinitions.apiextensions.k8s.io *";
const CLASSES: &str = "get gatewayclasses.gateway.networking.k8s.io";
const ALL_GATEWAYS: &str = "get gateways.gateway.networking.k8s.io --all-namespaces";
const FORBIDDEN: &str = r#"Error from server (Forbidden): gateways.gateway.networking.k8s.io is forbidden: User "dev@example.com" cannot list resource "gateways" in API group "gateway.networking.k8s.io" at the cluster scope"#;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cluster")
        .join(name)
}

/// A temp dir holding `kubectl` (a link to the stand-in script) and its `answers`.
struct StandIn {
    dir: tempfile::TempDir,
}

impl StandIn {
    /// `answers` are (argv glob, action, value); `get …` patterns get the `-o json` suffix added.
    fn new(answers: &[(&str, &str, &str)]) -> StandIn {
        let dir = tempfile::tempdir().unwrap();
        let mut table = String::from("config current-context\tfile\t");
        table += &format!("{}\n", fixture("context.txt").display());
        for (pattern, action, value) in answers {
            let pattern = match pattern.ends_with('*') || !pattern.starts_with("get ") {
                true => pattern.to_string(),
                false => format!("{pattern}{SUFFIX}"),
            };
            let value = match *action {
                "file" => fixture(value).display().to_string(),
                _ => value.to_string(),
            };
            table += &format!("{pattern}\t{action}\t{value}\n");
        }
        std::fs::write(dir.path().join("answers"), table).unwrap();
        std::os::unix::fs::symlink(fixture("kubectl-stand-in"), dir.path().join("kubectl"))
            .unwrap();
        StandIn { dir }
    }

    /// A cluster with the given CRD list, the recorded GatewayClasses and Gateways, and `extra`
    /// answers tried first.
    fn cluster(crds: &str, extra: &[(&str, &str, &str)]) -> StandIn {
        let mut answers = extra.to_vec();
        answers.extend([
            (CRDS, "file", crds),
            (CLASSES, "file", "gatewayclasses.json"),
            (ALL_GATEWAYS, "file", "gateways.json"),
            ("get namespace shop", "file", "namespace-shop.json"),
            ("get namespace web", "file", "namespace-web.json"),
        ]);
        StandIn::new(&answers)
    }

    fn kubectl(&self) -> Kubectl {
        Kubectl::new(self.dir.path().join("kubectl"))
    }

    fn read(&self, query: &Query) -> (ClusterFacts, Vec<Finding>) {
        let facts = cluster::read(&self.kubectl(), query);
        let findings = cluster::findings(&facts, query);
        (facts, findings)
    }

    fn calls(&self) -> Vec<String> {
        let calls = std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default();
        calls.lines().map(str::to_string).collect()
    }
}

fn query(gateway: Option<&str>, listener: Option<&str>, namespace: Option<&str>) -> Query {
    Query {
        gateway: gateway.map(|g| ("infra".to_string(), g.to_string())),
        listener: listener.map(str::to_string),
        namespace: namespace.map(str::to_string),
        ..Query::default()
    }
}

/// The versions the cluster serves for `kind`.
fn served<'a>(facts: &'a ClusterFacts, kind: &str) -> &'a [String] {
    let crds = facts.crds.as_deref().unwrap_or_default();
    &crds.iter().find(|c| c.kind == kind).unwrap().served
}

fn assert_says(finding: &Finding, text: &str) {
    assert!(finding.message.contains(text), "{}", finding.message);
}

fn rules(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

fn only<'a>(findings: &'a [Finding], rule: &str) -> &'a Finding {
    let found: Vec<_> = findings.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(found.len(), 1, "one {rule} in {findings:#?}");
    found[0]
}

#[test]
fn a_v1_2_cluster_is_told_and_sets_the_target_version() {
    let (facts, findings) =
        StandIn::cluster("crds-v1.2.1-standard.json", &[]).read(&Query::default());
    let api = InstalledApi {
        bundle_version: "v1.2.1".into(),
        channel: "standard".into(),
    };
    assert_eq!(facts.gateway_api(), Some(api));
    assert_eq!(facts.target_version().as_deref(), Some("v1.2"));
    assert_eq!(facts.context.as_deref(), Some("kind-traffic"));
    assert_eq!(rules(&findings), ["cluster-gateway-api-version"]);
    let f = &findings[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_says(f, "v1.2.1 (standard channel)");
    let hint = Door::Flags.text(f.hint.as_ref().unwrap());
    assert!(hint.contains("--gateway-api v1.2"), "{hint}");
    assert_eq!(served(&facts, "GRPCRoute"), ["v1"]);
}

#[test]
fn a_v1_6_cluster_is_a_note_and_lists_its_classes_and_gateways() {
    let (facts, findings) =
        StandIn::cluster("crds-v1.6.1-standard.json", &[]).read(&Query::default());
    assert_eq!(facts.target_version().as_deref(), Some("v1.6"));
    assert_eq!(rules(&findings), ["cluster-gateway-api-version"]);
    assert_eq!(findings[0].severity, Severity::Note);
    assert_eq!(served(&facts, "TCPRoute"), ["v1"]);
    assert_eq!(facts.class_names(), ["eg", "nginx", "eg-custom"]);
    assert_eq!(
        facts.gateway_names(),
        [
            ("infra", "internal"),
            ("infra", "selective"),
            ("infra", "shared")
        ]
    );
}

#[test]
fn gateway_classes_missing_or_not_accepted_are_warned_about() {
    let stand_in = StandIn::cluster("crds-v1.6.1-standard.json", &[]);
    let class = |name: &str| {
        let q = Query {
            class: Some(name.to_string()),
            ..Query::default()
        };
        stand_in.read(&q).1
    };
    assert_eq!(rules(&class("eg")), ["cluster-gateway-api-version"]);

    let pending = class("nginx");
    let f = only(&pending, "cluster-gatewayclass-not-accepted");
    let condition = f.condition.as_ref().unwrap();
    assert_eq!(
        (condition.status.as_str(), condition.reason.as_str()),
        ("Unknown", "Pending")
    );
    assert!(f
        .hint
        .as_ref()
        .unwrap()
        .contains("gateway.nginx.org/nginx-gateway-controller"));

    let invalid = class("eg-custom");
    let f = only(&invalid, "cluster-gatewayclass-not-accepted");
    assert_says(f, "Accepted=False, reason InvalidParameters");

    let missing = class("cilium");
    let f = only(&missing, "cluster-gatewayclass-missing");
    assert_eq!(
        f.resource.as_ref().unwrap().to_string(),
        "GatewayClass cilium"
    );
    assert_eq!(
        f.hint.as_deref(),
        Some("installed classes: eg, nginx, eg-custom")
    );
}

#[test]
fn listeners_admit_by_all_and_by_matching_labels() {
    let stand_in = StandIn::cluster("crds-v1.6.1-standard.json", &[]);
    // `http` admits All; `https` admits namespaces labelled shared-gateway-access=true, as shop is.
    for listener in [None, Some("http"), Some("https")] {
        let (_, findings) = stand_in.read(&query(Some("shared"), listener, Some("shop")));
        assert_eq!(
            rules(&findings),
            ["cluster-gateway-api-version"],
            "{listener:?}"
        );
    }
    // A matchExpressions selector: team In (shop, payments).
    let (facts, findings) = stand_in.read(&query(Some("selective"), None, Some("shop")));
    assert_eq!(rules(&findings), ["cluster-gateway-api-version"]);
    let labels = facts.namespace.unwrap().labels.unwrap();
    assert_eq!(labels["team"], "shop");
}

#[test]
fn listeners_refuse_other_namespaces_and_unmatched_labels() {
    let stand_in = StandIn::cluster("crds-v1.6.1-standard.json", &[]);
    let (_, same) = stand_in.read(&query(Some("internal"), None, Some("shop")));
    let f = only(&same, "cluster-listener-refuses-namespace");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.resource.as_ref().unwrap().to_string(),
        "Gateway infra/internal"
    );
    assert_eq!(
        f.condition.as_ref().unwrap().reason,
        "NotAllowedByListeners"
    );
    assert_says(f, "listener http admits only routes in infra (Same)");
    assert!(f.hint.as_ref().unwrap().contains("ReferenceGrant cannot"));
    // With Same only, the namespace's labels do not matter and are not read.
    assert!(!stand_in
        .calls()
        .iter()
        .any(|c| c.starts_with("get namespace")));

    let (_, selector) = stand_in.read(&query(Some("shared"), Some("https"), Some("web")));
    let f = only(&selector, "cluster-listener-refuses-namespace");
    assert_says(f, "namespaces labelled shared-gateway-access=true");

    let (_, expression) = stand_in.read(&query(Some("selective"), None, Some("web")));
    let f = only(&expression, "cluster-listener-refuses-namespace");
    assert_says(f, "team In (shop, payments)");
}

#[test]
fn a_namespace_that_does_not_exist_yet_leaves_a_selector_undecided() {
    let missing = r#"Error from server (NotFound): namespaces "new-team" not found"#;
    let stand_in = StandIn::cluster(
        "crds-v1.6.1-standard.json",
        &[("get namespace new-team", "fail", missing)],
    );
    let (facts, findings) = stand_in.read(&query(Some("shared"), Some("https"), Some("new-team")));
    assert_eq!(facts.namespace.unwrap().labels, None);
    let f = only(&findings, "cluster-listener-admission-unknown");
    assert_eq!(f.severity, Severity::Note);
    assert_says(f, "namespace new-team does not exist yet");
}

#[test]
fn a_missing_gateway_or_listener_is_warned_about() {
    let stand_in = StandIn::cluster("crds-v1.6.1-standard.json", &[]);
    let (_, findings) = stand_in.read(&query(Some("public"), None, Some("shop")));
    let f = only(&findings, "cluster-gateway-missing");
    assert_says(f, "silently ignored");
    let hint = f.hint.as_deref().unwrap();
    assert_eq!(
        hint,
        "Gateways in the cluster: infra/internal, infra/selective, infra/shared"
    );

    let (_, findings) = stand_in.read(&query(Some("shared"), Some("grpc"), Some("shop")));
    let f = only(&findings, "cluster-listener-missing");
    assert_eq!(f.condition.as_ref().unwrap().reason, "NoMatchingParent");
    assert_eq!(f.hint.as_deref(), Some("its listeners: http, https"));
}

#[test]
fn without_rights_to_list_gateways_the_queried_one_is_read_directly() {
    let crd_forbidden = r#"Error from server (Forbidden): customresourcedefinitions.apiextensions.k8s.io "gatewayclasses.gateway.networking.k8s.io" is forbidden: User "dev@example.com" cannot get resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope"#;
    let stand_in = StandIn::new(&[
        (CRDS, "fail", crd_forbidden),
        (CLASSES, "file", "gatewayclasses.json"),
        (ALL_GATEWAYS, "fail", FORBIDDEN),
        (
            "get gateways.gateway.networking.k8s.io internal --namespace infra",
            "file",
            "gateway-internal.json",
        ),
    ]);
    let (facts, findings) = stand_in.read(&query(Some("internal"), None, Some("shop")));
    assert!(facts.reachable());
    assert_eq!(facts.crds, None);
    assert_eq!(facts.gateway_names(), [("infra", "internal")]);
    assert_eq!(
        rules(&findings),
        ["cluster-read-failed", "cluster-listener-refuses-namespace"]
    );
    assert!(findings[0]
        .message
        .contains("cannot read the Gateway API CRDs"));
}

#[test]
fn a_cluster_without_gateway_api_says_so_and_reads_nothing_more() {
    // kubectl with --ignore-not-found and nothing found prints nothing.
    let stand_in = StandIn::new(&[(CRDS, "file", "empty.txt")]);
    let (facts, findings) = stand_in.read(&query(Some("shared"), None, Some("shop")));
    assert_eq!(facts.crds, Some(Vec::new()));
    assert_eq!(rules(&findings), ["cluster-gateway-api-missing"]);
    assert_eq!(stand_in.calls().len(), 2, "{:?}", stand_in.calls());
}

fn assert_unreachable(findings: &[Finding], says: &str) {
    assert_eq!(rules(findings), ["cluster-unreachable"]);
    let f = &findings[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_says(f, says);
    assert_says(f, "going on without cluster facts");
}

#[test]
fn a_hung_kubectl_is_stopped_by_the_time_limit() {
    let stand_in = StandIn::new(&[(CRDS, "sleep", "30")]);
    let kubectl = stand_in
        .kubectl()
        .with_time_limit(Duration::from_millis(300));
    let facts = cluster::read(&kubectl, &Query::default());
    assert_unreachable(
        &cluster::findings(&facts, &Query::default()),
        "no answer within 300ms",
    );
}

#[test]
fn no_current_context_or_no_kubectl_is_unreachable() {
    let no_context = StandIn::new(&[]);
    std::fs::write(
        no_context.dir.path().join("answers"),
        "config current-context\tfail\terror: current-context is not set\n",
    )
    .unwrap();
    let (_, findings) = no_context.read(&Query::default());
    assert_unreachable(&findings, "current-context is not set");

    let absent = Kubectl::new("/nonexistent/kubectl");
    let facts = cluster::read(&absent, &Query::default());
    let findings = cluster::findings(&facts, &Query::default());
    assert_unreachable(&findings, "cannot run /nonexistent/kubectl");
}

/// The real kubectl, with a kubeconfig whose server is a closed loopback port.
#[test]
fn the_real_kubectl_without_a_cluster_gives_one_finding() {
    let path = std::env::var_os("PATH").unwrap_or_default();
    if !std::env::split_paths(&path).any(|dir| dir.join("kubectl").is_file()) {
        println!("skipped: kubectl is not installed");
        return;
    }
    let facts = cluster::read(
        &Kubectl::new(fixture("kubectl-unreachable")),
        &query(Some("shared"), None, Some("shop")),
    );
    assert!(!facts.reachable());
    assert_eq!(facts.context.as_deref(), Some("unreachable"));
    let findings = cluster::findings(&facts, &query(Some("shared"), None, Some("shop")));
    assert_unreachable(&findings, "127.0.0.1:1");
}

/// `traffic-engineer generate ARGS --cluster` against the stand-in, `args` split at spaces: stdout
/// and stderr of a run that must succeed.
fn generate_on(stand_in: &StandIn, args: &str) -> (String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_traffic-engineer"))
        .arg("generate")
        .args(args.split(' '))
        .args(["--cluster", "--no-input"])
        .env("TE_KUBECTL", stand_in.dir.path().join("kubectl"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

const TCP_SINGLE_DEV: &str = "--context single-dev --service db --port 5432 --kind TCPRoute";

/// `generate --cluster` targets the release the cluster runs when none is given, and reports facts.
#[test]
fn generate_with_cluster_follows_the_installed_release() {
    let stand_in = StandIn::cluster("crds-v1.2.1-standard.json", &[]);
    let (yaml, stderr) = generate_on(&stand_in, TCP_SINGLE_DEV);
    assert!(
        yaml.contains("apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute"),
        "{yaml}"
    );
    assert!(stderr.contains("cluster-gateway-api-version"), "{stderr}");
    assert!(stderr.contains("experimental-channel-needed"), "{stderr}");
    // An explicit target wins over the cluster's.
    let (yaml, _) = generate_on(&stand_in, &format!("{TCP_SINGLE_DEV} --gateway-api v1.6"));
    assert!(
        yaml.contains("apiVersion: gateway.networking.k8s.io/v1\nkind: TCPRoute"),
        "{yaml}"
    );
}

/// Once `--cluster` targets the cluster's release, the messages name that release; and nothing is
/// said to be missing from the cluster that the output itself creates.
#[test]
fn generate_with_cluster_names_the_targeted_release_and_not_what_it_creates() {
    let stand_in = StandIn::cluster("crds-v1.2.1-standard.json", &[]);
    let (_, stderr) = generate_on(&stand_in, "--context single-dev --service web --port 80");
    assert!(!stderr.contains("cluster-gateway-missing"), "{stderr}");
    assert!(!stderr.contains("v1.6.1"), "{stderr}");
    let note = "note[cluster-gateway-api-version]: the cluster (context kind-traffic) runs Gateway API v1.2.1 (standard channel); the manifests are written for Gateway API v1.2";
    assert!(stderr.contains(note), "{stderr}");
    let platform = "--context platform-team --service web --port 80 --with-gateway-class --gateway-class new-class";
    let (_, stderr) = generate_on(&stand_in, platform);
    assert!(!stderr.contains("cluster-gatewayclass-missing"), "{stderr}");
    assert!(!stderr.contains("cluster-gateway-missing"), "{stderr}");
}

/// Text output shows what `--output json` carries: the hints (the installed GatewayClasses, the
/// `--gateway-api` suggestion, the cluster's Gateways), resources and predicted conditions.
#[test]
fn generate_with_cluster_prints_the_hints_as_json_carries_them() {
    let stand_in = StandIn::cluster("crds-v1.2.1-standard.json", &[]);
    let args =
        "--context single-dev --service web --port 80 --gateway-class cilium --gateway-api v1.6";
    let (_, stderr) = generate_on(&stand_in, args);
    let says = |text: &str| assert!(stderr.contains(text), "{text:?} in {stderr}");
    says("warning[cluster-gatewayclass-missing] GatewayClass cilium: ");
    says("\n  hint: installed classes: eg, nginx, eg-custom\n");
    says("older than v1.6 that the manifests are written for");
    says("\n  hint: generate for the cluster with --gateway-api v1.2");
    let shared = "--context shared-gateway --service web --namespace web --port 80 --gateway gone --gateway-namespace infra";
    let (_, stderr) = generate_on(&stand_in, shared);
    let hint = "\n  hint: Gateways in the cluster: infra/internal, infra/selective, infra/shared\n";
    assert!(stderr.contains(hint), "{stderr}");
}

/// The query for generated manifests: the attached Gateway (namespace defaulting to the route's),
/// its listener, the routes' namespace, and the class of a generated Gateway over the asked one.
#[test]
fn the_query_for_generated_manifests() {
    use traffic_engineer::context::Profiles;
    use traffic_engineer::generate::generate;
    use traffic_engineer::render::Templates;
    use traffic_engineer::request;
    let run = |text: &str| {
        let request = request::from_text(text, "request.yaml").unwrap();
        let bundle = generate(
            &request,
            &Profiles::built_in(),
            &Templates::load(None).unwrap(),
        )
        .unwrap();
        Query::for_documents(&bundle.documents, Some("asked"))
    };
    let shared = run("context: shared-gateway\nservice: web\nport: 80\ngateway: {name: shared, namespace: infra, listener: https}\n");
    assert_eq!(shared.gateway, Some(("infra".into(), "shared".into())));
    assert_eq!(shared.listener.as_deref(), Some("https"));
    assert_eq!(shared.namespace.as_deref(), Some("web"));
    assert_eq!(shared.class.as_deref(), Some("asked"));
    assert!(!shared.gateway_generated && !shared.class_generated);
    let own =
        run("context: single-dev\nservice: web\nport: 80\noptions: {implementation: cilium}\n");
    assert_eq!(own.gateway, Some(("web".into(), "web-gateway".into())));
    assert_eq!(own.class.as_deref(), Some("cilium"));
    assert!(own.gateway_generated && !own.class_generated);
}

/// `generate --https-redirect --cluster` on a shared Gateway takes its HTTPS and HTTP listeners
/// from the cluster when they are not given.
#[test]
fn https_redirect_reads_the_shared_gateways_listeners() {
    let stand_in = StandIn::cluster("crds-v1.6.1-standard.json", &[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_traffic-engineer"))
        .args([
            "generate",
            "--context",
            "shared-gateway",
            "--service",
            "web",
            "--namespace",
            "web",
            "--port",
            "8080",
            "--gateway",
            "shared",
            "--gateway-namespace",
            "infra",
            "--https-redirect",
            "--cluster",
            "--no-input",
        ])
        .env("TE_KUBECTL", stand_in.dir.path().join("kubectl"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let yaml = String::from_utf8(out.stdout).unwrap();
    assert!(yaml.contains("name: web\n"), "{yaml}");
    assert!(yaml.contains("sectionName: https\n"), "{yaml}");
    assert!(yaml.contains("name: web-https-redirect"), "{yaml}");
    assert!(yaml.contains("sectionName: http\n"), "{yaml}");
}

/// The standard CRDs of `../shared` as `kubectl get customresourcedefinitions -o json` prints
/// them, written to a temp file; `edit` changes each CRD first (to stand for another release).
fn recorded_crds(dir: &Path, edit: impl Fn(&mut serde_json::Value)) -> Option<PathBuf> {
    let mut items = support::crd::crd_documents("standard")?;
    items.iter_mut().for_each(edit);
    let file = dir.join(format!("crds-{}.json", items.len()));
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    std::fs::write(&file, list.to_string()).unwrap();
    Some(file)
}

/// A release whose HTTPRoute has no `timeouts` (as before v1.1): the cluster's CRDs, not the
/// built-in v1.6.1 rules, decide.
fn without_timeouts(crd: &mut serde_json::Value) {
    if crd["spec"]["names"]["kind"] != "HTTPRoute" {
        return;
    }
    for version in crd["spec"]["versions"].as_array_mut().unwrap() {
        let rule = version
            .pointer_mut(&format!(
                "/schema/{OPENAPI_SCHEMA}/properties/spec/properties/rules/items/properties"
            ))
            .unwrap();
        rule.as_object_mut()
            .unwrap()
            .shift_remove("timeouts")
            .unwrap();
    }
}

fn run_cli(stand_in: &StandIn, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_traffic-engineer"))
        .args(args)
        .env("TE_KUBECTL", stand_in.dir.path().join("kubectl"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const ROUTE_WITH_TIMEOUTS: &str = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  rules:
  - timeouts: {request: 10s}
    backendRefs: [{name: web, port: 80}]
";

#[test]
fn lint_and_generate_validate_against_the_clusters_crds() {
    let scratch = tempfile::tempdir().unwrap();
    let Some(current) = recorded_crds(scratch.path(), |_| {}) else {
        return;
    };
    let older = scratch.path().join("older");
    std::fs::create_dir(&older).unwrap();
    let older = recorded_crds(&older, without_timeouts).unwrap();
    let route = scratch.path().join("route.yaml");
    std::fs::write(&route, ROUTE_WITH_TIMEOUTS).unwrap();
    let route = route.display().to_string();
    let lint = ["lint", "--cluster", route.as_str()];

    let stand_in = StandIn::cluster(current.to_str().unwrap(), &[]);
    let (code, stdout, _) = run_cli(&stand_in, &lint);
    assert_eq!(code, 0, "{stdout}");
    let stand_in = StandIn::cluster(older.to_str().unwrap(), &[]);
    let (code, stdout, _) = run_cli(&stand_in, &lint);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("error[unknown-field] HTTPRoute shop/web spec.rules[0].timeouts: field not declared in schema: spec.rules[0].timeouts"),
        "{stdout}"
    );
    assert!(
        stdout.contains("from the CRD httproutes.gateway.networking.k8s.io/v1"),
        "{stdout}"
    );

    // generate refuses what the cluster's CRDs reject, with their message.
    let request = scratch.path().join("request.yaml");
    std::fs::write(
        &request,
        "context: single-dev\nservice: web\nnamespace: shop\nport: 80\nroutes:\n  - rules:\n      - timeouts: { request: 10s }\n",
    )
    .unwrap();
    let generate = [
        "generate",
        "--request",
        request.to_str().unwrap(),
        "--cluster",
    ];
    let (code, _, stderr) = run_cli(&stand_in, &generate);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("field not declared in schema: spec.rules[0].timeouts"),
        "{stderr}"
    );
    let stand_in = StandIn::cluster(current.to_str().unwrap(), &[]);
    let (code, stdout, stderr) = run_cli(&stand_in, &generate);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("request: 10s"), "{stdout}");

    // The same CRDs given as a file, without a cluster.
    let offline = [
        "generate",
        "--request",
        request.to_str().unwrap(),
        "--crds",
        older.to_str().unwrap(),
    ];
    let (code, _, stderr) = run_cli(&stand_in, &offline);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("field not declared in schema: spec.rules[0].timeouts"),
        "{stderr}"
    );
    let no_crds = [
        "generate",
        "--request",
        request.to_str().unwrap(),
        "--crds",
        route.as_str(),
    ];
    let (code, _, stderr) = run_cli(&stand_in, &no_crds);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--crds: no CustomResourceDefinition found"),
        "{stderr}"
    );
}

#[test]
fn lint_cluster_without_a_cluster_is_bad_input() {
    let stand_in = StandIn::new(&[(
        CRDS,
        "fail",
        "The connection to the server localhost:8080 was refused",
    )]);
    let (code, _, stderr) = run_cli(&stand_in, &["lint", "--cluster", "-"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--cluster: the cluster's CRDs could not be read"),
        "{stderr}"
    );
}
