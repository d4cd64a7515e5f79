//! Monitoring: what a monitor checks and how its results become up/down intervals. The probes
//! themselves run in `crates/probe`; availability against contract targets is computed here.

pub mod spec;
pub mod state;

#[cfg(test)]
mod tests;
