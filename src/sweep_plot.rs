//! The geometry of a sweep's trade-off curve: one measure (throughput, requests, records per
//! batch, bytes on the wire, a latency percentile) against the values of the swept setting, as
//! a `scene::Scene` the SVG renderer draws. A pure function of numbers the core computed
//! (`kplay sweep` prints the same rows), tested natively.
//!
//! The x axis is the list of values as the learner gave them, evenly spaced (a sweep is often
//! 0, 5, 20, 100 ms, or codec names, where a linear scale would crowd or mean nothing). The y
//! axis starts at zero, so a small change does not look like a large one. Each point is an
//! image with its value in words; the setting's current value is a ring with the word
//! "current" (not a colour alone).

use crate::scene::{Anchor, Item, Role, Scene, Shape, GLYPH_WIDTH, SMALL_TEXT_PX};

/// One measure over the sweep's values; `None` where a run gave nothing to measure (for
/// example no delivered record, so no latency).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// "Throughput", "p99 delivery latency", …
    pub title: String,
    /// "records/s", "ms", "B", …
    pub unit: String,
    pub points: Vec<Option<f64>>,
}

pub const WIDTH: f64 = 320.0;
pub const HEIGHT: f64 = 180.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 34.0;
const Y_TICKS: usize = 4;

/// A round number at or above `max / Y_TICKS` (1, 2 or 5 times a power of ten), so the axis
/// reads 0, 250, 500, … rather than 0, 237.4, ….
fn tick_step(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / Y_TICKS as f64;
    let pow = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * pow)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * pow)
}

