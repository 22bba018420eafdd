//! A sweep's monitoring samples kept on disk as its jobs end, rather than in memory until
//! the last one. Each job's part of every metric family, and of `timeseries.csv`, is
//! appended to one spool file in the output folder and indexed (32 bytes a part); the files
//! are then written from it family by family, each family's parts in job order. That order
//! cannot be written as jobs end: OpenMetrics keeps a family's samples together (a
//! `MetricFamily` is not interleaved with another), and jobs end in any order.
//!
//! The spool lies in the output folder, not in the system's temporary folder, which is
//! often a tmpfs (memory again); on Unix it is unlinked as soon as it is created, so a
//! killed run leaves nothing behind.

use super::timeseries_header;
use crate::metrics::families::{headers, JobMetrics};
use crate::report::atomic::Streamed;
use crate::report::samples_file::Compression;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Bytes copied from the spool at a time when writing the files.
const COPY_BUFFER_BYTES: usize = 1 << 20;

/// The part index of `timeseries.csv` rows, after the metric families.
pub fn timeseries_part() -> usize {
    headers().len()
}

/// Monitoring samples of a sweep's jobs, on disk until the files are written.
pub struct SampleSpool {
    /// The folder the spool file is made in (the output folder).
    dir: PathBuf,
    inner: Mutex<Inner>,
}

/// One stretch of the spool: bytes of one part (a family, or the time series) of one job.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    part: usize,
    job: u64,
    offset: u64,
    len: u64,
}

#[derive(Default)]
struct Inner {
    /// The spool, made at the first bytes.
    file: Option<BufWriter<File>>,
    /// Its path while it is to be removed on drop (not on Unix, where it is unlinked at once).
    path: Option<PathBuf>,
    /// Whether the output folder was made for it (removed on drop if still empty).
    made_dir: bool,
    /// Bytes in the spool.
    end: u64,
    chunks: Vec<Chunk>,
    /// The first failure to append (a full disk): the spool is incomplete.
    error: Option<String>,
}

impl SampleSpool {
    /// An empty spool whose file will be made in `dir` (made too, if missing).
    pub fn new(dir: &Path) -> Self {
        SampleSpool {
            dir: dir.to_path_buf(),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps job `part.job`'s samples: every family's lines and its time series rows.
    /// Called from worker threads as jobs end; a failure is kept and returned by the
    /// writes, since the spool then lacks samples.
    pub fn add(&self, part: &JobMetrics) {
        let mut inner = self.lock();
        let texts = part.families.iter().map(|f| f.as_bytes());
        for (i, bytes) in texts.chain([part.timeseries.as_slice()]).enumerate() {
            if let Err(e) = inner.append(&self.dir, i, part.job, bytes) {
                inner.error.get_or_insert(e.to_string());
                return;
            }
        }
    }

    /// Appends `bytes` to part `part` (a family's index in [`headers`], or
    /// [`timeseries_part`]) of job `job`, after what that job's part holds already.
    pub fn append(&self, part: usize, job: u64, bytes: &[u8]) -> std::io::Result<()> {
        let dir = &self.dir;
        self.lock().append(dir, part, job, bytes)
    }

    /// Writes `metrics.om`: each family's header, then its samples of every job in job
    /// order; `# EOF` last.
    pub fn write_openmetrics(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut inner = self.lock();
        let mut copy = inner.reader()?;
        for (i, (name, kind, help)) in headers().into_iter().enumerate() {
            write!(w, "# TYPE {name} {kind}\n# HELP {name} {help}\n")?;
            copy.part(i, w)?;
        }
        w.write_all(b"# EOF\n")?;
        copy.done()
    }

    /// Writes `timeseries.csv`: its header, then every job's rows in job order.
    pub fn write_timeseries(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut inner = self.lock();
        let mut copy = inner.reader()?;
        w.write_all(&timeseries_header())?;
        copy.part(timeseries_part(), w)?;
        copy.done()
    }

    /// Calls `with` with the files this spool writes, as files of an output: the samples
    /// file in `compression`'s form and `timeseries.csv`.
    pub fn as_files<R>(&self, compression: Compression, with: impl FnOnce(&[Streamed]) -> R) -> R {
        let om = |w: &mut dyn Write| compression.write_to(w, |z| self.write_openmetrics(z));
        let csv = |w: &mut dyn Write| self.write_timeseries(w);
        with(&[
            Streamed {
                rel: compression.file_name(),
                write: &om,
            },
            Streamed {
                rel: "timeseries.csv",
                write: &csv,
            },
        ])
    }
}

impl Inner {
    fn append(&mut self, dir: &Path, part: usize, job: u64, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(e) = &self.error {
            return Err(std::io::Error::other(e.clone()));
        }
        if bytes.is_empty() {
            return Ok(());
        }
        let end = self.end;
        self.file(dir)?.write_all(bytes)?;
        let len = bytes.len() as u64;
        self.end += len;
        match self.chunks.last_mut() {
            Some(c) if c.part == part && c.job == job && c.offset + c.len == end => c.len += len,
            _ => self.chunks.push(Chunk {
                part,
                job,
                offset: end,
                len,
            }),
        }
        Ok(())
    }

    /// The spool file, made at the first call.
    fn file(&mut self, dir: &Path) -> std::io::Result<&mut BufWriter<File>> {
        if self.file.is_none() {
            static SEQUENCE: AtomicU64 = AtomicU64::new(0);
            let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
            self.made_dir = !dir.exists();
            std::fs::create_dir_all(dir)?;
            let path = dir.join(format!(".xrplace-samples-{}-{n}", std::process::id()));
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)?;
            // An open file stays readable once unlinked; a killed run leaves no spool.
            self.path = match cfg!(unix) && std::fs::remove_file(&path).is_ok() {
                true => None,
                false => Some(path),
            };
            self.file = Some(BufWriter::with_capacity(COPY_BUFFER_BYTES, file));
        }
        Ok(self.file.as_mut().expect("made above"))
    }

    /// The spool ready to be read part by part, its chunks in (part, job) order.
    fn reader(&mut self) -> std::io::Result<ChunkReader<'_>> {
        if let Some(e) = &self.error {
            return Err(std::io::Error::other(format!(
                "monitoring samples could not be kept: {e}"
            )));
        }
        // Stable: a job's chunks of one part stay in the order they were appended.
        self.chunks.sort_by_key(|c| (c.part, c.job));
        let file = match self.file.as_mut() {
            Some(f) => {
                f.flush()?;
                Some(f.get_mut())
            }
            None => None,
        };
        Ok(ChunkReader {
            file,
            chunks: &self.chunks,
            buf: vec![0; COPY_BUFFER_BYTES],
        })
    }
}

