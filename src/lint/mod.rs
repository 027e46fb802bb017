//! Lint: the spec rules of Gateway API v1.6.1 on every document, then a cross-resource analysis
//! over the whole set that predicts the status a controller would set.
//!
//! Files are read one at a time; each document is parsed once into a line-aware tree
//! ([`node`]), checked ([`rules`]), reduced to the few facts the analysis needs ([`facts`]) and
//! dropped. The analysis ([`analysis`]) then runs on the facts of the whole set.

mod analysis;
mod check;
mod docs;
mod facts;
mod load;
mod node;
mod report;
mod rules;

use std::path::PathBuf;
use std::sync::Arc;

pub use docs::{explain, rule_docs, RuleDoc};
pub use load::{inputs, Input, LoadError};
pub use report::{format_human, Report};

use crate::finding::{Finding, ResourceId, Severity};

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
}

/// Lints files, folders (recursively, `*.yaml`/`*.yml`) and `-` (stdin) as one set.
pub fn lint_paths(paths: &[PathBuf], opts: &LintOptions) -> Result<Report, LoadError> {
    let mut engine = Engine::new(opts);
    for input in load::inputs(paths)? {
        let text = input.read()?;
        engine.add(&input.label(), &text);
    }
    Ok(engine.finish())
}

/// Lints one YAML stream; `file_label` names it in findings.
pub fn lint_str(text: &str, file_label: &str, opts: &LintOptions) -> Report {
    lint_sources(&[(file_label, text)], opts)
}

/// Lints several YAML streams `(label, text)` as one set, with cross-resource analysis across them.
pub fn lint_sources(sources: &[(&str, &str)], opts: &LintOptions) -> Report {
    let mut engine = Engine::new(opts);
    for (label, text) in sources {
        engine.add(label, text);
    }
    engine.finish()
}

/// Accumulates findings and facts while sources are added one at a time.
struct Engine {
    channel: Channel,
    report: Report,
    facts: facts::Facts,
}

impl Engine {
    fn new(opts: &LintOptions) -> Self {
        Engine {
            channel: opts.channel,
            report: Report::default(),
            facts: facts::Facts::default(),
        }
    }

    fn add(&mut self, label: &str, text: &str) {
        self.report.files += 1;
        let file: Arc<str> = label.into();
        for chunk in load::documents(text) {
            match chunk.parse() {
                Ok(Some(doc)) => {
                    self.report.documents += 1;
                    self.document(&file, &doc);
                }
                Ok(None) => {}
                Err(e) => self.report.findings.push(
                    Finding::new(Severity::Error, "yaml-syntax", e.message)
                        .at(&file, e.line)
                        .hint("fix the YAML on this line; the document was not checked"),
                ),
            }
        }
    }

    fn document(&mut self, file: &Arc<str>, doc: &node::Node) {
        let mut ctx = check::Ctx {
            file,
            channel: self.channel,
            resource: None,
            findings: &mut self.report.findings,
        };
        if !matches!(doc.value, node::Value::Map(_)) {
            ctx.known_fields(doc, "", &[], &[]);
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
        if header.is_gateway_api() {
            ctx.resource = Some(id.clone());
            if !rules::check(&mut ctx, doc, &header) {
                return; // not served: the object would not exist, so it takes no part in the analysis
            }
        }
        self.facts.collect(file, doc, &header, id);
    }

    fn finish(mut self) -> Report {
        self.report.findings.extend(analysis::analyse(&self.facts));
        self.report.sort();
        self.report
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

    #[test]
    fn missing_paths_are_load_errors() {
        let err =
            lint_paths(&[PathBuf::from("/no/such/folder")], &LintOptions::default()).unwrap_err();
        assert!(matches!(err, LoadError::NotFound(_)));
    }
}
