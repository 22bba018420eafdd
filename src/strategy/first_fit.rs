//! `first-fit`: the candidate with the lowest cluster id that the view says has room.

use super::{fitting_first, ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;

/// Bin packing in cluster-id order.
pub struct FirstFit;

impl Strategy for FirstFit {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        let start = ranked.len();
        fitting_first(req, view, req.candidates.iter(), ranked);
        let n_fit = req.candidates.iter().filter(|c| req.fits(c, view)).count();
        ranked[start..start + n_fit].sort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_clusters_by_id_then_the_others() {
        assert_eq!(
            super::super::fixture::Fixture::new().ranked(&mut FirstFit),
            [1, 2, 0]
        );
    }
}
