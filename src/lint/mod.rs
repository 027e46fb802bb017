//! Lint: the spec rules of Gateway API v1.6.1 on every document, then a cross-resource analysis
//! over the whole set that predicts the status a controller would set.
//!
//! Each thread reads one file at a time; each document is parsed once into a line-aware tree
//! ([`node`]), checked ([`rules`]), reduced to the few facts the analysis needs ([`facts`]) and
//! dropped. The analysis ([`analysis`]) then runs on the facts of the whole set.

pub(crate) mod analysis;
pub(crate) mod block;
pub(crate) mod check;
mod crd;
mod docs;
pub(crate) mod facts;
mod load;
pub(crate) mod node;
mod report;
mod rules;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub(crate) use check::{index, join, keyed};
pub use docs::{explain, lookup, rule_tables, RuleDoc, RuleTable};
pub(crate) use load::documents;
pub use load::{inputs, Input, LoadError};
pub use report::{format_human, Report};

use crate::finding::{Finding, ResourceId, Severity};
use crate::traffic::Model;

/// Which Gateway API CRDs the cluster runs.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[default]
    Standard,
    Experimental,
}

#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub channel: Channel,
    /// Also warn about features this implementation's conformance report does not claim.
    pub implementation: Option<crate::implementation::Implementation>,
    /// The CRDs the cluster runs (`--crds`, `--cluster`): objects of the kinds they define are
    /// validated against them instead of the built-in v1.6.1 schema rules.
    pub crds: Option<Arc<crate::crd::CrdSet>>,
}

/// Lints files, folders (recursively, `*.yaml`/`*.yml`) and `-` (stdin) as one set.
pub fn lint_paths(paths: &[PathBuf], opts: &LintOptions) -> Result<Report, LoadError> {
    let (report, model) = load_paths(paths, opts)?;
    // Freeing the model of a large set (every route's facts, one allocation at a time) took a
    // tenth of the run on the thread that prints the report; another thread does it meanwhile,
    // and a process that exits first leaves it to the operating system.
    if report.documents > 1_000 {
        std::thread::spawn(move || drop(model));
    }
    Ok(report)
}

/// Lints files like [`lint_paths`] and keeps the traffic model of the set, for `trace` and `test`.
pub fn load_paths(paths: &[PathBuf], opts: &LintOptions) -> Result<(Report, Model), LoadError> {
    let inputs = load::inputs(paths)?;
    let mut set = Set::default();
    parallel_each(
        &groups(&inputs),
        |group| {
            let mut part = FileResult::new();
            for input in *group {
                let text = input.read()?;
                part.append(lint_file(&input.label(), &text, opts));
            }
            Ok(part)
        },
        |result| {
            set.add(result?);
            Ok(())
        },
    )?;
    Ok(set.finish(opts))
}

/// Lints one YAML stream; `file_label` names it in findings.
pub fn lint_str(text: &str, file_label: &str, opts: &LintOptions) -> Report {
    lint_sources(&[(file_label, text)], opts)
}

/// Lints several YAML streams `(label, text)` as one set, with cross-resource analysis across them.
pub fn lint_sources(sources: &[(&str, &str)], opts: &LintOptions) -> Report {
    load_sources(sources, opts).0
}

/// Lints like [`lint_sources`] and keeps the traffic model of the set.
pub fn load_sources(sources: &[(&str, &str)], opts: &LintOptions) -> (Report, Model) {
    let mut set = Set::default();
    parallel_for_each(
        sources,
        |(label, text)| lint_file(label, text, opts),
        |result| set.add(result),
    );
    set.finish(opts)
}

