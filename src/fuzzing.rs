//! Support for the fuzz targets in `tests/fuzz`: a scratch folder per target and process,
//! holding a valid topology (`t.toml`) and trace (`t.csv`) that fuzzed experiments may
//! reference, so that reference resolution and cross-file checks are fuzzed too.

use std::path::PathBuf;
use std::sync::OnceLock;

/// A topology fuzzed experiments can name as `topology = "t.toml"`.
const TOPOLOGY: &str = include_str!("../topologies/eu-continuum.toml");
/// A trace over that topology's sites.
const TRACE: &str =
    "time_s,access_site,application,duration_s\n10,berlin,cloud-vr,600\n20,paris,cloud-vr,900\n";

/// The scratch folder of fuzz target `name` in this process, created once.
pub fn scratch(name: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("xrplace-fuzz-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch folder");
        std::fs::write(d.join("t.toml"), TOPOLOGY).expect("scratch topology");
        std::fs::write(d.join("t.csv"), TRACE).expect("scratch trace");
        d
    })
    .clone()
}
