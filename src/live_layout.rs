//! The live view's geometry: the producer with its open batches, the links to the brokers with
//! the messages on them, and the brokers with their replicas' logs, as a pure function of
//! `ksim::View` (which holds the virtual time). Nothing here decides Kafka behaviour: a packet's
//! position is `(now − sent) / (arrival − sent)` of its link, both times from the core
//! (RaftScope draws its messages the same way), so Pause freezes the picture, Step moves it by
//! one event and a rewind moves packets back.
//!
//! What is drawn, and where it comes from in Kafka (the values all come from the core's view):
//! - an open batch fills toward librdkafka's `batch.num.messages` / `batch.size` (the limits
//!   `rd_kafka_msgset_writer_init` in `src/rdkafka_msgset_writer.c` applies) and waits at most
//!   `linger.ms` (alias of `queue.buffering.max.ms`, CONFIGURATION.md) for its oldest message;
//! - a ProduceRequest goes to the partition leader the producer's metadata names; with
//!   `acks=0` the broker sends no response (Kafka protocol guide, `ProduceRequest.acks`);
//! - followers replicate by Fetch requests to the leader (`kafka.server.ReplicaFetcherThread`);
//!   each replica's log end offset and the high watermark (`kafka.cluster.Partition`,
//!   `UnifiedLog.logEndOffset` / `highWatermark`) are the marks on its log bar, and ISR
//!   membership (`Partition.maybeShrinkIsr`, `replica.lag.time.max.ms`) is a word on its row.
//!
//! The drawing is bounded whatever the load: at most `MAX_BATCH_ROWS` open batches,
//! `MAX_BROKERS` brokers with `MAX_REPLICA_ROWS` replicas each and `MAX_PACKETS` messages are
//! drawn; the rest is counted ("+37 more"). `MAX_NODES` is the resulting cap on SVG elements,
//! checked by the tests below.

use crate::scene::{along, chars_in, duration, fit, Anchor, Item, Role, Scene, Shape, Target};
use ksim::{
    BrokerView, LogEntry, LogEvent, SchemaRegistryView, SealReason, View, WireMessage, PRODUCER,
    SCHEMA_REGISTRY,
};

pub const WIDTH: f64 = 960.0;
/// Width of the phone layout (producer above the brokers).
pub const NARROW_WIDTH: f64 = 480.0;
pub const MAX_BATCH_ROWS: usize = 5;
pub const MAX_BROKERS: usize = 6;
pub const MAX_REPLICA_ROWS: usize = 5;
pub const MAX_PACKETS: usize = 48;
/// Most SVG elements the live view ever has.
#[cfg_attr(not(test), allow(dead_code))]
pub const MAX_NODES: usize = 700;

const PAD: f64 = 8.0;

/// Where the producer, the brokers and the broker ↔ broker lanes go: side by side, or on a
/// phone the producer above the brokers with the links running down a bus on the left.
#[derive(Clone, Copy)]
struct Frame {
    narrow: bool,
    width: f64,
    producer_x: f64,
    producer_w: f64,
    broker_x: f64,
    broker_w: f64,
    lane_x: f64,
}

impl Frame {
    fn new(narrow: bool) -> Frame {
        if narrow {
            Frame {
                narrow,
                width: NARROW_WIDTH,
                producer_x: PAD,
                producer_w: NARROW_WIDTH - 2.0 * PAD,
                broker_x: 70.0,
                broker_w: 340.0,
                lane_x: 70.0 + 340.0 + 6.0,
            }
        } else {
            Frame {
                narrow,
                width: WIDTH,
                producer_x: PAD,
                producer_w: 330.0,
                broker_x: 560.0,
                broker_w: 340.0,
                lane_x: 560.0 + 340.0 + 6.0,
            }
        }
    }
}
/// Records drawn one by one in an open batch's box (more are counted).
const RECORD_SQUARES: usize = 14;
/// Broker ↔ broker links run in lanes right of the brokers, this far apart.
const LANE_STEP: f64 = 7.0;
const MAX_LANES: usize = 7;
const HEAD_H: f64 = 50.0;
const ROW_H: f64 = 40.0;
const BROKER_HEAD_H: f64 = 24.0;
const REPLICA_H: f64 = 19.0;
const BROKER_GAP: f64 = 10.0;
/// A lost message is drawn vanishing on its way and stays marked for this many times its flight
/// (at least `LOST_SHOWN_MIN_US`).
const LOST_SHOWN_FLIGHTS: u64 = 4;
/// Share of its way a message lost on the way is drawn to (also in the sequence diagram).
pub const LOST_AT: f64 = 0.35;
const LOST_SHOWN_MIN_US: u64 = 2_000;

/// The Schema Registry box's height and its gap under the producer.
const REGISTRY_H: f64 = 58.0;
const REGISTRY_GAP: f64 = 34.0;

/// The Schema Registry as a box: its subjects and newest versions, and the last registration
/// it refused (marked ✗ and said in words, not by colour alone).
fn registry_item(r: &SchemaRegistryView, x: f64, y: f64, w: f64) -> Item {
    let versions: usize = r.subjects.iter().map(|s| s.versions.len()).sum();
    let newest = r
        .subjects
        .iter()
        .filter_map(|s| s.versions.last().map(|v| (s, v)))
        .max_by_key(|(_, v)| v.schema_id);
    let line2 = match newest {
        Some((s, v)) => format!(
            "{} · {} · newest {} v{} (id {})",
            plural(r.subjects.len(), "subject"),
            plural(versions, "version"),
            s.subject,
            v.version,
            v.schema_id
        ),
        None => "no subject yet".to_string(),
    };
    // Drawn shorter (the newest version first); the name has it all.
    let drawn2 = match newest {
        Some((s, v)) => format!(
            "{} v{} (id {}){}",
            s.subject,
            v.version,
            v.schema_id,
            if r.subjects.len() > 1 {
                format!(" · +{}", plural(r.subjects.len() - 1, "subject"))
            } else {
                String::new()
            }
        ),
        None => line2.clone(),
    };
    let line3 = match &r.last_rejection {
        Some(x) => format!("✗ refused: HTTP {} for {}", x.http_status, x.subject),
        None => format!(
            "compatibility {} · serializers cached {} id{}",
            r.global_compatibility,
            r.serializer_cache.len(),
            if r.serializer_cache.len() == 1 {
                ""
            } else {
                "s"
            }
        ),
    };
    let small = chars_in(w - 20.0, true);
    let label = format!(
        "Schema Registry: {line2}; {}{}",
        match &r.last_rejection {
            Some(x) => format!(
                "last refused: HTTP {} for {} at {}",
                x.http_status,
                x.subject,
                duration(x.time_us)
            ),
            None => format!("compatibility {}", r.global_compatibility),
        },
        if r.calls_in_flight > 0 {
            "; the application is waiting for it"
        } else {
            ""
        }
    );
    Item::named(
        "registry",
        Role::Img,
        label,
        vec![
            Shape::Rect {
                x,
                y,
                w,
                h: REGISTRY_H,
                class: "node registry",
            },
            Shape::text(x + 10.0, y + 17.0, "Schema Registry", "title"),
            Shape::text(x + 10.0, y + 34.0, fit(&drawn2, small), "small"),
            Shape::text(
                x + 10.0,
                y + 50.0,
                fit(&line3, small),
                if r.last_rejection.is_some() {
                    "small bad"
                } else {
                    "small muted"
                },
            ),
        ],
    )
}