/// Maps `f` over `items` on a few threads (this one among them) and hands the results to `sink`
/// in the order of `items`, each as soon as those before it are done, while the workers go on
/// (waiting for whole batches left cores idle). `sink`'s first error stops it: the workers
/// finish the item they hold and take no more. Each worker holds one item at a time, so memory
/// stays proportional to the largest file times the thread count, plus the results waiting for
/// an earlier one.
fn parallel_each<T: Sync, R: Send, E>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    // Threads cost more than they save on a handful of items (what `generate` lints, the one
    // document of most files). The core count is read once: it costs system calls and, in a
    // container, reading cgroup files.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads = match items.len() {
        0..16 => 1,
        n => CORES
            .get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .min(&8)
            .min(&n)
            .to_owned(),
    };
    if threads <= 1 {
        return items.iter().map(f).try_for_each(sink);
    }
    let next = AtomicUsize::new(0);
    let take = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        items.get(i).map(|item| (i, f(item)))
    };
    let (done, results) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|s| {
        // This thread works too, between merges: one that waited for each result spent more time
        // in system calls being woken than merging.
        for _ in 1..threads {
            let done = done.clone();
            s.spawn(move || {
                while let Some(result) = take() {
                    if done.send(result).is_err() {
                        return; // the sink failed: nothing more is wanted
                    }
                }
            });
        }
        drop(done);
        let mut waiting = std::collections::BTreeMap::new();
        let mut want = 0;
        let outcome = loop {
            if let Some(result) = waiting.remove(&want) {
                want += 1;
                match sink(result) {
                    Ok(()) => continue,
                    Err(e) => break Err(e),
                }
            }
            let ready = match results.try_recv() {
                Ok(ready) => Some(ready),
                Err(_) => take().or_else(|| results.recv().ok()),
            };
            // None: every item is taken and every worker gone (all merged, or one panicked,
            // which the scope reports).
            let Some((i, result)) = ready else {
                break Ok(());
            };
            waiting.insert(i, result);
        };
        // Workers that take another item find nothing left.
        next.store(items.len(), Ordering::Relaxed);
        drop(results);
        outcome
    })
}

/// `items` in groups for [`parallel_each`]: up to 16 at a time, fewer for short lists so that
/// the threads still share them. A group's results are put together on the thread that made
/// them: freeing one thread's allocations on another takes its allocator's lock, and an item at
/// a time (a stream's small documents) the threads waited on each other, with 8,000 `futex`
/// calls for a stream of 10,000 documents.
fn groups<T>(items: &[T]) -> Vec<&[T]> {
    items.chunks((items.len() / 64).clamp(1, 16)).collect()
}

/// [`parallel_each`] with a sink that cannot fail.
fn parallel_for_each<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R),
) {
    let done: Result<(), std::convert::Infallible> = parallel_each(items, f, |r| {
        sink(r);
        Ok(())
    });
    let Ok(()) = done;
}

/// What files (one, or a group read on one thread) or documents yield: their findings, the
/// facts for the analysis, and their file and document counts.
struct FileResult {
    findings: Vec<Finding>,
    facts: facts::Facts,
    files: usize,
    documents: usize,
}

impl FileResult {
    fn new() -> FileResult {
        FileResult {
            findings: Vec::new(),
            facts: facts::Facts::default(),
            files: 0,
            documents: 0,
        }
    }

    /// Adds what comes next in input order; duplicates among them are found when the whole is
    /// added to the set ([`facts::Facts::append`]).
    fn append(&mut self, part: FileResult) {
        self.files += part.files;
        self.documents += part.documents;
        self.findings.extend(part.findings);
        self.facts.append(part.facts);
    }
}

/// Reads one YAML stream: spec rules on every document, facts kept for the analysis. The
/// documents of a long stream are read on several threads too (like files), their
/// results kept in order.
fn lint_file(label: &str, text: &str, opts: &LintOptions) -> FileResult {
    let file: Arc<str> = label.into();
    let chunks = load::documents(text);
    let mut out = FileResult::new();
    parallel_for_each(
        &groups(&chunks),
        |group| {
            let mut part = FileResult::new();
            for chunk in *group {
                lint_document(&mut part, &file, chunk, opts);
            }
            part
        },
        |part| out.append(part),
    );
    out.files = 1;
    out
}

/// One document of a stream (or the syntax error that stops it), added to `out`.
fn lint_document(out: &mut FileResult, file: &Arc<str>, chunk: &load::Chunk, opts: &LintOptions) {
    match chunk.parse() {
        Ok(Some(doc)) => {
            out.documents += 1;
            document(out, file, &doc, opts);
            if let Some(implementation) = &opts.implementation {
                let claims = crate::implementation::warnings(implementation, &[doc.to_json()]);
                out.findings
                    .extend(claims.into_iter().map(|f| f.at(file, doc.line)));
            }
        }
        Ok(None) => {}
        Err(e) => out.findings.push(
            Finding::new(Severity::Error, "yaml-syntax", e.message)
                .at(file, e.line)
                .hint("fix the YAML on this line; the document was not checked"),
        ),
    }
}

