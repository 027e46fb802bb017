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

/// Whether `value` is a lowercase RFC 1123 label, as apimachinery's
/// `validation.IsDNS1123Label` checks it (and `format.dns1123Label()`): at
/// most 63 bytes of `[a-z0-9-]`, starting and ending with an alphanumeric.
/// Most object names (namespaces, services, ...) must be one.
pub fn is_dns1123_label(value: &str) -> bool {
    value.len() <= formats::DNS1123_LABEL_MAX_LENGTH && formats::matches_dns1123_label(value)
}

/// Whether `value` is a lowercase RFC 1123 subdomain, as apimachinery's
/// `validation.IsDNS1123Subdomain` checks it (and
/// `format.dns1123Subdomain()`): at most 253 bytes of RFC 1123 labels joined
/// by dots. Most object names (ConfigMaps, Gateways, HTTPRoutes, ...) must be
/// one.
pub fn is_dns1123_subdomain(value: &str) -> bool {
    value.len() <= formats::DNS1123_SUBDOMAIN_MAX_LENGTH
        && formats::matches_dns1123_subdomain(value)
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// lists: k8s.io/apiserver/pkg/cel/library/lists.go
// ---------------------------------------------------------------------------

mod lists {
    use super::*;

    /// The element kinds cel-go declares `isSorted`, `min` and `max` for.
    const COMPARABLE: [Kind; 8] = [
        Kind::Int,
        Kind::UInt,
        Kind::Double,
        Kind::Boolean,
        Kind::Duration,
        Kind::Timestamp,
        Kind::String,
        Kind::Bytes,
    ];

    /// The element kinds cel-go declares `sum` for.
    const SUMMABLE: [Kind; 4] = [Kind::Int, Kind::UInt, Kind::Double, Kind::Duration];

    pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
        // By hand, as the macros would downcast the receiver to a `CelList`:
        // these take any `list`, like the stdlib's list overloads.
        env.add_member_overload("isSorted", "list.isSorted()", LIST_TYPE, vec![], is_sorted)?;
        env.add_member_overload("sum", "list.sum()", LIST_TYPE, vec![], sum)?;
        env.add_member_overload("min", "list.min()", LIST_TYPE, vec![], min)?;
        env.add_member_overload("max", "list.max()", LIST_TYPE, vec![], max)?;
        env.add_member_overload(
            "indexOf",
            "list.indexOf(dyn)",
            LIST_TYPE,
            vec![DYN_TYPE],
            index_of,
        )?;
        env.add_member_overload(
            "lastIndexOf",
            "list.lastIndexOf(dyn)",
            LIST_TYPE,
            vec![DYN_TYPE],
            last_index_of,
        )?;
        Ok(())
    }

    /// The elements of any `list`.
    fn elements<'a, 'v>(
        function: &str,
        list: &'a (dyn Val + 'v),
    ) -> Result<Vec<&'a (dyn Val + 'v)>, ExecutionError> {
        let iterable = list
            .as_iterable()
            .ok_or_else(|| no_member_overload(function, &[list]))?;
        let mut items = iterable.iter();
        let mut elements = Vec::new();
        while let Some(item) = items.next() {
            elements.push(item);
        }
        Ok(elements)
    }

    /// The elements of `list`, all of one of `kinds`: cel-go declares the
    /// function for lists of those only.
    fn elements_of<'a, 'v>(
        function: &str,
        list: &'a (dyn Val + 'v),
        kinds: &[Kind],
    ) -> Result<Vec<&'a (dyn Val + 'v)>, ExecutionError> {
        let items = elements(function, list)?;
        match items
            .iter()
            .find(|item| !kinds.contains(&item.get_type().kind()))
        {
            Some(item) => Err(no_member_overload(function, &[list, *item])),
            None => Ok(items),
        }
    }

    fn compare(function: &str, a: &dyn Val, b: &dyn Val) -> Result<Ordering, ExecutionError> {
        a.as_comparer()
            .ok_or_else(|| no_member_overload(function, &[a, b]))?
            .compare(b)
    }

    /// `<list>.isSorted()`: whether each element is at most the next.
    fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
        let [list] = take_args(args)?;
        let items = elements_of("isSorted", list.as_ref(), &COMPARABLE)?;
        for pair in items.windows(2) {
            if compare("isSorted", pair[0], pair[1])? == Ordering::Greater {
                return Ok(CowVal::owned(CelBool::from(false)));
            }
        }
        Ok(CowVal::owned(CelBool::from(true)))
    }

    /// `<list>.sum()`: the sum of the numbers or durations, `0` for an empty
    /// list (cel-go returns the zero of the list's static type, which an
    /// untyped empty list doesn't have: `0` is what it returns for `[]`).
    fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
        let [list] = take_args(args)?;
        let items = elements_of("sum", list.as_ref(), &SUMMABLE)?;
        let Some((first, rest)) = items.split_first() else {
            return Ok(CowVal::owned(CelInt::from(0)));
        };
        let mut total: Box<dyn Val + 'v> = first.clone_as_boxed();
        for item in rest {
            let next = total
                .as_adder()
                .ok_or_else(|| no_member_overload("sum", &[list.as_ref(), *item]))?
                .add(*item)?
                .into_owned();
            total = next;
        }
        Ok(CowVal::Owned(total))
    }

    /// The first element no other is `replace_when` than: the first smallest
    /// for `Greater`, the first largest for `Less`, as in cel-go.
    fn extreme<'b, 'v>(
        function: &str,
        args: Vec<CowVal<'b, 'v>>,
        replace_when: Ordering,
    ) -> Result<CowVal<'b, 'v>, ExecutionError> {
        let [list] = take_args(args)?;
        let items = elements_of(function, list.as_ref(), &COMPARABLE)?;
        let Some((first, rest)) = items.split_first() else {
            return Err(ExecutionError::function_error(
                function,
                format!("{function} called on empty list"),
            ));
        };
        let mut best = *first;
        for item in rest {
            if compare(function, best, *item)? == replace_when {
                best = *item;
            }
        }
        Ok(CowVal::Owned(best.clone_as_boxed()))
    }

    /// `<list>.min()`: the smallest element; an error on an empty list.
    fn min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
        extreme("min", args, Ordering::Greater)
    }

    /// `<list>.max()`: the largest element; an error on an empty list.
    fn max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
        extreme("max", args, Ordering::Less)
    }

    /// `<list>.indexOf(x)`: the index of the first element equal to `x`, or -1.
    fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
        let [list, item] = take_args(args)?;
        let items = elements("indexOf", list.as_ref())?;
        let index = items
            .iter()
            .position(|element| element.equals(item.as_ref()));
        Ok(CowVal::owned(CelInt::from(index.map_or(-1, |i| i as i64))))
    }

    /// `<list>.lastIndexOf(x)`: the index of the last element equal to `x`, or
    /// -1.
    fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
        let [list, item] = take_args(args)?;
        let items = elements("lastIndexOf", list.as_ref())?;
        let index = items
            .iter()
            .rposition(|element| element.equals(item.as_ref()));
        Ok(CowVal::owned(CelInt::from(index.map_or(-1, |i| i as i64))))
    }
}

// ---------------------------------------------------------------------------
// regex: k8s.io/apiserver/pkg/cel/library/regex.go
// ---------------------------------------------------------------------------

mod regexes {
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
}

// ---------------------------------------------------------------------------
// urls: k8s.io/apiserver/pkg/cel/library/urls.go, over Go's net/url
// ---------------------------------------------------------------------------

mod urls {
    use super::*;
    use std::collections::HashMap;
    use std::net::Ipv6Addr;

    static URL_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.URL");

    pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
        env.add_type(URL_TYPE.to_owned())?;
        cel::add_overload!(env, fn url: (CelString) -> Result<Url>)?;
        cel::add_overload!(env, fn is_url: (CelString) -> CelBool, name = "isURL")?;
        cel::add_member_overload!(env, fn get_scheme: (Url) -> CelString)?;
        cel::add_member_overload!(env, fn get_host: (Url) -> CelString)?;
        cel::add_member_overload!(env, fn get_hostname: (Url) -> CelString)?;
        cel::add_member_overload!(env, fn get_port: (Url) -> CelString)?;
        cel::add_member_overload!(env, fn get_escaped_path: (Url) -> CelString)?;
        cel::add_member_overload!(env, fn get_query: (Url) -> CelMap)?;
        Ok(())
    }

    /// A parsed URL: the fields of Go's `url.URL`, which the
    /// `kubernetes.URL` type wraps. Two are equal when all fields are, as
    /// their `String()`s then are.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub(super) struct Url {
        scheme: String,
        opaque: String,
        /// The userinfo as written, `user:password`.
        user: Option<String>,
        /// `host` or `host:port`, unescaped.
        host: String,
        /// Unescaped, so possibly not UTF-8, as Go's strings may be.
        path: Vec<u8>,
        /// The path as written, when it isn't the default escaping of `path`.
        raw_path: String,
        force_query: bool,
        raw_query: String,
        fragment: Vec<u8>,
    }

    opaque_val!(Url, &URL_TYPE);

    /// `url(<string>)`: the URL, which must be an absolute URI or an absolute
    /// path: Go's `url.ParseRequestURI` must accept it, and it is then parsed
    /// by `url.Parse`, which splits off a fragment.
    fn url(s: &CelString<'_>) -> Result<Url, ExecutionError> {
        let parsed = parse_request_uri(s.inner()).and_then(|_| parse(s.inner()));
        parsed.map_err(|error| {
            ExecutionError::function_error(
                "url",
                format!("URL parse error during conversion from string: {error}"),
            )
        })
    }

    /// `isURL(<string>)`: whether `url(<string>)` succeeds.
    fn is_url(s: &CelString<'_>) -> CelBool {
        parse_request_uri(s.inner()).is_ok().into()
    }

    /// `<URL>.getScheme()`: the scheme, lowercased; `''` if none.
    fn get_scheme(url: &Url) -> CelString<'static> {
        url.scheme.clone().into()
    }

    /// `<URL>.getHost()`: the host and port, an IPv6 address in brackets;
    /// `''` if none.
    fn get_host(url: &Url) -> CelString<'static> {
        url.host.clone().into()
    }

    /// `<URL>.getHostname()`: the host without port, an IPv6 address without
    /// brackets; `''` if none.
    fn get_hostname(url: &Url) -> CelString<'static> {
        split_host_port(&url.host).0.to_owned().into()
    }

    /// `<URL>.getPort()`: the port; `''` if none.
    fn get_port(url: &Url) -> CelString<'static> {
        split_host_port(&url.host).1.to_owned().into()
    }

    /// `<URL>.getEscapedPath()`: the path, escaped as Go's
    /// `URL.EscapedPath` does (as written when that is a valid escaping).
    fn get_escaped_path(url: &Url) -> CelString<'static> {
        url.escaped_path().into()
    }

    /// `<URL>.getQuery()`: the query as a `map(string, list(string))`, keys
    /// and values unescaped, a repeated key's values in order.
    fn get_query(url: &Url) -> CelMap<'static> {
        let mut query: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in parse_query(&url.raw_query) {
            query.entry(key).or_default().push(value);
        }
        query
            .into_iter()
            .map(|(key, values)| {
                (
                    CelMapKey::from(key),
                    Box::new(string_list(values)) as Box<dyn Val>,
                )
            })
            .collect::<HashMap<_, _>>()
            .into()
    }

    /// Go's `url.ParseRequestURI`: `raw` as an absolute URI or absolute path,
    /// its fragment, if any, left in the path or query.
    pub(super) fn parse_request_uri(raw: &str) -> Result<Url, String> {
        go_parse(raw, true).map_err(|error| format!("parse {}: {error}", go_quote(raw)))
    }

    /// Go's `url.Parse`: `raw` as a URL reference, its fragment split off.
    fn parse(raw: &str) -> Result<Url, String> {
        let (rest, fragment) = raw.split_once('#').unwrap_or((raw, ""));
        let mut url =
            go_parse(rest, false).map_err(|error| format!("parse {}: {error}", go_quote(rest)))?;
        url.fragment = unescape(fragment, Encoding::Fragment)
            .map_err(|error| format!("parse {}: {error}", go_quote(raw)))?;
        Ok(url)
    }

    /// Go's `url.parse`, which the two above wrap.
    fn go_parse(raw: &str, via_request: bool) -> Result<Url, String> {
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err("net/url: invalid control character in URL".to_owned());
        }
        if raw.is_empty() && via_request {
            return Err("empty url".to_owned());
        }
        let mut url = Url::default();
        if raw == "*" {
            url.path = b"*".to_vec();
            return Ok(url);
        }
        let (scheme, mut rest) = scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((before, query)) = rest.split_once('?') {
            url.raw_query = query.to_owned();
            rest = before;
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                // A rootless path, per RFC 3986, is opaque.
                url.opaque = rest.to_owned();
                return Ok(url);
            }
            if via_request {
                return Err("invalid URI for request".to_owned());
            }
            let segment = rest.split('/').next().unwrap_or_default();
            if segment.contains(':') {
                return Err("first path segment in URL cannot contain colon".to_owned());
            }
        }
        if (!url.scheme.is_empty() || !via_request && !rest.starts_with("///"))
            && rest.starts_with("//")
        {
            let (authority, path) = match rest[2..].find('/') {
                Some(i) => rest[2..].split_at(i),
                None => (&rest[2..], ""),
            };
            let (user, host) = parse_authority(authority)?;
            url.user = user;
            url.host = host;
            rest = path;
        }
        url.path = unescape(rest, Encoding::Path)?;
        if escape(&url.path, Encoding::Path) != rest {
            url.raw_path = rest.to_owned();
        }
        Ok(url)
    }

    /// Go's `getScheme`: the scheme, if `raw` starts with one and a colon, and
    /// the rest.
    fn scheme(raw: &str) -> Result<(&str, &str), String> {
        for (i, c) in raw.bytes().enumerate() {
            match c {
                b'a'..=b'z' | b'A'..=b'Z' => {}
                b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
                b':' if i == 0 => return Err("missing protocol scheme".to_owned()),
                b':' => return Ok((&raw[..i], &raw[i + 1..])),
                _ => return Ok(("", raw)),
            }
        }
        Ok(("", raw))
    }

    /// Go's `parseAuthority`: the userinfo, as written, and the host.
    fn parse_authority(authority: &str) -> Result<(Option<String>, String), String> {
        let Some(at) = authority.rfind('@') else {
            return Ok((None, parse_host(authority)?));
        };
        let host = parse_host(&authority[at + 1..])?;
        let userinfo = &authority[..at];
        if !valid_userinfo(userinfo) {
            return Err("net/url: invalid userinfo".to_owned());
        }
        for part in userinfo.splitn(2, ':') {
            unescape(part, Encoding::UserPassword)?;
        }
        Ok((Some(userinfo.to_owned()), host))
    }

    /// Go's `parseHost`: the host, unescaped, with its port. Only an IPv6
    /// address may be in brackets, as Go checks since 1.24.8 and 1.25.2.
    fn parse_host(host: &str) -> Result<String, String> {
        if host.starts_with('[') {
            let Some(end) = host.rfind(']') else {
                return Err("missing ']' in host".to_owned());
            };
            let colon_port = &host[end + 1..];
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", go_quote(colon_port)));
            }
            let zone = host[..end].find("%25");
            let address = &host[1..zone.unwrap_or(end)];
            if address.parse::<Ipv6Addr>().is_err() {
                return Err(format!(
                    "invalid host: ParseAddr({}): unable to parse IP",
                    go_quote(address)
                ));
            }
            if let Some(zone) = zone {
                // RFC 6874: `%25` starts the zone, which may escape more than
                // a host can.
                let mut unescaped = unescape(&host[..zone], Encoding::Host)?;
                unescaped.extend(unescape(&host[zone..end], Encoding::Zone)?);
                unescaped.extend(unescape(&host[end..], Encoding::Host)?);
                return Ok(String::from_utf8_lossy(&unescaped).into_owned());
            }
        } else if let Some(colon) = host.rfind(':') {
            let colon_port = &host[colon..];
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", go_quote(colon_port)));
            }
        }
        Ok(String::from_utf8_lossy(&unescape(host, Encoding::Host)?).into_owned())
    }

    /// `""`, or `:` and digits.
    fn valid_optional_port(port: &str) -> bool {
        port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Go's `validUserinfo`: RFC 3986's userinfo characters, and `%` and `@`.
    fn valid_userinfo(userinfo: &str) -> bool {
        userinfo.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '.'
                        | '_'
                        | ':'
                        | '~'
                        | '!'
                        | '$'
                        | '&'
                        | '\''
                        | '('
                        | ')'
                        | '*'
                        | '+'
                        | ','
                        | ';'
                        | '='
                        | '%'
                        | '@'
                )
        })
    }

    /// Go's `splitHostPort`: the host, without brackets, and the port.
    fn split_host_port(host_port: &str) -> (&str, &str) {
        let (mut host, port) = match host_port.rfind(':') {
            Some(colon) if valid_optional_port(&host_port[colon..]) => {
                (&host_port[..colon], &host_port[colon + 1..])
            }
            _ => (host_port, ""),
        };
        if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            host = inner;
        }
        (host, port)
    }

    /// Go's `parseQuery`, whose errors `URL.Query` ignores: the pairs that
    /// unescape, in order.
    fn parse_query(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.contains(';'))
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let key = unescape(key, Encoding::QueryComponent).ok()?;
                let value = unescape(value, Encoding::QueryComponent).ok()?;
                Some((
                    String::from_utf8_lossy(&key).into_owned(),
                    String::from_utf8_lossy(&value).into_owned(),
                ))
            })
            .collect()
    }

    impl Url {
        /// Go's `URL.EscapedPath`.
        fn escaped_path(&self) -> String {
            if !self.raw_path.is_empty()
                && valid_encoded(&self.raw_path)
                && unescape(&self.raw_path, Encoding::Path).is_ok_and(|p| p == self.path)
            {
                return self.raw_path.clone();
            }
            if self.path == b"*" {
                return "*".to_owned();
            }
            escape(&self.path, Encoding::Path)
        }
    }

    /// The parts of a URL Go escapes differently.
    #[derive(Clone, Copy, PartialEq)]
    enum Encoding {
        Path,
        Host,
        Zone,
        UserPassword,
        QueryComponent,
        Fragment,
    }

    /// Go's `shouldEscape`.
    fn should_escape(c: u8, mode: Encoding) -> bool {
        if c.is_ascii_alphanumeric() {
            return false;
        }
        if matches!(mode, Encoding::Host | Encoding::Zone)
            && matches!(
                c,
                b'!' | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'"'
            )
        {
            return false;
        }
        match c {
            b'-' | b'_' | b'.' | b'~' => return false,
            b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
                Encoding::Path => return c == b'?',
                Encoding::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
                Encoding::QueryComponent => return true,
                Encoding::Fragment => return false,
                Encoding::Host | Encoding::Zone => {}
            },
            _ => {}
        }
        !(mode == Encoding::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
    }

    /// Go's `validEncoded`, for a path.
    fn valid_encoded(s: &str) -> bool {
        s.bytes().all(|c| {
            matches!(
                c,
                b'!' | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'['
                    | b']'
                    | b'%'
            ) || !should_escape(c, Encoding::Path)
        })
    }

    /// Go's `unescape`: `s` with its `%XX` escapes decoded (and `+` as a space
    /// in a query), or why it can't be.
    fn unescape(s: &str, mode: Encoding) -> Result<Vec<u8>, String> {
        let bytes = s.as_bytes();
        let escape_error = |at: usize| {
            let end = (at + 3).min(bytes.len());
            format!(
                "invalid URL escape {}",
                go_quote(&String::from_utf8_lossy(&bytes[at..end]))
            )
        };
        let mut unescaped = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' => {
                    let (Some(&hi), Some(&lo)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                        return Err(escape_error(i));
                    };
                    let (Some(hi), Some(lo)) = (hex(hi), hex(lo)) else {
                        return Err(escape_error(i));
                    };
                    let is_percent = &bytes[i..i + 3] == b"%25";
                    // RFC 3986: a host %-encodes non-ASCII bytes only, but for
                    // `%25`, which RFC 6874 allows in a zone.
                    if mode == Encoding::Host && hi < 8 && !is_percent {
                        return Err(escape_error(i));
                    }
                    let byte = hi << 4 | lo;
                    if mode == Encoding::Zone
                        && !is_percent
                        && byte != b' '
                        && should_escape(byte, Encoding::Host)
                    {
                        return Err(escape_error(i));
                    }
                    unescaped.push(byte);
                    i += 3;
                }
                b'+' => {
                    unescaped.push(if mode == Encoding::QueryComponent {
                        b' '
                    } else {
                        b'+'
                    });
                    i += 1;
                }
                c => {
                    if matches!(mode, Encoding::Host | Encoding::Zone)
                        && c < 0x80
                        && should_escape(c, mode)
                    {
                        return Err(format!(
                            "invalid character {} in host name",
                            go_quote(&char::from(c).to_string())
                        ));
                    }
                    unescaped.push(c);
                    i += 1;
                }
            }
        }
        Ok(unescaped)
    }

    fn hex(c: u8) -> Option<u8> {
        char::from(c).to_digit(16).map(|d| d as u8)
    }

    /// Go's `escape`.
    fn escape(bytes: &[u8], mode: Encoding) -> String {
        let mut escaped = String::with_capacity(bytes.len());
        for &c in bytes {
            if c == b' ' && mode == Encoding::QueryComponent {
                escaped.push('+');
            } else if should_escape(c, mode) {
                escaped.push_str(&format!("%{c:02X}"));
            } else {
                escaped.push(char::from(c));
            }
        }
        escaped
    }
}

