//! Panels and forms. Each renders a piece of `ksim`'s view or turns input into a `ksim` action.

pub mod cluster_panel;
pub mod code_panel;
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
pub mod settings_panel;
pub mod share_bar;
pub mod topic_form;
