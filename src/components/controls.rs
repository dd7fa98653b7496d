//! Playback: play/pause, step one event forward or back, run to the next delivery report, speed
//! (log scale), a time scrubber that rewinds, reset, help. Keyboard: Space, ←, →, `?`.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Playback speeds as virtual milliseconds per real second (log scale).
pub const SPEEDS: [(f64, &str); 7] = [
    (0.1, "1/10000×"),
    (1.0, "1/1000×"),
    (10.0, "1/100×"),
    (100.0, "1/10×"),
    (1000.0, "1× real time"),
    (10_000.0, "10×"),
    (100_000.0, "100×"),
];
pub const DEFAULT_SPEED: usize = 2;

#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    TogglePlay,
    StepForward,
    StepBack,
    NextReport,
    Speed(usize),
    Seek(u64),
    Reset,
    Help,
    CopyLink,
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub playing: bool,
    pub speed: usize,
    pub now_us: u64,
    pub head_us: u64,
    /// Events the core has processed (→ steps exactly one).
    pub events: u64,
    /// Virtual times of fired faults, marked under the scrubber.
    pub marks: std::rc::Rc<Vec<u64>>,
    /// The speed achieved (virtual ms per real second, like `SPEEDS`) when the simulation
    /// cannot keep up with the chosen one.
    pub achieved_speed: Option<f64>,
    /// A rewind replaying in pieces: where the replay is and where it goes.
    #[prop_or_default]
    pub rewinding: Option<crate::timeline::RewindPosition>,
    pub on: Callback<Control>,
}

/// A speed (virtual ms per real second) as the speed menu would name it: "24×", "1/3×", and
/// between 1/10× and 1× as a decimal ("0.8×"), never the "1/1×" that rounding 1/0.8 gave.
fn speed_name(virtual_ms_per_s: f64) -> String {
    let factor = virtual_ms_per_s / 1000.0;
    if factor >= 1.0 {
        format!("{factor:.0}×")
    } else if factor >= 0.095 {
        format!("{factor:.1}×")
    } else if factor > 0.0 {
        format!("1/{:.0}×", 1.0 / factor)
    } else {
        "0×".into()
    }
}

#[cfg(test)]
mod tests {
    use super::speed_name;

    #[test]
    fn a_speed_just_under_real_time_is_not_called_1_1() {
        assert_eq!(speed_name(800.0), "0.8×");
        assert_eq!(speed_name(960.0), "1.0×");
        assert_eq!(speed_name(24_000.0), "24×");
        assert_eq!(speed_name(300.0), "0.3×");
        assert_eq!(speed_name(3.0), "1/333×");
        assert_eq!(speed_name(0.0), "0×");
    }
}

/// Virtual time in seconds for the rewind status ("12.3 s").
fn seconds(us: u64) -> String {
    format!("{:.1} s", us as f64 / 1e6)
}

fn ms(us: u64) -> String {
    format!("{:.3} ms", us as f64 / 1000.0)
}

#[function_component(Controls)]
pub fn controls(p: &ControlsProps) -> Html {
    let send = |c: Control| {
        let on = p.on.clone();
        Callback::from(move |_: MouseEvent| on.emit(c.clone()))
    };
    let on_speed = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            on.emit(Control::Speed(v.parse().unwrap_or(DEFAULT_SPEED)));
        })
    };
    let on_seek = {
        let on = p.on.clone();
        Callback::from(move |e: InputEvent| {
            if let Ok(v) = e
                .target_unchecked_into::<HtmlInputElement>()
                .value()
                .parse::<f64>()
            {
                on.emit(Control::Seek(v.max(0.0) as u64));
            }
        })
    };
    let rewound = p.now_us < p.head_us;
    html! {
        <div class="controls" role="toolbar" aria-label="Playback">
            <button class="primary play" onclick={send(Control::TogglePlay)} aria-keyshortcuts="Space"
                aria-label={if p.playing { "Pause" } else { "Play" }}>
                { if p.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button onclick={send(Control::StepBack)} aria-keyshortcuts="ArrowLeft" aria-label="Step back"
                title="Back to the previous event (←)">{ "◀ Back" }</button>
            <button onclick={send(Control::StepForward)} aria-keyshortcuts="ArrowRight" aria-label="Step"
                title="Process exactly one event (→)">{ "Step ▶" }</button>
            <button onclick={send(Control::NextReport)} title="Run until the next delivery report">{ "Next report" }</button>
            <label class="sr-only" for="speed">{ "Speed" }</label>
            <select id="speed" onchange={on_speed} title="Playback speed">
                { for SPEEDS.iter().enumerate().map(|(i, (_, name))| html! {
                    <option value={i.to_string()} selected={i == p.speed}>{ *name }</option>
                }) }
            </select>
            <div class="scrub">
                <label class="sr-only" for="scrubber">{ "Virtual time" }</label>
                <div class="scrub-track">
                    <input id="scrubber" type="range" min="0" max={p.head_us.max(1).to_string()} step="1"
                        value={p.now_us.to_string()} oninput={on_seek}
                        aria-valuetext={format!("{} of {}", ms(p.now_us), ms(p.head_us))} />
                    <div class="marks" aria-hidden="true">
                        { for p.marks.iter().map(|t| html! {
                            <span class="mark" style={format!("left: {:.2}%", *t as f64 / p.head_us.max(1) as f64 * 100.0)}></span>
                        }) }
                    </div>
                </div>
                <span class="clock" aria-live="off">
                    { format!("t = {}", ms(p.now_us)) }
                    <span class="events" title="Events processed by the simulation">{ format!(" · {} events", p.events) }</span>
                    if rewound { <span class="pill warn">{ "rewound" }</span> }
                    if let Some(r) = p.rewinding {
                        <span class="pill warn" role="status" title="Going back means replaying the run from the nearest checkpoint before that moment; a long one is replayed a piece per frame.">
                            { format!("rewinding: replayed to {} of {}", seconds(r.replayed_us), seconds(r.target_us)) }</span>
                    }
                    if let Some(achieved) = p.achieved_speed {
                        <span class="pill warn" title="The simulation needs more real time than the page can give it at this speed: virtual time runs slower than chosen, and no event is skipped.">
                            { format!("running at {}", speed_name(achieved)) }</span>
                    }
                </span>
            </div>
            <button onclick={send(Control::Reset)}>{ "Reset" }</button>
            <button onclick={send(Control::Help)} aria-keyshortcuts="?" aria-label="Help">{ "?" }</button>
        </div>
    }
}
