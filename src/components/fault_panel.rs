//! Faults: the core's fault verbs as buttons, per broker and for the network. Each click is an
//! `inject_fault` action at the current virtual time, so it is part of the scenario and replays.
//! Fired faults appear in the event log and as marks on the time scrubber.

use ksim::{Action, Fault, View};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FaultPanelProps {
    pub view: super::Snapshot<View>,
    pub on_action: Callback<Action>,
}

#[function_component(FaultPanel)]
pub fn fault_panel(p: &FaultPanelProps) -> Html {
    let loss = use_state(|| "10".to_string());
    let delay = use_state(|| "50".to_string());
    let fire = |fault: Fault| {
        let cb = p.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            cb.emit(Action::InjectFault {
                fault: fault.clone(),
            })
        })
    };
    let num = |s: &str| s.trim().parse::<f64>().unwrap_or(0.0);
    let on_text = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| {
            s.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! {
        <section class="panel" aria-labelledby="h-faults">
            <h2 id="h-faults">{ "Inject a failure" }</h2>
            <p class="hint">{ "Each fault happens at the current virtual time and becomes part of the scenario." }</p>
            <div class="fault-brokers">
            { for p.view.brokers.iter().map(|b| {
                let id = b.id;
                html! {
                    <fieldset class="fault-broker">
                        <legend>{ format!("Broker {id}") }</legend>
                        <button class="small" onclick={fire(Fault::DropNextRequest { broker: id, count: 1 })}>{ "Lose next request" }</button>
                        <button class="small" onclick={fire(Fault::DropNextResponse { broker: id, count: 1 })}
                            title="The broker writes the batch but its acknowledgement never arrives">{ "Lose next ack" }</button>
                        if b.up {
                            <button class="small" onclick={fire(Fault::Crash { broker: id })}>{ "Crash" }</button>
                        } else {
                            <button class="small" onclick={fire(Fault::Restart { broker: id })}>{ "Restart" }</button>
                        }
                        if b.isolated {
                            <button class="small" onclick={fire(Fault::Heal { broker: id })}>{ "Heal network" }</button>
                        } else {
                            <button class="small" onclick={fire(Fault::Isolate { broker: id, include_producer: false })}
                                title="Cut this broker off from the other brokers and the controller">{ "Isolate" }</button>
                        }
                        <button class="small" onclick={fire(Fault::SlowFollower { broker: id, delay_ms: num(&delay) })}
                            title="This broker's follower waits the delay before each fetch">{ "Slow follower" }</button>
                    </fieldset>
                }
            }) }
            </div>
            <div class="row">
                <div class="field">
                    <label for="fault-loss">{ "Random loss (%)" }</label>
                    <input id="fault-loss" type="number" min="0" max="100" value={(*loss).clone()} oninput={on_text(&loss)} />
                    <button class="small" onclick={fire(Fault::RandomLoss { probability: (num(&loss) / 100.0).clamp(0.0, 1.0), from: None, to: None })}>
                        { "Apply loss to every link" }</button>
                </div>
                <div class="field">
                    <label for="fault-delay">{ "Delay (ms)" }</label>
                    <input id="fault-delay" type="number" min="0" value={(*delay).clone()} oninput={on_text(&delay)} />
                    <button class="small" onclick={fire(Fault::DelayLink { from: ksim::PRODUCER, to: 1, delay_ms: num(&delay) })}>
                        { "Delay producer → broker 1" }</button>
                </div>
            </div>
        </section>
    }
}
