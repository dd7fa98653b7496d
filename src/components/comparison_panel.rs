//! "Run both ways": the current scenario run twice on the same seed and actions, with settings
//! the learner picks on each side (a lesson that teaches a contrast starts from it,
//! `kshare::contrasts`), and the two outcomes side by side with the differences in words. The
//! core prepares, runs and compares the variants (`ksim::variant`); this only sends the
//! settings and renders what comes back. A long run goes on a piece per frame with its progress
//! and a Cancel button, so the page stays responsive.

use super::field::Field;
use super::scene_svg::SceneSvg;
use super::Snapshot;
use crate::clock::{now_ms, Ticker};
use crate::scene::{Role, Scene};
use crate::sequence_layout::{self, Axis, TimeScale};
use ksim::variant::{
    self, bytes_text, rate_text, Comparison, Variant, VariantError, VariantRunner,
};
use ksim::{Outcome, Scenario};
use std::rc::Rc;
use yew::prelude::*;

/// Wall-clock time the runs may take per frame (the rest of the frame is the page's).
const FRAME_WORK_MS: f64 = 8.0;
/// Events between two looks at the clock.
const PIECE_EVENTS: u64 = 2_000;

#[derive(Properties, PartialEq)]
pub struct ComparisonPanelProps {
    /// The session's scenario (every action the learner applied, with the lesson's own).
    pub scenario: Snapshot<Scenario>,
    pub lesson: Option<&'static str>,
    /// A comparison a share link opened, with the count of such links so far
    /// (`session::Variants`): the panel fills both sides from it and runs them.
    #[prop_or_default]
    pub opened: Option<(u32, kshare::CompareSides)>,
    /// Both sides passed their checks and run: the session puts them in the share link.
    #[prop_or_default]
    pub on_run: Callback<kshare::CompareSides>,
}

/// One measure of the side-by-side table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub measure: &'static str,
    pub a: String,
    pub b: String,
    /// The core named this measure among the differences.
    pub differs: bool,
}

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.2} ms"))
}

/// The table's rows: each measure of both outcomes, marked where the core found a difference.
pub fn rows(c: &Comparison) -> Vec<Row> {
    let differs = |m: &str| c.differences.iter().any(|d| d.metric == m);
    let (a, b) = (&c.a.outcome, &c.b.outcome);
    let row = |measure, metric: &str, f: &dyn Fn(&Outcome) -> String| Row {
        measure,
        a: f(a),
        b: f(b),
        differs: differs(metric),
    };
    vec![
        row("Records acknowledged", "records_acknowledged", &|o| {
            o.records_acknowledged.to_string()
        }),
        row(
            "Lost (acknowledged, not in the log)",
            "records_lost",
            &|o| o.records_lost.to_string(),
        ),
        row("Duplicated in the log", "records_duplicated", &|o| {
            o.records_duplicated.to_string()
        }),
        row("Out of order per key", "records_out_of_order", &|o| {
            o.records_out_of_order.to_string()
        }),
        row("Failed reports", "records_failed", &|o| {
            o.records_failed.to_string()
        }),
        row("ProduceRequests", "produce_requests", &|o| {
            o.produce_requests.to_string()
        }),
        row("Bytes on the wire", "wire_bytes", &|o| {
            bytes_text(o.wire_bytes)
        }),
        row("Records per batch", "records_per_batch", &|o| {
            format!("{:.1}", o.records_per_batch)
        }),
        row("p50 delivery latency", "latency_p50_ms", &|o| {
            ms(o.latency_p50_ms)
        }),
        row("p99 delivery latency", "latency_p99_ms", &|o| {
            ms(o.latency_p99_ms)
        }),
        row("Throughput", "records_per_s", &|o| {
            rate_text(o.records_per_s)
        }),
    ]
}

/// A side's settings as typed: `NAME=VALUE`, several separated by commas.
pub fn parse_side(text: &str) -> Result<Variant, VariantError> {
    Variant::parse(text.split(',').map(str::trim).filter(|s| !s.is_empty()))
}

