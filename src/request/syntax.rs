//! The short text forms flags and wizard answers use: `[NS/]NAME:PORT[=WEIGHT]`, `NAME=VALUE`,
//! `[NS/]NAME`. Parsing only splits; the values are checked with everything else in `check`.

use super::{BackendRequest, NameValue};

/// `[NAMESPACE/]NAME:PORT[=WEIGHT]`, e.g. `databases/postgres:5432` or `task-api-canary:8000=10`.
pub fn parse_backend(text: &str) -> Result<BackendRequest, String> {
    let usage =
        || format!("'{text}' is not [NAMESPACE/]NAME:PORT[=WEIGHT] (e.g. task-api:8000=90)");
    let (target, weight) = match text.split_once('=') {
        Some((t, w)) => (t, Some(w.trim().parse::<i64>().map_err(|_| usage())?)),
        None => (text, None),
    };
    let (reference, port) = target.rsplit_once(':').ok_or_else(usage)?;
    let port = port.trim().parse::<i64>().map_err(|_| usage())?;
    let (namespace, name) = parse_ref(reference);
    if name.is_empty() {
        return Err(usage());
    }
    Ok(BackendRequest {
        name,
        namespace,
        port: Some(port),
        weight,
    })
}

/// `NAME=VALUE`, split at the first `=` (values may contain `=`).
pub fn parse_name_value(text: &str) -> Result<NameValue, String> {
    match text.split_once('=') {
        Some((name, value)) => Ok(NameValue {
            name: name.to_string(),
            value: value.to_string(),
        }),
        None => Err(format!("'{text}' is not NAME=VALUE (e.g. X-API-Version=2)")),
    }
}

/// `[NAMESPACE/]NAME` into its parts.
pub fn parse_ref(text: &str) -> (Option<String>, String) {
    match text.split_once('/') {
        Some((ns, name)) => (Some(ns.to_string()), name.to_string()),
        None => (None, text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends() {
        let b = parse_backend("databases/postgres:5432=10").unwrap();
        assert_eq!(b.namespace.as_deref(), Some("databases"));
        assert_eq!(b.name, "postgres");
        assert_eq!(b.port, Some(5432));
        assert_eq!(b.weight, Some(10));
        let b = parse_backend("task-api:8000").unwrap();
        assert_eq!((b.namespace, b.weight), (None, None));
        assert!(parse_backend("task-api").is_err());
        assert!(parse_backend(":80").is_err());
        assert!(parse_backend("a:eighty").is_err());
    }

    #[test]
    fn name_values() {
        let nv = parse_name_value("X-Token=a=b").unwrap();
        assert_eq!((nv.name.as_str(), nv.value.as_str()), ("X-Token", "a=b"));
        assert!(parse_name_value("novalue").is_err());
    }
}