/// Reads the spool's chunks into an output.
struct ChunkReader<'a> {
    file: Option<&'a mut File>,
    chunks: &'a [Chunk],
    buf: Vec<u8>,
}

impl ChunkReader<'_> {
    /// Copies every chunk of part `part` to `w`, in job order.
    fn part(&mut self, part: usize, w: &mut dyn Write) -> std::io::Result<()> {
        let Some(file) = self.file.as_deref_mut() else {
            return Ok(());
        };
        let from = self.chunks.partition_point(|c| c.part < part);
        for c in self.chunks[from..].iter().take_while(|c| c.part == part) {
            file.seek(SeekFrom::Start(c.offset))?;
            let mut left = c.len;
            while left > 0 {
                let n = left.min(self.buf.len() as u64) as usize;
                file.read_exact(&mut self.buf[..n])?;
                w.write_all(&self.buf[..n])?;
                left -= n as u64;
            }
        }
        Ok(())
    }

    /// Puts the spool's position back at its end, where the next bytes are appended.
    fn done(self) -> std::io::Result<()> {
        if let Some(f) = self.file {
            f.seek(SeekFrom::End(0))?;
        }
        Ok(())
    }
}

impl Drop for SampleSpool {
    fn drop(&mut self) {
        let mut inner = self.lock();
        inner.file = None;
        if let Some(p) = inner.path.take() {
            let _ = std::fs::remove_file(p);
        }
        if inner.made_dir {
            // Only if nothing was written there (a run that failed before its output).
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::session_metrics::assemble;

    fn part(job: u64) -> JobMetrics {
        JobMetrics {
            job,
            families: (0..headers().len())
                .map(|f| match (job + f as u64) % 3 {
                    0 => String::new(),
                    _ => {
                        format!("f{f}{{job=\"{job}\"}} 1 15.000\nf{f}{{job=\"{job}\"}} 2 30.000\n")
                    }
                })
                .collect(),
            timeseries: format!("{job},15,a\n").into_bytes(),
        }
    }

    fn written(spool: &SampleSpool) -> (Vec<u8>, Vec<u8>) {
        let (mut om, mut csv) = (Vec::new(), Vec::new());
        spool.write_openmetrics(&mut om).unwrap();
        spool.write_timeseries(&mut csv).unwrap();
        (om, csv)
    }

    #[test]
    fn parts_added_in_any_order_give_the_files_of_job_order() {
        let dir = std::env::temp_dir().join(format!("xrplace-spool-{}", std::process::id()));
        let spool = SampleSpool::new(&dir);
        for job in [3, 0, 4, 1, 2] {
            spool.add(&part(job));
        }
        let whole = assemble((0..5).map(part).collect());
        assert_eq!(written(&spool), whole);
        // Written twice, and after more bytes: the same files, then the longer ones.
        assert_eq!(written(&spool), whole);
        spool.add(&part(5));
        assert_eq!(written(&spool), assemble((0..6).map(part).collect()));
        // Nothing is left in the folder (the spool was unlinked, or goes on drop).
        drop(spool);
        assert!(!dir.exists() || std::fs::read_dir(&dir).unwrap().next().is_none());
    }

    #[test]
    fn appended_lines_of_a_job_keep_their_order_within_its_part() {
        let dir = std::env::temp_dir().join(format!("xrplace-spool-lines-{}", std::process::id()));
        let spool = SampleSpool::new(&dir);
        for (job, line) in [(1, "b1\n"), (0, "a1\n"), (1, "b2\n"), (0, "a2\n")] {
            spool.append(0, job, line.as_bytes()).unwrap();
        }
        let (om, _) = written(&spool);
        let text = String::from_utf8(om).unwrap();
        assert!(text.contains("a1\na2\nb1\nb2\n# TYPE"), "{text}");
    }

    #[test]
    fn an_empty_spool_writes_the_headers_alone() {
        let dir = std::env::temp_dir().join(format!("xrplace-spool-empty-{}", std::process::id()));
        let spool = SampleSpool::new(&dir);
        assert_eq!(written(&spool), assemble(Vec::new()));
        assert!(!dir.exists(), "no file made for no samples");
    }
}