/// A number as the axis and the names say it: thousands separated, at most 3 significant
/// decimals below 10.
pub fn number(v: f64) -> String {
    if v.abs() >= 10.0 || v == v.trunc() {
        let r = v.round() as i64;
        let digits = r.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if r < 0 {
            out.insert(0, '-');
        }
        out
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// "1 request", "2 requests": the plural units are singular for exactly one.
fn unit_for(v: f64, unit: &str) -> &str {
    match unit {
        "requests" | "records" if number(v) == "1" => &unit[..unit.len() - 1],
        _ => unit,
    }
}

/// Where a small text centred on `x` goes so it stays inside the drawing: centred, or held at
/// the edge it would cross.
fn inside(x: f64, text: &str) -> (f64, Anchor) {
    let half_w = text.chars().count() as f64 * SMALL_TEXT_PX * GLYPH_WIDTH / 2.0;
    if x + half_w > WIDTH - 2.0 {
        (WIDTH - 2.0, Anchor::End)
    } else if x - half_w < 2.0 {
        (2.0, Anchor::Start)
    } else {
        (x, Anchor::Middle)
    }
}

/// The plot of `series` against `setting` = `values`; `current` is the index of the value the
/// scenario has now, if it is among them.
pub fn plot(setting: &str, values: &[String], series: &Series, current: Option<usize>) -> Scene {
    let n = values.len().min(series.points.len());
    let max = series
        .points
        .iter()
        .take(n)
        .flatten()
        .fold(0.0f64, |m, v| m.max(*v));
    let step = tick_step(max);
    let top_value = (step * Y_TICKS as f64).max(step);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x_of = |i: usize| {
        if n <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| TOP + plot_h * (1.0 - (v / top_value).clamp(0.0, 1.0));
    let mut items = Vec::new();

    // Axes, grid and labels: decoration; the points carry the data in words.
    let mut axes = vec![
        Shape::text(
            4.0,
            14.0,
            format!("{} ({})", series.title, series.unit),
            "small strong",
        ),
        Shape::Line {
            x1: LEFT,
            y1: TOP,
            x2: LEFT,
            y2: TOP + plot_h,
            class: "axis",
        },
        Shape::Line {
            x1: LEFT,
            y1: TOP + plot_h,
            x2: LEFT + plot_w,
            y2: TOP + plot_h,
            class: "axis",
        },
    ];
    for t in 0..=Y_TICKS {
        let v = step * t as f64;
        let y = y_of(v);
        if t > 0 {
            axes.push(Shape::Line {
                x1: LEFT,
                y1: y,
                x2: LEFT + plot_w,
                y2: y,
                class: "grid",
            });
        }
        axes.push(Shape::Text {
            x: LEFT - 4.0,
            y: y + 4.0,
            text: number(v),
            class: "small muted",
            anchor: Anchor::End,
        });
    }
    // Value labels: cut to the room between two values (the point's name has the whole
    // value), and kept inside the drawing at both ends.
    let room_chars = if n <= 1 {
        usize::MAX
    } else {
        ((plot_w / (n - 1) as f64 - 4.0) / (SMALL_TEXT_PX * GLYPH_WIDTH)).max(3.0) as usize
    };
    for (i, v) in values.iter().take(n).enumerate() {
        let text = if v.chars().count() > room_chars {
            let cut: String = v.chars().take(room_chars - 1).collect();
            format!("{cut}…")
        } else {
            v.clone()
        };
        let (x, anchor) = inside(x_of(i), &text);
        axes.push(Shape::Text {
            x,
            y: TOP + plot_h + 14.0,
            text,
            class: "small",
            anchor,
        });
    }
    axes.push(Shape::Text {
        x: LEFT + plot_w / 2.0,
        y: HEIGHT - 4.0,
        text: setting.to_string(),
        class: "small muted",
        anchor: Anchor::Middle,
    });
    items.push(Item::plain("axes", axes));

    // The curve: one polyline per run of measured points (a gap where a run gave nothing).
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, p) in series.points.iter().take(n).enumerate() {
        match p {
            Some(v) => runs.last_mut().expect("one run").push((x_of(i), y_of(*v))),
            None => runs.push(Vec::new()),
        }
    }
    let lines: Vec<Shape> = runs
        .into_iter()
        .filter(|r| r.len() > 1)
        .map(|points| Shape::Polyline {
            points,
            class: "curve",
        })
        .collect();
    items.push(Item::plain("curve", lines));

    for (i, (value, p)) in values.iter().zip(&series.points).take(n).enumerate() {
        let is_current = current == Some(i);
        let label = format!(
            "{setting} = {value}{}: {}",
            if is_current { " (current)" } else { "" },
            match p {
                Some(v) => format!("{} {}", number(*v), unit_for(*v, &series.unit)),
                None => "not measured (no delivered record)".to_string(),
            }
        );
        let Some(v) = p else {
            items.push(Item::named("point", Role::Img, label, Vec::new()));
            continue;
        };
        let (x, y) = (x_of(i), y_of(*v));
        let mut shapes = vec![Shape::Circle {
            x,
            y,
            r: 3.5,
            class: "point",
        }];
        if is_current {
            shapes.push(Shape::Circle {
                x,
                y,
                r: 7.0,
                class: "current-ring",
            });
            // Above and to the side of the ring (clear of the axis labels and of a flat curve),
            // below it when it is at the top; on the side with room.
            let w = "current".len() as f64 * SMALL_TEXT_PX * GLYPH_WIDTH;
            let (tx, anchor) = if x + 6.0 + w <= WIDTH - 2.0 {
                (x + 6.0, Anchor::Start)
            } else {
                (x - 6.0, Anchor::End)
            };
            let ty = if y - 9.0 - SMALL_TEXT_PX > TOP {
                y - 9.0
            } else {
                y + 17.0
            };
            shapes.push(Shape::Text {
                x: tx,
                y: ty,
                text: "current".into(),
                class: "small strong",
                anchor,
            });
        }
        items.push(Item::named("point", Role::Img, label, shapes));
    }
    Scene {
        width: WIDTH,
        height: HEIGHT,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[Option<f64>]) -> Series {
        Series {
            title: "Throughput".into(),
            unit: "records/s".into(),
            points: points.to_vec(),
        }
    }

    fn values(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn labels(s: &Scene) -> Vec<String> {
        s.items.iter().filter_map(|i| i.label.clone()).collect()
    }

    fn point_y(s: &Scene, i: usize) -> f64 {
        let pts: Vec<&Item> = s.items.iter().filter(|i| i.class == "point").collect();
        match pts[i].shapes[0] {
            Shape::Circle { y, .. } => y,
            _ => panic!("a point is a circle"),
        }
    }

    #[test]
    fn each_point_says_its_setting_value_and_measure_and_the_current_one_says_so() {
        let s = plot(
            "linger.ms",
            &values(&["0", "5", "20"]),
            &series(&[Some(1200.0), Some(15_400.0), Some(19_876.4)]),
            Some(1),
        );
        assert_eq!(
            labels(&s),
            [
                "linger.ms = 0: 1,200 records/s",
                "linger.ms = 5 (current): 15,400 records/s",
                "linger.ms = 20: 19,876 records/s"
            ]
        );
        // Higher values are drawn higher (smaller y), and the current one has a ring and a word.
        assert!(point_y(&s, 0) > point_y(&s, 1) && point_y(&s, 1) > point_y(&s, 2));
        let current = s
            .items
            .iter()
            .filter(|i| i.class == "point")
            .nth(1)
            .unwrap();
        assert!(current.shapes.iter().any(|sh| matches!(
            sh,
            Shape::Circle {
                class: "current-ring",
                ..
            }
        )));
        assert!(current
            .shapes
            .iter()
            .any(|sh| matches!(sh, Shape::Text { text, .. } if text == "current")));
    }

    #[test]
    fn the_axis_starts_at_zero_with_round_ticks_and_everything_stays_inside() {
        let s = plot(
            "batch.size",
            &values(&["1000", "16384", "1000000"]),
            &series(&[Some(237.0), Some(238.0), Some(239.0)]),
            None,
        );
        let ticks: Vec<String> = s.items[0]
            .shapes
            .iter()
            .filter_map(|sh| match sh {
                Shape::Text {
                    text,
                    anchor: Anchor::End,
                    class: "small muted",
                    ..
                } => Some(text.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(ticks, ["0", "100", "200", "300", "400"]);
        // Nearly equal values look nearly equal: all three within the top half.
        for i in 0..3 {
            assert!(point_y(&s, i) < TOP + (HEIGHT - TOP - BOTTOM) / 2.0);
        }
        for item in &s.items {
            for sh in &item.shapes {
                let (x0, y0, x1, y1) = sh.bounds();
                assert!(
                    x0 >= 0.0 && y0 >= 0.0 && x1 <= WIDTH + 0.5 && y1 <= HEIGHT + 0.5,
                    "{sh:?} inside the viewBox"
                );
            }
        }
    }

    #[test]
    fn a_run_without_a_measure_is_a_gap_named_as_such_and_odd_input_does_not_break_it() {
        let s = plot(
            "acks",
            &values(&["0", "1", "all"]),
            &series(&[Some(3.0), None, Some(9.5)]),
            None,
        );
        assert_eq!(
            labels(&s)[1],
            "acks = 1: not measured (no delivered record)"
        );
        let curves = &s.items.iter().find(|i| i.class == "curve").unwrap().shapes;
        assert!(curves.is_empty(), "no line across the gap: {curves:?}");
        // Twelve long values: labels are cut, and nothing leaves the drawing.
        let many: Vec<String> = (0..12).map(|i| format!("{}", 1_000_000 + i)).collect();
        let s = plot("batch.size", &many, &series(&[Some(5.0); 12]), Some(11));
        for sh in s.items.iter().flat_map(|i| &i.shapes) {
            let (x0, _, x1, _) = sh.bounds();
            assert!(x0 >= 0.0 && x1 <= WIDTH + 0.5, "{sh:?} inside the viewBox");
        }
        assert!(labels(&s)[11].starts_with("batch.size = 1000011 (current)"));
        // One value, zeros, and more values than points.
        for (v, p) in [
            (values(&["5"]), series(&[Some(1.0)])),
            (values(&["a", "b"]), series(&[Some(0.0), Some(0.0)])),
            (values(&["a", "b", "c"]), series(&[Some(2.0)])),
        ] {
            let s = plot("x", &v, &p, Some(0));
            assert_eq!(
                s.items.iter().filter(|i| i.class == "point").count(),
                v.len().min(p.points.len())
            );
        }
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1_234_567.4), "1,234,567");
        assert_eq!(number(-2500.0), "-2,500");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(0.125), "0.125");
        assert_eq!(number(12.6), "13");
        assert_eq!(unit_for(1.0, "requests"), "request");
        assert_eq!(unit_for(2.0, "requests"), "requests");
        assert_eq!(unit_for(1.0, "records/s"), "records/s");
        assert_eq!(unit_for(1.0, "ms"), "ms");
    }
}