/// The sides a lesson starts from (its contrast), or free play's.
fn defaults(lesson: Option<&str>) -> (String, String) {
    let c = lesson
        .and_then(kshare::contrasts::for_lesson)
        .unwrap_or(kshare::contrasts::FREE_PLAY);
    (c.a.join(", "), c.b.join(", "))
}

enum State {
    Idle,
    Running {
        a: Box<VariantRunner>,
        b: Box<VariantRunner>,
        ticker: Option<Ticker>,
    },
    Done(Rc<Comparison>, Rc<Diagrams>),
}

/// Both sides' sequence diagrams of a finished comparison, on one time scale. Only the drawings
/// are kept (at most `sequence_layout::MAX_NODES` elements each), not the simulations.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagrams {
    pub a: Rc<Scene>,
    pub b: Rc<Scene>,
    /// How many idle stretches the shared timeline cuts out.
    pub breaks: usize,
}

/// Draws the two finished runs' sequence diagrams on one fitted time scale: the same virtual time
/// at the same x in both. Their arrows only show (the inspector opens the session's own run, not
/// a variant's), so nothing in them is a button.
pub fn diagrams(a: &VariantRunner, b: &VariantRunner) -> Diagrams {
    let (sa, sb) = (a.simulation(), b.simulation());
    let (va, vb) = (sa.view(), sb.view());
    let mut times = sequence_layout::times_to_show(&va, sa.log());
    times.extend(sequence_layout::times_to_show(&vb, sb.log()));
    let scale = TimeScale::fitted(&times);
    let draw = |v, log| {
        let mut s = sequence_layout::layout_on(v, log, &scale, Axis::Absolute);
        for i in &mut s.items {
            if i.target.take().is_some() {
                i.role = Role::Img;
            }
        }
        Rc::new(s)
    };
    Diagrams {
        a: draw(&va, sa.log()),
        b: draw(&vb, sb.log()),
        breaks: scale.breaks().len(),
    }
}

pub enum Msg {
    EditA(String),
    EditB(String),
    Run,
    Tick,
    Cancel,
}

pub struct ComparisonPanel {
    a_text: String,
    b_text: String,
    /// The error of each side's settings, shown at its field.
    a_error: Option<String>,
    b_error: Option<String>,
    state: State,
}

impl ComparisonPanel {
    /// Runs both sides until done or the frame's share is used; whether both are done.
    fn work(a: &mut VariantRunner, b: &mut VariantRunner) -> bool {
        let deadline = now_ms() + FRAME_WORK_MS;
        loop {
            let done = a.advance(PIECE_EVENTS) && b.advance(PIECE_EVENTS);
            if done {
                return true;
            }
            if now_ms() >= deadline {
                return false;
            }
        }
    }

    fn finish_if_done(&mut self, ctx: &Context<Self>) {
        let State::Running { a, b, ticker } = &mut self.state else {
            return;
        };
        if !Self::work(a, b) {
            if ticker.is_none() {
                let link = ctx.link().clone();
                *ticker = Ticker::start(move |_| link.send_message(Msg::Tick));
            }
            return;
        }
        let cmp = Comparison::of(a.result(), b.result());
        let d = diagrams(a, b);
        self.state = State::Done(Rc::new(cmp), Rc::new(d));
    }
}

impl Component for ComparisonPanel {
    type Message = Msg;
    type Properties = ComparisonPanelProps;

