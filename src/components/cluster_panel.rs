//! Brokers with the partition replicas they host: leader or follower, log end offset, high
//! watermark, in-sync or not, where its log starts, its segments and size, and the broker's
//! state. State is never shown by colour alone: every status is also a word.

use crate::retention::Storage;
use ksim::View;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClusterPanelProps {
    pub view: super::Snapshot<View>,
}

#[function_component(ClusterPanel)]
pub fn cluster_panel(p: &ClusterPanelProps) -> Html {
    let v = &p.view;
    html! {
        <section class="panel" aria-labelledby="h-cluster">
            <h2 id="h-cluster">{ format!("Cluster: {} brokers", v.brokers.len()) }</h2>
            <div class="brokers">
                { for v.brokers.iter().map(|b| {
                    let (state, class) = if !b.up {
                        ("down", "down")
                    } else if b.isolated {
                        ("isolated", "down")
                    } else if b.fenced {
                        ("fenced", "down")
                    } else {
                        ("up", "up")
                    };
                    let hosted: Vec<Html> = v.partitions.iter().filter_map(|pv| {
                        let r = pv.replicas.iter().find(|r| r.broker == b.id)?;
                        let leader = pv.leader == Some(b.id);
                        let in_isr = pv.isr.contains(&b.id);
                        Some(html! {
                            <li class={classes!(leader.then_some("leader"))}
                                title={format!("log end offset {}, high watermark {}, leader epoch {}", r.log_end_offset, r.high_watermark, r.leader_epoch)}>
                                <span>{ format!("{}-{}", pv.topic, pv.partition) }
                                    <span class="role">{ if leader { " leader" } else { " follower" } }</span></span>
                                <span class="mono">{ format!("LEO {} HW {}", r.log_end_offset, r.high_watermark) }
                                    <span class="role">{ if in_isr { " ISR" } else { " out of ISR" } }</span></span>
                                <span class="storage">{ {
                                    let (start, segments) = Storage::of(r).summary_parts();
                                    html! { <><span class="nowrap">{ start }</span>{ " · " }<span class="nowrap">{ segments }</span></> }
                                } }</span>
                            </li>
                        })
                    }).collect();
                    html! {
                        <article class={classes!("broker", class)} aria-label={format!("Broker {}", b.id)}>
                            <header><span>{ format!("Broker {}", b.id) }</span>
                                <span class={classes!("status", class)}>{ state }</span></header>
                            if hosted.is_empty() {
                                <p class="empty">{ "no replicas yet" }</p>
                            } else {
                                <ul class="replicas">{ for hosted }</ul>
                            }
                        </article>
                    }
                }) }
            </div>
        </section>
    }
}