// ---------------------------------------------------------------------------
// ip and cidr: k8s.io/apiserver/pkg/cel/library/{ip,cidr}.go, over Go's
// net/netip
// ---------------------------------------------------------------------------

mod net {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    static IP_TYPE: Type = Type::simple_type(Kind::Opaque, "net.IP");
    static CIDR_TYPE: Type = Type::simple_type(Kind::Opaque, "net.CIDR");

    pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
        env.add_type(IP_TYPE.to_owned())?;
        env.add_type(CIDR_TYPE.to_owned())?;

        cel::add_overload!(env, fn ip: (CelString) -> Result<Ip>)?;
        cel::add_overload!(env, fn is_ip: (CelString) -> CelBool, name = "isIP")?;
        cel::add_overload!(env, fn ip_is_canonical: (CelString) -> Result<CelBool>,
            name = "ip.isCanonical")?;
        cel::add_overload!(env, fn ip_to_string: (Ip) -> CelString, name = "string")?;
        cel::add_member_overload!(env, fn family: (Ip) -> CelInt)?;
        cel::add_member_overload!(env, fn is_unspecified: (Ip) -> CelBool)?;
        cel::add_member_overload!(env, fn is_loopback: (Ip) -> CelBool)?;
        cel::add_member_overload!(env, fn is_link_local_multicast: (Ip) -> CelBool)?;
        cel::add_member_overload!(env, fn is_link_local_unicast: (Ip) -> CelBool)?;
        cel::add_member_overload!(env, fn is_global_unicast: (Ip) -> CelBool)?;

        cel::add_overload!(env, fn cidr: (CelString) -> Result<Cidr>)?;
        cel::add_overload!(env, fn is_cidr: (CelString) -> CelBool, name = "isCIDR")?;
        cel::add_overload!(env, fn cidr_to_string: (Cidr) -> CelString, name = "string")?;
        cel::add_member_overload!(env, fn contains_ip: (Cidr, Ip) -> CelBool,
            name = "containsIP")?;
        cel::add_member_overload!(env, fn contains_ip_string: (Cidr, CelString) -> Result<CelBool>,
            name = "containsIP")?;
        cel::add_member_overload!(env, fn contains_cidr: (Cidr, Cidr) -> CelBool,
            name = "containsCIDR")?;
        cel::add_member_overload!(env,
            fn contains_cidr_string: (Cidr, CelString) -> Result<CelBool>,
            name = "containsCIDR")?;
        cel::add_member_overload!(env, fn cidr_ip: (Cidr) -> Ip, name = "ip")?;
        cel::add_member_overload!(env, fn masked: (Cidr) -> Cidr)?;
        cel::add_member_overload!(env, fn prefix_length: (Cidr) -> CelInt)?;
        Ok(())
    }

    /// An IP address, `net.IP`: never IPv4-mapped IPv6, never with a zone.
    #[derive(Clone, Debug, PartialEq)]
    pub(super) struct Ip(IpAddr);

    opaque_val!(Ip, &IP_TYPE);

    /// A network, `net.CIDR`: an address and a prefix length, the address
    /// possibly with bits set past the prefix (see `masked()`).
    #[derive(Clone, Debug, PartialEq)]
    pub(super) struct Cidr {
        addr: IpAddr,
        bits: u8,
    }

    opaque_val!(Cidr, &CIDR_TYPE);

    /// The apiserver's `parseIPAddr`: Go's `netip.ParseAddr`, which refuses
    /// IPv4 octets with leading zeros, and then no zone and no IPv4-mapped
    /// IPv6 address.
    fn parse_ip(raw: &str) -> Result<IpAddr, String> {
        let parse_error = |reason: &str| {
            format!(
                "IP Address {} parse error during conversion from string: ParseAddr({}): {reason}",
                go_quote(raw),
                go_quote(raw)
            )
        };
        if let Some((address, zone)) = raw.split_once('%') {
            return Err(match address.parse::<Ipv6Addr>() {
                Ok(_) if !zone.is_empty() => {
                    format!(
                        "IP address {} with zone value is not allowed",
                        go_quote(raw)
                    )
                }
                Ok(_) => parse_error("zone must be a non-empty string"),
                Err(_) => parse_error("unable to parse IP"),
            });
        }
        // Rust's parser refuses what Go's does, leading zeros included.
        let addr = raw.parse::<IpAddr>().map_err(|_| {
            parse_error(if has_leading_zero_octet(raw) {
                "IPv4 field has octet with leading zero"
            } else {
                "unable to parse IP"
            })
        })?;
        if let IpAddr::V6(v6) = addr {
            if v6.to_ipv4_mapped().is_some() {
                return Err(format!(
                    "IPv4-mapped IPv6 address {} is not allowed",
                    go_quote(raw)
                ));
            }
        }
        Ok(addr)
    }

    /// Whether `raw`'s dotted part has an octet like `01`.
    fn has_leading_zero_octet(raw: &str) -> bool {
        let dotted = raw.rsplit(':').next().unwrap_or(raw);
        dotted.contains('.')
            && dotted
                .split('.')
                .any(|octet| octet.len() > 1 && octet.starts_with('0'))
    }

    /// The apiserver's `parseCIDR`: Go's `netip.ParsePrefix`, then no
    /// IPv4-mapped IPv6 address.
    fn parse_cidr(raw: &str) -> Result<Cidr, String> {
        let prefix_error = |reason: &str| format!("netip.ParsePrefix({}): {reason}", go_quote(raw));
        let wrap = |error: String| {
            format!("network address parse error during conversion from string: {error}")
        };
        let Some((address, bits)) = raw.rsplit_once('/') else {
            return Err(wrap(prefix_error("no '/'")));
        };
        if let Some((ipv6, _)) = address.split_once('%') {
            // Go's `ParseAddr` takes a zone, which `ParsePrefix` then refuses.
            if ipv6.parse::<Ipv6Addr>().is_ok() {
                return Err(wrap(prefix_error(
                    "IPv6 zones cannot be present in a prefix",
                )));
            }
        }
        let addr = address.parse::<IpAddr>().map_err(|_| {
            wrap(prefix_error(&format!(
                "ParseAddr({}): {}",
                go_quote(address),
                if has_leading_zero_octet(address) {
                    "IPv4 field has octet with leading zero"
                } else {
                    "unable to parse IP"
                }
            )))
        })?;
        // Go's `strconv.Atoi` takes a sign and leading zeros, which
        // `ParsePrefix` refuses.
        let bad_bits = || {
            wrap(prefix_error(&format!(
                "bad bits after slash: {}",
                go_quote(bits)
            )))
        };
        if bits.len() > 1 && !matches!(bits.as_bytes()[0], b'1'..=b'9') {
            return Err(bad_bits());
        }
        if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_bits());
        }
        let max_bits = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits.parse::<i64>() {
            Ok(bits) if bits <= max_bits => bits as u8,
            Ok(_) => return Err(wrap(prefix_error("prefix length out of range"))),
            Err(_) => return Err(bad_bits()),
        };
        if let IpAddr::V6(v6) = addr {
            if v6.to_ipv4_mapped().is_some() {
                return Err(format!(
                    "IPv4-mapped IPv6 address {} is not allowed",
                    go_quote(raw)
                ));
            }
        }
        Ok(Cidr { addr, bits })
    }

    /// `addr` with the bits past the first `bits` cleared.
    fn mask(addr: IpAddr, bits: u8) -> IpAddr {
        match addr {
            IpAddr::V4(v4) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
            }
            IpAddr::V6(v6) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        }
    }

    /// `ip(<string>)`: the IP address; an error if not one.
    fn ip(s: &CelString<'_>) -> Result<Ip, ExecutionError> {
        parse_ip(s.inner())
            .map(Ip)
            .map_err(|error| ExecutionError::function_error("ip", error))
    }

    /// `isIP(<string>)`: whether `ip(<string>)` succeeds.
    fn is_ip(s: &CelString<'_>) -> CelBool {
        parse_ip(s.inner()).is_ok().into()
    }

    /// `ip.isCanonical(<string>)`: whether the address is written in its
    /// canonical form (RFC 5952 for IPv6), so that addresses compare as
    /// strings; an error if it isn't an address.
    fn ip_is_canonical(s: &CelString<'_>) -> Result<CelBool, ExecutionError> {
        let addr = parse_ip(s.inner())
            .map_err(|error| ExecutionError::function_error("ip.isCanonical", error))?;
        // Rust writes IPv6 as RFC 5952 does, as Go does; both write the
        // IPv4-mapped form differently, but it was refused above.
        Ok((addr.to_string() == s.inner()).into())
    }

    /// `string(<IP>)`: the canonical form.
    fn ip_to_string(ip: &Ip) -> CelString<'static> {
        ip.0.to_string().into()
    }

    /// `<IP>.family()`: 4 or 6.
    fn family(ip: &Ip) -> CelInt {
        CelInt::from(if ip.0.is_ipv4() { 4 } else { 6 })
    }

    /// `<IP>.isUnspecified()`: `0.0.0.0` or `::`.
    fn is_unspecified(ip: &Ip) -> CelBool {
        ip.0.is_unspecified().into()
    }

    /// `<IP>.isLoopback()`: `127.0.0.0/8` or `::1`.
    fn is_loopback(ip: &Ip) -> CelBool {
        ip.0.is_loopback().into()
    }

    /// `<IP>.isLinkLocalMulticast()`: `224.0.0.0/24`, or `ff02::/16` whatever
    /// the flags, as Go's `Addr.IsLinkLocalMulticast`.
    fn is_link_local_multicast(ip: &Ip) -> CelBool {
        match ip.0 {
            IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
            IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
        }
        .into()
    }

    /// `<IP>.isLinkLocalUnicast()`: `169.254.0.0/16` or `fe80::/10`.
    fn is_link_local_unicast(ip: &Ip) -> CelBool {
        link_local_unicast(ip.0).into()
    }

    fn link_local_unicast(addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(v4) => v4.octets()[..2] == [169, 254],
            IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
        }
    }

    /// `<IP>.isGlobalUnicast()`, as Go's `Addr.IsGlobalUnicast`: neither
    /// unspecified, loopback, multicast, link-local unicast nor the IPv4
    /// broadcast address. Private addresses count as global.
    fn is_global_unicast(ip: &Ip) -> CelBool {
        let addr = ip.0;
        let broadcast = addr == IpAddr::V4(Ipv4Addr::BROADCAST);
        (!broadcast
            && !addr.is_unspecified()
            && !addr.is_loopback()
            && !addr.is_multicast()
            && !link_local_unicast(addr))
        .into()
    }

    /// `cidr(<string>)`: the network; an error if not one.
    fn cidr(s: &CelString<'_>) -> Result<Cidr, ExecutionError> {
        parse_cidr(s.inner()).map_err(|error| {
            ExecutionError::function_error(
                "cidr",
                format!("network address parse error during conversion from string: {error}"),
            )
        })
    }

    /// `isCIDR(<string>)`: whether `cidr(<string>)` succeeds.
    fn is_cidr(s: &CelString<'_>) -> CelBool {
        parse_cidr(s.inner()).is_ok().into()
    }

    /// `string(<CIDR>)`: `address/bits`, the address as given.
    fn cidr_to_string(cidr: &Cidr) -> CelString<'static> {
        format!("{}/{}", cidr.addr, cidr.bits).into()
    }

    /// `<CIDR>.containsIP(<IP>)`: whether the address is in the network.
    fn contains_ip(cidr: &Cidr, ip: &Ip) -> CelBool {
        (cidr.addr.is_ipv4() == ip.0.is_ipv4()
            && mask(cidr.addr, cidr.bits) == mask(ip.0, cidr.bits))
        .into()
    }

    /// `<CIDR>.containsIP(<string>)`: as with `ip(<string>)`, an error if the
    /// string isn't an address.
    fn contains_ip_string(cidr: &Cidr, s: &CelString<'_>) -> Result<CelBool, ExecutionError> {
        let addr = parse_ip(s.inner())
            .map_err(|error| ExecutionError::function_error("containsIP", error))?;
        Ok(contains_ip(cidr, &Ip(addr)))
    }

    /// `<CIDR>.containsCIDR(<CIDR>)`: whether the other network is within
    /// this one. Both addresses are masked, as since kubernetes/kubernetes#130450
    /// (1.33, cherry-picked to 1.32): before, the other's address had to be
    /// this one's network address, so `192.168.0.0/16` didn't contain
    /// `192.168.10.0/24`.
    fn contains_cidr(cidr: &Cidr, other: &Cidr) -> CelBool {
        (cidr.addr.is_ipv4() == other.addr.is_ipv4()
            && cidr.bits <= other.bits
            && mask(cidr.addr, cidr.bits) == mask(other.addr, cidr.bits))
        .into()
    }

    /// `<CIDR>.containsCIDR(<string>)`: as with `cidr(<string>)`, an error if
    /// the string isn't a network.
    fn contains_cidr_string(cidr: &Cidr, s: &CelString<'_>) -> Result<CelBool, ExecutionError> {
        let other = parse_cidr(s.inner()).map_err(|error| {
            ExecutionError::function_error(
                "containsCIDR",
                format!("network address parse error during conversion from string: {error}"),
            )
        })?;
        Ok(contains_cidr(cidr, &other))
    }

    /// `<CIDR>.ip()`: the address, as given.
    fn cidr_ip(cidr: &Cidr) -> Ip {
        Ip(cidr.addr)
    }

    /// `<CIDR>.masked()`: the network with the bits past the prefix cleared,
    /// its canonical form.
    fn masked(cidr: &Cidr) -> Cidr {
        Cidr {
            addr: mask(cidr.addr, cidr.bits),
            bits: cidr.bits,
        }
    }

    /// `<CIDR>.prefixLength()`: the prefix length in bits.
    fn prefix_length(cidr: &Cidr) -> CelInt {
        CelInt::from(i64::from(cidr.bits))
    }
}

