//! The sequence diagram's geometry (a Lamport diagram, as in Wireshark's flow graph and
//! Jepsen's timelines): one horizontal lane per participant — the application, the producer,
//! each broker — and time running left to right over a window that ends a little after the
//! current virtual time. Every message is an arrow from (sent, sender) to (arrival, receiver),
//! so its slant is its real latency; a message still on the wire is drawn up to "now", a lost
//! one ends in a cross. The application lane shows `produce()`, `flush()` and the delivery
//! callbacks served by `poll()`/`flush()` from the event log; faults are crosses on their
//! broker's lane. Pure function of `ksim::View` and the log, like `live_layout`.

use crate::scene::{chars_in, duration, fit, Anchor, Item, Role, Scene, Shape, Target};
use ksim::{Fault, LogEntry, LogEvent, View, WireMessage, PRODUCER};

pub const WIDTH: f64 = 960.0;
pub const MAX_BROKERS: usize = crate::live_layout::MAX_BROKERS;
pub const MAX_PRODUCE_ARROWS: usize = 40;
/// Replica fetches beyond this many in the window are counted, not drawn.
pub const MAX_FETCH_ARROWS: usize = 12;
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

fn node(n: u32) -> String {
    if n == PRODUCER {
        "producer".into()
    } else {
        format!("broker {n}")
    }
}

/// The diagram of `v` and its log at `v`'s time.
pub fn layout(v: &View, log: &[LogEntry]) -> Scene {
    let now = v.time_us;
    let (start, end) = window(v);
    let brokers: Vec<u32> = v.brokers.iter().take(MAX_BROKERS).map(|b| b.id).collect();
    // Lanes: application, producer, brokers.
    let lane_y = |lane: usize| TOP + LANE_H * lane as f64;
    let node_lane = |n: u32| -> Option<usize> {
        if n == PRODUCER {
            Some(1)
        } else {
            brokers.iter().position(|b| *b == n).map(|i| i + 2)
        }
    };
    let lanes = 2 + brokers.len();
    let height = lane_y(lanes - 1) + 34.0;
    let span = (end - start).max(1) as f64;
    let x_of = |t: u64| X0 + (X1 - X0) * (t.saturating_sub(start) as f64 / span).min(1.0);
    let mut items = Vec::new();

    // Lanes and the time axis.
    let mut shapes = Vec::new();
    let mut names = vec!["application".to_string(), "producer".to_string()];
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

    // Messages: the produce exchange (newest MAX_PRODUCE_ARROWS), replica fetches (newest
    // MAX_FETCH_ARROWS, the rest counted).
    let mut msgs: Vec<&WireMessage> = v
        .network_delivered
        .iter()
        .chain(&v.network)
        .chain(&v.network_dropped)
        .filter(|m| m.sent_us <= now && m.sent_us <= end && m.arrival_us.max(m.sent_us) >= start)
        .collect();
    msgs.sort_by_key(|m| std::cmp::Reverse((m.sent_us, m.id)));
    msgs.dedup_by_key(|m| m.id);
    let (produce, other): (Vec<&WireMessage>, Vec<&WireMessage>) =
        msgs.into_iter().partition(|m| m.req_id.is_some());
    let fetch_hidden = other.len().saturating_sub(MAX_FETCH_ARROWS);
    let mut last_label = vec![f64::MIN; lanes];
    // Why each request went: linger.ms, batch.size, flush(), a retry (from the log).
    let reasons = crate::live_layout::send_reasons(log);
    for m in produce
        .iter()
        .take(MAX_PRODUCE_ARROWS)
        .chain(other.iter().take(MAX_FETCH_ARROWS))
    {
        let (Some(la), Some(lb)) = (node_lane(m.from), node_lane(m.to)) else {
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
        let x = x_of(e.time_us);
        let (app, prod) = (lane_y(0), lane_y(1));
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
                let lane = fault_broker(fault).and_then(node_lane).unwrap_or(1);
                Some(Item::named(
                    "fault",
                    Role::Img,
                    format!("fault: {}", fit(&e.event.describe(), 80)),
                    vec![Shape::Cross {
                        x,
                        y: lane_y(lane),
                        r: 7.0,
                        class: "fault-mark",
                    }],
                ))
            }
            _ => None,
        };
        if let Some(mut item) = item {
            let before = item.shapes.len();
            item.shapes
                .retain(|s| !matches!(s, Shape::Text { text, .. } if text.is_empty()));
            if item.shapes.len() == before
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
}