    fn create(ctx: &Context<Self>) -> Self {
        let (a_text, b_text) = match &ctx.props().opened {
            Some((_, sides)) => {
                ctx.link().send_message(Msg::Run);
                (sides.a.join(", "), sides.b.join(", "))
            }
            None => defaults(ctx.props().lesson),
        };
        ComparisonPanel {
            a_text,
            b_text,
            a_error: None,
            b_error: None,
            state: State::Idle,
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        if ctx.props().lesson != old.lesson {
            // Another lesson: its own contrast, and the old result goes.
            (self.a_text, self.b_text) = defaults(ctx.props().lesson);
            self.a_error = None;
            self.b_error = None;
            self.state = State::Idle;
        }
        // Only a newly opened link counts (the learner's own runs change the sides, not the
        // count).
        let count = |o: &Option<(u32, kshare::CompareSides)>| o.as_ref().map(|(n, _)| *n);
        if count(&ctx.props().opened) != count(&old.opened) {
            if let Some((_, sides)) = &ctx.props().opened {
                // A link opened a comparison: its sides, run at once.
                self.a_text = sides.a.join(", ");
                self.b_text = sides.b.join(", ");
                ctx.link().send_message(Msg::Run);
            }
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::EditA(t) => {
                self.a_text = t;
                self.a_error = None;
            }
            Msg::EditB(t) => {
                self.b_text = t;
                self.b_error = None;
            }
            Msg::Cancel => self.state = State::Idle,
            Msg::Tick => self.finish_if_done(ctx),
            Msg::Run => {
                let scenario = &ctx.props().scenario;
                let side = |text: &str| {
                    parse_side(text)
                        .and_then(|v| variant::prepare(scenario, &v))
                        .and_then(VariantRunner::new)
                        .map_err(|e| e.to_string())
                };
                // Both sides are checked before either runs.
                let (a, b) = (side(&self.a_text), side(&self.b_text));
                self.a_error = a.as_ref().err().cloned();
                self.b_error = b.as_ref().err().cloned();
                if let (Ok(a), Ok(b)) = (a, b) {
                    let texts = |t: &str| {
                        parse_side(t)
                            .map(|v| v.settings.iter().map(|s| s.to_string()).collect())
                            .unwrap_or_default()
                    };
                    ctx.props().on_run.emit(kshare::CompareSides {
                        a: texts(&self.a_text),
                        b: texts(&self.b_text),
                    });
                    self.state = State::Running {
                        a: Box::new(a),
                        b: Box::new(b),
                        ticker: None,
                    };
                    self.finish_if_done(ctx);
                } else {
                    self.state = State::Idle;
                }
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let lesson = ctx.props().lesson;
        let point = lesson
            .and_then(kshare::contrasts::for_lesson)
            .unwrap_or(kshare::contrasts::FREE_PLAY)
            .point;
        let running = matches!(self.state, State::Running { .. });
        html! {
            <section class="panel wide comparison-panel" aria-labelledby="h-compare">
                <h2 id="h-compare">{ "Run both ways" }</h2>
                <p class="hint">{ "Runs this scenario twice, same seed and actions, with the settings of each side for the whole run: " }{ point }</p>
                <div class="compare-sides">
                    <Field id="compare-a" label="Side A settings" value={self.a_text.clone()}
                        on_input={link.callback(Msg::EditA)} error={self.a_error.clone()}
                        hint={AttrValue::from("NAME=VALUE, comma-separated (acks=1, linger.ms=5)")} />
                    <Field id="compare-b" label="Side B settings" value={self.b_text.clone()}
                        on_input={link.callback(Msg::EditB)} error={self.b_error.clone()} />
                </div>
                <div class="form-actions">
                    <button class="primary small" disabled={running} onclick={link.callback(|_| Msg::Run)}>{ "Run both ways" }</button>
                    if let State::Running { a, b, .. } = &self.state {
                        <span class="hint" role="status">{ format!(
                            "Running: side A {} events ({:.1} s virtual), side B {} events ({:.1} s)…",
                            a.events(), a.now_us() as f64 / 1e6, b.events(), b.now_us() as f64 / 1e6) }</span>
                        <button class="small" onclick={link.callback(|_| Msg::Cancel)}>{ "Cancel" }</button>
                    }
                </div>
                if let State::Done(c, d) = &self.state {
                    { comparison_view(c, d, lesson) }
                }
            </section>
        }
    }
}

fn comparison_view(c: &Comparison, d: &Diagrams, lesson: Option<&'static str>) -> Html {
    let shows_point = lesson.and_then(|l| kshare::contrasts::check(l, c));
    html! {
        <section class="comparison" aria-label="Comparison">
            <div class="table-scroll">
            <table>
                <caption class="sr-only">{ format!("{} beside {}", c.a.label, c.b.label) }</caption>
                <thead>
                    <tr><th scope="col">{ "Measure" }</th><th scope="col">{ &c.a.label }</th><th scope="col">{ &c.b.label }</th></tr>
                </thead>
                <tbody>
                { for rows(c).into_iter().map(|r| html! {
                    <tr class={classes!(r.differs.then_some("differs"))}>
                        <th scope="row">{ r.measure }
                            if r.differs { <span class="mark">{ " (differs)" }</span> }
                        </th>
                        <td>{ r.a }</td>
                        <td>{ r.b }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
            <h3>{ "Difference" }</h3>
            if c.differences.is_empty() {
                <p>{ "Both ways gave the same numbers." }</p>
            } else {
                <ul class="differences">
                    { for c.differences.iter().map(|d| html! { <li>{ &d.text }</li> }) }
                </ul>
            }
            <h3 id="h-compare-seq">{ "Sequence diagrams, one timeline" }</h3>
            <p class="hint">{ format!(
                "Side A above, side B below, the same virtual time at the same place in both{}. Scroll sideways to move both.",
                match d.breaks {
                    0 => String::new(),
                    1 => "; one idle stretch is cut out (the strokes marked with its length)".to_string(),
                    n => format!("; {n} idle stretches are cut out (the strokes marked with their length)"),
                }) }</p>
            <div class="seq-scroll compare-seq" tabindex="0" role="group" aria-labelledby="h-compare-seq">
                <p class="seq-side" aria-hidden="true">{ format!("A: {}", c.a.label) }</p>
                <SceneSvg scene={d.a.clone()} label={AttrValue::from(format!("Sequence diagram, {}", c.a.label))}
                    class="sequence" on_target={Callback::noop()} />
                <p class="seq-side" aria-hidden="true">{ format!("B: {}", c.b.label) }</p>
                <SceneSvg scene={d.b.clone()} label={AttrValue::from(format!("Sequence diagram, {}", c.b.label))}
                    class="sequence" on_target={Callback::noop()} />
            </div>
            { for c.a.notes.iter().map(|n| html! { <p class="hint">{ format!("Side A: {n}.") }</p> }) }
            { for c.b.notes.iter().map(|n| html! { <p class="hint">{ format!("Side B: {n}.") }</p> }) }
            if let Some(ok) = shows_point {
                <p class={classes!("check", if ok { "passed" } else { "pending" })} role="status">
                    <strong>{ if ok { "✓ The comparison shows the lesson's point." } else { "○ The comparison does not show the lesson's point with these settings." } }</strong>
                </p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acks_lesson_rows_show_one_lost_record_beside_none() {
        let lesson = kshare::lessons::get("acks-and-leader-crash").unwrap();
        let (a, b) = defaults(Some(lesson.id));
        let (a, b) = (parse_side(&a).unwrap(), parse_side(&b).unwrap());
        let c = variant::compare(&lesson.scenario(), &a, &b).unwrap();
        let lost = rows(&c)
            .into_iter()
            .find(|r| r.measure.starts_with("Lost"))
            .unwrap();
        assert_eq!(
            (lost.a.as_str(), lost.b.as_str(), lost.differs),
            ("1", "0", true)
        );
        let same = rows(&c)
            .into_iter()
            .find(|r| r.measure == "Records acknowledged")
            .unwrap();
        assert!(!same.differs, "both sides had the record acknowledged");
        assert_eq!(
            (c.a.label.as_str(), c.b.label.as_str()),
            ("acks=1", "acks=all")
        );
    }

    #[test]
    fn a_side_is_comma_separated_settings_and_bad_text_is_an_error() {
        let v = parse_side(" acks=1 , linger.ms=5 ").unwrap();
        assert_eq!(v.label(), "acks=1, linger.ms=5");
        assert_eq!(parse_side("").unwrap(), Variant::default());
        assert!(parse_side("acks").is_err());
    }
}
