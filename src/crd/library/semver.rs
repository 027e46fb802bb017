//! The `semver` library: k8s.io/apiserver/pkg/cel/library/semver.go.

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
