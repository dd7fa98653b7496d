//! Panels and forms. Each renders a piece of `ksim`'s view or turns input into a `ksim` action.

pub mod cluster_panel;
pub mod event_log;
pub mod field;
pub mod logs_panel;
pub mod produce_form;
pub mod topic_form;
