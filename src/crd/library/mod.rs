//! The Kubernetes CEL library, for the `cel` crate: the functions the
//! apiserver adds to CEL for the `x-kubernetes-validations` rules of CRDs,
//! following `k8s.io/apiserver/pkg/cel/library` (and the `net/url`,
//! `net/netip`, `resource.Quantity`, apimachinery validation and `strfmt`
//! code it calls), so that a rule accepts and rejects what a cluster would.
//!
//! [`register`] declares them on a [`cel::Env`], once: the overloads live in
//! the `Env`, and each [`cel::Context`] built from it with
//! [`cel::Context::with_env`] only adds variables (`self`, `oldSelf`). `Env`,
//! [`cel::Program`] and `Context` are `Send + Sync`, so one `Arc<Env>` and its
//! compiled programs can be shared by threads, each evaluating with its own
//! cheap `Context`.
//!
//! Values of the library's own types (`net.IP`, `net.CIDR`, `kubernetes.URL`,
//! `kubernetes.Quantity`, `kubernetes.NamedFormat`, `kubernetes.Semver`) are
//! opaque: a rule can compare them, pass them to the library's functions and
//! name their types (`type(x) == net.IP`), but [`cel::Program::execute`] can't
//! hand one back as a [`cel::Value`]; rules evaluate to `bool`s (and message
//! expressions to strings), so that never arises for them.

use cel::common::functions::Function;
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelOptional, CelString, Kind, Type,
    DYN_TYPE, LIST_TYPE,
};
use cel::common::value::{CowVal, StaticVal, Val};
use cel::{DeclarationError, Env, ExecutionError};
use std::any::Any;
use std::cmp::Ordering;

/// Registers the Kubernetes CEL library on `env`, an [`Env::stdlib`] (whose
/// optional values the `format` library needs): cel-go's strings extension
/// (`ext.Strings`, which Kubernetes enables) and the apiserver's `lists`,
/// `regex`, `urls`, `ip`, `cidr`, `quantity`, `format` and `semver`
/// libraries. Call it once per `Env`; it also fits [`Env::add_extension`].
///
/// Programs must be compiled with [`Env::compile`] of that `Env` (not
/// [`cel::Program::compile`]), and evaluated with a `Context` made from it.
///
/// # Errors
///
/// Fails with [`DeclarationError::DuplicateOverload`] when `env` already
/// declares one of these overloads, as when called twice, or after adding
/// `cel::extensions::strings`.
pub fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_extension(cel::extensions::strings)?;
    lists::register(env)?;
    regexes::register(env)?;
    urls::register(env)?;
    net::register(env)?;
    quantity::register(env)?;
    formats::register(env)?;
    semver::register(env)?;
    Ok(())
}

/// Implements `Val` for one of the library's types, of the opaque CEL type
/// `$cel_type`: values compare with the type's `PartialEq`, which follows the
/// `Equal` of the matching `k8s.io/apiserver/pkg/cel` type.
macro_rules! opaque_val {
    ($ty:ty, $cel_type:expr) => {
        impl Val for $ty {
            fn get_type(&self) -> &Type {
                $cel_type
            }

            fn cel_type() -> &'static Type {
                $cel_type
            }

            fn equals(&self, other: &dyn Val) -> bool {
                other
                    .downcast_ref::<$ty>()
                    .is_some_and(|other| self == other)
            }

            fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v> {
                Box::new(self.clone())
            }

            fn as_any(&self) -> Option<&dyn Any> {
                Some(self)
            }
        }

        impl StaticVal for $ty {}
    };
}

/// `args` as the `N` arguments of an overload: the dispatcher only calls one
/// with as many as it was declared with, so the error is defensive.
fn take_args<'b, 'v, const N: usize>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<[CowVal<'b, 'v>; N], ExecutionError> {
    args.try_into()
        .map_err(|args: Vec<_>| ExecutionError::invalid_argument_count(N, args.len()))
}

/// The error of a member function called on values it has no overload for,
/// as cel-go reports a `no such overload`.
fn no_member_overload(function: &str, values: &[&dyn Val]) -> ExecutionError {
    ExecutionError::no_such_member_overload(
        function,
        values
            .iter()
            .map(|value| value.get_type().name().to_owned())
            .collect(),
    )
}

/// A CEL `list(string)`.
fn string_list(items: impl IntoIterator<Item = String>) -> CelList<'static> {
    items
        .into_iter()
        .map(|item| Box::new(CelString::from(item)) as Box<dyn Val>)
        .collect::<Vec<_>>()
        .into()
}

/// `s` quoted as Go's `strconv.Quote` (`%q`) does, so that error messages
/// read as the apiserver's.
fn go_quote(s: &str) -> String {
    let mut quoted = String::with_capacity(s.len() + 2);
    quoted.push('"');
    for c in s.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\x07' => quoted.push_str("\\a"),
            '\x08' => quoted.push_str("\\b"),
            '\x0c' => quoted.push_str("\\f"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\x0b' => quoted.push_str("\\v"),
            c if c.is_control() && (c as u32) < 0x80 => {
                quoted.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => quoted.push_str(&format!("\\u{:04x}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

// After the helpers: the macros above are in scope of these modules only if declared first.
mod formats;
mod lists;
mod net;
mod quantity;
mod regexes;
mod semver;
mod urls;

#[cfg(test)]
mod tests;

/// The string formats the OpenAPI `format` keyword shares with the `format` library.
pub(super) use formats::{
    is_base64, is_date, is_datetime, is_uuid, label_key_errors, label_value_errors,
};
