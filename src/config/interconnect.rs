//! The named interconnect kinds' `[paths.<kind>]` tables (Submariner, Skupper, Istio,
//! Linkerd, Consul, Cilium ClusterMesh, NSM; [`InterconnectConfig`]): the variant they
//! name and their checks, and the interconnect comparison's options. The defaults themselves live in each kind's file under
//! `model::interconnects`.

use super::check::Checker;
use super::error::ConfigError;
use super::kinds::PathKind;
pub use super::paths::InterconnectConfig;
use serde::{Deserialize, Serialize};

/// The variant `cfg` names, or the kind's default.
pub fn variant_of(kind: PathKind, cfg: &InterconnectConfig) -> &str {
    if cfg.variant.is_empty() {
        kind.variants().first().copied().unwrap_or("")
    } else {
        &cfg.variant
    }
}

/// Checks one `[paths.<table>]`: a known variant (its values' ranges are the range
/// table's, [`super::ranges`]).
pub fn validate_interconnect(
    c: &Checker,
    table: &str,
    kind: PathKind,
    cfg: &InterconnectConfig,
) -> Result<(), ConfigError> {
    let p = format!("paths.{table}");
    let known = kind.variants();
    if !cfg.variant.is_empty() && !known.contains(&cfg.variant.as_str()) {
        let expected = if known.is_empty() {
            format!("{} has no variants; leave `variant` out", kind.name())
        } else {
            format!("expected one of {}", known.join(", "))
        };
        return Err(c.src.error(
            &format!("{p}.variant"),
            format!("unknown variant {:?}: {expected}", cfg.variant),
        ));
    }
    Ok(())
}

/// Sessions reach other clusters (offloaded pods, users of a shared session at other
/// sites, central components), which `local`, one cluster's CNI, cannot join.
pub fn check_sessions_path(c: &Checker, kind: PathKind) -> Result<(), ConfigError> {
    if kind == PathKind::Local {
        return Err(c.src.error(
            "sessions.cross_cluster_path",
            format!(
                "sessions cross clusters, which `local` cannot; expected one of {}",
                PathKind::cross_names()
            ),
        ));
    }
    Ok(())
}

/// An interconnect comparison (`[interconnects]`): the file's streaming scenarios and its
/// session workload, run once per option with every cross-cluster path set to it.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComparisonConfig {
    /// The options compared, each a kind (`submariner`) or a kind and variant
    /// (`submariner/wireguard`).
    pub kinds: Vec<String>,
    /// The scenario with every component in one cluster, which the others' latency
    /// overheads are measured against.
    pub baseline: String,
}

/// One option of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindOption {
    /// The kind.
    pub kind: PathKind,
    /// Its variant; empty: the topology's (or the kind's default).
    pub variant: String,
}

impl KindOption {
    /// `kind` or `kind/variant` as written.
    pub fn label(&self) -> String {
        if self.variant.is_empty() {
            self.kind.name().to_string()
        } else {
            format!("{}/{}", self.kind.name(), self.variant)
        }
    }
}

/// Reads `kind` or `kind/variant`.
pub fn parse_option(text: &str) -> Result<KindOption, String> {
    let (name, variant) = text.split_once('/').unwrap_or((text, ""));
    let Some(kind) = PathKind::ALL.into_iter().find(|k| k.name() == name) else {
        return Err(format!(
            "unknown interconnect {name:?}: expected one of {}",
            PathKind::cross_names()
        ));
    };
    if kind == PathKind::Local {
        return Err("`local` is the baseline scenario, not an option to compare".into());
    }
    let known = kind.variants();
    if text.contains('/') && !known.contains(&variant) {
        return Err(if known.is_empty() {
            format!("{name} has no variants; write {name:?}")
        } else {
            format!(
                "unknown variant {variant:?} of {name}: expected one of {}",
                known.join(", ")
            )
        });
    }
    Ok(KindOption {
        kind,
        variant: variant.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_name_a_kind_and_maybe_a_known_variant() {
        let o = parse_option("submariner/vxlan").unwrap();
        assert_eq!(
            (o.kind, o.variant.as_str()),
            (PathKind::Submariner, "vxlan")
        );
        assert_eq!(o.label(), "submariner/vxlan");
        assert_eq!(parse_option("liqo").unwrap().kind, PathKind::Liqo);
        assert!(parse_option("submariner/gre")
            .unwrap_err()
            .contains("ipsec"));
        assert!(parse_option("skupper/x")
            .unwrap_err()
            .contains("no variants"));
        assert!(parse_option("weave")
            .unwrap_err()
            .contains("cilium-clustermesh"));
        assert!(parse_option("local").is_err());
    }

    #[test]
    fn every_variant_list_starts_with_the_default() {
        let cfg = InterconnectConfig::default();
        assert_eq!(variant_of(PathKind::Submariner, &cfg), "ipsec");
        assert_eq!(variant_of(PathKind::Skupper, &cfg), "");
    }
}
