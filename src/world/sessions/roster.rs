//! The sessions of a run: one slot per session that has not ended, recycled once it ends,
//! so memory follows the concurrent sessions and not every session that ever existed.
//!
//! A slot carries a generation that changes on every reuse; events name (slot,
//! generation), so an event left over from an ended session never touches the session that
//! took its slot.

use crate::engine::SimTime;

/// Whether a session still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Placed (or being placed) and holding resources.
    Active,
    /// Ended; the slot is free.
    Done,
}

/// One session.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// Application index.
    pub app: u32,
    /// The first user's access site.
    pub site: u32,
    /// Where it runs (`u32::MAX` before placement).
    pub cluster: u32,
    /// Index of `cluster` in the site's candidate list.
    pub cand: u32,
    /// Number of other users (their sites are [`Roster::others`]).
    pub others_len: u32,
    /// How much worse the slowest other user fares than the first where it runs, ms.
    pub penalty_ms: f64,
    /// Arrival number, unique over the run: the id strategies see, and the tie-break of
    /// orders that must not depend on slot reuse.
    pub seq: u64,
    /// When it was last placed.
    pub since: SimTime,
    /// Position in [`Roster::active`].
    pub active_pos: u32,
    /// Changes on every reuse of the slot.
    pub gen: u32,
    /// Running or ended.
    pub state: State,
}

/// A session started (`joined`) or stopped running on a candidate: what latency
/// accounting needs to know of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Membership {
    /// The session's slot.
    pub slot: u32,
    /// First user's access site.
    pub site: u32,
    /// Candidate index at that site.
    pub cand: u32,
    /// Application index.
    pub app: u32,
    /// Other-user penalty, ms.
    pub penalty_ms: f64,
    /// Started (true) or stopped.
    pub joined: bool,
}

/// Sessions by slot, the running ones, and where their other users are.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    sessions: Vec<Session>,
    /// Starts and stops since [`Self::take_changes`], if kept.
    changes: Vec<Membership>,
    keep_changes: bool,
    free: Vec<u32>,
    active: Vec<u32>,
    /// Other users' sites: `stride` entries per slot.
    user_sites: Vec<u32>,
    stride: usize,
    next_seq: u64,
}

impl Roster {
    /// An empty roster for sessions of at most `max_users` users.
    /// With `keep_changes`, starts and stops are logged for [`Self::take_changes`].
    pub fn new(max_users: u32, keep_changes: bool) -> Self {
        Roster {
            stride: max_users.saturating_sub(1) as usize,
            keep_changes,
            ..Roster::default()
        }
    }

    /// Starts and stops since the last call, in order; the log is emptied into `out`.
    pub fn take_changes(&mut self, out: &mut Vec<Membership>) {
        out.clear();
        std::mem::swap(out, &mut self.changes);
    }

    fn log(&mut self, slot: u32, joined: bool) {
        if self.keep_changes {
            let s = &self.sessions[slot as usize];
            self.changes.push(Membership {
                slot,
                site: s.site,
                cand: s.cand,
                app: s.app,
                penalty_ms: s.penalty_ms,
                joined,
            });
        }
    }

