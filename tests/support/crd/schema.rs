//! The Kubernetes structural schema: its translation to JSON Schema, defaulting, list types, and
//! walking it alongside a document.

use serde_json::{json, Map, Value};

/// `schema` as a JSON Schema (draft 4, which OpenAPI v3 schemas follow) with the Kubernetes
/// extensions translated: `x-kubernetes-*` keys dropped, int-or-string spelled out, and unknown
/// fields forbidden wherever the schema lists `properties` and does not preserve unknown fields.
pub fn to_json_schema(schema: &Value) -> Value {
    translate(schema, true)
}

/// `structural` is false inside `anyOf`/`oneOf`/`allOf`/`not`: there `properties` only constrain
/// the values of fields the structural part declares, and must not forbid the other fields.
fn translate(schema: &Value, structural: bool) -> Value {
    let Value::Object(node) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in node {
        let translated = match key.as_str() {
            k if k.starts_with("x-kubernetes-") => continue,
            // Only noise in error messages.
            "description" => continue,
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, property)| (name.clone(), translate(property, structural)))
                    .collect(),
            ),
            "items" | "additionalProperties" => translate(value, structural),
            "not" => translate(value, false),
            "anyOf" | "oneOf" | "allOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|branch| translate(branch, false))
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), translated);
    }
    if node.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        out.insert("type".into(), json!(["integer", "string"]));
    }
    let preserves_unknown = node.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true));
    if structural
        && node.contains_key("properties")
        && !node.contains_key("additionalProperties")
        && !preserves_unknown
    {
        // The API server would prune such fields silently; for a generator they are a bug.
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

/// Sets the schema `default` of every absent property of every present object, recursively
/// (into defaulted values too), as the API server does before validating.
pub fn apply_defaults(schema: &Value, doc: &mut Value) {
    match doc {
        Value::Object(fields) => {
            if let Some(properties) = schema["properties"].as_object() {
                // Nulls of non-nullable fields are pruned before defaulting, as the API server does.
                fields.retain(|name, value| {
                    !value.is_null() || properties.get(name).is_none_or(|p| p["nullable"] == true)
                });
                for (name, property) in properties {
                    if let (false, Some(default)) =
                        (fields.contains_key(name), property.get("default"))
                    {
                        fields.insert(name.clone(), default.clone());
                    }
                    if let Some(field) = fields.get_mut(name) {
                        apply_defaults(property, field);
                    }
                }
            }
            if let Some(additional) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                fields
                    .values_mut()
                    .for_each(|value| apply_defaults(additional, value));
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                items
                    .iter_mut()
                    .for_each(|item| apply_defaults(item_schema, item));
            }
        }
        _ => {}
    }
}

/// Calls `f` with every schema node, the document value at it and its field path
/// (`spec.rules[0].matches`, empty for the root), for the values present in the document.
pub fn visit<'a>(
    schema: &'a Value,
    doc: &'a Value,
    path: &str,
    f: &mut dyn FnMut(&'a Value, &'a Value, &str),
) {
    f(schema, doc, path);
    match doc {
        Value::Object(fields) => {
            for (name, value) in fields {
                if let Some(property) = schema["properties"].get(name) {
                    let child = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    visit(property, value, &child, f);
                } else if let Some(additional) =
                    schema.get("additionalProperties").filter(|s| s.is_object())
                {
                    visit(additional, value, &format!("{path}[{name}]"), f);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    visit(item_schema, item, &format!("{path}[{index}]"), f);
                }
            }
        }
        _ => {}
    }
}

/// The uniqueness the API server enforces for `x-kubernetes-list-type: map` (by the
/// `x-kubernetes-list-map-keys`) and `set` (whole items) lists.
pub fn list_type_errors(schema: &Value, doc: &Value, path: &str) -> Vec<String> {
    let Some(items) = doc.as_array() else {
        return Vec::new();
    };
    let identity = |item: &Value| -> Value {
        match schema["x-kubernetes-list-map-keys"].as_array() {
            Some(keys) => keys
                .iter()
                .map(|key| {
                    item.get(key.as_str().unwrap_or_default())
                        .cloned()
                        .unwrap_or(Value::Null)
                })
                .collect(),
            None => item.clone(),
        }
    };
    match schema["x-kubernetes-list-type"].as_str() {
        Some("map" | "set") => {}
        _ => return Vec::new(),
    }
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let id = identity(item);
        if seen.contains(&id) {
            errors.push(format!("{path}[{index}]: Duplicate value: {id}"));
        }
        seen.push(id);
    }
    errors
}
