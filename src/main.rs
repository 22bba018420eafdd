//! The `xrplace` command line: parse arguments, call the library, map errors to exit codes
//! (0 success, 1 output or runtime failure, 2 bad input).

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use xrplace::config::plan_file::load_plan;
use xrplace::config::{check_file, load_experiment, ConfigError, FileKind};
use xrplace::experiment::budget::{self, Budget};
use xrplace::experiment::plan::PlanSearch;
use xrplace::experiment::shard::{self, ShardArg};
use xrplace::experiment::{
    generate_topology, run_experiment, run_provisioning, run_sessions, RunOptions,
};
use xrplace::export::{self, ExportOptions};
use xrplace::report;
use xrplace::strategy::Registry;

/// Discrete-event simulator of cloud-edge XR placement across Kubernetes clusters.
#[derive(Parser)]
#[command(name = "xrplace", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options of every command that simulates.
#[derive(clap::Args)]
struct SimArgs {
    /// Seed replacing the experiment's own.
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory [default: output/<experiment name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads [default: one per core]. Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    budget: BudgetArgs,
}

/// Limits on the whole work, checked before anything runs (docs/input.md).
#[derive(clap::Args, Clone, Copy)]
struct BudgetArgs {
    /// Most jobs (sweep points x runs) a command may expand to.
    #[arg(long, default_value_t = Budget::default().max_jobs)]
    max_jobs: u64,
    /// Most sessions simulated in all jobs together.
    #[arg(long, default_value_t = Budget::default().max_sessions)]
    max_sessions: u64,
    /// Most frame events at frame fidelity in all jobs together.
    #[arg(long, default_value_t = Budget::default().max_frame_events)]
    max_frame_events: u64,
    /// Most memory the work's estimate may reach, GiB.
    #[arg(long, default_value_t = Budget::default().max_memory_gib)]
    max_memory_gib: f64,
}

impl BudgetArgs {
    fn budget(self) -> Budget {
        Budget {
            max_jobs: self.max_jobs,
            max_sessions: self.max_sessions,
            max_frame_events: self.max_frame_events,
            max_memory_gib: self.max_memory_gib,
        }
    }
}

/// The thread count to use: 0 means one per core; more than the machine has is capped,
/// with a warning (results do not depend on it).
fn threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if asked > cores {
        eprintln!("warning: --threads {asked} is more than the {cores} cores here; using {cores}");
        cores
    } else {
        asked
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run an experiment and write output/<experiment>/runs.csv and summary.csv.
    Run {
        /// Experiment file (TOML).
        experiment: PathBuf,
        #[command(flatten)]
        sim: SimArgs,
        /// Run only shard K of N of a session sweep (for example 2/4), or `auto`: from a
        /// Slurm array task or a Kubernetes Indexed Job's index; join with `merge`.
        #[arg(long, value_parser = shard::parse)]
        shard: Option<ShardArg>,
        /// Number of shards, with `--shard auto` (needed for Kubernetes).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        shards: Option<u32>,
        /// Keep every finished job of a session sweep as it ends, and skip those an earlier,
        /// interrupted run into the same folder finished (the output is byte-identical).
        #[arg(long)]
        resume: bool,
    },
    /// Search the cheapest cluster sizes and strategy that meet an experiment's SLO
    /// ([plan]); write output/<experiment>/plan.toml and candidates.csv.
    Plan {
        /// Capacity experiment file (TOML with [sessions] and [plan]).
        experiment: PathBuf,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Write Kubernetes manifests for a plan: Cluster API with its add-ons, Liqo, the XR
    /// application, an apply script and README (docs/export.md).
    Export {
        /// Plan file written by `xrplace plan`.
        plan: PathBuf,
        /// Output directory, owned by the export (it lists what it wrote in
        /// xrplace-export.toml; a re-export replaces exactly that).
        #[arg(long)]
        out: PathBuf,
        /// Emit OpenStack infrastructure kinds as v1beta2 (CAPO v0.15 or later) instead of
        /// v1beta1 (CAPO v0.14, the newest stable release).
        #[arg(long, conflicts_with = "openstack_v1beta1")]
        openstack_v1beta2: bool,
        /// Emit OpenStack kinds as v1beta1 (the default; kept for older scripts).
        #[arg(long, hide = true)]
        openstack_v1beta1: bool,
        /// Export into a folder that holds files no earlier export wrote (they are kept).
        #[arg(long)]
        force: bool,
        /// Lint the written export (as `xrplace check DIR`) and fail on a finding.
        #[arg(long)]
        verify: bool,
    },
    /// Join the outputs of the shards of a session sweep into one runs.csv and summary.csv,
    /// byte-identical to running the sweep unsharded.
    Merge {
        /// Output directories of the shards.
        #[arg(required_unless_present = "status")]
        shards: Vec<PathBuf>,
        /// Where to write the merged files.
        #[arg(long, required_unless_present = "status")]
        out: Option<PathBuf>,
        /// Report which shards of a sweep folder (written by `xrplace sweep`) are done,
        /// running or missing, and the command that reruns the others; exit 1 unless all
        /// are done.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["shards", "out"])]
        status: Option<PathBuf>,
    },
    /// Run a session sweep's shards on a cluster engine: a Slurm job array, or a Kubernetes
    /// Indexed Job (docs/cluster.md).
    Sweep {
        #[command(subcommand)]
        engine: SweepEngine,
    },
    /// Validate topology, experiment and plan files without running anything, or lint an
    /// export folder for apply-time defects (`file: object: rule: message` per finding).
    Check {
        /// Files to check (the kind of each is told by its tables) or export folders.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        budget: BudgetArgs,
    },
    /// Topology utilities.
    Topology {
        #[command(subcommand)]
        command: TopologyCommand,
    },
}

#[derive(Subcommand)]
enum SweepEngine {
    /// Write DIR/array.sbatch (task K runs shard K), DIR/merge.sbatch (after the array)
    /// and DIR/submit.sh; with --submit, submit them and print the job ids.
    Slurm {
        /// Session sweep file.
        sweep: PathBuf,
        /// Number of shards (array tasks).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        shards: u32,
        /// Sweep folder: shards/K-of-N/, logs/, merged/.
        #[arg(long)]
        out: PathBuf,
        /// Slurm partition.
        #[arg(long)]
        partition: Option<String>,
        /// Time limit per task (Slurm format, e.g. 01:00:00).
        #[arg(long)]
        time: Option<String>,
        /// CPUs per task (and threads per shard).
        #[arg(long, default_value_t = 1)]
        cpus: u32,
        /// Submit the array and the merge (sbatch must be on PATH).
        #[arg(long)]
        submit: bool,
    },
    /// Write DIR/sweep-job.yaml (a results claim and an Indexed Job: index i runs shard
    /// i + 1) and DIR/merge-job.yaml, for an image built from the Containerfile.
    K8s {
        /// Session sweep file, relative to the repository (as the image holds it).
        sweep: PathBuf,
        /// Number of shards (completions).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        shards: u32,
        /// Container image with xrplace and the shipped files.
        #[arg(long)]
        image: String,
        /// Folder to write the manifests to.
        #[arg(long)]
        out: PathBuf,
        /// Shards run at once.
        #[arg(long, default_value_t = 4)]
        parallelism: u32,
        /// CPUs per shard.
        #[arg(long, default_value_t = 1)]
        cpus: u32,
        /// Size of the results volume.
        #[arg(long, default_value = "1Gi")]
        storage: String,
    },
}

#[derive(Subcommand)]
enum TopologyCommand {
    /// Write a valid random topology (for scale tests) to stdout or a file.
    Generate {
        /// Number of sites (one cluster each).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        sites: u32,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// File to write [default: stdout].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Why the command failed, mapped to the exit code.
enum Failure {
    Input(ConfigError),
    /// Input that is well-formed but refused (an export folder not ours, lint findings).
    Refused(String),
    Runtime(String),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Input(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run {
            experiment,
            sim,
            shard,
            shards,
            resume,
        } => (|| {
            let shard = shard
                .map(|a| shard::resolve(a, shards, |k| std::env::var(k).ok()))
                .transpose()
                .map_err(Failure::Refused)?;
            let out = match (sim.out, shard) {
                (Some(o), Some((k, n))) => {
                    Some(PathBuf::from(shard::out_path(&o.to_string_lossy(), k, n)))
                }
                (o, _) => o,
            };
            let opts = RunOptions {
                seed: sim.seed,
                threads: threads(sim.threads),
                shard,
                progress: !sim.quiet,
            };
            run(
                experiment,
                opts,
                out,
                sim.quiet,
                sim.budget.budget(),
                resume,
            )
        })(),
        Command::Plan { experiment, sim } => {
            let opts = RunOptions {
                seed: sim.seed,
                threads: threads(sim.threads),
                shard: None,
                progress: !sim.quiet,
            };
            plan(experiment, opts, sim.out, sim.quiet, sim.budget.budget())
        }
        Command::Export {
            plan,
            out,
            openstack_v1beta2,
            openstack_v1beta1: _,
            force,
            verify,
        } => export(
            &plan,
            &out,
            ExportOptions { openstack_v1beta2 },
            force,
            verify,
        ),
        Command::Merge {
            shards,
            out,
            status,
        } => match (status, out) {
            (Some(dir), _) => merge_status(&dir),
            (None, Some(out)) => merge(&shards, &out),
            (None, None) => Err(Failure::Runtime("merge needs --out".into())),
        },
        Command::Sweep { engine } => sweep(engine),
        Command::Check { files, budget } => check(&files, budget.budget()),
        Command::Topology {
            command: TopologyCommand::Generate { sites, seed, out },
        } => generate(sites, seed, out),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Refused(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Runtime(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

/// Prints the state of a sweep folder's shards; fails (exit 1) unless all are done.
fn merge_status(dir: &std::path::Path) -> Result<(), Failure> {
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
fn sweep(engine: SweepEngine) -> Result<(), Failure> {
    let absolute = |p: &std::path::Path| {
        std::path::absolute(p).map_err(|e| Failure::Runtime(format!("{}: {e}", p.display())))
    };
    let load = |p: &std::path::Path| -> Result<xrplace::config::LoadedExperiment, Failure> {
        let exp = load_experiment(p)?;
        if exp.config.sessions.is_none() {
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

fn merge(shards: &[PathBuf], out: &std::path::Path) -> Result<(), Failure> {
    let infos = shards
        .iter()
        .map(|d| report::shard::read(d).map(|i| (d.clone(), i)))
        .collect::<Result<Vec<_>, _>>()?;
    report::shard::check_set(&infos)?;
    let files: Vec<PathBuf> = shards.iter().map(|d| d.join("runs.csv")).collect();
    report::sessions::merge_shards(&files, out).map_err(|e| match e {
        report::sessions::MergeError::Input(c) => Failure::Input(c),
        report::sessions::MergeError::Io(msg) => Failure::Runtime(msg),
    })
}

fn run(
    path: PathBuf,
    opts: RunOptions,
    out: Option<PathBuf>,
    quiet: bool,
    limits: Budget,
    resume: bool,
) -> Result<(), Failure> {
    let started = Instant::now();
    let exp = load_experiment(&path)?;
    budget::check(&exp, &budget::estimate(&exp, 0, opts.threads), &limits)?;
    if (opts.shard.is_some() || resume) && exp.config.sessions.is_none() {
        let msg = "--shard and --resume apply to session sweeps ([sessions]) only";
        return Err(Failure::Input(ConfigError::whole_file(&path, msg)));
    }
    // A shard never writes over a full run: by default it has its own folder.
    let dir = out.unwrap_or_else(|| {
        let base = PathBuf::from("output").join(&exp.config.name);
        match opts.shard {
            Some((k, n)) => base.join(format!("shard-{k}-of-{n}")),
            None => base,
        }
    });
    let write_error = |e: std::io::Error| {
        Failure::Runtime(format!("cannot write results to {}: {e}", dir.display()))
    };
    let (table, runs) = if exp.config.sessions.is_some() {
        let result = run_sweep(&path, &exp, opts, &dir, resume)?;
        (report::sessions::console_table(&result), result.rows.len())
    } else if exp.config.provisioning.is_some() {
        let result = run_provisioning(&exp, opts)?;
        report::write_provisioning_results(&dir, &result).map_err(write_error)?;
        (
            report::provisioning::console_table(&result),
            result.rows.len(),
        )
    } else {
        let result = run_experiment(&exp, opts)?;
        report::write_results(&dir, &result).map_err(write_error)?;
        (report::console_table(&result), result.rows.len())
    };
    if !quiet {
        print!("{table}");
        println!(
            "{runs} runs in {:.2} s; results in {}",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    Ok(())
}

/// Runs a session sweep (or one shard of it) into `dir`. Shards and resumed runs keep every
/// finished job as it ends, skip the ones kept before, and write `shard.toml`.
fn run_sweep(
    path: &std::path::Path,
    exp: &xrplace::config::LoadedExperiment,
    opts: RunOptions,
    dir: &std::path::Path,
    resume: bool,
) -> Result<xrplace::experiment::SessionResult, Failure> {
    let write_error = |e: std::io::Error| {
        Failure::Runtime(format!("cannot write results to {}: {e}", dir.display()))
    };
    let (k, n) = opts.shard.unwrap_or((1, 1));
    let info = report::shard::ShardInfo {
        xrplace_version: env!("CARGO_PKG_VERSION").into(),
        experiment: path.display().to_string(),
        sweep_hash: xrplace::experiment::provenance::sweep_hash(exp),
        seed: opts.seed.unwrap_or(exp.config.seed),
        shard: k,
        shards: n,
    };
    let provenance: Vec<(&str, Vec<u8>)> = opts
        .shard
        .map(|_| (report::shard::FILE, info.to_text().into_bytes()))
        .into_iter()
        .collect();
    if opts.shard.is_none() && !resume {
        let result = run_sessions(exp, opts)?;
        report::write_session_results(dir, &result, &provenance).map_err(write_error)?;
        return Ok(result);
    }
    let s = exp.config.sessions.as_ref().expect("checked");
    let total =
        xrplace::experiment::sessions::sweep_points(exp, s).len() as u64 * exp.config.runs as u64;
    let in_run = (0..total)
        .filter(|j| j % n as u64 == (k - 1) as u64)
        .count();
    let identity = format!("{}jobs_in_run = {in_run}\n", info.to_text());
    let cache = report::jobs::JobCache::open(dir, &identity, total).map_err(Failure::Refused)?;
    let finished = if resume {
        cache.finished().map_err(write_error)?
    } else {
        Default::default()
    };
    let keep = |row: &xrplace::experiment::sessions::SessionRow| {
        if let Err(e) = cache.record(row) {
            eprintln!("warning: cannot keep job {} for --resume: {e}", row.job);
        }
    };
    let result = xrplace::experiment::sessions::run_session_jobs(
        exp,
        opts,
        &Registry::builtin(),
        &|j| finished.contains_key(&j),
        &keep,
    )?;
    report::sessions::write_resumed(dir, &result, finished.into_values().collect(), &provenance)
        .map_err(write_error)?;
    Ok(result)
}

fn plan(
    path: PathBuf,
    opts: RunOptions,
    out: Option<PathBuf>,
    quiet: bool,
    limits: Budget,
) -> Result<(), Failure> {
    let started = Instant::now();
    let exp = load_experiment(&path)?;
    let candidates = budget::plan_candidates(&exp);
    budget::check(
        &exp,
        &budget::estimate(&exp, candidates, opts.threads),
        &limits,
    )?;
    let registry = Registry::builtin();
    let search = PlanSearch::new(&exp, &registry, opts.seed)?;
    let topo = &exp.topologies[0];
    let names: Vec<String> = search
        .candidates
        .iter()
        .map(|&i| topo.clusters[i].name.clone())
        .collect();
    let outcome = search.run(opts)?;
    let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&exp.config.name));
    report::plan::write_plan(&dir, &outcome, &names)
        .map_err(|e| Failure::Runtime(format!("cannot write to {}: {e}", dir.display())))?;
    if !quiet {
        print!("{}", report::plan::console_summary(&outcome));
        println!(
            "planned in {:.2} s; results in {}",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    if outcome.best.is_none() {
        return Err(Failure::Runtime(format!(
            "no candidate plan meets the SLO of [plan.slo]; see {}",
            dir.join("candidates.csv").display()
        )));
    }
    Ok(())
}

fn export(
    plan_path: &std::path::Path,
    out: &std::path::Path,
    opts: ExportOptions,
    force: bool,
    verify: bool,
) -> Result<(), Failure> {
    let p = load_plan(plan_path)?;
    export::capacity::check(plan_path, &p)?;
    let mut files = export::manifests(&p, &opts).map_err(|e| Failure::Refused(e.to_string()))?;
    let plan_text = std::fs::read_to_string(plan_path)
        .map_err(|e| Failure::Runtime(format!("cannot read {}: {e}", plan_path.display())))?;
    files.push(export::OutFile {
        path: "plan.toml".into(),
        text: plan_text,
        executable: false,
    });
    for s in export::app::node_port_services(&p).unwrap_or_default() {
        eprintln!(
            "warning: {}: Service {:?} is a NodePort on port {}: reachable from outside the cluster (a benchmark path, insecure for production)",
            plan_path.display(),
            s.name,
            s.port
        );
    }
    export::folder::write_export(out, &p.experiment, &files, force).map_err(|e| match e {
        export::folder::FolderError::Io(e) => {
            Failure::Runtime(format!("cannot write to {}: {e}", out.display()))
        }
        other => Failure::Refused(format!("{}: {other}", out.display())),
    })?;
    println!("{} files written to {}", files.len() + 1, out.display());
    if verify {
        lint_folder(out)?;
    }
    Ok(())
}

/// Lints an export folder; every finding is printed, and any finding fails.
fn lint_folder(dir: &std::path::Path) -> Result<(), Failure> {
    let findings = export::lint::lint(dir).map_err(Failure::Refused)?;
    for f in &findings {
        println!("{f}");
    }
    if findings.is_empty() {
        println!("{}: export lint: 0 findings", dir.display());
        Ok(())
    } else {
        Err(Failure::Refused(format!(
            "{}: export lint: {} finding(s)",
            dir.display(),
            findings.len()
        )))
    }
}

fn check(files: &[PathBuf], limits: Budget) -> Result<(), Failure> {
    for f in files {
        if f.is_dir() {
            lint_folder(f)?;
            continue;
        }
        let kind = check_file(f)?;
        let mut work = String::new();
        match kind {
            FileKind::Plan => export::capacity::check(f, &load_plan(f)?)?,
            FileKind::Experiment => {
                let exp = load_experiment(f)?;
                let candidates = budget::plan_candidates(&exp);
                let w = budget::estimate(&exp, candidates, threads(0));
                budget::check(&exp, &w, &limits)?;
                work = format!(" ({})", budget::describe(&w));
            }
            FileKind::Topology => {}
        }
        println!("{}: valid {:?}{work}", f.display(), kind);
    }
    Ok(())
}

fn generate(sites: u32, seed: u64, out: Option<PathBuf>) -> Result<(), Failure> {
    let topo = generate_topology(sites as usize, seed);
    let text = toml::to_string(&topo).map_err(|e| Failure::Runtime(e.to_string()))?;
    let text = format!(
        "# Generated by `xrplace topology generate --sites {sites} --seed {seed}`.\n{text}"
    );
    match out {
        Some(p) => report::atomic::write_atomic(&p, text.as_bytes())
            .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", p.display()))),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
