//! A calendar queue for event sets that are dense in the near future, such as every frame
//! of a few hundred sessions: a ring of buckets of fixed width over a horizon, the bucket
//! being drained kept sorted, and a binary heap for events beyond the horizon. Push and pop
//! cost a few dozen instructions whatever the number of pending events, where a heap pays
//! a comparison per level.
//!
//! Events are ordered by (time, insertion sequence) exactly as in the other queues, so a run
//! gives the same results on any of them.

use super::queue::EventQueue;
use super::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An event beyond the horizon.
struct Far<E>(u64, u64, E);

impl<E> PartialEq for Far<E> {
    fn eq(&self, o: &Self) -> bool {
        (self.0, self.1) == (o.0, o.1)
    }
}
impl<E> Eq for Far<E> {}
impl<E> PartialOrd for Far<E> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Far<E> {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.0, self.1).cmp(&(o.0, o.1))
    }
}

/// The calendar queue. Bucket width and count are powers of two.
pub struct CalendarQueue<E> {
    shift: u32,
    mask: u64,
    /// Ring of buckets; slot `b & mask` holds absolute bucket `b` for `cur < b < cur + n`.
    ring: Vec<Vec<(u64, u64, E)>>,
    in_ring: usize,
    /// Absolute index of the bucket being drained.
    cur: u64,
    /// The bucket being drained, sorted by (time, sequence) descending (popped from the
    /// back).
    current: Vec<(u64, u64, E)>,
    far: BinaryHeap<Reverse<Far<E>>>,
    seq: u64,
    len: usize,
    now: u64,
}

impl<E> CalendarQueue<E> {
    /// A queue whose buckets are `2^width_log2` ns wide, `2^buckets_log2` of them.
    pub fn new(width_log2: u32, buckets_log2: u32) -> Self {
        let n = 1usize << buckets_log2;
        CalendarQueue {
            shift: width_log2,
            mask: n as u64 - 1,
            ring: (0..n).map(|_| Vec::new()).collect(),
            in_ring: 0,
            cur: 0,
            current: Vec::new(),
            far: BinaryHeap::new(),
            seq: 0,
            len: 0,
            now: 0,
        }
    }

    /// Buckets of 524 µs over a 134 ms horizon: suits frame-by-frame session runs (frames
    /// every 11-33 ms, a few per bucket; measured with callgrind on fidelity-eu against
    /// widths from 33 µs to 2 ms).
    pub fn for_frames() -> Self {
        Self::new(19, 8)
    }

    fn horizon(&self) -> u64 {
        self.cur + self.mask + 1
    }

    /// Puts an event of the bucket being drained at its place (after every earlier key).
    #[inline(never)]
    fn insert_current(&mut self, time: u64, seq: u64, event: E) {
        let key = (time, seq);
        let pos = self.current.partition_point(|x| (x.0, x.1) > key);
        self.current.insert(pos, (time, seq, event));
    }

    /// Moves to the next non-empty bucket; false if the queue is empty. Kept out of line
    /// so `pop` inlines into the event loop.
    #[inline(never)]
    fn advance(&mut self) -> bool {
        loop {
            if self.in_ring == 0 {
                match self.far.peek() {
                    None => return false,
                    Some(Reverse(f)) => self.cur = (f.0 >> self.shift).max(self.cur + 1),
                }
            } else {
                self.cur += 1;
            }
            let horizon = self.horizon();
            while self
                .far
                .peek()
                .is_some_and(|Reverse(f)| (f.0 >> self.shift) < horizon)
            {
                let Some(Reverse(Far(time, seq, event))) = self.far.pop() else {
                    break;
                };
                let b = time >> self.shift;
                if b == self.cur {
                    self.current.push((time, seq, event));
                } else {
                    self.ring[(b & self.mask) as usize].push((time, seq, event));
                    self.in_ring += 1;
                }
            }
            let slot = (self.cur & self.mask) as usize;
            self.in_ring -= self.ring[slot].len();
            self.current.append(&mut self.ring[slot]);
            if !self.current.is_empty() {
                self.current.sort_unstable_by_key(|e| Reverse((e.0, e.1)));
                return true;
            }
        }
    }
}

impl<E> EventQueue<E> for CalendarQueue<E> {
    #[inline]
    fn push(&mut self, at: SimTime, event: E) {
        debug_assert!(at.0 >= self.now, "event scheduled in the past");
        let seq = self.seq;
        self.seq += 1;
        self.len += 1;
        let b = at.0 >> self.shift;
        if b <= self.cur {
            self.insert_current(at.0, seq, event);
        } else if b < self.horizon() {
            self.ring[(b & self.mask) as usize].push((at.0, seq, event));
            self.in_ring += 1;
        } else {
            self.far.push(Reverse(Far(at.0, seq, event)));
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.current.is_empty() && !self.advance() {
            return None;
        }
        let (time, _, event) = self.current.pop()?;
        self.len -= 1;
        self.now = time;
        Some((SimTime(time), event))
    }

    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::queue::BinaryQueue;
    use proptest::prelude::*;

    proptest! {
        /// Any interleaving of pushes (never into the past) and pops gives the same
        /// sequence as the binary heap, ties first-in first-out.
        #[test]
        fn pops_in_the_same_order_as_a_binary_heap(
            ops in prop::collection::vec((0u8..4, 0u64..5_000_000, 0u8..3), 1..600),
        ) {
            let mut cal = CalendarQueue::new(10, 4);
            let mut bin = BinaryQueue::new();
            let mut now = 0u64;
            let mut id = 0u32;
            for (op, delta, scale) in ops {
                if op == 0 {
                    let a = cal.pop();
                    let b = bin.pop();
                    prop_assert_eq!(a, b);
                    if let Some((t, _)) = a {
                        now = t.0;
                    }
                } else {
                    // Near (same bucket), within the horizon, or far beyond it.
                    let d = match scale { 0 => delta % 1024, 1 => delta % 20_000, _ => delta * 1000 };
                    cal.push(SimTime(now + d), id);
                    bin.push(SimTime(now + d), id);
                    id += 1;
                }
                prop_assert_eq!(cal.len(), bin.len());
            }
            loop {
                let (a, b) = (cal.pop(), bin.pop());
                prop_assert_eq!(a, b);
                if a.is_none() {
                    break;
                }
            }
        }
    }
}
