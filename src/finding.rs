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
