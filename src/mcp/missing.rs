//! Values a request lacks (the plan's `FieldError`s with `is_missing()`), turned into questions for
//! the user. An assistant must not guess a deployment context or a Gateway name: when the client
//! can show a form (MCP elicitation), the server asks the user directly; otherwise the tool result
//! lists each missing value with the question the assistant should ask.

use rmcp::model::{
    ClientResult, ElicitRequest, ElicitRequestParams, ElicitationAction, ElicitationSchema,
    EnumSchema, ServerRequest,
};
use rmcp::{Peer, RoleServer};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::context::Profiles;
use crate::request::{FieldError, Request};

/// One value the user has to give.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MissingValue {
    /// Path in the request, e.g. `context` or `gateway.name`.
    pub field: String,
    /// The question to ask the user, in plain words.
    pub question: String,
    /// The allowed answers, when there is a fixed list (the deployment contexts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// `string` or `integer` when a single answer fills the field; absent when the field is a
    /// list or map (the request has to be edited instead, e.g. namespace labels).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

/// The missing values among `errors`, each with its question.
pub fn questions(errors: &[FieldError], profiles: &Profiles) -> Vec<MissingValue> {
    let schema = serde_json::to_value(schemars::schema_for!(Request)).expect("a schema serializes");
    errors
        .iter()
        .filter(|e| e.is_missing())
        .map(|e| {
            let field_schema = lookup(&schema, &e.field);
            let description = field_schema
                .and_then(|s| s.get("description"))
                .and_then(Value::as_str)
                .map(|d| format!(" ({})", d.replace('\n', " ")))
                .unwrap_or_default();
            let (question, choices) = if e.field == "context" {
                let list: Vec<String> = profiles
                    .iter()
                    .map(|p| format!("{} ({})", p.name, p.summary))
                    .collect();
                (
                    format!("Which deployment context? one of {}", list.join(", ")),
                    profiles.names().into_iter().map(String::from).collect(),
                )
            } else {
                (
                    format!("What is `{}`{description}? It {}.", e.field, e.message),
                    Vec::new(),
                )
            };
            MissingValue {
                field: e.field.clone(),
                question,
                choices,
                type_: field_schema.and_then(scalar_type).map(String::from),
            }
        })
        .collect()
}

/// The schema of the field at a dotted `path` of the request, `None` for paths into lists
/// (`routes[0]…`), which a single form answer cannot fill.
fn lookup<'s>(root: &'s Value, path: &str) -> Option<&'s Value> {
    let mut node = root;
    for key in path.split('.') {
        node = deref(root, node)?.get("properties")?.get(key)?;
    }
    Some(node)
}

/// Follows a `$ref` into `$defs` (schemars puts every named type there).
fn deref<'s>(root: &'s Value, node: &'s Value) -> Option<&'s Value> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => root.get("$defs")?.get(reference.strip_prefix("#/$defs/")?),
        None => Some(node),
    }
}

/// `string` or `integer` for an optional scalar (`"type": ["string", "null"]`), else `None`.
fn scalar_type(schema: &Value) -> Option<&str> {
    let types = schema.get("type")?.as_array()?;
    types
        .iter()
        .filter_map(Value::as_str)
        .find(|t| *t != "null")
        .filter(|t| matches!(*t, "string" | "integer"))
}

/// Asks the user for every missing value with one elicitation form, when the client declared the
/// capability and every value is a single answer. `None` when it cannot ask or the user did not
/// answer: the caller then returns the questions to the assistant.
pub async fn elicit(
    peer: &Peer<RoleServer>,
    missing: &[MissingValue],
) -> Option<Map<String, Value>> {
    let capable = peer
        .peer_info()
        .is_some_and(|info| info.capabilities.elicitation.is_some());
    if !capable || missing.is_empty() || missing.iter().any(|m| m.type_.is_none()) {
        return None;
    }
    let mut form = ElicitationSchema::builder();
    for m in missing {
        form = if m.choices.is_empty() {
            let question = m.question.clone();
            match m.type_.as_deref() {
                Some("integer") => {
                    form.required_integer_with(&m.field, |s| s.description(question))
                }
                _ => form.required_string_with(&m.field, |s| s.description(question)),
            }
        } else {
            let choices = EnumSchema::builder(m.choices.clone())
                .description(m.question.clone())
                .build();
            form.required_enum_schema(&m.field, choices)
        };
    }
    let params = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: "traffic-engineer needs these values to generate the manifests.".to_string(),
        requested_schema: form.build().ok()?,
    };
    // Errors (e.g. a protocol version that forbids server-to-client requests) mean "cannot ask".
    match peer
        .send_request(ServerRequest::ElicitRequest(ElicitRequest::new(params)))
        .await
    {
        Ok(ClientResult::ElicitResult(result)) if result.action == ElicitationAction::Accept => {
            result.content?.as_object().cloned()
        }
        Ok(_) => None,
        Err(e) => {
            eprintln!("traffic-engineer mcp: elicitation failed: {e}");
            None
        }
    }
}

/// `request` with the answers (keyed by dotted field path) filled in. The result goes through
/// the same serde types as any request, so an answer of the wrong shape is an error like any other.
pub fn fill(request: &Request, answers: &Map<String, Value>) -> Result<Request, serde_json::Error> {
    let mut value = serde_json::to_value(request)?;
    for (path, answer) in answers {
        let mut node = &mut value;
        for key in path.split('.') {
            node = node
                .as_object_mut()
                .map(|o| o.entry(key).or_insert_with(|| Value::Object(Map::new())))
                .ok_or_else(|| {
                    serde::de::Error::custom(format!("{path} is not an object field"))
                })?;
        }
        *node = answer.clone();
    }
    serde_json::from_value(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn questions_name_the_contexts_and_the_field_types() {
        let profiles = Profiles::built_in();
        let errors = [
            FieldError::missing("context", "is required: x", "hint"),
            FieldError::missing("gateway.name", "is required for context shared-gateway", ""),
            FieldError::missing("port", "is required for context single-dev", ""),
            FieldError::missing("routes[0].name", "is required when no service is given", ""),
            FieldError::new("service", "Web", "must be a DNS label", ""),
        ];
        let q = questions(&errors, &profiles);
        assert_eq!(q.len(), 4, "only missing values: {q:?}");
        assert!(q[0]
            .question
            .starts_with("Which deployment context? one of single-dev ("));
        assert_eq!(q[0].choices.len(), 4);
        assert_eq!(q[1].type_.as_deref(), Some("string"));
        assert!(q[1].question.contains("Gateway name"), "{}", q[1].question);
        assert_eq!(q[2].type_.as_deref(), Some("integer"));
        assert_eq!(q[3].type_, None);
    }

    #[test]
    fn answers_fill_nested_fields_and_keep_the_rest() {
        let request = Request {
            service: Some("web".into()),
            ..Request::default()
        };
        let answers = json!({"context": "shared-gateway", "gateway.name": "shared", "port": 80});
        let filled = fill(&request, answers.as_object().unwrap()).unwrap();
        assert_eq!(filled.context.as_deref(), Some("shared-gateway"));
        assert_eq!(filled.gateway.name.as_deref(), Some("shared"));
        assert_eq!(filled.port, Some(80));
        assert_eq!(filled.service.as_deref(), Some("web"));

        let wrong = json!({"port": "eighty"});
        assert!(fill(&request, wrong.as_object().unwrap()).is_err());
    }
}
