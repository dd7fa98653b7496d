//! The sequence diagram's geometry (a Lamport diagram, as in Wireshark's flow graph and
//! Jepsen's timelines): one horizontal lane per participant — the application, the producer,
//! each broker — and time running left to right over a window that ends a little after the
//! current virtual time. Every message is an arrow from (sent, sender) to (arrival, receiver),
//! so its slant is its real latency; a message still on the wire is drawn up to "now", a lost
//! one ends in a cross. The application lane shows `produce()`, `flush()` and the delivery
//! callbacks served by `poll()`/`flush()` from the event log; faults are crosses on their
//! broker's lane. A scenario with a Schema Registry has its lane on top: the serializer's
//! register/lookup calls run between it and the application lane, where the application waits. Pure function of `ksim::View` and the log, like `live_layout`.

use crate::scene::{chars_in, duration, fit, Anchor, Item, Role, Scene, Shape, Target};
use ksim::{Fault, LogEntry, LogEvent, View, WireMessage, PRODUCER, SCHEMA_REGISTRY};

pub const WIDTH: f64 = 960.0;
pub const MAX_BROKERS: usize = crate::live_layout::MAX_BROKERS;
pub const MAX_PRODUCE_ARROWS: usize = 40;
/// Replica fetches beyond this many in the window are counted, not drawn.
pub const MAX_FETCH_ARROWS: usize = 12;
/// Schema Registry calls drawn (the newest; a serializer calls once per schema).
pub const MAX_REGISTRY_ARROWS: usize = 8;
pub const MAX_APP_MARKS: usize = 30;
/// Log entries looked at (newest first) for the application lane and faults.
const MAX_LOG_SCAN: usize = 2_000;
/// Most SVG elements the diagram ever has.
#[cfg_attr(not(test), allow(dead_code))]
pub const MAX_NODES: usize = 500;

const X0: f64 = 100.0;
/// Closest two labels on one lane may be.
const LABEL_GAP: f64 = 60.0;
const X1: f64 = WIDTH - 12.0;
const TOP: f64 = 30.0;
const LANE_H: f64 = 36.0;
/// Window lengths (µs) the diagram chooses from: the shortest that still shows the newest
/// ProduceRequest.
const SPANS_US: [u64; 12] = [
    5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
    10_000_000, 60_000_000,
];
/// Share of the window before "now".
const PAST_SHARE: f64 = 0.8;

/// The time window `[start, end]` the diagram shows at `v`'s time.
pub fn window(v: &View) -> (u64, u64) {
    let now = v.time_us;
    let newest = v
        .network
        .iter()
        .chain(&v.network_delivered)
        .chain(&v.network_dropped)
        .filter(|m| m.kind == "Produce" && m.sent_us <= now)
        .map(|m| m.sent_us)
        .max();
    let span = match newest {
        Some(sent) => {
            let age = now - sent;
            SPANS_US
                .iter()
                .copied()
                .find(|s| (*s as f64 * PAST_SHARE * 0.9) >= age as f64)
                .unwrap_or(SPANS_US[SPANS_US.len() - 1])
        }
        None => SPANS_US[2],
    };
    let past = (span as f64 * PAST_SHARE) as u64;
    (now.saturating_sub(past), now.saturating_sub(past) + span)
}

/// How virtual time maps to x: linear pieces side by side, the idle stretches between them cut
/// out (a break of [`BREAK_W`] px each). The live diagram uses one piece (its window); two
/// diagrams that share one scale (the sides of "Run both ways") draw the same virtual time at the
/// same x.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeScale {
    /// `(t0, t1, x0, x1)` in time order; a break lies between two pieces.
    pieces: Vec<(u64, u64, f64, f64)>,
}

/// Width of a cut-out stretch of time.
pub const BREAK_W: f64 = 34.0;
/// Most pieces a fitted scale has.
pub const MAX_PIECES: usize = 6;
/// A gap becomes a break when it is at least this share of its piece's time (more than a
/// quarter of the width with nothing to draw is wasted), at least [`BREAK_SHARE_OF_ALL`] of all
/// the time shown (short pauses inside a busy stretch keep their true length) and at least
/// [`MIN_BREAK_US`].
const BREAK_SHARE: f64 = 0.25;
const BREAK_SHARE_OF_ALL: f64 = 0.05;
const MIN_BREAK_US: u64 = 1_000;
/// Narrowest piece.
const MIN_PIECE_W: f64 = 56.0;
/// Left margin of a fitted scale.
const FIRST_GAP: f64 = 10.0;

impl TimeScale {
    /// `[start, end]` over the whole width.
    pub fn linear(start: u64, end: u64) -> TimeScale {
        TimeScale {
            pieces: vec![(start, end.max(start + 1), X0, X1)],
        }
    }

