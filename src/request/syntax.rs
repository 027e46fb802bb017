//! The short text forms flags and wizard answers use: `[NS/]NAME:PORT[=WEIGHT]`, `NAME=VALUE`,
//! `[NS/]NAME`, a `--rule`. Parsing only splits; the values are checked with everything else in `check`.

use super::{
    BackendRequest, MatchRequest, NameValue, PathMatchRequest, PathType, RuleRequest,
    ValueMatchRequest,
};

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

/// A `--rule`: matches, then `->`, then backends, separated by spaces:
/// `prefix:/api header:X-API-Version=2 -> task-api-v2:8000`. Matches are `prefix:PATH`,
/// `exact:PATH`, `regex:RE`, `header:NAME=VALUE`, `query:NAME=VALUE` and `method:VERB`, all of
/// which a request must meet; backends are `[NAMESPACE/]NAME:PORT[=WEIGHT]` (none: the service).
pub fn parse_rule(text: &str) -> Result<RuleRequest, String> {
    let usage = |why: String| {
        format!("{why} in '{text}': write MATCHES -> BACKENDS, e.g. 'prefix:/api header:X-API-Version=2 -> task-api-v2:8000'")
    };
    let (matches, backends) = text
        .split_once("->")
        .ok_or_else(|| usage("no '->'".into()))?;
    let mut m = MatchRequest::default();
    let exact = |nv: &str| {
        parse_name_value(nv).map(|nv| ValueMatchRequest {
            name: nv.name,
            value: nv.value,
            type_: None,
        })
    };
    for token in matches.split_whitespace() {
        let (key, value) = token
            .split_once(':')
            .ok_or_else(|| usage(format!("'{token}' is not KIND:VALUE")))?;
        let path = |type_| {
            Some(PathMatchRequest {
                type_,
                value: value.to_string(),
            })
        };
        let once = |taken: bool| {
            if taken {
                Err(usage(format!("'{key}' is given twice")))
            } else {
                Ok(())
            }
        };
        match key {
            "prefix" | "exact" | "regex" => {
                once(m.path.is_some())?;
                m.path = match key {
                    "prefix" => path(PathType::PathPrefix),
                    "exact" => path(PathType::Exact),
                    _ => path(PathType::RegularExpression),
                };
            }
            "header" => m.headers.push(exact(value).map_err(usage)?),
            "query" => m.query_params.push(exact(value).map_err(usage)?),
            "method" => {
                once(m.method.is_some())?;
                m.method = Some(value.to_string());
            }
            other => {
                return Err(usage(format!(
                    "'{other}' is not prefix, exact, regex, header, query or method"
                )))
            }
        }
    }
    let backends = backends
        .split_whitespace()
        .map(parse_backend)
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    Ok(RuleRequest {
        matches: if m == MatchRequest::default() {
            Vec::new()
        } else {
            vec![m]
        },
        backends,
        ..RuleRequest::default()
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
