//! An export folder owned by the export: `xrplace-export.toml` lists every file the export
//! wrote. Re-exporting removes what the previous export of that folder wrote and nothing
//! else; a folder holding files no export wrote is refused unless forced (then they are
//! kept). The new export, with any kept files, is built beside the folder and swapped in
//! whole, so a failure leaves the folder as it was.

use super::OutFile;
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

/// Name of the ownership marker.
pub const MARKER: &str = "xrplace-export.toml";

/// The marker's content.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Version of xrplace that wrote the export.
    pub xrplace_version: String,
    /// Experiment of the plan.
    pub experiment: String,
    /// Every file written, relative to the folder, sorted (the marker excepted).
    pub files: Vec<String>,
}

/// Why a folder cannot take the export.
#[derive(Debug)]
pub enum FolderError {
    /// The folder holds files no export of it wrote; `--force` exports anyway.
    Foreign(Vec<String>),
    /// The marker is not one an export wrote.
    BadMarker(String),
    /// Reading or writing failed.
    Io(io::Error),
}

impl std::fmt::Display for FolderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderError::Foreign(files) => {
                let shown: Vec<&str> = files.iter().take(5).map(String::as_str).collect();
                write!(
                    f,
                    "the folder holds {} file(s) no export of it wrote ({}{}); export to another folder, or pass --force to keep them and replace only what an earlier export wrote",
                    files.len(),
                    shown.join(", "),
                    if files.len() > 5 { ", ..." } else { "" }
                )
            }
            FolderError::BadMarker(m) => write!(f, "{MARKER} is not an export marker: {m}"),
            FolderError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for FolderError {
    fn from(e: io::Error) -> Self {
        FolderError::Io(e)
    }
}

/// Every regular file under `dir`, relative and sorted (an absent folder has none); a
/// link or a special file in it is an error that names it.
pub fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<String>) -> io::Result<()> {
        for entry in std::fs::read_dir(d)? {
            let entry = entry?;
            let p = entry.path();
            let ty = entry.file_type()?;
            let rel = p.strip_prefix(root).expect("under root");
            if ty.is_symlink() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is a symbolic link: xrplace neither reads nor writes through links in an export folder (remove it, or export elsewhere)",
                        rel.display()
                    ),
                ));
            }
            if ty.is_dir() {
                walk(root, &p, out)?;
            } else if ty.is_file() {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            } else {
                // A FIFO would block a read or copy, a device never end.
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is not a regular file (a FIFO, socket or device): remove it, or export elsewhere",
                        rel.display()
                    ),
                ));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out)?;
    }
    out.sort();
    Ok(out)
}

/// The marker of an earlier export in `dir`, if any.
pub fn read_marker(dir: &Path) -> Result<Option<Marker>, FolderError> {
    let p = dir.join(MARKER);
    if std::fs::symlink_metadata(&p).is_err() {
        return Ok(None);
    }
    // Through the guarded reader: a FIFO or a huge file in its place is refused unread.
    let text = crate::config::input::read_text(&p, MARKER, crate::config::input::MAX_TOML_BYTES)
        .map_err(|e| FolderError::BadMarker(e.message))?;
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| FolderError::BadMarker(e.message().to_string()))
}

fn marker_text(m: &Marker) -> String {
    format!(
        "# Written by `xrplace export`: the files of this export. Re-exporting into this folder\n# removes these and nothing else.\n{}",
        toml::to_string(m).expect("marker serialises")
    )
}

fn write_tree(dir: &Path, files: &[OutFile]) -> io::Result<()> {
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::report::atomic::write_atomic(&path, f.text.as_bytes())?;
        #[cfg(unix)]
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

/// Carries the files no export wrote (kept under `--force`) from `dir` into `staging`,
/// linked where the file system allows, else copied; a path the new export writes is the
/// export's. The folder is then swapped in whole, so a failure leaves `dir` untouched.
fn keep_foreign(
    dir: &Path,
    staging: &Path,
    foreign: &[String],
    files: &[OutFile],
) -> io::Result<()> {
    for f in foreign {
        if files.iter().any(|o| o.path == Path::new(f)) {
            continue;
        }
        let (from, to) = (dir.join(f), staging.join(f));
        let kept = || -> io::Result<()> {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to)?;
            }
            Ok(())
        };
        // A kept file where the export writes a folder (or the other way round).
        kept().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot keep {f} beside the export (it clashes with a path the export writes): {e}"),
            )
        })?;
    }
    Ok(())
}

/// A sibling of `dir` for building or parking an export.
fn sibling(dir: &Path, what: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    dir.with_file_name(format!(".{name}.xrplace-{what}-{}", std::process::id()))
}

/// Writes the export `files` into `dir`, owning it through the marker.
pub fn write_export(
    dir: &Path,
    experiment: &str,
    files: &[OutFile],
    force: bool,
) -> Result<(), FolderError> {
    if dir.exists() && !dir.is_dir() {
        return Err(FolderError::Foreign(vec![dir.display().to_string()]));
    }
    // An existing folder by its real path, so `.` or `a/..` has a parent to build beside.
    let real;
    let dir = if dir.is_dir() {
        real = std::fs::canonicalize(dir)?;
        real.as_path()
    } else {
        dir
    };
    let previous = read_marker(dir)?;
    let owned: Vec<String> = previous
        .as_ref()
        .map(|m| m.files.clone())
        .unwrap_or_default();
    let foreign: Vec<String> = list_files(dir)?
        .into_iter()
        .filter(|f| f != MARKER && !owned.contains(f))
        .collect();
    if !foreign.is_empty() && !force {
        return Err(FolderError::Foreign(foreign));
    }
    let mut names: Vec<String> = files
        .iter()
        .map(|f| f.path.to_string_lossy().replace('\\', "/"))
        .collect();
    names.sort();
    let marker = OutFile {
        path: MARKER.into(),
        text: marker_text(&Marker {
            xrplace_version: env!("CARGO_PKG_VERSION").into(),
            experiment: experiment.into(),
            files: names,
        }),
        executable: false,
    };
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let staging = sibling(dir, "new");
    let _ = std::fs::remove_dir_all(&staging);
    let built = write_tree(&staging, files)
        .and_then(|_| write_tree(&staging, &[marker]))
        .and_then(|_| keep_foreign(dir, &staging, &foreign, files));
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e.into());
    }
    let swapped = swap_in(dir, &staging);
    if swapped.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    Ok(swapped?)
}

/// Puts the built `staging` folder in the place of `dir` (parking and then removing the
/// old one); on failure `dir` is as it was.
fn swap_in(dir: &Path, staging: &Path) -> io::Result<()> {
    if !dir.exists() {
        return std::fs::rename(staging, dir);
    }
    let parked = sibling(dir, "old");
    let _ = std::fs::remove_dir_all(&parked);
    std::fs::rename(dir, &parked)?;
    if let Err(e) = std::fs::rename(staging, dir) {
        let _ = std::fs::rename(&parked, dir);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&parked);
    Ok(())
}
