//! `xrplace sweep slurm|k8s`: the files that run a session sweep's shards on a cluster
//! engine (a Slurm job array, a Kubernetes Indexed Job), and their submission.

use super::CommandError;
use crate::config::{load_experiment, ConfigError, LoadedExperiment};
use crate::experiment::budget::{self, Budget};
use crate::experiment::RuntimeError;
use crate::export;
use crate::report;
use std::path::{Path, PathBuf};

/// The cluster engine a sweep runs on, and its settings.
#[derive(Debug, Clone)]
pub enum Engine {
    /// A Slurm job array (task K runs shard K) and a merge job after it.
    Slurm {
        /// The xrplace binary the tasks run.
        binary: PathBuf,
        /// Slurm partition.
        partition: Option<String>,
        /// Time limit per task (Slurm format, e.g. 01:00:00).
        time: Option<String>,
        /// CPUs per task (and threads per shard).
        cpus: u32,
    },
    /// A Kubernetes Indexed Job (index i runs shard i + 1) and a merge Job.
    K8s {
        /// Container image with xrplace and the shipped files.
        image: String,
        /// Shards run at once.
        parallelism: u32,
        /// CPUs per shard.
        cpus: u32,
        /// Size of the results volume (a Kubernetes quantity).
        storage: String,
    },
}

/// What `xrplace sweep` was asked.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// The session sweep file (relative to the repository for Kubernetes, as the image
    /// holds it).
    pub sweep: PathBuf,
    /// Number of shards.
    pub shards: u32,
    /// Folder to write into.
    pub out: PathBuf,
    /// The engine.
    pub engine: Engine,
}

/// What a sweep wrote.
#[derive(Debug, Clone)]
pub struct SweepFiles {
    /// The folder written (absolute for Slurm, as the scripts name it).
    pub dir: PathBuf,
    /// Files written.
    pub written: usize,
}

/// Writes the files of a sweep on a cluster engine; refuses to replace files it did not
/// write.
pub fn sweep(req: &SweepRequest) -> Result<SweepFiles, CommandError> {
    let exp = load_sweep(&req.sweep)?;
    let (dir, files) = match &req.engine {
        Engine::Slurm {
            binary,
            partition,
            time,
            cpus,
        } => {
            let dir = absolute(&req.out)?;
            let lossy = |p: &Path| p.to_string_lossy().into_owned();
            let values = [
                ("--out", Some(lossy(&dir))),
                ("--partition", partition.clone()),
                ("--time", time.clone()),
                ("the sweep file's path", Some(lossy(&req.sweep))),
                ("the experiment's name", Some(exp.config.name.clone())),
                ("the xrplace binary's path", Some(lossy(binary))),
            ];
            for (what, value) in values {
                if let Some(v) = value {
                    export::batch::script_safe(what, &v).map_err(CommandError::Refused)?;
                }
            }
            let opts = export::batch::slurm::SlurmOptions {
                partition: partition.clone(),
                time: time.clone(),
                cpus: *cpus,
            };
            let files = export::batch::slurm::files(
                binary,
                &absolute(&req.sweep)?,
                &exp.config.name,
                req.shards,
                &dir,
                &opts,
            );
            (dir, files)
        }
        Engine::K8s {
            image,
            parallelism,
            cpus,
            storage,
        } => {
            let sweep = &req.sweep;
            if sweep.is_absolute() {
                return Err(CommandError::Refused(format!("{}: give the sweep relative to the repository, as the image holds it under /opt/xrplace", sweep.display())));
            }
            export::batch::k8s::image_reference(image).map_err(CommandError::Refused)?;
            export::batch::k8s::storage_quantity(storage).map_err(CommandError::Refused)?;
            export::batch::script_safe("the sweep file's path", &sweep.to_string_lossy())
                .map_err(CommandError::Refused)?;
            let name = crate::config::names::dns_label_from(&exp.config.name, 40);
            let opts = export::batch::k8s::K8sOptions {
                image: image.clone(),
                parallelism: *parallelism,
                cpus: *cpus,
                storage: storage.clone(),
            };
            let files =
                export::batch::k8s::files(&sweep.to_string_lossy(), &name, req.shards, &opts)
                    .map_err(|e| RuntimeError::Other(e.to_string()))?;
            (req.out.clone(), files)
        }
    };
    refuse_foreign_files(&dir, &files)?;
    let set: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.path.to_str().unwrap_or("?"), f.text.as_bytes()))
        .collect();
    report::atomic::write_set(&dir, &set)
        .map_err(|e| CommandError::write(format!("to {}", dir.display()), e))?;
    #[cfg(unix)]
    for f in files.iter().filter(|f| f.executable) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir.join(&f.path), std::fs::Permissions::from_mode(0o755));
    }
    Ok(SweepFiles {
        dir,
        written: files.len(),
    })
}

/// What `submit.sh` printed, and whether it succeeded.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Its standard output (the job ids).
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Whether it exited 0.
    pub ok: bool,
}

impl Submission {
    /// A refused submission is a runtime failure (exit 1), reported after its output.
    pub fn verdict(&self) -> Result<(), CommandError> {
        if self.ok {
            return Ok(());
        }
        Err(RuntimeError::Unmet(format!("sbatch failed: {}", self.stderr)).into())
    }
}

/// Submits a Slurm sweep written into `dir` (its `submit.sh`; sbatch must be on PATH).
pub fn submit(dir: &Path) -> Result<Submission, CommandError> {
    let o = std::process::Command::new("sh")
        .arg(dir.join("submit.sh"))
        .output()
        .map_err(|e| RuntimeError::Other(format!("cannot run submit.sh: {e}")))?;
    Ok(Submission {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        ok: o.status.success(),
    })
}

/// Loads a session sweep, checked against the default budget.
fn load_sweep(p: &Path) -> Result<LoadedExperiment, CommandError> {
    let exp = load_experiment(p)?;
    if exp.session_sweep().is_none() {
        return Err(ConfigError::whole_file(p, "not a session sweep ([sessions])").into());
    }
    budget::check(&exp, &budget::estimate(&exp, 0, 1), &Budget::default())?;
    Ok(exp)
}

/// `p` made absolute (the scripts run from another folder).
fn absolute(p: &Path) -> Result<PathBuf, CommandError> {
    std::path::absolute(p).map_err(|e| RuntimeError::Other(format!("{}: {e}", p.display())).into())
}

/// Refuses to replace files a sweep did not write: in a folder without `sweep.toml` (not
/// a sweep folder), any entry with the name of a file the sweep writes (a user's own
/// `submit.sh`, say) is named, and nothing is written. A sweep folder's own files are
/// rewritten as a rerun expects.
fn refuse_foreign_files(dir: &Path, files: &[export::OutFile]) -> Result<(), CommandError> {
    if dir.join(export::batch::FILE).is_file() {
        return Ok(());
    }
    let clash: Vec<String> = files
        .iter()
        .filter(|f| std::fs::symlink_metadata(dir.join(&f.path)).is_ok())
        .map(|f| f.path.display().to_string())
        .collect();
    if clash.is_empty() {
        return Ok(());
    }
    Err(CommandError::Refused(format!(
        "{}: {} already exist and the folder is no sweep folder (no {}): xrplace replaces only files it wrote; choose another --out or move them",
        dir.display(),
        clash.join(", "),
        export::batch::FILE
    )))
}
