//! Any bytes as the SITES.toml of `import k8s`, read and then mapped onto the example
//! estate's Nodes (tests/fixtures/estate: three clusters, regions fra1, zrh1, mil1) as the
//! import maps them: a located error, or a topology and a plan of record, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use xrplace::config::estate_sites::EstateSites;
use xrplace::experiment::estate_import::{import_estate, read_dumps, resolve_dumps, DumpedCluster};

/// The example estate's Node lists, one per cluster.
const NODES: [(&str, &str, &str); 3] = [
    ("mgmt", "nodes.yaml", include_str!("../../fixtures/estate/mgmt/nodes.yaml")),
    ("edge-zurich", "nodes.json", include_str!("../../fixtures/estate/edge-zurich/nodes.json")),
    ("edge-milan", "nodes.yaml", include_str!("../../fixtures/estate/edge-milan/nodes.yaml")),
];

fuzz_target!(|data: &[u8]| {
    static ESTATE: OnceLock<Vec<DumpedCluster>> = OnceLock::new();
    let dir = xrplace::fuzzing::scratch("estate_sites");
    let dumps = ESTATE.get_or_init(|| {
        let root = dir.join("estate");
        for (cluster, file, text) in NODES {
            std::fs::create_dir_all(root.join(cluster)).unwrap();
            std::fs::write(root.join(cluster).join(file), text).unwrap();
        }
        let args = [root.to_string_lossy().into_owned()];
        read_dumps(&resolve_dumps(&args).expect("the estate folder")).expect("the example estate")
    });
    let path = dir.join("sites.toml");
    std::fs::write(&path, data).unwrap();
    let Ok(sites) = EstateSites::load(&path) else {
        return;
    };
    if let Ok(imported) = import_estate(dumps, &sites, "fuzz", Some("mgmt")) {
        assert_eq!(imported.topology.clusters.len(), imported.plan.clusters.len());
    }
});
