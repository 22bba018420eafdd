//! Reading an input file safely: only regular files, at most a documented size, checked
//! before anything is read; a UTF-8 byte-order mark accepted and dropped (in every kind of
//! input alike); invalid UTF-8 reported at its line and column.

use super::error::ConfigError;
use std::io::Read;
use std::path::Path;

/// Largest TOML input but a topology (experiment, plan, xrplace's own state files): 64 MiB;
/// the biggest shipped experiment is a few KiB.
pub const MAX_TOML_BYTES: u64 = 64 << 20;
/// Largest topology file: 256 MiB, as large as the GraphML files `topology import` reads.
/// The biggest shipped one, a generated 1,000-site topology, is about 0.7 MiB; a
/// 200,000-PoP import is about 120 MiB, and reading it takes about 12 s of CPU and
/// 3.4 GiB of memory (`cargo bench --bench graphml_import` measures the import).
pub const MAX_TOPOLOGY_BYTES: u64 = 256 << 20;
/// Largest trace: 1 GiB (about 20 million arrivals).
pub const MAX_TRACE_BYTES: u64 = 1 << 30;
/// Largest GraphML file (`topology import`): 256 MiB, several times the 200,000-PoP
/// graphs the import is meant to handle.
pub const MAX_GRAPHML_BYTES: u64 = 256 << 20;
/// Largest measured RTT CSV (`routing.measured_rtt_csv`): 64 MiB, about 1.5 million site
/// pairs, every pair of about 1,700 sites.
pub const MAX_RTT_CSV_BYTES: u64 = 64 << 20;

/// Largest file of Kubernetes objects (`import k8s`): 128 MiB. `kubectl get nodes -o yaml`
/// writes about 10 KiB a node, so a 5,000-node cluster's Node list is about 50 MiB.
pub const MAX_MANIFEST_BYTES: u64 = 128 << 20;

/// Largest table of a shard read by `merge` (runs.csv, latency_quantiles.csv,
/// app_latency.csv, timeseries.csv): 1 GiB, about ten million rows.
pub const MAX_TABLE_BYTES: u64 = 1 << 30;
/// Largest monitoring samples file a `merge` reads (metrics.om): 16 GiB; a day of a sweep
/// with `--metrics` can reach several (docs/monitoring.md).
pub const MAX_METRICS_BYTES: u64 = 16 << 30;

/// Checks that `path` is a regular file of at most `max_bytes` (before anything is read:
/// a FIFO would block, a device never end); returns its length.
fn check_regular(path: &Path, what: &str, max_bytes: u64) -> Result<u64, ConfigError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ConfigError::whole_file(path, format!("cannot read {what}: {e}")))?;
    if !meta.is_file() {
        return Err(ConfigError::whole_file(
            path,
            format!("expected a regular file ({what}), found a directory or special file"),
        ));
    }
    if meta.len() > max_bytes {
        return Err(ConfigError::whole_file(
            path,
            format!(
                "the {what} is {} bytes; inputs are limited to {} bytes (docs/input.md)",
                meta.len(),
                max_bytes
            ),
        ));
    }
    Ok(meta.len())
}

/// `path` opened for streaming reads, checked as [`read_text`] checks it (regular file,
/// at most `max_bytes`), and cut at `max_bytes` should it grow while being read.
pub fn open_regular(
    path: &Path,
    what: &str,
    max_bytes: u64,
) -> Result<std::io::Take<std::fs::File>, ConfigError> {
    check_regular(path, what, max_bytes)?;
    let file = std::fs::File::open(path)
        .map_err(|e| ConfigError::whole_file(path, format!("cannot read {what}: {e}")))?;
    Ok(file.take(max_bytes))
}

/// `path` opened for streaming reads of at most `max_bytes` of content, checked as
/// [`open_regular`] checks it. A name ending in `.gz` is gunzipped as it is read, every
/// member in turn as `gunzip` does (RFC 1952 section 2.2: a gzip file is a series of
/// members), and `max_bytes` then bounds the decompressed bytes too: a small file that
/// expands past it (a gzip bomb) fails the read with an error saying so, after at most
/// `max_bytes` bytes have been handed out. A damaged stream fails the read as well.
pub fn open_maybe_gzip(
    path: &Path,
    what: &str,
    max_bytes: u64,
) -> Result<Box<dyn std::io::BufRead>, ConfigError> {
    let file = open_regular(path, what, max_bytes)?;
    let gzipped = path.extension().is_some_and(|e| e == "gz");
    if !gzipped {
        return Ok(Box::new(std::io::BufReader::new(file)));
    }
    let text = flate2::bufread::MultiGzDecoder::new(std::io::BufReader::new(file));
    Ok(Box::new(std::io::BufReader::new(Capped {
        inner: text,
        left: max_bytes,
        max_bytes,
    })))
}

