//! Single-field mutations of the upstream examples, for property tests that compare a verdict on
//! each mutated document with the CRD oracle ([`super::crd`]).

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;

use super::crd::gateway_api_dir;
use super::{read, yaml_files};

/// The Gateway API documents of the upstream examples, as JSON values labelled with their file.
pub fn example_documents() -> &'static [(String, Value)] {
    static DOCS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let Some(dir) = gateway_api_dir() else {
            return Vec::new();
        };
        yaml_files(&dir.join("examples"))
            .iter()
            .flat_map(|path| {
                let docs: Vec<Value> =
                    traffic_engineer::yaml::from_str_multiple(&read(path)).unwrap();
                let label = path.display().to_string();
                docs.into_iter()
                    .filter(|d| {
                        d["apiVersion"]
                            .as_str()
                            .is_some_and(|v| v.starts_with("gateway.networking."))
                    })
                    .map(move |d| (label.clone(), d))
            })
            .collect()
    })
}

/// `pointer` and every path to a value below it in `value`, as JSON pointers.
pub fn pointers(value: &Value, pointer: String, out: &mut Vec<String>) {
    out.push(pointer.clone());
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                pointers(
                    child,
                    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Replacement values (JSON) of both comparisons with the oracle.
pub const REPLACEMENTS: &[&str] = &[
    "\"\"",
    "\"Bad_Value!\"",
    "\"x.example.com\"",
    "-1",
    "70000",
    "0",
    "true",
    "[]",
    "{}",
    "null",
    "\"HTTP\"",
    "\"PathPrefix\"",
    "\"/\"",
];

#[derive(Debug, Clone)]
pub enum Mutation {
    Delete,
    /// Replace the value with one of the caller's replacements, by index.
    Replace(usize),
    AddUnknownSibling,
    DuplicateItem,
    LongString,
    /// Make the list holding the item this many copies of it (list limits).
    Repeat(usize),
    /// Put the value into a list of one (a list where one value belongs).
    WrapInList,
    /// Set a field of the object holding the value to one of the caller's fields, by index
    /// (the rules that tie fields together).
    SetField(usize),
}

/// What mutations may set: whole values, and named fields with their values.
pub struct Values<'a> {
    pub replacements: &'a [Value],
    pub fields: &'a [(&'a str, Value)],
}

/// JSON texts as values.
pub fn parse_all(texts: &[&str]) -> Vec<Value> {
    texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect()
}

/// `doc` with one change at `pointer`, or `None` when the mutation does not apply there.
pub fn mutate(doc: &Value, pointer: &str, mutation: &Mutation, values: &Values) -> Option<Value> {
    let mut doc = doc.clone();
    let (parent, last) = pointer.rsplit_once('/')?;
    match mutation {
        Mutation::Delete => match doc.pointer_mut(parent)? {
            Value::Object(fields) => {
                fields.shift_remove(&last.replace("~1", "/").replace("~0", "~"))?;
            }
            Value::Array(items) => {
                let i: usize = last.parse().ok()?;
                items.remove(i);
            }
            _ => return None,
        },
        Mutation::Replace(i) => {
            let replacements = values.replacements;
            *doc.pointer_mut(pointer)? = replacements[i % replacements.len()].clone()
        }
        Mutation::AddUnknownSibling => match doc.pointer_mut(parent)? {
            Value::Object(fields) => {
                fields.insert("unknownField".into(), Value::from(1));
            }
            _ => return None,
        },
        Mutation::DuplicateItem => match doc.pointer_mut(parent)? {
            Value::Array(items) => {
                let i: usize = last.parse().ok()?;
                let item = items[i].clone();
                items.push(item);
            }
            _ => return None,
        },
        Mutation::LongString => match doc.pointer_mut(pointer)? {
            Value::String(s) => *s = format!("{s}{}", "a".repeat(300)),
            _ => return None,
        },
        Mutation::Repeat(n) => match doc.pointer_mut(parent)? {
            Value::Array(items) => {
                let i: usize = last.parse().ok()?;
                *items = vec![items[i].clone(); *n];
            }
            _ => return None,
        },
        Mutation::WrapInList => {
            let value = doc.pointer_mut(pointer)?;
            *value = Value::Array(vec![value.take()]);
        }
        Mutation::SetField(i) => {
            let fields = values.fields;
            if fields.is_empty() {
                return None;
            }
            let (key, value) = &fields[i % fields.len()];
            match doc.pointer_mut(pointer)? {
                Value::Object(object) => {
                    object.insert(key.to_string(), value.clone());
                }
                _ => return None,
            }
        }
    }
    Some(doc)
}

/// The mutations of the `--crds` comparison.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Delete),
        4 => any::<usize>().prop_map(Mutation::Replace),
        1 => Just(Mutation::AddUnknownSibling),
        1 => Just(Mutation::DuplicateItem),
        1 => Just(Mutation::LongString),
    ]
}

/// List lengths [`Mutation::Repeat`] tries: just past each list limit of the CRDs.
pub const REPEATS: [usize; 9] = [2, 6, 9, 10, 17, 33, 65, 129, 1025];

/// Every mutation, with list limits, wrapping and the setting of related fields.
pub fn any_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        9 => mutation(),
        1 => (0..REPEATS.len()).prop_map(|i| Mutation::Repeat(REPEATS[i])),
        1 => Just(Mutation::WrapInList),
        3 => any::<usize>().prop_map(Mutation::SetField),
    ]
}