/// The state a broker is drawn in, as a word (never by colour alone).
pub fn broker_state(b: &BrokerView) -> (&'static str, &'static str) {
    if !b.up {
        ("down (crashed)", "down")
    } else if b.isolated {
        ("isolated", "isolated")
    } else if b.fenced {
        ("fenced", "fenced")
    } else {
        ("up", "up")
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The producer's linger.ms as the view's config lists it (librdkafka's alias included).
fn linger_us(v: &View) -> Option<u64> {
    v.producer
        .config
        .iter()
        .find(|e| e.name == "linger.ms" || e.name == "queue.buffering.max.ms")
        .and_then(|e| e.value.parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .map(|ms| (ms * 1000.0) as u64)
}

struct Geometry {
    f: Frame,
    /// Bottom of the producer box (the narrow layout's links start there).
    producer_bottom: f64,
    /// Centre y of each drawn broker's header, by position in `View::brokers`.
    broker_y: Vec<(u32, f64)>,
    producer_anchor: (f64, f64),
    /// The Schema Registry box's top left corner, when the scenario uses the registry.
    registry_top: Option<(f64, f64)>,
}

impl Geometry {
    fn broker(&self, id: u32) -> Option<f64> {
        self.broker_y
            .iter()
            .find(|(b, _)| *b == id)
            .map(|(_, y)| *y)
    }

    /// The polyline a message from → to travels, with a small offset so requests and
    /// responses use two lanes of one link.
    fn path(&self, from: u32, to: u32, broker_count: usize) -> Option<Vec<(f64, f64)>> {
        let f = &self.f;
        if from == SCHEMA_REGISTRY || to == SCHEMA_REGISTRY {
            // The application's serializer and the registry: straight down from the producer
            // box (requests on the left track, replies on the right).
            let (bx, by) = self.registry_top?;
            let off = if to == SCHEMA_REGISTRY { -5.0 } else { 5.0 };
            let pts = if f.narrow {
                // The registry sits under the brokers: down the far left of the bus, then in.
                let x = 5.0 + off * 0.4;
                let y = by + REGISTRY_H / 2.0 + off;
                vec![(x, self.producer_bottom), (x, y), (bx, y)]
            } else {
                let x = bx + 40.0 + off;
                vec![(x, self.producer_bottom), (x, by)]
            };
            return Some(if to == SCHEMA_REGISTRY {
                pts
            } else {
                pts.into_iter().rev().collect()
            });
        }
        if from == PRODUCER || to == PRODUCER {
            let b = if from == PRODUCER { to } else { from };
            let by = self.broker(b)?;
            let (px, py) = self.producer_anchor;
            let off = if from == PRODUCER { -5.0 } else { 5.0 };
            let pts = if f.narrow {
                // Down a bus on the left, one track per broker, then right into the broker.
                let i = self
                    .broker_y
                    .iter()
                    .position(|(id, _)| *id == b)
                    .unwrap_or(0);
                let x = 14.0 + 8.0 * i as f64 + off * 0.5;
                vec![
                    (x, self.producer_bottom),
                    (x, by + off * 0.6),
                    (f.broker_x, by + off * 0.6),
                ]
            } else {
                vec![(px, py + off), (f.broker_x, by + off)]
            };
            return Some(if from == PRODUCER {
                pts
            } else {
                pts.into_iter().rev().collect()
            });
        }
        let (ya, yb) = (self.broker(from)?, self.broker(to)?);
        let x = f.lane_x + LANE_STEP * pair_lane(from, to, broker_count) as f64;
        let off = if from < to { -3.0 } else { 3.0 };
        Some(vec![
            (f.broker_x + f.broker_w, ya + off),
            (x, ya + off),
            (x, yb + off),
            (f.broker_x + f.broker_w, yb + off),
        ])
    }
}

/// The lane of the link between brokers a and b (the same both ways).
fn pair_lane(a: u32, b: u32, _broker_count: usize) -> usize {
    let (lo, hi) = (a.min(b) as usize, a.max(b) as usize);
    // Brokers 1..=n: adjacent pairs use the inner lanes.
    (hi - lo).saturating_sub(1).min(MAX_LANES - 1)
        + if hi - lo > 1 { lo % 2 } else { 0 }.min(MAX_LANES - 1)
}

/// Where a message is at `now` and whether it is drawn: `(share of its path, lost mark)`.
fn progress(m: &WireMessage, now: u64) -> Option<(f64, bool)> {
    let flight = m.arrival_us.saturating_sub(m.sent_us).max(1);
    let t = now.saturating_sub(m.sent_us) as f64 / flight as f64;
    if !m.dropped {
        return Some((t.clamp(0.0, 1.0), false));
    }
    // Lost on the way (decided when sent): it travels a third of its way, then vanishes with
    // a mark.
    // Lost on arrival (the receiver was down or cut off): the mark sits at the end.
    let on_arrival = m.lost_us.is_some_and(|l| l >= m.arrival_us);
    let vanish_share = if on_arrival { 1.0 } else { LOST_AT };
    let vanish_us = m.sent_us + (flight as f64 * vanish_share) as u64;
    let shown_until = vanish_us + (flight * LOST_SHOWN_FLIGHTS).max(LOST_SHOWN_MIN_US);
    if now < m.sent_us || now > shown_until {
        return None;
    }
    if now < vanish_us {
        Some((t, false))
    } else {
        Some((vanish_share, true))
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

/// Log entries looked at (newest) to learn why each recent request's batch was sealed.
const SEAL_SCAN: usize = 2_000;

/// Why each recent ProduceRequest was sent, from the event log: the seal reason of its first
/// batch (`BatchSealed` just before `RequestSent`), or "retry". Bounded: the newest
/// `SEAL_SCAN` entries.
pub fn send_reasons(log: &[LogEntry]) -> Vec<(u64, &'static str)> {
    let mut sealed: Vec<((&str, u32), SealReason)> = Vec::new();
    let mut out = Vec::new();
    for e in &log[log.len().saturating_sub(SEAL_SCAN)..] {
        match &e.event {
            LogEvent::BatchSealed {
                topic,
                partition,
                reason,
                ..
            } => {
                sealed.retain(|(k, _)| *k != (topic.as_str(), *partition));
                sealed.push(((topic.as_str(), *partition), *reason));
            }
            LogEvent::RequestSent {
                req_id,
                batches,
                retry,
                ..
            } => {
                let first = batches.first().map(|(t, p, _, _)| (t.as_str(), *p));
                let reason = if *retry {
                    Some("retry")
                } else {
                    sealed
                        .iter()
                        .find(|(k, _)| Some(*k) == first)
                        .map(|(_, r)| match r {
                            SealReason::Linger => "linger.ms",
                            SealReason::Full => "batch.size",
                            SealReason::Count => "batch.num.messages",
                            SealReason::Flush => "flush()",
                            SealReason::Piggyback => "rode along",
                        })
                };
                if let Some(r) = reason {
                    out.push((*req_id, r));
                }
            }
            _ => {}
        }
    }
    out
}

/// A message's accessible name and on-picture label.
fn message_label(m: &WireMessage, lost: bool, why: Option<&str>) -> (String, Option<String>) {
    let lost_text = if lost { ", lost on the way" } else { "" };
    match (m.kind.as_str(), m.req_id) {
        ("Produce", Some(r)) => {
            let codec = m.codec.clone().unwrap_or_default();
            let why_text = why.map(|w| format!(", sent by {w}")).unwrap_or_default();
            (
                format!(
                    "ProduceRequest #{r} → {}: {} B, {codec}{why_text}{lost_text}",
                    node(m.to),
                    m.size_bytes
                ),
                Some(match why {
                    Some(w) => format!("#{r} {codec} {} B · {w}", m.size_bytes),
                    None => format!("#{r} {codec} {} B", m.size_bytes),
                }),
            )
        }
        ("ProduceResponse", Some(r)) => (
            format!(
                "ProduceResponse #{r} → producer from {}{lost_text}",
                node(m.from)
            ),
            Some(format!("ack #{r}")),
        ),
        (kind, _) => (
            format!("{kind} {} → {}{lost_text}", node(m.from), node(m.to)),
            None,
        ),
    }
}

/// The live view of `v` at its virtual time.
/// `reasons`: why recent requests were sent (`send_reasons`), shown on their packets.
pub fn layout(v: &View, narrow: bool, reasons: &[(u64, &str)]) -> Scene {
    let now = v.time_us;
    let f = Frame::new(narrow);
    let (producer_x, producer_w, broker_x, broker_w, width) =
        (f.producer_x, f.producer_w, f.broker_x, f.broker_w, f.width);
    let mut items: Vec<Item> = Vec::new();

    // --- the producer ---------------------------------------------------------------------
    let pr = &v.producer;
    let open: Vec<_> = pr
        .open_batches
        .iter()
        .filter(|b| b.records > 0 || !b.retry_batches.is_empty())
        .collect();
    let rows = open.len().min(MAX_BATCH_ROWS);
    let more_rows = open.len() - rows;
    let producer_h =
        (HEAD_H + ROW_H * rows.max(1) as f64 + if more_rows > 0 { 18.0 } else { 6.0 }).max(110.0);

    // --- brokers: heights first, so the picture's height is known ---------------------------
    let shown_brokers = v.brokers.len().min(MAX_BROKERS);
    let mut broker_boxes = Vec::new();
    let mut y = if narrow { PAD + producer_h + 28.0 } else { PAD };
    for b in v.brokers.iter().take(shown_brokers) {
        let hosted = v
            .partitions
            .iter()
            .filter(|p| p.replicas.iter().any(|r| r.broker == b.id))
            .count();
        let shown = hosted.min(MAX_REPLICA_ROWS);
        let h = BROKER_HEAD_H
            + REPLICA_H * shown.max(1) as f64
            + if hosted > shown { REPLICA_H } else { 4.0 };
        broker_boxes.push((b, y, h));
        y += h + BROKER_GAP;
    }
    let brokers_bottom = y + if v.brokers.len() > shown_brokers {
        16.0
    } else {
        0.0
    };
    // The Schema Registry, when the scenario uses it: under the producer (wide), or under the
    // brokers (narrow; its link runs down the right of the producer's bus).
    let registry_box = v.schema_registry.as_ref().map(|_| {
        let y = if narrow {
            brokers_bottom + 18.0
        } else {
            PAD + producer_h + REGISTRY_GAP
        };
        let x = if narrow { broker_x } else { producer_x + 40.0 };
        let w = if narrow { broker_w } else { producer_w - 40.0 };
        (x, y, w)
    });
    let height = (PAD + producer_h + PAD + 40.0)
        .max(brokers_bottom + PAD)
        .max(registry_box.map_or(0.0, |(_, y, _)| y + REGISTRY_H + PAD));
    let geometry = Geometry {
        f,
        registry_top: registry_box.map(|(x, y, _)| (x, y)),
        producer_bottom: PAD + producer_h,
        broker_y: broker_boxes
            .iter()
            .map(|(b, y, _)| (b.id, y + BROKER_HEAD_H / 2.0))
            .collect(),
        producer_anchor: (producer_x + producer_w, PAD + 28.0),
    };

    let small_chars = |w: f64| chars_in(w, true);
    let mut shapes = vec![
        Shape::Rect {
            x: producer_x,
            y: PAD,
            w: producer_w,
            h: producer_h,
            class: "node producer",
        },
        Shape::text(
            producer_x + 10.0,
            PAD + 18.0,
            fit(
                &format!("Producer “{}” ({})", pr.client_id, pr.profile),
                chars_in(producer_w - 20.0, false),
            ),
            "title",
        ),
        Shape::text(
            producer_x + 10.0,
            PAD + 36.0,
            fit(
                &format!(
                    "len(producer) = {}{}{}",
                    pr.queued_msgs,
                    if pr.in_flight.is_empty() {
                        String::new()
                    } else {
                        format!(" · {} in flight", plural(pr.in_flight.len(), "request"))
                    },
                    if pr.flushing { " · flush()" } else { "" }
                ),
                small_chars(producer_w - 20.0),
            ),
            "small",
        ),
    ];
    if open.is_empty() {
        shapes.push(Shape::text(
            producer_x + 10.0,
            PAD + HEAD_H + 18.0,
            "No open batch: produce() an event.",
            "small muted",
        ));
    }
    items.push(Item::named(
        "producer",
        Role::Img,
        format!("Producer {}", fit(&pr.client_id, 40)),
        shapes,
    ));

    if let (Some(r), Some((x, y, w))) = (&v.schema_registry, registry_box) {
        let there = geometry
            .path(PRODUCER, SCHEMA_REGISTRY, 0)
            .unwrap_or_default();
        let back = geometry
            .path(SCHEMA_REGISTRY, PRODUCER, 0)
            .unwrap_or_default();
        items.push(Item::plain(
            "links",
            vec![
                Shape::Polyline {
                    points: there,
                    class: "link",
                },
                Shape::Polyline {
                    points: back,
                    class: "link",
                },
            ],
        ));
        items.push(registry_item(r, x, y, w));
    }

    let linger = linger_us(v);
    for (i, b) in open.iter().take(rows).enumerate() {
        let y0 = PAD + HEAD_H + ROW_H * i as f64;
        let name = format!("{}-{}", b.topic, b.partition);
        let left = b
            .linger_deadline_us
            .map(|d| d.saturating_sub(now))
            .unwrap_or(0);
        let box_x = producer_x + 118.0;
        let box_w = 160.0;
        let fill = if b.fill_ratio.is_finite() {
            b.fill_ratio.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut shapes = vec![
            Shape::text(
                producer_x + 10.0,
                y0 + 14.0,
                fit(&name, small_chars(104.0)),
                "small",
            ),
            Shape::Rect {
                x: box_x,
                y: y0 + 3.0,
                w: box_w,
                h: 14.0,
                class: "batch-box",
            },
            Shape::Rect {
                x: box_x,
                y: y0 + 3.0,
                w: box_w * fill,
                h: 14.0,
                class: "batch-fill",
            },
            Shape::text(
                box_x + box_w + 6.0,
                y0 + 14.0,
                match b.leader {
                    Some(l) => format!("→ {l}"),
                    None => "no leader".into(),
                },
                "small",
            ),
        ];
        // One square per record waiting in the batch (the lecture's "Message 1 … 4 →
        // [ Batch 1 ]"), up to what fits; the fill behind them is the share of batch.size /
        // batch.num.messages.
        let squares = b.records.min(RECORD_SQUARES);
        for k in 0..squares {
            shapes.push(Shape::Rect {
                x: box_x + 2.0 + 8.0 * k as f64,
                y: y0 + 5.0,
                w: 6.0,
                h: 10.0,
                class: "record",
            });
        }
        if b.records > squares {
            shapes.push(Shape::Text {
                x: box_x + box_w - 3.0,
                y: y0 + 14.0,
                text: format!("+{}", b.records - squares),
                class: "small strong",
                anchor: Anchor::End,
            });
        }
        let mut text = format!("{} · {} B", plural(b.records, "record"), b.bytes);
        if b.records > 0 {
            text.push_str(&format!(" · linger {} left", duration(left)));
            if let Some(total) = linger {
                let share = (left as f64 / total as f64).clamp(0.0, 1.0);
                shapes.push(Shape::Rect {
                    x: box_x,
                    y: y0 + 19.0,
                    w: box_w * share,
                    h: 3.0,
                    class: "linger",
                });
            }
        }
        if let Some((n, seq, at)) = b.retry_batches.first() {
            text.push_str(&format!(
                " · retry {} (seq {seq}) in {}",
                plural(*n as usize, "record"),
                duration(at.saturating_sub(now))
            ));
        }
        shapes.push(Shape::text(
            producer_x + 10.0,
            y0 + 33.0,
            fit(&text, small_chars(producer_w - 20.0)),
            "small muted",
        ));
        let label = if b.records > 0 {
            format!(
                "open batch {name}: {}, {} B, linger {} ms left",
                plural(b.records, "record"),
                b.bytes,
                (left + 500) / 1000
            )
        } else {
            format!(
                "retry batch {name}: {} waiting",
                plural(b.retry_batches.len(), "batch")
            )
        };
        items.push(Item::named("open-batch", Role::Img, label, shapes));
    }
    if more_rows > 0 {
        items.push(Item::plain(
            "more",
            vec![Shape::text(
                producer_x + 10.0,
                PAD + HEAD_H + ROW_H * rows as f64 + 10.0,
                format!("+{more_rows} more open batches"),
                "small muted",
            )],
        ));
    }

    // --- links ----------------------------------------------------------------------------
    let n = v.brokers.len();
    for (b, _, _) in &broker_boxes {
        let Some(path) = geometry.path(PRODUCER, b.id, n) else {
            continue;
        };
        let back = geometry.path(b.id, PRODUCER, n).unwrap_or_default();
        // An isolated broker still reaches the producer unless the isolation includes it.
        let cut = b.isolated && b.producer_cut;
        let class = if !b.up {
            "link down"
        } else if cut {
            "link cut"
        } else {
            "link"
        };
        let mut shapes = vec![
            Shape::Polyline {
                points: path.clone(),
                class,
            },
            Shape::Polyline {
                points: back,
                class,
            },
        ];
        if !b.up || cut {
            let (x, y) = along(&path, 0.5);
            shapes.push(Shape::Cross {
                x,
                y: y + 5.0,
                r: 6.0,
                class: "cut-mark",
            });
        }
        items.push(Item::named(
            "link",
            Role::Img,
            format!(
                "link producer – broker {}: {}",
                b.id,
                if !b.up {
                    "down (crashed)"
                } else if cut {
                    "cut"
                } else {
                    "up"
                }
            ),
            shapes,
        ));
    }
    for (i, (a, _, _)) in broker_boxes.iter().enumerate() {
        for (bb, _, _) in broker_boxes.iter().skip(i + 1) {
            let Some(path) = geometry.path(a.id, bb.id, n) else {
                continue;
            };
            let back = geometry.path(bb.id, a.id, n).unwrap_or_default();
            let cut = !a.up || !bb.up || a.isolated || bb.isolated;
            items.push(Item::plain(
                "link",
                vec![
                    Shape::Polyline {
                        points: path,
                        class: if cut {
                            "link replica cut"
                        } else {
                            "link replica"
                        },
                    },
                    Shape::Polyline {
                        points: back,
                        class: if cut {
                            "link replica cut"
                        } else {
                            "link replica"
                        },
                    },
                ],
            ));
        }
    }

    // --- brokers --------------------------------------------------------------------------
    for (b, y0, h) in &broker_boxes {
        let (state, class) = broker_state(b);
        let node_class = match class {
            "down" => "node broker down",
            "isolated" => "node broker isolated",
            "fenced" => "node broker fenced",
            _ => "node broker",
        };
        let mut shapes = vec![
            Shape::Rect {
                x: broker_x,
                y: *y0,
                w: broker_w,
                h: *h,
                class: node_class,
            },
            Shape::text(
                broker_x + 8.0,
                y0 + 16.0,
                format!("Broker {}", b.id),
                "title",
            ),
            Shape::Text {
                x: broker_x + broker_w - 8.0,
                y: y0 + 16.0,
                text: state.into(),
                class: if class == "up" { "small" } else { "small bad" },
                anchor: Anchor::End,
            },
        ];
        if !b.up {
            shapes.push(Shape::Cross {
                x: broker_x + 86.0,
                y: y0 + 12.0,
                r: 6.0,
                class: "cut-mark",
            });
        }
        items.push(Item::named(
            match class {
                "down" => "broker down",
                "isolated" | "fenced" => "broker isolated",
                _ => "broker",
            },
            Role::Img,
            format!("Broker {}: {state}", b.id),
            shapes,
        ));
        let hosted: Vec<_> = v
            .partitions
            .iter()
            .filter_map(|p| Some((p, p.replicas.iter().find(|r| r.broker == b.id)?)))
            .collect();
        for (i, (p, r)) in hosted.iter().take(MAX_REPLICA_ROWS).enumerate() {
            let ry = y0 + BROKER_HEAD_H + REPLICA_H * i as f64;
            let leader = p.leader == Some(b.id);
            let in_isr = p.isr.contains(&b.id);
            let max_leo = p
                .replicas
                .iter()
                .map(|r| r.log_end_offset)
                .max()
                .unwrap_or(0)
                .max(1) as f64;
            let bar_x = broker_x + 176.0;
            let bar_w = 60.0;
            let x_of = |o: i64| bar_x + bar_w * (o.max(0) as f64 / max_leo).min(1.0);
            let name = format!("{}-{}", p.topic, p.partition);
            let mut shapes = vec![
                Shape::text(
                    broker_x + 8.0,
                    ry + 13.0,
                    fit(&name, small_chars(74.0)),
                    "small",
                ),
                // Leader: a filled triangle and the word; follower: the word only.
                Shape::text(
                    broker_x + 80.0,
                    ry + 13.0,
                    if leader { "▲ leader" } else { "follower" },
                    if leader {
                        "small strong"
                    } else {
                        "small muted"
                    },
                ),
                Shape::text(
                    broker_x + 148.0,
                    ry + 13.0,
                    if in_isr { "ISR" } else { "✗ISR" },
                    if in_isr { "small" } else { "small bad" },
                ),
                Shape::Rect {
                    x: bar_x,
                    y: ry + 4.0,
                    w: bar_w,
                    h: 11.0,
                    class: "log-bar",
                },
                Shape::Rect {
                    x: x_of(r.log_start_offset),
                    y: ry + 4.0,
                    w: (x_of(r.high_watermark) - x_of(r.log_start_offset)).max(0.0),
                    h: 11.0,
                    class: "log-hw",
                },
                Shape::Rect {
                    x: x_of(r.high_watermark),
                    y: ry + 4.0,
                    w: (x_of(r.log_end_offset) - x_of(r.high_watermark)).max(0.0),
                    h: 11.0,
                    class: "log-uncommitted",
                },
                Shape::Line {
                    x1: x_of(r.high_watermark),
                    y1: ry + 2.0,
                    x2: x_of(r.high_watermark),
                    y2: ry + 17.0,
                    class: "hw-mark",
                },
                Shape::text(
                    bar_x + bar_w + 4.0,
                    ry + 13.0,
                    fit(
                        &{
                            let full = format!("HW {} LEO {}", r.high_watermark, r.log_end_offset);
                            let room = small_chars(broker_x + broker_w - bar_x - bar_w - 8.0);
                            if full.chars().count() <= room {
                                full
                            } else {
                                // Long offsets: the high watermark and how far the log runs ahead.
                                format!(
                                    "HW {} +{}",
                                    r.high_watermark,
                                    r.log_end_offset - r.high_watermark
                                )
                            }
                        },
                        small_chars(broker_x + broker_w - bar_x - bar_w - 8.0),
                    ),
                    "small mono",
                ),
            ];
            if r.log_start_offset > 0 {
                // Retention deleted everything below the log start offset: that part of the bar
                // is empty with a dashed edge, and a tick marks where the log now starts.
                shapes.insert(
                    4,
                    Shape::Rect {
                        x: bar_x,
                        y: ry + 4.0,
                        w: (x_of(r.log_start_offset) - bar_x).max(0.0),
                        h: 11.0,
                        class: "log-deleted",
                    },
                );
                shapes.push(Shape::Line {
                    x1: x_of(r.log_start_offset),
                    y1: ry + 2.0,
                    x2: x_of(r.log_start_offset),
                    y2: ry + 17.0,
                    class: "log-start-mark",
                });
            }
            if !b.up {
                shapes.retain(|s| !matches!(s, Shape::Line { .. }));
            }
            let mut item = Item::named(
                if b.up { "replica" } else { "replica down" },
                if r.batch_count > 0 {
                    Role::Button
                } else {
                    Role::Img
                },
                format!(
                    "{name} on broker {}: {}, {}, LEO {}, HW {}{}",
                    b.id,
                    if leader { "leader" } else { "follower" },
                    if in_isr { "in ISR" } else { "out of ISR" },
                    r.log_end_offset,
                    r.high_watermark,
                    if r.log_start_offset > 0 {
                        format!(
                            ", log start offset {} (retention deleted offsets below it)",
                            r.log_start_offset
                        )
                    } else {
                        String::new()
                    }
                ),
                shapes,
            );
            if r.batch_count > 0 {
                item.target = Some(Target::Stored {
                    topic: p.topic.clone(),
                    partition: p.partition,
                    broker: b.id,
                    index: r.batch_count - 1,
                });
            }
            items.push(item);
        }
        if hosted.len() > MAX_REPLICA_ROWS {
            items.push(Item::plain(
                "more",
                vec![Shape::text(
                    broker_x + 8.0,
                    y0 + BROKER_HEAD_H + REPLICA_H * MAX_REPLICA_ROWS as f64 + 13.0,
                    format!("+{} more replicas", hosted.len() - MAX_REPLICA_ROWS),
                    "small muted",
                )],
            ));
        } else if hosted.is_empty() {
            items.push(Item::plain(
                "more",
                vec![Shape::text(
                    broker_x + 8.0,
                    y0 + BROKER_HEAD_H + 13.0,
                    "no replicas yet",
                    "small muted",
                )],
            ));
        }
    }
    if v.brokers.len() > shown_brokers {
        items.push(Item::plain(
            "more",
            vec![Shape::text(
                broker_x + 8.0,
                brokers_bottom - 4.0,
                format!("+{} more brokers", v.brokers.len() - shown_brokers),
                "small muted",
            )],
        ));
    }

    // --- messages on the wire -------------------------------------------------------------
    // Produce traffic first (what the learner watches), then replication; lost ones included
    // while their mark is shown.
    let mut msgs: Vec<(&WireMessage, f64, bool)> = v
        .network
        .iter()
        .chain(v.network_dropped.iter())
        .filter_map(|m| progress(m, now).map(|(t, lost)| (m, t, lost)))
        .collect();
    msgs.sort_by_key(|(m, _, _)| (m.req_id.is_none(), m.sent_us, m.id));
    let mut overflow: Vec<((u32, u32), usize)> = Vec::new();
    let mut drawn = 0;
    // Packet labels never cover a broker's title or each other: a label that would is left
    // off the picture (the packet keeps it as its accessible name, and the inspector opens it).
    // Older requests come first, so the labels already shown stay put as newer ones arrive.
    let mut label_space = LabelSpace {
        taken: broker_boxes
            .iter()
            .map(|(_, y0, _)| (broker_x, *y0, broker_x + broker_w, y0 + BROKER_HEAD_H))
            .collect(),
    };
    for (m, t, lost) in msgs {
        let Some(path) = geometry.path(m.from, m.to, n) else {
            continue;
        };
        if drawn >= MAX_PACKETS {
            let key = (m.from.min(m.to), m.from.max(m.to));
            match overflow.iter_mut().find(|(k, _)| *k == key) {
                Some((_, c)) => *c += 1,
                None => overflow.push((key, 1)),
            }
            continue;
        }
        drawn += 1;
        let (x, y) = along(&path, t);
        let why = m
            .req_id
            .filter(|_| m.kind == "Produce")
            .and_then(|r| reasons.iter().find(|(id, _)| *id == r).map(|(_, w)| *w));
        let (label, text) = message_label(m, lost, why);
        let lost_class = if lost { " lost" } else { "" };
        let mut shapes = Vec::new();
        match m.kind.as_str() {
            "Produce" => {
                // Width grows with the real encoded size (log scale: 60 B to 1 MiB fit).
                let w = (10.0 + 5.0 * ((m.size_bytes.max(1) as f64) / 64.0).log2().max(0.0))
                    .clamp(10.0, 56.0);
                let x = x.clamp(w / 2.0 + 1.0, width - w / 2.0 - 1.0);
                shapes.push(Shape::Rect {
                    x: x - w / 2.0,
                    y: y - 6.0,
                    w,
                    h: 12.0,
                    class: if lost {
                        "packet produce lost"
                    } else {
                        "packet produce"
                    },
                });
                if let Some(text) = text {
                    let half = text.chars().count() as f64 * crate::scene::SMALL_TEXT_PX * 0.35;
                    label_space.place(
                        &mut shapes,
                        Shape::Text {
                            x: x.clamp(half, width - half),
                            y: (y - 9.0).max(12.0),
                            text,
                            class: "small packet-label",
                            anchor: Anchor::Middle,
                        },
                    );
                }
            }
            "ProduceResponse" => {
                shapes.push(Shape::Circle {
                    x,
                    y,
                    r: 5.0,
                    class: if lost {
                        "packet response lost"
                    } else {
                        "packet response"
                    },
                });
                if let Some(text) = text {
                    let half = text.chars().count() as f64 * crate::scene::SMALL_TEXT_PX * 0.35;
                    label_space.place(
                        &mut shapes,
                        Shape::Text {
                            x: x.clamp(half, width - half),
                            y: (y + 16.0).min(height - 2.0),
                            text,
                            class: "small packet-label",
                            anchor: Anchor::Middle,
                        },
                    );
                }
            }
            "RegisterSchema" | "LookupSchema" | "RegistryResponse" => shapes.push(Shape::Rect {
                x: x - 4.0,
                y: y - 4.0,
                w: 8.0,
                h: 8.0,
                class: if lost {
                    "packet registry lost"
                } else {
                    "packet registry"
                },
            }),
            _ => shapes.push(Shape::Circle {
                x,
                y,
                r: 3.0,
                class: if m.kind == "Fetch" {
                    "packet fetch"
                } else {
                    "packet fetch-response"
                },
            }),
        }
        if lost {
            shapes.push(Shape::Cross {
                x,
                y,
                r: 7.0,
                class: "lost-mark",
            });
            let right = x + 40.0 < width;
            shapes.push(Shape::Text {
                x: if right { x + 10.0 } else { x - 10.0 },
                y: (y + 4.0).clamp(12.0, height - 2.0),
                text: "lost".into(),
                class: "small bad",
                anchor: if right { Anchor::Start } else { Anchor::End },
            });
        }
        let class = if m.req_id.is_some() {
            if lost {
                "msg produce lost"
            } else {
                "msg produce"
            }
        } else if lost {
            "msg replica lost"
        } else {
            "msg replica"
        };
        let _ = lost_class;
        let mut item = Item::named(
            class,
            if m.req_id.is_some() {
                Role::Button
            } else {
                Role::None
            },
            label,
            shapes,
        );
        // A request opens its batch; its response the batch it wrote.
        item.target = m.req_id.map(|req_id| Target::Request { req_id });
        items.push(item);
    }
    for ((a, b), count) in overflow {
        if let Some(path) = geometry.path(a, b, n) {
            let (x, y) = along(&path, 0.5);
            let x = x.clamp(40.0, width - 40.0);
            items.push(Item::named(
                "more",
                Role::Img,
                format!("{count} more messages between {} and {}", node(a), node(b)),
                vec![Shape::Text {
                    x,
                    y: (y + 20.0).min(height - 4.0),
                    text: format!("+{count} more"),
                    class: "small strong",
                    anchor: Anchor::Middle,
                }],
            ));
        }
    }

    Scene {
        width,
        height,
        items,
    }
}

/// The boxes (left, top, right, bottom) already covered by text that packet labels must not
/// overlap: the brokers' title rows and the labels placed so far.
struct LabelSpace {
    taken: Vec<(f64, f64, f64, f64)>,
}

impl LabelSpace {
    /// Adds `label` to `shapes` unless its box overlaps one already taken.
    fn place(&mut self, shapes: &mut Vec<Shape>, label: Shape) {
        let (l, t, r, b) = label.bounds();
        if self
            .taken
            .iter()
            .any(|&(l2, t2, r2, b2)| l < r2 && l2 < r && t < b2 && t2 < b)
        {
            return;
        }
        self.taken.push((l, t, r, b));
        shapes.push(label);
    }
}

/// A one-line summary for the figure's accessible name.
pub fn summary(v: &View) -> String {
    let open: usize = v
        .producer
        .open_batches
        .iter()
        .filter(|b| b.records > 0)
        .count();
    let down = v.brokers.iter().filter(|b| !b.up).count();
    format!(
        "Live view at {}: {} open, {} on the wire, {} of {} brokers up",
        duration(v.time_us),
        plural(open, "batch"),
        plural(v.network.len(), "message"),
        v.brokers.len() - down,
        v.brokers.len()
    )
    .replace("1 batchs", "1 batch")
    .replace("batchs", "batches")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksim::{Action, Fault, Scenario, Simulation, TopicSpec};

    fn sim(linger_ms: &str) -> Simulation {
        let mut s = Scenario::default();
        s.topics.push(TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 3,
            ..Default::default()
        });
        s.producer
            .config
            .insert("linger.ms".into(), linger_ms.into());
        Simulation::new(s).unwrap()
    }

    fn labels(s: &Scene) -> Vec<String> {
        s.items.iter().filter_map(|i| i.label.clone()).collect()
    }

    #[test]
    fn an_open_batch_is_named_with_records_bytes_and_linger_left() {
        let mut sim = sim("1000");
        for i in 0..3 {
            sim.produce("payments", Some("Alice"), Some(&format!("event {i}")))
                .unwrap();
        }
        sim.run_until(sim.now_us() + 258_000);
        let v = sim.view();
        let s = layout(&v, false, &[]);
        let b = &v
            .producer
            .open_batches
            .iter()
            .find(|b| b.records > 0)
            .unwrap();
        let name = format!(
            "open batch payments-{}: 3 records, {} B, linger 742 ms left",
            b.partition, b.bytes
        );
        assert!(labels(&s).contains(&name), "{:?}", labels(&s));
        assert!(s.outside().is_empty(), "{:?}", s.outside());
    }

    #[test]
    fn a_request_moves_with_virtual_time_and_a_crashed_broker_is_drawn_down() {
        let mut sim = sim("0");
        sim.produce("payments", Some("Alice"), Some("x")).unwrap();
        let mut positions = Vec::new();
        for _ in 0..200 {
            sim.step();
            let v = sim.view();
            if let Some(m) = v.network.iter().find(|m| m.kind == "Produce") {
                let s = layout(&v, false, &[]);
                let item = s
                    .items
                    .iter()
                    .find(|i| {
                        i.label
                            .as_deref()
                            .is_some_and(|l| l.starts_with("ProduceRequest #"))
                    })
                    .expect("the request is drawn");
                assert_eq!(
                    item.target,
                    Some(Target::Request {
                        req_id: m.req_id.unwrap()
                    })
                );
                if let Shape::Rect { x, .. } = item.shapes[0] {
                    positions.push(x);
                }
                // Half way through its flight, it is half way along its link.
                let half = (m.sent_us + m.arrival_us) / 2;
                let mut v2 = v.clone();
                v2.time_us = half;
                let s2 = layout(&v2, false, &[]);
                let moved = s2
                    .items
                    .iter()
                    .find(|i| i.label == item.label)
                    .and_then(|i| match i.shapes[0] {
                        Shape::Rect { x, .. } => Some(x),
                        _ => None,
                    })
                    .unwrap();
                assert!(moved > positions[0], "{moved} > {}", positions[0]);
                break;
            }
        }
        assert!(!positions.is_empty());
        let leader = sim.view().partitions[0].leader.unwrap();
        sim.apply(Action::InjectFault {
            fault: Fault::Crash { broker: leader },
        })
        .unwrap();
        let s = layout(&sim.view(), true, &[]);
        assert!(labels(&s).contains(&format!("Broker {leader}: down (crashed)")));
    }

    #[test]
    fn a_replica_bar_shows_where_retention_moved_the_log_start() {
        let scenario =
            Scenario::from_json(include_str!("../examples/retention-segments.json")).unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        let before = layout(&sim.view(), false, &[]);
        assert!(!labels(&before)
            .iter()
            .any(|l| l.contains("log start offset")));
        sim.run_until(60_000_000);
        let v = sim.view();
        let start = v.partitions[0].replicas[0].log_start_offset;
        assert!(start > 0, "retention deleted segments by 60 s");
        let s = layout(&v, false, &[]);
        let replica = s
            .items
            .iter()
            .find(|i| {
                i.label.as_deref().is_some_and(|l| {
                    l.contains(&format!("log start offset {start} (retention deleted"))
                })
            })
            .expect("the replica's name says where its log starts");
        assert!(replica
            .shapes
            .iter()
            .any(|sh| matches!(sh, Shape::Rect { class: "log-deleted", w, .. } if *w > 0.0)));
        assert!(replica.shapes.iter().any(|sh| matches!(
            sh,
            Shape::Line {
                class: "log-start-mark",
                ..
            }
        )));
    }

    #[test]
    fn the_schema_registry_is_drawn_with_its_calls_and_its_refusal() {
        let example = |name: &str| {
            let path = format!("{}/examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
            Simulation::new(Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap())
                .unwrap()
        };
        // Without a registry in the scenario, none is drawn.
        assert!(!labels(&layout(&sim("5").view(), false, &[]))
            .iter()
            .any(|l| l.starts_with("Schema Registry")));
        for narrow in [false, true] {
            let mut sim = example("avro-payments");
            let mut saw_call = false;
            for _ in 0..400 {
                sim.step();
                let s = layout(&sim.view(), narrow, &[]);
                if labels(&s)
                    .iter()
                    .any(|l| l.starts_with("RegisterSchema producer → Schema Registry"))
                {
                    saw_call = true;
                    assert!(labels(&s).iter().any(|l| l.starts_with("Schema Registry: ")
                        && l.ends_with("the application is waiting for it")));
                    break;
                }
            }
            assert!(
                saw_call,
                "the serializer's call is drawn on its way (narrow {narrow})"
            );
            sim.run_until_idle(1_000_000);
            let s = layout(&sim.view(), narrow, &[]);
            assert!(
                labels(&s).iter().any(|l| l
                    == "Schema Registry: 1 subject · 1 version · newest payments-value v1 (id 1); compatibility BACKWARD"),
                "{:?}",
                labels(&s)
            );
            for sh in s.items.iter().flat_map(|i| &i.shapes) {
                let (_, _, x1, y1) = sh.bounds();
                assert!(x1 <= s.width + 1.0 && y1 <= s.height + 1.0, "{sh:?} inside");
            }
        }
        let mut sim = example("schema-evolution");
        sim.run_until_idle(1_000_000);
        let s = layout(&sim.view(), false, &[]);
        let registry = s
            .items
            .iter()
            .find(|i| i.class == "registry")
            .expect("the registry");
        assert!(
            registry
                .label
                .as_deref()
                .is_some_and(|l| l.contains("last refused: HTTP 409 for payments-value")),
            "{:?}",
            registry.label
        );
        assert!(registry.shapes.iter().any(
            |sh| matches!(sh, Shape::Text { text, .. } if text.starts_with("✗ refused: HTTP 409"))
        ));
    }

    #[test]
    fn a_packet_says_why_its_batch_was_sent() {
        for (linger, flush, why) in [("5", false, "linger.ms"), ("60000", true, "flush()")] {
            let mut sim = sim(linger);
            sim.produce("payments", Some("Alice"), Some("x")).unwrap();
            if flush {
                sim.apply(Action::Flush { timeout_ms: None }).unwrap();
            }
            while !sim.view().network.iter().any(|m| m.kind == "Produce") {
                sim.step().expect("a request is sent");
            }
            let s = layout(&sim.view(), false, &send_reasons(sim.log()));
            assert!(
                labels(&s)
                    .iter()
                    .any(|l| l.starts_with("ProduceRequest #")
                        && l.contains(&format!("sent by {why}"))),
                "{:?}",
                labels(&s)
            );
        }
    }

    #[test]
    fn isolation_cuts_the_producer_link_only_when_it_includes_the_producer() {
        for include_producer in [false, true] {
            let mut sim = sim("5");
            sim.apply(Action::InjectFault {
                fault: Fault::Isolate {
                    broker: 2,
                    include_producer,
                },
            })
            .unwrap();
            let s = layout(&sim.view(), false, &[]);
            let l = labels(&s);
            assert!(l.contains(&"Broker 2: isolated".to_string()), "{l:?}");
            let want = if include_producer { "cut" } else { "up" };
            assert!(
                l.contains(&format!("link producer – broker 2: {want}")),
                "{l:?}"
            );
        }
    }

    #[test]
    fn the_drawing_stays_under_its_node_cap_at_any_load() {
        let mut s = Scenario::default();
        s.cluster.brokers = 9;
        for t in 0..8 {
            s.topics.push(TopicSpec {
                name: format!("a-topic-with-a-very-long-name-{t}-{}", "x".repeat(200)),
                partitions: 12,
                replication_factor: 3,
                ..Default::default()
            });
        }
        s.producer.config.insert("linger.ms".into(), "5".into());
        let mut sim = Simulation::new(s).unwrap();
        let mut max_nodes = 0;
        for round in 0..30 {
            for i in 0..300 {
                let topic = format!(
                    "a-topic-with-a-very-long-name-{}-{}",
                    i % 8,
                    "x".repeat(200)
                );
                let _ = sim.produce(&topic, Some(&format!("k{i}-{round}")), Some("value"));
            }
            sim.run_until(sim.now_us() + 3_000);
            for narrow in [false, true] {
                let scene = layout(&sim.view(), narrow, &send_reasons(sim.log()));
                max_nodes = max_nodes.max(scene.node_count());
                assert!(scene.node_count() <= MAX_NODES, "{}", scene.node_count());
                assert!(scene.outside().is_empty(), "{:?}", scene.outside());
            }
        }
        assert!(
            max_nodes > MAX_NODES / 3,
            "the load must fill the drawing: {max_nodes}"
        );
    }

    #[test]
    fn packet_labels_never_cover_each_other_or_a_broker_title() {
        // "Produce many events" at 10,000 events/s into 6 partitions: many requests in flight
        // at once, which on a phone all travel down the same bus.
        let mut s = Scenario::default();
        s.topics.push(TopicSpec {
            name: "bench".into(),
            partitions: 6,
            replication_factor: 3,
            ..Default::default()
        });
        s.producer.config.insert("linger.ms".into(), "0".into());
        let mut sim = Simulation::new(s).unwrap();
        let mut labels_shown = 0;
        for round in 0..40 {
            for i in 0..60 {
                let _ = sim.produce("bench", Some(&format!("k{i}-{round}")), Some("value"));
            }
            sim.run_until(sim.now_us() + 700);
            for narrow in [false, true] {
                let scene = layout(&sim.view(), narrow, &send_reasons(sim.log()));
                let texts = |class: &str| -> Vec<(f64, f64, f64, f64)> {
                    scene
                        .items
                        .iter()
                        .flat_map(|i| &i.shapes)
                        .filter(|sh| matches!(sh, Shape::Text { class: c, .. } if *c == class))
                        .map(Shape::bounds)
                        .collect()
                };
                let packet_labels = texts("small packet-label");
                let titles = texts("title");
                let overlap = |a: &(f64, f64, f64, f64), b: &(f64, f64, f64, f64)| {
                    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
                };
                for (n, a) in packet_labels.iter().enumerate() {
                    for b in &packet_labels[n + 1..] {
                        assert!(
                            !overlap(a, b),
                            "round {round}, narrow {narrow}: {a:?} {b:?}"
                        );
                    }
                    for t in &titles {
                        assert!(
                            !overlap(a, t),
                            "round {round}, narrow {narrow}: {a:?} {t:?}"
                        );
                    }
                }
                labels_shown += packet_labels.len();
            }
        }
        assert!(
            labels_shown > 40,
            "labels must still be drawn: {labels_shown}"
        );
    }
}
