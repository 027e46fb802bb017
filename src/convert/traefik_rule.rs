//! Traefik's rule language (`Host(`a`) && (PathPrefix(`/api`) || Method(`GET`))`), read into
//! disjunctive normal form: each inner list is one way to match (`&&`), the outer list the `||`.

/// One matcher call, e.g. `PathPrefix(`/api`)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub name: String,
    pub args: Vec<String>,
}

/// Why a rule cannot be read, with the position in the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {at}: {why}")]
pub struct RuleError {
    pub at: usize,
    pub why: String,
}

/// `||` of `&&` of calls.
pub fn parse(rule: &str) -> Result<Vec<Vec<Call>>, RuleError> {
    let mut p = Parser { text: rule, at: 0 };
    let dnf = p.or()?;
    p.space();
    if p.at < rule.len() {
        return Err(p.error("unexpected text after the rule"));
    }
    Ok(dnf)
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn error(&self, why: &str) -> RuleError {
        RuleError {
            at: self.at,
            why: why.to_string(),
        }
    }

    fn space(&mut self) {
        while self.text[self.at..].starts_with(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.space();
        if self.text[self.at..].starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Vec<Vec<Call>>, RuleError> {
        let mut out = self.and()?;
        while self.eat("||") {
            out.extend(self.and()?);
        }
        Ok(out)
    }

    /// `a && (b || c)` distributes to `a && b || a && c`.
    fn and(&mut self) -> Result<Vec<Vec<Call>>, RuleError> {
        let mut out = self.term()?;
        while self.eat("&&") {
            let right = self.term()?;
            out = out
                .iter()
                .flat_map(|l| {
                    right.iter().map(move |r| {
                        let mut both = l.clone();
                        both.extend(r.iter().cloned());
                        both
                    })
                })
                .collect();
        }
        Ok(out)
    }

    fn term(&mut self) -> Result<Vec<Vec<Call>>, RuleError> {
        if self.eat("!") {
            return Err(self.error("negation (`!`) has no Gateway API match"));
        }
        if self.eat("(") {
            let inner = self.or()?;
            if !self.eat(")") {
                return Err(self.error("missing `)`"));
            }
            return Ok(inner);
        }
        self.space();
        let start = self.at;
        let rest = &self.text[start..];
        let len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(self.error("expected a matcher such as Host(`example.com`)"));
        }
        let name = rest[..len].to_string();
        self.at += len;
        if !self.eat("(") {
            return Err(self.error("expected `(` after the matcher name"));
        }
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.string()?);
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(self.error("expected `,` or `)`"));
                }
            }
        }
        Ok(vec![vec![Call { name, args }]])
    }

    /// A backquoted or double-quoted argument.
    fn string(&mut self) -> Result<String, RuleError> {
        self.space();
        let quote = match self.text[self.at..].chars().next() {
            Some(q @ ('`' | '"')) => q,
            _ => return Err(self.error("expected a quoted argument (`...`)")),
        };
        let body = &self.text[self.at + 1..];
        let end = body
            .find(quote)
            .ok_or_else(|| self.error("unterminated argument"))?;
        let value = body[..end].to_string();
        self.at += end + 2;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(rule: &str) -> Vec<Vec<String>> {
        parse(rule)
            .unwrap()
            .into_iter()
            .map(|all| {
                all.into_iter()
                    .map(|c| format!("{}({})", c.name, c.args.join(",")))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn and_distributes_over_or() {
        assert_eq!(
            show("Host(`a.com`) && (PathPrefix(`/api`) || Method(`GET`))"),
            [
                vec!["Host(a.com)", "PathPrefix(/api)"],
                vec!["Host(a.com)", "Method(GET)"]
            ]
        );
        assert_eq!(
            show("Headers(`X-A`, `1`) || Query(`q`, `v`)"),
            [vec!["Headers(X-A,1)"], vec!["Query(q,v)"]]
        );
    }

    #[test]
    fn errors_say_where_and_why() {
        let e = parse("Host(`a`) && !Path(`/x`)").unwrap_err();
        assert_eq!(e.at, 14);
        assert!(e.why.contains("negation"));
        assert!(parse("Host(`a`").is_err());
        assert!(parse("Host(`a`) junk").is_err());
    }
}
