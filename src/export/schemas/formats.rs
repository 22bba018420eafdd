//! Value-level helpers of the validator: JSON types and equality, the string formats the
//! API server checks on CRD fields, Go-flavoured patterns, and messages.

use regex::Regex;
use serde_json::Value;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

/// The JSON type name of `v` (`integer` for whole numbers, as JSON Schema counts them).
pub(super) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `v` is of JSON Schema type `t` (`2.0` is an integer; a boolean is no number).
pub(super) fn is_type(v: &Value, t: &str) -> bool {
    match (t, v) {
        ("integer", Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|x| x.fract() == 0.0)
        }
        ("number", Value::Number(_)) => true,
        (t, v) => json_type(v) == t,
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`), as `enum` compares.
pub(super) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| json_eq(a, b)))
        }
        _ => a == b,
    }
}

/// `v` as JSON with object keys sorted: equal values give equal text, whatever their key
/// order (list-type set and map uniqueness).
pub(super) fn canon(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canon(&m[*k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canon).collect::<Vec<_>>().join(",")),
        _ => v.to_string(),
    }
}

/// `v` as JSON, cut to `n` characters with `...`.
pub(super) fn short(v: &Value, n: usize) -> String {
    let s = v.to_string();
    if s.chars().count() <= n {
        return s;
    }
    let cut: String = s.chars().take(n.saturating_sub(3)).collect();
    format!("{cut}...")
}

/// Whether `k` prints as `.k` in a path (else `["k"]`).
pub(super) fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The known name closest to `key` by edit distance ignoring case, if close enough to be
/// a misspelling (at most a quarter of the longer name differs).
pub(super) fn did_you_mean<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let mut sorted = known.to_vec();
    sorted.sort_unstable();
    let lower = key.to_lowercase();
    sorted
        .into_iter()
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), k))
        .filter(|(d, k)| *d * 4 <= key.chars().count().max(k.chars().count()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != *cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A CRD `pattern` (Go's RE2 syntax, searched unanchored as the API server does) compiled
/// for Rust's `regex`, whose syntax is RE2's too. Go's Perl classes and `\b` are ASCII, so
/// they are spelt out as ASCII classes; `(?i)` folds ASCII case only. None when the
/// pattern cannot be compiled here (it is then not checked; the unit tests compile every
/// vendored pattern).
pub(super) fn go_regex(pattern: &str) -> Option<Regex> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let e = chars.next()?;
                out.push_str(&ascii_class(e, in_class).unwrap_or_else(|| format!("\\{e}")));
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal.
                let rest = chars.as_str();
                let lead = if rest.starts_with('^') { 1 } else { 0 };
                if rest[lead..].starts_with(']') {
                    out.push_str(&rest[..lead + 1]);
                    chars = rest[lead + 1..].chars();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Regex::new(&out.replace("(?i)", "(?i-u)")).ok()
}

/// Go's ASCII meaning of `\d \D \w \W \s \S \b \B`, inside or outside a bracket class.
fn ascii_class(e: char, in_class: bool) -> Option<String> {
    let (set, negated) = match e {
        'd' => ("0-9", false),
        'D' => ("0-9", true),
        'w' => ("0-9A-Za-z_", false),
        'W' => ("0-9A-Za-z_", true),
        's' => ("\\t\\n\\f\\r ", false),
        'S' => ("\\t\\n\\f\\r ", true),
        'b' | 'B' if !in_class => return Some(format!("(?-u:\\{e})")),
        _ => return None,
    };
    Some(match (in_class, negated) {
        (true, false) => set.to_string(),
        // A negated class inside a class: Rust's nested class syntax.
        (true, true) => format!("[^{set}]"),
        (false, false) => format!("[{set}]"),
        (false, true) => format!("[^{set}]"),
    })
}

/// Whether `text` is a valid `format` (the formats the API server checks for CRD fields,
/// k8s.io/kube-openapi `pkg/validation/strfmt`; any other format is not checked).
pub(super) fn format_ok(format: &str, text: &str) -> bool {
    match format {
        "date-time" => date_time_ok(text),
        "date" => date_ok(text),
        "uuid" => uuid_ok(text),
        "byte" => base64_ok(text),
        "ipv4" => text.parse::<Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<Ipv6Addr>().is_ok(),
        "cidr" => cidr_ok(text),
        "mac" => mac_ok(text),
        _ => true,
    }
}

/// A regex compiled once.
fn cached(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("built-in format pattern compiles"))
}

/// RFC 3339 date-time with a valid calendar date and time of day.
fn date_time_ok(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = cached(
        &RE,
        r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$",
    );
    let Some(c) = re.captures(text) else {
        return false;
    };
    let num = |i: usize| c[i].parse::<u32>().unwrap_or(99);
    date_ok(&c[1]) && num(2) < 24 && num(3) < 60 && num(4) < 61
}

/// `YYYY-MM-DD`, a day that exists.
fn date_ok(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts[..] else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return false;
    }
    let (y, m, d): (u32, u32, u32) = (
        y.parse().unwrap_or(0),
        m.parse().unwrap_or(0),
        d.parse().unwrap_or(0),
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// 32 hex digits, hyphens optional between the groups.
fn uuid_ok(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    cached(
        &RE,
        r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
    )
    .is_match(text)
}

/// Standard base64 with its padding.
fn base64_ok(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    text.len().is_multiple_of(4) && cached(&RE, r"^[A-Za-z0-9+/]*={0,2}$").is_match(text)
}

/// `address/prefix`, IPv4 or IPv6 (Go's `net.ParseCIDR`).
fn cidr_ok(text: &str) -> bool {
    let Some((addr, prefix)) = text.split_once('/') else {
        return false;
    };
    let max = if addr.parse::<Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    !prefix.is_empty()
        && prefix.len() <= 3
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && prefix.parse::<u32>().is_ok_and(|p| p <= max)
}

/// Six hex pairs separated by `:` or `-`.
fn mac_ok(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    cached(&RE, r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$").is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_classes_are_ascii_and_patterns_search_unanchored() {
        let re = go_regex(r"^\d+$").unwrap();
        assert!(re.is_match("2026"));
        // Go's \d is ASCII: an Arabic-Indic digit is no digit there.
        assert!(!re.is_match("\u{0662}"));
        let in_class = go_regex(r"^[\w.-]+$").unwrap();
        assert!(in_class.is_match("a_b.c-d"));
        assert!(!in_class.is_match("a b"));
        assert!(go_regex("b").unwrap().is_match("abc"));
        let ci = go_regex("^(?i)(abort|warn)?$").unwrap();
        assert!(ci.is_match("ABORT") && !ci.is_match("stop"));
        assert!(go_regex(r"^[]a]+$").unwrap().is_match("]a"));
    }

    #[test]
    fn formats_accept_the_valid_and_refuse_the_rest() {
        assert!(format_ok("date-time", "2026-02-28T23:59:59.5+01:00"));
        assert!(!format_ok("date-time", "2026-02-30T00:00:00Z"));
        assert!(!format_ok("date-time", "2026-02-01 25:00:00Z"));
        assert!(format_ok("date", "2024-02-29") && !format_ok("date", "2023-02-29"));
        assert!(format_ok("uuid", "2f5ab8d4-4c5b-4d3e-9f1a-0b7d1c2e3f40"));
        assert!(!format_ok("uuid", "2f5ab8d4-4c5b-4d3e-9f1a"));
        assert!(
            format_ok("byte", "aGVsbG8=")
                && !format_ok("byte", "aGVsbG8")
                && !format_ok("byte", "a*==")
        );
        assert!(format_ok("ipv4", "192.0.2.1") && !format_ok("ipv4", "192.0.2.256"));
        assert!(format_ok("ipv6", "2001:db8::1") && !format_ok("ipv6", "2001:db8:::1"));
        assert!(format_ok("cidr", "10.0.0.0/8") && format_ok("cidr", "fd00::/64"));
        assert!(!format_ok("cidr", "10.0.0.0/33") && !format_ok("cidr", "10.0.0.0"));
        assert!(format_ok("mac", "00:1a:2b:3c:4d:5e") && !format_ok("mac", "00:1a:2b"));
        // Formats the API server does not check pass whatever the value.
        assert!(format_ok("int32", "anything"));
    }

    #[test]
    fn types_equality_and_suggestions() {
        assert!(is_type(&json!(2.0), "integer") && !is_type(&json!(2.5), "integer"));
        assert!(!is_type(&json!(true), "integer") && is_type(&json!(3), "number"));
        assert!(json_eq(&json!(1), &json!(1.0)) && !json_eq(&json!("1"), &json!(1)));
        assert_eq!(
            canon(&json!({"b": 1, "a": [2]})),
            canon(&json!({"a": [2], "b": 1}))
        );
        assert_eq!(
            did_you_mean("imagePullPolicyy", &["image", "imagePullPolicy"]),
            Some("imagePullPolicy")
        );
        assert_eq!(
            did_you_mean("flavour", &["flavor", "image"]),
            Some("flavor")
        );
        assert_eq!(did_you_mean("zzz", &["flavor"]), None);
        assert_eq!(short(&json!("abcdefghij"), 8), "\"abcd...");
    }
}
