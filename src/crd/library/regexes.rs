//! The `regex` library (`find`, `findAll`): k8s.io/apiserver/pkg/cel/library/regex.go.

use super::*;
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// How many compiled patterns are kept: a CRD set has few distinct ones,
/// evaluated for every object, and the cache is emptied when full rather
/// than grow with patterns built from the objects themselves.
const CACHE_SIZE: usize = 256;

pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    cel::add_member_overload!(env, fn find: (CelString, CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn find_all: (CelString, CelString) -> Result<CelList>)?;
    cel::add_member_overload!(env,
        fn find_all_n: (CelString, CelString, CelInt) -> Result<CelList>,
        name = "findAll")?;
    Ok(())
}

/// `pattern` compiled, from the cache if it was already: cel-go compiles
/// a constant pattern once, when the program is built.
fn compiled(function: &str, pattern: &str) -> Result<Arc<Regex>, ExecutionError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(regex) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(pattern)
    {
        return Ok(Arc::clone(regex));
    }
    let regex = Arc::new(Regex::new(pattern).map_err(|error| {
        ExecutionError::function_error(function, format!("Illegal regex: {error}"))
    })?);
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
    let regex = compiled("find", pattern.inner())?;
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
    let regex = compiled("findAll", pattern.inner())?;
    let limit = usize::try_from(*limit.inner()).unwrap_or(usize::MAX);
    Ok(string_list(
        regex
            .find_iter(this.inner())
            .take(limit)
            .map(|m| m.as_str().to_owned()),
    ))
}
