//! The application loops that `produce_many` runs, as the lecture's Python programs do: call
//! `produce()` in a loop with `poll(0)` after each message (async), without polling (no_poll), or
//! with `flush()` after each message (sync, `produce(...); flush()`), and after a `BufferError`
//! (queue full) call `poll(1)` and try the same message again.
//!
//! [`AppLoop`] is a small state machine: it says which message comes next and what the program
//! does after each `produce()` ([`LoopStep`]); the driver carries that out against the producer.
//! The producer knows nothing of loops: a loop blocked in `flush()` or `poll(1)` is an opaque
//! [`Waiter`] that the producer hands back when the call returns.

use super::world::Event;
use super::Simulation;
use crate::error::SimError;
use crate::log::LogEvent;
use crate::network::PRODUCER;
use crate::node::Waiter;
use crate::producer::TopicRef;
use crate::scenario::ProduceMode;
use kwire::Record;

/// Largest `value_size_bytes` of `produce_many` (10 MB).
pub const MAX_VALUE_BYTES: usize = 10_000_000;

/// `poll(1)`: how long a loop blocked after a `BufferError` waits for a delivery report, in µs.
const POLL_TIMEOUT_US: u64 = 1_000_000;

/// One `produce_many` loop.
#[derive(Debug, Clone)]
pub(super) struct AppLoop {
    topic: String,
    /// The topic's index, once looked up.
    topic_idx: Option<u32>,
    /// Templates split at `{i}`.
    key_parts: Option<Vec<String>>,
    value_parts: Vec<String>,
    count: u64,
    next_i: u64,
    interval_us: u64,
    key_count: Option<u64>,
    value_size_bytes: Option<usize>,
    mode: ProduceMode,
    /// Bumped whenever the loop waits anew: a wake-up with an older token is stale.
    token: u64,
}

/// How many messages of each `produce_many` loop are logged one by one (`ProduceCalled`,
/// `DeliveryReport`, … when `LogOptions::per_message` is on). Later messages of the loop are
/// logged per batch, request and append only: at thousands of events per second one line per
/// message is unreadable, and it doubled the simulation's cost. Metrics count every message.
/// Not a Kafka rule; the playground's log.
pub const LOOP_LOGGED_MESSAGES: u64 = 1000;

/// The key and value of a loop's next message.
pub(super) struct LoopMessage {
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    /// The message's number in its loop.
    pub i: u64,
}

/// What `produce()` did for a loop.
pub(super) enum Produced {
    Queued,
    /// `BufferError`: the producer's queue is full.
    QueueFull,
    Failed(SimError),
}

/// What the program does after a `produce()`.
pub(super) enum LoopStep {
    /// Wait until `at_us` for the next message, calling `poll(0)` first if `poll_first`.
    Next { at_us: u64, poll_first: bool },
    /// `flush()`, and go on when it returns.
    Flush,
    /// `except BufferError: poll(1)`, then try the same message again.
    PollAndRetry,
    /// The loop ends with this error (reported as a failed `produce_many`).
    Failed(SimError),
}

impl AppLoop {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        topic: &str,
        count: u64,
        rate_per_sec: Option<f64>,
        key: Option<&str>,
        key_count: Option<u64>,
        value: &str,
        value_size_bytes: Option<usize>,
        mode: ProduceMode,
    ) -> Result<AppLoop, SimError> {
        if value_size_bytes.is_some_and(|n| n > MAX_VALUE_BYTES) {
            return Err(SimError::InvalidScenario(format!(
                "value_size_bytes must be <= {MAX_VALUE_BYTES}"
            )));
        }
        let interval_us = match rate_per_sec {
            Some(r) if r.is_finite() && r > 0.0 => ((1e6 / r).round() as u64).max(1),
            Some(r) => {
                return Err(SimError::InvalidScenario(format!(
                    "rate_per_sec {r} must be > 0"
                )))
            }
            None => 1,
        };
        Ok(AppLoop {
            topic: topic.to_string(),
            topic_idx: None,
            key_parts: key.map(|k| k.split("{i}").map(str::to_string).collect()),
            value_parts: value.split("{i}").map(str::to_string).collect(),
            count,
            next_i: 0,
            interval_us,
            key_count,
            value_size_bytes,
            mode,
            token: 0,
        })
    }

    /// The next message, or `None` once `count` messages were produced.
    pub fn next_message(&self) -> Option<LoopMessage> {
        if self.next_i >= self.count {
            return None;
        }
        let i = self.next_i;
        let key_i = self
            .key_count
            .filter(|k| *k > 0)
            .map(|k| i % k)
            .unwrap_or(i);
        Some(LoopMessage {
            i,
            key: self.key_parts.as_ref().map(|k| fill(k, key_i, 0)),
            value: pad_bytes(
                fill(&self.value_parts, i, self.value_size_bytes.unwrap_or(0)),
                self.value_size_bytes,
            ),
        })
    }

    /// What the program does after `produce()` returned `produced` at `now_us`.
    pub fn after_produce(&mut self, produced: Produced, now_us: u64) -> LoopStep {
        let next = LoopStep::Next {
            at_us: now_us + self.interval_us,
            poll_first: self.mode == ProduceMode::Async,
        };
        match produced {
            Produced::Queued => {
                self.next_i += 1;
                if self.mode == ProduceMode::Sync {
                    LoopStep::Flush
                } else {
                    next
                }
            }
            // A program that never polls just drops the message and goes on.
            Produced::QueueFull if self.mode == ProduceMode::NoPoll => {
                self.next_i += 1;
                next
            }
            Produced::QueueFull => LoopStep::PollAndRetry,
            Produced::Failed(e) => LoopStep::Failed(e),
        }
    }

    /// Starts a new wait: returns its token (older wake-ups become stale).
    fn wait(&mut self) -> u64 {
        self.token += 1;
        self.token
    }

    /// Starts a wait that something outside the loop ends (the serializer's registry call).
    pub fn wait_token(&mut self) -> u64 {
        self.wait()
    }
}

