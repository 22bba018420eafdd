//! Rules on the files themselves: scripts safe to run, and a folder that is exactly what
//! its export wrote.

use super::{ExportSet, Findings};
use crate::export::folder::{read_marker, MARKER};
use crate::export::handover::{CREDENTIALS_DEFAULT_DOC, CREDENTIAL_FILES};
use crate::export::liqo::KUBECONFIG_DEFAULT_DOC;

/// Characters outside single quotes that a shell would interpret or that show a plan value
/// went in unquoted: non-ASCII (`Zürich`), control characters, backticks.
fn unquoted_problem(line: &str) -> Option<char> {
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            _ if quoted => {}
            '`' => return Some(c),
            _ if !c.is_ascii() || (c.is_control() && c != '\t') => return Some(c),
            _ => {}
        }
    }
    None
}

pub(super) fn shell_safety(set: &ExportSet, f: &mut Findings) {
    for s in &set.scripts {
        let mut lines = s.text.lines();
        if !lines
            .next()
            .is_some_and(|l| l == "#!/bin/sh" || l == "#!/usr/bin/env bash")
        {
            f.add(&s.file, "-", "does not start with #!/bin/sh");
        }
        if !s
            .commands
            .iter()
            .any(|c| c == "set -eu" || c == "set -euo pipefail")
        {
            f.add(&s.file, "-", "does not stop at the first failure (set -eu)");
        }
        let mut heredoc = false;
        for (i, line) in s.text.lines().enumerate() {
            let t = line.trim_start();
            if heredoc {
                heredoc = line != "EOF";
                continue;
            }
            if t.starts_with('#') {
                continue;
            }
            if t.contains("<<EOF") || t.contains("<< EOF") {
                heredoc = true;
            }
            if t.starts_with("eval ") || t.contains("; eval ") {
                f.add(&s.file, &format!("line {}", i + 1), "uses eval");
            }
            if let Some(c) = unquoted_problem(line) {
                f.add(
                    &s.file,
                    &format!("line {}", i + 1),
                    format!("{c:?} outside single quotes: a plan value reached the shell unquoted"),
                );
            }
        }
    }
}

pub(super) fn ownership(set: &ExportSet, f: &mut Findings) {
    match read_marker(&set.root) {
        Ok(Some(m)) => {
            for file in set.files.iter().filter(|x| *x != MARKER) {
                if !m.files.contains(file) {
                    f.add(file, "-", foreign_file(file));
                }
            }
            for file in &m.files {
                if !set.files.contains(file) {
                    f.add(MARKER, "-", format!("lists {file}, which is missing"));
                }
            }
        }
        Ok(None) => f.add(
            MARKER,
            "-",
            "missing: nothing says which files belong to the export",
        ),
        Err(e) => f.add(MARKER, "-", e.to_string()),
    }
}

/// What XR11 says of a file the export did not write: a kubeconfig or an OpenStack
/// credential (`clouds.yaml`, `cloud.conf`, the wrapped `cloud-config.yaml`) is named as
/// the credential it is, with where the scripts or the README keep it instead.
fn foreign_file(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    if name.ends_with(".kubeconfig") || file.starts_with("kubeconfigs/") {
        format!("a kubeconfig (a credential) inside the export folder: keep it in $KUBECONFIG_DIR ({KUBECONFIG_DEFAULT_DOC}), outside the folder, where the scripts look (not in {MARKER})")
    } else if CREDENTIAL_FILES.contains(&name) {
        format!("{name} is an OpenStack credential inside the export folder: keep it in $CREDENTIALS_DIR ({CREDENTIALS_DEFAULT_DOC}), outside the folder, as README.md's commands do (not in {MARKER})")
    } else {
        format!("not written by this export (not in {MARKER}): the folder mixes in other files")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_values_are_caught() {
        assert_eq!(
            unquoted_problem("liqoctl install k3s --cluster-id edge-1"),
            None
        );
        assert_eq!(unquoted_problem("echo 'Zürich 1'"), None);
        assert_eq!(
            unquoted_problem("--cluster-labels xrplace.io/site=Zürich"),
            Some('ü')
        );
        assert_eq!(unquoted_problem("echo `id`"), Some('`'));
    }

    #[test]
    fn stray_credentials_are_named_as_such() {
        for f in ["cloud-config.yaml", "clouds.yaml", "x/cloud.conf"] {
            assert!(foreign_file(f).contains("OpenStack credential"), "{f}");
        }
        assert!(foreign_file("notes.txt").contains("not written by this export"));
    }
}
