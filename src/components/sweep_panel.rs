//! "Sweep a setting": the lecture's throughput-versus-latency trade-off as curves. The learner
//! picks one producer setting and a list of values; the panel runs the current scenario once per
//! value in a background worker (`sweep_job`, `sweep_worker`; a piece per animation frame where
//! no worker can start), with progress and Cancel, and draws,
//! against the setting, what the core measured: throughput, ProduceRequests, records per batch,
//! bytes on the wire, p50 and p99 delivery latency (`ksim::variant::SweepRow`, the rows
//! `kplay sweep` prints). Each plot is SVG with an accessible name and every point named in
//! words; a data table beside them holds the same numbers.

use super::scene_svg::SceneSvg;
use super::Snapshot;
use crate::clock::{now_ms, Ticker};
use crate::scene::Scene;
use crate::sweep_job::{current_index, Received, SweepJob, SETTINGS};
use crate::sweep_plot::{number, plot, Series};
use crate::sweep_worker::SweepReport;
use ksim::variant::{SweepRow, MAX_SWEEP_VALUES};
use ksim::{ProducerSettings, Scenario};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Wall-clock time the runs may take per frame when they run in the page (the rest of the
/// frame is the page's).
const FRAME_WORK_MS: f64 = 8.0;

#[derive(Properties, PartialEq)]
pub struct SweepPanelProps {
    /// The session's scenario (every action the learner applied, with the lesson's own).
    pub scenario: Snapshot<Scenario>,
    /// A sweep a share link opened, with the count of such links so far
    /// (`session::Variants`): the panel fills the setting and values from it and runs.
    #[prop_or_default]
    pub opened: Option<(u32, kshare::SweepSpec)>,
    /// A sweep passed its checks and runs: the session puts it in the share link.
    #[prop_or_default]
    pub on_run: Callback<kshare::SweepSpec>,
}

/// The opened sweep's setting and values as the form writes them, when the form offers that
/// setting.
fn opened_form(opened: &Option<(u32, kshare::SweepSpec)>) -> Option<(String, String)> {
    let (_, sw) = opened.as_ref()?;
    SETTINGS
        .iter()
        .any(|c| c.name == sw.name)
        .then(|| (sw.name.clone(), sw.values.join(",")))
}

pub enum SweepMsg {
    Setting(String),
    Values(String),
    Run,
    Cancel,
    Frame,
    Report(SweepReport),
}

/// The panel: the form's fields, the sweep running or last run, and why one did not start.
pub struct SweepPanel {
    setting: String,
    values: String,
    job: Option<SweepJob>,
    ticker: Option<Ticker>,
    error: Option<String>,
    cancelled: bool,
    /// The plots of the rows so far, drawn once per finished run rather than on every
    /// progress frame (six plots per frame would crowd the frame the runs share).
    plots: Rc<Vec<Rc<Scene>>>,
    plotted_rows: usize,
}

/// The producer's current value of `setting` in this scenario, as the sweep's values write it.
fn current_value(scenario: &Scenario, setting: &str) -> Option<String> {
    let s = ProducerSettings::from_spec(&scenario.producer).ok()?;
    Some(match setting {
        "linger.ms" => number(s.linger_us as f64 / 1000.0),
        "batch.size" => s.batch_size_bytes.to_string(),
        "batch.num.messages" => s.batch_num_messages.to_string(),
        "compression.type" => s.compression.name().to_string(),
        "acks" => s.acks.to_string(),
        "max.in.flight" => s.max_in_flight.to_string(),
        _ => return None,
    })
}

/// The measures drawn, from a row.
type Measure = fn(&SweepRow) -> Option<f64>;
const MEASURES: [(&str, &str, Measure); 6] = [
    ("Throughput", "records/s", |r| Some(r.records_per_s)),
    ("ProduceRequests", "requests", |r| {
        Some(r.produce_requests as f64)
    }),
    ("Records per batch", "records", |r| {
        Some(r.records_per_batch)
    }),
    ("Bytes on the wire", "B", |r| Some(r.wire_bytes as f64)),
    ("p50 delivery latency", "ms", |r| r.latency_p50_ms),
    ("p99 delivery latency", "ms", |r| r.latency_p99_ms),
];

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1} ms"))
}

impl SweepPanel {
    /// Runs the sweep in the page, a piece per frame.
    fn start_ticker(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.ticker = Ticker::start(move |_| link.send_message(SweepMsg::Frame));
    }

