//! The steppable episode of `xrplace::experiment::episode` (the Gymnasium environment's
//! core) on every shipped session experiment: decided with latency-greedy's own rankings it
//! replays a `latency-greedy` run of the same seed exactly, its charges add up to that run's
//! own SLO and cost figures, and the default reward ranks rejecting everything below it.

use std::path::Path;
use std::sync::Arc;
use xrplace::config::load_experiment_with;
use xrplace::experiment::episode::{Episode, EpisodeSetup};
use xrplace::experiment::reward::{Accounted, RewardWeights};
use xrplace::experiment::sessions::simulate;
use xrplace::metrics::sessions::SessionRecorder;
use xrplace::strategy::{Registry, StrategyContext};

/// Every shipped experiment with `[sessions]`, with the duration each runs for here:
/// half an hour, except the evening trace (whole day, 1,195 sessions) and the one-minute
/// frame experiment (its own).
const SHIPPED: &[(&str, Option<u32>)] = &[
    ("capacity-eu", Some(1800)),
    ("capacity-slice", Some(1800)),
    ("control-eu", Some(1800)),
    ("few-streams", None),
    ("fidelity-eu", Some(600)),
    ("geant", Some(1800)),
    ("scale-1k", Some(1800)),
    ("strategies-eu", Some(1800)),
    ("sweep-eu", Some(1800)),
    ("trace-eu-evening", None),
];

const SEED: u64 = 5;

fn setup(name: &str, duration_s: Option<u32>) -> Arc<EpisodeSetup> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("experiments/{name}.toml"));
    let sets: Vec<String> = duration_s
        .map(|d| format!("duration_s={d}"))
        .into_iter()
        .collect();
    let exp = load_experiment_with(&path, &sets).expect("shipped experiment loads");
    Arc::new(EpisodeSetup::new(exp, 0).expect("a session experiment"))
}

/// Runs an episode to its end, each decision ranked by `rank` (empty: reject); returns the
/// charges summed and the episode.
fn drive(
    setup: &Arc<EpisodeSetup>,
    mut rank: impl FnMut(&Episode) -> Vec<xrplace::model::ClusterId>,
) -> (Accounted, Episode) {
    let mut e = Episode::new(setup.clone(), SEED);
    let mut total = Accounted::default();
    while !e.is_done() {
        let ranked = rank(&e);
        let (_, charged) = e.decide(&ranked);
        total.add(&charged);
    }
    (total, e)
}

/// Latency-greedy's ranking of the pending session, from a strategy of its own.
fn greedy(setup: &Arc<EpisodeSetup>) -> (Accounted, Episode) {
    let mut s = Registry::builtin()
        .create(
            "latency-greedy",
            StrategyContext {
                rng: xrplace::engine::RngStreams::new(0, 0).stream("unused"),
            },
        )
        .expect("built in");
    drive(setup, move |e| {
        e.with_request(|req, view| {
            let mut ranked = Vec::new();
            s.place(req, view, &mut ranked);
            ranked
        })
        .expect("pending")
    })
}

/// A normal run of latency-greedy at the setup's sweep point, run 0 of seed `SEED`.
fn run_greedy(setup: &EpisodeSetup) -> SessionRecorder {
    let exp = setup.experiment();
    let mut point = setup.point().clone();
    point.strategy = "latency-greedy".into();
    let mut rec = SessionRecorder::default();
    simulate(
        exp,
        setup.platform(),
        &exp.topologies[point.topology],
        &point,
        (SEED, 0),
        &Registry::builtin(),
        &mut rec,
    );
    rec
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn greedy_episodes_replay_greedy_runs_and_their_charges_are_the_runs_figures() {
    for &(name, duration) in SHIPPED {
        let setup = setup(name, duration);
        let (charged, episode) = greedy(&setup);
        let run = run_greedy(&setup);
        let (a, r) = (episode.summary(), run.summary());
        assert!(a.arrivals > 0, "{name}: no session arrived");
        // The same decisions: the same run, figure for figure (Debug: NaN-safe).
        assert_eq!(format!("{a:?}"), format!("{r:?}"), "{name}");
        assert_eq!(
            episode.decisions(),
            r.arrivals,
            "{name}: one decision per arrival"
        );
        // Estimates plus the last step's correction = the run's own totals.
        assert!(
            close(charged.over_budget_s, run.over_budget_s()),
            "{name}: over budget {} s charged, {} s in the run",
            charged.over_budget_s,
            run.over_budget_s()
        );
        assert!(
            close(charged.usd, r.usage_cost_usd),
            "{name}: {} USD charged, {} in the run",
            charged.usd,
            r.usage_cost_usd
        );
        assert_eq!(charged.rejected, r.rejected, "{name}");
    }
}

#[test]
fn the_default_reward_ranks_rejecting_everything_below_latency_greedy() {
    let w = RewardWeights::default();
    for &(name, duration) in SHIPPED {
        let setup = setup(name, duration);
        let (greedy, _) = greedy(&setup);
        let (reject, e) = drive(&setup, |_| Vec::new());
        let s = e.summary();
        // Nothing ran: nothing over budget, nothing paid, every arrival rejected.
        assert_eq!((s.admitted, s.rejected), (0, s.arrivals), "{name}");
        assert_eq!(reject.usd, 0.0, "{name}");
        assert!(reject.rejected_s > 0.0, "{name}");
        assert!(
            w.reward(&reject) < w.reward(&greedy),
            "{name}: reject-all {} vs latency-greedy {}",
            w.reward(&reject),
            w.reward(&greedy)
        );
    }
}

#[test]
fn an_episode_is_the_same_whenever_it_is_started_from_one_setup() {
    let setup = setup("strategies-eu", Some(1800));
    let (a, ea) = greedy(&setup);
    let (b, eb) = greedy(&setup);
    assert_eq!(a, b);
    assert_eq!(format!("{:?}", ea.summary()), format!("{:?}", eb.summary()));
    // Another seed, another episode.
    let other = Episode::new(setup.clone(), SEED + 1);
    assert_ne!(other.pending(), Episode::new(setup.clone(), SEED).pending());
}

#[test]
fn a_sweep_point_past_the_sweep_is_an_error_naming_the_range() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/sweep-eu.toml");
    let exp = load_experiment_with(&path, &[]).unwrap();
    // sweep-eu: 1 topology x 3 loads x 4 fault models = 12 points.
    assert_eq!(EpisodeSetup::points(&exp).unwrap(), 12);
    let err = EpisodeSetup::new(exp, 12).err().expect("out of range");
    assert!(err.to_string().contains("expected 0..12"), "{err}");
}