// ---------------------------------------------------------------------------
// quantity: k8s.io/apiserver/pkg/cel/library/quantity.go, over
// k8s.io/apimachinery/pkg/api/resource
// ---------------------------------------------------------------------------

mod quantity {
    use super::*;
    use num_bigint::{BigInt, BigUint, Sign};
    use num_traits::{ToPrimitive, Zero};

    static QUANTITY_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.Quantity");

    /// The most decimal digits an exact operation materializes: Go's would
    /// build any number, however long, for `1e999999999` plus `1`; this one
    /// reports an error instead.
    const MAX_DIGITS: i64 = 10_000;

    const FORMAT_WRONG: &str = "quantities must match the regular expression \
        '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    const NUMERIC: &str = "unable to parse numeric part of quantity";
    const SUFFIX: &str = "unable to parse quantity's suffix";

    pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
        env.add_type(QUANTITY_TYPE.to_owned())?;
        cel::add_overload!(env, fn quantity: (CelString) -> Result<Quantity>)?;
        cel::add_overload!(env, fn is_quantity: (CelString) -> CelBool)?;
        // cel-go declares `sign` as a global function, which its docs call
        // as a member: both are declared.
        cel::add_overload!(env, fn sign: (Quantity) -> CelInt)?;
        cel::add_member_overload!(env, fn sign: (Quantity) -> CelInt)?;
        cel::add_member_overload!(env, fn is_integer: (Quantity) -> CelBool)?;
        cel::add_member_overload!(env, fn as_integer: (Quantity) -> Result<CelInt>)?;
        cel::add_member_overload!(env, fn as_approximate_float: (Quantity) -> CelDouble)?;
        cel::add_member_overload!(env, fn add: (Quantity, Quantity) -> Result<Quantity>)?;
        cel::add_member_overload!(env, fn add_int: (Quantity, CelInt) -> Result<Quantity>,
            name = "add")?;
        cel::add_member_overload!(env, fn sub: (Quantity, Quantity) -> Result<Quantity>)?;
        cel::add_member_overload!(env, fn sub_int: (Quantity, CelInt) -> Result<Quantity>,
            name = "sub")?;
        cel::add_member_overload!(env, fn mul: (Quantity, CelInt) -> Quantity)?;
        cel::add_member_overload!(env, fn compare_to: (Quantity, Quantity) -> CelInt)?;
        cel::add_member_overload!(env, fn is_greater_than: (Quantity, Quantity) -> CelBool)?;
        cel::add_member_overload!(env, fn is_less_than: (Quantity, Quantity) -> CelBool)?;
        Ok(())
    }

    /// A `resource.Quantity`, `kubernetes.Quantity`, in the representation Go
    /// keeps: it decides `isInteger()` and, slightly, `asApproximateFloat()`.
    /// Two are equal when their values are.
    #[derive(Clone, Debug)]
    pub(super) enum Quantity {
        /// Go's `int64Amount`: `value × 10^scale`.
        Int { value: i64, scale: i32 },
        /// Go's `inf.Dec`: `unscaled × 10^exp` (inf's scale is `-exp`).
        Dec { unscaled: BigInt, exp: i64 },
    }

    opaque_val!(Quantity, &QUANTITY_TYPE);

    impl PartialEq for Quantity {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other) == Ordering::Equal
        }
    }

    /// What `parse_string` splits a quantity into, as Go's
    /// `parseQuantityString`.
    struct Parts<'a> {
        positive: bool,
        /// The signed number, e.g. `-1.5`.
        value: &'a str,
        /// The integer digits, without leading zeros, `0` for none.
        num: &'a str,
        /// The fraction digits.
        denom: &'a str,
        suffix: &'a str,
    }

    fn parse_string(s: &str) -> Result<Parts<'_>, &'static str> {
        let b = s.as_bytes();
        let end = b.len();
        let mut pos = 0;
        let mut positive = true;
        match b.first() {
            Some(b'-') => {
                positive = false;
                pos += 1;
            }
            Some(b'+') => pos += 1,
            _ => {}
        }
        while pos < end && b[pos] == b'0' {
            pos += 1;
        }
        let whole = |num, denom| Parts {
            positive,
            value: s,
            num,
            denom,
            suffix: "",
        };
        if pos >= end {
            return Ok(Parts {
                value: "0",
                ..whole("0", "")
            });
        }
        let num_start = pos;
        while pos < end && b[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos >= end {
            return Ok(whole(&s[num_start..], ""));
        }
        let num = match &s[num_start..pos] {
            "" => "0",
            num => num,
        };
        let mut denom = "";
        if b[pos] == b'.' {
            pos += 1;
            let denom_start = pos;
            while pos < end && b[pos].is_ascii_digit() {
                pos += 1;
            }
            if pos >= end {
                return Ok(whole(num, &s[denom_start..]));
            }
            denom = &s[denom_start..pos];
        }
        let value = &s[..pos];
        let suffix_start = pos;
        while pos < end && b"eEinumkKMGTP".contains(&b[pos]) {
            pos += 1;
        }
        if pos < end && matches!(b[pos], b'-' | b'+') {
            pos += 1;
        }
        while pos < end && b[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos < end {
            return Err(FORMAT_WRONG);
        }
        Ok(Parts {
            positive,
            value,
            num,
            denom,
            suffix: &s[suffix_start..],
        })
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Format {
        DecimalExponent,
        BinarySi,
        DecimalSi,
    }

    /// The base, exponent and format a suffix stands for.
    fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
        let decimal = |exponent| Some((10, exponent, Format::DecimalSi));
        let binary = |exponent| Some((2, exponent, Format::BinarySi));
        match suffix {
            "n" => decimal(-9),
            "u" => decimal(-6),
            "m" => decimal(-3),
            "" => decimal(0),
            "k" => decimal(3),
            "M" => decimal(6),
            "G" => decimal(9),
            "T" => decimal(12),
            "P" => decimal(15),
            "E" => decimal(18),
            "Ki" => binary(10),
            "Mi" => binary(20),
            "Gi" => binary(30),
            "Ti" => binary(40),
            "Pi" => binary(50),
            "Ei" => binary(60),
            _ if suffix.len() > 1 && matches!(suffix.as_bytes()[0], b'e' | b'E') => {
                // Go truncates the exponent to 32 bits, as `as` does.
                let exponent = suffix[1..].parse::<i64>().ok()?;
                Some((10, exponent as i32, Format::DecimalExponent))
            }
            _ => None,
        }
    }

    /// Go's `resource.ParseQuantity`: decimal SI (`100m`, `1.5G`), binary SI
    /// (`1.5Gi`) or exponent (`1e3`) forms, signed. Values are rounded up to
    /// nano units, and binary ones capped at 2^63-1.
    pub(super) fn parse(s: &str) -> Result<Quantity, &'static str> {
        if s.is_empty() {
            return Err(FORMAT_WRONG);
        }
        if s == "0" {
            return Ok(Quantity::Int { value: 0, scale: 0 });
        }
        let parts = parse_string(s)?;
        let (base, exponent, format) = interpret(parts.suffix).ok_or(SUFFIX)?;
        let digits = (parts.num.len() + parts.denom.len()) as i64;
        let (precision, mut scale, mantissa) = match format {
            Format::DecimalExponent | Format::DecimalSi => (18 - digits, exponent, 1i64),
            Format::BinarySi if exponent >= 0 && parts.denom.is_empty() => (
                // 1Mi (2^20) has about 6 decimal digits: exponent*3/10.
                15 - parts.num.len() as i64 - (exponent as f32 * 3.0 / 10.0) as i64 - 1,
                0,
                1i64 << exponent,
            ),
            Format::BinarySi => (-1, 0, 1),
        };
        if precision >= 0 {
            scale = scale.wrapping_sub(parts.denom.len() as i32);
            if scale >= -9 {
                let shifted: i64 = format!("{}{}", parts.num, parts.denom)
                    .parse()
                    .map_err(|_| NUMERIC)?;
                if let Some(value) = shifted.checked_mul(mantissa) {
                    let value = if parts.positive { value } else { -value };
                    return Ok(Quantity::Int { value, scale });
                }
            }
        }

        // The slow path, in `inf.Dec`.
        let (mut unscaled, mut exp) = parse_decimal(parts.value).ok_or(NUMERIC)?;
        if base == 10 {
            exp += i64::from(exponent);
        } else {
            unscaled *= BigInt::from(1) << exponent;
        }
        let negative = unscaled.sign() == Sign::Minus;
        let mut magnitude = unscaled.magnitude().clone();
        if !magnitude.is_zero() {
            // Rounded up, so that asking for some of a resource gets some.
            (magnitude, exp) = round_up_to_nano(magnitude, exp);
        }
        let max = BigUint::from(i64::MAX as u64);
        if format == Format::BinarySi
            && !magnitude.is_zero()
            && compare_magnitudes(&magnitude, exp, &max, 0).is_gt()
        {
            (magnitude, exp) = (max, 0);
        }
        let sign = if negative { Sign::Minus } else { Sign::Plus };
        Ok(Quantity::Dec {
            unscaled: BigInt::from_biguint(sign, magnitude),
            exp,
        })
    }

    /// Go's `inf.Dec.SetString` of `[+-]digits[.digits]`: its unscaled value
    /// and exponent; `None` without a digit.
    fn parse_decimal(value: &str) -> Option<(BigInt, i64)> {
        let (negative, unsigned) = match value.as_bytes().first() {
            Some(b'-') => (true, &value[1..]),
            Some(b'+') => (false, &value[1..]),
            _ => (false, value),
        };
        let (int, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = format!("{int}{fraction}");
        let magnitude = BigUint::parse_bytes(digits.as_bytes(), 10)?;
        let sign = if negative { Sign::Minus } else { Sign::Plus };
        Some((
            BigInt::from_biguint(sign, magnitude),
            -(fraction.len() as i64),
        ))
    }

    /// `magnitude × 10^exp` at exponent -9, as inf's `Round(x, 9, RoundUp)`:
    /// a fraction of a nano unit rounds up. An exponent too large to
    /// materialize is left as is, the same value.
    fn round_up_to_nano(magnitude: BigUint, exp: i64) -> (BigUint, i64) {
        if exp < -9 {
            let shift = -9 - exp;
            if decimal_digits(&magnitude) as i64 <= shift {
                return (BigUint::from(1u32), -9);
            }
            let divisor = pow10(shift);
            let quotient = &magnitude / &divisor;
            let rounded = if (&quotient * &divisor) == magnitude {
                quotient
            } else {
                quotient + 1u32
            };
            (rounded, -9)
        } else if exp + 9 <= MAX_DIGITS {
            (magnitude * pow10(exp + 9), -9)
        } else {
            (magnitude, exp)
        }
    }

    fn pow10(n: i64) -> BigUint {
        BigUint::from(10u32).pow(n as u32)
    }

    fn decimal_digits(n: &BigUint) -> usize {
        n.to_str_radix(10).len()
    }

    /// Orders two non-zero magnitudes, `m1 × 10^e1` and `m2 × 10^e2`, without
    /// materializing a number larger than them: by their leading digit's
    /// position first.
    fn compare_magnitudes(m1: &BigUint, e1: i64, m2: &BigUint, e2: i64) -> Ordering {
        let lead1 = decimal_digits(m1) as i64 + e1;
        let lead2 = decimal_digits(m2) as i64 + e2;
        if lead1 != lead2 {
            return lead1.cmp(&lead2);
        }
        // The leads agree, so the exponents differ by as many digits as the
        // magnitudes do at most.
        match e1.cmp(&e2) {
            Ordering::Greater => (m1 * pow10(e1 - e2)).cmp(m2),
            Ordering::Less => m1.cmp(&(m2 * pow10(e2 - e1))),
            Ordering::Equal => m1.cmp(m2),
        }
    }

    /// Go's `positiveScaleInt64`: `base × 10^scale`, if it fits.
    fn positive_scale(base: i64, scale: i64) -> Option<i64> {
        if base == 0 {
            return Some(0);
        }
        let mut value = base;
        for _ in 0..scale {
            value = value.checked_mul(10)?;
        }
        Some(value)
    }

    /// Go's `int64Amount.Add`: the sum, if it fits the smaller scale.
    fn int_add((a, a_scale): (i64, i32), (b, b_scale): (i64, i32)) -> Option<(i64, i32)> {
        if b == 0 {
            return Some((a, a_scale));
        }
        if a == 0 {
            return Some((b, b_scale));
        }
        let diff = i64::from(a_scale) - i64::from(b_scale);
        match diff.cmp(&0) {
            Ordering::Equal => Some((a.checked_add(b)?, a_scale)),
            Ordering::Greater => Some((positive_scale(a, diff)?.checked_add(b)?, b_scale)),
            Ordering::Less => Some((a.checked_add(positive_scale(b, -diff)?)?, a_scale)),
        }
    }

    /// Go's `negativeScaleInt64`, for whether `base / 10^scale` is exact.
    fn divides_exactly(base: i64, scale: i64) -> bool {
        let mut value = base;
        for _ in 0..scale {
            if value % 10 != 0 {
                return false;
            }
            value /= 10;
            if value == 0 {
                return true;
            }
        }
        true
    }

    impl Quantity {
        /// The exact value, `mantissa × 10^exponent`.
        fn decimal(&self) -> (BigInt, i64) {
            match self {
                Quantity::Int { value, scale } => (BigInt::from(*value), i64::from(*scale)),
                Quantity::Dec { unscaled, exp } => (unscaled.clone(), *exp),
            }
        }

        fn cmp(&self, other: &Quantity) -> Ordering {
            let ((a, a_exp), (b, b_exp)) = (self.decimal(), other.decimal());
            let rank = |sign: Sign| match sign {
                Sign::Minus => -1,
                Sign::NoSign => 0,
                Sign::Plus => 1,
            };
            match rank(a.sign()).cmp(&rank(b.sign())) {
                Ordering::Equal if a.sign() == Sign::NoSign => Ordering::Equal,
                Ordering::Equal => {
                    let order = compare_magnitudes(a.magnitude(), a_exp, b.magnitude(), b_exp);
                    if a.sign() == Sign::Minus {
                        order.reverse()
                    } else {
                        order
                    }
                }
                order => order,
            }
        }

        /// Go's `Quantity.Add`: in `int64Amount`s while the sum fits one.
        fn add(&self, other: &Quantity) -> Result<Quantity, String> {
            if let (
                Quantity::Int { value, scale },
                Quantity::Int {
                    value: other_value,
                    scale: other_scale,
                },
            ) = (self, other)
            {
                if let Some((value, scale)) =
                    int_add((*value, *scale), (*other_value, *other_scale))
                {
                    return Ok(Quantity::Int { value, scale });
                }
            }
            let ((a, a_exp), (b, b_exp)) = (self.decimal(), other.decimal());
            let exp = a_exp.min(b_exp);
            Ok(Quantity::Dec {
                unscaled: rescale(a, a_exp, exp)? + rescale(b, b_exp, exp)?,
                exp,
            })
        }

        /// Go's `Quantity.Sub`, as adding the negation.
        fn sub(&self, other: &Quantity) -> Result<Quantity, String> {
            let negated = match other {
                // Go's `-value` wraps for the smallest int64, and so does this.
                Quantity::Int { value, scale } => Quantity::Int {
                    value: value.wrapping_neg(),
                    scale: *scale,
                },
                Quantity::Dec { unscaled, exp } => Quantity::Dec {
                    unscaled: -unscaled,
                    exp: *exp,
                },
            };
            if let (Quantity::Int { .. }, Quantity::Int { .. }) = (self, other) {
                return self.add(&negated);
            }
            let ((a, a_exp), (b, b_exp)) = (self.decimal(), other.decimal());
            let exp = a_exp.min(b_exp);
            Ok(Quantity::Dec {
                unscaled: rescale(a, a_exp, exp)? - rescale(b, b_exp, exp)?,
                exp,
            })
        }

        /// Go's `Quantity.Mul`: in an `int64Amount` while the product fits one.
        fn mul(&self, factor: i64) -> Quantity {
            if let Quantity::Int { value, scale } = *self {
                let product = match (value, factor) {
                    (0, _) => Some((0, scale)),
                    (_, 0) => Some((0, 0)),
                    _ => value
                        .checked_mul(factor)
                        .filter(|&product| match scale {
                            0 => true,
                            s if s > 0 => positive_scale(product, i64::from(s)).is_some(),
                            s => divides_exactly(product, -i64::from(s)),
                        })
                        .map(|product| (product, scale)),
                };
                if let Some((value, scale)) = product {
                    return Quantity::Int { value, scale };
                }
            }
            let (unscaled, exp) = self.decimal();
            Quantity::Dec {
                unscaled: unscaled * factor,
                exp,
            }
        }

        /// Go's `Quantity.AsInt64`: an `inf.Dec`, or an `int64Amount` with a
        /// negative scale (`1000m`), is no integer, whatever its value.
        fn as_int64(&self) -> Option<i64> {
            match *self {
                Quantity::Int { value, scale } if scale >= 0 => {
                    positive_scale(value, i64::from(scale))
                }
                _ => None,
            }
        }

        /// Go's `Quantity.AsApproximateFloat64`.
        fn approximate_float(&self) -> f64 {
            let (base, exponent) = match self {
                Quantity::Int { value, scale } => (*value as f64, i64::from(*scale)),
                Quantity::Dec { unscaled, exp } => (
                    unscaled
                        .to_f64()
                        .unwrap_or(if unscaled.sign() == Sign::Minus {
                            f64::NEG_INFINITY
                        } else {
                            f64::INFINITY
                        }),
                    *exp,
                ),
            };
            if exponent == 0 {
                base
            } else {
                base * go_pow10(exponent)
            }
        }

        fn signum(&self) -> i64 {
            match self {
                Quantity::Int { value, .. } => value.signum(),
                Quantity::Dec { unscaled, .. } => match unscaled.sign() {
                    Sign::Minus => -1,
                    Sign::NoSign => 0,
                    Sign::Plus => 1,
                },
            }
        }
    }

    /// `m × 10^from` as a multiple of `10^to`, `to` being at most `from`.
    fn rescale(m: BigInt, from: i64, to: i64) -> Result<BigInt, String> {
        let shift = from - to;
        if m.is_zero() || shift == 0 {
            return Ok(m);
        }
        if shift > MAX_DIGITS {
            return Err(format!(
                "quantities differ by more than {MAX_DIGITS} orders of magnitude"
            ));
        }
        Ok(m * BigInt::from(pow10(shift)))
    }

    /// Go's `math.Pow10`, whose rounding `asApproximateFloat` inherits
    /// (`quantity('0.3').asApproximateFloat()` is `3 × 0.1`).
    fn go_pow10(n: i64) -> f64 {
        const TAB: [f64; 32] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29,
            1e30, 1e31,
        ];
        const POS_TAB_32: [f64; 10] = [
            1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288,
        ];
        const NEG_TAB_32: [f64; 11] = [
            1e-0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320,
        ];
        match n {
            0..=308 => POS_TAB_32[n as usize / 32] * TAB[n as usize % 32],
            -323..=-1 => NEG_TAB_32[(-n) as usize / 32] / TAB[(-n) as usize % 32],
            n if n > 0 => f64::INFINITY,
            _ => 0.0,
        }
    }

    fn arithmetic_error(function: &str) -> impl FnOnce(String) -> ExecutionError + '_ {
        move |error| ExecutionError::function_error(function, error)
    }

    /// `quantity(<string>)`: the quantity; an error if not one.
    fn quantity(s: &CelString<'_>) -> Result<Quantity, ExecutionError> {
        parse(s.inner()).map_err(|error| ExecutionError::function_error("quantity", error))
    }

    /// `isQuantity(<string>)`: whether `quantity(<string>)` succeeds.
    fn is_quantity(s: &CelString<'_>) -> CelBool {
        parse(s.inner()).is_ok().into()
    }

    /// `<Quantity>.sign()`: -1, 0 or 1.
    fn sign(q: &Quantity) -> CelInt {
        CelInt::from(q.signum())
    }

    /// `<Quantity>.isInteger()`: whether `asInteger()` succeeds.
    fn is_integer(q: &Quantity) -> CelBool {
        q.as_int64().is_some().into()
    }

    /// `<Quantity>.asInteger()`: the value as an `int`; an error if it isn't
    /// one Go can tell fits, without loss.
    fn as_integer(q: &Quantity) -> Result<CelInt, ExecutionError> {
        q.as_int64().map(CelInt::from).ok_or_else(|| {
            ExecutionError::function_error("asInteger", "cannot convert value to integer")
        })
    }

    /// `<Quantity>.asApproximateFloat()`: the value as a `double`, ±infinity
    /// past its range.
    fn as_approximate_float(q: &Quantity) -> CelDouble {
        CelDouble::from(q.approximate_float())
    }

    /// `<Quantity>.add(<Quantity>)`.
    fn add(q: &Quantity, other: &Quantity) -> Result<Quantity, ExecutionError> {
        q.add(other).map_err(arithmetic_error("add"))
    }

    /// `<Quantity>.add(<int>)`.
    fn add_int(q: &Quantity, n: &CelInt) -> Result<Quantity, ExecutionError> {
        let n = Quantity::Int {
            value: *n.inner(),
            scale: 0,
        };
        q.add(&n).map_err(arithmetic_error("add"))
    }

    /// `<Quantity>.sub(<Quantity>)`.
    fn sub(q: &Quantity, other: &Quantity) -> Result<Quantity, ExecutionError> {
        q.sub(other).map_err(arithmetic_error("sub"))
    }

    /// `<Quantity>.sub(<int>)`.
    fn sub_int(q: &Quantity, n: &CelInt) -> Result<Quantity, ExecutionError> {
        let n = Quantity::Int {
            value: *n.inner(),
            scale: 0,
        };
        q.sub(&n).map_err(arithmetic_error("sub"))
    }

    /// `<Quantity>.mul(<int>)`.
    fn mul(q: &Quantity, n: &CelInt) -> Quantity {
        q.mul(*n.inner())
    }

    /// `<Quantity>.compareTo(<Quantity>)`: -1, 0 or 1.
    fn compare_to(q: &Quantity, other: &Quantity) -> CelInt {
        CelInt::from(q.cmp(other) as i64)
    }

    /// `<Quantity>.isGreaterThan(<Quantity>)`.
    fn is_greater_than(q: &Quantity, other: &Quantity) -> CelBool {
        q.cmp(other).is_gt().into()
    }

    /// `<Quantity>.isLessThan(<Quantity>)`.
    fn is_less_than(q: &Quantity, other: &Quantity) -> CelBool {
        q.cmp(other).is_lt().into()
    }
}

