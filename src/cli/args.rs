//! The command line's arguments (clap): what each command and flag means, with examples;
//! `main.rs` turns them into the requests of `xrplace::command`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use xrplace::experiment::budget::Budget;
use xrplace::experiment::shard::{self, ShardArg};
use xrplace::report::Figures;

pub use super::import_args::ImportCommand;
pub use super::tool_args::{SweepEngine, TopologyCommand};

/// Discrete-event simulator of cloud-edge XR placement across Kubernetes clusters.
#[derive(Parser)]
#[command(name = "xrplace", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command that simulates.
#[derive(clap::Args)]
pub struct SimArgs {
    /// Seed replacing the experiment's own (0 to 2^63 - 1: a TOML integer, as the
    /// experiment file and meta.toml hold it).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Output directory [default: output/<experiment name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (0: one per core) [default: one per core]. Results do not depend on
    /// it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Change a field of the experiment, as the file would spell it; repeatable. Checked
    /// like the file's own values and recorded in meta.toml. Example: --set duration_s=600
    /// --set sessions.load.rate_per_s=0.3 --set 'sessions.strategies=["first-fit"]'
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Write only the tables, no figures (plots/ is not written; most of the time of
    /// writing a small run's results is drawing its PNGs).
    #[arg(long)]
    pub no_figures: bool,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

impl SimArgs {
    /// Whether the output's figures are drawn.
    pub fn figures(&self) -> Figures {
        if self.no_figures {
            Figures::Skip
        } else {
            Figures::Render
        }
    }
}

/// Formats of `run --metrics`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MetricsFormat {
    /// The OpenMetrics text format (what Prometheus scrapes and promtool backfills).
    Openmetrics,
}

/// Forms of the `run --metrics` samples file.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
pub enum MetricsCompression {
    /// metrics.om, plain text: what `promtool tsdb create-blocks-from openmetrics` reads.
    #[default]
    None,
    /// metrics.om.gz, deterministic gzip, about a thirty-fifth of the size (`gunzip -k` it
    /// before promtool).
    Gzip,
}

impl From<MetricsCompression> for xrplace::report::samples_file::Compression {
    fn from(c: MetricsCompression) -> Self {
        match c {
            MetricsCompression::None => Self::None,
            MetricsCompression::Gzip => Self::Gzip,
        }
    }
}

/// Limits on the whole work, checked before anything runs (docs/input.md).
#[derive(clap::Args, Clone, Copy)]
pub struct BudgetArgs {
    /// Most jobs (sweep points x runs) a command may expand to.
    #[arg(long, default_value_t = Budget::default().max_jobs)]
    pub max_jobs: u64,
    /// Most sessions simulated in all jobs together.
    #[arg(long, default_value_t = Budget::default().max_sessions)]
    pub max_sessions: u64,
    /// Most frame events at frame fidelity in all jobs together.
    #[arg(long, default_value_t = Budget::default().max_frame_events)]
    pub max_frame_events: u64,
    /// Most memory the work's estimate may reach, GiB.
    #[arg(long, default_value_t = Budget::default().max_memory_gib, value_parser = positive_gib)]
    pub max_memory_gib: f64,
    /// Most nodes provisioned in all provisioning jobs together.
    #[arg(long, default_value_t = Budget::default().max_nodes)]
    pub max_nodes: u64,
    /// Most cluster samples `--metrics` writes in all runs together (about 500 bytes each).
    #[arg(long, default_value_t = Budget::default().max_metric_samples)]
    pub max_metric_samples: u64,
}

/// A memory budget: a finite number of GiB above zero (`nan` would disable the check).
pub fn positive_gib(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(g) if g.is_finite() && g > 0.0 => Ok(g),
        _ => Err(format!("expected a number of GiB above 0, found {s:?}")),
    }
}

