//! The `advanced` question: header and query matches, a traffic split, a mirror, rewrites, a
//! redirect and request header changes for the first rule, then more rules of matches and
//! backends. Only what flags can say is offered, so the equivalent command always exists.

use super::questions::*;
use super::WizardError;
use crate::request::*;

/// Whether the first rule does more than match a path: then the advanced steps were given.
pub fn has_more_rules(r: &Request) -> bool {
    let Some(rule) = first_rule(r) else {
        return r.routes.len() > 1;
    };
    let paths_only = RuleRequest {
        matches: rule
            .matches
            .iter()
            .map(|m| MatchRequest {
                path: m.path.clone(),
                ..MatchRequest::default()
            })
            .collect(),
        ..RuleRequest::default()
    };
    r.routes.len() > 1 || r.routes[0].rules.len() > 1 || *rule != paths_only
}

/// What matching requests do, for the advanced steps.
const OUTCOMES: [&str; 3] = [
    "forwarded to the service",
    "split between backends by weight",
    "redirected",
];

/// `advanced`: the steps of this module behind one confirm (default no). What matching requests
/// do is one choice, because a redirect excludes backends, a mirror and a rewrite.
pub fn advanced(s: &mut Session) -> Result<(), WizardError> {
    if !s.prompter.confirm("Add more routing rules?", false)? {
        return Ok(());
    }
    let pairs = "NAME=VALUE, comma-separated; empty: none";
    let prompt = format!("Match headers ({pairs})");
    s.answer(&prompt, None, true, &format!("{MATCH}.headers"), |r, a| {
        match_mut(r).headers = exact_matches(a)?;
        Ok(())
    })?;
    let prompt = format!("Match query parameters ({pairs})");
    s.answer(
        &prompt,
        None,
        true,
        &format!("{MATCH}.queryParams"),
        |r, a| {
            match_mut(r).query_params = exact_matches(a)?;
            Ok(())
        },
    )?;
    let outcomes: Vec<String> = OUTCOMES.iter().map(|o| o.to_string()).collect();
    match s.prompter.select("Matching requests are", &outcomes, 0)? {
        0 => forward(s, false)?,
        1 => forward(s, true)?,
        _ => redirect(s)?,
    }
    let headers = format!("{RULE}.requestHeaders");
    let prompt = format!("Set request headers ({pairs})");
    s.answer(&prompt, None, true, &headers, |r, a| {
        rule_mut(r).request_headers.get_or_insert_default().set = name_values(a)?;
        Ok(())
    })?;
    let prompt = "Remove request headers (names, comma-separated; empty: none)";
    s.answer(prompt, None, true, &headers, |r, a| {
        rule_mut(r).request_headers.get_or_insert_default().remove = items(a);
        Ok(())
    })?;
    tidy(rule_mut(&mut s.request));
    more_rules(s)
}

/// `Add another rule?`, for as many rules as wanted, each after the ones before. They take the
/// `--rule` form (matches and backends), and only after a first rule of that form too, so that
/// the equivalent command can say every rule.
fn more_rules(s: &mut Session) -> Result<(), WizardError> {
    loop {
        let rules = &route_mut(&mut s.request).rules;
        if !rules.iter().all(RuleRequest::is_plain) {
            return Ok(());
        }
        let listed: Vec<String> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| describe(i, r))
            .collect();
        let term = s.prompter.term();
        term.write_line(&format!("Rules so far:\n{}", listed.join("\n")))
            .map_err(WizardError::Terminal)?;
        if !s.prompter.confirm("Add another rule?", false)? {
            return Ok(());
        }
        let n = rules.len();
        route_mut(&mut s.request).rules.push(RuleRequest {
            matches: vec![MatchRequest::default()],
            ..RuleRequest::default()
        });
        let at = format!("routes[0].rules[{n}]");
        let matches = format!("{at}.matches");
        // Each answer sets one part of the rule's match.
        let parts: [(&str, SetMatch); 3] = [
            ("path prefix (empty: /)", |m, a| {
                m.path = some(a).map(|value| PathMatchRequest {
                    type_: PathType::PathPrefix,
                    value,
                });
                Ok(())
            }),
            (
                "match headers (NAME=VALUE, comma-separated; empty: none)",
                |m, a| {
                    m.headers = exact_matches(a)?;
                    Ok(())
                },
            ),
            ("method (empty: any)", |m, a| {
                m.method = some(a);
                Ok(())
            }),
        ];
        for (what, set) in parts {
            let prompt = format!("Rule {n}: {what}");
            s.answer(&prompt, None, true, &matches, move |r, a| {
                set(&mut nth(r, n).matches[0], a)
            })?;
        }
        let prompt =
            format!("Rule {n}: backends ([NAMESPACE/]NAME:PORT[=WEIGHT], comma-separated)");
        s.answer(
            &prompt,
            None,
            false,
            &format!("{at}.backends"),
            move |r, a| {
                nth(r, n).backends = items(a)
                    .iter()
                    .map(|b| parse_backend(b))
                    .collect::<Result<_, _>>()?;
                Ok(())
            },
        )?;
        tidy(nth(&mut s.request, n));
    }
}

/// Puts an answer into one part of a match.
type SetMatch = fn(&mut MatchRequest, &str) -> Result<(), String>;

fn nth(r: &mut Request, n: usize) -> &mut RuleRequest {
    &mut route_mut(r).rules[n]
}

