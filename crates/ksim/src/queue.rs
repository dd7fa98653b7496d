//! The driver's single event queue, ordered by (time, sequence number). The sequence number makes
//! ties deterministic: events at the same microsecond run in the order they were scheduled.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Debug, Clone)]
struct Entry<E> {
    time_us: u64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        self.time_us == o.time_us && self.seq == o.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, o: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest (time, seq) first.
        (o.time_us, o.seq).cmp(&(self.time_us, self.seq))
    }
}

/// A min-queue of events keyed by (time_us, seq).
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, time_us: u64, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            time_us,
            seq,
            event,
        });
    }
    pub fn peek_time_us(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.time_us)
    }
    pub fn pop(&mut self) -> Option<(u64, E)> {
        self.heap.pop().map(|e| (e.time_us, e.event))
    }
    pub fn len(&self) -> usize {
        self.heap.len()
    }
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
    /// Events in queue order (for the view; O(n log n)).
    pub fn iter_sorted(&self) -> Vec<(u64, &E)> {
        let mut v: Vec<&Entry<E>> = self.heap.iter().collect();
        v.sort_by_key(|e| (e.time_us, e.seq));
        v.into_iter().map(|e| (e.time_us, &e.event)).collect()
    }
}
