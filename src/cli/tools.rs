//! The tool commands' side of the command line: `sweep` and `topology`, their arguments
//! mapped to the requests of `xrplace::command` and what they report printed.

use super::tool_args::{import_command, SweepEngine, TopologyCommand};
use crate::warn;
use std::path::PathBuf;
use xrplace::command::{self, CommandError, Engine};
use xrplace::experiment::zoo_import::ImportOptions;
use xrplace::experiment::RuntimeError;

/// `xrplace sweep slurm|k8s`: the files written, and submitted if asked.
pub fn sweep(engine: SweepEngine) -> Result<(), CommandError> {
    let (sweep, shards, out, engine, submit) = match engine {
        SweepEngine::Slurm {
            sweep,
            shards,
            out,
            partition,
            time,
            cpus,
            submit,
        } => {
            let binary = std::env::current_exe().map_err(|e| RuntimeError::Other(e.to_string()))?;
            let engine = Engine::Slurm {
                binary,
                partition,
                time,
                cpus,
            };
            (sweep, shards, out, engine, submit)
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
            let engine = Engine::K8s {
                image,
                parallelism,
                cpus,
                storage,
            };
            (sweep, shards, out, engine, false)
        }
    };
    let req = command::SweepRequest {
        sweep,
        shards,
        out,
        engine,
    };
    let files = command::sweep(&req)?;
    println!("{} files written to {}", files.written, files.dir.display());
    if submit {
        let submitted = command::submit(&files.dir)?;
        print!("{}", submitted.stdout);
        submitted.verdict()?;
    }
    Ok(())
}

/// `xrplace topology generate|import`: the topology written to `--out` or printed.
pub fn topology(command: TopologyCommand) -> Result<(), CommandError> {
    match command {
        TopologyCommand::Generate { sites, seed, out } => {
            write_or_print(out, &command::generate(sites, seed)?)
        }
        TopologyCommand::Import {
            file,
            out,
            name,
            cloud,
            far_edge,
            nodes,
            vcpu_per_node,
            site_nodes,
            default_link_gbps,
            link_inflation,
        } => {
            let opts = ImportOptions {
                name,
                cloud,
                far_edge,
                nodes: [nodes[0], nodes[1], nodes[2]],
                vcpu_per_node: [0, 1, 2].map(|i| f64::from(vcpu_per_node[i])),
                site_nodes,
                default_link_gbps,
                link_inflation,
            };
            let source = command::import(&file, &opts, &import_command(&file), &warn)?;
            write_or_print(out, source.text())
        }
    }
}

/// `text` written atomically to `out`, or to stdout without one.
fn write_or_print(out: Option<PathBuf>, text: &str) -> Result<(), CommandError> {
    match out {
        Some(p) => command::write_text(&p, text),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
