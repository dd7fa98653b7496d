//! Shapes with coordinates and accessible names: what the live view and the sequence diagram
//! draw. Plain data, no web dependencies, so their geometry (`live_layout`, `sequence_layout`)
//! is tested natively; the Yew components only turn these into SVG elements.

/// Where a text's `x` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn svg(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Font size of texts with class `small` (px in viewBox units); others use `TEXT_PX`.
pub const SMALL_TEXT_PX: f64 = 11.0;
pub const TEXT_PX: f64 = 13.0;
/// Average glyph width as a share of the font size (system sans-serif; digits are a little
/// narrower), used to keep texts inside their boxes.
pub const GLYPH_WIDTH: f64 = 0.62;

#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        class: &'static str,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        class: &'static str,
    },
    Polyline {
        points: Vec<(f64, f64)>,
        class: &'static str,
    },
    Circle {
        x: f64,
        y: f64,
        r: f64,
        class: &'static str,
    },
    /// Two crossed lines (a lost message, a fault).
    Cross {
        x: f64,
        y: f64,
        r: f64,
        class: &'static str,
    },
    Text {
        x: f64,
        y: f64,
        text: String,
        class: &'static str,
        anchor: Anchor,
    },
}

impl Shape {
    pub fn text(x: f64, y: f64, text: impl Into<String>, class: &'static str) -> Shape {
        Shape::Text {
            x,
            y,
            text: text.into(),
            class,
            anchor: Anchor::Start,
        }
    }

    /// SVG elements this shape becomes.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn nodes(&self) -> usize {
        match self {
            Shape::Cross { .. } => 2,
            _ => 1,
        }
    }

    /// The box it covers (texts estimated from their length and font size).
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        match self {
            Shape::Rect { x, y, w, h, .. } => (*x, *y, x + w, y + h),
            Shape::Line { x1, y1, x2, y2, .. } => {
                (x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2))
            }
            Shape::Polyline { points, .. } => points.iter().fold(
                (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
                |(a, b, c, d), (x, y)| (a.min(*x), b.min(*y), c.max(*x), d.max(*y)),
            ),
            Shape::Circle { x, y, r, .. } | Shape::Cross { x, y, r, .. } => {
                (x - r, y - r, x + r, y + r)
            }
            Shape::Text {
                x,
                y,
                text,
                class,
                anchor,
            } => {
                let px = if class.contains("small") {
                    SMALL_TEXT_PX
                } else {
                    TEXT_PX
                };
                let w = text.chars().count() as f64 * px * GLYPH_WIDTH;
                let left = match anchor {
                    Anchor::Start => *x,
                    Anchor::Middle => x - w / 2.0,
                    Anchor::End => x - w,
                };
                (left, y - px, left + w, y + px * 0.25)
            }
        }
    }
}

/// What an item is to assistive technology.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Decoration (hidden from the accessibility tree).
    None,
    /// A picture with a name (an open batch, a packet).
    Img,
    /// Opens the inspector.
    Button,
    /// A named group (a broker).
    Group,
}

/// What clicking an item opens in the inspector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A batch stored on a broker (`Simulation::batch_bytes`).
    Stored {
        topic: String,
        partition: u32,
        broker: u32,
        index: usize,
    },
    /// ProduceRequest `req_id`: its first batch while on the wire, else the batch it wrote.
    Request { req_id: u64 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub class: &'static str,
    pub role: Role,
    pub label: Option<String>,
    pub target: Option<Target>,
    pub shapes: Vec<Shape>,
}

impl Item {
    pub fn plain(class: &'static str, shapes: Vec<Shape>) -> Item {
        Item {
            class,
            role: Role::None,
            label: None,
            target: None,
            shapes,
        }
    }

    pub fn named(class: &'static str, role: Role, label: String, shapes: Vec<Shape>) -> Item {
        Item {
            class,
            role,
            label: Some(label),
            target: None,
            shapes,
        }
    }
}

/// A drawing: a viewBox of `width` × `height` and its items in painting order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub items: Vec<Item>,
}

#[cfg_attr(not(test), allow(dead_code))]
impl Scene {
    /// SVG elements the drawing becomes (one `g` per item plus its shapes).
    pub fn node_count(&self) -> usize {
        self.items
            .iter()
            .map(|i| 1 + i.shapes.iter().map(Shape::nodes).sum::<usize>())
            .sum()
    }

    /// Shapes that leave the viewBox (or have non-finite coordinates), for tests.
    pub fn outside(&self) -> Vec<&Shape> {
        self.items
            .iter()
            .flat_map(|i| &i.shapes)
            .filter(|s| {
                let (a, b, c, d) = s.bounds();
                let finite = [a, b, c, d].iter().all(|v| v.is_finite());
                !finite || a < -0.5 || b < -0.5 || c > self.width + 0.5 || d > self.height + 0.5
            })
            .collect()
    }
}

/// `text` cut to at most `max` characters (an ellipsis marks the cut): topic names can be 249
/// characters long.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Characters of `class` text that fit in `width`.
pub fn chars_in(width: f64, small: bool) -> usize {
    let px = if small { SMALL_TEXT_PX } else { TEXT_PX };
    (width / (px * GLYPH_WIDTH)).floor().max(1.0) as usize
}

/// A duration for labels: "742 ms", "1.250 ms", "12.3 s".
pub fn duration(us: u64) -> String {
    if us >= 10_000_000 {
        format!("{:.1} s", us as f64 / 1e6)
    } else if us >= 10_000 {
        format!("{} ms", us / 1000)
    } else {
        format!("{:.3} ms", us as f64 / 1000.0)
    }
}

/// The point at share `t` (0..1) of a polyline's length.
pub fn along(points: &[(f64, f64)], t: f64) -> (f64, f64) {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let seg = |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let total: f64 = points.windows(2).map(|w| seg(w[0], w[1])).sum();
    let Some(&first) = points.first() else {
        return (0.0, 0.0);
    };
    if total <= 0.0 {
        return first;
    }
    let mut left = t * total;
    for w in points.windows(2) {
        let l = seg(w[0], w[1]);
        if left <= l && l > 0.0 {
            let f = left / l;
            return (
                w[0].0 + (w[1].0 - w[0].0) * f,
                w[0].1 + (w[1].1 - w[0].1) * f,
            );
        }
        left -= l;
    }
    *points.last().unwrap_or(&first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn along_walks_a_polyline_by_length() {
        let p = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
        assert_eq!(along(&p, 0.0), (0.0, 0.0));
        assert_eq!(along(&p, 0.25), (5.0, 0.0));
        assert_eq!(along(&p, 0.75), (10.0, 5.0));
        assert_eq!(along(&p, 2.0), (10.0, 10.0));
        assert_eq!(along(&p, f64::NAN), (0.0, 0.0));
    }

    #[test]
    fn fit_cuts_long_names_with_an_ellipsis() {
        assert_eq!(fit("payments", 10), "payments");
        assert_eq!(fit("payments-and-more", 8), "payment…");
    }
}
