//! Atomic output: a file is written as a sibling temporary file and renamed over the
//! target; a set of files (one command's whole output) is first written in full into a
//! staging folder inside the target, and only then renamed into place, so a failure while
//! writing leaves the previous output untouched and no partial new one.

use super::figures::Figure;
use std::io::Write;
use std::path::Path;

pub use crate::config::output::write_atomic;

/// A file of an output written by a function rather than held as bytes: monitoring
/// samples of a long sweep run to hundreds of MB, and are streamed from disk into place.
pub struct Streamed<'a> {
    /// Path in the output folder.
    pub rel: &'a str,
    /// Writes the file's bytes (into its staged file, buffered).
    pub write: &'a (dyn Fn(&mut dyn Write) -> std::io::Result<()> + 'a),
}

/// Writes every `(relative path, bytes)` of one output into `dir`: all of them into a
/// staging folder first, then each renamed into place. Files of `dir` not in `files` are
/// left alone (a user's other files, an export folder beside the results).
pub fn write_set(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    write_set_streamed(dir, files, &[])
}

/// Stages one file at `p`, its bytes written by `write`, flushed to disk.
fn stage(
    p: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(p)?);
    write(&mut f)?;
    f.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// [`write_set`] of `files` and of the `streamed` ones, as one output.
pub fn write_set_streamed(
    dir: &Path,
    files: &[(&str, &[u8])],
    streamed: &[Streamed],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let staging = dir.join(format!(".xrplace-staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let rels: Vec<&str> = files
        .iter()
        .map(|f| f.0)
        .chain(streamed.iter().map(|s| s.rel))
        .collect();
    let staged = (|| {
        for (rel, bytes) in files {
            stage(&staging.join(rel), |w| w.write_all(bytes))?;
        }
        for s in streamed {
            stage(&staging.join(s.rel), s.write)?;
        }
        Ok(())
    })();
    // Nothing is renamed unless every target can be replaced.
    let placeable = staged.and_then(|()| {
        for rel in &rels {
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
        for rel in &rels {
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
    files: Vec<(&'a str, &'a [u8])>,
    figures: &'a [Figure],
    extra: &'a [(&str, Vec<u8>)],
) -> std::io::Result<()> {
    write_with_streamed(dir, files, figures, extra, &[])
}

/// [`write_with`], with the `streamed` files in the same output.
pub fn write_with_streamed<'a>(
    dir: &Path,
    mut files: Vec<(&'a str, &'a [u8])>,
    figures: &'a [Figure],
    extra: &'a [(&str, Vec<u8>)],
    streamed: &[Streamed],
) -> std::io::Result<()> {
    files.extend(figures.iter().flat_map(Figure::files));
    files.extend(extra.iter().map(|(n, b)| (*n, b.as_slice())));
    write_set_streamed(dir, &files, streamed)
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

    #[test]
    fn a_streamed_file_is_part_of_the_set() {
        let dir = std::env::temp_dir().join(format!("xrplace-streamed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ok = |w: &mut dyn Write| w.write_all(b"streamed");
        let set = [Streamed {
            rel: "s.om",
            write: &ok,
        }];
        write_set_streamed(&dir, &[("a.csv", b"1")], &set).unwrap();
        assert_eq!(std::fs::read(dir.join("s.om")).unwrap(), b"streamed");
        // A streamed file that fails to write: nothing of the set is placed.
        let fails = |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        };
        let set = [Streamed {
            rel: "s.om",
            write: &fails,
        }];
        let e = write_set_streamed(&dir, &[("a.csv", b"2")], &set).unwrap_err();
        assert!(e.to_string().contains("disk full"), "{e}");
        assert_eq!(std::fs::read(dir.join("a.csv")).unwrap(), b"1");
        assert_eq!(std::fs::read(dir.join("s.om")).unwrap(), b"streamed");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            2,
            "no staging left"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
