//! Draws a `scene::Scene` as SVG: the live view and the sequence diagram. A thin renderer: all
//! geometry and every accessible name come from `live_layout` / `sequence_layout`. Texts are
//! text nodes (never markup). Items with a target are buttons (click, Enter or Space) that open
//! the inspector. There are no CSS transitions: positions follow virtual time frame by frame,
//! so nothing tweens (and `prefers-reduced-motion` has nothing to stop).

use crate::scene::{Item, Role, Scene, Shape, Target};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SceneSvgProps {
    pub scene: Rc<Scene>,
    /// The figure's accessible name (starts with "Live view" / "Sequence diagram").
    pub label: AttrValue,
    pub class: AttrValue,
    pub on_target: Callback<Target>,
    /// Scrolled inside its box (the sequence diagram on a phone): start at the right end,
    /// where "now" is.
    #[prop_or_default]
    pub scroll_to_end: bool,
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn shape(s: &Shape) -> Html {
    match s {
        Shape::Rect { x, y, w, h, class } => html! {
            <rect x={n(*x)} y={n(*y)} width={n(w.max(0.0))} height={n(h.max(0.0))} class={*class} />
        },
        Shape::Line {
            x1,
            y1,
            x2,
            y2,
            class,
        } => html! {
            <line x1={n(*x1)} y1={n(*y1)} x2={n(*x2)} y2={n(*y2)} class={*class} />
        },
        Shape::Polyline { points, class } => {
            let pts = points
                .iter()
                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                .collect::<Vec<_>>()
                .join(" ");
            html! { <polyline points={pts} class={*class} /> }
        }
        Shape::Circle { x, y, r, class } => html! {
            <circle cx={n(*x)} cy={n(*y)} r={n(*r)} class={*class} />
        },
        Shape::Cross { x, y, r, class } => html! {
            <>
                <line x1={n(x - r)} y1={n(y - r)} x2={n(x + r)} y2={n(y + r)} class={*class} />
                <line x1={n(x - r)} y1={n(y + r)} x2={n(x + r)} y2={n(y - r)} class={*class} />
            </>
        },
        Shape::Text {
            x,
            y,
            text,
            class,
            anchor,
        } => html! {
            <text x={n(*x)} y={n(*y)} class={*class} text-anchor={anchor.svg()}>{ text.clone() }</text>
        },
    }
}

fn item(i: &Item, on_target: &Callback<Target>) -> Html {
    match (i.role, &i.target) {
        (Role::Button, Some(t)) => {
            let onclick = {
                let (on, t) = (on_target.clone(), t.clone());
                Callback::from(move |_: MouseEvent| on.emit(t.clone()))
            };
            let onkeydown = {
                let (on, t) = (on_target.clone(), t.clone());
                Callback::from(move |e: KeyboardEvent| {
                    if e.key() == "Enter" || e.key() == " " {
                        e.prevent_default();
                        on.emit(t.clone());
                    }
                })
            };
            // The button holds the shapes; its visible texts are drawn beside it (hidden from
            // assistive technology), so its name is exactly its label (WCAG 2.5.3: no visible
            // text that the name leaves out).
            let (texts, shapes): (Vec<&Shape>, Vec<&Shape>) = i
                .shapes
                .iter()
                .partition(|s| matches!(s, Shape::Text { .. }));
            html! {
                <>
                <g class={classes!(i.class, "clickable")} role="button" tabindex="0"
                    aria-label={i.label.clone()} {onclick} {onkeydown}>
                    { for shapes.into_iter().map(shape) }
                </g>
                if !texts.is_empty() {
                    <g class={classes!(i.class, "label")} aria-hidden="true">{ for texts.into_iter().map(shape) }</g>
                }
                </>
            }
        }
        (Role::None, _) => html! {
            <g class={i.class} aria-hidden="true">{ for i.shapes.iter().map(shape) }</g>
        },
        (role, _) => html! {
            <g class={i.class} role={if role == Role::Group { "group" } else { "img" }} aria-label={i.label.clone()}>
                { for i.shapes.iter().map(shape) }
            </g>
        },
    }
}

#[function_component(SceneSvg)]
pub fn scene_svg(p: &SceneSvgProps) -> Html {
    let s = &p.scene;
    let figure = use_node_ref();
    {
        let (figure, scroll) = (figure.clone(), p.scroll_to_end);
        use_effect_with((), move |_| {
            if let Some(parent) = figure
                .cast::<web_sys::Element>()
                .and_then(|f| f.parent_element())
                .filter(|_| scroll)
            {
                parent.set_scroll_left(parent.scroll_width());
            }
        });
    }
    html! {
        <figure ref={figure} class={classes!("scene", p.class.to_string())} aria-label={p.label.clone()}>
            <svg viewBox={format!("0 0 {} {}", n(s.width), n(s.height))} width={n(s.width)}
                preserveAspectRatio="xMinYMin meet" style={format!("aspect-ratio: {} / {}", n(s.width), n(s.height))}>
                { for s.items.iter().map(|i| item(i, &p.on_target)) }
            </svg>
        </figure>
    }
}
