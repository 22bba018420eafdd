//! XR19 and XR20: every manifest document of the export is an object of a kind the vendored
//! schemas know (`src/export/schemas`), and matches that schema: no unknown field (the
//! API server would drop it silently), the right types, required fields present, values
//! within their enums, bounds, patterns and formats; names and labels the API server
//! accepts; no key repeated in a mapping (kubectl refuses the file).

use super::{Doc, ExportSet, Findings};
use crate::export::schemas::{self, Validator};

/// The documents applied to a cluster: those of the folders (`management/`, `<cluster>/`).
/// A YAML file at the export's root is a tool's configuration (`clusterctl.yaml`), not an
/// API object.
fn manifests(set: &ExportSet) -> impl Iterator<Item = &Doc> {
    set.docs.iter().filter(|d| d.file.contains('/'))
}

/// XR19: each document against its schema; one finding per violation, with its JSON path.
pub fn schema(set: &ExportSet, f: &mut Findings) {
    let mut v = Validator::new();
    for doc in manifests(set) {
        if let Some(repeated) = &doc.duplicate_key {
            f.add_in(
                doc,
                format!(
                    ".: YAML: {repeated} (kubectl refuses the file; read here, the last entry wins)"
                ),
            );
        }
        for violation in v.validate(&doc.value).unwrap_or_default() {
            f.add_in(doc, format!("{}: {}", violation.path, violation.message));
        }
    }
}

/// XR20: each document's `apiVersion` and `kind` have a vendored schema (the export writes
/// no other; a kind without one could not be checked).
pub fn known_kind(set: &ExportSet, f: &mut Findings) {
    for doc in manifests(set) {
        if let Err(why) = schemas::check_kind(&doc.value) {
            f.add_in(doc, why.0);
        }
    }
}
