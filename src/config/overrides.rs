//! `--set KEY=VALUE`: a field of an experiment changed from the command line. `KEY` is a
//! dotted path as the file would spell it (`duration_s`, `sessions.load.rate_per_s`,
//! `scenarios[2].topology`), `VALUE` a TOML value (`0.3`, `true`, `["first-fit"]`) or else
//! a bare word taken as a string. The change is made in the file's text, which keeps every
//! other line where it was, and the result is checked like the file itself: an override
//! gets the same range and reference checks as a value written in the file.

use super::ConfigError;
use std::path::Path;
use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

/// One step of a key: a name, and an index into an array of tables or values.
struct Step<'a> {
    name: &'a str,
    index: Option<usize>,
}

/// `text` with every `KEY=VALUE` of `sets` applied, in order.
pub fn apply_overrides(path: &Path, text: &str, sets: &[String]) -> Result<String, ConfigError> {
    if sets.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| ConfigError::whole_file(path, format!("not TOML: {e}")))?;
    for set in sets {
        let bad = |m: String| ConfigError::whole_file(path, format!("--set {set}: {m}"));
        let (key, raw) = set
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=VALUE".into()))?;
        let steps = parse_key(key.trim()).map_err(bad)?;
        let raw = raw.trim();
        let value = raw.parse::<Value>().unwrap_or_else(|_| Value::from(raw));
        assign(doc.as_table_mut(), &steps, value).map_err(bad)?;
    }
    Ok(doc.to_string())
}

/// An error found in the file's text with `sets` applied (`changed`), located where the
/// user can see it: at the `--set` that gave the field, or at the line of the file itself
/// (`original`) it stands for (an added key moves the lines after it).
pub fn locate(
    mut e: ConfigError,
    path: &Path,
    original: &str,
    changed: &str,
    sets: &[String],
) -> ConfigError {
    if e.file != path || e.line == 0 {
        return e;
    }
    let mapped = original_line(original, changed, e.line);
    let given = sets.iter().find(|set| {
        set.split_once('=').is_some_and(|(key, _)| {
            let key = key.trim();
            // The field as the checks name it, or, on a line --set added, as serde names
            // an unknown one (its last part).
            e.field == key
                || e.field.starts_with(&format!("{key}."))
                || e.field.starts_with(&format!("{key}["))
                || (mapped.is_none() && key.ends_with(&format!(".{}", e.field)))
        })
    });
    if let Some(set) = given {
        return ConfigError::whole_file(
            path,
            format!("--set {set}: field `{}`: {}", e.field, e.message),
        );
    }
    match mapped {
        Some(line) => e.line = line,
        None => e
            .message
            .push_str(" (on a line --set wrote; lines as in the file with --set applied)"),
    }
    e
}

/// The line of `original` that line `line` (1-based) of `changed` stands for, `None` for a
/// line `--set` added or edited. The lines both texts share before and after the edits
/// pair up; between them, a longest common subsequence of lines pairs the rest (the
/// region is as long as the span of the edits; past 4 million line pairs, `None`).
fn original_line(original: &str, changed: &str, line: usize) -> Option<usize> {
    let (a, b): (Vec<&str>, Vec<&str>) = (original.lines().collect(), changed.lines().collect());
    let j = line.checked_sub(1).filter(|&j| j < b.len())?;
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if j < head {
        return Some(j + 1);
    }
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    if j >= b.len() - tail {
        return Some(j - (b.len() - a.len()) + 1);
    }
    if a_mid.len().saturating_mul(b_mid.len()) > 4_000_000 {
        return None;
    }
    // lcs[x][y]: the longest common subsequence of a_mid[x..] and b_mid[y..].
    let w = b_mid.len() + 1;
    let mut lcs = vec![0u32; (a_mid.len() + 1) * w];
    for x in (0..a_mid.len()).rev() {
        for y in (0..b_mid.len()).rev() {
            lcs[x * w + y] = if a_mid[x] == b_mid[y] {
                lcs[(x + 1) * w + y + 1] + 1
            } else {
                lcs[(x + 1) * w + y].max(lcs[x * w + y + 1])
            };
        }
    }
    let (mut x, mut y) = (0, 0);
    while x < a_mid.len() && y < b_mid.len() {
        if a_mid[x] == b_mid[y] {
            if head + y == j {
                return Some(head + x + 1);
            }
            x += 1;
            y += 1;
        } else if lcs[(x + 1) * w + y] >= lcs[x * w + y + 1] {
            x += 1;
        } else {
            if head + y == j {
                return None;
            }
            y += 1;
        }
    }
    None
}

