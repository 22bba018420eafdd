//! Experiment kinds are a closed enum told once, by the loader, from the file's sections;
//! everything after matches `Experiment` whole. A kind cannot be defined in a test file
//! (the file format is one serde struct with a section per kind, and the matches are
//! exhaustive so that the compiler names every place a new kind must be handled); this
//! test instead keeps one shipped experiment of every kind, by an exhaustive match: a new
//! kind does not compile here until it has one.

use std::path::Path;
use xrplace::config::experiment::{Experiment, ExperimentKind};
use xrplace::config::load_experiment;
use xrplace::experiment::budget;
use xrplace::experiment::meta::input_files;

/// The shipped experiment that shows `kind`.
fn shipped(kind: ExperimentKind) -> &'static str {
    match kind {
        ExperimentKind::Streaming => "experiments/paper-streaming.toml",
        ExperimentKind::Provisioning => "experiments/paper-capi.toml",
        ExperimentKind::Sessions => "experiments/strategies-eu.toml",
        ExperimentKind::CapacityPlan => "experiments/capacity-slice.toml",
        ExperimentKind::Comparison => "experiments/interconnects.toml",
    }
}

const KINDS: [ExperimentKind; 5] = [
    ExperimentKind::Streaming,
    ExperimentKind::Provisioning,
    ExperimentKind::Sessions,
    ExperimentKind::CapacityPlan,
    ExperimentKind::Comparison,
];

#[test]
fn every_kind_loads_from_its_sections_and_is_estimated_and_recorded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for kind in KINDS {
        let exp = load_experiment(&root.join(shipped(kind))).unwrap();
        assert_eq!(exp.kind(), kind, "{}", shipped(kind));
        let work = budget::estimate(&exp, budget::plan_candidates(&exp), 1);
        assert!(work.jobs > 0, "{kind:?} has work");
        // Every kind but provisioning reads topologies, which meta.toml records.
        let inputs = input_files(&exp);
        match exp.experiment() {
            Experiment::Provisioning(p) => {
                assert_eq!(inputs.len(), 1);
                assert!(work.nodes > 0.0 && !p.nodes.is_empty());
            }
            Experiment::Streaming(s) => {
                assert_eq!(s.topologies.len(), s.scenarios.len());
                assert!(work.frame_events > 0.0);
            }
            Experiment::Sessions(s) => {
                assert!(!s.topologies.is_empty() && inputs.len() > 1);
                assert_eq!(budget::plan_candidates(&exp), 0);
            }
            Experiment::CapacityPlan(p) => {
                assert!(!p.sessions.topologies.is_empty());
                // `plan` simulates every candidate twice (search and hold-out).
                let candidates = budget::plan_candidates(&exp);
                assert_eq!(work.jobs, 2 * candidates * exp.config.runs as u64);
            }
            Experiment::Comparison(c) => {
                assert_eq!(c.streaming.kind(), ExperimentKind::Streaming);
                assert_eq!(c.sessions.kind(), ExperimentKind::Sessions);
                assert!(exp.topologies.is_empty() && inputs.len() > 2);
            }
        }
    }
}

#[test]
fn sections_of_two_kinds_are_refused_by_the_loader_of_the_one_told() {
    let dir = std::env::temp_dir().join(format!("xrplace-kinds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("both.toml");
    let text = "name = \"both\"\nduration_s = 10\nruns = 1\nseed = 1\n\
                [provisioning]\nprovider = \"openstack\"\ndistributions = [\"kubeadm\"]\nnodes = [1]\n\
                vcpu_per_node = 2\nmemory_gib_per_node = 4\n\
                [[scenarios]]\nname = \"s\"\ntopology = \"t.toml\"\nplacement = {}\n";
    std::fs::write(&file, text).unwrap();
    let e = load_experiment(&file).unwrap_err();
    assert_eq!(e.field, "provisioning");
    assert_eq!(
        e.message,
        "expected either [provisioning] or [application] with [[scenarios]], not both"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
