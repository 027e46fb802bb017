//! A YAML document as a small tree that remembers the line of every field.
//!
//! Rules need both the value and where it was written. Documents in the plain block subset that
//! manifests are written in are read by the fast reader of [`super::block`]; every other document
//! is read in one pass with serde-saphyr's `Spanned` (with the options of [`crate::yaml`]) through
//! the `Deserialize` impls below, which are also the reference the fast reader is tested against.
//! A map entry carries the line of its *key*: for `backendRefs:` followed by a block list, the
//! finding points at `backendRefs:`, not at the first item.

mod deserializer;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// One YAML node with its 1-based line (0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u64,
    pub value: Value,
}

/// The text of a key or string: a manifest's keys and most of its values are short, and kept
/// inline (up to 24 bytes) they cost no allocation to read and none to free.
pub type Text = compact_str::CompactString;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Text),
    Seq(Vec<Node>),
    /// Entries in document order; duplicate keys are rejected by the parser.
    Map(Vec<(Text, Node)>),
}

impl Node {
    /// The plain JSON value, for checks written over untyped documents.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => J::from(*f),
            Value::Str(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The value of `key` when this node is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The line of `key`, or of this node when the key is absent (where it should be added).
    pub fn line_of(&self, key: &str) -> u64 {
        self.get(key).map_or(self.line, |n| n.line)
    }

    /// A string at `key`; `None` when absent or not a string.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The items of a sequence; an empty slice for anything else (type errors are reported separately).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The items of the sequence at `key`, empty when absent.
    pub fn items_at(&self, key: &str) -> &[Node] {
        self.get(key).map_or(&[], Node::items)
    }

    pub fn entries(&self) -> &[(Text, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Whether this is a null. Rules ask it of every node; comparing with `Value::Null` called
    /// the derived `PartialEq` out of line each time.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Whether `key` is present with a value other than null (what CEL's `has()` sees).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some_and(|n| !n.is_null())
    }

    /// The YAML type name, for "must be a string, not a list" messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            line: spanned.referenced.line(),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// A map key of any scalar type, kept as text (Kubernetes keys are strings; `80: x` reads as "80").
struct Key(Text);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Str(s) => Ok(Key(s)),
            Value::Int(i) => Ok(Key(i.to_string().into())),
            Value::Bool(b) => Ok(Key(b.to_string().into())),
            Value::Float(f) => Ok(Key(f.to_string().into())),
            Value::Null => Ok(Key("null".into())),
            Value::Seq(_) | Value::Map(_) => Err(de::Error::custom("a map key must be a scalar")),
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        // Numbers beyond i64 are out of every range the API has; keep them as floats.
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.into()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v.into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            // The value takes the key's line, so it needs no span of its own (spans are costly).
            let value: Value = map.next_value()?;
            let line = key.referenced.line();
            entries.push((key.value.0, Node { line, value }));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        crate::yaml::from_str_full(text).unwrap()
    }

    #[test]
    fn lines_point_at_keys() {
        let n = parse("a: 1\nb:\n  - x: on\n    y: 0755\n  - 2\n");
        assert_eq!(n.get("a").unwrap().line, 1);
        let b = n.get("b").unwrap();
        assert_eq!(b.line, 2);
        assert_eq!(b.items()[0].get("y").unwrap().line, 4);
        assert_eq!(b.items()[1].line, 5);
        // strict booleans and leading zeros as strings come from crate::yaml's options
        assert_eq!(b.items()[0].str_at("x"), Some("on"));
        assert_eq!(b.items()[0].str_at("y"), Some("0755"));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        assert!(crate::yaml::from_str_full::<Node>("a: 1\na: 2\n").is_err());
    }
}
