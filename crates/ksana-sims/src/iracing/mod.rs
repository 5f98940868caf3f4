//! iRacing: the live mapping `Local\IRSDKMemMapFileName` with its rotating row buffers and
//! session-info YAML, `.ibt` files, typed access to variables, race state and broadcast
//! commands. Facts: `../shared/reference/iracing.md`.
//!
//! Modules: [`layout`] (bytes), [`vars`] and [`flags`] (typed variables), [`session`] (the
//! YAML), [`race_state`] (who is where), [`ibt`] (disk files), `reader`/`publisher` (record and
//! play live memory), `status_server` (the HTTP sim-status check), [`broadcast`] (commands).

pub mod broadcast;
pub mod flags;
pub mod ibt;
pub mod layout;
mod publisher;
pub mod race_state;
mod reader;
pub mod session;
pub mod status_server;
pub mod vars;
mod watch;
