//! Documentation of every rule id a command reports, for `lint --explain RULE` and `lint --rules`.
//! Lint's rules are here; generate's and convert's own are beside their checks
//! ([`crate::generate::RULES`], [`crate::convert::RULES`]), and this module finds them all.

use serde::Serialize;

use crate::finding::Severity;

#[derive(Debug, Serialize)]
pub struct RuleDoc {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
    pub example_fix: &'static str,
}

/// The rules one command's own checks report. generate lints what it renders and convert
/// generates, so each also reports the rules of the tables before it.
#[derive(Debug, Clone, Copy)]
pub struct RuleTable {
    pub command: &'static str,
    /// What the checks look at, for the heading of `lint --rules`.
    pub about: &'static str,
    pub rules: &'static [RuleDoc],
}

/// Every command's rules, in a stable order.
pub fn rule_tables() -> [RuleTable; 3] {
    [
        RuleTable {
            command: "lint",
            about: "the manifests (generate and convert lint their output too)",
            rules: RULES,
        },
        RuleTable {
            command: "generate",
            about: "the request, the plan, the files written and, with --cluster, the cluster (convert generates too)",
            rules: crate::generate::RULES,
        },
        RuleTable {
            command: "convert",
            about: "what the conversion could not read, carry over or keep equivalent",
            rules: crate::convert::RULES,
        },
    ]
}

/// Documentation of a rule id, with the command whose checks report it.
pub fn lookup(rule: &str) -> Option<(&'static str, &'static RuleDoc)> {
    rule_tables().into_iter().find_map(|table| {
        let doc = table.rules.iter().find(|r| r.id == rule)?;
        Some((table.command, doc))
    })
}

/// Documentation of a rule id.
pub fn explain(rule: &str) -> Option<&'static RuleDoc> {
    lookup(rule).map(|(_, doc)| doc)
}

