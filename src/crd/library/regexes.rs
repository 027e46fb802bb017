//! The `regex` library (`find`, `findAll`): k8s.io/apiserver/pkg/cel/library/regex.go; and the
//! standard `matches`, with its patterns compiled once.

use super::*;
use cel::common::ast::{CallExpr, Expr};
use cel::parser::{Macro, MacroExprHelper, ParseError};
use cel::IdedExpr;
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// How many compiled patterns are kept: a CRD set has few distinct ones,
/// evaluated for every object, and the cache is emptied when full rather
/// than grow with patterns built from the objects themselves.
const CACHE_SIZE: usize = 256;

/// The function `matches` calls are rewritten to call: a name no rule can spell.
const MATCHES: &str = "@matches";

pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    // The standard `matches` compiles its pattern on every call, which made it the costliest
    // function the CRDs call; it can't be replaced, so its calls are routed to a cached one.
    env.add_macro(Macro::receiver("matches", 1, route_matches))?;
    env.add_macro(Macro::global("matches", 2, route_matches))?;
    env.add_member_overload(
        MATCHES,
        "@dyn.matches(dyn)",
        DYN_TYPE,
        vec![DYN_TYPE],
        member_matches,
    )?;
    env.add_overload(
        MATCHES,
        "@matches(dyn,dyn)",
        vec![DYN_TYPE, DYN_TYPE],
        global_matches,
    )?;
    cel::add_member_overload!(env, fn find: (CelString, CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn find_all: (CelString, CelString) -> Result<CelList>)?;
    cel::add_member_overload!(env,
        fn find_all_n: (CelString, CelString, CelInt) -> Result<CelList>,
        name = "findAll")?;
    Ok(())
}

/// `s.matches(re)` and `matches(s, re)` as the same call of [`MATCHES`].
fn route_matches(
    helper: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<Option<IdedExpr>, ParseError> {
    Ok(Some(helper.next_expr(Expr::Call(CallExpr {
        func_name: MATCHES.to_string(),
        target: target.take().map(Box::new),
        args: std::mem::take(args),
    }))))
}

fn member_matches<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    matches(args, true)
}

fn global_matches<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    matches(args, false)
}

/// `<string>.matches(<regex>)` or `matches(<string>, <regex>)`: whether the
/// regex matches somewhere in the string. Declared for any values so that
/// others get the standard function's errors, under its name.
fn matches<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    member: bool,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [this, pattern] = take_args(args)?;
    let (Some(text), Some(pattern)) = (
        this.downcast_ref::<CelString>(),
        pattern.downcast_ref::<CelString>(),
    ) else {
        let types = [this.as_ref(), pattern.as_ref()]
            .iter()
            .map(|value| value.get_type().name().to_owned())
            .collect();
        return Err(match member {
            true => ExecutionError::no_such_member_overload("matches", types),
            false => ExecutionError::no_such_overload("matches", types),
        });
    };
    let regex = compiled(pattern.inner()).map_err(|error| ExecutionError::FunctionError {
        function: "matches".to_string(),
        message: format!("'{}' not a valid regex:\n{error}", pattern.inner()),
    })?;
    Ok(CowVal::owned(CelBool::from(regex.is_match(text.inner()))))
}

/// A pattern of `find` or `findAll`, compiled.
fn find_regex(function: &str, pattern: &str) -> Result<Arc<Regex>, ExecutionError> {
    compiled(pattern).map_err(|error| {
        ExecutionError::function_error(function, format!("Illegal regex: {error}"))
    })
}

/// `pattern` compiled, from the cache if it was already: cel-go compiles
/// a constant pattern once, when the program is built.
fn compiled(pattern: &str) -> Result<Arc<Regex>, regex::Error> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(regex) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(pattern)
    {
        return Ok(Arc::clone(regex));
    }
    let regex = Arc::new(Regex::new(pattern)?);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= CACHE_SIZE {
        cache.clear();
    }
    cache.insert(pattern.to_owned(), Arc::clone(&regex));
    Ok(regex)
}

/// `<string>.find(<regex>)`: the first match, or `''`.
fn find(
    this: &CelString<'_>,
    pattern: &CelString<'_>,
) -> Result<CelString<'static>, ExecutionError> {
    let regex = find_regex("find", pattern.inner())?;
    Ok(regex
        .find(this.inner())
        .map_or_else(String::new, |m| m.as_str().to_owned())
        .into())
}

/// `<string>.findAll(<regex>)`: every match, as Go's `FindAllString`
/// (which `find_iter` matches: an empty match right after another isn't
/// one).
fn find_all(
    this: &CelString<'_>,
    pattern: &CelString<'_>,
) -> Result<CelList<'static>, ExecutionError> {
    find_all_n(this, pattern, &CelInt::from(-1))
}

/// `<string>.findAll(<regex>, <limit>)`: at most `limit` matches, all of
/// them when it is negative.
fn find_all_n(
    this: &CelString<'_>,
    pattern: &CelString<'_>,
    limit: &CelInt,
) -> Result<CelList<'static>, ExecutionError> {
    let regex = find_regex("findAll", pattern.inner())?;
    let limit = usize::try_from(*limit.inner()).unwrap_or(usize::MAX);
    Ok(string_list(
        regex
            .find_iter(this.inner())
            .take(limit)
            .map(|m| m.as_str().to_owned()),
    ))
}
