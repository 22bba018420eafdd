//! The hold-out: plans that met the SLO in the search, re-simulated on fresh runs, and
//! which of them held.

use super::evaluation::{rank, Proposal, HOLDOUT};
use super::tried::Tried;
use std::collections::HashSet;

/// Plans re-simulated at once on fresh runs.
const HOLDOUT_BATCH: usize = 4;
/// Most batches of hold-out checks per round.
const HOLDOUT_BATCHES: usize = 8;

/// What the hold-outs showed so far.
#[derive(Default)]
pub struct HoldOut {
    /// (plan, its re-simulation on fresh runs), in the order held out.
    pairs: Vec<(usize, usize)>,
    /// Plans that met the SLO in the search but missed it on fresh runs.
    failed: HashSet<usize>,
}

impl HoldOut {
    /// Whether plan `i` missed the SLO on fresh runs.
    pub fn failed(&self, i: usize) -> bool {
        self.failed.contains(&i)
    }

    /// The plans that met the SLO in the search but missed it on fresh runs, in no order.
    pub fn rejected(&self) -> impl Iterator<Item = usize> + '_ {
        self.failed.iter().copied()
    }

    /// How many plans missed it so far.
    pub fn failures(&self) -> usize {
        self.failed.len()
    }

    /// The cheapest plan that met the SLO in the search and on fresh runs, with its
    /// re-simulation.
    fn passed(&self, tried: &Tried) -> Option<(usize, usize)> {
        self.pairs
            .iter()
            .filter(|&&(_, h)| tried.get(h).meets)
            .min_by(|a, b| rank(tried.get(a.0), tried.get(b.0)))
            .copied()
    }

    /// The cheapest plan that met the SLO in the search and on fresh runs.
    pub fn held(&self, tried: &Tried) -> Option<usize> {
        self.passed(tried).map(|(i, _)| i)
    }

    /// The chosen plan and its hold-out: the cheapest plan that held; if none did, the
    /// first one held out.
    pub fn chosen(&self, tried: &Tried) -> Option<(usize, usize)> {
        self.passed(tried).or_else(|| self.pairs.first().copied())
    }

    /// Holds out `feasible` plans (those that met the SLO in the search) not held out yet
    /// and cheaper than the best that held, cheapest first, a batch at a time, until one
    /// holds or `HOLDOUT_BATCHES` batches are spent.
    pub fn round(&mut self, tried: &mut Tried, feasible: Vec<usize>) {
        let done: HashSet<usize> = self.pairs.iter().map(|h| h.0).collect();
        let mut order: Vec<usize> = feasible.into_iter().filter(|i| !done.contains(i)).collect();
        order.sort_by(|&a, &b| rank(tried.get(a), tried.get(b)));
        if let Some(best) = self.held(tried) {
            order.retain(|&i| rank(tried.get(i), tried.get(best)).is_lt());
        }
        for chunk in order.chunks(HOLDOUT_BATCH).take(HOLDOUT_BATCHES) {
            let batch = chunk
                .iter()
                .map(|&i| {
                    let e = tried.get(i);
                    let again = "the same plan on fresh runs";
                    Proposal::new(e.nodes.clone(), &e.strategy, HOLDOUT, Some(i as u32), again)
                })
                .collect();
            let ids = tried.evaluate(batch);
            let mut any = false;
            for (&i, &h) in chunk.iter().zip(&ids) {
                self.pairs.push((i, h));
                if tried.get(h).meets {
                    any = true;
                } else {
                    self.failed.insert(i);
                }
            }
            if any {
                break;
            }
        }
    }
}