/// `a.b[2].c` as steps; `Err` names what is malformed.
fn parse_key(key: &str) -> Result<Vec<Step<'_>>, String> {
    if key.is_empty() {
        return Err("an empty key".into());
    }
    key.split('.')
        .map(|part| {
            let (name, index) = match part.split_once('[') {
                None => (part, None),
                Some((name, rest)) => {
                    let i = rest
                        .strip_suffix(']')
                        .and_then(|i| i.parse::<usize>().ok())
                        .ok_or_else(|| format!("{part:?}: expected NAME[INDEX]"))?;
                    (name, Some(i))
                }
            };
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if valid {
                Ok(Step { name, index })
            } else {
                Err(format!("{part:?} is not a field name"))
            }
        })
        .collect()
}

/// Sets the field at `steps` below `table` to `value`, creating tables on the way.
fn assign(table: &mut dyn TableLike, steps: &[Step], value: Value) -> Result<(), String> {
    let (step, rest) = steps.split_first().expect("a key has a step");
    match (step.index, rest.is_empty()) {
        (None, true) => {
            // Replaced in place, the key keeps its comments and position.
            match table.get_mut(step.name) {
                Some(item) => *item = Item::Value(value),
                None => {
                    table.insert(step.name, Item::Value(value));
                }
            }
            Ok(())
        }
        (None, false) => {
            if table.get(step.name).is_none() {
                let mut t = Table::new();
                t.set_implicit(true);
                table.insert(step.name, Item::Table(t));
            }
            let next = table
                .get_mut(step.name)
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| format!("{} is not a table", step.name))?;
            assign(next, rest, value)
        }
        (Some(i), last) => {
            let missing = || format!("{}[{i}] does not exist", step.name);
            match table.get_mut(step.name) {
                Some(Item::ArrayOfTables(a)) if !last => {
                    assign(a.get_mut(i).ok_or_else(missing)?, rest, value)
                }
                Some(Item::Value(Value::Array(a))) => {
                    let slot = a.get_mut(i).ok_or_else(missing)?;
                    if last {
                        *slot = value;
                        return Ok(());
                    }
                    let next = slot
                        .as_inline_table_mut()
                        .ok_or_else(|| format!("{}[{i}] is not a table", step.name))?;
                    assign(next, rest, value)
                }
                Some(Item::ArrayOfTables(_)) => Err(format!(
                    "{}[{i}] is a whole table: set one of its fields",
                    step.name
                )),
                _ => Err(format!("{} is not an array", step.name)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_map_back_past_added_and_edited_lines() {
        let original = "a = 1\n[t]\nx = 1\n[[u]]\ny = 2\n[[u]]\ny = 2\n";
        // x edited in place, z added to [t]: the second [[u]]'s y is line 7 of the file.
        let changed = "a = 1\n[t]\nx = 5\nz = 3\n[[u]]\ny = 2\n[[u]]\ny = 2\n";
        assert_eq!(original_line(original, changed, 8), Some(7));
        assert_eq!(original_line(original, changed, 3), None, "edited by --set");
        assert_eq!(original_line(original, changed, 4), None);
        assert_eq!(original_line(original, changed, 6), Some(5));
        assert_eq!(original_line(original, original, 5), Some(5));
        assert_eq!(original_line(original, changed, 1), Some(1));
        assert_eq!(original_line(original, changed, 9), None);
    }

    fn apply(text: &str, sets: &[&str]) -> Result<String, ConfigError> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        apply_overrides(Path::new("e.toml"), text, &sets)
    }

    const TEXT: &str = "# keep me\nduration_s = 60\n\n[sessions]\nstrategies = [\"a\"]\n\n[sessions.load]\nrate_per_s = 0.2\n\n[[scenarios]]\nname = \"s1\"\n\n[[scenarios]]\nname = \"s2\"\n";

    #[test]
    fn sets_fields_keeps_the_rest_and_parses_values() {
        let out = apply(
            TEXT,
            &[
                "duration_s=600",
                "sessions.load.rate_per_s = 0.5",
                "sessions.strategies=[\"b\", \"c\"]",
                "scenarios[1].name=renamed",
                "sessions.control.enabled=true",
            ],
        )
        .unwrap();
        let t: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(t["duration_s"].as_integer(), Some(600));
        assert_eq!(t["sessions"]["load"]["rate_per_s"].as_float(), Some(0.5));
        assert_eq!(t["sessions"]["strategies"].as_array().unwrap().len(), 2);
        assert_eq!(
            t["scenarios"].as_array().unwrap()[1]["name"].as_str(),
            Some("renamed")
        );
        assert_eq!(t["sessions"]["control"]["enabled"].as_bool(), Some(true));
        assert!(out.starts_with("# keep me\n"), "{out}");
    }

    #[test]
    fn malformed_keys_are_refused_with_the_override_named() {
        for set in [
            "duration_s",
            "=3",
            "scenarios[9].name=x",
            "duration_s.x=1",
            "a b=1",
            "scenarios[0]=x",
        ] {
            let e = apply(TEXT, &[set]).unwrap_err();
            assert!(
                e.message.contains(set.split('=').next().unwrap()),
                "{set}: {e}"
            );
        }
    }
}
