//! The driver's single event queue, ordered by (time, sequence number). The sequence number makes
//! ties deterministic: events at the same microsecond run in the order they were scheduled.
//!
//! The heap holds small (time, seq, slot) keys; the events live in a slab, so heap operations move
//! 24 bytes whatever the event's size.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
    heap: BinaryHeap<Key>,
    slots: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
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
        self.heap.push(Key { time_us, seq, slot });
    }
    pub fn peek_time_us(&self) -> Option<u64> {
        self.heap.peek().map(|k| k.time_us)
    }
    pub fn pop(&mut self) -> Option<(u64, E)> {
        let k = self.heap.pop()?;
        let e = self.slots.get_mut(k.slot as usize)?.take()?;
        self.free.push(k.slot);
        Some((k.time_us, e))
    }
    pub fn len(&self) -> usize {
        self.heap.len()
    }
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
    /// Events in queue order (for the view; O(n log n)).
    pub fn iter_sorted(&self) -> Vec<(u64, &E)> {
        let mut keys: Vec<&Key> = self.heap.iter().collect();
        keys.sort_by_key(|k| (k.time_us, k.seq));
        keys.into_iter()
            .filter_map(|k| Some((k.time_us, self.slots.get(k.slot as usize)?.as_ref()?)))
            .collect()
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
}