impl Simulation {
    /// Starts a `produce_many` loop now.
    pub(super) fn start_loop(&mut self, app_loop: AppLoop) {
        let id = self.next_loop;
        self.next_loop += 1;
        self.loops.insert(id, app_loop);
        self.run_loop(id, 0);
    }

    /// Wakes loop `id` at `at_us`; returns the wait's token.
    fn wake_loop_at(&mut self, id: u64, at_us: u64) -> u64 {
        let Some(l) = self.loops.get_mut(&id) else {
            return 0;
        };
        let token = l.wait();
        self.w
            .schedule(at_us, Event::Generator { gen_id: id, token });
        token
    }

    /// One iteration of loop `id` (`token` names the wait that ended).
    pub(super) fn run_loop(&mut self, id: u64, token: u64) {
        let Some(l) = self.loops.get(&id) else {
            return;
        };
        if l.token != token {
            return;
        }
        let Some(msg) = l.next_message() else {
            self.loops.remove(&id);
            return;
        };
        let topic = match l.topic_idx {
            Some(t) => t,
            None => match self.topic_index(&l.topic) {
                Ok(t) => {
                    if let Some(l) = self.loops.get_mut(&id) {
                        l.topic_idx = Some(t);
                    }
                    t
                }
                Err(_) => {
                    self.loops.remove(&id);
                    return;
                }
            },
        };
        let i = msg.i;
        let Some(topic_name) = self.loops.get(&id).map(|l| l.topic.clone()) else {
            return;
        };
        let (key, value) = match self.serialize_loop_message(id, &topic_name, msg) {
            Ok(kv) => kv,
            // Waiting for the registry: the loop goes on when the answer comes.
            Err(true) => return,
            // `ValueSerializationError` ends the program's loop (logged).
            Err(false) => {
                self.loops.remove(&id);
                return;
            }
        };
        let record = Record {
            timestamp_ms: self.w.ctx().node_time_ms(PRODUCER),
            key,
            value: Some(value),
            headers: Vec::new(),
        };
        let now = self.w.now_us;
        let per_message = self.w.log.options.per_message;
        if per_message && i == LOOP_LOGGED_MESSAGES {
            self.w.log(LogEvent::LoopLogSummarized {
                logged: LOOP_LOGGED_MESSAGES,
            });
        }
        let logged = per_message && i < LOOP_LOGGED_MESSAGES;
        let produced = match self.produce_record(TopicRef::Known(topic), None, record, logged) {
            Ok(_) => Produced::Queued,
            Err(SimError::QueueFull) => Produced::QueueFull,
            Err(e) => Produced::Failed(e),
        };
        let Some(l) = self.loops.get_mut(&id) else {
            return;
        };
        match l.after_produce(produced, now) {
            LoopStep::Next { at_us, poll_first } => {
                if poll_first {
                    self.with_producer(|p, cx| p.poll(cx));
                }
                self.wake_loop_at(id, at_us);
            }
            LoopStep::Flush => {
                let waiter = Waiter {
                    loop_id: id,
                    token: l.wait(),
                };
                self.with_producer(|p, cx| p.flush_start(cx, None, Some(waiter)));
            }
            LoopStep::PollAndRetry => {
                if self.with_producer(|p, cx| p.poll(cx)) > 0 {
                    self.wake_loop_at(id, now + 1);
                } else {
                    let token = self.wake_loop_at(id, now + POLL_TIMEOUT_US);
                    self.producer.block_in_poll(Waiter { loop_id: id, token });
                }
            }
            LoopStep::Failed(e) => {
                self.loops.remove(&id);
                self.w.log(LogEvent::ActionFailed {
                    action: "produce_many".into(),
                    error: e.to_string(),
                });
            }
        }
    }
}

