//! Help: keyboard shortcuts, what is simulated, and what is simplified (`ksim::SIMPLIFICATIONS`,
//! the core's own list, so the page never hides a simplification).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[function_component(Help)]
pub fn help(p: &HelpProps) -> Html {
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        use_effect_with((), move |_| {
            if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                h.scroll_into_view();
                let _ = h.focus();
            }
        });
    }
    let close = {
        let cb = p.on_close.clone();
        Callback::from(move |_| cb.emit(()))
    };
    html! {
        <section class="panel wide help" aria-labelledby="h-help">
            <div class="panel-head">
                <h2 id="h-help" ref={heading} tabindex="-1">{ "Help" }</h2>
                <button class="small" onclick={close}>{ "Close help" }</button>
            </div>
            <div class="help-grid">
                <div>
                    <h3>{ "Keyboard" }</h3>
                    <dl class="keys">
                        <dt><kbd>{ "Space" }</kbd></dt><dd>{ "play / pause" }</dd>
                        <dt><kbd>{ "→" }</kbd></dt><dd>{ "process one event" }</dd>
                        <dt><kbd>{ "←" }</kbd></dt><dd>{ "back to the previous event (rewinds by replaying)" }</dd>
                        <dt><kbd>{ "?" }</kbd></dt><dd>{ "this help" }</dd>
                    </dl>
                    <h3>{ "What you are looking at" }</h3>
                    <p>{ "Three Kafka 3.6 brokers and a producer that behaves like librdkafka 2.3 (the engine of the confluent-kafka Python client) or the Java 3.6 client, on a virtual clock. Every batch is a real Kafka record batch v2: the sizes, CRCs and compressed bytes you inspect are what Kafka would store." }</p>
                    <p>{ "While it plays fast, the panels take turns to refresh so the page stays smooth, and may show moments a little apart. Pause, and every panel shows the same moment. When a speed asks for more events than the page can simulate between two frames, virtual time runs slower than chosen — no event is skipped — and the controls show the speed reached." }</p>
                </div>
                <div>
                    <h3>{ "What is simplified" }</h3>
                    <ul class="simplifications">
                        { for ksim::SIMPLIFICATIONS.iter().map(|s| html! { <li>{ *s }</li> }) }
                    </ul>
                </div>
            </div>
        </section>
    }
}
