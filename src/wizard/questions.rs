//! One function per question id a profile can list (`advanced` has its own module). Each asks in
//! plain words, shows a sensible default, and validates the answer the way the request is checked:
//! the answer is put into a copy of the request and `request::check` runs on it; only errors on
//! the asked field count, so questions not answered yet do not get in the way. A bad answer is
//! asked again with the reason.

use super::advanced::{advanced, has_more_rules};
use super::ask::Prompter;
use super::WizardError;
use crate::context::{Profile, Profiles, RoutesNeed};
use crate::door::{flag_note, Door};
use crate::implementation::Implementations;
use crate::plan::DEFAULT_IMPLEMENTATION;
use crate::request::*;

/// The wizard's state: the request being filled in and the context it is for.
pub struct Session<'a> {
    pub prompter: Prompter,
    pub request: Request,
    pub profile: &'a Profile,
    pub profiles: &'a Profiles,
    pub choices: &'a Choices,
}

/// What the cluster offers (with `--cluster`): the wizard lists these instead of asking to type.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub classes: Vec<String>,
    /// Existing Gateways as (namespace, name).
    pub gateways: Vec<(String, String)>,
}

/// The last entry of a choice list: type a value instead.
const OTHER: &str = "other (type it)";

/// A question a profile can list under `questions`.
pub struct Question {
    pub id: &'static str,
    /// Whether the request already holds the answer (from flags or `--request`): then it is not asked.
    pub answered: fn(&Request) -> bool,
    /// Whether it is about the route, which is not generated when a context's routes are optional
    /// and no service was given: then it is not asked.
    pub about_route: bool,
    pub ask: fn(&mut Session) -> Result<(), WizardError>,
}

pub const QUESTIONS: [Question; 15] = [
    question("service", |r| r.service.is_some(), false, service),
    question("namespace", |r| r.namespace.is_some(), true, namespace),
    question("port", |r| r.port.is_some(), true, port),
    // Paths and the advanced HTTP steps exist on HTTPRoutes only; TCP and UDP have no hostnames.
    question(
        "path",
        |r| route_kind(r) != RouteKind::Http || first_match(r).is_some_and(|m| m.path.is_some()),
        true,
        path,
    ),
    question(
        "hostname",
        |r| {
            matches!(route_kind(r), RouteKind::Tcp | RouteKind::Udp)
                || r.routes.first().is_some_and(|x| !x.hostnames.is_empty())
        },
        true,
        hostname,
    ),
    question(
        "serviceNamespace",
        |r| r.service_namespace.is_some(),
        true,
        service_namespace,
    ),
    question(
        "gateway.name",
        |r| r.gateway.name.is_some(),
        false,
        gateway_name,
    ),
    question(
        "gateway.namespace",
        |r| r.gateway.namespace.is_some(),
        false,
        gateway_namespace,
    ),
    question(
        "gateway.listener",
        |r| r.gateway.listener.is_some(),
        false,
        gateway_listener,
    ),
    question(
        "implementation",
        |r| r.options.implementation.is_some() || r.gateway.class_name.is_some(),
        false,
        implementation,
    ),
    question(
        "gateway.className",
        |r| r.gateway.class_name.is_some(),
        false,
        gateway_class,
    ),
    question(
        "gateway.hostname",
        |r| r.gateway.hostname.is_some() || !r.gateway.hostnames.is_empty(),
        false,
        gateway_hostname,
    ),
    question(
        "gateway.https",
        |r| r.gateway.https || r.gateway.tls_secret.is_some(),
        false,
        gateway_https,
    ),
    question(
        "gateway.allowedRoutes",
        |r| r.gateway.allowed_routes.is_some(),
        false,
        gateway_allowed_routes,
    ),
    question(
        "advanced",
        |r| route_kind(r) != RouteKind::Http || has_more_rules(r),
        true,
        advanced,
    ),
];

/// The kind of the route the wizard fills in (`--kind`, default HTTPRoute).
fn route_kind(r: &Request) -> RouteKind {
    r.routes.first().and_then(|x| x.kind).unwrap_or_default()
}