fn document(out: &mut FileResult, file: &Arc<str>, doc: &node::Node, opts: &LintOptions) {
    let mut ctx = check::Ctx {
        file,
        channel: opts.channel,
        resource: None,
        findings: &mut out.findings,
    };
    if !matches!(doc.value, node::Value::Map(_)) {
        ctx.known_fields(doc, check::Field::TOP, &[], &[]);
        return;
    }
    let Some(header) = rules::Header::read(&mut ctx, doc) else {
        return;
    };
    let meta = doc.get("metadata");
    let id = ResourceId {
        kind: header.kind.to_string(),
        namespace: meta.and_then(|m| m.str_at("namespace")).map(str::to_string),
        name: meta
            .and_then(|m| m.str_at("name"))
            .unwrap_or_default()
            .to_string(),
    };
    let served = match &opts.crds {
        Some(crds) => crd::check(&mut ctx, crds, doc, &header, &id),
        None if header.is_gateway_api() => {
            ctx.resource = Some(id.clone());
            rules::check(&mut ctx, doc, &header)
        }
        None => true,
    };
    if served {
        out.facts.collect(file, doc, &header, id);
    }
    // Not served: the object would not exist, so it takes no part in the analysis.
}

/// The whole set: file results merged in input order, then analysed together.
#[derive(Default)]
struct Set {
    report: Report,
    facts: facts::Facts,
}

impl Set {
    fn add(&mut self, file: FileResult) {
        self.report.files += file.files;
        self.report.documents += file.documents;
        self.report.findings.extend(file.findings);
        self.facts.merge(file.facts);
    }

