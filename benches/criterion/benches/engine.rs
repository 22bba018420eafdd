//! Hold-model throughput of the event queue: pop the earliest event and push one at
//! now + Exp(mean 1 ms), with 1e3, 1e5 and 1e6 events pending. The engine's radix queue
//! is measured side by side with a plain `std::collections::BinaryHeap`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use xrplace::engine::{EventQueue, RadixQueue, SimTime};

/// Hold operations per timed iteration.
const OPS: usize = 10_000;

/// Exponential delays (ns), drawn once so generator cost stays out of the timing.
fn delays(n: usize) -> Vec<u64> {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
    let exp = Exp::new(1.0 / 1e6).unwrap();
    (0..n).map(|_| exp.sample(&mut rng) as u64).collect()
}

fn hold_radix(
    c: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    pending: usize,
    d: &[u64],
) {
    let mut q: RadixQueue<u32> = RadixQueue::new();
    for (i, &x) in d.iter().take(pending).enumerate() {
        q.push(SimTime(x), i as u32);
    }
    let mut k = 0usize;
    c.bench_with_input(BenchmarkId::new("radix", pending), &pending, |b, _| {
        b.iter(|| {
            for _ in 0..OPS {
                let (t, e) = q.pop().unwrap();
                k = (k + 1) % d.len();
                q.push(SimTime(t.0 + d[k]), black_box(e));
            }
        })
    });
}

fn hold_binary(
    c: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    pending: usize,
    d: &[u64],
) {
    let mut q: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
    let mut seq = 0u64;
    for (i, &x) in d.iter().take(pending).enumerate() {
        q.push(Reverse((x, seq, i as u32)));
        seq += 1;
    }
    let mut k = 0usize;
    c.bench_with_input(
        BenchmarkId::new("std-binary-heap", pending),
        &pending,
        |b, _| {
            b.iter(|| {
                for _ in 0..OPS {
                    let Reverse((t, _, e)) = q.pop().unwrap();
                    k = (k + 1) % d.len();
                    q.push(Reverse((t + d[k], seq, black_box(e))));
                    seq += 1;
                }
            })
        },
    );
}

fn hold_model(c: &mut Criterion) {
    let d = delays(1_000_000 + 4096);
    let mut g = c.benchmark_group("hold");
    g.throughput(Throughput::Elements(OPS as u64));
    for pending in [1_000, 100_000, 1_000_000] {
        hold_radix(&mut g, pending, &d);
        hold_binary(&mut g, pending, &d);
    }
    g.finish();
}

criterion_group!(benches, hold_model);
criterion_main!(benches);
