//! The driver's single event queue, ordered by (time, sequence number). The sequence number makes
//! ties deterministic: events at the same microsecond run in the order they were scheduled.
//!
//! The heap holds small (time, seq, slot) keys; the events live in a slab, so heap operations move
//! 24 bytes whatever the event's size.
//!
//! **Two levels, so a long run's timers do not slow every event.** Most timers are scheduled far
//! ahead and are stale by the time they fire (a request's `socket.timeout.ms`, an acks=all wait's
//! `timeoutMs`: 30–60 s ahead, one per request), so at 10,000 events/s tens of thousands of them
//! are pending and a single heap makes every pop walk about 17 levels of cold memory. Only events
//! before `near_end_us` are in the heap; later ones wait in buckets of [`BUCKET_US`] by time and
//! enter the heap, a bucket at a time, when the heap runs dry. Every key in the heap is earlier
//! than every key in a bucket, so the order is exactly the single heap's (time, then seq).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

/// Width of a far bucket: 2^20 µs (about 1 s of virtual time).
const BUCKET_SHIFT: u32 = 20;
/// Width of a far bucket in µs.
pub const BUCKET_US: u64 = 1 << BUCKET_SHIFT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    time_us: u64,
    seq: u64,
    slot: u32,
}

impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest (time, seq) first.
        (o.time_us, o.seq).cmp(&(self.time_us, self.seq))
    }
}

/// A min-queue of events keyed by (time_us, seq).
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    /// Keys earlier than `near_end_us`.
    heap: BinaryHeap<Key>,
    /// Keys at or after `near_end_us`, by bucket (`time_us >> BUCKET_SHIFT`), in push order.
    far: BTreeMap<u64, Vec<Key>>,
    far_len: usize,
    near_end_us: u64,
    slots: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            far: BTreeMap::new(),
            far_len: 0,
            near_end_us: 0,
            slots: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, time_us: u64, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(event);
                s
            }
            None => {
                self.slots.push(Some(event));
                (self.slots.len() - 1) as u32
            }
        };
        let key = Key { time_us, seq, slot };
        if time_us < self.near_end_us {
            self.heap.push(key);
        } else {
            self.far
                .entry(time_us >> BUCKET_SHIFT)
                .or_default()
                .push(key);
            self.far_len += 1;
            if self.heap.is_empty() {
                self.refill();
            }
        }
    }

    /// Moves the earliest far bucket into the heap (when the heap is empty).
    fn refill(&mut self) {
        if let Some((bucket, keys)) = self.far.pop_first() {
            self.far_len -= keys.len();
            self.near_end_us = (bucket + 1) << BUCKET_SHIFT;
            self.heap.extend(keys);
        }
    }

    pub fn peek_time_us(&self) -> Option<u64> {
        self.heap.peek().map(|k| k.time_us)
    }
    pub fn pop(&mut self) -> Option<(u64, E)> {
        let k = self.heap.pop()?;
        if self.heap.is_empty() {
            self.refill();
        }
        let e = self.slots.get_mut(k.slot as usize)?.take()?;
        self.free.push(k.slot);
        Some((k.time_us, e))
    }
    pub fn len(&self) -> usize {
        self.heap.len() + self.far_len
    }
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
    /// Events in queue order (for the view). Lazy: the heap's keys are sorted at once, each far
    /// bucket only when the iteration reaches it, so taking the first few costs little.
    pub fn iter_sorted(&self) -> impl Iterator<Item = (u64, &E)> {
        let sorted = |mut keys: Vec<Key>| {
            keys.sort_by_key(|k| (k.time_us, k.seq));
            keys
        };
        let near = sorted(self.heap.iter().copied().collect());
        let far = self.far.values().flat_map(move |b| sorted(b.clone()));
        near.into_iter()
            .chain(far)
            .filter_map(|k| Some((k.time_us, self.slots.get(k.slot as usize)?.as_ref()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::default();
        q.push(5, "c");
        q.push(1, "a");
        q.push(5, "d");
        q.push(1, "b");
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|x| x.1)).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
        q.push(2, "e");
        assert_eq!(q.pop(), Some((2, "e")));
        assert!(q.is_empty());
    }

    /// The two levels give exactly one heap's order: random pushes near and far (ties
    /// included), interleaved with pops, against a sorted list of (time, push order).
    #[test]
    fn two_levels_keep_exact_time_then_insertion_order() {
        let mut q = EventQueue::default();
        let mut model: Vec<(u64, u64)> = Vec::new();
        let (mut now, mut n, mut x) = (0u64, 0u64, 12345u64);
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..6_000 {
            let r = next();
            if r % 3 == 0 {
                model.sort();
                let want = (!model.is_empty()).then(|| model.remove(0));
                let got = q.pop();
                assert_eq!(got, want);
                if let Some((t, _)) = got {
                    now = t;
                }
            } else {
                // Mostly soon, sometimes 30-60 s ahead like request timeouts, some ties.
                let ahead = match r % 7 {
                    0 => 30_000_000 + next() % 30_000_000,
                    1 => 0,
                    _ => next() % 5_000,
                };
                q.push(now + ahead, n);
                model.push((now + ahead, n));
                n += 1;
            }
            assert_eq!(q.len(), model.len());
            let first: Vec<u64> = q.iter_sorted().take(3).map(|(_, id)| *id).collect();
            model.sort();
            let want: Vec<u64> = model.iter().take(3).map(|m| m.1).collect();
            assert_eq!(first, want);
            assert_eq!(q.peek_time_us(), model.first().map(|m| m.0));
        }
    }
}
