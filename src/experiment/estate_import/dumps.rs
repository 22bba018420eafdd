//! Which cluster each file of an estate was dumped from: `CLUSTER=PATH` arguments (every
//! file under PATH is CLUSTER's, CLUSTER being the kubeconfig context) and plain folders
//! whose immediate sub-folders are one cluster each, named after the sub-folder (the layout
//! of `tests/fixtures/estate/`). Each cluster's files are read into an [`Estate`] of its
//! own.

use crate::config::k8s::documents::files_of;
use crate::config::k8s::{read_estate, Estate};
use crate::config::ConfigError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The files dumped from one cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterDump {
    /// The cluster's name (kubeconfig context, Liqo cluster ID, Cluster API name).
    pub name: String,
    /// Files and folders of its objects.
    pub paths: Vec<PathBuf>,
}

/// One cluster's objects, read.
#[derive(Debug, Clone)]
pub struct DumpedCluster {
    /// The cluster's name.
    pub name: String,
    /// Its objects.
    pub estate: Estate,
}

/// Why an estate cannot be imported.
#[derive(Debug, Clone, PartialEq)]
pub enum EstateError {
    /// A located problem of an input file (an object, an argument, `SITES.toml`).
    Input(ConfigError),
    /// Input the import cannot make a plan of (an ambiguous hub, no machines), with what
    /// to do about it.
    Refused(String),
}

impl From<ConfigError> for EstateError {
    fn from(e: ConfigError) -> Self {
        EstateError::Input(e)
    }
}

impl std::fmt::Display for EstateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EstateError::Input(e) => e.fmt(f),
            EstateError::Refused(m) => f.write_str(m),
        }
    }
}

/// How to name a file's cluster, for messages.
const HOW_TO_NAME: &str = "say which cluster it was dumped from: give it as CLUSTER=PATH (CLUSTER being the kubeconfig context), or put it in a sub-folder named after its cluster and give the parent folder";

/// The clusters the command line's `args` name, in order of first mention; a file or
/// folder given twice for different clusters, or a plain file, is a located error.
pub fn resolve_dumps(args: &[String]) -> Result<Vec<ClusterDump>, ConfigError> {
    let mut dumps: Vec<ClusterDump> = Vec::new();
    let mut add = |name: String, path: PathBuf| match dumps.iter_mut().find(|d| d.name == name) {
        Some(d) => d.paths.push(path),
        None => dumps.push(ClusterDump {
            name,
            paths: vec![path],
        }),
    };
    for arg in args {
        match arg.split_once('=') {
            Some((cluster, path)) if !cluster.is_empty() && !cluster.contains('/') => {
                add(cluster.to_string(), PathBuf::from(path));
            }
            _ => {
                for (cluster, path) in cluster_folders(Path::new(arg))? {
                    add(cluster, path);
                }
            }
        }
    }
    Ok(dumps)
}

/// The sub-folders of a plain folder `dir`, each a cluster named after it; a Kubernetes
/// object file directly in `dir`, or `dir` being a file, belongs to no cluster.
fn cluster_folders(dir: &Path) -> Result<Vec<(String, PathBuf)>, ConfigError> {
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| ConfigError::whole_file(dir, format!("cannot read: {e}")))?;
    if !meta.is_dir() {
        return Err(ConfigError::whole_file(
            dir,
            format!("a file of no cluster: {HOW_TO_NAME}"),
        ));
    }
    let io =
        |e: std::io::Error| ConfigError::whole_file(dir, format!("cannot read the folder: {e}"));
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let ty = entry.file_type().map_err(io)?;
        if ty.is_dir() {
            let name = entry.file_name().to_string_lossy().into_owned();
            out.push((name, path));
        } else if is_object_file(&path) {
            return Err(ConfigError::whole_file(
                &path,
                format!("a file of no cluster, directly in the estate folder: {HOW_TO_NAME}"),
            ));
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file's name says it holds Kubernetes objects (`*.yaml`, `*.yml`, `*.json`).
fn is_object_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["yaml", "yml", "json"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads every dump that holds object files (a sub-folder with none, such as a folder of
/// scripts beside the dumps, is no cluster); a file read for two clusters is a located
/// error.
pub fn read_dumps(dumps: &[ClusterDump]) -> Result<Vec<DumpedCluster>, ConfigError> {
    let mut owner: BTreeMap<PathBuf, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for d in dumps {
        let files = files_of(&d.paths)?;
        if files.is_empty() {
            continue;
        }
        if !crate::config::check::is_dns_label(&d.name) {
            return Err(ConfigError::whole_file(
                &d.paths[0],
                format!(
                    "given as cluster {:?}: a cluster's name is its Liqo cluster ID and Cluster API name, a DNS label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)",
                    d.name
                ),
            ));
        }
        for f in &files {
            let key = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
            if let Some(other) = owner.insert(key, &d.name) {
                if other != d.name {
                    return Err(ConfigError::whole_file(
                        f,
                        format!("given for two clusters, {other:?} and {:?}: a file is dumped from one cluster", d.name),
                    ));
                }
            }
        }
        out.push(DumpedCluster {
            name: d.name.clone(),
            estate: read_estate(&files)?,
        });
    }
    Ok(out)
}
