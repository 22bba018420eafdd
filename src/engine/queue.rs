//! The pending-event set, behind one trait so the heap can be swapped.
//!
//! Events are ordered by (time, insertion sequence): ties run first-in first-out, so a run
//! is reproducible whatever the heap. [`RadixQueue`] is the engine's default: a monotone
//! radix heap whose cost per operation does not grow with the number of pending events,
//! so it stays fast past 1e5 pending events where a binary heap falls off a cache cliff.
//! [`BinaryQueue`] wraps `std::collections::BinaryHeap` as a reference.

use super::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A priority queue of events keyed by simulated time, first-in first-out on ties.
///
/// Discrete-event simulation is monotone: an event is never scheduled before the time of
/// the last event popped. Implementations may rely on that; pushing into the past is a
/// logic error (debug builds panic, release builds run the event at the current time).
pub trait EventQueue<E> {
    /// Schedules `event` at time `at`.
    fn push(&mut self, at: SimTime, event: E);
    /// Removes and returns the earliest event; among equal times, the one pushed first.
    fn pop(&mut self) -> Option<(SimTime, E)>;
    /// Number of pending events.
    fn len(&self) -> usize;
    /// True when no event is pending.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Sort key of the reference heap: time in the high 64 bits, sequence in the low 64.
fn key(at: SimTime, seq: u64) -> u128 {
    ((at.0 as u128) << 64) | seq as u128
}

fn time_of(key: u128) -> SimTime {
    SimTime((key >> 64) as u64)
}

/// Buckets for times later than the current one: one per highest differing bit.
const BUCKETS: usize = 64;

/// Monotone radix heap over nanosecond times (Ahuja, Mehlhorn, Orlin, Tarjan 1990).
///
/// Events at the current time (the last one popped) wait in a FIFO deque; a later event
/// goes to bucket `b` where bit `b` is the highest bit in which its time differs from the
/// current one. A bitmask tracks the non-empty buckets. When the deque runs dry, the lowest
/// non-empty bucket is split around its minimum: each event moves to a lower bucket at most
/// 64 times in its life, so push is O(1) and pop amortised O(1) in the number of pending
/// events, with no comparisons between pending events. Events of equal time that arrive in
/// the deque together are ordered by their insertion sequence, so ties are FIFO.
pub struct RadixQueue<E> {
    current: std::collections::VecDeque<(u64, E)>,
    buckets: Vec<Vec<(u64, u64, E)>>,
    occupied: u64,
    last: u64,
    seq: u64,
    len: usize,
}

impl<E> Default for RadixQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> RadixQueue<E> {
    /// An empty queue starting at time zero.
    pub fn new() -> Self {
        RadixQueue {
            current: std::collections::VecDeque::new(),
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            last: 0,
            seq: 0,
            len: 0,
        }
    }

    fn file(&mut self, time: u64, seq: u64, event: E) {
        let b = 63 - (time ^ self.last).leading_zeros() as usize;
        self.buckets[b].push((time, seq, event));
        self.occupied |= 1 << b;
    }

    /// Advances the current time to the earliest pending time and moves its events into
    /// the FIFO deque, in sequence order.
    fn refill(&mut self) {
        if self.occupied == 0 {
            return;
        }
        let b = self.occupied.trailing_zeros() as usize;
        self.occupied &= !(1 << b);
        let mut moving = std::mem::take(&mut self.buckets[b]);
        self.last = moving.iter().map(|e| e.0).min().unwrap_or(self.last);
        for (time, seq, event) in moving.drain(..) {
            if time == self.last {
                self.current.push_back((seq, event));
            } else {
                self.file(time, seq, event);
            }
        }
        if self.current.len() > 1 {
            self.current.make_contiguous().sort_unstable_by_key(|e| e.0);
        }
        // Hand the emptied allocation back so refills do not allocate in steady state.
        self.buckets[b] = moving;
    }
}

impl<E> EventQueue<E> for RadixQueue<E> {
    fn push(&mut self, at: SimTime, event: E) {
        debug_assert!(at.0 >= self.last, "event scheduled in the past");
        let seq = self.seq;
        self.seq += 1;
        self.len += 1;
        if at.0 <= self.last {
            self.current.push_back((seq, event));
        } else {
            self.file(at.0, seq, event);
        }
    }

    fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.current.is_empty() {
            self.refill();
        }
        let (_, event) = self.current.pop_front()?;
        self.len -= 1;
        Some((SimTime(self.last), event))
    }

    fn len(&self) -> usize {
        self.len
    }
}

/// `std::collections::BinaryHeap` ordered by (time, sequence); the reference queue.
pub struct BinaryQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    seq: u64,
}

/// A heap entry compared by key only, so the payload needs no ordering.
struct Entry<E>(u128, E);

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl<E> Default for BinaryQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> BinaryQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        BinaryQueue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<E> EventQueue<E> for BinaryQueue<E> {
    fn push(&mut self, at: SimTime, event: E) {
        self.heap.push(Reverse(Entry(key(at, self.seq), event)));
        self.seq += 1;
    }

    fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|Reverse(Entry(k, e))| (time_of(k), e))
    }

    fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn drain<Q: EventQueue<u32>>(q: &mut Q) -> Vec<(SimTime, u32)> {
        std::iter::from_fn(|| q.pop()).collect()
    }

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = RadixQueue::new();
        for id in 0..5 {
            q.push(SimTime(7), id);
        }
        let ids: Vec<u32> = drain(&mut q).into_iter().map(|(_, e)| e).collect();
        assert_eq!(ids, vec![0, 1, 2, 3, 4]);
    }

    proptest! {
        /// Any interleaving of monotone pushes and pops gives the same sequence from the
        /// radix queue as from the binary heap reference.
        #[test]
        fn radix_matches_binary_heap(ops in prop::collection::vec((0u64..1_000, 0u8..3), 1..400)) {
            let mut radix = RadixQueue::new();
            let mut binary = BinaryQueue::new();
            let mut now = SimTime::ZERO;
            let (mut from_radix, mut from_binary) = (Vec::new(), Vec::new());
            for (i, (delay, pops)) in ops.into_iter().enumerate() {
                radix.push(SimTime(now.0 + delay), i as u32);
                binary.push(SimTime(now.0 + delay), i as u32);
                for _ in 0..pops {
                    let (a, b) = (radix.pop(), binary.pop());
                    prop_assert_eq!(a, b);
                    if let Some((t, e)) = a {
                        now = t;
                        from_radix.push(e);
                        from_binary.push(e);
                    }
                }
            }
            prop_assert_eq!(radix.len(), binary.len());
            prop_assert_eq!(drain(&mut radix), drain(&mut binary));
        }
    }
}
