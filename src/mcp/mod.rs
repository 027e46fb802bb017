//! The AI-assistant door: `traffic-engineer mcp` serves the Model Context Protocol over stdio.
//! Each tool deserializes its arguments into the same [`Request`](crate::request::Request) the
//! other doors build (unknown fields are errors) and calls the same library functions; this module
//! only handles arguments, the folder the server may touch ([`root`]) and missing values
//! ([`missing`]). Stdout carries protocol messages only; anything for a person goes to stderr.

mod framing;
mod missing;
mod root;
mod tools;

use std::path::Path;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool_handler, ServerHandler, ServiceExt};

use crate::context::Profiles;
use crate::render::Templates;

pub use root::Root;

/// What an assistant reads before its first call (the `instructions` of `initialize`).
const INSTRUCTIONS: &str = "\
traffic-engineer generates, diffs and lints Kubernetes Gateway API (v1.6.1) manifests.

1. Choose the deployment context first (`list_contexts`): single-dev (Gateway + route in the app's \
namespace), shared-gateway (route only, attached to an existing Gateway: its name and namespace are \
needed), platform-team (Gateway with allowedRoutes for other namespaces), cross-namespace (routes \
plus the ReferenceGrants for backends in other namespaces). Ask the user when unsure; never guess.
2. Call `generate` with a request (see its input schema). If values are missing, the result lists \
each one with a question: ask the user, then call again with the answers in the request.
3. `diff` shows what would change in a folder (relative to the server's root); `write` writes the \
files (atomically, all or nothing; `overwrite: true` to replace changed files).
4. `lint` checks any manifests (YAML text or files under the root) and predicts controller status.
5. `trace` follows one request (`url`, `method`, `headers`) through manifests: listener, winning \
route and rule, filters, backends and their shares, or the redirect, 404 or 500. `test` checks a \
list of such requests against what must happen. Use them to prove the manifests route as the user \
asked, not only that they are accepted.
6. `convert` turns Ingress (ingress-nginx) and Traefik IngressRoute manifests into Gateway API for \
a context; its findings name what could not be carried over.

Rule: a route in another namespace attaches to a Gateway when the listener's `allowedRoutes` admits \
that namespace; a ReferenceGrant never allows that. ReferenceGrants are only for backendRefs and \
certificateRefs that cross namespaces, and live in the target's namespace.";

/// The MCP server: the library's operations as tools, confined to `root`.
pub struct Server {
    root: Root,
    profiles: Profiles,
    templates: Templates,
    tool_router: ToolRouter<Server>,
}

impl Server {
    pub fn new(root: Root, profiles: Profiles, templates: Templates) -> Server {
        Server {
            root,
            profiles,
            templates,
            tool_router: Server::tool_router(),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "traffic-engineer",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(INSTRUCTIONS)
    }
}

/// Serves MCP on stdin/stdout until the client closes the connection.
pub fn serve(root: &Path, profiles: Profiles, templates: Templates) -> Result<(), String> {
    let root = Root::new(root).map_err(|e| format!("--root {}: {e}", root.display()))?;
    eprintln!(
        "traffic-engineer mcp: serving on stdio; files confined to {}",
        root.path().display()
    );
    let server = Server::new(root, profiles, templates);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    runtime.block_on(async {
        let (reader, writer, stdout) = framing::stdio();
        let service = server
            .serve((reader, writer))
            .await
            .map_err(|e| format!("cannot start the MCP session: {e}"))?;
        let ended = service
            .waiting()
            .await
            .map(drop)
            .map_err(|e| format!("the MCP session failed: {e}"));
        // The server's side is closed now: let the last answers reach stdout.
        let _ = stdout.await;
        ended
    })
}
