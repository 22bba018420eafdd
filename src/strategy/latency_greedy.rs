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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_cluster_with_room_first() {
        let mut f = super::super::fixture::Fixture::new();
        // The home edge is nearest but full: edge 1 (6 ms), the cloud (20 ms), then home.
        assert_eq!(f.ranked(&mut LatencyGreedy::default()), [1, 2, 0]);
        // With room at home, home first.
        f.clusters[0].free_cpu_cores = 4.0;
        assert_eq!(f.ranked(&mut LatencyGreedy::default()), [0, 1, 2]);
    }
}
