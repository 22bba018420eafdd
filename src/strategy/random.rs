//! `random`: a uniformly random candidate (then the others in random order).

use super::{ObservedView, PlacementRequest, Strategy};
use crate::engine::StreamRng;
use crate::model::ClusterId;
use rand::seq::SliceRandom;

/// Ranks candidates in a random order drawn from its own stream.
pub struct Random {
    /// The strategy's stream.
    pub rng: StreamRng,
}

impl Strategy for Random {
    fn place(&mut self, req: &PlacementRequest, _view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        ranked.extend(req.candidates.iter().map(|c| c.cluster));
        ranked.shuffle(&mut self.rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::RngStreams;

    #[test]
    fn every_candidate_once_in_an_order_its_stream_decides() {
        let f = super::super::fixture::Fixture::new();
        let draw = |run| {
            let mut r = Random {
                rng: RngStreams::new(7, run).stream("strategy"),
            };
            (0..8).map(|_| f.ranked(&mut r)).collect::<Vec<_>>()
        };
        let orders = draw(0);
        for o in &orders {
            let mut sorted = o.clone();
            sorted.sort();
            assert_eq!(sorted, [0, 1, 2]);
        }
        assert!(
            orders.iter().any(|o| o != &orders[0]),
            "one order every time"
        );
        assert_eq!(draw(0), orders, "the same stream, the same orders");
    }
}
