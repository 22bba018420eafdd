//! A TOML source file with its spans, so errors found after parsing can be located.

use super::error::ConfigError;
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{Document, Item, Value};

/// The text of one input file, its parsed span tree, and its path for messages.
pub struct Source {
    /// The path used in messages.
    pub path: PathBuf,
    text: String,
    /// The document with spans, parsed on first use (only errors need it).
    doc: std::sync::OnceLock<Option<Document<String>>>,
}

impl Source {
    /// Reads a file; an unreadable file is a [`ConfigError`] for the whole file.
    pub fn read(path: &Path) -> Result<Source, ConfigError> {
        Self::read_at_most(path, super::input::MAX_TOML_BYTES)
    }

    /// [`Self::read`] with a size limit of its own (topologies may be larger).
    pub fn read_at_most(path: &Path, max_bytes: u64) -> Result<Source, ConfigError> {
        let text = super::input::read_text(path, "file", max_bytes)?;
        Ok(Source::from_text(path, text))
    }

    /// Wraps text already in memory (tests, generated files).
    pub fn from_text(path: &Path, text: String) -> Source {
        Source {
            path: path.to_path_buf(),
            text,
            doc: std::sync::OnceLock::new(),
        }
    }

    /// Deserialises the whole file, mapping syntax and type errors to located errors, and
    /// refuses numbers beyond their field's physical range ([`super::ranges`]).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        // One parse into a plain table (lighter than the spanned document, which is parsed
        // only if an error needs a location): the physical ranges are checked on it, then
        // it is consumed into `T`. Only a failure parses the text again, for the located
        // message of the typed parse.
        let table: toml::Table = toml::from_str(&self.text).map_err(|e| self.serde_error(&e))?;
        super::ranges::check_table(&table).map_err(|e| self.error(&e.field, e.message))?;
        match table.try_into() {
            Ok(value) => Ok(value),
            Err(_) => Err(match toml::from_str::<T>(&self.text) {
                Err(e) => self.serde_error(&e),
                Ok(_) => ConfigError::whole_file(&self.path, "could not be read as expected"),
            }),
        }
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed document with spans, if the text is valid TOML.
    pub fn document(&self) -> Option<&Document<String>> {
        self.doc
            .get_or_init(|| Document::parse(self.text.clone()).ok())
            .as_ref()
    }

    fn serde_error(&self, e: &toml::de::Error) -> ConfigError {
        let start = e.span().map(|s| s.start).unwrap_or(0);
        let message = e.message().trim().to_string();
        let field = quoted_field(&message).unwrap_or_else(|| self.key_on_line(start));
        let (line, column) = self.line_col(start);
        ConfigError {
            file: self.path.clone(),
            line,
            column,
            field,
            message,
        }
    }

    /// The key whose value starts at byte `offset`: the last `key =` before it on its line
    /// (inline tables included), or the table header on that line.
    fn key_on_line(&self, offset: usize) -> String {
        let offset = offset.min(self.text.len());
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = &self.text[line_start..offset];
        let key = match before.rfind('=') {
            Some(eq) => before[..eq].rsplit(['{', ',', '[']).next().unwrap_or(""),
            None => self.text[line_start..].lines().next().unwrap_or(""),
        };
        let key = key.trim().trim_matches(|c| c == '[' || c == ']').trim();
        if key.is_empty() {
            String::from("(document)")
        } else {
            key.to_string()
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map_or(offset, |i| offset - i - 1) + 1;
        (line, column)
    }

    /// An error at the field `field` (dotted path such as `clusters[2].nodes`), located at
    /// the deepest part of that path present in the file.
    pub fn error(&self, field: &str, message: impl Into<String>) -> ConfigError {
        let offset = self.span_of(field).map_or(0, |s| s.start);
        let (line, column) = self.line_col(offset);
        ConfigError {
            file: self.path.clone(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Byte span of the deepest existing prefix of a dotted field path.
    fn span_of(&self, field: &str) -> Option<Range<usize>> {
        let doc = self.document()?;
        let mut node = Node::Item(doc.as_item());
        let mut best = None;
        for part in field.split('.') {
            let (name, indices) = split_indices(part);
            node = match node.child_key(name) {
                Some(n) => n,
                None => break,
            };
            best = node.span().or(best);
            for idx in indices {
                node = match node.child_index(idx) {
                    Some(n) => n,
                    None => return best,
                };
                best = node.span().or(best);
            }
        }
        best
    }
}

/// A position in the toml_edit tree: a full item or an inline value.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a toml_edit::Table),
}

impl<'a> Node<'a> {
    fn child_key(self, key: &str) -> Option<Node<'a>> {
        match self {
            Node::Item(item) => item.get(key).map(Node::Item),
            Node::Table(t) => t.get(key).map(Node::Item),
            Node::Value(Value::InlineTable(t)) => t.get(key).map(Node::Value),
            Node::Value(_) => None,
        }
    }

    fn child_index(self, idx: usize) -> Option<Node<'a>> {
        match self {
            Node::Item(Item::ArrayOfTables(a)) => a.get(idx).map(Node::Table),
            Node::Item(Item::Value(Value::Array(a))) | Node::Value(Value::Array(a)) => {
                a.get(idx).map(Node::Value)
            }
            _ => None,
        }
    }

    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(Item::ArrayOfTables(a)) => a.get(0).and_then(|t| t.span()),
            Node::Item(i) => i.span(),
            Node::Value(v) => v.span(),
            Node::Table(t) => t.span(),
        }
    }
}

/// Splits `clusters[2][0]` into `clusters` and `[2, 0]`.
fn split_indices(part: &str) -> (&str, Vec<usize>) {
    let name_end = part.find('[').unwrap_or(part.len());
    let indices = part[name_end..]
        .split(['[', ']'])
        .filter_map(|s| s.parse().ok())
        .collect();
    (&part[..name_end], indices)
}

/// The name in backquotes of a serde "missing field `x`" or "unknown field `x`" message
/// (an unknown enum variant names the value, not the field, so it is not taken).
fn quoted_field(message: &str) -> Option<String> {
    let rest = message.split_once("field `")?.1;
    rest.split_once('`').map(|(name, _)| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source::from_text(Path::new("t.toml"), text.to_string())
    }

    #[test]
    fn locates_fields_inside_arrays_of_tables() {
        let s =
            src("name = \"x\"\n\n[[sites]]\nname = \"a\"\n\n[[sites]]\nname = \"b\"\nlat = 4\n");
        let e = s.error("sites[1].lat", "bad");
        assert_eq!((e.line, e.column), (8, 7));
        let e = s.error("sites[1].missing", "bad");
        assert_eq!(e.line, 6, "falls back to the table of the missing field");
    }

    #[test]
    fn serde_errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            nodes: u32,
        }
        let e = src("\nnodez = 3\n").parse::<T>().unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "nodez"));
        let e = src("nodes = -1\n").parse::<T>().unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (1, "nodes"));
    }
}
