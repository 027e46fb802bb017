//! Who reads a message, and the words they know for one setting: the flag (`--port 8080`) on the
//! command line, the field path (`port: 8080`) in a request file or an MCP call, the tool parameter
//! (`overwrite: true`) for an MCP caller. Messages name settings with markers ([`setting`],
//! [`setting_to`]) and each door renders them ([`Door::text`]) before they leave the program, so
//! nobody is told to pass a flag they cannot pass.

use crate::finding::Finding;
use crate::request::FieldError;

/// The reader of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// Flags on the command line (and the wizard, which prints its equivalent command).
    Flags,
    /// `--request FILE` on the command line: request fields by path, other options as flags.
    RequestFile,
    /// A tool call over MCP: request fields by path, other options as tool parameters.
    Mcp,
}

const OPEN: char = '\u{27e8}';
const CLOSE: char = '\u{27e9}';

/// Names the setting `name` in a message: a request field path (`gateway.listener`,
/// `routes[0].rules[1].backends`) or an option of the doors (see [`OPTIONS`]).
pub fn setting(name: &str) -> String {
    format!("{OPEN}{name}{CLOSE}")
}

/// Names the setting `name` with the value to give it (`true` for a switch).
pub fn setting_to(name: &str, value: &str) -> String {
    format!("{OPEN}{name}={value}{CLOSE}")
}

/// After a field path already shown: ` (--flag)` for flag users when a flag sets the field, nothing
/// for the other doors (they read the path).
pub fn flag_note(field: &str) -> String {
    format!("{OPEN}+{field}{CLOSE}")
}

/// Names the setting `name` with a value written differently as a flag (`platform=sre`) and as a
/// field (`{platform: sre}`).
pub fn setting_as(name: &str, flag_value: &str, field_value: &str) -> String {
    format!("{OPEN}{name}={flag_value}|{field_value}{CLOSE}")
}

/// Settings that are not request fields: (name, flag, MCP tool parameter). A form with `{}` takes
/// the value there; one without takes it after (`--channel experimental`, `channel: experimental`);
/// an MCP form with a `:` is complete (`overwrite: true`).
const OPTIONS: &[(&str, &str, &str)] = &[
    ("yes", "--yes", "overwrite: true"),
    ("prune", "--prune", "prune: true"),
    ("channel", "--channel", "channel"),
    ("gateway", "--gateway", "gateway"),
    ("convert.listener", "--listener", "listener"),
    (
        "convert.redirectListener",
        "--redirect-listener",
        "redirectListener",
    ),
    (
        "trace",
        "traffic-engineer trace --url {}",
        "the trace tool with url: {}",
    ),
    (
        "generate",
        "traffic-engineer generate --context {}",
        "the generate tool with context: {}",
    ),
];

/// `form` with `value`: in its `{}`, or after it as a flag (`--x v`) or a parameter (`x: v`).
fn with_value(form: &str, value: Option<&str>, separator: &str) -> String {
    let switch = separator == " " && value == Some("true");
    match value {
        _ if form.contains("{}") => form.replace("{}", value.unwrap_or_default()),
        Some(v) if !switch && !form.contains(':') => format!("{form}{separator}{v}"),
        _ => form.to_string(),
    }
}

