//! The frames on each relay of the cross-cluster paths ([`crate::model::relay`]): how many
//! sessions cross it and how busy their frames keep it, so a frame's wait there is the
//! N·D/D/1 wait at that load, as at a site's egress.

use super::changes::Changes;
use crate::model::egress::{periodic_wait, EgressWait};
use crate::model::relay::{RelayUse, NO_RELAY};

/// Load on every relay instance.
pub struct RelayLoad {
    /// Sessions whose frames cross each relay.
    streams: Vec<u32>,
    /// Share of time their frames keep it busy (all its copies together).
    busy: Vec<f64>,
    /// Sum over them of service squared per frame interval, ns: its ratio to the busy
    /// share is the rate-weighted `E[S^2] / E[S]`.
    sq_ns: Vec<f64>,
    changed: Changes,
}

impl RelayLoad {
    /// `n` idle relays.
    pub fn new(n: usize) -> Self {
        RelayLoad {
            streams: vec![0; n],
            busy: vec![0.0; n],
            sq_ns: vec![0.0; n],
            changed: Changes::new(n),
        }
    }

    /// Adds (`sign` = 1) or removes (-1) one session's frames, one per `interval_ns`, at
    /// the relays it `uses`.
    pub fn add(&mut self, uses: &[RelayUse], interval_ns: f64, sign: i32) {
        let s = sign as f64;
        for u in uses.iter().take_while(|u| u.relay != NO_RELAY) {
            let i = u.relay as usize;
            self.streams[i] = self.streams[i].saturating_add_signed(sign);
            if self.streams[i] == 0 {
                // Nothing left: no rounding residue either.
                self.busy[i] = 0.0;
                self.sq_ns[i] = 0.0;
            } else {
                let busy = u.service_ns / interval_ns;
                self.busy[i] = (self.busy[i] + s * busy).max(0.0);
                self.sq_ns[i] = (self.sq_ns[i] + s * busy * u.service_ns).max(0.0);
            }
            self.changed.mark(i);
        }
    }

    /// The wait at one of relay `r`'s `copies` (its traffic spread evenly over them), ms;
    /// `None` while it is busy all the time or more.
    pub fn wait_ms(&self, r: u32, copies: u32) -> Option<EgressWait> {
        let i = r as usize;
        let copies = copies.max(1);
        let busy = self.busy[i];
        let rho = busy / copies as f64;
        if rho >= 1.0 {
            return None;
        }
        if busy <= 0.0 {
            return Some(EgressWait::NONE);
        }
        let streams = self.streams[i].div_ceil(copies);
        Some(periodic_wait(streams, rho, self.sq_ns[i] / busy / 1e6))
    }

    /// Relays whose load changed since [`Self::clear_changes`].
    pub fn changed(&self) -> &Changes {
        &self.changed
    }

    /// Starts a new interval of change tracking.
    pub fn clear_changes(&mut self) {
        self.changed.clear();
    }
}
