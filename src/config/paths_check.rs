//! The checks of every `[paths.*]` table that the range table ([`super::ranges`]) cannot
//! make: the tunnel's MTU against its overhead, the overheads, the named kinds' variants.

use super::check::Checker;
use super::error::ConfigError;
use super::interconnect::validate_interconnect;
use super::path_kinds::{PathKind, PathsConfig};

/// Checks every `[paths.*]` table: the Liqo MTU leaves room after its overhead, the
/// overheads are at most 200 bytes, the named kinds' variants are known.
pub fn validate_paths(c: &Checker, p: &PathsConfig) -> Result<(), ConfigError> {
    let l = &p.liqo;
    check_mtu(
        c,
        "paths.liqo.mtu_bytes",
        l.mtu_bytes,
        l.wireguard_overhead_bytes,
    )?;
    if l.wireguard_overhead_bytes > 200 || l.geneve_overhead_bytes > 200 {
        return Err(c.src.error(
            "paths.liqo.wireguard_overhead_bytes",
            "expected encapsulation overheads of at most 200 bytes",
        ));
    }
    for kind in PathKind::ALL {
        if let Some((table, cfg)) = p.interconnect(kind) {
            validate_interconnect(c, table, kind, cfg)?;
        }
    }
    Ok(())
}

/// An MTU (576 to 9000 bytes, by the range table) must leave room for IP/transport headers
/// (52 bytes) and a minimal payload after `overhead`.
fn check_mtu(c: &Checker, field: &str, mtu: u32, overhead: u32) -> Result<(), ConfigError> {
    if (576..=9000).contains(&mtu) && mtu > overhead + 52 + 64 {
        Ok(())
    } else {
        Err(c.src.error(
            field,
            format!("expected an MTU between 576 and 9000 bytes, found {mtu}"),
        ))
    }
}
