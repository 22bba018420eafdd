//! `cloud-only`: every session goes to the nearest cloud cluster with room.

use super::{fitting_first, ObservedView, PlacementRequest, Strategy};
use crate::config::topology::Tier;
use crate::model::ClusterId;

/// Places on cloud-tier clusters only, nearest first.
pub struct CloudOnly;

impl Strategy for CloudOnly {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        let clouds = req
            .candidates
            .iter()
            .filter(|c| view.clusters[c.cluster.ix()].tier == Tier::Cloud);
        fitting_first(req, view, clouds, ranked);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cloud_regions_are_offered() {
        let mut f = super::super::fixture::Fixture::new();
        assert_eq!(f.ranked(&mut CloudOnly), [2]);
        // A full cloud region is still offered, last, rather than an edge.
        f.clusters[2].free_cpu_cores = 0.0;
        assert_eq!(f.ranked(&mut CloudOnly), [2]);
    }
}