/// A reader that fails, rather than ends, once its source gives more than a number of
/// bytes: cutting a decompressed stream short would read as a whole, shorter file.
struct Capped<R> {
    inner: R,
    /// Bytes still allowed.
    left: u64,
    /// Bytes allowed in all, for the error.
    max_bytes: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte past the allowance, so that a stream of exactly `left` bytes passes.
        let room = buf.len().min(
            usize::try_from(self.left)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
        );
        let n = self.inner.read(&mut buf[..room])?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "decompresses to more than {0} bytes; inputs are limited to {0} bytes (docs/input.md)",
                    self.max_bytes
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// The bytes of `path`, a regular file of at most `max_bytes` (one that grows past it
/// while being read is refused), or an error for the whole file saying why it cannot be
/// read.
pub fn read_bytes(path: &Path, what: &str, max_bytes: u64) -> Result<Vec<u8>, ConfigError> {
    let len = check_regular(path, what, max_bytes)?;
    let mut bytes = Vec::with_capacity(len as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(max_bytes + 1).read_to_end(&mut bytes))
        .map_err(|e| ConfigError::whole_file(path, format!("cannot read {what}: {e}")))?;
    if bytes.len() as u64 > max_bytes {
        return Err(ConfigError::whole_file(
            path,
            format!("the {what} grew past {max_bytes} bytes while being read"),
        ));
    }
    Ok(bytes)
}

/// Reads `path` as UTF-8 text through [`read_bytes`] (a regular file of at most
/// `max_bytes`), a byte-order mark dropped, invalid UTF-8 located.
pub fn read_text(path: &Path, what: &str, max_bytes: u64) -> Result<String, ConfigError> {
    let bytes = read_bytes(path, what, max_bytes)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let good = &body[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                good.len() - good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
            Err(ConfigError {
                file: path.to_path_buf(),
                line,
                column,
                field: "(text)".into(),
                message: format!(
                    "invalid UTF-8 at byte {} (expected UTF-8 text)",
                    e.valid_up_to() + (body.len() < bytes.len()) as usize * 3
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("xrplace-input-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn bom_is_dropped_and_bad_utf8_is_located() {
        let p = tmp("bom", b"\xEF\xBB\xBFname = \"x\"\n");
        assert_eq!(read_text(&p, "file", 100).unwrap(), "name = \"x\"\n");
        let p = tmp("utf8", b"a = 1\nb = \"\xFF\"\n");
        let e = read_text(&p, "file", 100).unwrap_err();
        assert_eq!((e.line, e.column), (2, 6));
        assert!(e.message.contains("byte 11"), "{}", e.message);
    }

    fn gzip(members: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for m in members {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, m).unwrap();
            out.extend(e.finish().unwrap());
        }
        out
    }

    fn read_all(p: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
        let mut r = open_maybe_gzip(p, "file", max_bytes).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        r.read_to_end(&mut out).map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn a_gz_name_is_gunzipped_member_after_member() {
        let p = tmp("two.gz", &gzip(&[b"a 1\n", b"b 2\n"]));
        assert_eq!(read_all(&p, 100).unwrap(), b"a 1\nb 2\n");
        // Without the .gz name the same bytes are read as they are.
        let q = tmp("two.om", &gzip(&[b"a 1\n"]));
        assert_eq!(read_all(&q, 100).unwrap()[..2], [0x1f, 0x8b]);
    }

    #[test]
    fn the_limit_bounds_the_decompressed_bytes() {
        // 40 bytes of gzip that expand to 10,000: refused at a limit of 1,000, although
        // the file itself is far below it.
        let bomb = gzip(&[&[b'#'; 10_000]]);
        assert!(bomb.len() < 1_000, "{} bytes", bomb.len());
        let p = tmp("bomb.gz", &bomb);
        let e = read_all(&p, 1_000).unwrap_err();
        assert!(e.contains("more than 1000 bytes"), "{e}");
        // Exactly at the limit passes; one byte over does not.
        assert_eq!(read_all(&p, 10_000).unwrap().len(), 10_000);
        assert!(read_all(&p, 9_999).is_err());
    }

    #[test]
    fn a_damaged_gzip_fails_the_read() {
        let mut bytes = gzip(&[&[b'x'; 5_000]]);
        let n = bytes.len();
        bytes.truncate(n - 6);
        assert!(read_all(&tmp("cut.gz", &bytes), 1 << 20).is_err());
        assert!(read_all(&tmp("text.gz", b"plain text\n"), 1 << 20).is_err());
    }

    #[test]
    fn big_and_special_files_are_refused_before_reading() {
        let p = tmp("big", &[b'#'; 200]);
        let e = read_text(&p, "file", 100).unwrap_err();
        assert!(e.line == 0 && e.message.contains("200 bytes"), "{e}");
        let e = read_text(&std::env::temp_dir(), "file", 100).unwrap_err();
        assert!(e.message.contains("regular file"), "{e}");
        let e = read_text(Path::new("/dev/zero"), "file", 100).unwrap_err();
        assert!(e.message.contains("regular file"), "{e}");
    }
}
