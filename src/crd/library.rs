//! The Kubernetes CEL library (interim: the functions the Gateway API CRDs call).

use std::net::IpAddr;
use std::sync::Arc;

use cel::extractors::This;
use cel::objects::{Opaque, OptionalValue};
use cel::{Context, Env, ExecutionError, Value as Cel};

/// Registers the compile-time parts of the library on `env`.
pub fn register(env: &mut Env) {
    cel::extensions::strings(env).expect("registering the strings extension");
}

/// The root evaluation context over `env`, with the library's functions.
pub fn context(env: Arc<Env>) -> Context<'static, 'static> {
    let mut context = Context::with_env(env);
    context
        .add_function("isIP", |address: Arc<String>| is_ip(&address))
        .expect("registering isIP");
    context
        .add_function("format.dns1123Label", || -> Arc<dyn Opaque> {
            Arc::new(NamedFormat("dns1123Label"))
        })
        .expect("registering format.dns1123Label");
    context
        .add_function("validate", format_validate)
        .expect("registering validate");
    context
}

fn is_ip(address: &str) -> bool {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => true,
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().is_none(),
        Err(_) => false,
    }
}

#[derive(Debug, PartialEq, Eq)]
struct NamedFormat(&'static str);

impl Opaque for NamedFormat {
    fn runtime_type_name(&self) -> &str {
        "kubernetes.NamedFormat"
    }
}

fn format_validate(
    This(format): This<Arc<dyn Opaque>>,
    value: Arc<String>,
) -> Result<Cel, ExecutionError> {
    let format = format
        .downcast_ref::<NamedFormat>()
        .ok_or_else(|| ExecutionError::function_error("validate", "not a format"))?;
    let valid = match format.0 {
        "dns1123Label" => crate::spec::dns_label(&value).is_ok(),
        other => {
            return Err(ExecutionError::function_error(
                "validate",
                format!("unknown format {other}"),
            ))
        }
    };
    let optional = if valid {
        OptionalValue::none()
    } else {
        OptionalValue::of(Cel::List(Arc::new(vec![Cel::from("invalid")])))
    };
    Ok(Cel::Opaque(Arc::new(optional)))
}
