//! The `xrplace` command line: parse arguments, call the library, map errors to exit codes
//! (0 success, 1 output or runtime failure, 2 bad input).

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xrplace::experiment::budget::Budget;
use xrplace::experiment::shard::{self, ShardArg};
use xrplace::experiment::RunOptions;
use xrplace::export::ExportOptions;
use xrplace::report::monitoring::Epoch;

mod cli;
use cli::batch::{merge_status, sweep};
use cli::files::{check, export, generate, import};
use cli::simulate::{merge, plan, run};
use cli::Failure;
use xrplace::experiment::zoo_import::ImportOptions;

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
    /// Seed replacing the experiment's own (0 to 2^63 - 1: a TOML integer, as the
    /// experiment file and meta.toml hold it).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    seed: Option<u64>,
    /// Output directory [default: output/<experiment name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads (0: one per core) [default: one per core]. Results do not depend on
    /// it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    threads: usize,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Change a field of the experiment, as the file would spell it; repeatable. Checked
    /// like the file's own values and recorded in meta.toml. Example: --set duration_s=600
    /// --set sessions.load.rate_per_s=0.3 --set 'sessions.strategies=["first-fit"]'
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    #[command(flatten)]
    budget: BudgetArgs,
}

/// Formats of `run --metrics`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum MetricsFormat {
    /// The OpenMetrics text format (what Prometheus scrapes and promtool backfills).
    Openmetrics,
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
    #[arg(long, default_value_t = Budget::default().max_memory_gib, value_parser = positive_gib)]
    max_memory_gib: f64,
    /// Most nodes provisioned in all provisioning jobs together.
    #[arg(long, default_value_t = Budget::default().max_nodes)]
    max_nodes: u64,
}

/// A memory budget: a finite number of GiB above zero (`nan` would disable the check).
fn positive_gib(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(g) if g.is_finite() && g > 0.0 => Ok(g),
        _ => Err(format!("expected a number of GiB above 0, found {s:?}")),
    }
}

