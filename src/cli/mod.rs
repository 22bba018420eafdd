//! The command line's own parts: its arguments ([`args`], with the tool commands' in
//! [`tool_args`] and `import`'s in [`import_args`]) and the handlers of the tool commands
//! ([`tools`], [`import`]). What each command does is a library entry point in
//! `xrplace::command`; `main.rs` maps the arguments to its request, prints its report and
//! exits with its code.

pub mod args;
pub mod import;
pub mod import_args;
pub mod tool_args;
pub mod tools;