impl Door {
    /// `text` with every setting named the way this door's reader sets it.
    pub fn text(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(OPEN) {
            let after = &rest[start + OPEN.len_utf8()..];
            let Some(end) = after.find(CLOSE) else { break };
            out.push_str(&rest[..start]);
            let inner = &after[..end];
            let (name, value) = match inner.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (inner, None),
            };
            out.push_str(&self.name(name, value));
            rest = &after[end + CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out
    }

    /// One setting, with its value when given (`FLAG|FIELD` when they are written differently).
    fn name(self, name: &str, value: Option<&str>) -> String {
        if let Some(field) = name.strip_prefix('+') {
            return match (self, flag_for(field)) {
                (Door::Flags, Some(flag)) => format!(" ({flag})"),
                _ => String::new(),
            };
        }
        let (flag_value, field_value) = match value.map(|v| v.split_once('|').unwrap_or((v, v))) {
            Some((f, v)) => (Some(f), Some(v)),
            None => (None, None),
        };
        let as_flag = |flag: &str| match flag_value {
            None | Some("true") => flag.to_string(),
            Some(v) => format!("{flag} {v}"),
        };
        let as_field = || match field_value {
            None => name.to_string(),
            Some(v) => format!("{name}: {v}"),
        };
        if let Some((_, flag, mcp)) = OPTIONS.iter().find(|(n, _, _)| *n == name) {
            return match self {
                Door::Mcp => with_value(mcp, field_value, ": "),
                _ => with_value(flag, flag_value, " "),
            };
        }
        match (self, flag_for(name)) {
            (Door::Flags, Some(flag)) => as_flag(flag),
            _ => as_field(),
        }
    }

    pub fn finding(self, mut f: Finding) -> Finding {
        f.message = self.text(&f.message);
        f.hint = f.hint.map(|h| self.text(&h));
        f
    }

    pub fn findings(self, findings: Vec<Finding>) -> Vec<Finding> {
        findings.into_iter().map(|f| self.finding(f)).collect()
    }

    pub fn field_error(self, mut e: FieldError) -> FieldError {
        e.message = self.text(&e.message);
        e.hint = self.text(&e.hint);
        e
    }
}

/// The flag that sets a request field, to name it in errors next to the field path. Only the first
/// rule of the first route has flags.
pub fn flag_for(field: &str) -> Option<&'static str> {
    let key = field
        .replace("routes[0].rules[0].", "rule.")
        .replace("routes[0].", "route.");
    if key.starts_with("routes[") {
        return None;
    }
    // Drop the indices below the field: `rule.matches[0].headers[1].name` → `rule.matches.headers.name`.
    let mut plain = String::new();
    let mut skipping = false;
    for c in key.chars() {
        match c {
            '[' => skipping = true,
            ']' => skipping = false,
            _ if !skipping => plain.push(c),
            _ => {}
        }
    }
    const TABLE: &[(&str, &str)] = &[
        ("context", "--context"),
        ("service", "--service"),
        ("namespace", "--namespace"),
        ("serviceNamespace", "--service-namespace"),
        ("port", "--port"),
        ("gateway.name", "--gateway"),
        ("gateway.namespace", "--gateway-namespace"),
        ("gateway.className", "--gateway-class"),
        ("gateway.listener", "--listener"),
        ("gateway.hostname", "--listener-hostname"),
        ("gateway.hostnames", "--listener-hostname"),
        ("gateway.tlsSecrets", "--tls-secret"),
        ("gateway.tlsSecret", "--tls-secret"),
        ("gateway.https", "--https"),
        ("gateway.httpsRedirect", "--https-redirect"),
        ("gateway.redirectListener", "--redirect-listener"),
        ("gateway.withGatewayClass", "--with-gateway-class"),
        ("gateway.controller", "--controller"),
        ("gateway.allowedRoutes.from", "--allow-routes-from"),
        ("gateway.allowedRoutes.labels", "--allow-label"),
        ("gateway.port", "--listener-port"),
        ("options.implementation", "--implementation"),
        ("options.gatewayApi", "--gateway-api"),
        ("options.rbacGroups", "--rbac-group"),
        ("options.rbac", "--rbac"),
        ("route.kind", "--kind"),
        ("route.name", "--route-name"),
        ("rule.matches.grpc.service", "--grpc-service"),
        ("rule.matches.grpc.method", "--grpc-method"),
        ("rule.matches.grpc", "--grpc-service/--grpc-method"),
        ("route.hostnames", "--hostname"),
        ("rule.matches.headers", "--header"),
        ("rule.matches.queryParams", "--query"),
        ("rule.matches.method", "--method"),
        (
            "rule.matches.path",
            "--path-prefix/--path-exact/--path-regex",
        ),
        ("rule.backends", "--backend"),
        ("rule.mirror", "--mirror"),
        ("rule.rewrite.prefix", "--rewrite-prefix"),
        ("rule.rewrite.path", "--rewrite-path"),
        ("rule.rewrite.hostname", "--rewrite-hostname"),
        (
            "rule.rewrite",
            "--rewrite-prefix/--rewrite-path/--rewrite-hostname",
        ),
        ("rule.requestHeaders.add", "--add-header"),
        ("rule.requestHeaders.set", "--set-header"),
        ("rule.requestHeaders.remove", "--remove-header"),
        ("rule.redirect.scheme", "--redirect-scheme"),
        ("rule.redirect.hostname", "--redirect-hostname"),
        ("rule.redirect.statusCode", "--redirect-status"),
        (
            "rule.redirect",
            "--redirect-scheme/--redirect-hostname/--redirect-status",
        ),
        ("rule.cors.allowOrigins", "--cors-origin"),
        ("rule.cors.allowMethods", "--cors-method"),
        ("rule.cors.allowHeaders", "--cors-header"),
        ("rule.cors.exposeHeaders", "--cors-expose-header"),
        ("rule.cors.allowCredentials", "--cors-credentials"),
        ("rule.cors.maxAge", "--cors-max-age"),
        ("rule.cors", "--cors-origin"),
    ];
    TABLE
        .iter()
        .find(|(k, _)| plain == *k || plain.starts_with(&format!("{k}.")))
        .map(|(_, flag)| *flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_map_to_their_flags() {
        assert_eq!(
            flag_for("routes[0].rules[0].matches[0].headers[1].name"),
            Some("--header")
        );
        assert_eq!(
            flag_for("routes[0].rules[0].backends[2].weight"),
            Some("--backend")
        );
        assert_eq!(
            flag_for("routes[0].rules[0].rewrite.prefix"),
            Some("--rewrite-prefix")
        );
        assert_eq!(
            flag_for("gateway.allowedRoutes.labels"),
            Some("--allow-label")
        );
        assert_eq!(flag_for("routes[1].rules[0].backends[0].port"), None);
        assert_eq!(flag_for("routes[0].rules[1].backends[0].port"), None);
        assert_eq!(flag_for("namespace"), Some("--namespace"));
    }

    #[test]
    fn each_door_names_a_setting_its_own_way() {
        let both = format!(
            "use {} or {}, then {}",
            setting_to("port", "8080"),
            setting_to("gateway.https", "true"),
            setting("yes")
        );
        // (marked text, as flags, in a request file, over MCP)
        let cases = [
            (
                both,
                "use --port 8080 or --https, then --yes",
                "use port: 8080 or gateway.https: true, then --yes",
                "use port: 8080 or gateway.https: true, then overwrite: true",
            ),
            (
                setting_as("options.rbacGroups", "app=devs", "{app: devs}"),
                "--rbac-group app=devs",
                "options.rbacGroups: {app: devs}",
                "options.rbacGroups: {app: devs}",
            ),
            (
                setting_to("trace", "http://a.example/x"),
                "traffic-engineer trace --url http://a.example/x",
                "traffic-engineer trace --url http://a.example/x",
                "the trace tool with url: http://a.example/x",
            ),
            (
                setting_to("channel", "experimental"),
                "--channel experimental",
                "--channel experimental",
                "channel: experimental",
            ),
            (
                format!("port{}", flag_note("port")),
                "port (--port)",
                "port",
                "port",
            ),
            // A field flags cannot set is named by its path on the command line too.
            (
                setting("routes[1].rules[0].backends"),
                "routes[1].rules[0].backends",
                "routes[1].rules[0].backends",
                "routes[1].rules[0].backends",
            ),
            // Text with an unclosed marker is left as it is.
            (
                "a \u{27e8}b".to_string(),
                "a \u{27e8}b",
                "a \u{27e8}b",
                "a \u{27e8}b",
            ),
        ];
        for (text, flags, file, mcp) in cases {
            assert_eq!(Door::Flags.text(&text), flags);
            assert_eq!(Door::RequestFile.text(&text), file);
            assert_eq!(Door::Mcp.text(&text), mcp);
        }
    }
}