    /// A scale that shows every time in `times` with the long idle gaps between them cut out:
    /// the largest gap that takes at least a quarter of its piece is cut, again, up to
    /// [`MAX_PIECES`] pieces. Each piece gets width by the square root of how many times fall
    /// in it (busy stretches get room), at least [`MIN_PIECE_W`].
    pub fn fitted(times: &[u64]) -> TimeScale {
        let mut t: Vec<u64> = times.to_vec();
        t.sort_unstable();
        t.dedup();
        if t.is_empty() {
            return TimeScale::linear(0, SPANS_US[2]);
        }
        // Pieces as index ranges into `t`.
        let mut ranges: Vec<(usize, usize)> = vec![(0, t.len() - 1)];
        let all = t[t.len() - 1] - t[0];
        while ranges.len() < MAX_PIECES {
            let best = ranges
                .iter()
                .enumerate()
                .filter_map(|(ri, &(a, b))| {
                    let span = t[b] - t[a];
                    (a..b)
                        .map(|i| (t[i + 1] - t[i], i))
                        .max()
                        .filter(|&(g, _)| {
                            g >= MIN_BREAK_US
                                && g as f64 >= BREAK_SHARE * span as f64
                                && g as f64 >= BREAK_SHARE_OF_ALL * all as f64
                        })
                        .map(|(g, i)| (g, ri, i))
                })
                .max();
            let Some((_, ri, i)) = best else { break };
            let (a, b) = ranges[ri];
            ranges.splice(ri..=ri, [(a, i), (i + 1, b)]);
        }
        let n = ranges.len();
        let avail = (X1 - X0) - BREAK_W * (n - 1) as f64;
        let weights: Vec<f64> = ranges
            .iter()
            .map(|&(a, b)| ((b - a + 1) as f64).sqrt())
            .collect();
        let total: f64 = weights.iter().sum();
        let min_w = MIN_PIECE_W.min(avail / n as f64);
        // Every piece gets its minimum, the rest is shared by weight.
        let spare = avail - min_w * n as f64;
        // Room at the left end, so a label at the first time is not clipped.
        let mut x = X0 + FIRST_GAP;
        let spare = spare - FIRST_GAP;
        let mut pieces = Vec::with_capacity(n);
        for (k, (&(a, b), w)) in ranges.iter().zip(&weights).enumerate() {
            let width = min_w + spare * w / total;
            // A margin on each side, never reaching into a neighbour's gap's middle.
            let span = t[b] - t[a];
            let pad = (span / 16).max(250);
            let before = if k == 0 {
                pad
            } else {
                pad.min((t[a] - t[ranges[k - 1].1]) / 4)
            };
            let after = if k + 1 == n {
                pad
            } else {
                pad.min((t[ranges[k + 1].0] - t[b]) / 4)
            };
            let (t0, t1) = (t[a].saturating_sub(before), t[b] + after);
            pieces.push((t0, t1.max(t0 + 1), x, x + width));
            x += width + BREAK_W;
        }
        TimeScale { pieces }
    }

    pub fn start(&self) -> u64 {
        self.pieces[0].0
    }

    pub fn end(&self) -> u64 {
        self.pieces[self.pieces.len() - 1].1
    }

    /// The x of virtual time `t`: linear within a piece, across a break's width within a gap,
    /// clamped to the ends.
    pub fn x_of(&self, t: u64) -> f64 {
        let mut prev: Option<(u64, f64)> = None;
        for &(t0, t1, x0, x1) in &self.pieces {
            if t < t0 {
                return match prev {
                    None => x0,
                    Some((pt, px)) => px + (x0 - px) * ((t - pt) as f64 / (t0 - pt).max(1) as f64),
                };
            }
            if t <= t1 {
                return x0 + (x1 - x0) * ((t - t0) as f64 / (t1 - t0).max(1) as f64);
            }
            prev = Some((t1, x1));
        }
        prev.map_or(X1, |(_, x)| x)
    }

    /// Whether `[a, b]` overlaps a piece (a message or mark inside a cut-out gap is not drawn).
    pub fn shows(&self, a: u64, b: u64) -> bool {
        self.pieces.iter().any(|&(t0, t1, _, _)| a <= t1 && b >= t0)
    }

    /// The cut-out gaps: `(from, to, x_left, x_right)`.
    pub fn breaks(&self) -> Vec<(u64, u64, f64, f64)> {
        self.pieces
            .windows(2)
            .map(|w| (w[0].1, w[1].0, w[0].3, w[1].2))
            .collect()
    }

    /// `(t0, t1, x0, x1)` of each piece.
    pub fn pieces(&self) -> &[(u64, u64, f64, f64)] {
        &self.pieces
    }
}

/// The times a comparison's shared scale must show for one side: its ProduceRequests and
/// responses still in the view (sent, arrived or lost), its faults, and its newest calls and
/// callbacks on the application lane.
pub fn times_to_show(v: &View, log: &[LogEntry]) -> Vec<u64> {
    let mut out = Vec::new();
    for m in v
        .network
        .iter()
        .chain(&v.network_delivered)
        .chain(&v.network_dropped)
        .filter(|m| m.req_id.is_some())
    {
        out.push(m.sent_us);
        match m.lost_us {
            Some(l) if m.dropped => out.push(l),
            _ => out.push(m.arrival_us.min(v.time_us)),
        }
    }
    let scan = &log[log.len().saturating_sub(MAX_LOG_SCAN)..];
    let mut app = 0;
    for e in scan.iter().rev() {
        match &e.event {
            LogEvent::FaultFired { .. } => out.push(e.time_us),
            LogEvent::ProduceCalled { .. }
            | LogEvent::FlushStarted { .. }
            | LogEvent::ReportsServed { .. }
                if app < MAX_APP_MARKS =>
            {
                app += 1;
                out.push(e.time_us);
            }
            _ => {}
        }
    }
    out
}

