//! The banner shown when the run paused itself at the playground's memory budget
//! (`ksim::StopReason::MemoryBudget`): what happened, why (the core's numbers from
//! `Simulation::memory`), what to do, and a Reset button. It is derived from the simulation
//! shown, so it goes as soon as that is no longer stopped there (Reset, a rewind, or a change
//! that replays the run). Other run limits keep their entry in the event log only.

use crate::components::controls::Control;
use ksim::{Simulation, StopReason};
use yew::prelude::*;

/// What the banner says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetPause {
    /// Why, with the core's numbers.
    pub why: String,
    /// What the learner can do about it.
    pub what_to_do: &'static str,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// What to do when Settings is on the page.
const WITH_SETTINGS: &str = "Reset, produce at a lower rate, or raise “Record bytes budget” in Settings › Cluster configuration (the run replays with it).";
/// What to do in an embed without Settings: the budget is raised in the full playground.
const WITHOUT_SETTINGS: &str = "Reset, or produce at a lower rate. To raise the budget, use “Open in full playground ↗” and its Settings › Cluster configuration › “Record bytes budget”.";

/// The banner's text when the run stopped at the memory budget; `None` in any other state,
/// other run limits included. `settings_shown`: whether this page shows the Settings panel
/// (an embed may not), so the advice never points at something the learner cannot see.
pub fn budget_pause(sim: &Simulation, settings_shown: bool) -> Option<BudgetPause> {
    if sim.stopped_by_limit() != Some(StopReason::MemoryBudget) {
        return None;
    }
    let m = sim.memory();
    Some(BudgetPause {
        why: format!(
            "The run stopped before the record bytes it holds passed the playground's memory budget of {} MiB (a limit of this page, not of Kafka). Brokers hold {}; the producer buffers {}.",
            m.budget_bytes >> 20,
            mib(m.broker_record_bytes),
            mib(m.producer_record_bytes),
        ),
        what_to_do: if settings_shown {
            WITH_SETTINGS
        } else {
            WITHOUT_SETTINGS
        },
    })
}

#[derive(Properties, PartialEq)]
pub struct BudgetBannerProps {
    pub pause: BudgetPause,
    pub on: Callback<Control>,
}

#[function_component(BudgetBanner)]
pub fn budget_banner(p: &BudgetBannerProps) -> Html {
    let reset = {
        let on = p.on.clone();
        Callback::from(move |_: MouseEvent| on.emit(Control::Reset))
    };
    html! {
        <div class="banner budget" role="alert" aria-labelledby="budget-title">
            <div>
                <strong id="budget-title">{ "Paused: memory budget reached." }</strong>
                { " " }<span>{ &p.pause.why }</span>
                <p><strong class="todo">{ "What to do: " }</strong>{ p.pause.what_to_do }</p>
            </div>
            <button onclick={reset}>{ "Reset" }</button>
        </div>
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::retention::tests::example;

    #[test]
    fn the_budget_pause_says_why_with_the_cores_numbers_and_what_to_do() {
        let mut sim = example("memory-budget-pause");
        assert_eq!(budget_pause(&sim, true), None, "not before it happens");
        sim.run_until_idle(1_000_000);
        assert_eq!(sim.stopped_by_limit(), Some(StopReason::MemoryBudget));
        let pause = budget_pause(&sim, true).expect("paused at the budget");
        let m = sim.memory();
        assert!(m.producer_record_bytes > 0);
        assert!(
            pause.why.contains("memory budget of 1 MiB"),
            "{}",
            pause.why
        );
        assert!(
            pause.why.ends_with(&format!(
                "Brokers hold {}; the producer buffers {}.",
                mib(m.broker_record_bytes),
                mib(m.producer_record_bytes)
            )),
            "{}",
            pause.why
        );
        assert!(pause
            .what_to_do
            .starts_with("Reset, produce at a lower rate"));
        assert!(pause.what_to_do.contains("Record bytes budget"));
        let embedded = budget_pause(&sim, false).unwrap();
        assert!(
            !embedded.what_to_do.contains("in Settings"),
            "an embed without Settings is not told to use it: {}",
            embedded.what_to_do
        );
        assert!(embedded.what_to_do.contains("Open in full playground"));
    }

    /// The session with examples/memory-budget-pause.json opened and played until it paused.
    pub(crate) fn paused_session() -> crate::session::Session {
        use crate::session::{Action, Session};
        let path = format!(
            "{}/examples/memory-budget-pause.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut s = Session::start("", None, false).session;
        s.reduce(Action::OpenFile(std::fs::read_to_string(path).unwrap()));
        s.reduce(Action::Play);
        s.timeline.forward_to(1_000_000);
        assert!(s.sim().stopped_by_limit().is_some());
        let out = s.reduce(Action::RunLimitReached);
        assert_eq!(out.playback, Some(false));
        s
    }

    #[test]
    fn the_banner_goes_with_reset_and_with_a_rewind() {
        use crate::session::Action;
        let mut s = paused_session();
        assert!(budget_pause(s.sim(), true).is_some());
        let paused_at = s.sim().now_us();
        s.reduce(Action::Control(Control::Seek(paused_at / 2)));
        assert_eq!(
            budget_pause(s.sim(), true),
            None,
            "an earlier moment is not paused"
        );
        s.timeline.forward_to(1_000_000);
        assert!(
            budget_pause(s.sim(), true).is_some(),
            "and playing on pauses again"
        );
        s.reduce(Action::Control(Control::Reset));
        assert_eq!(budget_pause(s.sim(), true), None);
        assert_eq!(s.sim().now_us(), 0);
    }

    #[test]
    fn other_run_limits_are_not_a_budget_pause() {
        let mut scenario = crate::session::default_scenario();
        scenario.limits.max_events = 5;
        scenario.actions.push(ksim::TimedAction {
            at_ms: 0.0,
            action: ksim::Action::Produce {
                topic: "payments".into(),
                key: None,
                value: Some("v".into()),
                headers: Vec::new(),
                partition: None,
                timestamp_ms: None,
            },
        });
        let mut sim = Simulation::new(scenario).unwrap();
        sim.run_until_idle(1_000);
        assert_eq!(sim.stopped_by_limit(), Some(StopReason::MaxEvents));
        assert_eq!(budget_pause(&sim, true), None);
    }
}
