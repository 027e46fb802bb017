//! Reading and writing YAML with serde-saphyr, set up the way Kubernetes reads manifests.
//!
//! Untyped reads use YAML 1.2 booleans only (`yes`, `on`, `NO` stay strings, as kubectl's JSON
//! conversion would not turn them into booleans either for quoted output) and keep numbers with
//! leading zeros as strings, so `0755` is never silently read as 755 or 493.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A YAML syntax or type error, with the line it was found on (1-based, 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} column {column}: {message}")]
pub struct YamlError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl From<serde_saphyr::Error> for YamlError {
    fn from(err: serde_saphyr::Error) -> Self {
        let (line, column) = err.location().map_or((0, 0), |l| (l.line(), l.column()));
        // The Display form starts with "error: line L column C: " and may carry a snippet of the
        // source after the first line; keep only the message itself.
        let text = err.to_string();
        let first = text.lines().next().unwrap_or_default();
        let first = first.strip_prefix("error: ").unwrap_or(first);
        let message = match first.split_once(": ") {
            Some((location, rest)) if location.starts_with("line ") => rest,
            _ => first,
        };
        YamlError {
            line,
            column,
            message: message.to_string(),
        }
    }
}

pub(crate) fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
    }
}

/// Every non-empty document of a YAML stream, as `T`.
///
/// Documents in the plain block subset are read by the fast reader ([`crate::lint::block`]);
/// when any is not, or a value does not fit `T`, the whole stream is read by serde-saphyr, so
/// results and errors are serde-saphyr's.
pub fn from_str_multiple<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, YamlError> {
    let fast = || {
        let mut out = Vec::new();
        for chunk in crate::lint::documents(text) {
            let node = crate::lint::block::read(chunk.text)?;
            if !node.is_null() {
                out.push(T::deserialize(&node).ok()?);
            }
        }
        Some(out)
    };
    match fast() {
        Some(values) => Ok(values),
        None => Ok(serde_saphyr::from_multiple_with_options(text, options())?),
    }
}

/// A single YAML (or JSON, which is YAML) document as `T`, by the fast reader when the document
/// is in its subset and the value fits `T`, else by serde-saphyr (see [`from_str_multiple`]).
/// Line-aware trees ([`crate::lint::node::Node`]) are read with [`from_str_full`].
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if let Some(node) = crate::lint::block::read(text) {
        if let Ok(value) = T::deserialize(&node) {
            return Ok(value);
        }
    }
    from_str_full(text)
}

/// A single document as `T`, always by serde-saphyr (the reference the fast reader is tested against).
pub fn from_str_full<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    Ok(serde_saphyr::from_str_with_options(text, options())?)
}

/// One document as YAML text. Strings that YAML would read as anything else are quoted.
pub fn to_string<T: Serialize>(value: &T) -> String {
    serde_saphyr::to_string(value).expect("serializing a serde value to YAML cannot fail")
}

/// A data directory (or a file in it) that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ReadError {
    pub path: String,
    pub source: std::io::Error,
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    #[test]
    fn ambiguous_strings_round_trip() {
        let v = json!({"a": ["on", "yes", "NO", "2", "0755", "1e3", "null", "~", "a: b # c", "x\nevil: 1", "", " lead", "-", "*x", "&y", "!t", "%p", "@a", "`b", "{c", "[d", "|", ">", "'", "\"", "true", "1_000", "0x1F", ".inf", "y", "n"], "n": 8000, "b": true, "x": {"y": []}});
        let text = super::to_string(&v);
        let back: Value = super::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    /// Unquoted YAML 1.1 booleans and leading-zero numbers are read as the strings they look like.
    #[test]
    fn untyped_reads_are_strict() {
        let v: Value = super::from_str("a: on\nb: yes\nc: 0755\nd: true\ne: 8000\n").unwrap();
        assert_eq!(
            v,
            json!({"a": "on", "b": "yes", "c": "0755", "d": true, "e": 8000})
        );
    }
}