/// How the time axis is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// The live diagram: times relative to "now", with a "now" line.
    Now,
    /// A finished run (a comparison's side): virtual times since the start, at each piece.
    Absolute,
}

fn fault_broker(f: &Fault) -> Option<u32> {
    match f {
        Fault::DropNextRequest { broker, .. }
        | Fault::DropNextResponse { broker, .. }
        | Fault::FailNextProduce { broker, .. }
        | Fault::Crash { broker }
        | Fault::Restart { broker }
        | Fault::Isolate { broker, .. }
        | Fault::Heal { broker }
        | Fault::SlowFollower { broker, .. } => Some(*broker),
        Fault::DelayLink { to, .. } => Some(*to),
        Fault::RandomLoss { to, .. } => *to,
    }
}

/// A fault's mark on its lane: a crash or an isolation is a cross with its word beside it, a
/// restart or a heal a ring with its word, anything else (a delayed link, dropped messages) a
/// small hollow diamond — so a delayed link is not mistaken for a crash.
fn fault_shapes(f: &Fault, x: f64, y: f64) -> Vec<Shape> {
    let word = |text: &str| Shape::Text {
        x: x + 9.0,
        y: y - 6.0,
        text: text.into(),
        class: "small bad",
        anchor: Anchor::Start,
    };
    match f {
        Fault::Crash { .. } | Fault::Isolate { .. } => vec![
            Shape::Cross {
                x,
                y,
                r: 7.0,
                class: "fault-mark",
            },
            word(if matches!(f, Fault::Crash { .. }) {
                "crash"
            } else {
                "isolated"
            }),
        ],
        Fault::Restart { .. } | Fault::Heal { .. } => vec![
            Shape::Circle {
                x,
                y,
                r: 5.5,
                class: "restart-mark",
            },
            Shape::Text {
                x: x + 9.0,
                y: y - 6.0,
                text: if matches!(f, Fault::Restart { .. }) {
                    "restart".into()
                } else {
                    "healed".into()
                },
                class: "small",
                anchor: Anchor::Start,
            },
        ],
        _ => vec![Shape::Polyline {
            points: vec![
                (x, y - 5.0),
                (x + 5.0, y),
                (x, y + 5.0),
                (x - 5.0, y),
                (x, y - 5.0),
            ],
            class: "fault-note",
        }],
    }
}

/// A fault in words, for its mark's accessible name.
pub fn fault_words(f: &Fault) -> String {
    let n = |b: &u32| node(*b);
    match f {
        Fault::DropNextRequest { broker, count } => {
            format!("the next {count} request(s) to {} are dropped", n(broker))
        }
        Fault::DropNextResponse { broker, count } => {
            format!(
                "the next {count} response(s) from {} are dropped",
                n(broker)
            )
        }
        Fault::FailNextProduce { broker, error, .. } => {
            format!(
                "{} fails the next produce with {}",
                n(broker),
                fit(error, 40)
            )
        }
        Fault::DelayLink { from, to, delay_ms } => {
            format!("the link {} → {} is delayed {delay_ms} ms", n(from), n(to))
        }
        Fault::RandomLoss { probability, .. } => {
            format!("random loss, probability {probability}")
        }
        Fault::Crash { broker } => format!("{} crashes", n(broker)),
        Fault::Restart { broker } => format!("{} restarts", n(broker)),
        Fault::Isolate { broker, .. } => format!("{} is isolated", n(broker)),
        Fault::Heal { broker } => format!("{} is healed", n(broker)),
        Fault::SlowFollower { broker, delay_ms } => {
            format!("{} fetches {delay_ms} ms late", n(broker))
        }
    }
}

/// A registry answer's short label: `id 1` for a schema id, else its HTTP status (`409`).
fn registry_reply_text(detail: &str) -> String {
    let id = detail
        .strip_prefix("200 OK {\"id\":")
        .and_then(|rest| rest.strip_suffix('}'));
    match id {
        Some(id) => format!("id {id}"),
        None => fit(detail.split(' ').next().unwrap_or(""), 12),
    }
}

fn node(n: u32) -> String {
    if n == PRODUCER {
        "producer".into()
    } else if n == SCHEMA_REGISTRY {
        "Schema Registry".into()
    } else {
        format!("broker {n}")
    }
}

/// The diagram of `v` and its log at `v`'s time.
pub fn layout(v: &View, log: &[LogEntry]) -> Scene {
    let (start, end) = window(v);
    layout_on(v, log, &TimeScale::linear(start, end), Axis::Now)
}

