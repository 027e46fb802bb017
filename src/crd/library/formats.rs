//! The `format` library: k8s.io/apiserver/pkg/cel/library/format.go, over apimachinery's
//! validation and kube-openapi's strfmt.

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
pub(in crate::crd) fn label_key_errors(value: &str) -> Vec<String> {
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
pub(in crate::crd) fn label_value_errors(value: &str) -> Vec<String> {
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
pub(in crate::crd) fn is_uuid(value: &str) -> bool {
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
pub(in crate::crd) fn is_base64(value: &str) -> bool {
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
pub(in crate::crd) fn is_date(value: &str) -> bool {
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
pub(in crate::crd) fn is_datetime(value: &str) -> bool {
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
