//! Panels and forms. Each renders a piece of `ksim`'s view or turns input into a `ksim` action.

pub mod budget_banner;
pub mod cluster_panel;
pub mod code_panel;
pub mod comparison_panel;
pub mod controls;
pub mod event_log;
pub mod fault_panel;
pub mod field;
pub mod generator_form;
pub mod help;
pub mod inspector;
pub mod lesson_panel;
pub mod logs_panel;
pub mod metrics_panel;
pub mod network_panel;
pub mod produce_form;
pub mod producer_panel;
pub mod registry_panel;
pub mod scene_svg;
pub mod serializer_form;
pub mod settings_panel;
pub mod share_bar;
pub mod sweep_panel;
pub mod topic_form;

use std::ops::Deref;
use std::rc::Rc;

/// A snapshot of the core shared between the app and a panel, as a component property. Two are
/// equal when they are the same snapshot: the app hands a panel a new one only when it publishes
/// a change (see `frame_budget`), so the panel never compares thousands of batches field by field
/// on every frame to find out that nothing changed.
pub struct Snapshot<T>(pub Rc<T>);

impl<T> Clone for Snapshot<T> {
    fn clone(&self) -> Self {
        Snapshot(self.0.clone())
    }
}

impl<T> PartialEq for Snapshot<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Snapshot<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
