//! What lint and the plan report about a set of manifests: one `Finding` per problem.

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResourceId {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ResourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// The status condition a controller would set, predicted offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
}

impl Condition {
    pub fn new(type_: &str, status: &str, reason: &str) -> Self {
        Condition {
            type_: type_.to_string(),
            status: status.to_string(),
            reason: reason.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    pub severity: Severity,
    /// Stable, readable rule id, e.g. `route-not-allowed-by-listener`.
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Field path inside the resource, e.g. `spec.rules[0].backendRefs[1].port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, rule: &str, message: impl Into<String>) -> Self {
        // Whatever id a user sees in brackets, `lint --explain` must document: every test that
        // reaches an emitting path checks it.
        debug_assert!(
            crate::lint::explain(rule).is_some(),
            "rule {rule} has no documentation (lint::rule_tables)"
        );
        Finding {
            severity,
            rule: rule.to_string(),
            resource: None,
            file: None,
            line: None,
            field: None,
            message: message.into(),
            condition: None,
            hint: None,
        }
    }
}

/// Builders for the optional parts, so a rule reads as one expression.
impl Finding {
    pub fn at(mut self, file: &str, line: u64) -> Self {
        self.file = Some(file.to_string());
        self.line = (line > 0).then_some(line);
        self
    }

    pub fn on(mut self, resource: Option<ResourceId>) -> Self {
        self.resource = resource;
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The condition a controller would set, predicted offline.
    pub fn condition(mut self, type_: &str, status: &str, reason: &str) -> Self {
        self.condition = Some(Condition::new(type_, status, reason));
        self
    }
}

impl Finding {
    /// The finding for a person: `severity[rule] resource field: message`, then the predicted
    /// condition and the hint on lines of their own (each line ends with a newline). `color`
    /// adds ANSI styles (the caller decides: a terminal, `NO_COLOR`).
    pub fn human(&self, color: bool) -> String {
        use console::Style;
        let style = |s: Style| s.force_styling(color);
        let severity_style = match self.severity {
            Severity::Error => style(Style::new().red().bold()),
            Severity::Warning => style(Style::new().yellow().bold()),
            Severity::Note => style(Style::new().cyan()),
        };
        let dim = style(Style::new().dim());
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let mut subject: Vec<String> = self.resource.iter().map(ToString::to_string).collect();
        subject.extend(self.field.clone());
        let subject = match subject.join(" ") {
            none if none.is_empty() => String::new(),
            s => format!(" {}", style(Style::new().bold()).apply_to(s)),
        };
        let severity = severity_style.apply_to(format!("{word}[{}]", self.rule));
        let mut out = format!("{severity}{subject}: {}\n", self.message);
        if let Some(c) = &self.condition {
            let predicted = format!("predicted: {}={} ({})", c.type_, c.status, c.reason);
            out += &format!("  {}\n", dim.apply_to(predicted));
        }
        if let Some(hint) = &self.hint {
            out += &format!("  {} {hint}\n", dim.apply_to("hint:"));
        }
        out
    }
}
