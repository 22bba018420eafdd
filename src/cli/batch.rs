//! `xrplace sweep slurm|k8s` and `xrplace merge --status`.

use super::Failure;
use crate::SweepEngine;
use xrplace::config::{load_experiment, ConfigError};
use xrplace::experiment::budget::{self, Budget};
use xrplace::export;
use xrplace::report;

/// Prints the state of a sweep folder's shards; fails (exit 1) unless all are done.
pub fn merge_status(dir: &std::path::Path) -> Result<(), Failure> {
    let (text, complete) = export::batch::status::report(dir).map_err(Failure::Refused)?;
    print!("{text}");
    if complete {
        Ok(())
    } else {
        Err(Failure::Runtime(format!(
            "{}: shards are not all done",
            dir.display()
        )))
    }
}

/// Writes the files of a sweep on a cluster engine (and submits a Slurm one if asked).
pub fn sweep(engine: SweepEngine) -> Result<(), Failure> {
    let absolute = |p: &std::path::Path| {
        std::path::absolute(p).map_err(|e| Failure::Runtime(format!("{}: {e}", p.display())))
    };
    let load = |p: &std::path::Path| -> Result<xrplace::config::LoadedExperiment, Failure> {
        let exp = load_experiment(p)?;
        if exp.session_sweep().is_none() {
            return Err(Failure::Input(ConfigError::whole_file(
                p,
                "not a session sweep ([sessions])",
            )));
        }
        budget::check(&exp, &budget::estimate(&exp, 0, 1), &Budget::default())?;
        Ok(exp)
    };
    let (dir, files, submit) = match engine {
        SweepEngine::Slurm {
            sweep,
            shards,
            out,
            partition,
            time,
            cpus,
            submit,
        } => {
            let exp = load(&sweep)?;
            let binary = std::env::current_exe().map_err(|e| Failure::Runtime(e.to_string()))?;
            let dir = absolute(&out)?;
            let lossy = |p: &std::path::Path| p.to_string_lossy().into_owned();
            let values = [
                ("--out", Some(lossy(&dir))),
                ("--partition", partition.clone()),
                ("--time", time.clone()),
                ("the sweep file's path", Some(lossy(&sweep))),
                ("the experiment's name", Some(exp.config.name.clone())),
                ("the xrplace binary's path", Some(lossy(&binary))),
            ];
            for (what, value) in values {
                if let Some(v) = value {
                    export::batch::script_safe(what, &v).map_err(Failure::Refused)?;
                }
            }
            let opts = export::batch::slurm::SlurmOptions {
                partition,
                time,
                cpus,
            };
            let files = export::batch::slurm::files(
                &binary,
                &absolute(&sweep)?,
                &exp.config.name,
                shards,
                &dir,
                &opts,
            );
            (dir, files, submit)
        }
        SweepEngine::K8s {
            sweep,
            shards,
            image,
            out,
            parallelism,
            cpus,
            storage,
        } => {
            let exp = load(&sweep)?;
            if sweep.is_absolute() {
                return Err(Failure::Refused(format!("{}: give the sweep relative to the repository, as the image holds it under /opt/xrplace", sweep.display())));
            }
            export::batch::k8s::image_reference(&image).map_err(Failure::Refused)?;
            export::batch::k8s::storage_quantity(&storage).map_err(Failure::Refused)?;
            export::batch::script_safe("the sweep file's path", &sweep.to_string_lossy())
                .map_err(Failure::Refused)?;
            let name = xrplace::config::names::dns_label_from(&exp.config.name, 40);
            let opts = export::batch::k8s::K8sOptions {
                image,
                parallelism,
                cpus,
                storage,
            };
            let files = export::batch::k8s::files(&sweep.to_string_lossy(), &name, shards, &opts)
                .map_err(|e| Failure::Runtime(e.to_string()))?;
            (out, files, false)
        }
    };
    refuse_foreign_files(&dir, &files)?;
    let set: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.path.to_str().unwrap_or("?"), f.text.as_bytes()))
        .collect();
    report::atomic::write_set(&dir, &set)
        .map_err(|e| Failure::Runtime(format!("cannot write to {}: {e}", dir.display())))?;
    #[cfg(unix)]
    for f in files.iter().filter(|f| f.executable) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir.join(&f.path), std::fs::Permissions::from_mode(0o755));
    }
    println!("{} files written to {}", files.len(), dir.display());
    if submit {
        let o = std::process::Command::new("sh")
            .arg(dir.join("submit.sh"))
            .output()
            .map_err(|e| Failure::Runtime(format!("cannot run submit.sh: {e}")))?;
        print!("{}", String::from_utf8_lossy(&o.stdout));
        if !o.status.success() {
            return Err(Failure::Runtime(format!(
                "sbatch failed: {}",
                String::from_utf8_lossy(&o.stderr)
            )));
        }
    }
    Ok(())
}

/// Refuses to replace files a sweep did not write: in a folder without `sweep.toml` (not
/// a sweep folder), any entry with the name of a file the sweep writes (a user's own
/// `submit.sh`, say) is named, and nothing is written. A sweep folder's own files are
/// rewritten as a rerun expects.
fn refuse_foreign_files(dir: &std::path::Path, files: &[export::OutFile]) -> Result<(), Failure> {
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
    Err(Failure::Refused(format!(
        "{}: {} already exist and the folder is no sweep folder (no {}): xrplace replaces only files it wrote; choose another --out or move them",
        dir.display(),
        clash.join(", "),
        export::batch::FILE
    )))
}
