//! RBAC for Gateway API's role separation: the cluster admin manages GatewayClasses (a ClusterRole),
//! the platform team manages Gateways in the Gateway's namespace, application developers manage
//! the kinds of routes the request generates in their namespace. Each role is bound to a group the
//! user names (`--rbac-group`).

use super::{Planner, Resource};
use crate::model::*;
use crate::spec::GROUP;
use std::collections::{BTreeMap, BTreeSet};

const RBAC_API: &str = "rbac.authorization.k8s.io/v1";
const ROUTES: [&str; 5] = [
    "httproutes",
    "grpcroutes",
    "tlsroutes",
    "tcproutes",
    "udproutes",
];
const VERBS: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];

fn rule(resources: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: vec![GROUP.to_string()],
        resources: resources.iter().map(|r| r.to_string()).collect(),
        verbs: VERBS.iter().map(|v| v.to_string()).collect(),
    }
}

fn object(name: &str, namespace: Option<&str>, content: Content) -> Object {
    Object::new(RBAC_API.to_string(), name, namespace, content)
}

impl Planner<'_> {
    /// The group bound for `persona`: the one asked for, or a default named after the persona.
    fn group(&self, persona: &str, default: String) -> Vec<Subject> {
        let name = self
            .request
            .options
            .rbac_groups
            .get(persona)
            .cloned()
            .unwrap_or(default);
        vec![Subject {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Group".into(),
            name,
        }]
    }

    /// A role and its binding, in `folder`.
    fn role(
        &self,
        name: &str,
        namespace: Option<&str>,
        rules: Vec<PolicyRule>,
        subjects: Vec<Subject>,
        folder: &str,
    ) -> [Resource; 2] {
        let (role, binding, kind) = match namespace {
            Some(_) => (Content::Role { rules }, "RoleBinding", "Role"),
            None => (
                Content::ClusterRole { rules },
                "ClusterRoleBinding",
                "ClusterRole",
            ),
        };
        let role_ref = RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: kind.into(),
            name: name.into(),
        };
        let binding = match binding {
            "RoleBinding" => Content::RoleBinding { role_ref, subjects },
            _ => Content::ClusterRoleBinding { role_ref, subjects },
        };
        [
            Resource {
                object: object(name, namespace, role),
                folder: folder.to_string(),
            },
            Resource {
                object: object(name, namespace, binding),
                folder: folder.to_string(),
            },
        ]
    }

    /// Roles for the personas owning `resources`: GatewayClass, Gateway and route namespaces.
    pub(super) fn rbac(&mut self, resources: &[Resource]) -> Vec<Resource> {
        let mut out = Vec::new();
        let kinds: BTreeSet<&str> = resources.iter().map(|r| r.object.kind.as_str()).collect();
        if kinds.contains("GatewayClass") {
            let subjects = self.group("cluster-admin", "gateway-api-cluster-admins".into());
            out.extend(self.role(
                "gateway-api-cluster-admin",
                None,
                vec![rule(&["gatewayclasses"])],
                subjects,
                "cluster-admin",
            ));
        }
        if let Some(gateway) = resources.iter().find(|r| r.object.kind == "Gateway") {
            let subjects = self.group("platform", "platform-team".into());
            let rules = vec![rule(&["gateways", "referencegrants"])];
            out.extend(self.role(
                "gateway-api-platform",
                Some(&self.gateway_namespace),
                rules,
                subjects,
                &gateway.folder,
            ));
        }
        // Per namespace, the route kinds generated there: app developers get those, no others.
        let mut route_namespaces: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for r in resources {
            let plural = format!("{}s", r.object.kind.to_lowercase());
            if let (true, Some(ns)) = (
                ROUTES.contains(&plural.as_str()),
                r.object.metadata.namespace.as_deref(),
            ) {
                route_namespaces.entry(ns).or_default().insert(plural);
            }
        }
        for (ns, kinds) in route_namespaces {
            let subjects = self.group("app", format!("{ns}-developers"));
            let kinds: Vec<&str> = ROUTES
                .iter()
                .copied()
                .filter(|k| kinds.contains(*k))
                .collect();
            out.extend(self.role(
                "gateway-api-routes",
                Some(ns),
                vec![rule(&kinds)],
                subjects,
                ns,
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::context::Profiles;
    use crate::generate::generate;
    use crate::render::Templates;

    /// The `resources` of the Role of the app persona in `request`'s output.
    fn app_role_resources(request: &str) -> Vec<String> {
        let request = crate::request::from_text(request, "request.yaml").unwrap();
        let bundle = generate(
            &request,
            &Profiles::built_in(),
            &Templates::load(None).unwrap(),
        )
        .unwrap();
        let role = bundle
            .documents
            .iter()
            .find(|d| d.kind == "Role" && d.name == "gateway-api-routes")
            .expect("an app Role");
        let resources = &role.value["rules"][0]["resources"];
        serde_json::from_value(resources.clone()).unwrap()
    }

    #[test]
    fn app_developers_get_only_the_route_kinds_the_request_uses() {
        let http = "context: single-dev\nservice: web\nport: 80\noptions: {rbac: true}\n";
        assert_eq!(app_role_resources(http), ["httproutes"]);
        let grpc = "context: single-dev\nservice: web\nport: 80\noptions: {rbac: true}\nroutes:\n- kind: GRPCRoute\n  rules: [{backends: [{name: web}]}]\n- kind: HTTPRoute\n  rules: [{backends: [{name: web}]}]\n";
        assert_eq!(app_role_resources(grpc), ["httproutes", "grpcroutes"]);
    }
}