/// One line of the rules-so-far list.
fn describe(i: usize, r: &RuleRequest) -> String {
    let mut matches = Vec::new();
    for m in &r.matches {
        if let Some(p) = &m.path {
            matches.push(format!("path {}", p.value));
        }
        for h in &m.headers {
            matches.push(format!("header {}={}", h.name, h.value));
        }
        for q in &m.query_params {
            matches.push(format!("query {}={}", q.name, q.value));
        }
        if let Some(method) = &m.method {
            matches.push(format!("method {method}"));
        }
    }
    let to: Vec<String> = r
        .backends
        .iter()
        .map(|b| match b.weight {
            Some(w) => format!("{} ({w})", b.name),
            None => b.name.clone(),
        })
        .collect();
    format!(
        "  {i}. {} -> {}",
        if matches.is_empty() {
            "everything".to_string()
        } else {
            matches.join(", ")
        },
        if to.is_empty() {
            "the service".to_string()
        } else {
            to.join(", ")
        }
    )
}

/// Drops the empty parts the steps above leave when an answer is empty, which flags would not
/// produce: an empty match would no longer match every path, and the equivalent command must give
/// the same request.
fn tidy(rule: &mut RuleRequest) {
    rule.matches.retain(|m| *m != MatchRequest::default());
    if rule.request_headers.as_ref() == Some(&HeaderChanges::default()) {
        rule.request_headers = None;
    }
}

/// Forwarding: the backends (with weights when `split`), a mirror, and rewrites.
fn forward(s: &mut Session, split: bool) -> Result<(), WizardError> {
    let rule = rule_mut(&mut s.request);
    rule.redirect = None;
    rule.backends.clear();
    if split {
        // A canary beside the service, where the service is.
        let r = &s.request;
        let ns = r.service_namespace.as_ref().map(|ns| format!("{ns}/"));
        let service = format!(
            "{}{}",
            ns.unwrap_or_default(),
            r.service.as_deref().unwrap_or_default()
        );
        let port = r.port.unwrap_or_default();
        let default = format!("{service}:{port}=90, {service}-canary:{port}=10");
        let prompt = "Backends ([NAMESPACE/]NAME:PORT=WEIGHT, comma-separated)";
        let field = format!("{RULE}.backends");
        s.answer(prompt, Some(default), false, &field, |r, a| {
            rule_mut(r).backends = items(a)
                .iter()
                .map(|b| parse_backend(b))
                .collect::<Result<_, _>>()?;
            Ok(())
        })?;
    }
    let field = format!("{RULE}.mirror");
    let prompt = "Mirror a copy of each request to ([NAMESPACE/]NAME:PORT; empty: none)";
    s.answer(prompt, None, true, &field, |r, a| {
        rule_mut(r).mirror = some(a)
            .map(|m| parse_backend(&m))
            .into_iter()
            .collect::<Result<_, _>>()?;
        Ok(())
    })?;
    let field = format!("{RULE}.rewrite");
    let prompt = "Rewrite the path prefix to (empty: keep)";
    s.answer(prompt, None, true, &field, |r, a| {
        set_rewrite(r, |rw| rw.prefix = some(a));
        Ok(())
    })?;
    let prompt = "Rewrite the Host header to (empty: keep)";
    s.answer(prompt, None, true, &field, |r, a| {
        set_rewrite(r, |rw| rw.hostname = some(a));
        Ok(())
    })
}

/// Changes the first rule's rewrite with `change`; a rewrite that changes nothing is dropped.
fn set_rewrite(r: &mut Request, change: impl FnOnce(&mut RewriteRequest)) {
    let rule = rule_mut(r);
    let mut rewrite = rule.rewrite.take().unwrap_or_default();
    change(&mut rewrite);
    rule.rewrite = (rewrite != RewriteRequest::default()).then_some(rewrite);
}

/// Redirecting: scheme, hostname and status code of the redirect.
fn redirect(s: &mut Session) -> Result<(), WizardError> {
    let rule = rule_mut(&mut s.request);
    rule.backends.clear();
    rule.mirror.clear();
    rule.rewrite = None;
    let redirect = rule.redirect.insert(RedirectRequest::default());
    redirect.status_code = Some(302);
    let field = format!("{RULE}.redirect");
    let prompt = "Redirect to scheme (http or https; empty: keep)";
    s.answer(prompt, None, true, &field, |r, a| {
        redirect_mut(r).scheme = some(a);
        Ok(())
    })?;
    let prompt = "Redirect to hostname (empty: keep)";
    s.answer(prompt, None, true, &field, |r, a| {
        redirect_mut(r).hostname = some(a);
        Ok(())
    })?;
    let prompt = "Redirect status code (301 permanent, 302 temporary)";
    s.answer(prompt, Some("302".into()), false, &field, |r, a| {
        let code = a
            .trim()
            .parse()
            .map_err(|_| format!("'{a}' is not a status code (e.g. 301)"))?;
        redirect_mut(r).status_code = Some(code);
        Ok(())
    })
}

fn redirect_mut(r: &mut Request) -> &mut RedirectRequest {
    rule_mut(r).redirect.get_or_insert_default()
}

fn exact_matches(answer: &str) -> Result<Vec<ValueMatchRequest>, String> {
    let pairs = name_values(answer)?;
    Ok(pairs
        .into_iter()
        .map(|nv| ValueMatchRequest {
            name: nv.name,
            value: nv.value,
            type_: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_match_alone_is_not_an_advanced_rule() {
        let mut r = Request::default();
        match_mut(&mut r).path = Some(PathMatchRequest {
            type_: PathType::PathPrefix,
            value: "/api".into(),
        });
        assert!(!has_more_rules(&r));
        match_mut(&mut r).method = Some("GET".into());
        assert!(has_more_rules(&r));
    }
}