// ---------------------------------------------------------------------------
// format: k8s.io/apiserver/pkg/cel/library/format.go, over apimachinery's
// validation and kube-openapi's strfmt
// ---------------------------------------------------------------------------

mod formats {
    use super::*;
    use regex::Regex;
    use std::borrow::Cow;
    use std::sync::OnceLock;

    static FORMAT_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.NamedFormat");

    pub(super) const DNS1123_LABEL_MAX_LENGTH: usize = 63;
    pub(super) const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
    const DNS1035_LABEL_MAX_LENGTH: usize = 63;
    const LABEL_KEY_MAX_LENGTH: usize = 63;
    const LABEL_VALUE_MAX_LENGTH: usize = 63;

    const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    const DNS1123_LABEL_ERROR: &str = "a lowercase RFC 1123 label must consist of lower case \
        alphanumeric characters or '-', and must start and end with an alphanumeric character";
    const DNS1123_SUBDOMAIN_FMT: &str =
        r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    const DNS1123_SUBDOMAIN_ERROR: &str = "a lowercase RFC 1123 subdomain must consist of lower \
        case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
        character";
    const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
    const DNS1035_LABEL_ERROR: &str = "a DNS-1035 label must consist of lower case alphanumeric \
        characters or '-', start with an alphabetic character, and end with an alphanumeric \
        character";
    const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    const LABEL_KEY_ERROR: &str = "must consist of alphanumeric characters, '-', '_' or '.', and \
        must start and end with an alphanumeric character";
    const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
    const LABEL_VALUE_ERROR: &str = "a valid label must be an empty string or consist of \
        alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric \
        character";

    /// A named format, `kubernetes.NamedFormat`: `format.named(name)` finds it
    /// by `key`, `format.<key>()` returns it.
    #[derive(Debug)]
    struct FormatDef {
        key: &'static str,
        /// Go's `Format.Name`, by which formats compare.
        name: &'static str,
        validate: fn(&str) -> Vec<String>,
    }