    /// A new session of `app` whose first user is at `site`, arriving at `now`; returns
    /// its slot.
    pub fn add(&mut self, app: u32, site: u32, now: SimTime) -> u32 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let fresh = Session {
            app,
            site,
            cluster: u32::MAX,
            cand: 0,
            others_len: 0,
            penalty_ms: 0.0,
            seq,
            since: now,
            active_pos: 0,
            gen: 0,
            state: State::Active,
        };
        match self.free.pop() {
            Some(slot) => {
                let s = &mut self.sessions[slot as usize];
                let gen = s.gen.wrapping_add(1);
                *s = Session { gen, ..fresh };
                slot
            }
            None => {
                self.sessions.push(fresh);
                self.user_sites
                    .resize(self.sessions.len() * self.stride, u32::MAX);
                self.sessions.len() as u32 - 1
            }
        }
    }

    /// The session in `slot`.
    #[inline]
    pub fn get(&self, slot: u32) -> &Session {
        &self.sessions[slot as usize]
    }

    /// The session in `slot`, to change.
    #[inline]
    pub fn get_mut(&mut self, slot: u32) -> &mut Session {
        &mut self.sessions[slot as usize]
    }

    /// Whether `slot` still holds the running session of generation `gen`.
    #[inline]
    pub fn live(&self, slot: u32, gen: u32) -> bool {
        let s = &self.sessions[slot as usize];
        s.gen == gen && s.state == State::Active
    }

    /// As [`Self::live`], for events that carry the generation's low 16 bits.
    #[inline]
    pub fn live16(&self, slot: u32, gen: u16) -> bool {
        let s = &self.sessions[slot as usize];
        s.gen as u16 == gen && s.state == State::Active
    }

    /// Records the other users' sites of the session in `slot`.
    pub fn set_others(&mut self, slot: u32, sites: impl Iterator<Item = u32>) {
        let start = slot as usize * self.stride;
        let mut n = 0;
        for (dst, site) in self.user_sites[start..start + self.stride]
            .iter_mut()
            .zip(sites)
        {
            *dst = site;
            n += 1;
        }
        self.sessions[slot as usize].others_len = n;
    }

    /// Where the other users of the session in `slot` are.
    #[inline]
    pub fn others(&self, slot: u32) -> &[u32] {
        let start = slot as usize * self.stride;
        &self.user_sites[start..start + self.sessions[slot as usize].others_len as usize]
    }

    /// Start of the slot's other users in [`Self::user_sites`].
    pub fn others_start(&self, slot: u32) -> u32 {
        (slot as usize * self.stride) as u32
    }

    /// Other users' sites of every slot (see [`Self::others_start`]).
    pub fn user_sites(&self) -> &[u32] {
        &self.user_sites
    }

    /// Running sessions' slots, in no meaningful order.
    #[inline]
    pub fn active(&self) -> &[u32] {
        &self.active
    }

    /// The session in `slot` now runs on `cluster` (candidate `cand`), its other users
    /// `penalty_ms` worse off.
    pub fn activate(&mut self, slot: u32, cluster: u32, cand: u32, penalty_ms: f64) {
        let pos = self.active.len() as u32;
        let s = &mut self.sessions[slot as usize];
        s.cluster = cluster;
        s.cand = cand;
        s.penalty_ms = penalty_ms;
        s.active_pos = pos;
        self.active.push(slot);
        self.log(slot, true);
    }

    /// The session in `slot` no longer runs anywhere (it is being moved or ends).
    pub fn deactivate(&mut self, slot: u32) {
        self.log(slot, false);
        let pos = self.sessions[slot as usize].active_pos;
        self.active.swap_remove(pos as usize);
        if let Some(&moved) = self.active.get(pos as usize) {
            self.sessions[moved as usize].active_pos = pos;
        }
    }

    /// The session in `slot` ended; its slot may be reused.
    pub fn finish(&mut self, slot: u32) {
        self.sessions[slot as usize].state = State::Done;
        self.free.push(slot);
    }

    /// Slots ever allocated (the run's peak of concurrent sessions, plus sessions being
    /// placed).
    pub fn slots(&self) -> usize {
        self.sessions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_with_a_new_generation_and_stale_events_are_not_live() {
        let mut r = Roster::new(3, false);
        let a = r.add(0, 1, SimTime::ZERO);
        r.set_others(a, [4, 5].into_iter());
        r.activate(a, 7, 0, 0.0);
        let gen = r.get(a).gen;
        r.deactivate(a);
        r.finish(a);
        let b = r.add(1, 2, SimTime::ZERO);
        assert_eq!(a, b, "the ended session's slot is reused");
        assert!(!r.live(a, gen), "an event of the ended session is stale");
        assert!(r.live(b, r.get(b).gen));
        assert!(
            r.others(b).is_empty(),
            "a reused slot starts without other users"
        );
        assert_eq!(r.get(b).seq, 1, "ids strategies see are never reused");
        assert_eq!(r.slots(), 1);
    }

    #[test]
    fn deactivating_keeps_positions_of_the_others_right() {
        let mut r = Roster::new(1, true);
        let ids: Vec<u32> = (0..4).map(|i| r.add(0, i, SimTime::ZERO)).collect();
        for &i in &ids {
            r.activate(i, 0, 0, 0.0);
        }
        r.deactivate(ids[1]);
        for &i in r.active() {
            assert_eq!(r.active()[r.get(i).active_pos as usize], i);
        }
        assert_eq!(r.active().len(), 3);
        let mut log = Vec::new();
        r.take_changes(&mut log);
        assert_eq!(log.iter().filter(|m| m.joined).count(), 4);
        assert_eq!(log.last().map(|m| (m.site, m.joined)), Some((1, false)));
    }
}