    /// Draws the plots again when the rows changed (a run finished, or a new sweep began).
    fn replot(&mut self, ctx: &Context<Self>) {
        let rows = self.job.as_ref().map_or(0, |j| j.rows.len());
        if rows == self.plotted_rows {
            return;
        }
        self.plotted_rows = rows;
        let Some(job) = &self.job else {
            self.plots = Rc::default();
            return;
        };
        let values: Vec<String> = job.rows.iter().map(|r| r.value.clone()).collect();
        let current = current_index(
            &job.sweep.values,
            current_value(&ctx.props().scenario, &job.sweep.name).as_deref(),
        )
        .filter(|i| *i < job.rows.len());
        self.plots = Rc::new(
            MEASURES
                .iter()
                .map(|(title, unit, f)| {
                    let series = Series {
                        title: (*title).into(),
                        unit: (*unit).into(),
                        points: job.rows.iter().map(f).collect(),
                    };
                    Rc::new(plot(&job.sweep.name, &values, &series, current))
                })
                .collect(),
        );
    }
}

impl Component for SweepPanel {
    type Message = SweepMsg;
    type Properties = SweepPanelProps;

    fn create(ctx: &Context<Self>) -> Self {
        let (setting, values) = opened_form(&ctx.props().opened)
            .inspect(|_| ctx.link().send_message(SweepMsg::Run))
            .unwrap_or_else(|| (SETTINGS[0].name.into(), SETTINGS[0].values.into()));
        SweepPanel {
            setting,
            values,
            job: None,
            ticker: None,
            error: None,
            cancelled: false,
            plots: Rc::default(),
            plotted_rows: 0,
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        // Only a newly opened link counts (the learner's own runs change the values, not the
        // count).
        let count = |o: &Option<(u32, kshare::SweepSpec)>| o.as_ref().map(|(n, _)| *n);
        if count(&ctx.props().opened) != count(&old.opened) {
            if let Some((setting, values)) = opened_form(&ctx.props().opened) {
                (self.setting, self.values) = (setting, values);
                ctx.link().send_message(SweepMsg::Run);
            }
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: SweepMsg) -> bool {
        match msg {
            SweepMsg::Setting(name) => {
                if let Some(c) = SETTINGS.iter().find(|c| c.name == name) {
                    self.values = c.values.to_string();
                }
                self.setting = name;
                self.error = None;
            }
            SweepMsg::Values(v) => {
                self.values = v;
                self.error = None;
            }
            SweepMsg::Run => {
                self.cancelled = false;
                let on_report = ctx.link().callback(SweepMsg::Report);
                // Drop the previous sweep (and its worker) before starting another.
                self.job = None;
                match SweepJob::start_in_worker(
                    &ctx.props().scenario,
                    &self.setting,
                    &self.values,
                    on_report,
                ) {
                    Ok(job) => {
                        ctx.props().on_run.emit(kshare::SweepSpec {
                            name: self.setting.clone(),
                            values: self
                                .values
                                .split(',')
                                .map(str::trim)
                                .filter(|v| !v.is_empty())
                                .map(String::from)
                                .collect(),
                        });
                        self.error = None;
                        let here = job.runs_here();
                        self.job = Some(job);
                        self.plotted_rows = usize::MAX;
                        self.ticker = None;
                        if here {
                            self.start_ticker(ctx);
                        }
                    }
                    Err(e) => {
                        self.error = Some(e.to_string());
                        self.job = None;
                    }
                }
            }
            SweepMsg::Cancel => {
                self.ticker = None;
                self.cancelled = self.job.as_ref().is_some_and(|j| !j.is_done());
                if let Some(j) = &mut self.job {
                    j.cancel();
                }
            }
            SweepMsg::Report(report) => {
                let Some(job) = &mut self.job else {
                    return false;
                };
                match job.receive(report) {
                    Received::Progress | Received::Done => {}
                    Received::MovedHere => self.start_ticker(ctx),
                    Received::Failed(why) => {
                        self.error = Some(format!("The sweep stopped: {why}"));
                    }
                }
            }
            SweepMsg::Frame => {
                let Some(job) = &mut self.job else {
                    self.ticker = None;
                    return false;
                };
                let deadline = now_ms() + FRAME_WORK_MS;
                match job.advance(|| now_ms() < deadline) {
                    Ok(true) => self.ticker = None,
                    Ok(false) => {}
                    Err(e) => {
                        self.error = Some(e.to_string());
                        self.ticker = None;
                        job.cancel();
                    }
                }
            }
        }
        self.replot(ctx);
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_setting = link.callback(|e: Event| {
            SweepMsg::Setting(e.target_unchecked_into::<HtmlSelectElement>().value())
        });
        let on_values = link.callback(|e: InputEvent| {
            SweepMsg::Values(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        let onsubmit = link.callback(|e: SubmitEvent| {
            e.prevent_default();
            SweepMsg::Run
        });
        let cancel = link.callback(|_: MouseEvent| SweepMsg::Cancel);
        let progress = self
            .job
            .as_ref()
            .and_then(SweepJob::progress)
            .filter(|_| !self.cancelled);
        let running = progress.is_some();
        let (setting, values, rows): (&str, &[String], &[SweepRow]) = match &self.job {
            Some(j) => (&j.sweep.name, &j.sweep.values, &j.rows),
            None => ("", &[], &[]),
        };
        let current = current_index(
            values,
            current_value(&ctx.props().scenario, setting).as_deref(),
        )
        .filter(|i| *i < rows.len());
        let status = match (&progress, self.cancelled, rows.is_empty()) {
            (Some(pr), _, _) => format!(
                "Running {setting} = {} ({} of {}): {} events so far",
                pr.value,
                pr.value_index + 1,
                pr.values,
                number(pr.events as f64)
            ),
            (None, true, _) => {
                format!("Cancelled after {} of {} values.", rows.len(), values.len())
            }
            // A run failed after it started (the message is at the field).
            (None, false, _) if self.error.is_some() && rows.len() < values.len() => {
                format!("Stopped after {} of {} values.", rows.len(), values.len())
            }
            (None, false, false) => format!(
                "Ran the scenario once per value of {setting}: {} runs, same seed and actions.",
                rows.len()
            ),
            (None, false, true) => String::new(),
        };
        let error = &self.error;
        html! {
            <section class="panel wide sweep" aria-labelledby="h-sweep">
                <h2 id="h-sweep">{ "Sweep a setting" }</h2>
                <p class="hint">{ "Runs this scenario once per value — same seed, same actions — and draws what the core measured against the setting: the lecture's trade-off between throughput and latency." }</p>
                <form aria-label="Sweep a setting" class="sweep-form" onsubmit={onsubmit} novalidate=true>
                    <div class="field">
                        <label for="sweep-setting">{ "Setting" }</label>
                        <select id="sweep-setting" onchange={on_setting} disabled={running}>
                            { for SETTINGS.iter().map(|c| html! { <option value={c.name} selected={self.setting == c.name}>{ c.name }</option> }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="sweep-values">{ "Values" }</label>
                        <input id="sweep-values" type="text" value={self.values.clone()} oninput={on_values} disabled={running}
                            aria-invalid={if error.is_some() { "true" } else { "false" }}
                            aria-describedby={if error.is_some() { "sweep-values-error" } else { "sweep-values-hint" }} />
                        if let Some(e) = &error {
                            <div class="field-error" id="sweep-values-error">{ e }</div>
                        } else {
                            <div class="hint" id="sweep-values-hint">{ format!("Comma separated, at most {MAX_SWEEP_VALUES}.") }</div>
                        }
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled={running}>{ "Run sweep" }</button>
                        if running {
                            <button type="button" onclick={cancel}>{ "Cancel" }</button>
                        }
                    </div>
                </form>
                <p role="status" aria-live="polite" class="sweep-status">{ status }</p>
                if !rows.is_empty() {
                    <div class="sweep-plots">
                        { for MEASURES.iter().zip(self.plots.iter()).map(|((title, _, _), scene)| html! {
                            <SceneSvg scene={scene.clone()} label={format!("{title} against {}", setting)}
                                class="sweep-plot" on_target={Callback::noop()} />
                        }) }
                    </div>
                    <div class="table-scroll">
                        <table class="sweep-table">
                            <caption>{ format!("Sweep of {}: the numbers in the plots", setting) }</caption>
                            <thead><tr>
                                <th scope="col">{ setting.to_string() }</th>
                                <th scope="col">{ "records/s" }</th>
                                <th scope="col">{ "requests" }</th>
                                <th scope="col">{ "records/batch" }</th>
                                <th scope="col">{ "wire bytes" }</th>
                                <th scope="col">{ "p50" }</th>
                                <th scope="col">{ "p99" }</th>
                                <th scope="col">{ "delivered" }</th>
                            </tr></thead>
                            <tbody>
                                { for rows.iter().enumerate().map(|(i, r)| html! {
                                    <tr class={classes!((current == Some(i)).then_some("current"))}>
                                        <th scope="row">{ &r.value }{ if current == Some(i) { " (current)" } else { "" } }</th>
                                        <td>{ number(r.records_per_s) }</td>
                                        <td>{ r.produce_requests }</td>
                                        <td>{ format!("{:.1}", r.records_per_batch) }</td>
                                        <td>{ number(r.wire_bytes as f64) }</td>
                                        <td>{ ms(r.latency_p50_ms) }</td>
                                        <td>{ ms(r.latency_p99_ms) }</td>
                                        <td>{ r.records_delivered }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </section>
        }
    }
}