    /// Go's `ConstantFormats`.
    static FORMATS: [FormatDef; 13] = [
        FormatDef {
            key: "dns1123Label",
            name: "DNS1123Label",
            validate: |s| dns1123_label_errors(s),
        },
        FormatDef {
            key: "dns1123Subdomain",
            name: "DNS1123Subdomain",
            validate: |s| dns1123_subdomain_errors(s),
        },
        FormatDef {
            key: "dns1035Label",
            name: "DNS1035Label",
            validate: |s| dns1035_label_errors(s),
        },
        FormatDef {
            key: "qualifiedName",
            name: "QualifiedName",
            validate: label_key_errors,
        },
        FormatDef {
            key: "dns1123LabelPrefix",
            name: "DNS1123LabelPrefix",
            validate: |s| dns1123_label_errors(&mask_trailing_dash(s)),
        },
        FormatDef {
            key: "dns1123SubdomainPrefix",
            name: "DNS1123SubdomainPrefix",
            validate: |s| dns1123_subdomain_errors(&mask_trailing_dash(s)),
        },
        FormatDef {
            key: "dns1035LabelPrefix",
            name: "DNS1035LabelPrefix",
            validate: |s| dns1035_label_errors(&mask_trailing_dash(s)),
        },
        FormatDef {
            key: "labelValue",
            name: "LabelValue",
            validate: label_value_errors,
        },
        FormatDef {
            key: "uri",
            name: "URI",
            validate: |s| urls::parse_request_uri(s).err().into_iter().collect(),
        },
        FormatDef {
            key: "uuid",
            name: "uuid",
            validate: |s| error_unless(is_uuid(s), "does not match the UUID format"),
        },
        FormatDef {
            key: "byte",
            name: "byte",
            validate: |s| error_unless(is_base64(s), "invalid base64"),
        },
        FormatDef {
            key: "date",
            name: "date",
            validate: |s| error_unless(is_date(s), "invalid date"),
        },
        FormatDef {
            key: "datetime",
            name: "datetime",
            validate: |s| error_unless(is_datetime(s), "invalid datetime"),
        },
    ];

    /// `format.<key>()` for each of `FORMATS`, in order: an overload can't
    /// capture which format it returns.
    const CONSTRUCTORS: [Function; 13] = [
        constant::<0>,
        constant::<1>,
        constant::<2>,
        constant::<3>,
        constant::<4>,
        constant::<5>,
        constant::<6>,
        constant::<7>,
        constant::<8>,
        constant::<9>,
        constant::<10>,
        constant::<11>,
        constant::<12>,
    ];

    fn constant<'b, 'v, const I: usize>(
        _args: Vec<CowVal<'b, 'v>>,
    ) -> Result<CowVal<'b, 'v>, ExecutionError> {
        Ok(CowVal::owned(NamedFormat(&FORMATS[I])))
    }

    /// A format value.
    #[derive(Clone, Debug)]
    pub(super) struct NamedFormat(&'static FormatDef);

    impl PartialEq for NamedFormat {
        fn eq(&self, other: &Self) -> bool {
            self.0.name == other.0.name
        }
    }

    opaque_val!(NamedFormat, &FORMAT_TYPE);

    pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
        env.add_type(FORMAT_TYPE.to_owned())?;
        for (format, constructor) in FORMATS.iter().zip(CONSTRUCTORS) {
            let name = format!("format.{}", format.key);
            env.add_overload(&name, &format!("{name}()"), vec![], constructor)?;
        }
        cel::add_overload!(env, fn named: (CelString) -> CelOptional, name = "format.named")?;
        cel::add_member_overload!(env, fn validate: (NamedFormat, CelString) -> CelOptional)?;
        Ok(())
    }

    /// `format.named(<string>)`: the format of that name, or `optional.none()`.
    fn named(name: &CelString<'_>) -> CelOptional<'static> {
        match FORMATS.iter().find(|format| format.key == name.inner()) {
            Some(format) => CelOptional::of(Box::new(NamedFormat(format))),
            None => CelOptional::none(),
        }
    }

    /// `<Format>.validate(<string>)`: `optional.none()` if the string has the
    /// format, else an optional of the list of what is wrong with it.
    ///
    /// As in cel-go, an optional never equals `null`, so Gateway API's rule
    /// `format.dns1123Label().validate(self) == null` rejects every value,
    /// valid or not, as the apiserver does: a lint of it must agree.
    fn validate(format: &NamedFormat, s: &CelString<'_>) -> CelOptional<'static> {
        let errors = (format.0.validate)(s.inner());
        if errors.is_empty() {
            CelOptional::none()
        } else {
            CelOptional::of(Box::new(string_list(errors)))
        }
    }

    fn error_unless(valid: bool, error: &str) -> Vec<String> {
        if valid {
            Vec::new()
        } else {
            vec![error.to_owned()]
        }
    }

    fn max_len_error(length: usize) -> String {
        format!("must be no more than {length} bytes")
    }

    /// apimachinery's `RegexError`, its double space included: `(e.g. 'a',  or
    /// 'b', regex used for validation is '...')`.
    fn regex_error(message: &str, fmt: &str, examples: &[&str]) -> String {
        let examples: String = examples
            .iter()
            .enumerate()
            .map(|(i, example)| format!("{}'{example}', ", if i > 0 { " or " } else { "" }))
            .collect();
        format!("{message} (e.g. {examples}regex used for validation is '{fmt}')")
    }

    /// apimachinery's `maskTrailingDash`, for the `Prefix` formats, whose
    /// names get a suffix appended: a trailing dash and the character before
    /// it become `a`. (Go drops two bytes for one dash; that is kept, as it
    /// decides which names pass.)
    fn mask_trailing_dash(name: &str) -> Cow<'_, str> {
        match name.len() > 1 && name.ends_with('-') {
            true => {
                let mut masked = name.as_bytes()[..name.len() - 2].to_vec();
                masked.push(b'a');
                Cow::Owned(String::from_utf8_lossy(&masked).into_owned())
            }
            false => Cow::Borrowed(name),
        }
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, or with `[a-z]` first for RFC 1035.
    fn matches_label(value: &str, letter_first: bool) -> bool {
        let b = value.as_bytes();
        let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
        match (b.first(), b.last()) {
            (Some(first), Some(last)) => {
                (first.is_ascii_lowercase() || !letter_first && first.is_ascii_digit())
                    && (last.is_ascii_lowercase() || last.is_ascii_digit())
                    && b.iter().all(inner)
            }
            _ => false,
        }
    }

    pub(super) fn matches_dns1123_label(value: &str) -> bool {
        matches_label(value, false)
    }

    pub(super) fn matches_dns1123_subdomain(value: &str) -> bool {
        value.split('.').all(matches_dns1123_label)
    }

    /// apimachinery's `IsDNS1123Label`.
    fn dns1123_label_errors(value: &str) -> Vec<String> {
        let mut errors = Vec::new();
        if value.len() > DNS1123_LABEL_MAX_LENGTH {
            errors.push(max_len_error(DNS1123_LABEL_MAX_LENGTH));
        }
        if !matches_dns1123_label(value) {
            errors.push(if matches_dns1123_subdomain(value) {
                "must not contain dots".to_owned()
            } else {
                regex_error(
                    DNS1123_LABEL_ERROR,
                    DNS1123_LABEL_FMT,
                    &["my-name", "123-abc"],
                )
            });
        }
        errors
    }

    /// apimachinery's `IsDNS1123Subdomain`.
    fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
        let mut errors = Vec::new();
        if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
            errors.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        if !matches_dns1123_subdomain(value) {
            errors.push(regex_error(
                DNS1123_SUBDOMAIN_ERROR,
                DNS1123_SUBDOMAIN_FMT,
                &["example.com"],
            ));
        }
        errors
    }

    /// apimachinery's `IsDNS1035Label`.
    fn dns1035_label_errors(value: &str) -> Vec<String> {
        let mut errors = Vec::new();
        if value.len() > DNS1035_LABEL_MAX_LENGTH {
            errors.push(max_len_error(DNS1035_LABEL_MAX_LENGTH));
        }
        if !matches_label(value, true) {
            errors.push(regex_error(
                DNS1035_LABEL_ERROR,
                DNS1035_LABEL_FMT,
                &["my-name", "abc-123"],
            ));
        }
        errors
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    fn matches_label_key(value: &str) -> bool {
        let b = value.as_bytes();
        match (b.first(), b.last()) {
            (Some(first), Some(last)) => {
                first.is_ascii_alphanumeric()
                    && last.is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            }
            _ => false,
        }
    }

    /// apimachinery's `IsQualifiedName` (`content.IsLabelKey`): a name,
    /// optionally after a DNS subdomain prefix and `/`.
    fn label_key_errors(value: &str) -> Vec<String> {
        let key_error = || {
            regex_error(
                LABEL_KEY_ERROR,
                LABEL_KEY_FMT,
                &["MyName", "my.name", "123-abc"],
            )
        };
        let mut errors = Vec::new();
        let parts: Vec<&str> = value.split('/').collect();
        let name = match parts[..] {
            [name] => name,
            [prefix, name] => {
                if prefix.is_empty() {
                    errors.push("prefix part must be non-empty".to_owned());
                } else {
                    errors.extend(
                        dns1123_subdomain_errors(prefix)
                            .into_iter()
                            .map(|error| format!("prefix part {error}")),
                    );
                }
                name
            }
            _ => {
                return vec![format!(
                    "a valid label key {} with an optional DNS subdomain prefix and '/' \
                     (e.g. 'example.com/MyName')",
                    key_error()
                )]
            }
        };
        if name.is_empty() {
            errors.push("name part must be non-empty".to_owned());
        } else if name.len() > LABEL_KEY_MAX_LENGTH {
            errors.push(format!("name part {}", max_len_error(LABEL_KEY_MAX_LENGTH)));
        }
        if !matches_label_key(name) {
            errors.push(format!("name part {}", key_error()));
        }
        errors
    }

    /// apimachinery's `IsValidLabelValue`.
    fn label_value_errors(value: &str) -> Vec<String> {
        let mut errors = Vec::new();
        if value.len() > LABEL_VALUE_MAX_LENGTH {
            errors.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
        }
        if !value.is_empty() && !matches_label_key(value) {
            errors.push(regex_error(
                LABEL_VALUE_ERROR,
                LABEL_VALUE_FMT,
                &["MyValue", "my_value", "12345"],
            ));
        }
        errors
    }

    /// strfmt's `IsUUID`:
    /// `(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`.
    fn is_uuid(value: &str) -> bool {
        let mut rest = value.as_bytes();
        for (i, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
            if i > 0 {
                if let [b'-', tail @ ..] = rest {
                    rest = tail;
                }
            }
            if rest.len() < len || !rest[..len].iter().all(u8::is_ascii_hexdigit) {
                return false;
            }
            rest = &rest[len..];
        }
        rest.is_empty()
    }

    /// govalidator's `IsBase64`, which strfmt's `byte` uses: standard
    /// alphabet, padded, not empty.
    fn is_base64(value: &str) -> bool {
        let b = value.as_bytes();
        let alphabet = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/');
        let padding = b.iter().rev().take_while(|&&c| c == b'=').count();
        !b.is_empty()
            && b.len().is_multiple_of(4)
            && padding <= 2
            && b[..b.len() - padding].iter().all(alphabet)
    }

    /// strfmt's `IsDate`: Go's `time.Parse("2006-01-02", s)`, whose year may
    /// be signed (`+999`), month and day two digits, the day within the
    /// month.
    fn is_date(value: &str) -> bool {
        let b = value.as_bytes();
        let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
        if b.len() != 10
            || !(b[0].is_ascii_digit() || matches!(b[0], b'+' | b'-'))
            || !digits(1..4)
            || b[4] != b'-'
            || !digits(5..7)
            || b[7] != b'-'
            || !digits(8..10)
        {
            return false;
        }
        let number = |range: std::ops::Range<usize>| {
            b[range]
                .iter()
                .fold(0i32, |n, digit| n * 10 + i32::from(digit - b'0'))
        };
        let year = match b[0] {
            b'-' => -number(1..4),
            b'+' => number(1..4),
            _ => number(0..4),
        };
        let (month, day) = (number(5..7), number(8..10));
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&day)
    }

    /// kube-openapi strfmt's `IsDateTime`: lowercased, a date before the
    /// first `t`, and a time matching its pattern after it (up to a second
    /// `t`). Go panics on a value without `t`; it is invalid here.
    fn is_datetime(value: &str) -> bool {
        static TIME: OnceLock<Regex> = OnceLock::new();
        let time_pattern = TIME.get_or_init(|| {
            Regex::new(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")
                .expect("the pattern is valid")
        });
        let lowered = value.to_lowercase();
        let mut parts = lowered.split('t');
        let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
            return false;
        };
        if !is_date(date) {
            return false;
        }
        time_pattern
            .captures(time)
            .is_some_and(|time| &time[1] <= "23" && &time[2] <= "59" && &time[3] <= "59")
    }
}

// ---------------------------------------------------------------------------
// semver: k8s.io/apiserver/pkg/cel/library/semverlib.go, over
// github.com/blang/semver/v4
// ---------------------------------------------------------------------------

mod semver {
    use super::*;

    static SEMVER_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.Semver");

    pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
        env.add_type(SEMVER_TYPE.to_owned())?;
        cel::add_overload!(env, fn semver: (CelString) -> Result<Semver>)?;
        cel::add_overload!(env, fn semver_normalize: (CelString, CelBool) -> Result<Semver>,
            name = "semver")?;
        cel::add_overload!(env, fn is_semver: (CelString) -> CelBool)?;
        cel::add_overload!(env, fn is_semver_normalize: (CelString, CelBool) -> CelBool,
            name = "isSemver")?;
        cel::add_member_overload!(env, fn major: (Semver) -> CelInt)?;
        cel::add_member_overload!(env, fn minor: (Semver) -> CelInt)?;
        cel::add_member_overload!(env, fn patch: (Semver) -> CelInt)?;
        cel::add_member_overload!(env, fn compare_to: (Semver, Semver) -> CelInt)?;
        cel::add_member_overload!(env, fn is_greater_than: (Semver, Semver) -> CelBool)?;
        cel::add_member_overload!(env, fn is_less_than: (Semver, Semver) -> CelBool)?;
        Ok(())
    }

    /// A semantic version, `kubernetes.Semver`. Two are equal when they
    /// compare equal, build metadata aside.
    #[derive(Clone, Debug)]
    pub(super) struct Semver {
        major: u64,
        minor: u64,
        patch: u64,
        pre: Vec<PreRelease>,
    }

    opaque_val!(Semver, &SEMVER_TYPE);