const fn question(
    id: &'static str,
    answered: fn(&Request) -> bool,
    about_route: bool,
    ask: fn(&mut Session) -> Result<(), WizardError>,
) -> Question {
    Question {
        id,
        answered,
        about_route,
        ask,
    }
}

pub fn find(id: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.id == id)
}

/// Request fields whose question has another id than the field's path.
const ASKED_BY: [(&str, &str); 5] = [
    ("gateway.tlsSecret", "gateway.https"),
    ("options.implementation", "implementation"),
    (HOSTNAMES, "hostname"),
    (PATH, "path"),
    ("routes", "advanced"),
];

/// The question that sets the request field `field` (the path a `FieldError` names).
pub fn asking(field: &str) -> Option<&'static Question> {
    ASKED_BY
        .iter()
        .find(|(prefix, _)| within(field, prefix))
        .and_then(|(_, id)| find(id))
        .or_else(|| QUESTIONS.iter().find(|q| within(field, q.id)))
}

/// Whether `field` is `prefix` or one of its parts (`prefix.x`, `prefix[0]`).
fn within(field: &str, prefix: &str) -> bool {
    field
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

// The wizard builds one route with one rule and one match, as the flags do.
const HOSTNAMES: &str = "routes[0].hostnames";
pub(super) const RULE: &str = "routes[0].rules[0]";
pub(super) const MATCH: &str = "routes[0].rules[0].matches[0]";
const PATH: &str = "routes[0].rules[0].matches[0].path";

pub(super) fn first_rule(r: &Request) -> Option<&RuleRequest> {
    r.routes.first().and_then(|route| route.rules.first())
}

pub(super) fn first_match(r: &Request) -> Option<&MatchRequest> {
    first_rule(r).and_then(|rule| rule.matches.first())
}

pub(super) fn route_mut(r: &mut Request) -> &mut RouteRequest {
    if r.routes.is_empty() {
        r.routes.push(RouteRequest::default());
    }
    &mut r.routes[0]
}

pub(super) fn rule_mut(r: &mut Request) -> &mut RuleRequest {
    let route = route_mut(r);
    if route.rules.is_empty() {
        route.rules.push(RuleRequest::default());
    }
    &mut route.rules[0]
}

pub(super) fn match_mut(r: &mut Request) -> &mut MatchRequest {
    let rule = rule_mut(r);
    if rule.matches.is_empty() {
        rule.matches.push(MatchRequest::default());
    }
    &mut rule.matches[0]
}

/// An answer, `None` when empty.
pub(super) fn some(answer: &str) -> Option<String> {
    (!answer.is_empty()).then(|| answer.to_string())
}

/// The items of a comma-separated answer.
pub(super) fn items(answer: &str) -> Vec<String> {
    answer
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn name_values(answer: &str) -> Result<Vec<NameValue>, String> {
    items(answer).iter().map(|t| parse_name_value(t)).collect()
}

/// The first error `request::check` finds in `field` of `request`, as the reason shown.
fn field_error(request: &Request, field: &str) -> Result<(), String> {
    let Err(RequestError::Invalid(errors)) = check(request) else {
        return Ok(());
    };
    match errors.iter().find(|e| within(&e.field, field)) {
        Some(e) if e.hint.is_empty() => Err(Door::Flags.text(&e.message)),
        Some(e) => Err(Door::Flags.text(&format!("{} ({})", e.message, e.hint))),
        None => Ok(()),
    }
}

impl Session<'_> {
    /// Asks for the value of `field`. `set` puts an answer into a request (or says why it cannot
    /// be read): it is tried on a copy of the request to validate the answer, then applied.
    pub(super) fn answer(
        &mut self,
        prompt: &str,
        default: Option<String>,
        optional: bool,
        field: &str,
        set: impl Fn(&mut Request, &str) -> Result<(), String>,
    ) -> Result<(), WizardError> {
        let required = (!optional).then(|| self.why_needed(field, &set));
        let request = &self.request;
        let answer = self.prompter.text(prompt, default, required, |answer| {
            let mut trial = request.clone();
            set(&mut trial, answer)?;
            field_error(&trial, field)
        })?;
        set(&mut self.request, &answer).expect("the answer was validated with the same function");
        Ok(())
    }

    /// Why `field` needs an answer: what the plan says of it when the answer is empty (`set` puts
    /// an answer into a request), as a flag user reads it.
    fn why_needed(
        &self,
        field: &str,
        set: impl Fn(&mut Request, &str) -> Result<(), String>,
    ) -> String {
        let mut trial = self.request.clone();
        let _ = set(&mut trial, "");
        let errors = match crate::plan::plan(&trial, self.profiles) {
            Err(RequestError::Invalid(errors)) => errors,
            _ => Vec::new(),
        };
        match errors
            .iter()
            .find(|e| e.is_missing() && within(&e.field, field))
        {
            Some(e) => {
                Door::Flags.text(&format!("{}{} {}", e.field, flag_note(&e.field), e.message))
            }
            None => "it has no default, and the request cannot do without it".to_string(),
        }
    }

    /// Asks for a text value that goes as it is into `slot` of the request (empty: none).
    fn answer_into(
        &mut self,
        prompt: &str,
        default: Option<String>,
        optional: bool,
        field: &str,
        slot: fn(&mut Request) -> &mut Option<String>,
    ) -> Result<(), WizardError> {
        self.answer(prompt, default, optional, field, |r, a| {
            *slot(r) = some(a);
            Ok(())
        })
    }

    /// Whether the context generates the Gateway (rather than attaching to an existing one).
    fn creates_gateway(&self) -> bool {
        self.profile.gateway.create
    }

    /// The app namespace as far as it is known: the answer, or the service name it defaults to.
    fn app_namespace(&self) -> Option<String> {
        self.request
            .namespace
            .clone()
            .or_else(|| self.request.service.clone())
    }
}

/// `service`: the Service that receives the traffic. Contexts whose routes are optional accept
/// no answer: then only the Gateway is generated.
fn service(s: &mut Session) -> Result<(), WizardError> {
    let optional = s.profile.routes == RoutesNeed::Optional;
    let prompt = if optional {
        "Service name (empty: no route, only the Gateway)"
    } else {
        "Service name"
    };
    s.answer_into(prompt, None, optional, "service", |r| &mut r.service)
}

/// `namespace`: where the routes live; defaults to the service name, as the plan does.
fn namespace(s: &mut Session) -> Result<(), WizardError> {
    let default = s.request.service.clone();
    s.answer_into("Namespace", default, false, "namespace", |r| {
        &mut r.namespace
    })
}

/// `port`: the Service port the route sends to.
fn port(s: &mut Session) -> Result<(), WizardError> {
    s.answer("Service port", None, false, "port", |r, a| {
        let port = a
            .trim()
            .parse()
            .map_err(|_| format!("'{a}' is not a port number (e.g. 8000)"))?;
        r.port = Some(port);
        Ok(())
    })
}

/// `path`: the path prefix the route matches; `/` matches everything.
fn path(s: &mut Session) -> Result<(), WizardError> {
    s.answer("Path prefix", Some("/".into()), false, PATH, |r, a| {
        match_mut(r).path = Some(PathMatchRequest {
            type_: PathType::PathPrefix,
            value: a.to_string(),
        });
        Ok(())
    })
}

/// `hostname`: the hostnames the route serves; none serves any the Gateway accepts.
fn hostname(s: &mut Session) -> Result<(), WizardError> {
    let prompt = "Route hostnames (comma-separated; empty: any)";
    s.answer(prompt, None, true, HOSTNAMES, |r, a| {
        let hostnames = items(a);
        if !hostnames.is_empty() || !r.routes.is_empty() {
            route_mut(r).hostnames = hostnames;
        }
        Ok(())
    })
}

/// `serviceNamespace`: the namespace of the Service when it is not the routes' (the plan derives
/// the ReferenceGrant that namespace must hold).
fn service_namespace(s: &mut Session) -> Result<(), WizardError> {
    let prompt = "Namespace of the Service (the backend)";
    s.answer_into(prompt, None, false, "serviceNamespace", |r| {
        &mut r.service_namespace
    })
}

/// `gateway.name`: the Gateway to create, or the existing one to attach to (no default then).
fn gateway_name(s: &mut Session) -> Result<(), WizardError> {
    let service = s.request.service.clone();
    let default = s.profile.gateway.name.as_ref().and_then(|pattern| {
        match (pattern.contains("{service}"), &service) {
            (false, _) => Some(pattern.clone()),
            (true, Some(service)) => Some(pattern.replace("{service}", service)),
            (true, None) => None,
        }
    });
    let prompt = if s.creates_gateway() {
        "Gateway name"
    } else {
        "Name of the existing Gateway"
    };
    if !s.creates_gateway() && !s.choices.gateways.is_empty() {
        let mut items: Vec<String> = s
            .choices
            .gateways
            .iter()
            .map(|(ns, name)| format!("{ns}/{name}"))
            .collect();
        items.push(OTHER.to_string());
        let picked = s
            .prompter
            .select("Existing Gateway (from the cluster)", &items, 0)?;
        if let Some((ns, name)) = s.choices.gateways.get(picked) {
            s.request.gateway.namespace = Some(ns.clone());
            s.request.gateway.name = Some(name.clone());
            return Ok(());
        }
    }
    s.answer_into(prompt, default, false, "gateway.name", |r| {
        &mut r.gateway.name
    })
}

/// `gateway.namespace`: where the Gateway lives; the context's default is shown.
fn gateway_namespace(s: &mut Session) -> Result<(), WizardError> {
    let pattern = &s.profile.gateway.namespace;
    let default = if pattern == "{namespace}" {
        s.app_namespace()
    } else {
        Some(pattern.clone())
    };
    let prompt = if s.creates_gateway() {
        "Gateway namespace"
    } else {
        "Namespace of the existing Gateway"
    };
    s.answer_into(prompt, default, false, "gateway.namespace", |r| {
        &mut r.gateway.namespace
    })
}

/// `gateway.listener`: the listener (section) of the existing Gateway to attach to.
fn gateway_listener(s: &mut Session) -> Result<(), WizardError> {
    let prompt = "Listener to attach to (empty: every listener that admits the route)";
    s.answer_into(prompt, None, true, "gateway.listener", |r| {
        &mut r.gateway.listener
    })
}

/// `implementation`: which Gateway API implementation runs the Gateway; it decides the default
/// GatewayClass and which features are checked against its conformance report.
fn implementation(s: &mut Session) -> Result<(), WizardError> {
    s.request.options.implementation = pick_implementation(&s.prompter)?;
    Ok(())
}

/// Which preset, from a menu; `None` for the default, which needs no flag (the equivalent command
/// stays short).
pub(super) fn pick_implementation(prompter: &Prompter) -> Result<Option<String>, WizardError> {
    let presets = Implementations::built_in();
    let items: Vec<String> = presets
        .iter()
        .map(|i| format!("{:<14} {}", i.name, i.display_name))
        .collect();
    let first = presets
        .names()
        .iter()
        .position(|n| *n == DEFAULT_IMPLEMENTATION)
        .unwrap_or(0);
    let picked = prompter.select("Gateway API implementation", &items, first)?;
    let name = presets.names()[picked].to_string();
    Ok((name != DEFAULT_IMPLEMENTATION).then_some(name))
}

/// `gateway.className`: the GatewayClass of the Gateway to create.
fn gateway_class(s: &mut Session) -> Result<(), WizardError> {
    // The class of the chosen implementation's preset, as the plan would default it.
    let presets = Implementations::built_in();
    let name = s
        .request
        .options
        .implementation
        .as_deref()
        .unwrap_or(DEFAULT_IMPLEMENTATION);
    let default = presets.get(name).map(|i| i.gateway_class.clone());
    if !s.choices.classes.is_empty() {
        let mut items = s.choices.classes.clone();
        items.push(OTHER.to_string());
        let first = items
            .iter()
            .position(|c| Some(c) == default.as_ref())
            .unwrap_or(0);
        let picked = s
            .prompter
            .select("GatewayClass (from the cluster)", &items, first)?;
        if let Some(class) = s.choices.classes.get(picked) {
            s.request.gateway.class_name = Some(class.clone());
            return Ok(());
        }
    }
    s.answer_into(
        "GatewayClass name",
        default,
        false,
        "gateway.className",
        |r| &mut r.gateway.class_name,
    )
}

/// `gateway.hostname`: the hostname the generated listeners accept; several (comma-separated)
/// give a listener each (`gateway.hostnames`).
fn gateway_hostname(s: &mut Session) -> Result<(), WizardError> {
    let prompt = "Listener hostname (e.g. *.example.com; several comma-separated; empty: any)";
    s.answer(prompt, None, true, "gateway.hostname", |r, a| {
        let hosts = items(a);
        (r.gateway.hostname, r.gateway.hostnames) = match hosts.as_slice() {
            [] => (None, Vec::new()),
            [one] => (Some(one.clone()), Vec::new()),
            _ => (None, hosts),
        };
        Ok(())
    })
}

/// `gateway.https`: an HTTPS listener on 443 and the TLS Secret it terminates with.
fn gateway_https(s: &mut Session) -> Result<(), WizardError> {
    let https = s
        .prompter
        .confirm("Add an HTTPS listener on port 443?", false)?;
    if !https {
        s.request.gateway.https = false;
        s.request.gateway.tls_secret = None;
        return Ok(());
    }
    let prompt = "TLS certificate Secret ([NAMESPACE/]NAME)";
    s.answer(prompt, None, false, "gateway.tlsSecret", |r, a| {
        r.gateway.https = true;
        r.gateway.tls_secret = some(a);
        Ok(())
    })?;
    // Only HTTP routes are served on both listeners; a redirect pair is for them.
    let http = s
        .request
        .routes
        .iter()
        .all(|r| r.kind.unwrap_or_default() == RouteKind::Http);
    if http {
        s.request.gateway.https_redirect = s.prompter.confirm(
            "Redirect HTTP to HTTPS (serve the app over HTTPS only)?",
            true,
        )?;
    }
    Ok(())
}

/// `gateway.allowedRoutes`: which namespaces may attach routes to the generated listeners, and
/// for `Selector` the namespace labels that admit them.
fn gateway_allowed_routes(s: &mut Session) -> Result<(), WizardError> {
    let choices = [
        (
            FromNamespaces::Same,
            "Same      only the Gateway's own namespace",
        ),
        (FromNamespaces::All, "All       any namespace"),
        (
            FromNamespaces::Selector,
            "Selector  namespaces with given labels",
        ),
    ];
    let labels: Vec<String> = choices.iter().map(|(_, l)| l.to_string()).collect();
    let default = choices
        .iter()
        .position(|(from, _)| *from == s.profile.gateway.allowed_routes)
        .unwrap_or(0);
    let from =
        choices[s
            .prompter
            .select("Which namespaces may attach routes?", &labels, default)?]
        .0;
    if from != FromNamespaces::Selector {
        s.request.gateway.allowed_routes = Some(AllowedRoutesRequest {
            from,
            labels: Default::default(),
        });
        return Ok(());
    }
    let prompt = "Namespace labels (KEY=VALUE, comma-separated; empty: the app namespace's name)";
    s.answer(prompt, None, true, "gateway.allowedRoutes", |r, a| {
        let labels = name_values(a)?
            .into_iter()
            .map(|nv| (nv.name, nv.value))
            .collect();
        r.gateway.allowed_routes = Some(AllowedRoutesRequest { from, labels });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_checked_field_has_its_question() {
        let cases = [
            ("service", "service"),
            ("gateway.namespace", "gateway.namespace"),
            ("gateway.name", "gateway.name"),
            ("gateway.tlsSecret", "gateway.https"),
            ("gateway.allowedRoutes.labels", "gateway.allowedRoutes"),
            ("routes[0].hostnames[1]", "hostname"),
            ("routes[0].rules[0].matches[0].path.value", "path"),
            ("routes[0].rules[0].backends[1].weight", "advanced"),
        ];
        for (field, id) in cases {
            assert_eq!(asking(field).map(|q| q.id), Some(id), "{field}");
        }
        assert!(asking("gateway.controller").is_none());
    }

    #[test]
    fn answers_are_checked_like_the_request() {
        let r = Request::default();
        let mut bad = r.clone();
        bad.service = Some("Bad_Name".into());
        let reason = field_error(&bad, "service").unwrap_err();
        assert!(reason.contains("DNS-1123 label"), "{reason}");
        assert_eq!(field_error(&r, "service"), Ok(()));
    }
}
