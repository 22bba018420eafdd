//! `round-robin`: each session starts one candidate further than the previous one.

use super::{ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;

/// Rotates through the candidate list.
#[derive(Default)]
pub struct RoundRobin {
    next: usize,
}

impl Strategy for RoundRobin {
    fn place(&mut self, req: &PlacementRequest, _view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        let n = req.candidates.len();
        if n == 0 {
            return;
        }
        let start = self.next % n;
        self.next = self.next.wrapping_add(1);
        ranked.extend((0..n).map(|i| req.candidates[(start + i) % n].cluster));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_session_starts_one_candidate_further() {
        let f = super::super::fixture::Fixture::new();
        let mut rr = RoundRobin::default();
        assert_eq!(f.ranked(&mut rr), [0, 1, 2]);
        assert_eq!(f.ranked(&mut rr), [1, 2, 0]);
        assert_eq!(f.ranked(&mut rr), [2, 0, 1]);
        assert_eq!(f.ranked(&mut rr), [0, 1, 2]);
    }
}
