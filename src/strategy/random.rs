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
