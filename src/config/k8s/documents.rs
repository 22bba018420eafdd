//! The documents of `kubectl get ... -o yaml` / `-o json` output: files and folders
//! found from the command line, each file read through the guarded reader, split into
//! YAML documents (`---`) or JSON values, and `List`s opened into their items; every
//! object keeps its [`Location`].

use super::location::Location;
pub use super::object::RawObject;
use crate::config::input::{read_text, MAX_MANIFEST_BYTES};
use crate::config::ConfigError;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Whether `path` names a file a folder argument contributes (`*.yaml`, `*.yml`, `*.json`).
fn is_manifest(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["yaml", "yml", "json"].contains(&e.to_ascii_lowercase().as_str()))
}

/// The files `args` name: a file as given, a folder as its manifests (`*.yaml`, `*.yml`,
/// `*.json`, in its sub-folders too) sorted by path. A link or a special file inside a
/// folder is refused rather than followed (a folder's files stay inside it).
pub fn files_of(args: &[PathBuf]) -> Result<Vec<PathBuf>, ConfigError> {
    let mut out = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(arg.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ConfigError> {
    let io = |p: &Path, e: std::io::Error| {
        ConfigError::whole_file(p, format!("cannot read the folder: {e}"))
    };
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let entry = entry.map_err(|e| io(dir, e))?;
        let path = entry.path();
        let ty = entry.file_type().map_err(|e| io(&path, e))?;
        if ty.is_symlink() {
            return Err(ConfigError::whole_file(
                &path,
                "a symbolic link in a folder of objects: xrplace does not follow links out of a folder it reads (name the target on the command line instead)",
            ));
        }
        if ty.is_dir() {
            walk(&path, out)?;
        } else if !is_manifest(&path) {
            continue;
        } else if ty.is_file() {
            out.push(path);
        } else {
            return Err(ConfigError::whole_file(
                &path,
                "expected a regular file (a manifest), found a FIFO, socket or device",
            ));
        }
    }
    Ok(())
}

/// The objects of the file at `path`, read through the guarded reader (a regular file of
/// at most [`MAX_MANIFEST_BYTES`]).
pub fn read_objects(path: &Path) -> Result<Vec<RawObject>, ConfigError> {
    let text = read_text(path, "Kubernetes objects", MAX_MANIFEST_BYTES)?;
    objects_in(path, &text)
}

/// The objects of `text`, read from `path`: JSON values if the name ends in `.json`,
/// YAML documents otherwise.
pub fn objects_in(path: &Path, text: &str) -> Result<Vec<RawObject>, ConfigError> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let documents = if json {
        json_documents(path, text)?
    } else {
        yaml_documents(path, text)?
    };
    let mut out = Vec::new();
    for (index, (line, value)) in documents.into_iter().enumerate() {
        let at = Location {
            file: path.to_path_buf(),
            document: index + 1,
            line,
            item: None,
            kind: String::new(),
            name: String::new(),
        };
        open_document(at, value, &mut out)?;
    }
    Ok(out)
}

/// The values of a stream of JSON values, each with the line it starts on.
fn json_documents(path: &Path, text: &str) -> Result<Vec<(usize, Value)>, ConfigError> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let start = stream.byte_offset();
        let Some(next) = stream.next() else {
            return Ok(out);
        };
        let value = next.map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: e.line().max(1),
            column: e.column().max(1),
            field: "(json)".into(),
            message: format!("document {}: {e}", out.len() + 1),
        })?;
        let skipped = text[start..].len() - text[start..].trim_start().len();
        out.push((line_of(text, start + skipped), value));
    }
}

/// 1-based line of byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Whether a line opens (`---`) or closes (`...`) a YAML document: a marker at column 0
/// followed by a blank or the end of the line, which no content may hold (YAML 1.2,
/// `c-forbidden`).
fn marker(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("---")
        .or_else(|| line.strip_prefix("..."))?;
    (rest.is_empty() || rest.starts_with([' ', '\t', '\r'])).then_some(rest)
}

/// The non-empty YAML documents of `text`, each with the line its content starts on.
fn yaml_documents(path: &Path, text: &str) -> Result<Vec<(usize, Value)>, ConfigError> {
    let mut chunks: Vec<(usize, String)> = vec![(1, String::new())];
    for (i, line) in text.split('\n').enumerate() {
        match marker(line) {
            Some(rest) => chunks.push((i + 1, format!("{rest}\n"))),
            None => {
                let chunk = &mut chunks.last_mut().expect("one chunk").1;
                chunk.push_str(line);
                chunk.push('\n');
            }
        }
    }
    let mut out = Vec::new();
    for (first, chunk) in chunks {
        let content = chunk.lines().position(|l| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#')
        });
        let Some(offset) = content else { continue };
        // Through YAML's own value first, which refuses a key given twice (as the API
        // server does) where a JSON map would keep the last.
        let parsed = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&chunk)
            .and_then(serde_yaml_ng::from_value::<Value>);
        let value: Value = parsed.map_err(|e| {
            let (line, column) = e.location().map_or((first, 1), |l| {
                (first + l.line().max(1) - 1, l.column().max(1))
            });
            ConfigError {
                file: path.to_path_buf(),
                line,
                column,
                field: "(yaml)".into(),
                message: format!("document {}: {}", out.len() + 1, without_position(&e)),
            }
        })?;
        if !value.is_null() {
            out.push((first + offset, value));
        }
    }
    Ok(out)
}

/// A YAML error's message without its position, which counts lines from the start of
/// the document rather than of the file (the error's line and column give the latter).
fn without_position(e: &serde_yaml_ng::Error) -> String {
    let text = e.to_string();
    let Some(start) = text.find(" at line ").filter(|_| e.location().is_some()) else {
        return text;
    };
    let end = text[start..].find(',').map_or(text.len(), |i| start + i);
    format!("{}{}", &text[..start], &text[end..])
}

/// Adds the object(s) of one document: itself, or the items of a `List`.
fn open_document(at: Location, value: Value, out: &mut Vec<RawObject>) -> Result<(), ConfigError> {
    let kind = kind_of(&at, &value)?;
    let is_list = kind == "List" || (kind.ends_with("List") && value.get("items").is_some());
    if !is_list {
        out.push(raw(at, value));
        return Ok(());
    }
    let Some(Value::Array(items)) = value.get("items") else {
        let at = Location { kind, ..at };
        return Err(at.error("items", "expected a list of objects"));
    };
    for (i, item) in items.iter().enumerate() {
        let at = Location {
            item: Some(i),
            ..at.clone()
        };
        kind_of(&at, item)?;
        out.push(raw(at, item.clone()));
    }
    Ok(())
}

/// The `kind` of an object, or the error saying it is not one.
fn kind_of(at: &Location, value: &Value) -> Result<String, ConfigError> {
    let Value::Object(map) = value else {
        return Err(at.error(
            "",
            format!(
                "expected a Kubernetes object (a mapping with apiVersion and kind), found {}",
                super::fields::type_name(value)
            ),
        ));
    };
    match map.get("kind") {
        Some(Value::String(kind)) if !kind.is_empty() => Ok(kind.clone()),
        _ => Err(at.error("kind", "expected the object's kind (a string)")),
    }
}

/// An object with its kind, name and apiVersion read into its location.
fn raw(mut at: Location, value: Value) -> RawObject {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    at.kind = text(value.get("kind"));
    let meta = value.get("metadata");
    let name = text(meta.and_then(|m| m.get("name")));
    at.name = match meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
    {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name,
    };
    RawObject {
        api_version: text(value.get("apiVersion")),
        at,
        value,
    }
}