    impl PartialEq for Semver {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other) == Ordering::Equal
        }
    }

    /// A pre-release identifier: numbers order below words, and each among
    /// themselves as semver.org says, as the derived order does.
    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum PreRelease {
        Numeric(u64),
        Alphanumeric(String),
    }

    impl Semver {
        /// blang's `Version.Compare`: a version without pre-release is
        /// greater than one with.
        fn cmp(&self, other: &Semver) -> Ordering {
            (self.major, self.minor, self.patch)
                .cmp(&(other.major, other.minor, other.patch))
                .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => self.pre.cmp(&other.pre),
                })
        }
    }

    fn is_alphanumeric(s: &str) -> bool {
        s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }

    /// A major, minor or patch number: digits, no leading zero.
    fn number(part: &str, name: &str) -> Result<u64, String> {
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "Invalid character(s) found in {name} number {}",
                go_quote(part)
            ));
        }
        if part.len() > 1 && part.starts_with('0') {
            let name = name[..1].to_uppercase() + &name[1..];
            return Err(format!(
                "{name} number must not contain leading zeroes {}",
                go_quote(part)
            ));
        }
        part.parse().map_err(|_| {
            let reason = match part {
                "" => "invalid syntax",
                _ => "value out of range",
            };
            format!("strconv.ParseUint: parsing {}: {reason}", go_quote(part))
        })
    }

    /// blang's `semver.Parse`: `major.minor.patch[-pre][+build]`, strictly.
    fn parse(s: &str) -> Result<Semver, String> {
        if s.is_empty() {
            return Err("Version string empty".to_owned());
        }
        let parts: Vec<&str> = s.splitn(3, '.').collect();
        let [major, minor, rest] = parts[..] else {
            return Err("No Major.Minor.Patch elements found".to_owned());
        };
        let (major, minor) = (number(major, "major")?, number(minor, "minor")?);
        let (rest, build) = match rest.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (rest, None),
        };
        let (patch, pre) = match rest.split_once('-') {
            Some((patch, pre)) => (patch, Some(pre)),
            None => (rest, None),
        };
        let patch = number(patch, "patch")?;
        let pre = pre
            .map(|pre| pre.split('.').map(pre_release).collect::<Result<_, _>>())
            .transpose()?
            .unwrap_or_default();
        for identifier in build.map(|build| build.split('.')).into_iter().flatten() {
            if identifier.is_empty() {
                return Err("Build meta data is empty".to_owned());
            }
            if !is_alphanumeric(identifier) {
                return Err(format!(
                    "Invalid character(s) found in build meta data {}",
                    go_quote(identifier)
                ));
            }
        }
        Ok(Semver {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// blang's `NewPRVersion`.
    fn pre_release(s: &str) -> Result<PreRelease, String> {
        if s.is_empty() {
            return Err("Prerelease is empty".to_owned());
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            if s.len() > 1 && s.starts_with('0') {
                return Err(format!(
                    "Numeric PreRelease version must not contain leading zeroes {}",
                    go_quote(s)
                ));
            }
            return s.parse().map(PreRelease::Numeric).map_err(|_| {
                format!(
                    "strconv.ParseUint: parsing {}: value out of range",
                    go_quote(s)
                )
            });
        }
        if is_alphanumeric(s) {
            return Ok(PreRelease::Alphanumeric(s.to_owned()));
        }
        Err(format!(
            "Invalid character(s) found in prerelease {}",
            go_quote(s)
        ))
    }

    /// The apiserver's `normalizeAndParse`: without a leading `v`, leading
    /// zeros, and with a missing minor or patch as 0.
    fn normalize_and_parse(s: &str) -> Result<Semver, String> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts: Vec<String> = s
            .splitn(3, '.')
            .map(|part| {
                if part.len() <= 1 {
                    return part.to_owned();
                }
                let trimmed = part.trim_start_matches('0');
                if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                    trimmed.to_owned()
                } else {
                    format!("0{trimmed}")
                }
            })
            .collect();
        if parts.len() < 3 {
            if parts.last().is_some_and(|last| last.contains(['+', '-'])) {
                return Err("short version cannot contain PreRelease/Build meta data".to_owned());
            }
            parts.resize(3, "0".to_owned());
        }
        parse(&parts.join("."))
    }

    fn semver_error(error: String) -> ExecutionError {
        ExecutionError::function_error("semver", error)
    }

    /// `semver(<string>)`: the version; an error if not one.
    fn semver(s: &CelString<'_>) -> Result<Semver, ExecutionError> {
        parse(s.inner()).map_err(semver_error)
    }

    /// `semver(<string>, <normalize>)`: the version, normalized first if
    /// asked; an error if not one.
    fn semver_normalize(s: &CelString<'_>, normalize: &CelBool) -> Result<Semver, ExecutionError> {
        match normalize.inner() {
            true => normalize_and_parse(s.inner()).map_err(semver_error),
            false => semver(s),
        }
    }

    /// `isSemver(<string>)`: whether `semver(<string>)` succeeds.
    fn is_semver(s: &CelString<'_>) -> CelBool {
        parse(s.inner()).is_ok().into()
    }

    /// `isSemver(<string>, <normalize>)`: whether `semver(<string>,
    /// <normalize>)` succeeds.
    fn is_semver_normalize(s: &CelString<'_>, normalize: &CelBool) -> CelBool {
        semver_normalize(s, normalize).is_ok().into()
    }

    /// `<Semver>.major()`.
    fn major(v: &Semver) -> CelInt {
        // Go converts the uint64 to int64, as `as` does.
        CelInt::from(v.major as i64)
    }

    /// `<Semver>.minor()`.
    fn minor(v: &Semver) -> CelInt {
        CelInt::from(v.minor as i64)
    }

    /// `<Semver>.patch()`.
    fn patch(v: &Semver) -> CelInt {
        CelInt::from(v.patch as i64)
    }

    /// `<Semver>.compareTo(<Semver>)`: -1, 0 or 1.
    fn compare_to(v: &Semver, other: &Semver) -> CelInt {
        CelInt::from(v.cmp(other) as i64)
    }

    /// `<Semver>.isGreaterThan(<Semver>)`.
    fn is_greater_than(v: &Semver, other: &Semver) -> CelBool {
        v.cmp(other).is_gt().into()
    }

    /// `<Semver>.isLessThan(<Semver>)`.
    fn is_less_than(v: &Semver, other: &Semver) -> CelBool {
        v.cmp(other).is_lt().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::{Context, Program, Value};
    use std::sync::{Arc, OnceLock};

    /// The standard environment with the library, built once for all tests.
    fn env() -> Arc<Env> {
        static ENV: OnceLock<Arc<Env>> = OnceLock::new();
        Arc::clone(ENV.get_or_init(|| {
            let mut env = Env::stdlib();
            register(&mut env).expect("the library registers on the standard environment");
            Arc::new(env)
        }))
    }

    fn compile(expr: &str) -> Program {
        env()
            .compile(expr)
            .unwrap_or_else(|error| panic!("{expr}: {error}"))
    }

    fn eval(expr: &str) -> Result<Value, ExecutionError> {
        compile(expr).execute(&Context::with_env(env()))
    }

    /// Asserts that each expression evaluates to `true`.
    fn assert_true(exprs: &[&str]) {
        for expr in exprs {
            assert_eq!(eval(expr), Ok(Value::Bool(true)), "{expr}");
        }
    }

    /// Asserts that `expr` fails, with an error whose message contains
    /// `message`.
    fn assert_error(expr: &str, message: &str) {
        match eval(expr) {
            Err(error) => assert!(
                error.to_string().contains(message),
                "{expr}: {error} does not contain {message}"
            ),
            Ok(value) => panic!("{expr}: expected an error, got {value:?}"),
        }
    }

    fn strings(items: &[&str]) -> Value {
        Value::List(Arc::new(
            items
                .iter()
                .map(|item| Value::String(Arc::new((*item).to_owned())))
                .collect(),
        ))
    }

    /// Asserts that `<format>.validate(value)` reports exactly `errors`.
    fn assert_format_errors(format: &str, value: &str, errors: &[&str]) {
        let expr = format!("format.{format}().validate({})", go_quote(value));
        let result = eval(&format!("{expr}.orValue([])"));
        assert_eq!(result, Ok(strings(errors)), "{expr}");
    }

    #[test]
    fn registering_twice_is_an_error() {
        let mut env = Env::stdlib();
        assert_eq!(env.add_extension(register), Ok(()));
        assert!(matches!(
            register(&mut env),
            Err(DeclarationError::DuplicateOverload { .. })
        ));
    }

    #[test]
    fn env_programs_and_contexts_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Env>();
        assert_send_sync::<Program>();
        assert_send_sync::<Context<'static, 'static>>();
    }

    #[test]
    fn a_program_evaluates_on_several_threads() {
        let program = Arc::new(compile("isIP(self) && ip(self).family() == 4"));
        let threads: Vec<_> = ["10.0.0.1", "::1", "nope", "192.168.1.1"]
            .into_iter()
            .map(|address| {
                let program = Arc::clone(&program);
                std::thread::spawn(move || {
                    let mut context = Context::with_env(env());
                    context.add_variable_from_value("self", address);
                    program.execute(&context)
                })
            })
            .collect();
        let results: Vec<_> = threads
            .into_iter()
            .map(|thread| thread.join().expect("the thread doesn't panic"))
            .collect();
        let expected = [true, false, false, true].map(|b| Ok(Value::Bool(b)));
        assert_eq!(results, expected);
    }

    #[test]
    fn strings_extension() {
        assert_true(&[
            "'abc'.charAt(1) == 'b'",
            "'hello mellow'.indexOf('ello') == 1",
            "'hello mellow'.indexOf('ello', 2) == 7",
            "'hello mellow'.lastIndexOf('ello') == 7",
            "'TacoCat'.lowerAscii() == 'tacocat'",
            "'TacoCat'.upperAscii() == 'TACOCAT'",
            "'hello hello'.replace('he', 'we') == 'wello wello'",
            "'hello hello'.replace('he', 'we', 1) == 'wello hello'",
            "'a,b,c'.split(',') == ['a', 'b', 'c']",
            "'a,b,c'.split(',', 2) == ['a', 'b,c']",
            "'tacocat'.substring(4) == 'cat'",
            "'tacocat'.substring(0, 4) == 'taco'",
            "'  trim\\t'.trim() == 'trim'",
            "['a', 'b'].join() == 'ab'",
            "['a', 'b'].join('-') == 'a-b'",
            "'%s is %d'.format(['x', 1]) == 'x is 1'",
            "strings.quote('a\"b') == '\"a\\\\\"b\"'",
        ]);
        assert_error("'abc'.charAt(4)", "index out of range: 4");
    }

    #[test]
    fn lists_is_sorted() {
        assert_true(&[
            "[1, 2, 3].isSorted()",
            "['a', 'b', 'b', 'c'].isSorted()",
            "![2.0, 1.0].isSorted()",
            "[1u, 2u].isSorted()",
            "[false, true].isSorted()",
            "[b'a', b'b'].isSorted()",
            "[duration('1s'), duration('1m')].isSorted()",
            "[timestamp('2020-01-01T00:00:00Z'), timestamp('2021-01-01T00:00:00Z')].isSorted()",
            "[1].isSorted()",
            "[].isSorted()",
        ]);
        assert_error("[[1], [2]].isSorted()", "isSorted");
        assert_error("[{}].isSorted()", "isSorted");
    }

    #[test]
    fn lists_sum() {
        assert_true(&[
            "[1, 3].sum() == 4",
            "[1.0, 3.0].sum() == 4.0",
            "[1u, 3u].sum() == 4u",
            "[duration('1m'), duration('1s')].sum() == duration('61s')",
            "[].sum() == 0",
            "[5].sum() == 5",
        ]);
        assert_error("['a', 'b'].sum()", "sum");
        assert_error("[9223372036854775807, 1].sum()", "Overflow");
    }

    #[test]
    fn lists_min_and_max() {
        assert_true(&[
            "[1, 3].min() == 1",
            "[1, 3].max() == 3",
            "[3, 1, 2].min() == 1",
            "['b', 'c', 'a'].max() == 'c'",
            "[2.5, -1.0].min() == -1.0",
            "[1].min() == 1",
            "([0] + []).min() == 0",
        ]);
        assert_error("[].min()", "min called on empty list");
        assert_error("[].max()", "max called on empty list");
        assert_error("[[1]].max()", "max");
    }

    #[test]
    fn lists_index_of() {
        assert_true(&[
            "[1, 2, 2, 3].indexOf(2) == 1",
            "['a', 'b', 'b', 'c'].lastIndexOf('b') == 2",
            "[1.0].indexOf(1.1) == -1",
            "[].indexOf('string') == -1",
            "[].lastIndexOf('string') == -1",
            "[[1], [2]].indexOf([2]) == 1",
            // the strings extension's overloads are still there
            "'abcb'.indexOf('b') == 1",
            "'abcb'.lastIndexOf('b') == 3",
        ]);
    }

    #[test]
    fn regex_find() {
        assert_true(&[
            "'abc 123'.find('[0-9]+') == '123'",
            "'abc 123'.find('[0-9]*') == ''",
            "'abc 123'.find('xyz') == ''",
            "'123 abc 456'.findAll('[0-9]+') == ['123', '456']",
            // Go's FindAllString: an empty match right after a match isn't one
            "'123 abc 456'.findAll('[0-9]*') == ['123', '', '', '', '', '456']",
            "'123 abc 456'.findAll('[0-9]+', 1) == ['123']",
            "'123 abc 456'.findAll('[0-9]+', 0) == []",
            "'123 abc 456'.findAll('[0-9]+', -1) == ['123', '456']",
            "'123 abc 456'.findAll('xyz') == []",
            "'abc'.matches('^[a-z]+$')",
        ]);
        assert_error("'abc'.find('[')", "Illegal regex");
        assert_error("'abc'.findAll('(', 2)", "Illegal regex");
    }

    #[test]
    fn is_url() {
        assert_true(&[
            "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
            "isURL('/absolute-path')",
            "isURL('*')",
            "isURL('http://[::1]:80/')",
            "isURL('http://[fe80::1%25en0]/')",
            "isURL('mailto:user@example.com')",
            "isURL('//example.com/path')",
            "isURL('HTTP://EXAMPLE.COM')",
            "!isURL('https://a:b:c/')",
            "!isURL('../relative-path')",
            "!isURL('example.com')",
            "!isURL('example.com/path')",
            "!isURL('')",
            "!isURL(':no-scheme')",
            "!isURL('http://[1.2.3.4]/')",
            "!isURL('http://[example.com]/')",
            "!isURL('http://[::1/')",
            "!isURL('http://exa mple.com/')",
            "!isURL('http://example.com/%zz')",
            "!isURL('http://host:port/')",
            "!isURL('http://user^@host/')",
            "!isURL('http://example.com/\\n')",
        ]);
    }

    #[test]
    fn url_components() {
        assert_true(&[
            "url('/path').getScheme() == ''",
            "url('https://example.com/').getScheme() == 'https'",
            "url('HTTPS://example.com/').getScheme() == 'https'",
            "url('https://example.com:80/').getHost() == 'example.com:80'",
            "url('https://example.com/').getHost() == 'example.com'",
            "url('https://[::1]:80/').getHost() == '[::1]:80'",
            "url('https://[::1]/').getHost() == '[::1]'",
            "url('/path').getHost() == ''",
            // `url.Parse` reads an authority `ParseRequestURI` reads as path
            "url('//example.com/x').getHost() == 'example.com'",
            "url('https://example.com:80/').getHostname() == 'example.com'",
            "url('https://127.0.0.1:80/').getHostname() == '127.0.0.1'",
            "url('https://[::1]:80/').getHostname() == '::1'",
            "url('/path').getHostname() == ''",
            "url('https://example.com:80/').getPort() == '80'",
            "url('https://example.com/').getPort() == ''",
            "url('/path').getPort() == ''",
            "url('https://example.com/path').getEscapedPath() == '/path'",
            "url('https://example.com/path with spaces/').getEscapedPath() == \
             '/path%20with%20spaces/'",
            "url('https://example.com').getEscapedPath() == ''",
            "url('https://example.com/a%2Fb').getEscapedPath() == '/a%2Fb'",
            // a valid escaping is kept as written
            "url('https://example.com/%41').getEscapedPath() == '/%41'",
            "url('*').getEscapedPath() == '*'",
            "url('https://example.com/path#frag').getEscapedPath() == '/path'",
        ]);
    }

    #[test]
    fn url_query() {
        assert_true(&[
            "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == \
             {'k1': ['a'], 'k2': ['b', 'c']}",
            "url('https://example.com/path?key with spaces=value with spaces').getQuery() == \
             {'key with spaces': ['value with spaces']}",
            "url('https://example.com/path?a+b=c%20d').getQuery() == {'a b': ['c d']}",
            "url('https://example.com/path?').getQuery() == {}",
            "url('https://example.com/path').getQuery() == {}",
            "url('https://example.com/path?a=1#b=2').getQuery() == {'a': ['1']}",
            "url('https://example.com/path?a=1;b=2&c').getQuery() == {'c': ['']}",
            "url('https://example.com/path?a=%zz&b=1').getQuery() == {'b': ['1']}",
        ]);
    }

    #[test]
    fn url_values() {
        assert_true(&[
            "url('https://example.com/') == url('https://example.com/')",
            "url('https://example.com/') != url('https://example.com/x')",
            "type(url('/')) == kubernetes.URL",
        ]);
        assert_error(
            "url('../relative-path')",
            "URL parse error during conversion from string: parse \"../relative-path\": \
             invalid URI for request",
        );
        assert_error("url('https://a:b:c/')", "invalid port \":c\" after host");
        assert_error("url('')", "empty url");
    }

    #[test]
    fn ip_parsing() {
        assert_true(&[
            "isIP('127.0.0.1')",
            "isIP('0.0.0.0')",
            "isIP('::1')",
            "isIP('2001:DB8::1')",
            // IPv4-compatible (not -mapped) IPv6 is an IPv6 address
            "isIP('::1.2.3.4')",
            "!isIP('127.0.0.256')",
            "!isIP(':::1')",
            "!isIP('1.2.3')",
            "!isIP('')",
            "!isIP('localhost')",
            // Kubernetes refuses leading zeros, mapped addresses and zones
            "!isIP('01.2.3.4')",
            "!isIP('127.0.0.01')",
            "!isIP('::1.2.3.04')",
            "!isIP('::ffff:1.2.3.4')",
            "!isIP('::FFFF:102:304')",
            "!isIP('fe80::1%eth0')",
            "!isIP('fe80::1%')",
        ]);
        assert_error(
            "ip('fe80::1%eth0')",
            "IP address \"fe80::1%eth0\" with zone value is not allowed",
        );
        assert_error(
            "ip('::ffff:1.2.3.4')",
            "IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed",
        );
        assert_error(
            "ip('01.2.3.4')",
            "IP Address \"01.2.3.4\" parse error during conversion from string: \
             ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero",
        );
        assert_error(
            "ip('127.0.0.256')",
            "parse error during conversion from string",
        );
    }

    #[test]
    fn ip_canonical_form() {
        assert_true(&[
            "ip.isCanonical('127.0.0.1')",
            "ip.isCanonical('2001:db8::abcd')",
            "ip.isCanonical('::')",
            "ip.isCanonical('1:0:0:1::1')",
            "!ip.isCanonical('2001:DB8::ABCD')",
            "!ip.isCanonical('2001:db8::0:0:0:abcd')",
            "!ip.isCanonical('1:0:0:1:0:0:0:1')",
            "!ip.isCanonical('::1.2.3.4')",
            "string(ip('2001:db8::0:0:1')) == '2001:db8::1'",
            "string(ip('::1.2.3.4')) == '::102:304'",
            "string(ip('10.0.0.1')) == '10.0.0.1'",
        ]);
        assert_error("ip.isCanonical('nope')", "parse error");
    }

    #[test]
    fn ip_properties() {
        assert_true(&[
            "ip('127.0.0.1').family() == 4",
            "ip('::1').family() == 6",
            "ip('0.0.0.0').isUnspecified()",
            "!ip('127.0.0.1').isUnspecified()",
            "ip('::').isUnspecified()",
            "!ip('::1').isUnspecified()",
            "ip('127.0.0.1').isLoopback()",
            "ip('127.255.0.1').isLoopback()",
            "!ip('192.168.0.1').isLoopback()",
            "ip('::1').isLoopback()",
            "!ip('2001:db8::abcd').isLoopback()",
            "ip('224.0.0.1').isLinkLocalMulticast()",
            "!ip('224.0.1.1').isLinkLocalMulticast()",
            "ip('ff02::1').isLinkLocalMulticast()",
            "ip('ff12::1').isLinkLocalMulticast()",
            "!ip('fd00::1').isLinkLocalMulticast()",
            "ip('169.254.169.254').isLinkLocalUnicast()",
            "!ip('192.168.0.1').isLinkLocalUnicast()",
            "ip('fe80::1').isLinkLocalUnicast()",
            "ip('febf::1').isLinkLocalUnicast()",
            "!ip('fd80::1').isLinkLocalUnicast()",
            "ip('192.168.0.1').isGlobalUnicast()",
            "ip('10.0.0.1').isGlobalUnicast()",
            "!ip('255.255.255.255').isGlobalUnicast()",
            "!ip('0.0.0.0').isGlobalUnicast()",
            "!ip('224.0.0.1').isGlobalUnicast()",
            "ip('2001:db8::abcd').isGlobalUnicast()",
            "ip('fd00::1').isGlobalUnicast()",
            "!ip('ff00::1').isGlobalUnicast()",
            "!ip('fe80::1').isGlobalUnicast()",
            "ip('10.0.0.1') == ip('10.0.0.1')",
            "ip('10.0.0.1') != ip('10.0.0.2')",
            "ip('::1') == ip('0:0:0:0:0:0:0:1')",
            "type(ip('10.0.0.1')) == net.IP",
        ]);
    }

    #[test]
    fn cidr_parsing() {
        assert_true(&[
            "isCIDR('192.168.0.0/16')",
            "isCIDR('::1/128')",
            "isCIDR('0.0.0.0/0')",
            // bits past the prefix are allowed: see `masked()`
            "isCIDR('192.168.0.1/16')",
            "!isCIDR('192.168.0.0/33')",
            "!isCIDR('::1/129')",
            "!isCIDR('192.168.0.0')",
            "!isCIDR('192.168.0.0/')",
            "!isCIDR('192.168.0.0/016')",
            "!isCIDR('192.168.0.0/+16')",
            "!isCIDR('192.168.0.0/-1')",
            "!isCIDR('192.168.00.0/16')",
            "!isCIDR('::ffff:1.2.3.4/120')",
            "!isCIDR('fe80::1%eth0/64')",
        ]);
        assert_error(
            "cidr('192.168.0.0/')",
            "network address parse error during conversion from string: network address parse \
             error during conversion from string: netip.ParsePrefix(\"192.168.0.0/\"): bad bits \
             after slash: \"\"",
        );
        assert_error("cidr('::1/129')", "prefix length out of range");
        assert_error("cidr('10.0.0.0')", "no '/'");
        assert_error(
            "cidr('::ffff:1.2.3.4/120')",
            "'cidr': network address parse error during conversion from string: IPv4-mapped \
             IPv6 address \"::ffff:1.2.3.4/120\" is not allowed",
        );
        assert_error(
            "cidr('fe80::1%eth0/64')",
            "IPv6 zones cannot be present in a prefix",
        );
        assert_error("cidr('10.0.0.0/99999999999')", "prefix length out of range");
        assert_error(
            "cidr('10.0.0.0/99999999999999999999')",
            "bad bits after slash",
        );
    }

    #[test]
    fn cidr_operations() {
        assert_true(&[
            "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
            "!cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
            "cidr('192.168.0.0/24').containsIP('192.168.0.1')",
            "!cidr('192.168.0.0/24').containsIP('192.168.1.1')",
            "cidr('2001:db8::/32').containsIP('2001:db8::1')",
            "!cidr('2001:db8::/32').containsIP('2001:dc8::1')",
            "!cidr('0.0.0.0/0').containsIP('::1')",
            "cidr('0.0.0.0/0').containsIP('1.2.3.4')",
            "cidr('192.168.0.1/24').containsIP('192.168.0.200')",
            "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))",
            "!cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))",
            "cidr('192.168.0.0/24').containsCIDR('192.168.0.0/25')",
            "!cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')",
            "cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')",
            "cidr('192.168.0.0/16').containsCIDR('192.168.0.1/32')",
            "!cidr('192.168.1.0/24').containsCIDR('192.168.2.0/24')",
            "cidr('2001:db8::/32').containsCIDR('2001:db8::/33')",
            "!cidr('2001:db8::/32').containsCIDR('2001:db8::/31')",
            "!cidr('::/0').containsCIDR('10.0.0.0/8')",
            "cidr('192.168.0.1/24').ip() == ip('192.168.0.1')",
            "cidr('192.168.0.1/24').ip().family() == 4",
            "cidr('::1/128').ip().family() == 6",
            "cidr('192.168.0.0/24').masked() == cidr('192.168.0.0/24')",
            "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
            "cidr('2001:db8:1::/32').masked() == cidr('2001:db8::/32')",
            "cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()",
            "cidr('192.168.0.1/24') != cidr('192.168.0.1/24').masked()",
            "cidr('10.1.2.3/0').masked() == cidr('0.0.0.0/0')",
            "cidr('192.168.0.0/16').prefixLength() == 16",
            "cidr('::1/128').prefixLength() == 128",
            "string(cidr('192.168.0.0/24')) == '192.168.0.0/24'",
            "string(cidr('2001:db8:0::/32')) == '2001:db8::/32'",
            "type(cidr('192.168.0.0/24')) == net.CIDR",
        ]);
        assert_error(
            "cidr('10.0.0.0/8').containsIP('10.0.0.01')",
            "IPv4 field has octet with leading zero",
        );
        assert_error(
            "cidr('10.0.0.0/8').containsCIDR('10.0.0.0/33')",
            "out of range",
        );
    }

    #[test]
    fn quantity_parsing() {
        assert_true(&[
            "isQuantity('20')",
            "isQuantity('20M')",
            "isQuantity('20Mi')",
            "isQuantity('1.5Gi')",
            "isQuantity('100m')",
            "isQuantity('1e3')",
            "isQuantity('1E-3')",
            "isQuantity('1e+3')",
            "isQuantity('-1')",
            "isQuantity('+1')",
            "isQuantity('5n')",
            "isQuantity('10u')",
            "isQuantity('1E')",
            "isQuantity('1.')",
            "isQuantity('.5')",
            "isQuantity('1.G')",
            "isQuantity('0')",
            "isQuantity('000.000')",
            "!isQuantity('20Mo')",
            "!isQuantity('10Mm')",
            "!isQuantity('')",
            "!isQuantity('Three')",
            "!isQuantity('1,3G')",
            "!isQuantity('200K')",
            "!isQuantity('1.1.M')",
            "!isQuantity('1+1.0M')",
            "!isQuantity('0.1mi')",
            "!isQuantity('0.1am')",
            "!isQuantity('.5i')",
            "!isQuantity('1i')",
            "!isQuantity('-3.01i')",
            "!isQuantity('-3.01e-')",
            "!isQuantity(' 1')",
            "!isQuantity('1 ')",
            "!isQuantity('e-20')",
            // Go's ParseQuantity reads a bare suffix as zero, whatever the
            // library's doc comment says.
            "quantity('Mi') == quantity('0')",
            "type(quantity('1')) == kubernetes.Quantity",
        ]);
        assert_error(
            "quantity('10Mo')",
            "quantities must match the regular expression \
             '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        );
        assert_error("quantity('10Mm')", "unable to parse quantity's suffix");
        assert_error(
            "quantity('e-20')",
            "unable to parse numeric part of quantity",
        );
    }

    #[test]
    fn quantity_equality_and_comparison() {
        assert_true(&[
            "quantity('200M') == quantity('200M')",
            "quantity('200M') == quantity('0.2G') && quantity('0.2G') == quantity('200M')",
            "quantity('2M') == quantity('0.002G') && quantity('2000k') == quantity('2M')",
            "quantity('200M') != quantity('0.3G')",
            "quantity('1Ki') == quantity('1024')",
            "quantity('1.5Gi') == quantity('1536Mi')",
            "quantity('100m') == quantity('0.1')",
            "quantity('1e3') == quantity('1k')",
            "quantity('-1') == quantity('-1000m')",
            "quantity('0') == quantity('-0.0')",
            // rounded up to nano units, away from zero
            "quantity('0.1n') == quantity('1n')",
            "quantity('1.5n') == quantity('2n')",
            "quantity('-0.1n') == quantity('-1n')",
            "quantity('0.0000000001') == quantity('1n')",
            // binary quantities are capped at 2^63-1
            "quantity('10Ei') == quantity('9223372036854775807')",
            "quantity('50M').isLessThan(quantity('50Mi'))",
            "quantity('50M').isLessThan(quantity('100M'))",
            "!quantity('100M').isLessThan(quantity('50M'))",
            "quantity('50Mi').isGreaterThan(quantity('50M'))",
            "quantity('150Mi').isGreaterThan(quantity('100Mi'))",
            "!quantity('50M').isGreaterThan(quantity('100M'))",
            "quantity('200M').compareTo(quantity('0.2G')) == 0",
            "quantity('50M').compareTo(quantity('50Mi')) == -1",
            "quantity('50Mi').compareTo(quantity('50M')) == 1",
            "quantity('-1').isLessThan(quantity('0'))",
            "quantity('-2').isLessThan(quantity('-1'))",
            "quantity('1e1000000000').isGreaterThan(quantity('9999999999999999999999'))",
            "quantity('1e-1000000000').isGreaterThan(quantity('0'))",
        ]);
    }

    #[test]
    fn quantity_conversions() {
        assert_true(&[
            "quantity('50000000G').isInteger()",
            "quantity('50k').isInteger()",
            "quantity('50k').asInteger() == 50000",
            "quantity('-1').asInteger() == -1",
            "quantity('1Gi').asInteger() == 1073741824",
            "quantity('50').isInteger()",
            "!quantity('9999999999999999999999999999999999999G').isInteger()",
            "!quantity('1.5').isInteger()",
            // as Go's AsInt64: a negative scale, or an inf.Dec, is no integer
            "!quantity('1000m').isInteger()",
            "!quantity('1.5Gi').isInteger()",
            "quantity('50.703k').asApproximateFloat() == 50703.0",
            "quantity('1.5Gi').asApproximateFloat() == 1610612736.0",
            "quantity('100m').asApproximateFloat() == 0.1",
            // Go's Pow10 rounding: 3 × 0.1
            "quantity('0.3').asApproximateFloat() == 3.0 * 0.1",
            "quantity('1e400').asApproximateFloat() > 1.7e308",
            "quantity('-10k').sign() == -1",
            "quantity('0').sign() == 0",
            "quantity('5m').sign() == 1",
            "quantity('1.5Gi').sign() == 1",
            "sign(quantity('-1')) == -1",
        ]);
        assert_error(
            "quantity('9999999999999999999999999999999999999G').asInteger()",
            "cannot convert value to integer",
        );
    }

    #[test]
    fn quantity_arithmetic() {
        assert_true(&[
            "quantity('50k').add(quantity('20')) == quantity('50.02k')",
            "!quantity('50k').add(20).isLessThan(quantity('50020'))",
            "quantity('50k').sub(quantity('20')) == quantity('49.98k')",
            "quantity('50k').sub(20) == quantity('49980')",
            "quantity('50k').add(20).sub(quantity('100k')).asInteger() == -49980",
            "quantity('50k').add(20).sub(quantity('100k')).sub(-50000).asInteger() == 20",
            "quantity('1.5Gi').add(quantity('0.5Gi')) == quantity('2Gi')",
            "quantity('1.5Gi').sub(quantity('1.5Gi')).sign() == 0",
            "quantity('9223372036854775807').add(1) == quantity('9223372036854775808')",
            "!quantity('9223372036854775807').add(1).isInteger()",
            "quantity('-9223372036854775807').sub(2) == quantity('-9223372036854775809')",
            "quantity('50k').mul(2) == quantity('100000')",
            "quantity('50k').mul(2).asInteger() == 100000",
            "quantity('1.5').mul(2) == quantity('3')",
            "quantity('1.5Gi').mul(-2) == quantity('-3Gi')",
            "quantity('9223372036854775807').mul(2) == quantity('18446744073709551614')",
            "quantity('5').mul(0).sign() == 0",
        ]);
        assert_error(
            "quantity('1e1000000000').add(quantity('1'))",
            "orders of magnitude",
        );
    }

    #[test]
    fn named_formats() {
        assert_true(&[
            "format.named('dns1123Label').hasValue()",
            "!format.named('nope').hasValue()",
            "format.named('dns1123Label').value() == format.dns1123Label()",
            "format.dns1123Label() != format.dns1123Subdomain()",
            "type(format.uuid()) == kubernetes.NamedFormat",
            "format.named('uuid').value().validate('nope').hasValue()",
        ]);
        // each `format.<key>()` returns the format named `key`
        for key in [
            "dns1123Label",
            "dns1123Subdomain",
            "dns1035Label",
            "qualifiedName",
            "dns1123LabelPrefix",
            "dns1123SubdomainPrefix",
            "dns1035LabelPrefix",
            "labelValue",
            "uri",
            "uuid",
            "byte",
            "date",
            "datetime",
        ] {
            assert_true(&[&format!("format.named('{key}').value() == format.{key}()")]);
        }
    }

    /// Gateway API's CRDs have the rule
    /// `format.dns1123Label().validate(self) == null`, which the apiserver
    /// never passes: an optional is never `null`.
    #[test]
    fn a_validation_result_is_never_null() {
        let program = compile("format.dns1123Label().validate(self) == null");
        let valid = compile("!format.dns1123Label().validate(self).hasValue()");
        for (value, is_valid) in [("valid-name", true), ("Invalid_Name", false)] {
            let mut context = Context::with_env(env());
            context.add_variable_from_value("self", value);
            assert_eq!(program.execute(&context), Ok(Value::Bool(false)), "{value}");
            assert_eq!(
                valid.execute(&context),
                Ok(Value::Bool(is_valid)),
                "{value}"
            );
        }
    }

    #[test]
    fn dns_formats() {
        let label_error = "a lowercase RFC 1123 label must consist of lower case alphanumeric \
            characters or '-', and must start and end with an alphanumeric character (e.g. \
            'my-name',  or '123-abc', regex used for validation is \
            '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
        let subdomain_error = "a lowercase RFC 1123 subdomain must consist of lower case \
            alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
            character (e.g. 'example.com', regex used for validation is \
            '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
        let dns1035_error = "a DNS-1035 label must consist of lower case alphanumeric characters \
            or '-', start with an alphabetic character, and end with an alphanumeric character \
            (e.g. 'my-name',  or 'abc-123', regex used for validation is \
            '[a-z]([-a-z0-9]*[a-z0-9])?')";
        let long_label = "a".repeat(64);
        let long_subdomain = format!("{}com", "a.".repeat(126));
        assert_format_errors("dns1123Label", "my-label-name", &[]);
        assert_format_errors("dns1123Label", "0", &[]);
        assert_format_errors("dns1123Label", "a.b", &["must not contain dots"]);
        assert_format_errors("dns1123Label", "My_Name", &[label_error]);
        assert_format_errors("dns1123Label", "-a", &[label_error]);
        assert_format_errors("dns1123Label", "", &[label_error]);
        assert_format_errors(
            "dns1123Label",
            &long_label,
            &["must be no more than 63 bytes"],
        );
        assert_format_errors("dns1123Subdomain", "apiextensions.k8s.io", &[]);
        assert_format_errors("dns1123Subdomain", "a..b", &[subdomain_error]);
        assert_format_errors("dns1123Subdomain", "A.com", &[subdomain_error]);
        assert_format_errors(
            "dns1123Subdomain",
            &long_subdomain,
            &["must be no more than 253 bytes"],
        );
        assert_format_errors("dns1035Label", "my-label-name", &[]);
        assert_format_errors("dns1035Label", "1abc", &[dns1035_error]);
        assert_format_errors("dns1123LabelPrefix", "my-label-prefix-", &[]);
        assert_format_errors("dns1123LabelPrefix", "ab-", &[]);
        assert_format_errors("dns1123LabelPrefix", "Ab-", &[label_error]);
        assert_format_errors("dns1123LabelPrefix", "-", &[label_error]);
        assert_format_errors("dns1123SubdomainPrefix", "mysubdomain.prefix.-", &[]);
        assert_format_errors("dns1123SubdomainPrefix", "my.-", &[]);
        assert_format_errors("dns1035LabelPrefix", "my-label-prefix-", &[]);
        assert_format_errors("dns1035LabelPrefix", "1a-", &[dns1035_error]);
    }

    #[test]
    fn label_formats() {
        let name_error = "name part must consist of alphanumeric characters, '-', '_' or '.', and \
            must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or \
            '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        let value_error = "a valid label must be an empty string or consist of alphanumeric \
            characters, '-', '_' or '.', and must start and end with an alphanumeric character \
            (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is \
            '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        assert_format_errors("qualifiedName", "apiextensions.k8s.io/v1beta1", &[]);
        assert_format_errors("qualifiedName", "MyName", &[]);
        assert_format_errors("qualifiedName", "my_name.1", &[]);
        assert_format_errors("qualifiedName", "/name", &["prefix part must be non-empty"]);
        assert_format_errors(
            "qualifiedName",
            "prefix/",
            &["name part must be non-empty", name_error],
        );
        assert_format_errors(
            "qualifiedName",
            "Prefix.io/name",
            &[
                "prefix part a lowercase RFC 1123 subdomain must consist of lower case \
               alphanumeric characters, '-' or '.', and must start and end with an \
               alphanumeric character (e.g. 'example.com', regex used for validation is \
               '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ],
        );
        assert_format_errors("qualifiedName", "-name", &[name_error]);
        assert_format_errors(
            "qualifiedName",
            "a/b/c",
            &[
                "a valid label key must consist of alphanumeric characters, '-', '_' or '.', \
               and must start and end with an alphanumeric character (e.g. 'MyName',  or \
               'my.name',  or '123-abc', regex used for validation is \
               '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain \
               prefix and '/' (e.g. 'example.com/MyName')",
            ],
        );
        assert_format_errors(
            "qualifiedName",
            &"a".repeat(64),
            &["name part must be no more than 63 bytes"],
        );
        assert_format_errors("labelValue", "", &[]);
        assert_format_errors("labelValue", "my_value", &[]);
        assert_format_errors("labelValue", "-bad", &[value_error]);
        assert_format_errors(
            "labelValue",
            &"a".repeat(64),
            &["must be no more than 63 bytes"],
        );
    }

    #[test]
    fn strfmt_formats() {
        assert_format_errors("uri", "http://example.com", &[]);
        assert_format_errors("uri", "/path", &[]);
        assert_format_errors(
            "uri",
            "example.com",
            &["parse \"example.com\": invalid URI for request"],
        );
        let not_uuid = ["does not match the UUID format"];
        assert_format_errors("uuid", "123e4567-e89b-12d3-a456-426614174000", &[]);
        assert_format_errors("uuid", "123E4567-E89B-12D3-A456-426614174000", &[]);
        assert_format_errors("uuid", "123e4567e89b12d3a456426614174000", &[]);
        assert_format_errors("uuid", "123e4567-e89b-12d3-a456-42661417400", &not_uuid);
        assert_format_errors("uuid", "123e4567-e89b-12d3-a456-4266141740000", &not_uuid);
        assert_format_errors("uuid", "g23e4567-e89b-12d3-a456-426614174000", &not_uuid);
        assert_format_errors("uuid", "", &not_uuid);
        let not_base64 = ["invalid base64"];
        assert_format_errors("byte", "aGVsbG8=", &[]);
        assert_format_errors("byte", "aGVsbA==", &[]);
        assert_format_errors("byte", "aGVs", &[]);
        assert_format_errors("byte", "a+/=", &[]);
        assert_format_errors("byte", "aGVsbG8", &not_base64);
        assert_format_errors("byte", "", &not_base64);
        assert_format_errors("byte", "aGV=bG8=", &not_base64);
        assert_format_errors("byte", "a===", &not_base64);
        assert_format_errors("byte", "aGVs_G8=", &not_base64);
        let not_date = ["invalid date"];
        assert_format_errors("date", "2021-01-01", &[]);
        assert_format_errors("date", "2020-02-29", &[]);
        assert_format_errors("date", "2000-02-29", &[]);
        assert_format_errors("date", "2021-02-29", &not_date);
        assert_format_errors("date", "1900-02-29", &not_date);
        assert_format_errors("date", "2021-04-31", &not_date);
        assert_format_errors("date", "2021-13-01", &not_date);
        assert_format_errors("date", "2021-00-01", &not_date);
        assert_format_errors("date", "2021-1-01", &not_date);
        assert_format_errors("date", "2021-01-01T00:00:00Z", &not_date);
        let not_datetime = ["invalid datetime"];
        assert_format_errors("datetime", "2021-01-01T00:00:00Z", &[]);
        assert_format_errors("datetime", "2021-01-01t00:00:00z", &[]);
        assert_format_errors("datetime", "2021-01-01T23:59:59.123+02:00", &[]);
        assert_format_errors("datetime", "2021-01-01T24:00:00Z", &not_datetime);
        assert_format_errors("datetime", "2021-01-01T00:60:00Z", &not_datetime);
        assert_format_errors("datetime", "2021-02-30T00:00:00Z", &not_datetime);
        assert_format_errors("datetime", "2021-01-01T00:00:00", &not_datetime);
        assert_format_errors("datetime", "2021-01-01 00:00:00Z", &not_datetime);
        assert_format_errors("datetime", "2021-01-01", &not_datetime);
    }

    #[test]
    fn semver_parsing() {
        assert_true(&[
            "isSemver('1.0.0')",
            "isSemver('0.1.0-alpha.1')",
            "isSemver('1.0.0-alpha-1.x+build.5')",
            "isSemver('1.0.0+20130313144700')",
            "!isSemver('200K')",
            "!isSemver('Three')",
            "!isSemver('v1.0.0')",
            "!isSemver('1.0')",
            "!isSemver('01.0.0')",
            "!isSemver('1.0.0-01')",
            "!isSemver('1.0.0-')",
            "!isSemver('1.0.0+')",
            "!isSemver('1.0.0-a_b')",
            "!isSemver('')",
            "isSemver('v1.0', true)",
            "isSemver('1', true)",
            "isSemver('01.01.01', true)",
            "!isSemver('v1.0', false)",
            "!isSemver('1-alpha', true)",
            "semver('v1.0.0', true) == semver('1.0.0')",
            "semver('1.0', true) == semver('1.0.0')",
            "semver('01.01.01', true) == semver('1.1.1')",
            "type(semver('1.0.0')) == kubernetes.Semver",
        ]);
        assert_error("semver('Three')", "No Major.Minor.Patch elements found");
        assert_error(
            "semver('01.0.0')",
            "Major number must not contain leading zeroes \"01\"",
        );
        assert_error(
            "semver('1-alpha', true)",
            "short version cannot contain PreRelease/Build meta data",
        );
    }

    #[test]
    fn semver_comparison() {
        assert_true(&[
            "semver('1.2.3').major() == 1",
            "semver('1.2.3').minor() == 2",
            "semver('1.2.3').patch() == 3",
            "semver('1.2.3').compareTo(semver('1.2.3')) == 0",
            "semver('1.2.3').compareTo(semver('2.0.0')) == -1",
            "semver('1.2.3').compareTo(semver('0.1.2')) == 1",
            "semver('1.2.3').isGreaterThan(semver('1.2.2'))",
            "semver('1.2.3').isLessThan(semver('1.10.0'))",
            "semver('1.0.0-alpha').isLessThan(semver('1.0.0'))",
            "semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))",
            "semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))",
            "semver('1.0.0-beta.2').isLessThan(semver('1.0.0-beta.11'))",
            "semver('1.0.0-rc.1').isLessThan(semver('1.0.0'))",
            "semver('1.0.0+a') == semver('1.0.0+b')",
            "semver('1.0.0') != semver('1.0.1')",
        ]);
    }

    #[test]
    fn dns_names() {
        for valid in ["a", "my-name", "123-abc", &"a".repeat(63)] {
            assert!(is_dns1123_label(valid), "{valid}");
            assert!(is_dns1123_subdomain(valid), "{valid}");
        }
        for invalid in ["", "-a", "a-", "A", "a_b", "é", &"a".repeat(64)] {
            assert!(!is_dns1123_label(invalid), "{invalid}");
        }
        assert!(!is_dns1123_label("example.com"));
        assert!(is_dns1123_subdomain("example.com"));
        assert!(is_dns1123_subdomain(&format!("{}a", "a.".repeat(126))));
        for invalid in [
            "",
            ".a",
            "a.",
            "a..b",
            "A.com",
            &format!("{}aa", "a.".repeat(126)),
        ] {
            assert!(!is_dns1123_subdomain(invalid), "{invalid}");
        }
    }
}