static RULES: &[RuleDoc] = &[
    RuleDoc { id: "yaml-syntax", severity: Severity::Error, summary: "The document is not valid YAML.", explanation: "The file cannot be parsed, so nothing in the document is checked. Duplicate keys count as errors too: the API server rejects them.", example_fix: "Fix the indentation or quoting on the reported line; `kubectl apply --dry-run=client -f FILE` shows the same problem." },
    RuleDoc { id: "missing-field", severity: Severity::Error, summary: "A required field is absent.", explanation: "The CRD schema marks the field as required (for example `spec.gatewayClassName`, a listener's `port`, a ReferenceGrant's `from`); the API server rejects the object without it.", example_fix: "listeners:\n- name: http\n  protocol: HTTP\n  port: 80   # was missing" },
    RuleDoc { id: "wrong-type", severity: Severity::Error, summary: "A field has the wrong YAML type.", explanation: "The schema expects a string, integer, list or map and the document has something else (for example `port: \"80\"` or a single value where a list is expected).", example_fix: "port: 80   # not \"80\"" },
    RuleDoc { id: "unknown-field", severity: Severity::Error, summary: "A field is not part of the object's schema.", explanation: "Unknown fields are rejected by `kubectl apply` (strict field validation) or silently dropped, so the setting never takes effect. Often a typo or a field at the wrong level.", example_fix: "backendRefs:\n- name: api\n  port: 8080   # not `ports`" },
    RuleDoc { id: "experimental-field", severity: Severity::Error, summary: "The field or filter exists only in the experimental channel.", explanation: "Gateway API v1.6.1 standard CRDs do not have it (HTTPRoute `useDefaultGateways`, `retry`, `sessionPersistence`, the ExternalAuth filter, Gateway `defaultScope`, …). On a standard-channel cluster it is rejected or dropped.", example_fix: "Remove the field, or install the experimental CRDs and lint with `--channel experimental`." },
    RuleDoc { id: "api-version-not-served", severity: Severity::Error, summary: "This kind is not served at this apiVersion on the channel.", explanation: "Each channel serves a fixed set of versions (for example TLSRoute `v1alpha2` only on experimental, GRPCRoute only `v1`). Applying an unserved version fails with `no matches for kind`.", example_fix: "apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute" },
    RuleDoc { id: "crd-rule", severity: Severity::Error, summary: "A CEL validation rule of the CRD rejects the object.", explanation: "With `--crds` or `--cluster`, every `x-kubernetes-validations` rule of the installed CRDs is evaluated as the API server does on create, with the rule's `message` (or `messageExpression`), `reason` and `fieldPath`. The API server does not run the rules when the schema check already found a missing, mistyped, too long, too many or unsupported value; lint then adds a note saying so. Transition rules (`oldSelf`) only apply to updates and are skipped.", example_fix: "Change the field the message names; `lint --explain` of the built-in rule with the same meaning often shows an example." },
    RuleDoc { id: "crd-kind-missing", severity: Severity::Warning, summary: "The CRDs given do not define this kind.", explanation: "With `--crds` or `--cluster`, an object whose API group has CRDs but whose kind has none cannot be applied: the API server answers `no matches for kind` until the CRD is installed (for Gateway API, often a kind of the experimental channel on a standard-channel cluster). The object is left out of the analysis.", example_fix: "Install the CRD (e.g. the experimental channel's bundle), or fix the kind's spelling." },
    RuleDoc { id: "crd-invalid", severity: Severity::Warning, summary: "A CRD given with `--crds` could not be fully compiled.", explanation: "A CEL rule that does not compile, a pattern that is not a valid regular expression, or a schema that is not structural. It is reported once, naming the CRD and the rule; the rest of the CRD still validates, and objects are never rejected for the rule lint cannot run.", example_fix: "Check the CRD file (`kubectl apply --dry-run=server -f CRD`), or upgrade the CRDs to the release the cluster runs." },
    RuleDoc { id: "unknown-kind", severity: Severity::Error, summary: "The kind does not exist in the Gateway API group.", explanation: "The `kind` is not one of the kinds of `gateway.networking.k8s.io` v1.6.1; usually a typo such as `HttpRoute`.", example_fix: "kind: HTTPRoute" },
    RuleDoc { id: "invalid-name", severity: Severity::Error, summary: "A name or namespace has the wrong format.", explanation: "Object names and listener names are DNS-1123 subdomains; namespaces are DNS-1123 labels (lowercase letters, digits and '-', at most 63); reference names are 1 to 253 characters.", example_fix: "metadata:\n  name: task-api   # not Task_API" },
    RuleDoc { id: "invalid-value", severity: Severity::Error, summary: "A value is not one of the allowed values or formats.", explanation: "Enums (`from`, path `type`, `method`, filter `type`, redirect `scheme`, frontend validation `mode`, subject alternative name `type`, …) and patterns (`group`, `kind`, `controllerName`, durations, gRPC names, CORS origins, `wellKnownCACertificates`, URIs, infrastructure label keys and values) are checked as the CRD does.", example_fix: "method: GET   # not get" },
    RuleDoc { id: "invalid-hostname", severity: Severity::Error, summary: "A hostname is malformed.", explanation: "Hostnames are lowercase DNS names, a wildcard only as a leading `*.`, no port, no scheme; redirect and rewrite hostnames and a BackendTLSPolicy's SNI `hostname` take no wildcard; TLSRoute v1 hostnames cannot be IP addresses (v1alpha2 ones can).", example_fix: "hostnames:\n- api.example.com   # not http://api.example.com" },
    RuleDoc { id: "invalid-path", severity: Severity::Error, summary: "A path match or replacement path is malformed.", explanation: "`Exact` and `PathPrefix` values must start with '/', contain only URL path characters, and not contain `//`, `/./`, `/../`, `%2f` or `#`; at most 1024 characters.", example_fix: "path:\n  type: PathPrefix\n  value: /api/v1" },
    RuleDoc { id: "invalid-header", severity: Severity::Error, summary: "A header or query parameter name or value is malformed.", explanation: "Names are HTTP tokens (no spaces, no ':' or '/') of at most 256 characters; values 1 to 4096 characters (query values 1 to 1024). The experimental channel also forbids CR/LF and leading or trailing spaces in values.", example_fix: "headers:\n- name: X-Env\n  value: canary" },
    RuleDoc { id: "invalid-regex", severity: Severity::Error, summary: "A RegularExpression match does not compile.", explanation: "Path, header and query parameter matches of type RegularExpression, and GRPCRoute method matches of that type (service and method), are compiled by the controller. Envoy-based implementations use RE2 syntax, which has no look-around (`(?=`, `(?!`, `(?<=`) and no backreferences (`\\1`), and needs a backslash before a literal metacharacter. The CRD accepts any string, so the API server takes the route, but the controller sets Accepted=False with reason UnsupportedValue. The message says what is wrong and at which character.", example_fix: "path:\n  type: RegularExpression\n  value: ^/api/(v1|v2)/   # was ^/api/(v1|v2/" },
    RuleDoc { id: "invalid-address", severity: Severity::Error, summary: "A Gateway address does not match its type.", explanation: "An address of type `IPAddress` (the default) must be an IPv4 or IPv6 address; a `Hostname` address a DNS name without port.", example_fix: "addresses:\n- type: Hostname\n  value: lb.example.com" },
    RuleDoc { id: "value-out-of-range", severity: Severity::Error, summary: "A number is outside its allowed range.", explanation: "Ports are 1 to 65535, weights 0 to 1,000,000, mirror percent 0 to 100, redirect status codes 301/302/303/307/308.", example_fix: "port: 8080" },
    RuleDoc { id: "too-many-items", severity: Severity::Error, summary: "A list has more items than the API allows.", explanation: "Limits of v1.6.1: 16 hostnames (1024 on a TLSRoute), 32 parentRefs, 16 rules, 64 matches per rule and 128 per route, 16 backendRefs, 16 filters, 64 listeners, 16 addresses; CORS 64 origins, allowed and exposed headers each and 9 methods; BackendTLSPolicy 16 targetRefs, 8 CA certificate references and 5 subject alternative names; Gateway frontend validation 16 CA certificate references; 16 TLS options, 8 infrastructure labels and 16 annotations. TLS/TCP/UDPRoute v1 have exactly one rule (v1alpha2: up to 16).", example_fix: "Split the route into several routes." },
    RuleDoc { id: "too-few-items", severity: Severity::Error, summary: "A list is empty where the API needs at least one item.", explanation: "For example `listeners`, a ReferenceGrant's `from` and `to`, an L4 rule's `backendRefs`, HTTPRoute `rules` when given.", example_fix: "to:\n- group: \"\"\n  kind: Service" },
    RuleDoc { id: "duplicate-entry", severity: Severity::Error, summary: "An entry repeats one that must be unique.", explanation: "Listener names, listener (port, protocol, hostname), header and query matches by name, header modifier names and removed headers, CORS origins, methods and headers, frontend TLS ports, Gateway addresses, rule names (experimental HTTPRoute and GRPCRoute, v1alpha2 TLS/TCP/UDPRoute), parentRefs to the same section and a BackendTLSPolicy's targetRefs to the same section must be unique.", example_fix: "Rename or merge the repeated entry." },
    RuleDoc { id: "parent-ref-needs-section", severity: Severity::Error, summary: "Two parentRefs name the same parent without distinct sectionNames.", explanation: "When a route lists the same Gateway more than once, every such parentRef must set `sectionName` (on experimental: or `port`) so each attaches to a different listener.", example_fix: "parentRefs:\n- name: gw\n  sectionName: http\n- name: gw\n  sectionName: https" },
    RuleDoc { id: "target-ref-needs-section", severity: Severity::Error, summary: "Two targetRefs of a BackendTLSPolicy name the same object without distinct sectionNames.", explanation: "When a policy lists the same Service more than once, every such targetRef must set `sectionName`, each naming a different port; two references to the same object without a section, or with the same one, are rejected.", example_fix: "targetRefs:\n- {group: \"\", kind: Service, name: api, sectionName: https}\n- {group: \"\", kind: Service, name: api, sectionName: grpc}" },
    RuleDoc { id: "backend-tls-ca-source", severity: Severity::Error, summary: "A BackendTLSPolicy names no CA certificates, or two sources of them.", explanation: "`spec.validation` must set exactly one of `caCertificateRefs` (ConfigMaps or Secrets with the CA bundle) and `wellKnownCACertificates` (`System`, the platform's trusted CAs); the API server rejects neither and both.", example_fix: "validation:\n  hostname: api.example.com\n  wellKnownCACertificates: System" },
    RuleDoc { id: "subject-alt-name-mismatch", severity: Severity::Error, summary: "A subject alternative name's type disagrees with its value field.", explanation: "In a BackendTLSPolicy's `validation.subjectAltNames`, `type: Hostname` needs `hostname` and `type: URI` needs `uri`; setting the field of the other type is an error.", example_fix: "subjectAltNames:\n- type: URI\n  uri: spiffe://cluster.local/ns/app/sa/api" },
    RuleDoc { id: "gateway-class-name-invalid", severity: Severity::Warning, summary: "A Gateway names a GatewayClass no object can be called.", explanation: "The CRD only limits `gatewayClassName` to 253 characters, so the API server accepts the Gateway; but a GatewayClass is named like any object (a DNS subdomain: lowercase letters, digits, '-' and '.'), so no class matches, no controller reconciles the Gateway and it gets no status.", example_fix: "gatewayClassName: eg   # not Envoy_Gateway" },
    RuleDoc { id: "label-selector-operator", severity: Severity::Warning, summary: "A matchExpressions operator is not one of In, NotIn, Exists, DoesNotExist.", explanation: "The CRD takes any string as the operator of a label selector expression (in allowedRoutes and allowedListeners), but Kubernetes label selectors know only In, NotIn, Exists and DoesNotExist: the controller cannot build the selector, and the namespaces it was meant to admit are not admitted.", example_fix: "matchExpressions:\n- key: team\n  operator: In\n  values: [a, b]" },
    RuleDoc { id: "header-name-not-a-token", severity: Severity::Warning, summary: "A header modifier removes a header name no header can have.", explanation: "`remove` takes any strings, but HTTP header names are tokens (letters, digits and !#$%&'*+-.^_`|~, at most 256 here): a name with spaces, ':' or '/' matches no header, so nothing is removed.", example_fix: "remove: [X-Debug]" },
    RuleDoc { id: "backend-port-required", severity: Severity::Error, summary: "A backendRef to a Service has no port.", explanation: "A Service backend (group \"\" and kind Service, the defaults) must say which Service port receives the traffic.", example_fix: "backendRefs:\n- name: task-api\n  port: 8000" },
    RuleDoc { id: "filter-field-mismatch", severity: Severity::Error, summary: "A filter's settings do not match its type.", explanation: "The field named by `type` is required (`type: RequestHeaderModifier` needs `requestHeaderModifier:`) and every other filter field is forbidden.", example_fix: "- type: RequestHeaderModifier\n  requestHeaderModifier:\n    set:\n    - name: X-Env\n      value: prod" },
    RuleDoc { id: "duplicate-filter", severity: Severity::Error, summary: "A filter type that may appear once appears twice.", explanation: "RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite and CORS may appear at most once per filter list; RequestMirror and ExtensionRef may repeat.", example_fix: "Merge the header changes into one RequestHeaderModifier filter." },
    RuleDoc { id: "redirect-and-rewrite", severity: Severity::Error, summary: "RequestRedirect and URLRewrite are combined.", explanation: "A redirect answers the client; a rewrite changes the request forwarded to a backend. One filter list cannot have both.", example_fix: "Keep one of the two filters." },
    RuleDoc { id: "redirect-with-backends", severity: Severity::Error, summary: "A rule with a RequestRedirect filter also has backendRefs.", explanation: "The CRD forbids RequestRedirect together with non-empty backendRefs: the redirect answers the client itself, so the backends would never be used.", example_fix: "rules:\n- filters:\n  - type: RequestRedirect\n    requestRedirect:\n      scheme: https\n  # no backendRefs" },
    RuleDoc { id: "replace-prefix-needs-path-prefix", severity: Severity::Error, summary: "ReplacePrefixMatch is used without exactly one PathPrefix match.", explanation: "A redirect or rewrite with `path.type: ReplacePrefixMatch` replaces the matched prefix, so the rule needs exactly one match, of type PathPrefix (a rule without matches counts as PathPrefix '/').", example_fix: "matches:\n- path:\n    type: PathPrefix\n    value: /old\nfilters:\n- type: URLRewrite\n  urlRewrite:\n    path:\n      type: ReplacePrefixMatch\n      replacePrefixMatch: /new" },
    RuleDoc { id: "path-modifier-mismatch", severity: Severity::Error, summary: "A redirect or rewrite path's type disagrees with its value field.", explanation: "`type: ReplaceFullPath` needs `replaceFullPath` and `type: ReplacePrefixMatch` needs `replacePrefixMatch`; setting the other field is an error.", example_fix: "path:\n  type: ReplaceFullPath\n  replaceFullPath: /new" },
    RuleDoc { id: "mirror-percent-and-fraction", severity: Severity::Error, summary: "A RequestMirror sets both percent and fraction.", explanation: "Only one way of choosing the mirrored share may be given.", example_fix: "requestMirror:\n  backendRef: {name: shadow, port: 8080}\n  percent: 10" },
    RuleDoc { id: "invalid-mirror-fraction", severity: Severity::Error, summary: "A mirror fraction's numerator exceeds its denominator.", explanation: "A fraction above 1 is meaningless; the CRD requires numerator <= denominator (default 100).", example_fix: "fraction:\n  numerator: 1\n  denominator: 10" },
    RuleDoc { id: "cors-wildcard-mixed", severity: Severity::Error, summary: "A CORS list has '*' alongside other values.", explanation: "In allowOrigins, allowMethods and allowHeaders, '*' must stand alone.", example_fix: "allowOrigins:\n- \"*\"" },
    RuleDoc { id: "grpc-method-match-empty", severity: Severity::Error, summary: "A GRPCRoute method match names neither service nor method.", explanation: "At least one of `service` and `method` must be set.", example_fix: "method:\n  service: com.example.User\n  method: Login" },
    RuleDoc { id: "timeout-backend-exceeds-request", severity: Severity::Error, summary: "backendRequest timeout is longer than the request timeout.", explanation: "The backend timeout must fit within the whole request's timeout, unless `request` is `0s` (no timeout).", example_fix: "timeouts:\n  request: 10s\n  backendRequest: 2s" },
    RuleDoc { id: "listener-tls-forbidden", severity: Severity::Error, summary: "A listener of protocol HTTP, TCP or UDP has `tls`.", explanation: "Only HTTPS and TLS listeners carry TLS settings.", example_fix: "- name: https\n  protocol: HTTPS\n  port: 443\n  tls:\n    certificateRefs:\n    - name: example-com" },
    RuleDoc { id: "listener-hostname-forbidden", severity: Severity::Error, summary: "A TCP or UDP listener has a hostname.", explanation: "TCP and UDP carry no host name to match on, so the CRD forbids `hostname` on them.", example_fix: "- name: db\n  protocol: TCP\n  port: 5432" },
    RuleDoc { id: "listener-tls-required", severity: Severity::Error, summary: "A TLS listener has no `tls` settings.", explanation: "Protocol TLS needs `tls.mode` (Passthrough, or Terminate with certificates).", example_fix: "tls:\n  mode: Passthrough" },
    RuleDoc { id: "listener-tls-mode", severity: Severity::Error, summary: "An HTTPS listener uses a TLS mode other than Terminate.", explanation: "HTTPS listeners terminate TLS; to pass encrypted traffic through, use protocol TLS with a TLSRoute.", example_fix: "- name: tls\n  protocol: TLS\n  port: 443\n  tls:\n    mode: Passthrough" },
    RuleDoc { id: "listener-tls-missing-certificates", severity: Severity::Error, summary: "A terminating listener has no certificate.", explanation: "With `tls.mode: Terminate` (the default) the listener needs `certificateRefs` or implementation `options`.", example_fix: "tls:\n  certificateRefs:\n  - name: example-com-cert" },
    RuleDoc { id: "listener-protocol-unsupported", severity: Severity::Error, summary: "A listener protocol is neither a spec protocol nor domain-prefixed.", explanation: "The CRD accepts any token, but controllers support HTTP, HTTPS, TLS, TCP, UDP (case-sensitive) and their own domain-prefixed protocols; anything else gets Accepted=False with reason UnsupportedProtocol.", example_fix: "protocol: HTTP   # not http" },
    RuleDoc { id: "duplicate-resource", severity: Severity::Warning, summary: "The set defines the same object twice.", explanation: "Two documents have the same API group, kind, namespace and name (any kind: a Namespace or a Service too; the apiVersion's version does not count, and cluster-scoped kinds have no namespace); applying the set keeps only the last one, so the first silently disappears. Common when linting a folder of unrelated examples. The predictions do not pick one: a reference is accepted, a route attached and a namespace selected if any of the definitions would; when none would, what each says is reported. Documents without a name (generateName, kustomization files) are never duplicates.", example_fix: "Rename one of the objects, or delete the stale copy." },
    RuleDoc { id: "parent-not-in-set", severity: Severity::Note, summary: "A parentRef names a Gateway that is not in the linted files.", explanation: "The Gateway may exist in the cluster; if it does not, the route is silently ignored (no status at all).", example_fix: "Lint the Gateway together with the route, or check it with `kubectl get gateway -n NS NAME`." },
    RuleDoc { id: "no-matching-parent", severity: Severity::Error, summary: "The parentRef's sectionName or port names no listener.", explanation: "The Gateway has no listener of that name (or on that port), so a controller sets Accepted=False with reason NoMatchingParent.", example_fix: "parentRefs:\n- name: gw\n  sectionName: https   # an existing listener name" },
    RuleDoc { id: "route-not-allowed-by-listener", severity: Severity::Error, summary: "No listener of the Gateway admits this route.", explanation: "A listener's `allowedRoutes` decides which namespaces (Same by default, All, or a label Selector) and which kinds may attach. A controller sets Accepted=False with reason NotAllowedByListeners. ReferenceGrant has no say in attachment.", example_fix: "allowedRoutes:\n  namespaces:\n    from: Selector\n    selector:\n      matchLabels:\n        kubernetes.io/metadata.name: team-a" },
    RuleDoc { id: "route-namespace-unknown", severity: Severity::Note, summary: "Attachment depends on Namespace labels that are not in the set.", explanation: "The listener selects namespaces by label and the route's Namespace manifest is not among the linted files, so whether the route attaches cannot be known offline.", example_fix: "Lint the Namespace manifest too, or check its labels with kubectl." },
    RuleDoc { id: "no-matching-listener-hostname", severity: Severity::Error, summary: "No route hostname intersects a listener hostname.", explanation: "Listener `*.example.com` matches `a.example.com` and `a.b.example.com` but not `example.com`. With no intersection a controller sets Accepted=False with reason NoMatchingListenerHostname.", example_fix: "hostnames:\n- api.example.com   # under listener *.example.com" },
    RuleDoc { id: "backend-invalid-kind", severity: Severity::Error, summary: "A backendRef names a core kind other than Service.", explanation: "In the core group only Service is a valid backend; a controller sets ResolvedRefs=False with reason InvalidKind.", example_fix: "backendRefs:\n- kind: Service\n  name: api\n  port: 80" },
    RuleDoc { id: "certificate-invalid-kind", severity: Severity::Error, summary: "A certificateRef names a core kind other than Secret.", explanation: "Listener certificates come from Secrets; a controller sets ResolvedRefs=False with reason InvalidCertificateRef.", example_fix: "certificateRefs:\n- kind: Secret\n  name: example-com-cert" },
    RuleDoc { id: "backend-ref-not-permitted", severity: Severity::Error, summary: "A cross-namespace backendRef has no ReferenceGrant.", explanation: "A route may refer to a Service in another namespace only when a ReferenceGrant in that (target) namespace allows it, matching from group/kind/namespace and to group/kind (and name when set). Otherwise ResolvedRefs=False with reason RefNotPermitted.", example_fix: "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata:\n  name: allow-routes\n  namespace: backend-ns\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: HTTPRoute\n    namespace: app-ns\n  to:\n  - group: \"\"\n    kind: Service\n    name: api" },
    RuleDoc { id: "certificate-ref-not-permitted", severity: Severity::Error, summary: "A cross-namespace certificateRef has no ReferenceGrant.", explanation: "A Gateway listener may use a Secret of another namespace only when a ReferenceGrant in the Secret's namespace allows Gateways of the Gateway's namespace. Otherwise the listener gets ResolvedRefs=False with reason RefNotPermitted.", example_fix: "kind: ReferenceGrant\nmetadata:\n  namespace: certs\nspec:\n  from:\n  - group: gateway.networking.k8s.io\n    kind: Gateway\n    namespace: gateway-system\n  to:\n  - group: \"\"\n    kind: Secret" },
    RuleDoc { id: "backend-not-found", severity: Severity::Error, summary: "A backendRef names a Service that is not in the set.", explanation: "The set contains Services of that namespace but not this one, so it is likely a typo; a controller would set ResolvedRefs=False with reason BackendNotFound. Nothing is said when no Service of the namespace is in the set.", example_fix: "Check the Service name, or add the Service manifest." },
    RuleDoc { id: "backend-port-not-found", severity: Severity::Error, summary: "A backendRef names a port its Service does not have.", explanation: "When the Service is in the set, the backendRef `port` must be one of its `spec.ports[].port`. A controller finds no such backend and sets ResolvedRefs=False with reason BackendNotFound, and requests to it fail. The usual mistake is the container port: when the port is the `targetPort` of a Service port, the hint says which Service port to use.", example_fix: "# Service web: ports: [{port: 8080, targetPort: 800}]\nbackendRefs:\n- name: web\n  port: 8080   # not 800, the targetPort" },
    RuleDoc { id: "certificate-not-found", severity: Severity::Error, summary: "A certificateRef names a Secret that is not in the set.", explanation: "The set contains Secrets of that namespace but not this one; the listener would get ResolvedRefs=False with reason InvalidCertificateRef.", example_fix: "Check the Secret name, or add the Secret (or its Certificate)." },
    RuleDoc { id: "certificate-data-invalid", severity: Severity::Error, summary: "A referenced Secret or ConfigMap lacks the key a controller reads the certificate from.", explanation: "When the set holds the Secret or ConfigMap with its data, the keys a controller reads must be there: `tls.crt` and `tls.key` for a listener's certificate or the Gateway's backend client certificate, `ca.crt` for a CA bundle. Otherwise the listener gets ResolvedRefs=False (InvalidCertificateRef, or InvalidCACertificateRef for a CA), the Gateway InvalidClientCertificateRef, the BackendTLSPolicy InvalidCACertificateRef. A Secret written without data (filled in the cluster), SOPS-encrypted or with `${VAR}` placeholders is not judged.", example_fix: "kind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t...\n  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t..." },
    RuleDoc { id: "certificate-data-not-pem", severity: Severity::Note, summary: "A referenced Secret or ConfigMap holds certificate keys whose values are not PEM.", explanation: "`tls.crt` and `ca.crt` must hold PEM certificates and `tls.key` a PEM private key. Repositories often keep placeholders there, so this is a note: if the cluster gets this data, the controller sets ResolvedRefs=False (InvalidCertificateRef, InvalidCACertificateRef or InvalidClientCertificateRef).", example_fix: "tls.crt: the base64 of -----BEGIN CERTIFICATE-----..." },
    RuleDoc { id: "reference-grant-to-gateway", severity: Severity::Warning, summary: "A ReferenceGrant targets a Gateway.", explanation: "ReferenceGrant never permits a route to attach to a Gateway in another namespace; that is the job of the listener's `allowedRoutes`. The grant has no effect on attachment.", example_fix: "allowedRoutes:\n  namespaces:\n    from: All" },
    RuleDoc { id: "listenerset-not-allowed", severity: Severity::Error, summary: "The parent Gateway does not admit this ListenerSet.", explanation: "A ListenerSet joins its parent Gateway only where the Gateway's spec.allowedListeners.namespaces admits the ListenerSet's namespace (Same, All or a Selector); without allowedListeners a Gateway admits none. The ListenerSet gets Accepted=False with reason NotAllowed, and routes attached to it carry no traffic.", example_fix: "# on the parent Gateway\nspec:\n  allowedListeners:\n    namespaces:\n      from: Selector\n      selector:\n        matchLabels:\n          shared-gateway-access: \"true\"" },
    RuleDoc { id: "listenerset-namespace-unknown", severity: Severity::Note, summary: "Whether the parent Gateway admits this ListenerSet depends on Namespace labels not in the set.", explanation: "The Gateway's allowedListeners selector is evaluated on the ListenerSet's Namespace, which is not among the linted files; the analysis assumes it is admitted.", example_fix: "Lint the Namespace manifest together with the ListenerSet." },
    RuleDoc { id: "listenerset-listeners-not-valid", severity: Severity::Error, summary: "None of a ListenerSet's listeners is valid.", explanation: "Every listener of the ListenerSet conflicts with a listener of the Gateway or of an older ListenerSet (or has an unsupported protocol), so the ListenerSet gets Accepted=False with reason ListenersNotValid and carries no routes.", example_fix: "Move the listeners to ports and hostnames of their own." },
    RuleDoc { id: "gateway-listeners-not-valid", severity: Severity::Error, summary: "None of a Gateway's listeners is valid.", explanation: "Every listener of the Gateway has an unsupported protocol, a conflict, or no usable CA certificate for client validation; the Gateway gets Accepted=False with reason ListenersNotValid and carries no traffic. (With at least one valid listener it is accepted, and only the invalid listeners are reported.)", example_fix: "listeners:\n- name: http\n  protocol: HTTP\n  port: 80" },
    RuleDoc { id: "ca-certificate-invalid-kind", severity: Severity::Error, summary: "A CA certificate reference names a core kind other than ConfigMap or Secret.", explanation: "Frontend client-certificate validation (`spec.tls.frontend` of a Gateway) and a BackendTLSPolicy read the CA bundle from a ConfigMap (core support; Secrets are implementation-specific). Any other core kind makes the controller set ResolvedRefs=False: InvalidCACertificateKind on the listeners of that port, InvalidKind on the policy.", example_fix: "caCertificateRefs:\n- group: \"\"\n  kind: ConfigMap\n  name: client-ca" },
    RuleDoc { id: "ca-certificate-ref-not-permitted", severity: Severity::Error, summary: "A CA certificate in another namespace has no ReferenceGrant.", explanation: "A Gateway's frontend validation may read a CA bundle from another namespace only when a ReferenceGrant there permits Gateways of this namespace; otherwise the listeners of that port get ResolvedRefs=False with reason RefNotPermitted.", example_fix: "kind: ReferenceGrant\nmetadata: {namespace: pki}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: gateway-system}]\n  to: [{group: \"\", kind: ConfigMap}]" },
    RuleDoc { id: "ca-certificate-not-found", severity: Severity::Error, summary: "A CA certificate reference names a ConfigMap or Secret that is not in the set.", explanation: "Only said when the set holds other objects of that kind in the namespace. The listeners of that port (or the BackendTLSPolicy) get ResolvedRefs=False with reason InvalidCACertificateRef.", example_fix: "Check the name, or add the ConfigMap with the CA bundle under ca.crt." },
    RuleDoc { id: "no-valid-ca-certificate", severity: Severity::Error, summary: "None of the CA certificates of a client validation or BackendTLSPolicy resolves.", explanation: "When every caCertificateRef of a Gateway's frontend validation is invalid, the HTTPS listeners of that port get Accepted=False with reason NoValidCACertificate and carry no routes; when every one of a BackendTLSPolicy is, the policy gets Accepted=False with that reason and connections to its Services fail.", example_fix: "Fix the caCertificateRefs reported above." },
    RuleDoc { id: "frontend-validation-insecure-fallback", severity: Severity::Warning, summary: "Client certificate validation accepts clients without a valid certificate.", explanation: "`mode: AllowInsecureFallback` requests a client certificate but lets connections through without one or with one that fails validation; the controller sets the Gateway condition InsecureFrontendValidationMode=True (reason ConfigurationChanged).", example_fix: "validation:\n  mode: AllowValidOnly" },
    RuleDoc { id: "client-certificate-invalid-ref", severity: Severity::Error, summary: "The Gateway's backend client certificate is not a core Secret of the set.", explanation: "`spec.tls.backend.clientCertificateRef` must name a core Secret; another kind or group, or a Secret the set proves missing (it holds other Secrets of that namespace), makes the controller set the Gateway's ResolvedRefs=False with reason InvalidClientCertificateRef.", example_fix: "clientCertificateRef:\n  group: \"\"\n  kind: Secret\n  name: gateway-client-cert" },
    RuleDoc { id: "client-certificate-ref-not-permitted", severity: Severity::Error, summary: "The Gateway's backend client certificate is in another namespace without a ReferenceGrant.", explanation: "A Gateway may use a client certificate Secret of another namespace only when a ReferenceGrant there permits it; otherwise the Gateway gets ResolvedRefs=False with reason RefNotPermitted.", example_fix: "Add a ReferenceGrant in the Secret's namespace from the Gateway's namespace to the Secret." },
    RuleDoc { id: "parameters-ref-not-found", severity: Severity::Error, summary: "A parametersRef names a core object that is not in the set.", explanation: "A GatewayClass's `spec.parametersRef` or a Gateway's `spec.infrastructure.parametersRef` naming a ConfigMap (or Secret, Service) that the set proves missing (it holds others of that kind in the namespace) makes the controller set Accepted=False with reason InvalidParameters. Other kinds are the implementation's own and not judged.", example_fix: "Check the name, or add the ConfigMap with the parameters." },
    RuleDoc { id: "backend-tls-policy-conflicted", severity: Severity::Error, summary: "Two BackendTLSPolicies target the same Service port.", explanation: "When two policies target the same Service with the same sectionName (or both without one), the older one (creationTimestamp, then namespace/name) applies and the other gets Accepted=False with reason Conflicted. A policy with a sectionName and one without do not conflict.", example_fix: "Merge the policies, or give each targetRef a sectionName of its own." },
    RuleDoc { id: "listener-protocol-conflict", severity: Severity::Error, summary: "Two listeners on one port use protocols that cannot share it.", explanation: "Across a Gateway and its ListenerSets, listeners on the same port must be told apart: HTTPS and TLS by SNI hostname, UDP from the TCP-based protocols by transport; TCP and HTTP (or HTTP and HTTPS) on one port cannot be. The Gateway's own listeners win, then the oldest ListenerSet; the loser is Conflicted=True with reason ProtocolConflict and carries no routes.", example_fix: "- name: shop\n  protocol: HTTPS\n  port: 443   # not HTTP on the port a TCP listener holds" },
    RuleDoc { id: "listener-hostname-conflict", severity: Severity::Error, summary: "Two listeners take the same port, protocol and hostname.", explanation: "A ListenerSet listener with the same port, protocol and hostname as a listener of the Gateway or of an older ListenerSet is Conflicted=True with reason HostnameConflict and carries no routes.", example_fix: "Give the ListenerSet listener a hostname of its own (e.g. team.example.com)." },
    RuleDoc { id: "route-on-invalid-listener", severity: Severity::Error, summary: "A route attaches only to listeners that are not valid.", explanation: "Every listener the parentRef names is Conflicted, has an unsupported protocol, or belongs to a ListenerSet its Gateway does not admit, so the route carries no traffic through that parent. The listeners' own findings say what is wrong with them; the condition the controller sets on the route differs between implementations, so none is predicted.", example_fix: "Attach to a valid listener (sectionName), or fix the listener." },
    RuleDoc { id: "gateway-class-not-in-set", severity: Severity::Warning, summary: "A Gateway names a GatewayClass the set does not define, though it defines others.", explanation: "Only a GatewayClass whose controller runs gets its Gateways reconciled; a Gateway of another class stays without status and carries no traffic. When the set holds the cluster's GatewayClasses, a class outside them is usually a typo.", example_fix: "spec:\n  gatewayClassName: eg   # one of the set's GatewayClasses" },
    RuleDoc { id: "redirect-loop", severity: Severity::Error, summary: "A redirect sends its own requests back to itself.", explanation: "The traffic model follows the redirect: the Location it answers with reaches the same rule again (directly or through other redirects), so clients loop until they give up. The usual case is an HTTP-to-HTTPS redirect route attached to the whole Gateway: it also takes the HTTPS listener's traffic and redirects https to https. Nothing in the status shows it; the controller accepts both routes.", example_fix: "parentRefs:\n- name: gw\n  sectionName: http   # the redirect only on the HTTP listener" },
    RuleDoc { id: "shadowed-match", severity: Severity::Warning, summary: "A match never wins: an earlier rule of the same route has the same match.", explanation: "Across all rules of the routes on a listener and hostname, the spec orders matches by path, method, headers and query parameters, then by route age and name, then by rule order. An identical match in an earlier rule of the same route takes every request first, so this one never receives traffic.", example_fix: "Delete the duplicate match, or add the header, query parameter or method that tells the two apart." },
    RuleDoc { id: "conflicting-route-match", severity: Severity::Warning, summary: "Two routes have the same match on the same listener and hostname.", explanation: "Only one of them receives the requests: the spec gives them to the oldest route (creationTimestamp), then to the first by namespace/name. Which one wins depends on which was created first, which the files do not show; usually one of them is stale or both teams claim the same path.", example_fix: "Give each route its own hostname or path, or delete the stale route." },
    RuleDoc { id: "backends-all-weight-zero", severity: Severity::Error, summary: "Every backendRef of a rule has weight 0.", explanation: "Weights are shares (weight / sum of weights); weight 0 sends nothing to that backend. With all weights 0 the rule has nowhere to send what it matches, and the spec makes that an HTTP 500 for every such request.", example_fix: "backendRefs:\n- name: app\n  port: 8080\n  weight: 100\n- name: app-canary\n  port: 8080\n  weight: 0" },
    RuleDoc { id: "mirror-to-own-backend", severity: Severity::Warning, summary: "A RequestMirror sends copies to a backend the rule already forwards to.", explanation: "The mirrored copy and the real request reach the same Service, so it handles each mirrored request twice (and side effects happen twice). A mirror is meant for a shadow deployment.", example_fix: "filters:\n- type: RequestMirror\n  requestMirror:\n    backendRef:\n      name: app-shadow\n      port: 8080" },
    RuleDoc { id: "unused-reference-grant", severity: Severity::Note, summary: "No reference in the set needs this ReferenceGrant.", explanation: "Either it serves objects outside the linted files, or its from/to do not match what it was meant to allow (wrong kind, namespace or name).", example_fix: "Compare its from (group, kind, namespace of the referrer) and to (group, kind, name of the target) with the reference." },
    RuleDoc { id: "listener-invalid-route-kind", severity: Severity::Error, summary: "A listener's allowedRoutes.kinds names a route kind its protocol cannot carry.", explanation: "HTTP and HTTPS listeners carry HTTPRoute and GRPCRoute, TLS listeners TLSRoute (and TCPRoute), TCP listeners TCPRoute, UDP listeners UDPRoute. A kind outside that set makes the controller set the listener's ResolvedRefs=False with reason InvalidRouteKinds, and routes of that kind never attach there.", example_fix: "listeners:\n- name: tcp\n  protocol: TCP\n  port: 5432\n  allowedRoutes:\n    kinds:\n    - kind: TCPRoute" },
    RuleDoc { id: "feature-not-claimed", severity: Severity::Warning, summary: "The implementation's conformance report does not claim a feature the manifests use.", explanation: "With `--implementation NAME` (and always in `generate`), each feature used (request mirroring, method matches, path rewrites, redirects that change the scheme, timeouts, HTTPS listeners, RegularExpression paths, TCPRoute, …) is compared with what that implementation claims in the conformance report it submitted to the Gateway API project (the report is named in the message). An extended feature is claimed only when the report lists it as supported; a core feature is not claimed when the report skipped its test; a route kind needs the report's profile for it (GATEWAY-TCP, …). A feature not claimed may be rejected or accepted only partly (UnsupportedValue / PartiallyInvalid). No report measures RegularExpression paths, so they warn everywhere. Passing a kind's provisional tests without claiming its profile is a note.", example_fix: "Check the implementation's documentation, or express the route without the feature (e.g. PathPrefix instead of a regex)." },
    RuleDoc { id: "unknown-controller", severity: Severity::Note, summary: "The GatewayClass controllerName is not a known implementation.", explanation: "No known controller claims this class, so it stays Accepted=Unknown (Pending) unless a controller of that name runs in the cluster.", example_fix: "controllerName: gateway.envoyproxy.io/gatewayclass-controller" },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// The text of every Rust file at `path` under src/ (a file, or a folder searched
    /// recursively), but the rule tables themselves.
    fn sources(path: &str) -> Vec<(PathBuf, String)> {
        fn walk(path: &Path, out: &mut Vec<(PathBuf, String)>) {
            if path.is_dir() {
                for entry in std::fs::read_dir(path).unwrap() {
                    walk(&entry.unwrap().path(), out);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().unwrap() != "docs.rs"
            {
                out.push((path.to_path_buf(), std::fs::read_to_string(path).unwrap()));
            }
        }
        let mut out = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(path),
            &mut out,
        );
        assert!(!out.is_empty(), "no sources at src/{path}");
        out
    }

    fn is_kebab(literal: &str) -> bool {
        let parts: Vec<&str> = literal.split('-').collect();
        parts.len() > 1
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
    }

    /// Every kebab-case string literal in the lint sources is a rule id (that is the convention
    /// the rules follow), so this finds every id the linter can emit.
    fn lint_ids() -> BTreeSet<String> {
        let mut files = sources("lint");
        // The traffic model's lint rules.
        files.extend(sources("traffic/checks.rs"));
        let mut out: BTreeSet<String> = files
            .iter()
            .flat_map(|(_, text)| text.split('"').skip(1).step_by(2))
            .filter(|literal| is_kebab(literal))
            .map(str::to_string)
            .collect();
        // `lint --implementation` also emits the implementation presets' rule.
        out.insert(crate::implementation::RULE.to_string());
        out
    }

    /// The calls that make a finding outside lint, and which argument is the rule id:
    /// `Finding::new(severity, rule, message)`, convert's `Origin::finding(severity, rule, message)`,
    /// the request checks' `warn(rule, field, value, message, hint)` and the plan's
    /// `note(severity, rule, message)`.
    const EMITTERS: &[(&str, usize)] = &[
        ("Finding::new(", 1),
        (".finding(", 1),
        (".warn(", 0),
        (".note(", 1),
    ];

    /// The top-level arguments of the call whose argument list starts `text`, as written, up to
    /// the one at `index`.
    fn arguments(text: &str, index: usize) -> Vec<&str> {
        let bytes = text.as_bytes();
        let (mut depth, mut start, mut i, mut out) = (0, 0, 0, Vec::new());
        while i < bytes.len() && out.len() <= index {
            match bytes[i] {
                b'"' => {
                    i += 1;
                    while bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                // A char literal such as '(' or '\'', not a lifetime.
                b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
                b'\'' if bytes.get(i + 1) == Some(&b'\\') => i += 3,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => {
                    out.push(text[start..i].trim());
                    break;
                }
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => {
                    out.push(text[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// The rule ids the files at each path pass as string literals to the [`EMITTERS`], bind to
    /// `let rule` for them, or print in brackets. Unit tests build findings users never see, so
    /// their modules are left out.
    fn emitted_ids(paths: &[&str]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (file, text) in paths.iter().flat_map(|p| sources(p)) {
            let text = match text.find("\n#[cfg(test)]\nmod tests") {
                Some(tests) => &text[..tests],
                None => &text,
            };
            for (call, index) in EMITTERS {
                for (at, _) in text.match_indices(call) {
                    let args = arguments(&text[at + call.len()..], *index);
                    let Some(arg) = args.get(*index) else {
                        continue;
                    };
                    if let Some(id) = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
                        assert!(is_kebab(id), "{}: {call} with rule {arg}", file.display());
                        out.insert(id.to_string());
                    }
                }
            }
            for (at, binding) in text.match_indices("let rule = \"") {
                let rest = &text[at + binding.len()..];
                out.insert(rest[..rest.find('"').unwrap()].to_string());
            }
            // A message that spells out `note[ID]` itself, not through a Finding.
            for word in ["error[", "warning[", "note["] {
                for (at, _) in text.match_indices(word) {
                    let rest = &text[at + word.len()..];
                    let id = &rest[..rest.find(']').unwrap_or(0)];
                    if is_kebab(id) {
                        out.insert(id.to_string());
                    }
                }
            }
        }
        out
    }

    fn ids(rules: &[RuleDoc]) -> BTreeSet<String> {
        rules.iter().map(|r| r.id.to_string()).collect()
    }

    fn table(command: &str) -> &'static [RuleDoc] {
        rule_tables()
            .into_iter()
            .find(|t| t.command == command)
            .unwrap()
            .rules
    }

    /// The ids a command's checks emit are exactly those its table documents: none without
    /// docs, no docs of an id nothing emits.
    fn assert_documented(command: &str, emitted: &BTreeSet<String>, at_least: usize) {
        assert!(
            emitted.len() >= at_least,
            "the scan found too few ids of {command}: {emitted:?}"
        );
        let documented = ids(table(command));
        let undocumented: Vec<_> = emitted.difference(&documented).collect();
        let unused: Vec<_> = documented.difference(emitted).collect();
        assert!(
            undocumented.is_empty(),
            "{command} rules without docs: {undocumented:?}"
        );
        assert!(
            unused.is_empty(),
            "docs of {command} rules never emitted: {unused:?}"
        );
    }

    #[test]
    fn every_emitted_rule_is_documented_and_every_doc_is_used() {
        assert_documented("lint", &lint_ids(), 40);
        assert_documented(
            "generate",
            &emitted_ids(&[
                "request",
                "request.rs",
                "plan",
                "cluster",
                "generate.rs",
                "cli",
            ]),
            15,
        );
        assert_documented("convert", &emitted_ids(&["convert"]), 30);
    }

    /// Outside the tables' own folders too (a new door, the implementation presets), any rule a
    /// call names is one `lint --explain` knows.
    #[test]
    fn every_rule_named_anywhere_is_documented() {
        let everywhere = emitted_ids(&[""]);
        assert!(everywhere.len() > 50, "{everywhere:?}");
        let unknown: Vec<_> = everywhere
            .iter()
            .filter(|id| explain(id).is_none())
            .collect();
        assert!(unknown.is_empty(), "rules without docs: {unknown:?}");
    }

    #[test]
    fn the_scan_reads_arguments_as_rust_does() {
        assert_eq!(
            arguments("s, \"a-b\", format!(\"x({})\", ')'), y)", 1),
            ["s", "\"a-b\""]
        );
        assert_eq!(
            arguments("')', \"q\\\"(\", [1, 2]) + 1", 2),
            ["')'", "\"q\\\"(\"", "[1, 2]"]
        );
        let text = "c.warn(\n  \"header-match-case\",\n  &field,\n);\nFinding::new(sev, rule, m);\nlet rule = \"cluster-x\";";
        let [call, new] =
            [".warn(", "Finding::new("].map(|c| &text[text.find(c).unwrap() + c.len()..]);
        assert_eq!(arguments(call, 0), ["\"header-match-case\""]);
        assert_eq!(arguments(new, 1), ["sev", "rule"]);
    }

    #[test]
    fn ids_are_unique_and_convert_owns_its_prefix() {
        let mut all = BTreeSet::new();
        for t in rule_tables() {
            for r in t.rules {
                assert!(all.insert(r.id), "{} documented twice", r.id);
                // `convert --strict` counts the conversion's own findings by this prefix.
                assert_eq!(
                    r.id.starts_with("convert-"),
                    t.command == "convert",
                    "{}",
                    r.id
                );
            }
        }
        assert_eq!(lookup("header-match-case").unwrap().0, "generate");
        assert_eq!(lookup("convert-not-equivalent").unwrap().0, "convert");
        assert_eq!(lookup("yaml-syntax").unwrap().0, "lint");
    }

    #[test]
    fn docs_are_complete() {
        for t in rule_tables() {
            for r in t.rules {
                assert!(
                    !r.summary.is_empty() && !r.explanation.is_empty() && !r.example_fix.is_empty(),
                    "{}",
                    r.id
                );
            }
        }
        assert_eq!(
            explain("redirect-with-backends").unwrap().severity,
            Severity::Error
        );
        assert_eq!(
            explain("one-namespace-admitted").unwrap().severity,
            Severity::Note
        );
        assert!(explain("no-such-rule").is_none());
    }
}
