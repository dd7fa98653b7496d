//! A lesson from the lecture as a short stepper: first its text (at most three short paragraphs,
//! the lesson's sentences in order), then the "try this" step with the check the simulator
//! evaluates (computed by `kshare` from the core's log and view), and for the events-vs-commands
//! exercise, one button per statement that produces it, with the answer once the check has run.
//! The check's status stays visible on every step.

use kshare::lessons::Lesson;
use kshare::CheckResult;
use ksim::Action;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    /// The open lesson, if any.
    pub lesson: Option<&'static str>,
    pub check: Option<CheckResult>,
    pub on_select: Callback<Option<String>>,
    /// Performs the lesson's "try this" steps for the learner.
    pub on_try: Callback<()>,
    pub on_action: Callback<Action>,
    pub topics: Vec<String>,
}

/// The lesson's text as at most three paragraphs: its sentences in order, grouped evenly.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut sentences: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        current.push(*c);
        let ends = matches!(c, '.' | '!' | '?')
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(|n| n.is_uppercase());
        if ends {
            sentences.push(current.trim().to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current.trim().to_string());
    }
    let groups = sentences.len().clamp(1, 3);
    let per = sentences.len().div_ceil(groups).max(1);
    sentences.chunks(per).map(|c| c.join(" ")).collect()
}

#[function_component(LessonPanel)]
pub fn lesson_panel(p: &LessonPanelProps) -> Html {
    let on_select = {
        let cb = p.on_select.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            cb.emit((!v.is_empty()).then_some(v));
        })
    };
    let lesson: Option<&'static Lesson> = p.lesson.and_then(kshare::lessons::get);
    // (lesson, step): a newly opened lesson starts at its first step.
    let step = use_state(|| (p.lesson, 0usize));
    let current = if step.0 == p.lesson { step.1 } else { 0 };
    let go = |to: usize| {
        let (step, lesson) = (step.clone(), p.lesson);
        Callback::from(move |_: MouseEvent| step.set((lesson, to)))
    };
    html! {
        <section class="panel lesson" aria-labelledby="h-lesson">
            <div class="panel-head">
                <h2 id="h-lesson">{ "Lessons" }</h2>
                <label class="sr-only" for="lesson-select">{ "Lesson" }</label>
                <select id="lesson-select" onchange={on_select}>
                    <option value="" selected={lesson.is_none()}>{ "Free play (no lesson)" }</option>
                    { for kshare::lessons::all().iter().enumerate().map(|(i, l)| html! {
                        <option value={l.id} selected={p.lesson == Some(l.id)}>{ format!("{}. {}", i + 1, l.title) }</option>
                    }) }
                </select>
            </div>
            if let Some(l) = lesson {
                <h3>{ l.title }</h3>
                <p class="hint stepper-pos" aria-live="polite">{ format!("Step {} of 2: {}", current + 1, if current == 0 { "read" } else { "try it" }) }</p>
                if current == 0 {
                    { for paragraphs(l.text).into_iter().map(|t| html! { <p>{ t }</p> }) }
                    <div class="form-actions">
                        <button class="primary small" onclick={go(1)}>{ "Next: try it" }</button>
                    </div>
                } else {
                <div class="form-actions">
                    <button class="small" onclick={go(0)}>{ "Back to the text" }</button>
                </div>
                if !l.quiz.is_empty() {
                    <ul class="quiz">
                    { for l.quiz.iter().map(|q| {
                        let topic = p.topics.first().cloned().unwrap_or_else(|| "events".into());
                        let action = Action::Produce { topic, key: Some(q.label.into()), value: Some(q.value.into()), headers: vec![], partition: None, timestamp_ms: None };
                        let cb = p.on_action.clone();
                        let answered = p.check.as_ref().is_some_and(|c| c.passed);
                        html! {
                            <li>
                                <strong>{ format!("{}: ", q.label) }</strong>{ q.statement }
                                <button class="small" onclick={Callback::from(move |_| cb.emit(action.clone()))}>{ format!("Produce {}", q.label) }</button>
                                if answered {
                                    <div class="hint">{ if q.is_event { "Event. " } else { "Command. " } }{ q.why }</div>
                                }
                            </li>
                        }
                    }) }
                    </ul>
                }
                <div class="note">
                    <strong>{ "Try this: " }</strong>{ l.try_this().instruction }
                    <div class="hint">{ format!("Where: {}", l.try_this().control) }</div>
                    <button class="small" onclick={{ let cb = p.on_try.clone(); Callback::from(move |_| cb.emit(())) }}>{ "Do it for me" }</button>
                </div>
                }
                if let Some(c) = &p.check {
                    <p class={classes!("check", if c.passed { "passed" } else { "pending" })} role="status" aria-live="polite">
                        <strong>{ if c.passed { "✓ Check passed: " } else { "○ Not yet: " } }</strong>{ &c.message }
                    </p>
                }
            } else {
                <p class="hint">{ "Pick a lesson to follow the lecture step by step: each one sets up the cluster, tells you what to try, and checks the result in the simulation." }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::paragraphs;

    #[test]
    fn a_lesson_text_becomes_at_most_three_paragraphs_in_order() {
        for l in kshare::lessons::all() {
            let ps = paragraphs(l.text);
            assert!((1..=3).contains(&ps.len()), "{}: {}", l.id, ps.len());
            let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(words(&ps.join(" ")), words(l.text), "{}", l.id);
        }
        assert_eq!(
            paragraphs("One. Two. Three. Four."),
            ["One. Two.", "Three. Four."]
        );
    }
}
