//! A fingerprint of a resolved sweep: the experiment with every default filled in, every
//! topology it sweeps and the trace it replays, so two shards can tell whether they were cut
//! from the same sweep. The experiment file's own bytes are not used: reformatting it or
//! editing a comment does not change what is simulated.

use crate::base::fnv::hash64_parts;
use crate::config::LoadedExperiment;

/// The fingerprint of `exp` as 16 hex digits.
pub fn sweep_hash(exp: &LoadedExperiment) -> String {
    let config = toml::to_string(&exp.config).unwrap_or_default();
    let topologies: Vec<String> = exp
        .topologies
        .iter()
        .map(|t| toml::to_string(t).unwrap_or_default())
        .collect();
    let trace = format!("{:?}", exp.trace);
    let mut parts: Vec<&[u8]> = vec![config.as_bytes(), trace.as_bytes()];
    parts.extend(topologies.iter().map(|t| t.as_bytes()));
    format!("{:016x}", hash64_parts(&parts))
}
