//! `ksana iracing camera|replay …`: send one iRacing broadcast command (to the sim, or to a
//! `ksana play` of an iRacing recording). A thin argument parser over
//! `ksana_sims::iracing::broadcast`; the packing and the Windows calls live there.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::builder::PossibleValuesParser;
use clap::{ArgGroup, Args, Subcommand};
use ksana_sims::iracing::broadcast::{
    self, BroadcastError, BroadcastMsg, CamTarget, RpyPosMode, RpySrchMode, RpyStateMode,
};

/// Exit code when broadcasts cannot exist here (not Windows).
const EXIT_UNSUPPORTED: u8 = 2;

/// Options of `ksana iracing`.
#[derive(Args, Debug)]
pub struct IracingArgs {
    #[command(subcommand)]
    command: IracingCommand,
    #[command(flatten)]
    shm: crate::ShmArgs,
}

#[derive(Subcommand, Debug)]
enum IracingCommand {
    /// Switch the camera to a race position, a car number or a focus mode.
    Camera(CameraArgs),
    /// Drive the replay (or `ksana play`: speed, position and frame/start/end searches act on it).
    #[command(subcommand)]
    Replay(ReplayCommand),
}

#[derive(Args, Debug)]
#[command(group = ArgGroup::new("target").required(true).args(["position", "car", "focus"]))]
struct CameraArgs {
    /// Race position to show.
    #[arg(long)]
    position: Option<u16>,
    /// Car number to show, as written on the car ("7", "07" and "007" are different cars).
    #[arg(long)]
    car: Option<String>,
    /// Focus on the leader, the current incident or the most exciting action.
    #[arg(long, value_parser = ["leader", "incident", "exciting"])]
    focus: Option<String>,
    /// Camera group number (from the session info's CameraInfo).
    #[arg(long, default_value_t = 1)]
    group: u16,
    /// Camera number within the group.
    #[arg(long, default_value_t = 0)]
    camera: u16,
}

#[derive(Subcommand, Debug)]
enum ReplayCommand {
    /// Play at this speed (0 pauses, negative rewinds; with --slow, N plays at 1/(N+1)).
    #[command(allow_negative_numbers = true)]
    Speed {
        /// Speed.
        speed: i16,
        /// Slow motion.
        #[arg(long)]
        slow: bool,
    },
    /// Jump to a frame (60 per second) counted from the beginning, the current frame or the end.
    #[command(allow_negative_numbers = true)]
    Position {
        /// What the frame counts from.
        #[arg(value_parser = PossibleValuesParser::new(RpyPosMode::ALL.iter().map(|m| m.as_str())))]
        mode: String,
        /// Frame number (negative: before).
        #[arg(default_value_t = 0)]
        frame: i32,
    },
    /// Search: to-start, to-end, prev/next session, lap, frame or incident.
    Search {
        /// Where to.
        #[arg(value_parser = PossibleValuesParser::new(RpySrchMode::ALL.iter().map(|m| m.as_str())))]
        mode: String,
    },
    /// Jump to a time of a session.
    SessionTime {
        /// Session number.
        session: u16,
        /// Milliseconds into the session.
        ms: i32,
    },
    /// Replay tape state (erase-tape).
    State {
        /// The state change.
        #[arg(value_parser = PossibleValuesParser::new(RpyStateMode::ALL.iter().map(|m| m.as_str())))]
        mode: String,
    },
}

fn message(c: &IracingCommand) -> Result<BroadcastMsg> {
    Ok(match c {
        IracingCommand::Camera(a) => {
            if let Some(position) = a.position {
                BroadcastMsg::CamSwitchPos {
                    position,
                    group: a.group,
                    camera: a.camera,
                }
            } else {
                let target = match (&a.car, a.focus.as_deref()) {
                    (Some(car), _) => match broadcast::pad_car_number(car) {
                        Some(n) => CamTarget::Car(n),
                        None => bail!("--car {car:?}: a car number is 1 to 3 digits"),
                    },
                    (_, Some("leader")) => CamTarget::Leader,
                    (_, Some("incident")) => CamTarget::Incident,
                    _ => CamTarget::Exciting,
                };
                BroadcastMsg::CamSwitchNum {
                    target,
                    group: a.group,
                    camera: a.camera,
                }
            }
        }
        IracingCommand::Replay(r) => match r {
            ReplayCommand::Speed { speed, slow } => BroadcastMsg::ReplaySetPlaySpeed {
                speed: *speed,
                slow_motion: *slow,
            },
            ReplayCommand::Position { mode, frame } => BroadcastMsg::ReplaySetPlayPosition {
                mode: RpyPosMode::parse(mode).unwrap_or(RpyPosMode::Begin),
                frame: *frame,
            },
            ReplayCommand::Search { mode } => {
                BroadcastMsg::ReplaySearch(RpySrchMode::parse(mode).unwrap_or(RpySrchMode::ToStart))
            }
            ReplayCommand::SessionTime { session, ms } => BroadcastMsg::ReplaySearchSessionTime {
                session_num: *session,
                session_time_ms: *ms,
            },
            ReplayCommand::State { mode } => BroadcastMsg::ReplaySetState(
                RpyStateMode::parse(mode).unwrap_or(RpyStateMode::EraseTape),
            ),
        },
    })
}

pub fn run(a: &IracingArgs) -> Result<ExitCode> {
    let m = message(&a.command)?;
    match broadcast::send(&a.shm.namespace(), &m) {
        Ok(()) => {
            println!("sent: {m}");
            Ok(ExitCode::SUCCESS)
        }
        Err(BroadcastError::Unsupported) => {
            eprintln!(
                "error: iRacing broadcast messages exist only on Windows (window messages to \
                 every top-level window); nothing was sent"
            );
            Ok(ExitCode::from(EXIT_UNSUPPORTED))
        }
        Err(e) => Err(e.into()),
    }
}