/// The diagram of `v` and its log on a given time scale (shared by the two sides of a
/// comparison: the same virtual time at the same x in both).
pub fn layout_on(v: &View, log: &[LogEntry], scale: &TimeScale, axis: Axis) -> Scene {
    let now = v.time_us;
    let (start, end) = (scale.start(), scale.end());
    let brokers: Vec<u32> = v.brokers.iter().take(MAX_BROKERS).map(|b| b.id).collect();
    // Lanes: the Schema Registry (when the scenario has one), application, producer, brokers.
    let registry = v.schema_registry.is_some();
    let top = usize::from(registry);
    let (app_lane, producer_lane) = (top, top + 1);
    let lane_y = |lane: usize| TOP + LANE_H * lane as f64;
    let node_lane = |n: u32| -> Option<usize> {
        if n == PRODUCER {
            Some(producer_lane)
        } else if n == SCHEMA_REGISTRY {
            registry.then_some(0)
        } else {
            brokers.iter().position(|b| *b == n).map(|i| i + top + 2)
        }
    };
    // A registry call's client end is the application lane: the serializer runs in the
    // application's thread before produce(), and that thread waits for the answer (the network
    // sends it from the producer's host).
    let end_lane = |m: &WireMessage, n: u32| {
        let registry_call = m.from == SCHEMA_REGISTRY || m.to == SCHEMA_REGISTRY;
        if registry_call && n == PRODUCER {
            Some(app_lane)
        } else {
            node_lane(n)
        }
    };
    let lanes = top + 2 + brokers.len();
    let height = lane_y(lanes - 1) + 34.0;
    let x_of = |t: u64| scale.x_of(t);
    let mut items = Vec::new();

    // Lanes and the time axis.
    let mut shapes = Vec::new();
    let mut names: Vec<String> = registry
        // "Schema Registry" would not fit the lane labels' column; the arrows' names say it.
        .then(|| "registry".to_string())
        .into_iter()
        .collect();
    names.extend(["application".to_string(), "producer".to_string()]);
    names.extend(brokers.iter().map(|b| format!("broker {b}")));
    for (i, name) in names.iter().enumerate() {
        let y = lane_y(i);
        shapes.push(Shape::Line {
            x1: X0,
            y1: y,
            x2: X1,
            y2: y,
            class: "lane",
        });
        shapes.push(Shape::Text {
            x: X0 - 8.0,
            y: y + 4.0,
            text: name.clone(),
            class: "small",
            anchor: Anchor::End,
        });
    }
    let axis_y = height - 8.0;
    match axis {
        Axis::Now => {
            if x_of(now) - X0 > 90.0 {
                shapes.push(Shape::Text {
                    x: X0,
                    y: axis_y,
                    text: format!("−{}", duration(now - start)),
                    class: "small muted",
                    anchor: Anchor::Start,
                });
            }
            shapes.push(Shape::Text {
                x: X1,
                y: axis_y,
                text: format!("+{}", duration(end - now)),
                class: "small muted",
                anchor: Anchor::End,
            });
            let xn = x_of(now);
            shapes.push(Shape::Line {
                x1: xn,
                y1: TOP - 14.0,
                x2: xn,
                y2: axis_y - 12.0,
                class: "now",
            });
            // "now" under the axis, clear of the labels above the application lane.
            shapes.push(Shape::Text {
                x: xn,
                y: axis_y,
                text: format!("now {}", duration(now)),
                class: "small strong",
                anchor: Anchor::Middle,
            });
        }
        Axis::Absolute => {
            // Each piece's first time under its left end (the last piece's end too, room
            // permitting); the cut-out gaps are drawn as breaks below.
            let pieces = scale.pieces();
            for (k, &(t0, t1, x0, x1)) in pieces.iter().enumerate() {
                shapes.push(Shape::Text {
                    x: x0,
                    y: axis_y,
                    text: duration(t0),
                    class: "small muted",
                    anchor: Anchor::Start,
                });
                if k + 1 == pieces.len() && x1 - x0 > 130.0 && duration(t1) != duration(t0) {
                    shapes.push(Shape::Text {
                        x: x1,
                        y: axis_y,
                        text: duration(t1),
                        class: "small muted",
                        anchor: Anchor::End,
                    });
                }
            }
        }
    }
    if brokers.len() < v.brokers.len() {
        shapes.push(Shape::text(
            X0,
            height - 20.0,
            format!(
                "+{} more brokers not drawn",
                v.brokers.len() - brokers.len()
            ),
            "small muted",
        ));
    }
    items.push(Item::plain("axis", shapes));
    // Cut-out stretches of time: a band over the lanes with two slanted strokes, and how long
    // it was, in words for assistive technology too.
    for (from, to, xl, xr) in scale.breaks() {
        let xm = (xl + xr) / 2.0;
        let (y_top, y_bottom) = (TOP - 10.0, lane_y(lanes - 1) + 10.0);
        // Its length is written above the lanes, clear of the marks on the lowest one.
        items.push(Item::named(
            "time-break",
            Role::Img,
            format!(
                "{} cut out of the timeline (nothing drawn happens in it), from {} to {}",
                duration(to - from),
                duration(from),
                duration(to)
            ),
            vec![
                Shape::Rect {
                    x: xl + 4.0,
                    y: y_top,
                    w: (xr - xl - 8.0).max(0.0),
                    h: y_bottom - y_top,
                    class: "break-band",
                },
                Shape::Line {
                    x1: xm - 7.0,
                    y1: y_bottom,
                    x2: xm - 1.0,
                    y2: y_top,
                    class: "break-mark",
                },
                Shape::Line {
                    x1: xm + 1.0,
                    y1: y_bottom,
                    x2: xm + 7.0,
                    y2: y_top,
                    class: "break-mark",
                },
                Shape::Text {
                    x: xm,
                    y: TOP - 14.0,
                    text: format!("+{}", duration(to - from)),
                    class: "small muted",
                    anchor: Anchor::Middle,
                },
            ],
        ));
    }

    // Messages: the produce exchange (newest MAX_PRODUCE_ARROWS), replica fetches (newest
    // MAX_FETCH_ARROWS, the rest counted).
    let mut msgs: Vec<&WireMessage> = v
        .network_delivered
        .iter()
        .chain(&v.network)
        .chain(&v.network_dropped)
        .filter(|m| {
            m.sent_us <= now
                && m.sent_us <= end
                && m.arrival_us.max(m.sent_us) >= start
                && scale.shows(m.sent_us, m.arrival_us.max(m.sent_us))
        })
        .collect();
    msgs.sort_by_key(|m| std::cmp::Reverse((m.sent_us, m.id)));
    msgs.dedup_by_key(|m| m.id);
    let (produce, other): (Vec<&WireMessage>, Vec<&WireMessage>) =
        msgs.into_iter().partition(|m| m.req_id.is_some());
    let (registry_calls, other): (Vec<&WireMessage>, Vec<&WireMessage>) = other
        .into_iter()
        .partition(|m| m.from == SCHEMA_REGISTRY || m.to == SCHEMA_REGISTRY);
    let fetch_hidden = other.len().saturating_sub(MAX_FETCH_ARROWS);
    let mut last_label = vec![f64::MIN; lanes];
    // Why each request went: linger.ms, batch.size, flush(), a retry (from the log).
    let reasons = crate::live_layout::send_reasons(log);
    for m in produce
        .iter()
        .take(MAX_PRODUCE_ARROWS)
        .chain(registry_calls.iter().take(MAX_REGISTRY_ARROWS))
        .chain(other.iter().take(MAX_FETCH_ARROWS))
    {
        let (Some(la), Some(lb)) = (end_lane(m, m.from), end_lane(m, m.to)) else {
            continue;
        };
        let (ya, yb) = (lane_y(la), lane_y(lb));
        let flight = m.arrival_us.saturating_sub(m.sent_us).max(1);
        // Where the arrow ends now: at its arrival, at "now" while on the wire, or where it
        // was lost (a third of the way for a loss on the way, at the receiver for a loss on arrival).
        let lost_on_arrival = m.lost_us.is_some_and(|l| l >= m.arrival_us);
        let stop = if m.dropped && !lost_on_arrival {
            m.sent_us + (flight as f64 * crate::live_layout::LOST_AT) as u64
        } else {
            m.arrival_us
        };
        let tip = stop.min(now);
        let f = |t: u64| (t.saturating_sub(m.sent_us)) as f64 / flight as f64;
        // Clip to the window (the line's y interpolated at the left edge).
        let t_from = m.sent_us.max(start);
        let (x1, y1) = (x_of(t_from), ya + (yb - ya) * f(t_from));
        let (x2, y2) = (x_of(tip), ya + (yb - ya) * f(tip));
        let mut shapes = vec![Shape::Line {
            x1,
            y1,
            x2,
            y2,
            class: match (m.kind.as_str(), m.dropped) {
                (_, true) => "arrow lost",
                ("Produce", _) => "arrow produce",
                ("ProduceResponse", _) => "arrow response",
                _ if m.from == SCHEMA_REGISTRY || m.to == SCHEMA_REGISTRY => "arrow registry",
                _ => "arrow fetch",
            },
        }];
        let arrived = !m.dropped && now >= m.arrival_us;
        if arrived {
            // An arrowhead: a short tick back along the line.
            let dx = x2 - x1;
            let dy = y2 - y1;
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ux, uy) = (dx / len, dy / len);
            shapes.push(Shape::Polyline {
                points: vec![
                    (x2 - 6.0 * ux - 3.0 * uy, y2 - 6.0 * uy + 3.0 * ux),
                    (x2, y2),
                    (x2 - 6.0 * ux + 3.0 * uy, y2 - 6.0 * uy - 3.0 * ux),
                ],
                class: "arrowhead",
            });
        }
        if m.dropped && now >= stop {
            shapes.push(Shape::Cross {
                x: x2,
                y: y2,
                r: 5.0,
                class: "lost-mark",
            });
        }
        let lost = if m.dropped { ", lost" } else { "" };
        let (label, text, role, target) = match (m.kind.as_str(), m.req_id) {
            ("Produce", Some(r)) => {
                let why = reasons.iter().find(|(id, _)| *id == r).map(|(_, w)| *w);
                (
                    format!(
                        "ProduceRequest #{r} → {}: {} B {}, {}{}{lost}",
                        node(m.to),
                        m.size_bytes,
                        m.codec.clone().unwrap_or_default(),
                        duration(flight),
                        why.map(|w| format!(", sent by {w}")).unwrap_or_default()
                    ),
                    Some(match why {
                        Some(w) => format!("#{r} {w}"),
                        None => format!("#{r}"),
                    }),
                    Role::Button,
                    Some(Target::Request { req_id: r }),
                )
            }
            ("ProduceResponse", Some(r)) => (
                format!(
                    "ProduceResponse #{r} → producer from {}, {}{lost}",
                    node(m.from),
                    duration(flight)
                ),
                None,
                Role::Button,
                Some(Target::Request { req_id: r }),
            ),
            (kind, _) if m.to == SCHEMA_REGISTRY => (
                format!(
                    "{kind}: the serializer asks the Schema Registry, {}{lost} ({})",
                    duration(flight),
                    fit(&m.detail, 80)
                ),
                Some(match kind {
                    "RegisterSchema" => "register".to_string(),
                    _ => "lookup".to_string(),
                }),
                Role::Img,
                None,
            ),
            (kind, _) if m.from == SCHEMA_REGISTRY => (
                format!(
                    "{kind}: the Schema Registry answers the serializer, {}{lost} ({})",
                    duration(flight),
                    fit(&m.detail, 80)
                ),
                Some(registry_reply_text(&m.detail)),
                Role::Img,
                None,
            ),
            (kind, _) => (
                format!("{kind} {} → {}{lost}", node(m.from), node(m.to)),
                None,
                Role::None,
                None,
            ),
        };
        if let Some(text) = text {
            // Labels that would overlap the previous one on this lane are left out (the arrow
            // keeps its accessible name).
            let free = last_label
                .get(la)
                .is_none_or(|&l| (x1 - l).abs() >= LABEL_GAP);
            if x1 >= X0 + 4.0 && free {
                if let Some(l) = last_label.get_mut(la) {
                    *l = x1;
                }
                shapes.push(Shape::Text {
                    x: x1 + 3.0,
                    y: y1 - 4.0,
                    text,
                    class: "small",
                    anchor: Anchor::Start,
                });
            }
        }
        let class = if m.req_id.is_some() {
            "seq-msg produce"
        } else if m.from == SCHEMA_REGISTRY || m.to == SCHEMA_REGISTRY {
            "seq-msg registry"
        } else {
            "seq-msg replica"
        };
        let mut item = Item::named(class, role, label, shapes);
        item.target = target;
        items.push(item);
    }
    if fetch_hidden > 0 {
        items.push(Item::named(
            "more",
            Role::Img,
            format!("{fetch_hidden} more replica fetches in this window"),
            vec![Shape::Text {
                x: X1,
                y: TOP - 18.0,
                text: format!("+{fetch_hidden} fetches"),
                class: "small muted",
                anchor: Anchor::End,
            }],
        ));
    }

    // The application lane and faults, from the log entries in the window.
    let first = log.partition_point(|e| e.time_us < start);
    let last = log.partition_point(|e| e.time_us <= now.min(end));
    let scan_from = first.max(last.saturating_sub(MAX_LOG_SCAN));
    let mut marks = 0;
    let mut last_app_label = f64::MAX;
    for e in log[scan_from..last].iter().rev() {
        if marks >= MAX_APP_MARKS {
            break;
        }
        if !scale.shows(e.time_us, e.time_us) {
            continue;
        }
        let x = x_of(e.time_us);
        let (app, prod) = (lane_y(app_lane), lane_y(producer_lane));
        let arrow = |down: bool, class: &'static str| Shape::Line {
            x1: x,
            y1: if down { app } else { prod },
            x2: x,
            y2: if down { prod - 3.0 } else { app + 3.0 },
            class,
        };
        // Newest first: a label is left out when it would overlap the one drawn after it.
        let label_free = last_app_label - x >= LABEL_GAP;
        let app_text = |text: String, x: f64| Shape::Text {
            x,
            y: app - 5.0,
            text: if label_free { text } else { String::new() },
            class: "small",
            anchor: Anchor::Middle,
        };
        let item = match &e.event {
            LogEvent::ProduceCalled {
                topic, partition, ..
            } => Some(Item::named(
                "app",
                Role::Img,
                format!("produce() to {}-{partition}", fit(topic, 60)),
                vec![
                    arrow(true, "call"),
                    Shape::Circle {
                        x,
                        y: app,
                        r: 2.5,
                        class: "call-dot",
                    },
                ],
            )),
            LogEvent::FlushStarted { .. } => Some(Item::named(
                "app",
                Role::Img,
                "flush() called".into(),
                vec![arrow(true, "call"), app_text("flush()".into(), x)],
            )),
            LogEvent::ReportsServed { count, by } => Some(Item::named(
                "app",
                Role::Img,
                format!("{count} delivery callback(s) served by {}", fit(by, 20)),
                vec![arrow(false, "callback"), app_text(format!("cb×{count}"), x)],
            )),
            LogEvent::FaultFired { fault } => {
                let lane = fault_broker(fault)
                    .and_then(node_lane)
                    .unwrap_or(producer_lane);
                Some(Item::named(
                    "fault",
                    Role::Img,
                    format!("fault: {}", fault_words(fault)),
                    fault_shapes(fault, x, lane_y(lane)),
                ))
            }
            _ => None,
        };
        if let Some(mut item) = item {
            let before = item.shapes.len();
            item.shapes
                .retain(|s| !matches!(s, Shape::Text { text, .. } if text.is_empty()));
            if item.class == "app"
                && item.shapes.len() == before
                && item.shapes.iter().any(|s| matches!(s, Shape::Text { .. }))
            {
                last_app_label = x;
            }
            marks += 1;
            items.push(item);
        }
    }
    let _ = chars_in;
    Scene {
        width: WIDTH,
        height,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksim::{Action, Scenario, Simulation, TopicSpec};

    #[test]
    fn a_request_and_its_response_are_arrows_slanted_by_their_latency() {
        let mut s = Scenario::default();
        s.topics.push(TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 3,
            ..Default::default()
        });
        let mut sim = Simulation::new(s).unwrap();
        sim.produce("payments", Some("Alice"), Some("x")).unwrap();
        sim.apply(Action::Flush { timeout_ms: None }).unwrap();
        sim.run_until(sim.now_us() + 10_000);
        let scene = layout(&sim.view(), sim.log());
        let req = scene
            .items
            .iter()
            .find(|i| {
                i.label
                    .as_deref()
                    .is_some_and(|l| l.starts_with("ProduceRequest #"))
            })
            .unwrap_or_else(|| {
                panic!(
                    "a request arrow: {:?} {:?}",
                    scene.items.iter().map(|i| &i.label).collect::<Vec<_>>(),
                    sim.view().network_delivered
                )
            });
        let Shape::Line { x1, y1, x2, y2, .. } = req.shapes[0] else {
            panic!("a line")
        };
        assert!(x2 > x1 && y2 > y1, "slanted down to the broker lane");
        assert!(scene.items.iter().any(|i| i
            .label
            .as_deref()
            .is_some_and(|l| l.starts_with("ProduceResponse #"))));
        assert!(scene.items.iter().any(|i| i
            .label
            .as_deref()
            .is_some_and(|l| l.starts_with("produce() to payments-"))));
        assert!(scene.outside().is_empty(), "{:?}", scene.outside());
        assert!(scene.node_count() <= MAX_NODES);
    }

    #[test]
    fn the_serializers_registry_call_runs_between_the_application_and_a_registry_lane() {
        let lesson = kshare::lessons::get("serialization").unwrap();
        let mut sim = Simulation::new(lesson.scenario()).unwrap();
        // The serializer's call goes at 0 ms and its answer is back at 4 ms (2 ms each way);
        // no ProduceRequest yet, so the window still starts at 0.
        sim.run_until(4_500);
        let scene = layout(&sim.view(), sim.log());
        let lane_label = |name: &str| {
            scene
                .items
                .iter()
                .flat_map(|i| &i.shapes)
                .find_map(|s| match s {
                    Shape::Text { text, y, .. } if text == name => Some(*y - 4.0),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("a {name} lane"))
        };
        let (registry, app) = (lane_label("registry"), lane_label("application"));
        assert!(
            registry < app,
            "the registry lane is on top, by the application"
        );
        let call = |start: &str| {
            let item = scene
                .items
                .iter()
                .find(|i| i.label.as_deref().is_some_and(|l| l.starts_with(start)))
                .unwrap_or_else(|| {
                    panic!(
                        "{start}: {:?}",
                        scene.items.iter().map(|i| &i.label).collect::<Vec<_>>()
                    )
                });
            assert_eq!(item.class, "seq-msg registry");
            match item.shapes[0] {
                Shape::Line { y1, y2, x1, x2, .. } => (x1, y1, x2, y2),
                _ => panic!("a line"),
            }
        };
        let (x1, y1, x2, y2) = call("RegisterSchema: the serializer asks the Schema Registry");
        assert_eq!((y1, y2), (app, registry), "up from the application");
        assert!(x2 > x1, "slanted by the registry's latency");
        let (_, y1, _, y2) = call("RegistryResponse: the Schema Registry answers the serializer");
        assert_eq!((y1, y2), (registry, app));
        let texts: Vec<&str> = scene
            .items
            .iter()
            .filter(|i| i.class == "seq-msg registry")
            .flat_map(|i| &i.shapes)
            .filter_map(|s| match s {
                Shape::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        // The reply says the id the registry gave (the request, at the window's left edge,
        // keeps only its accessible name).
        assert!(texts.contains(&"id 1"), "{texts:?}");
        assert!(scene.outside().is_empty(), "{:?}", scene.outside());
        // Without a registry, no lane.
        let plain = layout(&Simulation::new(Scenario::default()).unwrap().view(), &[]);
        assert!(!plain
            .items
            .iter()
            .flat_map(|i| &i.shapes)
            .any(|s| matches!(s, Shape::Text { text, .. } if text == "Schema Registry")));
    }

    /// Both sides of the acks lesson's comparison, finished, on one fitted scale.
    fn acks_sides() -> (TimeScale, Scene, Scene) {
        use ksim::variant::{self, VariantRunner};
        let lesson = kshare::lessons::get("acks-and-leader-crash").unwrap();
        let (a, b) = kshare::contrasts::for_lesson(lesson.id)
            .unwrap()
            .variants()
            .unwrap();
        let run = |v| {
            let mut r =
                VariantRunner::new(variant::prepare(&lesson.scenario(), &v).unwrap()).unwrap();
            r.advance(u64::MAX);
            (r.simulation().view(), r.simulation().log().to_vec())
        };
        let ((va, la), (vb, lb)) = (run(a), run(b));
        let mut times = times_to_show(&va, &la);
        times.extend(times_to_show(&vb, &lb));
        let scale = TimeScale::fitted(&times);
        let sa = layout_on(&va, &la, &scale, Axis::Absolute);
        let sb = layout_on(&vb, &lb, &scale, Axis::Absolute);
        (scale, sa, sb)
    }

    fn first_x(scene: &Scene, label_start: &str, tip: bool) -> f64 {
        let item = scene
            .items
            .iter()
            .find(|i| {
                i.label
                    .as_deref()
                    .is_some_and(|l| l.starts_with(label_start))
            })
            .unwrap_or_else(|| {
                panic!(
                    "{label_start}: {:?}",
                    scene.items.iter().map(|i| &i.label).collect::<Vec<_>>()
                )
            });
        match item.shapes[0] {
            Shape::Line { x1, x2, .. } => {
                if tip {
                    x2
                } else {
                    x1
                }
            }
            Shape::Cross { x, .. } => x,
            _ => panic!("{:?}", item.shapes[0]),
        }
    }

    #[test]
    fn two_sides_on_one_scale_draw_the_same_time_at_the_same_x() {
        let (scale, a, b) = acks_sides();
        // Monotone, inside the width, one shared start.
        let xs: Vec<f64> = (0..2_000)
            .map(|i| scale.x_of(i * 12_000_000 / 2_000 * 2))
            .collect();
        assert!(xs.windows(2).all(|w| w[1] >= w[0]));
        assert!(xs.iter().all(|x| (X0..=X1).contains(x)));
        // Both sides sent their first ProduceRequest at 0 ms: the same x.
        let (ra, rb) = (
            first_x(&a, "ProduceRequest #0 ", false),
            first_x(&b, "ProduceRequest #0 ", false),
        );
        assert!((ra - rb).abs() < 0.01, "{ra} vs {rb}");
        // The crash of broker 1 at 5 ms: at one x on both sides.
        let (ca, cb) = (
            first_x(&a, "fault: broker 1 crashes", false),
            first_x(&b, "fault: broker 1 crashes", false),
        );
        assert!((ca - cb).abs() < 0.01);
        // What the learner sees: acks=1's answer is back before the crash, acks=all's comes
        // only after it (from the new leader).
        let resp_a = first_x(&a, "ProduceResponse #", true);
        assert!(resp_a < ca, "acks=1 answered at x {resp_a}, crash at {ca}");
        let resp_b = b
            .items
            .iter()
            .filter(|i| {
                i.label
                    .as_deref()
                    .is_some_and(|l| l.starts_with("ProduceResponse #"))
            })
            .map(|i| match i.shapes[0] {
                Shape::Line { x2, .. } => x2,
                _ => 0.0,
            })
            .fold(f64::MIN, f64::max);
        assert!(
            resp_b > cb,
            "acks=all answered at x {resp_b}, crash at {cb}"
        );
        // The ten idle seconds before the retry are cut out, and said so.
        assert!(!scale.breaks().is_empty());
        assert!(a.items.iter().any(|i| i
            .label
            .as_deref()
            .is_some_and(|l| l.contains("cut out of the timeline"))));
        for s in [&a, &b] {
            assert!(s.outside().is_empty(), "{:?}", s.outside());
            assert!(s.node_count() <= MAX_NODES);
        }
    }

    #[test]
    fn a_fitted_scale_cuts_long_gaps_and_keeps_busy_stretches_linear() {
        let times = [0, 1_000, 2_000, 3_000, 10_000_000, 10_001_000];
        let s = TimeScale::fitted(&times);
        assert_eq!(s.pieces().len(), 2, "{:?}", s.pieces());
        let (p0, p1) = (s.pieces()[0], s.pieces()[1]);
        assert!(p0.1 < 10_000_000 && p1.0 > 3_000);
        // Linear within a piece: equal steps in time, equal steps in x.
        let d1 = s.x_of(2_000) - s.x_of(1_000);
        let d2 = s.x_of(3_000) - s.x_of(2_000);
        assert!((d1 - d2).abs() < 1e-9 && d1 > 10.0);
        // Evenly spread times are not cut.
        let even: Vec<u64> = (0..50).map(|i| i * 5_000).collect();
        assert_eq!(TimeScale::fitted(&even).pieces().len(), 1);
        assert_eq!(TimeScale::fitted(&[]).pieces().len(), 1);
        assert_eq!(TimeScale::fitted(&[7]).pieces().len(), 1);
    }
}
