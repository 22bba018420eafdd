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
