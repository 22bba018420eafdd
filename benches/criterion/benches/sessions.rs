//! Flow-fidelity throughput: sessions placed, sampled and released per second on a
//! generated 1,000-cluster topology (the scale-1k platform), latency-greedy strategy.
//! Each iteration simulates 2.4 hours at 11.6 sessions/s (about 100,000 sessions).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::Path;
use xrplace::config::load_experiment;
use xrplace::engine::{RadixQueue, RngStreams, SimDuration};
use xrplace::experiment::sessions::build_platform;
use xrplace::metrics::sessions::SessionRecorder;
use xrplace::strategy::{Registry, StrategyContext};
use xrplace::world::sessions::{Arrivals, SessionSettings, SessionWorld};

fn sessions(c: &mut Criterion) {
    // This package sits in benches/criterion/ of the repository.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let exp = load_experiment(&repo.join("experiments/scale-1k.toml")).unwrap();
    let s = exp.config.sessions.as_ref().unwrap();
    let platform = build_platform(s, &exp.topologies[0], s.capacity);
    let settings = SessionSettings {
        duration: SimDuration::from_secs_f64(8640.0),
        scrape: SimDuration::from_secs_f64(s.scrape_interval_s),
        lag: SimDuration::from_secs_f64(s.aggregation_lag_s),
        faults: Vec::new(),
        migration_downtime_s: s.migration_downtime_s,
        control: Default::default(),
        frames: false,
    };
    let arrivals = Arrivals::Generated {
        rate_per_s: s.load.rate_per_s,
        amplitude: 0.0,
    };
    let registry = Registry::builtin();
    let mut g = c.benchmark_group("flow");
    g.sample_size(10);
    g.throughput(Throughput::Elements((s.load.rate_per_s * 8640.0) as u64));
    g.bench_function("scale-1k-2.4h-latency-greedy", |b| {
        b.iter(|| {
            let streams = RngStreams::new(1, 0);
            let mut strategy = registry
                .create(
                    "latency-greedy",
                    StrategyContext {
                        rng: streams.stream("strategy"),
                    },
                )
                .unwrap();
            let mut rec = SessionRecorder::default();
            let world =
                SessionWorld::new(&platform, &settings, &arrivals, streams, RadixQueue::new());
            world.run(strategy.as_mut(), &mut rec)
        })
    });
    g.finish();
}

criterion_group!(benches, sessions);
criterion_main!(benches);
