//! Atomic output: a file is written as a sibling temporary file and renamed over the
//! target; a set of files (one command's whole output) is first written in full into a
//! staging folder inside the target, and only then renamed into place, so a failure while
//! writing leaves the previous output untouched and no partial new one.

use super::figures::Figure;
use std::io::Write;
use std::path::Path;

pub use crate::config::output::write_atomic;

/// Writes every `(relative path, bytes)` of one output into `dir`: all of them into a
/// staging folder first, then each renamed into place. Files of `dir` not in `files` are
/// left alone (a user's other files, an export folder beside the results).
pub fn write_set(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let staging = dir.join(format!(".xrplace-staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let staged = (|| {
        for (rel, bytes) in files {
            let p = staging.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut f = std::fs::File::create(&p)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        Ok(())
    })();
    // Nothing is renamed unless every target can be replaced.
    let placeable = staged.and_then(|()| {
        for (rel, _) in files {
            let target = dir.join(rel);
            if target.is_dir() {
                return Err(std::io::Error::other(format!(
                    "{} is a folder, not a file this output can replace",
                    target.display()
                )));
            }
        }
        Ok(())
    });
    let result = placeable.and_then(|()| {
        for (rel, _) in files {
            let target = dir.join(rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(staging.join(rel), target)?;
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// [`write_set`] of `files`, of both formats of every figure in `figures`, and of the
/// `extra` files every output carries (`meta.toml`, `timing.toml`), as one output.
pub fn write_with<'a>(
    dir: &Path,
    mut files: Vec<(&'a str, &'a [u8])>,
    figures: &'a [Figure],
    extra: &'a [(&str, Vec<u8>)],
) -> std::io::Result<()> {
    files.extend(figures.iter().flat_map(Figure::files));
    files.extend(extra.iter().map(|(n, b)| (*n, b.as_slice())));
    write_set(dir, &files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("xrplace-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.csv");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        assert!(write_atomic(&dir.join("missing/x.csv"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_set_is_written_whole_or_not_at_all() {
        let dir = std::env::temp_dir().join(format!("xrplace-set-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_set(&dir, &[("a.csv", b"1"), ("plots/b.svg", b"2")]).unwrap();
        std::fs::write(dir.join("mine.txt"), "keep").unwrap();
        // A set whose second file cannot be staged (its parent is a file): nothing changes.
        let bad = write_set(&dir, &[("a.csv", b"new"), ("a.csv/x", b"y")]);
        assert!(bad.is_err());
        assert_eq!(std::fs::read(dir.join("a.csv")).unwrap(), b"1");
        write_set(&dir, &[("a.csv", b"3"), ("plots/b.svg", b"4")]).unwrap();
        assert_eq!(std::fs::read(dir.join("plots/b.svg")).unwrap(), b"4");
        assert_eq!(
            std::fs::read_to_string(dir.join("mine.txt")).unwrap(),
            "keep"
        );
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "no staging left: {names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
