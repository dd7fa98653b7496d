//! Many events at once, to the chosen topic: the application loop of the lecture
//! (`produce(); poll(0)`), the synchronous variant (`produce(); flush()`), or one that never
//! polls. The values are realistic JSON so that compression ratios mean something.

use ksim::{Action, ProduceMode};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const DEFAULT_VALUE: &str = r#"{"payment_id": {i}, "from": "Alice", "to": "Bob", "amount_cents": 20000, "currency": "EUR", "status": "created"}"#;

#[derive(Properties, PartialEq)]
pub struct GeneratorProps {
    pub topics: Vec<String>,
    pub on_action: Callback<Action>,
}

#[function_component(GeneratorForm)]
pub fn generator_form(p: &GeneratorProps) -> Html {
    let topic = use_state(String::new);
    let count = use_state(|| "100".to_string());
    let rate = use_state(|| "1000".to_string());
    let key = use_state(|| "user-{i}".to_string());
    let keys = use_state(|| "10".to_string());
    let value = use_state(|| DEFAULT_VALUE.to_string());
    let mode = use_state(|| "async".to_string());
    let error = use_state(|| None::<String>);
    // The chosen topic while it exists, else the first one (the list changes with the timeline).
    let chosen = if p.topics.contains(&topic) {
        (*topic).clone()
    } else {
        p.topics.first().cloned().unwrap_or_default()
    };
    let on_topic = {
        let topic = topic.clone();
        Callback::from(move |e: Event| {
            topic.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let text = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| {
            s.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_mode = {
        let mode = mode.clone();
        Callback::from(move |e: Event| {
            mode.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let onsubmit = {
        let (count, rate, key, keys, value, mode, error) = (
            count.clone(),
            rate.clone(),
            key.clone(),
            keys.clone(),
            value.clone(),
            mode.clone(),
            error.clone(),
        );
        let (cb, topic) = (p.on_action.clone(), chosen.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if topic.is_empty() {
                error.set(Some("Create a topic first.".into()));
                return;
            }
            let Ok(n) = count.trim().parse::<u64>() else {
                error.set(Some("Count must be a whole number.".into()));
                return;
            };
            let rate_per_sec = match rate.trim() {
                "" => None,
                r => match r.parse::<f64>() {
                    Ok(v) if v > 0.0 => Some(v),
                    _ => {
                        error.set(Some("Rate must be a positive number of events per second (empty = as fast as possible).".into()));
                        return;
                    }
                },
            };
            error.set(None);
            cb.emit(Action::ProduceMany {
                topic: topic.clone(),
                count: n,
                rate_per_sec,
                key: (!key.is_empty()).then(|| (*key).clone()),
                key_count: keys.trim().parse().ok(),
                value: (*value).clone(),
                value_size_bytes: None,
                mode: match mode.as_str() {
                    "sync" => ProduceMode::Sync,
                    "nopoll" => ProduceMode::NoPoll,
                    _ => ProduceMode::Async,
                },
            });
        })
    };
    html! {
        <form aria-label="Produce many events" onsubmit={onsubmit} novalidate=true>
            <div class="field">
                <label for="gen-topic">{ "Topic" }</label>
                <select id="gen-topic" onchange={on_topic} disabled={p.topics.is_empty()}>
                    { for p.topics.iter().map(|t| html! { <option value={t.clone()} selected={*t == chosen}>{ t }</option> }) }
                </select>
            </div>
            <div class="row">
                <div class="field"><label for="gen-count">{ "Count" }</label>
                    <input id="gen-count" type="number" min="1" value={(*count).clone()} oninput={text(&count)} /></div>
                <div class="field"><label for="gen-rate">{ "Rate (events/s)" }</label>
                    <input id="gen-rate" type="number" min="0" value={(*rate).clone()} oninput={text(&rate)} /></div>
            </div>
            <div class="row">
                <div class="field"><label for="gen-key">{ "Key pattern" }</label>
                    <input id="gen-key" value={(*key).clone()} oninput={text(&key)} /></div>
                <div class="field"><label for="gen-keys">{ "Distinct keys" }</label>
                    <input id="gen-keys" type="number" min="1" value={(*keys).clone()} oninput={text(&keys)} /></div>
            </div>
            <div class="field"><label for="gen-value">{ "Value template ({i} = event number)" }</label>
                <input id="gen-value" value={(*value).clone()} oninput={text(&value)} /></div>
            <div class="field"><label for="gen-mode">{ "Loop" }</label>
                <select id="gen-mode" onchange={on_mode}>
                    <option value="async" selected={*mode == "async"}>{ "asynchronous: produce(); poll(0)" }</option>
                    <option value="sync" selected={*mode == "sync"}>{ "synchronous: produce(); flush()" }</option>
                    <option value="nopoll" selected={*mode == "nopoll"}>{ "never poll (queue fills up)" }</option>
                </select></div>
            if let Some(e) = &*error { <div class="field-error" role="alert">{ e }</div> }
            <div class="form-actions"><button type="submit">{ "Start producing" }</button></div>
        </form>
    }
}