    /// Analyses the set, builds its traffic model and adds the model's findings (and the
    /// problems of the CRDs it was checked against).
    fn finish(mut self, opts: &LintOptions) -> (Report, Model) {
        if let Some(crds) = &opts.crds {
            self.report.findings.extend(crd::problems(crds));
        }
        let analysed = analysis::analyse(&self.facts);
        self.report.findings.extend(analysed.findings);
        let model = Model::new(self.facts, &analysed.attachments, analysed.valid);
        self.report.findings.extend(model.findings());
        self.report.sort();
        (self.report, model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(report: &Report, rule: &str) -> Vec<u64> {
        report
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.line.unwrap_or(0))
            .collect()
    }

    /// Results reach the sink in input order though workers finish out of order, and the sink's
    /// first error (in input order) is what comes back.
    #[test]
    fn parallel_results_arrive_in_order_and_the_first_error_stops_them() {
        let items: Vec<usize> = (0..1000).collect();
        let slow = |&i: &usize| {
            if i % 97 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            i
        };
        let mut seen = Vec::new();
        parallel_for_each(&items, slow, |i| seen.push(i));
        assert_eq!(seen, items);
        seen.clear();
        let stopped = parallel_each(&items, slow, |i| {
            if i == 700 || i == 800 {
                return Err(i);
            }
            seen.push(i);
            Ok(())
        });
        assert_eq!(stopped, Err(700));
        assert_eq!(seen, items[..700]);
    }

    /// Files read in groups on several threads count and compare as files: a resource defined
    /// twice is reported at its later file, within a group and across groups alike.
    #[test]
    fn a_folder_read_in_groups_finds_duplicates_across_them() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..200 {
            // 200 files go in groups of 3: files 0 and 150 (different groups) and 6 and 7 (one
            // group) define the same route.
            let name = match i {
                150 => 0,
                7 => 6,
                i => i,
            };
            let text = format!("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r{name}\n  namespace: app\n");
            std::fs::write(dir.path().join(format!("{i:03}.yaml")), text).unwrap();
        }
        let report = lint_paths(&[dir.path().to_path_buf()], &LintOptions::default()).unwrap();
        assert_eq!((report.files, report.documents), (200, 200));
        let mut later: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.rule == "duplicate-resource")
            .map(|f| {
                f.file
                    .as_deref()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        later.sort();
        assert_eq!(later, ["007.yaml", "150.yaml"]);
    }

    /// The routes of a large set are analysed in groups on several threads. What a late group
    /// marks (the only use of a ReferenceGrant) and finds (a route whose Gateway is not in the set)
    /// reaches the report as if the set were analysed at once: the used grant is not reported
    /// unused, the unused one is, and the missing Gateway is said once, at its route.
    #[test]
    fn a_set_analysed_in_groups_marks_and_finds_as_a_whole() {
        let grant = |name: &str, from_ns: &str| {
            format!("apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {{name: {name}, namespace: db}}\nspec:\n  from:\n  - {{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: {from_ns}}}\n  to:\n  - {{group: \"\", kind: Service}}\n")
        };
        let gateway = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: infra}\nspec:\n  gatewayClassName: example\n  listeners:\n  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}\n";
        let mut sources = vec![
            ("gateway.yaml".to_string(), gateway.to_string()),
            (
                "grants.yaml".to_string(),
                format!("{}---\n{}", grant("used", "app"), grant("unused", "other")),
            ),
        ];
        for i in 0..300 {
            let parent = if i == 150 { "gone" } else { "gw" };
            let backend = if i == 299 {
                "{name: pg, namespace: db, port: 5432}"
            } else {
                "{name: web, port: 80}"
            };
            let route = format!("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: r{i}, namespace: app}}\nspec:\n  parentRefs:\n  - {{name: {parent}, namespace: infra}}\n  hostnames: [h{i}.example.com]\n  rules:\n  - backendRefs:\n    - {backend}\n");
            sources.push((format!("r{i:03}.yaml"), route));
        }
        let sources: Vec<(&str, &str)> = sources
            .iter()
            .map(|(label, text)| (label.as_str(), text.as_str()))
            .collect();
        let report = lint_sources(&sources, &LintOptions::default());
        // Each finding of `rule` as (file, resource name).
        let said = |rule: &str| -> Vec<(String, String)> {
            let of = |f: &Finding| (f.file.clone(), f.resource.clone().map(|r| r.name));
            let found = report.findings.iter().filter(|f| f.rule == rule).map(of);
            found
                .map(|(file, name)| (file.unwrap(), name.unwrap()))
                .collect()
        };
        let at = |file: &str, name: &str| vec![(file.to_string(), name.to_string())];
        assert_eq!(said("unused-reference-grant"), at("grants.yaml", "unused"));
        assert_eq!(said("parent-not-in-set"), at("r150.yaml", "r150"));
        assert!(
            said("backend-ref-not-permitted").is_empty(),
            "{:?}",
            report.findings
        );
    }

    #[test]
    fn findings_carry_file_lines_of_the_offending_field() {
        let text = "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: a
spec:
  rules: [
---
# second document
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: b
  namespace: app
spec:
  parentRefs:
  - name: gw
    namespace: infra
  rules:
  - backendRefs:
    - name: web
      port: 70000
";
        let report = lint_str(text, "routes.yaml", &LintOptions::default());
        assert!(lines_of(&report, "yaml-syntax")[0] >= 6);
        assert_eq!(lines_of(&report, "value-out-of-range"), [21]);
        assert_eq!(lines_of(&report, "parent-not-in-set"), [16]);
        assert_eq!(report.documents, 1);
        assert!(report
            .findings
            .iter()
            .all(|f| f.file.as_deref() == Some("routes.yaml")));
    }

    #[test]
    fn sources_are_analysed_as_one_set() {
        let gateway = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: infra}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n";
        let route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n";
        let report = lint_sources(
            &[("gw.yaml", gateway), ("route.yaml", route)],
            &LintOptions::default(),
        );
        assert_eq!(report.files, 2);
        let f = &report.findings[0];
        assert_eq!(
            (f.rule.as_str(), f.file.as_deref()),
            ("route-not-allowed-by-listener", Some("route.yaml"))
        );
        assert_eq!(
            f.condition.as_ref().unwrap().reason,
            "NotAllowedByListeners"
        );
        assert!(report.has_errors());
    }

    /// Two routes with the same mistake at the same line of their own files get a finding each:
    /// a finding is said once per place, not once per message and line.
    #[test]
    fn the_same_mistake_in_two_files_is_reported_in_both() {
        let gateway = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: infra}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]\n";
        let route = |name: &str| {
            format!("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: app}}\nspec:\n  parentRefs: [{{name: gw, namespace: infra, sectionName: https}}]\n")
        };
        let (a, b) = (route("a"), route("b"));
        let report = lint_sources(
            &[("gw.yaml", gateway), ("a.yaml", &a), ("b.yaml", &b)],
            &LintOptions::default(),
        );
        let files: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == "no-matching-parent")
            .map(|f| (f.file.as_deref().unwrap(), f.line))
            .collect();
        assert_eq!(files, [("a.yaml", Some(5)), ("b.yaml", Some(5))]);
    }

    /// A stream long enough to be read on several threads reports what the same documents do as
    /// separate files, duplicates across documents included, at their file lines.
    #[test]
    fn a_long_stream_reads_like_its_documents_as_files() {
        let docs: Vec<String> = (0..40)
            .map(|i| format!("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r{}\n  namespace: app\nspec:\n  parentRefs:\n  - name: gw{i}\n", i % 37))
            .collect();
        let stream = docs.join("---\n");
        let one = lint_str(&stream, "all.yaml", &LintOptions::default());
        let files: Vec<(String, &str)> = docs
            .iter()
            .map(|d| ("all.yaml".to_string(), d.as_str()))
            .collect();
        let sources: Vec<(&str, &str)> = files.iter().map(|(l, t)| (l.as_str(), *t)).collect();
        let many = lint_sources(&sources, &LintOptions::default());
        assert_eq!(one.documents, 40);
        let rules = |r: &Report| {
            let mut rules: Vec<_> = r.findings.iter().map(|f| f.rule.clone()).collect();
            rules.sort();
            rules
        };
        assert_eq!(lines_of(&one, "duplicate-resource"), [334, 343, 352]);
        assert_eq!(rules(&one), rules(&many));
    }

    #[test]
    fn backend_port_must_be_a_service_port_not_its_target_port() {
        let text = "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec:
  ports: [{port: 8080, targetPort: 800}, {port: 9090, targetPort: http}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: app}
spec:
  rules:
  - backendRefs: [{name: web, port: 800}, {name: web, port: 9090}, {name: web, port: 7}]
";
        let report = lint_str(text, "set.yaml", &LintOptions::default());
        let found: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == "backend-port-not-found")
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        let (target, other) = (found[0], found[1]);
        assert_eq!(
            target.field.as_deref(),
            Some("spec.rules[0].backendRefs[0]")
        );
        assert_eq!(
            target.message,
            "Service app/web has no port 800 (its ports: 8080, 9090)"
        );
        assert_eq!(
            target.hint.as_deref(),
            Some("800 is the targetPort of Service port 8080; a backendRef names the Service port")
        );
        assert_eq!(target.condition.as_ref().unwrap().reason, "BackendNotFound");
        assert_eq!(other.field.as_deref(), Some("spec.rules[0].backendRefs[2]"));
        assert!(!other.hint.as_ref().unwrap().contains("targetPort"));
    }

    #[test]
    fn a_regex_that_does_not_compile_is_unsupported_at_its_line() {
        let text = "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules:
  - matches:
    - path:
        type: RegularExpression
        value: /api/(v1|v2
";
        let report = lint_str(text, "r.yaml", &LintOptions::default());
        let [f] = &report.findings[..] else {
            panic!("{:?}", report.findings);
        };
        assert_eq!((f.rule.as_str(), f.line), ("invalid-regex", Some(9)));
        assert!(
            f.message.contains("unclosed group, at character 6: `(`"),
            "{}",
            f.message
        );
        let condition = f.condition.as_ref().unwrap();
        assert_eq!(
            (condition.type_.as_str(), condition.reason.as_str()),
            ("Accepted", "UnsupportedValue")
        );
        assert!(report.has_errors());
    }

    #[test]
    fn missing_paths_are_load_errors() {
        let err =
            lint_paths(&[PathBuf::from("/no/such/folder")], &LintOptions::default()).unwrap_err();
        assert!(matches!(err, LoadError::NotFound(_)));
    }
}
