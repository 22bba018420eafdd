//! `first-fit`: the candidate with the lowest cluster id that the view says has room.

use super::{fitting_first, ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;

/// Bin packing in cluster-id order.
pub struct FirstFit;

impl Strategy for FirstFit {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        let start = ranked.len();
        fitting_first(req, view, req.candidates.iter(), ranked);
        let fit = ranked[start..].iter().take_while(|c| {
            let o = &view.clusters[c.ix()];
            o.up && o.free_cpu_cores >= req.app.cpu_cores && o.free_memory_mib >= req.app.memory_mib
        });
        let n_fit = fit.count();
        ranked[start..start + n_fit].sort();
    }
}