impl BudgetArgs {
    /// The budget these flags give.
    pub fn budget(self) -> Budget {
        Budget {
            max_jobs: self.max_jobs,
            max_sessions: self.max_sessions,
            max_frame_events: self.max_frame_events,
            max_memory_gib: self.max_memory_gib,
            max_nodes: self.max_nodes,
            max_metric_samples: self.max_metric_samples,
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Run an experiment and write output/<experiment>/runs.csv and summary.csv.
    ///
    /// Examples: xrplace run experiments/paper-streaming.toml;
    /// xrplace run --from-meta output/strategies-eu/meta.toml --out /tmp/again
    Run(RunArgs),
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
    Export(ExportArgs),
    /// Join the outputs of the shards of a session sweep into one runs.csv and summary.csv,
    /// byte-identical to running the sweep unsharded.
    ///
    /// Examples: xrplace merge out/1-of-3 out/2-of-3 out/3-of-3 --out out/merged;
    /// xrplace merge --status out
    #[command(
        override_usage = "xrplace merge <SHARDS>... --out <OUT>\n       xrplace merge --status <DIR>"
    )]
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
        kind: xrplace::command::Kind,
        /// Folder to write into (created; existing files are never replaced).
        dir: PathBuf,
    },
    /// Print the JSON Schema of an input file kind, for editors (Taplo, Even Better TOML:
    /// `#:schema PATH` on a file's first line). The shipped copies are in docs/schemas/.
    ///
    /// Example: xrplace schema experiment > experiment.schema.json
    Schema {
        /// The file kind.
        kind: xrplace::command::SchemaKind,
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
    /// Read what an estate that runs already says into xrplace's inputs: its clusters and
    /// peerings (`k8s`), its measured latency, load and arrivals (`prometheus`);
    /// docs/import.md.
    ///
    /// Example: xrplace import k8s --sites sites.toml dumps/ --out estate
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

/// Arguments of `xrplace run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// Experiment file (TOML).
    #[arg(required_unless_present = "from_meta")]
    pub experiment: Option<PathBuf>,
    /// Rerun the output an earlier run described in its meta.toml: the same inputs and
    /// seed, so the same tables byte for byte.
    #[arg(long = "from-meta", conflicts_with = "experiment")]
    pub from_meta: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimArgs,
    /// Run only shard K of N of a session sweep (for example 2/4), or `auto`: from a
    /// Slurm array task or a Kubernetes Indexed Job's index; join with `merge`.
    #[arg(long, value_parser = shard::parse)]
    pub shard: Option<ShardArg>,
    /// Number of shards, with `--shard auto` (needed for Kubernetes).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=xrplace::experiment::shard::MAX_SHARDS as i64))]
    pub shards: Option<u32>,
    /// Keep every finished job of a session sweep as it ends, and skip those an earlier,
    /// interrupted run into the same folder finished (the output is byte-identical).
    #[arg(long)]
    pub resume: bool,
    /// Also write every run's monitoring samples: metrics.om (OpenMetrics text with
    /// simulated timestamps, for `promtool tsdb create-blocks-from openmetrics`) and, for
    /// session experiments, timeseries.csv (docs/monitoring.md).
    #[arg(long, value_enum)]
    pub metrics: Option<MetricsFormat>,
    /// With --metrics: the Unix time, s, that simulated time 0 maps to (a recent instant
    /// keeps backfilled samples within Prometheus's retention) [default: 0].
    #[arg(
        long,
        requires = "metrics",
        hide_default_value = true,
        default_value_t = 0
    )]
    pub metrics_start_unix_s: u64,
    /// With --metrics: write the OpenMetrics samples plain (metrics.om) or gzipped
    /// (metrics.om.gz, for long sweeps; `merge` reads either, and writes gzip if any shard
    /// did).
    #[arg(long, value_enum, requires = "metrics", default_value_t = MetricsCompression::None)]
    pub metrics_compression: MetricsCompression,
}

/// Arguments of `xrplace export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// Plan file written by `xrplace plan`.
    pub plan: PathBuf,
    /// Output directory, owned by the export (it lists what it wrote in
    /// xrplace-export.toml; a re-export replaces exactly that).
    #[arg(long)]
    pub out: PathBuf,
    /// Emit OpenStack infrastructure kinds as v1beta2 (CAPO v0.15 or later) instead of
    /// v1beta1 (CAPO v0.14, the newest stable release).
    #[arg(long, conflicts_with = "openstack_v1beta1")]
    pub openstack_v1beta2: bool,
    /// Emit OpenStack kinds as v1beta1 (the default; kept for older scripts).
    #[arg(long, hide = true)]
    pub openstack_v1beta1: bool,
    /// Export into a folder that holds files no earlier export wrote (they are kept).
    #[arg(long)]
    pub force: bool,
    /// Lint the written export (as `xrplace check DIR`) and fail on a finding.
    #[arg(long)]
    pub verify: bool,
}
