//! The command line's arguments of the tool commands: `sweep slurm|k8s` and `topology
//! generate|import`, with the parsers of their values.

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum SweepEngine {
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

#[derive(Subcommand)]
pub enum TopologyCommand {
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
pub fn import_command(file: &std::path::Path) -> String {
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