impl BudgetArgs {
    fn budget(self) -> Budget {
        Budget {
            max_jobs: self.max_jobs,
            max_sessions: self.max_sessions,
            max_frame_events: self.max_frame_events,
            max_memory_gib: self.max_memory_gib,
            max_nodes: self.max_nodes,
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
    ///
    /// Examples: xrplace run experiments/paper-streaming.toml;
    /// xrplace run --from-meta output/strategies-eu/meta.toml --out /tmp/again
    Run {
        /// Experiment file (TOML).
        #[arg(required_unless_present = "from_meta")]
        experiment: Option<PathBuf>,
        /// Rerun the output an earlier run described in its meta.toml: the same inputs and
        /// seed, so the same tables byte for byte.
        #[arg(long = "from-meta", conflicts_with = "experiment")]
        from_meta: Option<PathBuf>,
        #[command(flatten)]
        sim: SimArgs,
        /// Run only shard K of N of a session sweep (for example 2/4), or `auto`: from a
        /// Slurm array task or a Kubernetes Indexed Job's index; join with `merge`.
        #[arg(long, value_parser = shard::parse)]
        shard: Option<ShardArg>,
        /// Number of shards, with `--shard auto` (needed for Kubernetes).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=xrplace::experiment::shard::MAX_SHARDS as i64))]
        shards: Option<u32>,
        /// Keep every finished job of a session sweep as it ends, and skip those an earlier,
        /// interrupted run into the same folder finished (the output is byte-identical).
        #[arg(long)]
        resume: bool,
        /// Also write every run's monitoring samples: metrics.om (OpenMetrics text with
        /// simulated timestamps, for `promtool tsdb create-blocks-from openmetrics`) and, for
        /// session experiments, timeseries.csv (docs/monitoring.md).
        #[arg(long, value_enum)]
        metrics: Option<MetricsFormat>,
        /// With --metrics: the Unix time, s, that simulated time 0 maps to (a recent instant
        /// keeps backfilled samples within Prometheus's retention) [default: 0].
        #[arg(
            long,
            requires = "metrics",
            hide_default_value = true,
            default_value_t = 0
        )]
        metrics_start_unix_s: u64,
    },
    /// Search the cheapest cluster sizes and strategy that meet an experiment's SLO
    /// ([plan]); write output/<experiment>/plan.toml and candidates.csv.
    ///
    /// Example: xrplace plan experiments/capacity-slice.toml --set plan.max_candidates=200
    Plan {
        /// Capacity experiment file (TOML with [sessions] and [plan]).
        experiment: PathBuf,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Write Kubernetes manifests for a plan: Cluster API with its add-ons, Liqo, the XR
    /// application, an apply script and README (docs/export.md).
    ///
    /// Example: xrplace export output/capacity-slice/plan.toml --out deploy --verify
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
    ///
    /// Examples: xrplace merge out/1-of-3 out/2-of-3 out/3-of-3 --out out/merged;
    /// xrplace merge --status out
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
    ///
    /// Example: xrplace sweep slurm experiments/sweep-eu.toml --shards 4 --out sweep --submit
    Sweep {
        #[command(subcommand)]
        engine: SweepEngine,
    },
    /// Validate topology, experiment and plan files without running anything, or lint an
    /// export folder for apply-time defects (`file: object: rule: message` per finding).
    ///
    /// Examples: xrplace check experiments/*.toml topologies/*.toml traces/*.csv;
    /// xrplace check deploy
    Check {
        /// Files to check (the kind of each is told by its tables) or export folders.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        budget: BudgetArgs,
    },
    /// Write a commented starting point of a file kind into DIR, with the topologies and
    /// traces it references copied beside it.
    ///
    /// Example: xrplace init sessions my-study && xrplace run my-study/experiment.toml
    Init {
        /// What to start from.
        kind: cli::init::Kind,
        /// Folder to write into (created; existing files are never replaced).
        dir: PathBuf,
    },
    /// Print the JSON Schema of an input file kind, for editors (Taplo, Even Better TOML:
    /// `#:schema PATH` on a file's first line). The shipped copies are in docs/schemas/.
    ///
    /// Example: xrplace schema experiment > experiment.schema.json
    Schema {
        /// The file kind.
        kind: SchemaKind,
    },
    /// Print shell completions to stdout.
    ///
    /// Example: xrplace completions bash > ~/.local/share/bash-completion/completions/xrplace
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
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
    ///
    /// Example: xrplace sweep slurm experiments/sweep-eu.toml --shards 8 --out sweep --submit
    Slurm {
        /// Session sweep file.
        sweep: PathBuf,
        /// Number of shards (array tasks).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=xrplace::experiment::shard::MAX_SHARDS as i64))]
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
    ///
    /// Example: xrplace sweep k8s experiments/sweep-eu.toml --shards 8 --image
    /// registry.example/xrplace:0.1 --out k8s
    K8s {
        /// Session sweep file, relative to the repository (as the image holds it).
        sweep: PathBuf,
        /// Number of shards (completions).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=xrplace::experiment::shard::MAX_SHARDS as i64))]
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

/// Input file kinds with a JSON Schema.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SchemaKind {
    /// Experiment files (`experiments/*.toml`).
    Experiment,
    /// Topology files (`topologies/*.toml`).
    Topology,
    /// Plan files written by `xrplace plan`.
    Plan,
}

#[derive(Subcommand)]
enum TopologyCommand {
    /// Write a valid random topology (for scale tests) to stdout or a file.
    ///
    /// Example: xrplace topology generate --sites 1000 --seed 1 --out topologies/g1k.toml
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
    /// Make a topology from an Internet Topology Zoo GraphML file: a site and a cluster per
    /// PoP with coordinates, a link per edge (LinkSpeed as bandwidth, RTT from length).
    ///
    /// Example: xrplace topology import topologies/zoo/Geant2012.graphml --name geant
    /// --cloud DE --cloud NL --cloud UK --cloud FR --out topologies/geant.toml
    Import {
        /// The GraphML file.
        file: PathBuf,
        /// File to write [default: stdout].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Topology name [default: the network's label].
        #[arg(long)]
        name: Option<String>,
        /// A cloud region (Zoo label, node id or site name); repeat for more [default: the
        /// PoP with the most links].
        #[arg(long)]
        cloud: Vec<String>,
        /// A far-edge site; repeat for more (every other site is a metro edge).
        #[arg(long = "far-edge")]
        far_edge: Vec<String>,
        /// Nodes per cluster in a cloud region, a metro edge and a far-edge site.
        #[arg(long, num_args = 3, value_names = ["CLOUD", "EDGE", "FAR_EDGE"], default_values_t = [20, 4, 2], value_parser = clap::value_parser!(u32).range(1..=10_000))]
        nodes: Vec<u32>,
        /// vCPU per node in a cloud region, a metro edge and a far-edge site.
        #[arg(long = "vcpu-per-node", num_args = 3, value_names = ["CLOUD", "EDGE", "FAR_EDGE"], default_values_t = [8, 4, 4], value_parser = clap::value_parser!(u32).range(1..=1_024))]
        vcpu_per_node: Vec<u32>,
        /// Nodes of one site, as SITE=NODES; repeat for more.
        #[arg(long = "site-nodes", value_parser = parse_site_nodes)]
        site_nodes: Vec<(String, u32)>,
        /// Bandwidth of an edge that gives no speed, Gbit/s.
        #[arg(long = "default-link-gbps", default_value_t = 10.0, value_parser = parse_gbps)]
        default_link_gbps: f64,
        /// Fibre length of a link over its great-circle length (1 to 5).
        #[arg(long = "link-inflation", default_value_t = 1.5, value_parser = parse_inflation)]
        link_inflation: f64,
    },
}

/// The import's command line as the file records it: the GraphML file by its name and
/// `--out` left out, so the same import gives the same bytes wherever it is run from.
fn import_command(file: &std::path::Path) -> String {
    let mut words = vec![String::from("xrplace")];
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        let a = a.to_string_lossy().into_owned();
        if a == "--out" {
            args.next();
        } else if a.starts_with("--out=") {
            // The output path is not part of what was imported.
        } else if std::path::Path::new(&a) == file {
            let name = file.file_name().unwrap_or(file.as_os_str());
            words.push(name.to_string_lossy().into_owned());
        } else {
            words.push(a);
        }
    }
    // A word with a control character (a newline in a name) is written escaped: the
    // command goes into a comment line of the topology.
    words
        .iter()
        .map(|w| {
            if w.chars().any(char::is_control) {
                format!("{w:?}")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `SITE=NODES` of `--site-nodes`.
fn parse_site_nodes(s: &str) -> Result<(String, u32), String> {
    let (site, n) = s
        .split_once('=')
        .ok_or_else(|| format!("expected SITE=NODES, found {s:?}"))?;
    match n.trim().parse::<u32>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok((site.trim().to_string(), n)),
        _ => Err(format!("expected 1 to 10000 nodes, found {n:?}")),
    }
}

/// A bandwidth of 0.001 to 10,000 Gbit/s.
fn parse_gbps(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (1e-3..=1e4).contains(&v) => Ok(v),
        _ => Err(format!("expected 0.001 to 10000 Gbit/s, found {s:?}")),
    }
}

/// A link inflation of 1 to 5.
fn parse_inflation(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (1.0..=5.0).contains(&v) => Ok(v),
        _ => Err(format!("expected 1 to 5, found {s:?}")),
    }
}

/// The scratch folder `--from-meta` restores its inputs into, removed on every way out
/// (an error while restoring or resolving the shard included).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run {
            experiment,
            from_meta,
            sim,
            shard,
            shards,
            resume,
            metrics,
            metrics_start_unix_s,
        } => (|| {
            let scratch = Scratch(
                std::env::temp_dir().join(format!("xrplace-from-meta-{}", std::process::id())),
            );
            let mut restored = None;
            let (experiment, recorded_seed, mut sets) = match (experiment, from_meta) {
                (_, Some(meta)) => {
                    let _ = std::fs::remove_dir_all(&scratch.0);
                    let r = xrplace::experiment::meta::restore(&meta, &scratch.0)?;
                    let out = (r.experiment.clone(), Some(r.seed), r.overrides.clone());
                    restored = Some(r);
                    out
                }
                (Some(e), None) => (e, None, Vec::new()),
                (None, None) => {
                    return Err(Failure::Refused(
                        "give an experiment file or --from-meta".into(),
                    ))
                }
            };
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
                seed: sim.seed.or(recorded_seed),
                threads: threads(sim.threads),
                shard,
                progress: !sim.quiet,
                series: metrics.is_some(),
            };
            sets.extend(sim.set);
            let outcome = run(
                experiment,
                &sets,
                opts,
                out,
                cli::simulate::RunFlags {
                    quiet: sim.quiet,
                    limits: sim.budget.budget(),
                    resume,
                    metrics_epoch: metrics.map(|_| Epoch(metrics_start_unix_s)),
                },
            );
            drop(scratch);
            // The restored copies are gone: an error in one names the meta.toml.
            match (outcome, &restored) {
                (Err(Failure::Input(e)), Some(r)) => Err(Failure::Input(r.locate(e))),
                (o, _) => o,
            }
        })(),
        Command::Plan { experiment, sim } => {
            let opts = RunOptions {
                seed: sim.seed,
                threads: threads(sim.threads),
                shard: None,
                progress: !sim.quiet,
                series: false,
            };
            plan(
                experiment,
                &sim.set,
                opts,
                sim.out,
                sim.quiet,
                sim.budget.budget(),
            )
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
        Command::Init { kind, dir } => cli::init::init(kind, &dir),
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Experiment => {
                    schemars::schema_for!(xrplace::config::ExperimentConfig)
                }
                SchemaKind::Topology => schemars::schema_for!(xrplace::config::TopologyConfig),
                SchemaKind::Plan => schemars::schema_for!(xrplace::config::plan_file::PlanFile),
            };
            serde_json::to_value(&schema)
                .map(xrplace::config::ranges::schema::with_ranges)
                .and_then(|schema| serde_json::to_string_pretty(&schema))
                .map(|text| println!("{text}"))
                .map_err(|e| cli::Failure::Runtime(e.to_string()))
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "xrplace",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Check { files, budget } => check(&files, budget.budget()),
        Command::Topology {
            command: TopologyCommand::Generate { sites, seed, out },
        } => generate(sites, seed, out),
        Command::Topology {
            command:
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
                },
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
            let command = import_command(&file);
            import(&file, &opts, &command, out)
        }
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
