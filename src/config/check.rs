//! Small validation helpers shared by the topology and experiment checks.

use super::error::ConfigError;
use super::source::Source;
use std::collections::HashMap;

/// Index of every item by its name, for resolving references.
pub fn index_by_name<T>(items: &[T], name: impl Fn(&T) -> &str) -> HashMap<&str, u32> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| (name(x), i as u32))
        .collect()
}

/// Maps an error in a referenced file: one that concerns the whole file (unreadable,
/// missing) is reported at the referencing `field` of `src`; others keep their location.
pub fn at_reference<'a>(
    src: &'a Source,
    field: &'a str,
) -> impl Fn(ConfigError) -> ConfigError + 'a {
    move |e| {
        if e.line == 0 {
            src.error(field, e.message)
        } else {
            e
        }
    }
}

/// Whether `v` is a DNS-1123 label that also starts with a letter (so it is a valid
/// Service name, DNS-1035, as well).
pub fn is_dns_label(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// Whether `v` is an IPv4 address or a DNS name.
pub fn is_host(v: &str) -> bool {
    v.parse::<std::net::Ipv4Addr>().is_ok()
        || (v.len() <= 253
            && v.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
            && v.bytes().any(|b| b.is_ascii_alphabetic()))
}

/// Validates values of one file, producing located errors.
pub struct Checker<'a> {
    /// The file being checked.
    pub src: &'a Source,
}

impl Checker<'_> {
    /// A number that must be finite and strictly positive.
    pub fn positive(&self, field: &str, v: f64) -> Result<(), ConfigError> {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(self
                .src
                .error(field, format!("expected a positive number, found {v}")))
        }
    }

    /// A number that must be finite and at least zero (delays, jitter, footprints).
    pub fn non_negative(&self, field: &str, v: f64) -> Result<(), ConfigError> {
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            Err(self
                .src
                .error(field, format!("expected a number >= 0, found {v}")))
        }
    }

    /// A number that must lie in `[lo, hi]`.
    pub fn within(&self, field: &str, v: f64, lo: f64, hi: f64) -> Result<(), ConfigError> {
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(self.src.error(
                field,
                format!("expected a number between {lo} and {hi}, found {v}"),
            ))
        }
    }

    /// A value against its field's bound in the range table ([`super::ranges::fields`]),
    /// where the validator decides the bound applies (a rule the table names).
    pub fn bounded(&self, field: &str, v: f64) -> Result<(), ConfigError> {
        let range = super::ranges::range_of(field)
            .unwrap_or_else(|| panic!("{field} is not in the range table"));
        match range.bound.refusal(v, false) {
            Some(message) => Err(self.src.error(field, message)),
            None => Ok(()),
        }
    }

    /// A non-empty name made of letters, digits, `-` and `_` (it becomes a CSV value and,
    /// later, a Kubernetes name).
    pub fn name(&self, field: &str, v: &str) -> Result<(), ConfigError> {
        let ok = !v.is_empty()
            && v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(())
        } else {
            Err(self.src.error(
                field,
                format!("expected a name of 1 to 63 letters, digits, '-' or '_', found {v:?}"),
            ))
        }
    }

    /// A DNS-1123 label (lowercase letters, digits and `-`, at most 63, starting and ending
    /// with an alphanumeric): what Kubernetes requires of namespaces, Services and Liqo
    /// cluster IDs.
    pub fn dns_label(&self, field: &str, v: &str) -> Result<(), ConfigError> {
        if is_dns_label(v) {
            Ok(())
        } else {
            Err(self.src.error(
                field,
                format!(
                    "expected a DNS-1123 label (1 to 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit), found {v:?}"
                ),
            ))
        }
    }

    /// Names in `names` (with their field paths) must be unique; returns name -> index.
    pub fn unique<'n>(
        &self,
        what: &str,
        names: impl Iterator<Item = (String, &'n str)>,
    ) -> Result<HashMap<&'n str, u32>, ConfigError> {
        let mut seen = HashMap::new();
        let mut first: HashMap<&str, String> = HashMap::new();
        for (i, (field, name)) in names.enumerate() {
            self.name(&field, name)?;
            if seen.insert(name, i as u32).is_some() {
                return Err(self.src.error(
                    &field,
                    format!(
                        "duplicate {what} name {name:?}; names must be unique (also {})",
                        self.place(&first[name])
                    ),
                ));
            }
            first.insert(name, field);
        }
        Ok(seen)
    }

    /// Entries of a list that must be distinct (strategies, sizes, links...): the second
    /// of two equal entries is refused, naming both places.
    pub fn distinct<K: Eq + std::hash::Hash + std::fmt::Debug>(
        &self,
        what: &str,
        items: impl Iterator<Item = (String, K)>,
    ) -> Result<(), ConfigError> {
        let mut first: HashMap<K, String> = HashMap::new();
        for (field, key) in items {
            if let Some(prev) = first.get(&key) {
                return Err(self.src.error(
                    &field,
                    format!(
                        "{what} {key:?} is listed twice (also {}); each entry must be distinct, or runs are silently doubled",
                        self.place(prev)
                    ),
                ));
            }
            first.insert(key, field);
        }
        Ok(())
    }

    /// `field` with its line, for messages naming a second place.
    fn place(&self, field: &str) -> String {
        format!("{field} at line {}", self.src.error(field, "").line)
    }

    /// Resolves a reference to a name defined elsewhere in the file.
    pub fn resolve(
        &self,
        field: &str,
        what: &str,
        name: &str,
        table: &HashMap<&str, u32>,
    ) -> Result<u32, ConfigError> {
        table.get(name).copied().ok_or_else(|| {
            let mut known: Vec<&&str> = table.keys().collect();
            known.sort();
            let known: Vec<&str> = known.into_iter().take(8).copied().collect();
            self.src.error(
                field,
                format!(
                    "unknown {what} {name:?}; expected one of: {}",
                    known.join(", ")
                ),
            )
        })
    }
}
