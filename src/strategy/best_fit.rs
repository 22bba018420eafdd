//! `best-fit`: the candidate that the session would leave with the least free CPU.

use super::{ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;

/// Bin packing by tightest fit (observed free cores after placement, then id).
pub struct BestFit;

impl Strategy for BestFit {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        let start = ranked.len();
        ranked.extend(
            req.candidates
                .iter()
                .filter(|c| req.fits(c, view))
                .map(|c| c.cluster),
        );
        ranked[start..].sort_by(|a, b| {
            let fa = view.clusters[a.ix()].free_cpu_cores;
            let fb = view.clusters[b.ix()].free_cpu_cores;
            fa.total_cmp(&fb).then(a.cmp(b))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_fitting_cluster_first_and_no_cluster_without_room() {
        // Edge 1 has 3 free cores, the cloud 40; the home edge's single core cannot take
        // a two-core session.
        assert_eq!(
            super::super::fixture::Fixture::new().ranked(&mut BestFit),
            [1, 2]
        );
    }
}
