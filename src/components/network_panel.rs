//! Messages crossing the network right now: producer ↔ brokers and broker ↔ broker, with their
//! real sizes and how far along they are (virtual time, so pausing freezes them). Lost messages
//! are marked with a word, not only a colour.

use ksim::{View, WireMessage};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NetworkPanelProps {
    pub view: super::Snapshot<View>,
}

/// Node 0 is the producer, 1..=N the brokers.
pub fn node_name(node: u32) -> String {
    if node == ksim::PRODUCER {
        "producer".into()
    } else {
        format!("broker {node}")
    }
}

fn row(m: &WireMessage, now: u64) -> Html {
    let span = m.arrival_us.saturating_sub(m.sent_us).max(1) as f64;
    let pct = ((now.saturating_sub(m.sent_us)) as f64 / span * 100.0).clamp(0.0, 100.0);
    html! {
        <li class={classes!("msg", m.dropped.then_some("dropped"))} key={m.id}>
            <span class="msg-route">{ format!("{} → {}", node_name(m.from), node_name(m.to)) }</span>
            <span class="msg-kind">{ &m.kind }</span>
            <span class="mono">{ format!("{} B", m.size_bytes) }</span>
            if m.dropped {
                <span class="pill bad">{ "lost" }</span>
            } else {
                <span class="track" aria-hidden="true"><span class="dot" style={format!("left: {pct:.1}%")}></span></span>
            }
            <span class="msg-detail hint">{ &m.detail }</span>
        </li>
    }
}

#[function_component(NetworkPanel)]
pub fn network_panel(p: &NetworkPanelProps) -> Html {
    let v = &p.view;
    html! {
        <section class="panel" aria-labelledby="h-network">
            <h2 id="h-network">{ "Network" }</h2>
            if v.network.is_empty() && v.network_dropped.is_empty() {
                <p class="empty">{ "Nothing on the wire." }</p>
            }
            if !v.upcoming.is_empty() {
                <h3>{ "Coming up" }</h3>
                <ol class="upcoming" aria-label="What happens next">
                    { for v.upcoming.iter().take(5).map(|u| html! {
                        <li><span class="mono">{ format!("in {:.3} ms", u.time_us.saturating_sub(v.time_us) as f64 / 1000.0) }</span>
                            { " " }{ &u.description }</li>
                    }) }
                </ol>
            }
            <ul class="msgs">
                { for v.network.iter().take(12).map(|m| row(m, v.time_us)) }
                if v.network.len() > 12 { <li class="hint">{ format!("… and {} more on the wire", v.network.len() - 12) }</li> }
                { for v.network_dropped.iter().rev().take(5).map(|m| row(m, v.time_us)) }
            </ul>
        </section>
    }
}
