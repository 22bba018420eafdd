//! `latency-greedy`: the candidate with the lowest estimated latency that has room.

use super::{ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;

/// Nearest in latency (by the observed view), fitting clusters first.
#[derive(Default)]
pub struct LatencyGreedy {
    scored: Vec<(bool, f64, ClusterId)>,
}

impl Strategy for LatencyGreedy {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        self.scored.clear();
        self.scored.extend(
            req.candidates
                .iter()
                .map(|c| (!req.fits(c, view), req.estimate_ms(c, view), c.cluster)),
        );
        self.scored
            .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        ranked.extend(self.scored.iter().map(|s| s.2));
    }
}
