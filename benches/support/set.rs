//! The benchmark set: one shared Gateway and 10,000 HTTPRoutes, each on its own hostname.

pub const ROUTES: usize = 10_000;

pub const GATEWAY: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: shared
  namespace: infra
spec:
  gatewayClassName: eg
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    hostname: \"*.example.com\"
    tls:
      certificateRefs:
      - name: wildcard-example-com
    allowedRoutes:
      namespaces:
        from: All
";

pub fn route(i: usize) -> String {
    format!(
        "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: route-{i}
  namespace: team-{team}
spec:
  parentRefs:
  - name: shared
    namespace: infra
    sectionName: https
  hostnames:
  - app-{i}.example.com
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /api/v{i}
      headers:
      - name: X-Env
        value: canary
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - name: X-Route
          value: route-{i}
    backendRefs:
    - name: api
      port: 8080
      weight: 90
    - name: api-canary
      port: 8080
      weight: 10
",
        team = i % 50
    )
}
