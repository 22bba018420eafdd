//! Cluster API provisioning: the study's figures from the shipped experiment, the effect of
//! controller concurrency, timeouts, and invariants over random jobs.

use crate::common;

use common::{fresh_dir, xrplace_ok};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;
use xrplace::config::load_experiment;
use xrplace::config::provisioning::CapiConfig;
use xrplace::config::topology::{Distribution, Provider};
use xrplace::engine::{RadixQueue, RngStreams, SimDuration, SimTime};
use xrplace::experiment::{run_provisioning, RunOptions};
use xrplace::model::provisioning::{CapiModel, ClusterSpec};
use xrplace::report::provisioning::total_s;
use xrplace::world::provisioning::{Action, Outcome, ProvisioningReport, ProvisioningWorld};

fn shipped(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Mean of `total_s_mean` per (distribution, nodes) from summary.csv.
fn summary_totals(csv_text: &str) -> Vec<(String, u32, f64)> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[0].to_string(),
                rec[1].parse().unwrap(),
                rec[4].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn paper_capi_reproduces_the_study_shape() {
    let dir = fresh_dir("capi");
    xrplace_ok(&[
        "run",
        "experiments/paper-capi.toml",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    for col in [
        "distribution",
        "nodes",
        "total_s_mean",
        "total_s_std",
        "control_plane_s_mean",
    ] {
        assert!(
            header.split(',').any(|h| h == col),
            "summary.csv lacks {col}"
        );
    }
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert_eq!(
        runs.lines().count(),
        1 + 2 * 7 * 10,
        "one row per repetition"
    );
    let trace = std::fs::read_to_string(dir.join("trace.csv")).unwrap();
    assert!(trace.contains(",control-plane-initialized,") && trace.contains(",cluster-ready,"));

    let rows = summary_totals(&summary);
    assert_eq!(rows.len(), 14);
    for (d, n, t) in &rows {
        assert!((100.0..=320.0).contains(t), "{d} {n} nodes: {t} s");
    }
    for dist in ["kubeadm", "k3s"] {
        let series: Vec<&(String, u32, f64)> = rows.iter().filter(|r| r.0 == dist).collect();
        assert!(
            series.windows(2).all(|w| w[1].2 >= w[0].2),
            "{dist}: non-decreasing {series:?}"
        );
        let (one, big) = (series[0], series[series.len() - 1]);
        assert_eq!((one.1, big.1), (1, 25));
        assert!(
            big.2 < 2.5 * one.2,
            "{dist}: 25 nodes {} s vs 1 node {} s",
            big.2,
            one.2
        );
    }
    for (d, n, t) in rows.iter().filter(|r| r.0 == "k3s") {
        let kubeadm = rows
            .iter()
            .find(|r| r.0 == "kubeadm" && r.1 == *n)
            .unwrap()
            .2;
        assert!(
            *t < kubeadm,
            "{d} {n}: k3s {t} s not below kubeadm {kubeadm} s"
        );
    }
}

/// Mean total seconds per cluster size of the shipped experiment with `concurrency`.
fn totals_with_concurrency(concurrency: u32) -> Vec<(u32, f64)> {
    let mut e = load_experiment(&shipped("experiments/paper-capi.toml")).unwrap();
    let p = e.config.provisioning.as_mut().unwrap();
    p.capi.controller_concurrency = concurrency;
    p.distributions = vec![Distribution::Kubeadm];
    let sizes = p.nodes.clone();
    let res = run_provisioning(&e, RunOptions::default()).unwrap();
    sizes
        .iter()
        .map(|&n| {
            let t: Vec<f64> = res
                .rows
                .iter()
                .filter(|r| r.nodes == n)
                .filter_map(total_s)
                .collect();
            (n, t.iter().sum::<f64>() / t.len() as f64)
        })
        .collect()
}

#[test]
fn more_controller_concurrency_shortens_big_clusters_only() {
    let (ten, thirty) = (totals_with_concurrency(10), totals_with_concurrency(30));
    // 1 node: only the control-plane machine, created alone either way.
    assert_eq!(ten[0], thirty[0]);
    // 25 nodes: 24 workers in 3 waves (10 + 10 + 4) against 1 wave.
    let (a, b) = (ten.last().unwrap().1, thirty.last().unwrap().1);
    assert!(b < a - 5.0, "25 nodes: {a} s at 10, {b} s at 30");
    // 10 nodes: 9 workers fit in one wave of 10 already.
    assert!((ten[3].1 - thirty[3].1).abs() < 1e-9);
}

fn job(
    spec: ClusterSpec,
    capi: &CapiConfig,
    actions: Vec<(SimTime, Action)>,
    seed: u64,
) -> ProvisioningReport {
    let model = CapiModel::new(capi, spec.provider, spec.distribution);
    ProvisioningWorld::new(
        spec,
        model,
        actions,
        SimDuration::from_secs_f64(20_000.0),
        RngStreams::new(seed, 0),
        RadixQueue::new(),
    )
    .run()
}

fn spec(workers: u32, distribution: Distribution) -> ClusterSpec {
    ClusterSpec {
        distribution,
        provider: Provider::Openstack,
        control_plane_nodes: 1,
        workers,
        vcpu_per_node: 2.0,
    }
}

#[test]
fn machines_that_never_start_time_out_and_retry_then_fail_with_reason() {
    let capi = CapiConfig {
        machine_failure_prob: 1.0,
        max_retries: 2,
        ..CapiConfig::default()
    };
    let r = job(spec(3, Distribution::Kubeadm), &capi, vec![], 1);
    match &r.outcome {
        Outcome::Failed(why) => assert!(
            why.contains("start timeout") && why.contains("3 attempts"),
            "{why}"
        ),
        other => panic!("expected failure, got {other:?}"),
    }
    assert_eq!(r.retries, 2);
    // Three attempts of 300 s each after ~17 s of reconcile and infrastructure.
    let failed_at = r
        .trace
        .iter()
        .find(|e| e.what == "cluster-failed")
        .unwrap()
        .at
        .0 as f64
        / 1e9;
    assert!(
        (900.0..960.0).contains(&failed_at),
        "failed at {failed_at} s"
    );
}

#[test]
fn scale_down_frees_capacity_and_delete_ends_the_job() {
    let capi = CapiConfig::default();
    let s = |t: f64| SimTime::ZERO + SimDuration::from_secs_f64(t);
    let r = job(
        spec(4, Distribution::K3s),
        &capi,
        vec![(s(1000.0), Action::Scale(1)), (s(2000.0), Action::Delete)],
        3,
    );
    let at = |t: f64| r.trace.iter().rev().find(|e| e.at <= s(t)).unwrap();
    assert_eq!(at(999.0).ready_nodes, 5);
    assert_eq!(at(1500.0).ready_nodes, 2);
    assert_eq!(at(1500.0).ready_cpu_cores, 4.0);
    assert_eq!(r.outcome, Outcome::Deleted(s(2000.0)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Over random sizes, failure rates, concurrency and scale/delete scripts: no node is
    /// Ready before the control plane is initialised; capacity counts exactly the Ready
    /// machines; every job ends Ready, Failed with a reason, or Deleted.
    #[test]
    fn provisioning_invariants(
        workers in 0u32..30,
        k3s in any::<bool>(),
        concurrency in 1u32..15,
        fail in 0.0f64..0.4,
        join_fail in 0.0f64..0.3,
        retries in 0u32..3,
        scale in prop::option::of((0.0f64..1500.0, 0u32..30)),
        delete in prop::option::of(0.0f64..3000.0),
        seed in 0u64..1000,
    ) {
        let capi = CapiConfig {
            controller_concurrency: concurrency,
            machine_failure_prob: fail,
            join_failure_prob: join_fail,
            max_retries: retries,
            ..CapiConfig::default()
        };
        let t = |s: f64| SimTime::ZERO + SimDuration::from_secs_f64(s);
        let mut actions = Vec::new();
        if let Some((at, w)) = scale { actions.push((t(at), Action::Scale(w))); }
        if let Some(at) = delete { actions.push((t(at), Action::Delete)); }
        actions.sort_by_key(|a| a.0);
        let dist = if k3s { Distribution::K3s } else { Distribution::Kubeadm };
        let r = job(spec(workers, dist), &capi, actions, seed);

        let mut cp_up = false;
        let mut ready: BTreeSet<u32> = BTreeSet::new();
        for e in &r.trace {
            match e.what {
                "control-plane-initialized" => cp_up = true,
                "node-ready" => {
                    prop_assert!(cp_up, "node Ready at {:?} before the control plane", e.at);
                    ready.insert(e.machine.unwrap());
                }
                "machine-deleted" => { ready.remove(&e.machine.unwrap()); }
                "cluster-deleted" => ready.clear(),
                _ => {}
            }
            prop_assert_eq!(e.ready_nodes as usize, ready.len());
            prop_assert_eq!(e.ready_cpu_cores, ready.len() as f64 * 2.0);
        }
        match &r.outcome {
            Outcome::Ready(_) => prop_assert!(r.trace.iter().any(|e| e.what == "cluster-ready")),
            Outcome::Failed(why) => prop_assert!(!why.is_empty()),
            Outcome::Deleted(_) => prop_assert!(r.trace.iter().any(|e| e.what == "cluster-deleted")),
        }
        if fail == 0.0 && join_fail == 0.0 && delete.is_none() {
            prop_assert!(matches!(r.outcome, Outcome::Ready(_)), "{:?}", r.outcome);
        }
    }
}

#[test]
fn docker_clusters_come_up_faster_than_openstack_ones() {
    let capi = CapiConfig::default();
    let time = |provider| {
        let s = ClusterSpec {
            provider,
            ..spec(5, Distribution::K3s)
        };
        match job(s, &capi, vec![], 11).outcome {
            Outcome::Ready(t) => t.0 as f64 / 1e9,
            other => panic!("{other:?}"),
        }
    };
    let (docker, openstack) = (time(Provider::Docker), time(Provider::Openstack));
    // Same bootstrap; machine creation 2 s vs 12 s and boot 3 s vs 25 s, twice (control
    // plane, then workers): about 64 s apart.
    assert!(
        openstack - docker > 50.0,
        "docker {docker} s, openstack {openstack} s"
    );
}