/// Joins template parts with the number `n` where `{i}` was, reserving `capacity` bytes.
fn fill(parts: &[String], n: u64, capacity: usize) -> Vec<u8> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut v = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let mut out =
        Vec::with_capacity(capacity.max(parts.iter().map(|p| p.len()).sum::<usize>() + 20));
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            out.extend_from_slice(&digits[at..]);
        }
        out.extend_from_slice(p.as_bytes());
    }
    out
}

/// Filler that `produce_many` appends to reach `value_size_bytes` (compressible, like real text).
pub const VALUE_PAD_FILL: &str =
    " lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor";

/// Pads UTF-8 bytes with [`VALUE_PAD_FILL`] to `size` bytes or cuts them at a character boundary.
fn pad_bytes(mut v: Vec<u8>, size: Option<usize>) -> Vec<u8> {
    if let Some(n) = size {
        while v.len() < n {
            let take = (n - v.len()).min(VALUE_PAD_FILL.len());
            v.extend_from_slice(&VALUE_PAD_FILL.as_bytes()[..take]);
        }
        let mut cut = n.min(v.len());
        // Never split a character: step back over UTF-8 continuation bytes (0b10xx_xxxx).
        while cut > 0 && cut < v.len() && v[cut] & 0xC0 == 0x80 {
            cut -= 1;
        }
        v.truncate(cut);
    }
    v
}

/// `produce_many`'s value: the filled template padded with [`VALUE_PAD_FILL`] (repeated) to
/// exactly `size` bytes, or cut to `size` bytes (at a character boundary, so possibly shorter).
pub fn pad_value(s: String, size: Option<usize>) -> String {
    let v = pad_bytes(s.into_bytes(), size);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync_loop(count: u64) -> AppLoop {
        AppLoop::new(
            "t",
            count,
            Some(1000.0),
            Some("k{i}"),
            Some(2),
            "v{i}",
            Some(4),
            ProduceMode::Sync,
        )
        .unwrap()
    }

    #[test]
    fn messages_fill_the_templates_and_cycle_the_keys() {
        let mut l = sync_loop(3);
        let m = l.next_message().unwrap();
        assert_eq!(
            (m.key.as_deref(), m.value.as_slice()),
            (Some(&b"k0"[..]), &b"v0 l"[..])
        );
        l.after_produce(Produced::Queued, 0);
        l.after_produce(Produced::Queued, 0);
        let m = l.next_message().unwrap();
        assert_eq!(
            m.key.as_deref(),
            Some(&b"k0"[..]),
            "key_count 2 cycles k0, k1, k0"
        );
        l.after_produce(Produced::Queued, 0);
        assert!(
            l.next_message().is_none(),
            "three messages, then the loop ends"
        );
    }

    #[test]
    fn each_mode_does_what_its_python_program_does_after_produce() {
        assert!(matches!(
            sync_loop(2).after_produce(Produced::Queued, 0),
            LoopStep::Flush
        ));
        let mut async_loop = AppLoop::new(
            "t",
            2,
            Some(1000.0),
            None,
            None,
            "v",
            None,
            ProduceMode::Async,
        )
        .unwrap();
        assert!(matches!(
            async_loop.after_produce(Produced::Queued, 5),
            LoopStep::Next {
                at_us: 1005,
                poll_first: true
            }
        ));
        assert!(matches!(
            async_loop.after_produce(Produced::QueueFull, 5),
            LoopStep::PollAndRetry
        ));
        assert_eq!(
            async_loop.next_i, 1,
            "a BufferError retries the same message"
        );
        let mut no_poll =
            AppLoop::new("t", 2, None, None, None, "v", None, ProduceMode::NoPoll).unwrap();
        assert!(matches!(
            no_poll.after_produce(Produced::QueueFull, 5),
            LoopStep::Next {
                at_us: 6,
                poll_first: false
            }
        ));
        assert_eq!(
            no_poll.next_i, 1,
            "without poll the message is lost and the loop goes on"
        );
    }

    #[test]
    fn bad_rates_and_sizes_are_refused() {
        let bad = |rate: Option<f64>, size: Option<usize>| {
            AppLoop::new("t", 1, rate, None, None, "v", size, ProduceMode::Async).is_err()
        };
        assert!(bad(Some(0.0), None));
        assert!(bad(Some(f64::NAN), None));
        assert!(bad(None, Some(MAX_VALUE_BYTES + 1)));
        assert!(!bad(Some(1.0), Some(MAX_VALUE_BYTES)));
    }
}
