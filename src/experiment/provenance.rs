//! A fingerprint of a resolved sweep: the experiment with every default filled in, every
//! topology it sweeps and the trace it replays, so two shards can tell whether they were cut
//! from the same sweep. The experiment file's own bytes are not used: reformatting it or
//! editing a comment does not change what is simulated.

use crate::config::LoadedExperiment;

/// FNV-1a 64 of `parts`, each followed by a separator byte (fingerprints and the job
/// cache's checksums; not a defence against a forger, a check against edits and damage).
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for p in parts {
        for &b in p.iter().chain(&[0xffu8]) {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

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
    format!("{:016x}", fnv1a(&parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_reference_values() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; the separator byte makes it differ.
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        h = (h ^ b'a' as u64).wrapping_mul(0x0000_0100_0000_01b3);
        assert_eq!(h, 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(&[b"ab"]), fnv1a(&[b"a", b"b"]));
    }
}
