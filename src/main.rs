//! The `xrplace` command line: parse arguments, call the library's entry point of the
//! command (`xrplace::command`), print what it reports, and exit with 0 on success, 1 on a
//! runtime failure, 2 on bad input.

use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xrplace::command::{self, CommandError, Source};
use xrplace::experiment::shard;
use xrplace::experiment::{RunOptions, RuntimeError};
use xrplace::report::monitoring::Epoch;
use xrplace::strategy::Registry;

mod cli;
use cli::args::{BudgetArgs, Cli, Command, ExportArgs, RunArgs, SimArgs};

fn main() -> ExitCode {
    match dispatch(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs one command.
fn dispatch(command: Command) -> Result<(), CommandError> {
    match command {
        Command::Run(args) => run(args),
        Command::Plan { experiment, sim } => plan(experiment, sim),
        Command::Export(args) => export(args),
        Command::Merge {
            shards,
            out,
            status,
        } => match (status, out) {
            (Some(dir), _) => {
                let status = command::merge_status(&dir)?;
                print!("{}", status.text);
                status.verdict()
            }
            (None, Some(out)) => command::merge(&shards, &out),
            (None, None) => Err(RuntimeError::Other("merge needs --out".into()).into()),
        },
        Command::Sweep { engine } => cli::tools::sweep(engine),
        Command::Check { files, budget } => check(&files, budget),
        Command::Init { kind, dir } => {
            let done = command::init(kind, &dir)?;
            for f in &done.written {
                println!("wrote {}", f.display());
            }
            if let Some(e) = done.experiment {
                println!("run it with: xrplace {} {}", done.command, e.display());
            }
            Ok(())
        }
        Command::Schema { kind } => {
            println!("{}", command::schema(kind)?);
            Ok(())
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cli = Cli::command();
            clap_complete::generate(shell, &mut cli, "xrplace", &mut std::io::stdout());
            Ok(())
        }
        Command::Topology { command } => cli::tools::topology(command),
        Command::Import { command } => cli::import::import(command),
    }
}

/// Runs an import and prints what it found.
/// Prints a warning of a command on stderr.
pub fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// The thread count to use: 0 means one per core; more than the machine has is capped,
/// with a warning (results do not depend on it).
fn threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if asked > cores {
        warn(&format!(
            "--threads {asked} is more than the {cores} cores here; using {cores}"
        ));
        cores
    } else {
        asked
    }
}

fn run(args: RunArgs) -> Result<(), CommandError> {
    let started = std::time::Instant::now();
    let source = match (args.experiment, args.from_meta) {
        (_, Some(meta)) => Source::FromMeta(meta),
        (Some(e), None) => Source::File(e),
        (None, None) => {
            return Err(CommandError::Refused(
                "give an experiment file or --from-meta".into(),
            ))
        }
    };
    let shard = args
        .shard
        .map(|a| shard::resolve(a, args.shards, |k| std::env::var(k).ok()))
        .transpose()
        .map_err(CommandError::Refused)?;
    let registry = Registry::builtin();
    let sim = args.sim;
    let figures = sim.figures();
    let req = command::RunRequest {
        sets: sim.set,
        out: sim.out,
        seed: sim.seed,
        threads: threads(sim.threads),
        shard,
        progress: !sim.quiet,
        resume: args.resume,
        metrics: args.metrics.map(|_| Epoch(args.metrics_start_unix_s)),
        metrics_compression: args.metrics_compression.into(),
        figures,
        limits: sim.budget.budget(),
        ..command::RunRequest::new(source, &registry, &warn)
    };
    let report = command::run(req)?;
    if !sim.quiet {
        print!("{}", report.table);
        println!(
            "{} runs in {:.2} s; results in {}",
            report.runs,
            started.elapsed().as_secs_f64(),
            report.dir.display()
        );
    }
    Ok(())
}

fn plan(experiment: PathBuf, sim: SimArgs) -> Result<(), CommandError> {
    let started = std::time::Instant::now();
    let registry = Registry::builtin();
    let figures = sim.figures();
    let report = command::plan(command::PlanRequest {
        experiment,
        sets: sim.set,
        out: sim.out,
        options: RunOptions {
            seed: sim.seed,
            threads: threads(sim.threads),
            shard: None,
            progress: !sim.quiet,
            series: false,
        },
        figures,
        limits: sim.budget.budget(),
        registry: &registry,
        provenance: true,
    })?;
    if !sim.quiet {
        print!("{}", report.summary);
        println!(
            "planned in {:.2} s; results in {}",
            started.elapsed().as_secs_f64(),
            report.dir.display()
        );
    }
    report.verdict()
}

fn export(args: ExportArgs) -> Result<(), CommandError> {
    let req = command::ExportRequest {
        plan: args.plan,
        out: args.out,
        options: xrplace::export::ExportOptions {
            openstack_v1beta2: args.openstack_v1beta2,
        },
        force: args.force,
    };
    let written = command::export(&req, &warn)?;
    println!("{written} files written to {}", req.out.display());
    if args.verify {
        lint(&req.out)?;
    }
    Ok(())
}

/// Lints an export folder, printing every finding; any error fails, warnings do not.
fn lint(dir: &Path) -> Result<(), CommandError> {
    let report = command::lint(dir)?;
    print_lint(&report);
    report.verdict()
}

fn print_lint(report: &command::LintReport) {
    for f in &report.findings {
        println!("{f}");
    }
    if report.counts().0 == 0 {
        println!("{}", report.summary());
    }
}

fn check(files: &[PathBuf], budget: BudgetArgs) -> Result<(), CommandError> {
    let limits = budget.budget();
    for f in files {
        match command::check(f, &limits)? {
            command::Checked::Folder(report) => {
                print_lint(&report);
                report.verdict()?;
            }
            command::Checked::File { kind, detail } => {
                println!("{}: valid {kind:?}{detail}", f.display());
            }
        }
    }
    Ok(())
}
