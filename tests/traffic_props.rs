//! Property: over random route sets and requests, the rule the traffic model picks is the one the
//! spec's precedence order puts first among every match that accepts the request. The oracle
//! below is written from the HTTPRoute `spec.rules` description alone, independently of the model.

use proptest::prelude::*;
use traffic_engineer::lint::{load_sources, LintOptions};
use traffic_engineer::traffic::{Outcome, Probe};

#[derive(Debug, Clone)]
struct Match {
    exact: bool,
    path: &'static str,
    method: Option<&'static str>,
    headers: Vec<&'static str>,
    query: Vec<&'static str>,
}

#[derive(Debug, Clone)]
struct Route {
    name: String,
    created: Option<&'static str>,
    rules: Vec<Vec<Match>>,
}

const PATHS: [&str; 4] = ["/", "/a", "/a/b", "/b"];
const HEADERS: [&str; 2] = ["x-a", "x-b"];

fn a_match() -> impl Strategy<Value = Match> {
    (
        any::<bool>(),
        prop::sample::select(&PATHS[..]),
        prop::option::of(prop::sample::select(&["GET", "POST"][..])),
        prop::sample::subsequence(&HEADERS[..], 0..=2),
        prop::sample::subsequence(&["q"][..], 0..=1),
    )
        .prop_map(|(exact, path, method, headers, query)| Match {
            exact,
            path,
            method,
            headers,
            query,
        })
}

fn routes() -> impl Strategy<Value = Vec<Route>> {
    prop::collection::vec(
        (
            prop::option::of(prop::sample::select(
                &["2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"][..],
            )),
            prop::collection::vec(prop::collection::vec(a_match(), 1..3), 1..4),
        ),
        1..5,
    )
    .prop_map(|list| {
        list.into_iter()
            .enumerate()
            // Unique names out of input order, so the name tie-break is exercised.
            .map(|(i, (created, rules))| Route {
                name: format!("r{}", (i * 7) % 5),
                created,
                rules,
            })
            .collect()
    })
}

fn yaml(routes: &[Route]) -> String {
    let mut out = String::from("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: app}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n");
    for r in routes {
        out.push_str(&format!(
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {}, namespace: app{}}}\nspec:\n  parentRefs: [{{name: gw}}]\n  rules:\n",
            r.name,
            r.created.map(|c| format!(", creationTimestamp: \"{c}\"")).unwrap_or_default()
        ));
        for (i, rule) in r.rules.iter().enumerate() {
            out.push_str("  - matches:\n");
            for m in rule {
                out.push_str(&format!(
                    "    - path: {{type: {}, value: \"{}\"}}\n",
                    if m.exact { "Exact" } else { "PathPrefix" },
                    m.path
                ));
                if let Some(method) = m.method {
                    out.push_str(&format!("      method: {method}\n"));
                }
                if !m.headers.is_empty() {
                    let h: Vec<String> = m
                        .headers
                        .iter()
                        .map(|h| format!("{{name: {h}, value: \"1\"}}"))
                        .collect();
                    out.push_str(&format!("      headers: [{}]\n", h.join(", ")));
                }
                if !m.query.is_empty() {
                    out.push_str("      queryParams: [{name: q, value: \"1\"}]\n");
                }
            }
            out.push_str(&format!(
                "    backendRefs: [{{name: {}-{i}, port: 80}}]\n",
                r.name
            ));
        }
    }
    out
}

/// Whether the match accepts the request, per the spec's match semantics.
fn accepts(m: &Match, path: &str, method: &str, headers: &[&str], query: bool) -> bool {
    let path_ok = if m.exact {
        path == m.path
    } else {
        m.path == "/" || path == m.path || path.starts_with(&format!("{}/", m.path))
    };
    path_ok
        && m.method.is_none_or(|x| x == method)
        && m.headers.iter().all(|h| headers.contains(h))
        && (m.query.is_empty() || query)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn the_winner_takes_precedence_over_every_other_match(
        routes in routes(),
        path in prop::sample::select(&["/", "/a", "/a/b", "/a/b/c", "/b", "/c", "/ab"][..]),
        method in prop::sample::select(&["GET", "POST"][..]),
        headers in prop::sample::subsequence(&HEADERS[..], 0..=2),
        query in any::<bool>(),
    ) {
        let text = yaml(&routes);
        let (report, model) = load_sources(&[("set.yaml", &text)], &LintOptions::default());
        prop_assert!(!report.has_errors(), "{:?}", report.findings);
        let header_args: Vec<String> = headers.iter().map(|h| format!("{h}: 1")).collect();
        let url = format!("http://www.example.com{path}{}", if query { "?q=1" } else { "" });
        let trace = model.trace(&Probe::new(&url, Some(method), &header_args).unwrap(), None).unwrap();

        // The oracle: every accepting match with its precedence key; the spec's order picks one.
        type Key<'a> = ((bool, usize, bool, usize, usize), (bool, Option<&'a str>), &'a str, usize);
        let mut best: Option<(Key, &Route, usize)> = None;
        for r in &routes {
            for (i, rule) in r.rules.iter().enumerate() {
                for m in rule.iter().filter(|m| accepts(m, path, method, &headers, query)) {
                    // Higher criteria win; then older (a missing timestamp last), name, rule.
                    let key: Key = (
                        (m.exact, m.path.len(), m.method.is_some(), m.headers.len(), m.query.len()),
                        (r.created.is_none(), r.created),
                        r.name.as_str(),
                        i,
                    );
                    let better = match &best {
                        None => true,
                        Some((b, _, _)) => {
                            key.0 > b.0 || (key.0 == b.0 && (&key.1, key.2, key.3) < (&b.1, b.2, b.3))
                        }
                    };
                    if better {
                        best = Some((key, r, i));
                    }
                }
            }
        }
        match best {
            None => prop_assert_eq!(trace.outcome, Outcome::NotFound),
            Some((_, r, i)) => {
                let want = format!("HTTPRoute/app/{}", r.name);
                prop_assert_eq!(trace.route.as_deref(), Some(want.as_str()), "{}", trace.text());
                prop_assert_eq!(trace.rule, Some(i), "{}", trace.text());
            }
        }
    }
}
