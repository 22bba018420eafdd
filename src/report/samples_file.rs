//! The monitoring samples file of an output folder in either of its forms: `metrics.om`,
//! OpenMetrics text, or `metrics.om.gz`, the same bytes gzipped (`--metrics-compression
//! gzip`). The gzip form is deterministic, so equal inputs still give equal files: no
//! modification time and no file name in the header, a fixed operating system byte and a
//! fixed compression level (RFC 1952 section 2.3; flate2's `GzBuilder`, whose defaults
//! are these, set explicitly here so a change of default cannot change the bytes).

use crate::config::ConfigError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How the monitoring samples are written. Plain text is the default because the file's
/// documented consumer, `promtool tsdb create-blocks-from openmetrics`, maps a regular
/// file into memory (prometheus/prometheus `cmd/promtool/tsdb.go`, `backfillOpenMetrics`:
/// `fileutil.OpenMmapFile`, commit d15adb9a); only promtool 3.3 and later also read a pipe
/// (#16011, commit 898af610), so a gzipped file first needs `gunzip -k` with Debian's
/// promtool 2.42, which answers `<(gunzip -c ...)` with "mmap, size 0: invalid argument".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Compression {
    /// `metrics.om`, OpenMetrics text.
    #[default]
    None,
    /// `metrics.om.gz`: the same text, gzipped; about a thirty-fifth of its size
    /// (docs/monitoring.md has the figures).
    Gzip,
}

/// The DEFLATE level of `metrics.om.gz`: 1, the fastest. Measured with this crate
/// (flate2 1.1, miniz_oxide) on a 463 MB `metrics.om` (sweep-eu, 30 simulated minutes):
/// level 1 writes 13.0 MB in 0.75 s, level 6 (gzip's default) 10.0 MB in 3.2 s, level 9
/// 10.0 MB in 4.7 s. Level 6 would cost more CPU than simulating that sweep (about 1.5 s)
/// to save another 0.6 % of the plain size.
const GZIP_LEVEL: u32 = 1;
/// The operating system byte of the gzip header: 255, "unknown", as flate2 writes by
/// default so that streams are the same on every platform (flate2 1.1.11 `src/gz/mod.rs`,
/// `GzBuilder::into_header`).
const GZIP_OS_UNKNOWN: u8 = 255;

impl Compression {
    /// The file name of the samples in this form.
    pub fn file_name(self) -> &'static str {
        match self {
            Compression::None => "metrics.om",
            Compression::Gzip => "metrics.om.gz",
        }
    }

    /// The other form, whose file this one replaces.
    pub fn other(self) -> Compression {
        match self {
            Compression::None => Compression::Gzip,
            Compression::Gzip => Compression::None,
        }
    }

    /// Writes what `write` produces to `out` in this form (gzipped, finished with its
    /// trailer, for [`Compression::Gzip`]).
    pub fn write_to(
        self,
        out: &mut dyn Write,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        match self {
            Compression::None => write(out),
            Compression::Gzip => {
                let mut gz = flate2::GzBuilder::new()
                    .mtime(0)
                    .operating_system(GZIP_OS_UNKNOWN)
                    .write(out, flate2::Compression::new(GZIP_LEVEL));
                write(&mut gz)?;
                gz.finish()?.flush()
            }
        }
    }

    /// `text` in this form, as bytes (the samples of a streaming experiment, small enough
    /// to hold).
    pub fn encode(self, text: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out, |w| w.write_all(text))?;
        Ok(out)
    }
}

/// The samples file of the folder `dir` and its form, or `None` if it has neither.
/// Refuses a folder holding both: they may come from different runs, and which one is
/// meant cannot be told.
pub fn find(dir: &Path) -> Result<Option<(PathBuf, Compression)>, ConfigError> {
    let mut found: Vec<(PathBuf, Compression)> = [Compression::None, Compression::Gzip]
        .into_iter()
        .map(|c| (dir.join(c.file_name()), c))
        .filter(|(p, _)| p.is_file())
        .collect();
    if found.len() > 1 {
        return Err(ConfigError::whole_file(
            &found[0].0,
            format!(
                "{} is there too: keep one of the two (they may come from different runs)",
                Compression::Gzip.file_name()
            ),
        ));
    }
    Ok(found.pop())
}

/// Removes the samples file of the other form from `dir`, once this output wrote its own:
/// a run into a folder another run wrote in the other form leaves one set of samples, not
/// two of different runs.
pub fn remove_other_form(dir: &Path, written: Compression) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(written.other().file_name())) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    const TEXT: &[u8] = b"# TYPE x gauge\nx{a=\"b\"} 1 15.000\n# EOF\n";

    #[test]
    fn gzip_is_deterministic_and_reads_back_to_the_text() {
        let a = Compression::Gzip.encode(TEXT).unwrap();
        assert_eq!(a, Compression::Gzip.encode(TEXT).unwrap());
        // RFC 1952 header: magic, CM = 8 (deflate), no flags (no name), MTIME = 0,
        // XFL = 4 (fastest), OS = 255.
        assert_eq!(a[..10], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&a[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, TEXT);
        assert_eq!(Compression::None.encode(TEXT).unwrap(), TEXT);
    }

    #[test]
    fn a_folder_with_both_forms_is_refused_and_one_is_found() {
        let d = std::env::temp_dir().join(format!("xrplace-samples-file-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        assert_eq!(find(&d).unwrap(), None);
        std::fs::write(d.join("metrics.om.gz"), b"").unwrap();
        assert_eq!(find(&d).unwrap().map(|f| f.1), Some(Compression::Gzip));
        std::fs::write(d.join("metrics.om"), b"").unwrap();
        let e = find(&d).unwrap_err();
        assert!(e.message.contains("metrics.om.gz is there too"), "{e}");
        remove_other_form(&d, Compression::Gzip).unwrap();
        assert_eq!(find(&d).unwrap().map(|f| f.1), Some(Compression::Gzip));
        remove_other_form(&d, Compression::Gzip).unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }
}
