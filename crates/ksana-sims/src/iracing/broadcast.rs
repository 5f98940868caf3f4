//! iRacing's broadcast commands (reference §10): the registered window message
//! `IRSDK_BROADCASTMSG` sent to every top-level window with `wParam = MAKELONG(msg, var1)` and
//! `lParam = var2` (or `MAKELONG(var2, var3)`, or a float scaled by 65536). Tools use it to
//! switch cameras and drive replays; `ksana play` takes the replay ones as player commands.
//!
//! [`encode`] and [`decode`] are plain arithmetic and work everywhere; sending and receiving
//! ([`send`], [`Receiver`]) exist only on Windows. [`PlayerLink`] is what a publisher holds: it
//! receives on Windows (nothing elsewhere) and turns messages into [`PlayerCommand`]s.

use std::fmt;

use ksana_format::FrameRef;
use ksana_shm::ShmNamespace;

use crate::sim::{PlayerCommand, PublishContext, SeekAnchor, SimError, SimPublisher};

/// Name of the registered window message (`IRSDK_BROADCASTMSGNAME`).
pub const MESSAGE_NAME: &str = "IRSDK_BROADCASTMSG";

/// Replay frames per second: `ReplaySetPlayPosition` counts frames at 60 Hz.
pub const REPLAY_FPS: i64 = 60;

/// The registered message name used in `ns`: [`MESSAGE_NAME`] for the real namespace, a name
/// unique to the root for a private one (tests running in parallel must not hear each other).
pub fn message_name(ns: &ShmNamespace) -> String {
    if ns.is_private() {
        let root = ns.root().to_string_lossy();
        // FNV-1a: a stable short tag for the root, no dependency needed for it.
        let hash = root.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        format!("{MESSAGE_NAME}-ksana-{hash:016x}")
    } else {
        MESSAGE_NAME.to_owned()
    }
}

/// Defines a `u16`-valued sub-mode enum with `from_u16`, and names for messages and the CLI.
macro_rules! mode_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $var:ident = $val:expr => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $var = $val),+
        }

        impl $name {
            /// Every value, in SDK order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The mode with this SDK value, if there is one.
            pub fn from_u16(v: u16) -> Option<$name> {
                match v {
                    $($val => Some($name::$var),)+
                    _ => None,
                }
            }

            /// Lower-case hyphenated name, as the CLI spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $text),+
                }
            }

            /// The mode named `s` (as [`Self::as_str`] spells it).
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|m| m.as_str() == s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mode_enum!(
    /// `irsdk_RpyPosMode`: what a replay frame number counts from.
    RpyPosMode {
        /// From the start of the replay.
        Begin = 0 => "begin",
        /// From the current frame.
        Current = 1 => "current",
        /// From the end of the replay.
        End = 2 => "end",
    }
);

mode_enum!(
    /// `irsdk_RpySrchMode`: replay search targets.
    RpySrchMode {
        /// The start of the replay.
        ToStart = 0 => "to-start",
        /// The end of the replay.
        ToEnd = 1 => "to-end",
        /// The previous session.
        PrevSession = 2 => "prev-session",
        /// The next session.
        NextSession = 3 => "next-session",
        /// The previous lap.
        PrevLap = 4 => "prev-lap",
        /// The next lap.
        NextLap = 5 => "next-lap",
        /// One frame back.
        PrevFrame = 6 => "prev-frame",
        /// One frame on.
        NextFrame = 7 => "next-frame",
        /// The previous incident.
        PrevIncident = 8 => "prev-incident",
        /// The next incident.
        NextIncident = 9 => "next-incident",
    }
);

mode_enum!(
    /// `irsdk_RpyStateMode`.
    RpyStateMode {
        /// Clear the replay tape.
        EraseTape = 0 => "erase-tape",
    }
);

mode_enum!(
    /// `irsdk_ReloadTexturesMode`.
    ReloadTexturesMode {
        /// Every car's textures.
        All = 0 => "all",
        /// One car's (by car index).
        CarIdx = 1 => "car-idx",
    }
);

mode_enum!(
    /// `irsdk_ChatCommandMode`.
    ChatCommandMode {
        /// Run chat macro 1–15 (the sub-command).
        Macro = 0 => "macro",
        /// Open a new chat window.
        BeginChat = 1 => "begin-chat",
        /// Reply to the last private chat.
        Reply = 2 => "reply",
        /// Close the chat window.
        Cancel = 3 => "cancel",
    }
);

mode_enum!(
    /// `irsdk_PitCommandMode` (12, tyre compound, since SDK 1.19).
    PitCommandMode {
        /// Clear all pit checkboxes.
        Clear = 0 => "clear",
        /// Clean the windshield.
        Ws = 1 => "ws",
        /// Add fuel (litres, 0 = keep the amount).
        Fuel = 2 => "fuel",
        /// Change the left-front tyre (kPa, 0 = keep the pressure).
        Lf = 3 => "lf",
        /// Change the right-front tyre.
        Rf = 4 => "rf",
        /// Change the left-rear tyre.
        Lr = 5 => "lr",
        /// Change the right-rear tyre.
        Rr = 6 => "rr",
        /// Clear the tyre checkboxes.
        ClearTires = 7 => "clear-tires",
        /// Fast repair.
        Fr = 8 => "fr",
        /// Uncheck the windshield.
        ClearWs = 9 => "clear-ws",
        /// Uncheck fast repair.
        ClearFr = 10 => "clear-fr",
        /// Uncheck fuel.
        ClearFuel = 11 => "clear-fuel",
        /// Tyre compound.
        Tc = 12 => "tc",
    }
);

mode_enum!(
    /// `irsdk_TelemCommandMode`: the sim's own `.ibt` logging.
    TelemCommandMode {
        /// Stop logging.
        Stop = 0 => "stop",
        /// Start logging.
        Start = 1 => "start",
        /// Start a new file.
        Restart = 2 => "restart",
    }
);

mode_enum!(
    /// `irsdk_FFBCommandMode`.
    FfbCommandMode {
        /// Maximum force, in N·m.
        MaxForce = 0 => "max-force",
    }
);

mode_enum!(
    /// `irsdk_VideoCaptureMode`.
    VideoCaptureMode {
        /// Save a screenshot.
        TriggerScreenShot = 0 => "screenshot",
        /// Start capturing video.
        Start = 1 => "start",
        /// Stop capturing video.
        End = 2 => "end",
        /// Start or stop.
        Toggle = 3 => "toggle",
        /// Show the capture timer.
        ShowVideoTimer = 4 => "show-timer",
        /// Hide the capture timer.
        HideVideoTimer = 5 => "hide-timer",
    }
);

/// Whom a camera switch by car number looks at: a car number (as padded by
/// [`pad_car_number`]) or one of the SDK's `irsdk_csMode` targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CamTarget {
    /// The car with this (padded) number.
    Car(u16),
    /// The leader (`irsdk_csFocusAtLeader`, −2).
    Leader,
    /// The current incident (`irsdk_csFocusAtIncident`, −3).
    Incident,
    /// The most exciting action (`irsdk_csFocusAtExiting`, −1).
    Exciting,
}

impl CamTarget {
    fn to_u16(self) -> u16 {
        match self {
            CamTarget::Car(n) => n,
            CamTarget::Exciting => (-1i16) as u16,
            CamTarget::Leader => (-2i16) as u16,
            CamTarget::Incident => (-3i16) as u16,
        }
    }

    fn from_u16(v: u16) -> Option<CamTarget> {
        match v as i16 {
            -1 => Some(CamTarget::Exciting),
            -2 => Some(CamTarget::Leader),
            -3 => Some(CamTarget::Incident),
            n if n >= 0 => Some(CamTarget::Car(v)),
            _ => None,
        }
    }
}

/// A broadcast message, decoded (`irsdk_BroadcastMsg`, values 0–13).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BroadcastMsg {
    /// 0: show the car at this race position (0 = the pace car's slot in iRacing).
    CamSwitchPos {
        /// Race position.
        position: u16,
        /// Camera group number.
        group: u16,
        /// Camera number within the group.
        camera: u16,
    },
    /// 1: show the car with this number, or a [`CamTarget`] mode.
    CamSwitchNum {
        /// The car or target.
        target: CamTarget,
        /// Camera group number.
        group: u16,
        /// Camera number within the group.
        camera: u16,
    },
    /// 2: set the camera state bits (`irsdk_CameraState`).
    CamSetState {
        /// The bits.
        state: u16,
    },
    /// 3: replay speed; 0 pauses, negative plays backwards; `slow_motion` makes it a fraction.
    ReplaySetPlaySpeed {
        /// Speed (signed).
        speed: i16,
        /// Slow motion.
        slow_motion: bool,
    },
    /// 4: jump to a replay frame (60 per second) counted from `mode`.
    ReplaySetPlayPosition {
        /// What `frame` counts from.
        mode: RpyPosMode,
        /// Frame number (signed).
        frame: i32,
    },
    /// 5: replay search.
    ReplaySearch(RpySrchMode),
    /// 6: replay tape state.
    ReplaySetState(RpyStateMode),
    /// 7: reload car textures.
    ReloadTextures {
        /// All or one car.
        mode: ReloadTexturesMode,
        /// The car index for [`ReloadTexturesMode::CarIdx`].
        car_idx: u16,
    },
    /// 8: chat window commands (SDK spelling `ChatComand`).
    ChatCommand {
        /// What to do.
        mode: ChatCommandMode,
        /// The macro number for [`ChatCommandMode::Macro`].
        sub: u16,
    },
    /// 9: pit-stop request.
    PitCommand {
        /// What to request.
        mode: PitCommandMode,
        /// Litres, kPa or compound, depending on `mode`.
        param: i32,
    },
    /// 10: the sim's telemetry logging.
    TelemCommand(TelemCommandMode),
    /// 11: force feedback; the value travels as `(int)(value · 65536)`.
    FfbCommand {
        /// Which setting.
        mode: FfbCommandMode,
        /// The value (N·m for max force), with 1/65536 resolution.
        value: f32,
    },
    /// 12: jump to a session time.
    ReplaySearchSessionTime {
        /// Session number.
        session_num: u16,
        /// Milliseconds into the session.
        session_time_ms: i32,
    },
    /// 13: in-sim video capture.
    VideoCapture(VideoCaptureMode),
    /// Any other message, or one whose sub-mode the SDK does not define: kept raw.
    Unknown {
        /// `LOWORD(wParam)`.
        msg: u16,
        /// `HIWORD(wParam)`.
        var1: u16,
        /// `lParam` (low 32 bits).
        var2: i32,
    },
}

/// `MAKELONG(lo, hi)` as Windows computes it: a signed 32-bit value.
fn makelong(lo: u16, hi: u16) -> i32 {
    (u32::from(lo) | (u32::from(hi) << 16)) as i32
}

/// `msg`, `var1`, `var2` of a message (before packing into wParam/lParam).
fn parts(m: &BroadcastMsg) -> (u16, u16, i32) {
    use BroadcastMsg as B;
    match *m {
        B::CamSwitchPos {
            position,
            group,
            camera,
        } => (0, position, makelong(group, camera)),
        B::CamSwitchNum {
            target,
            group,
            camera,
        } => (1, target.to_u16(), makelong(group, camera)),
        B::CamSetState { state } => (2, state, 0),
        B::ReplaySetPlaySpeed { speed, slow_motion } => (3, speed as u16, i32::from(slow_motion)),
        B::ReplaySetPlayPosition { mode, frame } => (4, mode as u16, frame),
        B::ReplaySearch(mode) => (5, mode as u16, 0),
        B::ReplaySetState(mode) => (6, mode as u16, 0),
        B::ReloadTextures { mode, car_idx } => (7, mode as u16, i32::from(car_idx)),
        B::ChatCommand { mode, sub } => (8, mode as u16, i32::from(sub)),
        B::PitCommand { mode, param } => (9, mode as u16, param),
        B::TelemCommand(mode) => (10, mode as u16, 0),
        // As the SDK: `static_cast<int>(var2 * 65536.0f)` (truncation; saturating in Rust).
        B::FfbCommand { mode, value } => (11, mode as u16, (value * 65536.0f32) as i32),
        B::ReplaySearchSessionTime {
            session_num,
            session_time_ms,
        } => (12, session_num, session_time_ms),
        B::VideoCapture(mode) => (13, mode as u16, 0),
        B::Unknown { msg, var1, var2 } => (msg, var1, var2),
    }
}

/// `(wParam, lParam)` of a message exactly as the SDK's `irsdk_broadcastMsg` passes them to
/// `SendNotifyMessage`: `MAKELONG(msg, var1)` and `var2`, each a 32-bit `LONG`/`int`
/// sign-extended to the 64-bit parameter.
pub fn encode(m: &BroadcastMsg) -> (usize, isize) {
    let (msg, var1, var2) = parts(m);
    (makelong(msg, var1) as isize as usize, var2 as isize)
}

/// The message carried by `(wParam, lParam)`; only their low 32 bits count, as in the SDK's
/// `LOWORD`/`HIWORD` decoding. Anything undefined decodes to [`BroadcastMsg::Unknown`].
pub fn decode(wparam: usize, lparam: isize) -> BroadcastMsg {
    use BroadcastMsg as B;
    let msg = (wparam & 0xffff) as u16;
    let var1 = ((wparam >> 16) & 0xffff) as u16;
    let var2 = lparam as i32;
    let (lo, hi) = ((var2 as u32 & 0xffff) as u16, (var2 as u32 >> 16) as u16);
    let raw = B::Unknown { msg, var1, var2 };
    let known = match msg {
        0 => Some(B::CamSwitchPos {
            position: var1,
            group: lo,
            camera: hi,
        }),
        1 => CamTarget::from_u16(var1).map(|target| B::CamSwitchNum {
            target,
            group: lo,
            camera: hi,
        }),
        2 => Some(B::CamSetState { state: var1 }),
        3 => Some(B::ReplaySetPlaySpeed {
            speed: var1 as i16,
            slow_motion: var2 != 0,
        }),
        4 => RpyPosMode::from_u16(var1).map(|mode| B::ReplaySetPlayPosition { mode, frame: var2 }),
        5 => RpySrchMode::from_u16(var1).map(B::ReplaySearch),
        6 => RpyStateMode::from_u16(var1).map(B::ReplaySetState),
        7 => ReloadTexturesMode::from_u16(var1).map(|mode| B::ReloadTextures { mode, car_idx: lo }),
        8 => ChatCommandMode::from_u16(var1).map(|mode| B::ChatCommand { mode, sub: lo }),
        9 => PitCommandMode::from_u16(var1).map(|mode| B::PitCommand { mode, param: var2 }),
        10 => TelemCommandMode::from_u16(var1).map(B::TelemCommand),
        11 => FfbCommandMode::from_u16(var1).map(|mode| B::FfbCommand {
            mode,
            value: var2 as f32 / 65536.0,
        }),
        12 => Some(B::ReplaySearchSessionTime {
            session_num: var1,
            session_time_ms: var2,
        }),
        13 => VideoCaptureMode::from_u16(var1).map(B::VideoCapture),
        _ => None,
    };
    let m = known.unwrap_or(raw);
    // A message that does not re-encode to the same bits (e.g. a stray var3 on a one-argument
    // message) is kept raw, so decode never loses information.
    if encode(&m).0 as u32 == wparam as u32 && encode(&m).1 as i32 == var2 {
        m
    } else {
        raw
    }
}

/// The number iRacing expects for a car number written with leading zeros (`"007"`), as the
/// SDK samples and pyirsdk's `_pad_car_num` compute it: `num + 1000 · (digits + zeros)` when
/// there are leading zeros, else `num`. `None` for text that is not 1–3 digits.
pub fn pad_car_number(text: &str) -> Option<u16> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num: u16 = text.parse().ok()?;
    let mut zeros = text.len() - text.trim_start_matches('0').len();
    if zeros == text.len() {
        zeros -= 1; // "0" and "00": the last zero is the number
    }
    if zeros == 0 {
        return Some(num);
    }
    let places = if num > 99 {
        3
    } else if num > 9 {
        2
    } else {
        1
    };
    Some(num + 1000 * (places + zeros as u16))
}

impl fmt::Display for BroadcastMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BroadcastMsg as B;
        match *self {
            B::CamSwitchPos {
                position,
                group,
                camera,
            } => write!(
                f,
                "camera: position {position}, group {group}, camera {camera}"
            ),
            B::CamSwitchNum {
                target,
                group,
                camera,
            } => {
                let t = match target {
                    CamTarget::Car(n) => format!("car {n}"),
                    CamTarget::Leader => "leader".into(),
                    CamTarget::Incident => "incident".into(),
                    CamTarget::Exciting => "exciting".into(),
                };
                write!(f, "camera: {t}, group {group}, camera {camera}")
            }
            B::CamSetState { state } => write!(f, "camera state {state:#x}"),
            B::ReplaySetPlaySpeed { speed, slow_motion } => write!(
                f,
                "replay speed {speed}{}",
                if slow_motion { " slow motion" } else { "" }
            ),
            B::ReplaySetPlayPosition { mode, frame } => {
                write!(f, "replay position {mode} {frame:+} frames")
            }
            B::ReplaySearch(m) => write!(f, "replay search {m}"),
            B::ReplaySetState(m) => write!(f, "replay state {m}"),
            B::ReloadTextures { mode, car_idx } => {
                write!(f, "reload textures {mode} (car index {car_idx})")
            }
            B::ChatCommand { mode, sub } => write!(f, "chat {mode} {sub}"),
            B::PitCommand { mode, param } => write!(f, "pit {mode} {param}"),
            B::TelemCommand(m) => write!(f, "telemetry {m}"),
            B::FfbCommand { mode, value } => write!(f, "force feedback {mode} {value}"),
            B::ReplaySearchSessionTime {
                session_num,
                session_time_ms,
            } => write!(
                f,
                "replay search session {session_num} time {session_time_ms} ms"
            ),
            B::VideoCapture(m) => write!(f, "video capture {m}"),
            B::Unknown { msg, var1, var2 } => {
                write!(f, "unknown message {msg} ({var1}, {var2})")
            }
        }
    }
}

/// What `ksana play` does with a message: the replay ones act on the player, the rest are
/// shown as notices (a recording has no cameras, pit crew or chat).
///
/// Replay frames are 1/60 s. `ReplaySetPlaySpeed` 0 pauses and N plays at N×; with slow motion
/// N plays at 1/(N+1)× (iRacing's slow-motion steps 1/2, 1/3, …; the scale is not documented
/// in the SDK, see docs/IRACING.md); negative speeds (rewind) are not supported.
pub fn player_commands(m: &BroadcastMsg) -> Vec<PlayerCommand> {
    use BroadcastMsg as B;
    let frames_ns = |n: i64| n * 1_000_000_000 / REPLAY_FPS;
    let seek = |anchor, offset_ns| PlayerCommand::Seek { anchor, offset_ns };
    let acts: Result<Vec<PlayerCommand>, &str> = match *m {
        B::ReplaySetPlaySpeed { speed: 0, .. } => Ok(vec![PlayerCommand::Pause]),
        B::ReplaySetPlaySpeed { speed, .. } if speed < 0 => Err("ksana play cannot play backwards"),
        B::ReplaySetPlaySpeed {
            speed,
            slow_motion: false,
        } => Ok(vec![PlayerCommand::Speed(f64::from(speed))]),
        B::ReplaySetPlaySpeed {
            speed,
            slow_motion: true,
        } => Ok(vec![PlayerCommand::Speed(1.0 / (f64::from(speed) + 1.0))]),
        B::ReplaySetPlayPosition { mode, frame } => {
            let anchor = match mode {
                RpyPosMode::Begin => SeekAnchor::Start,
                RpyPosMode::Current => SeekAnchor::Current,
                RpyPosMode::End => SeekAnchor::End,
            };
            Ok(vec![seek(anchor, frames_ns(i64::from(frame)))])
        }
        B::ReplaySearch(RpySrchMode::ToStart) => Ok(vec![seek(SeekAnchor::Start, 0)]),
        B::ReplaySearch(RpySrchMode::ToEnd) => Ok(vec![seek(SeekAnchor::End, 0)]),
        B::ReplaySearch(RpySrchMode::PrevFrame) => {
            Ok(vec![seek(SeekAnchor::Current, frames_ns(-1))])
        }
        B::ReplaySearch(RpySrchMode::NextFrame) => {
            Ok(vec![seek(SeekAnchor::Current, frames_ns(1))])
        }
        B::ReplaySearch(_) | B::ReplaySearchSessionTime { .. } => {
            Err("ksana play seeks by time and frame only")
        }
        _ => Err("no effect on a recording"),
    };
    match acts {
        Ok(acts) => std::iter::once(PlayerCommand::Notice(format!("iRacing broadcast: {m}")))
            .chain(acts)
            .collect(),
        Err(why) => vec![PlayerCommand::Notice(format!(
            "iRacing broadcast: {m} ({why})"
        ))],
    }
}

/// The publisher's end of the broadcast channel: on Windows a [`Receiver`] listening in the
/// publisher's namespace ([`message_name`]); elsewhere nothing is ever received.
///
/// A publisher holds one for as long as it publishes and hands its commands to the player:
///
/// ```
/// # use ksana_sims::iracing::broadcast::PlayerLink;
/// # use ksana_sims::PlayerCommand;
/// # let ns = ksana_shm::ShmNamespace::with_root(std::env::temp_dir());
/// // When the publisher opens (a failure only costs the remote control, so it is a notice):
/// let (mut link, mut notices) = match PlayerLink::start(&ns) {
///     Ok(l) => (Some(l), Vec::new()),
///     Err(e) => (None, vec![PlayerCommand::Notice(format!("no broadcast commands: {e}"))]),
/// };
/// // SimPublisher::commands:
/// let mut out: Vec<PlayerCommand> = std::mem::take(&mut notices);
/// out.extend(link.as_mut().map(|l| l.commands()).unwrap_or_default());
/// assert!(out.is_empty());
/// ```
#[derive(Debug)]
pub struct PlayerLink {
    #[cfg(windows)]
    inner: (Receiver, std::sync::mpsc::Receiver<BroadcastMsg>),
}

impl PlayerLink {
    /// Starts listening (Windows); elsewhere a link that never yields commands.
    pub fn start(ns: &ShmNamespace) -> Result<PlayerLink, BroadcastError> {
        #[cfg(windows)]
        {
            Ok(PlayerLink {
                inner: Receiver::start_named(&message_name(ns))?,
            })
        }
        #[cfg(not(windows))]
        {
            let _ = ns;
            Ok(PlayerLink {})
        }
    }

    /// Player commands (and notices) for every message received since the last call.
    pub fn commands(&mut self) -> Vec<PlayerCommand> {
        #[cfg(windows)]
        {
            self.inner
                .1
                .try_iter()
                .flat_map(|m| player_commands(&m))
                .collect()
        }
        #[cfg(not(windows))]
        {
            Vec::new()
        }
    }
}

/// Any publisher plus a [`PlayerLink`]: it publishes through `inner` and adds the broadcast
/// commands received meanwhile to [`SimPublisher::commands`]. How `ksana play` of an iRacing
/// recording takes remote control without the live-memory publisher knowing about it.
pub struct LinkedPublisher<P> {
    inner: P,
    link: Option<PlayerLink>,
    notices: Vec<PlayerCommand>,
}

impl<P: SimPublisher> LinkedPublisher<P> {
    /// Wraps `inner`, listening in `ns`. A listener that cannot start only costs the remote
    /// control: the first [`SimPublisher::commands`] says so as a notice.
    pub fn new(inner: P, ns: &ShmNamespace) -> LinkedPublisher<P> {
        let (link, notices) = match PlayerLink::start(ns) {
            Ok(l) => (Some(l), Vec::new()),
            Err(e) => (
                None,
                vec![PlayerCommand::Notice(format!(
                    "iRacing broadcast commands will not reach this player: {e}"
                ))],
            ),
        };
        LinkedPublisher {
            inner,
            link,
            notices,
        }
    }
}

impl<P: SimPublisher> SimPublisher for LinkedPublisher<P> {
    fn publish(&mut self, frame: &FrameRef<'_>, ctx: PublishContext) -> Result<(), SimError> {
        self.inner.publish(frame, ctx)
    }

    fn stop(&mut self) -> Result<(), SimError> {
        self.inner.stop()
    }

    fn heartbeat_interval(&self) -> Option<std::time::Duration> {
        self.inner.heartbeat_interval()
    }

    fn heartbeat(&mut self) -> Result<(), SimError> {
        self.inner.heartbeat()
    }

    fn commands(&mut self) -> Vec<PlayerCommand> {
        let mut out = std::mem::take(&mut self.notices);
        out.extend(self.inner.commands());
        if let Some(l) = self.link.as_mut() {
            out.extend(l.commands());
        }
        out
    }
}

/// Why a broadcast could not be sent or listened for.
#[derive(Debug, thiserror::Error)]
pub enum BroadcastError {
    /// Broadcast window messages exist only on Windows.
    #[error("iRacing broadcast messages exist only on Windows")]
    Unsupported,
    /// A window-message call failed.
    #[error(transparent)]
    Os(#[from] ksana_shm::ShmError),
}

/// Sends `m` to every top-level window of the session, as the SDK's `irsdk_broadcastMsg`
/// does, under the message name of `ns` ([`message_name`]).
#[cfg(windows)]
pub fn send(ns: &ShmNamespace, m: &BroadcastMsg) -> Result<(), BroadcastError> {
    let (w, l) = encode(m);
    ksana_shm::winmsg::broadcast_message(&message_name(ns), w, l)?;
    Ok(())
}

/// Broadcast messages exist only on Windows: always [`BroadcastError::Unsupported`].
#[cfg(not(windows))]
pub fn send(_ns: &ShmNamespace, _m: &BroadcastMsg) -> Result<(), BroadcastError> {
    Err(BroadcastError::Unsupported)
}

/// A hidden top-level window on its own thread receiving broadcast messages (Windows only);
/// stops on drop.
#[cfg(windows)]
#[derive(Debug)]
pub struct Receiver {
    _listener: ksana_shm::winmsg::MessageListener,
    _forward: std::thread::JoinHandle<()>,
}

#[cfg(windows)]
impl Receiver {
    /// Listens for `IRSDK_BROADCASTMSG` (the real name): every message sent from then on
    /// arrives decoded on the returned channel.
    pub fn start() -> Result<(Receiver, std::sync::mpsc::Receiver<BroadcastMsg>), BroadcastError> {
        Receiver::start_named(MESSAGE_NAME)
    }

    /// Listens for the registered message `name` (see [`message_name`]).
    pub fn start_named(
        name: &str,
    ) -> Result<(Receiver, std::sync::mpsc::Receiver<BroadcastMsg>), BroadcastError> {
        let (listener, raw) = ksana_shm::winmsg::MessageListener::start(name)?;
        let (tx, rx) = std::sync::mpsc::channel();
        // Decoding on a small thread keeps ksana-shm free of iRacing; it ends when the
        // listener (and so the raw channel) closes.
        let forward = std::thread::Builder::new()
            .name("irsdk-broadcast".into())
            .spawn(move || {
                for (w, l) in raw {
                    if tx.send(decode(w, l)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| {
                BroadcastError::Os(ksana_shm::ShmError::Os {
                    op: "spawn decoder thread",
                    name: MESSAGE_NAME.into(),
                    target: "window message".into(),
                    source: e,
                })
            })?;
        Ok((
            Receiver {
                _listener: listener,
                _forward: forward,
            },
            rx,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_packing_of_known_values() {
        // irsdk_broadcastMsg(CamSwitchPos, 3, 10, 2): wParam = MAKELONG(0, 3), lParam = MAKELONG(10, 2).
        let m = BroadcastMsg::CamSwitchPos {
            position: 3,
            group: 10,
            camera: 2,
        };
        assert_eq!(encode(&m), (0x0003_0000, 0x0002_000a));
        // ReplaySetPlaySpeed(2, slow): wParam = 3 | 2 << 16, lParam = 1 (pyirsdk: 3 | 2 << 16, 1).
        let m = BroadcastMsg::ReplaySetPlaySpeed {
            speed: 2,
            slow_motion: true,
        };
        assert_eq!(encode(&m), (0x0002_0003, 1));
        // Rewind: speed -16 is the WORD 0xFFF0, so MAKELONG is negative and sign-extends.
        let m = BroadcastMsg::ReplaySetPlaySpeed {
            speed: -16,
            slow_motion: false,
        };
        assert_eq!(encode(&m), (0xFFF0_0003u32 as i32 as isize as usize, 0));
        // ReplaySetPlayPosition(Begin, 3600): lParam = the whole frame number.
        let m = BroadcastMsg::ReplaySetPlayPosition {
            mode: RpyPosMode::Begin,
            frame: 3600,
        };
        assert_eq!(encode(&m), (4, 3600));
        // FFB max force 12.5 N·m → (int)(12.5 · 65536) = 819200.
        let m = BroadcastMsg::FfbCommand {
            mode: FfbCommandMode::MaxForce,
            value: 12.5,
        };
        assert_eq!(encode(&m), (11, 819_200));
        // CamSwitchNum at the leader: var1 = (WORD)-2.
        let m = BroadcastMsg::CamSwitchNum {
            target: CamTarget::Leader,
            group: 1,
            camera: 0,
        };
        assert_eq!(encode(&m), (0xFFFE_0001u32 as i32 as isize as usize, 1));
        // Pit fuel 30 l: MAKELONG(9, 2), 30.
        let m = BroadcastMsg::PitCommand {
            mode: PitCommandMode::Fuel,
            param: 30,
        };
        assert_eq!(encode(&m), (0x0002_0009, 30));
        // Session time 1:00:00.000 of session 2.
        let m = BroadcastMsg::ReplaySearchSessionTime {
            session_num: 2,
            session_time_ms: 3_600_000,
        };
        assert_eq!(encode(&m), (0x0002_000c, 3_600_000));
    }

    #[test]
    fn decodes_what_pyirsdk_sends() {
        // pyirsdk: SendNotifyMessageW(0xFFFF, id, broadcast_type | var1 << 16, var2 | var3 << 16).
        let py = |t: usize, v1: usize, v2: isize, v3: isize| decode(t | v1 << 16, v2 | v3 << 16);
        assert_eq!(
            py(0, 5, 12, 1),
            BroadcastMsg::CamSwitchPos {
                position: 5,
                group: 12,
                camera: 1
            }
        );
        assert_eq!(
            py(1, pad_car_number("007").unwrap() as usize, 3, 0),
            BroadcastMsg::CamSwitchNum {
                target: CamTarget::Car(3007),
                group: 3,
                camera: 0
            }
        );
        assert_eq!(
            py(5, 5, 0, 0),
            BroadcastMsg::ReplaySearch(RpySrchMode::NextLap)
        );
        assert_eq!(
            py(11, 0, (7.25f64 * 65536.0) as isize, 0),
            BroadcastMsg::FfbCommand {
                mode: FfbCommandMode::MaxForce,
                value: 7.25
            }
        );
        assert_eq!(
            py(13, 3, 0, 0),
            BroadcastMsg::VideoCapture(VideoCaptureMode::Toggle)
        );
    }

    #[test]
    fn round_trips_every_kind() {
        use BroadcastMsg as B;
        let mut all = vec![
            B::CamSwitchPos {
                position: 65535,
                group: 65535,
                camera: 65535,
            },
            B::CamSwitchNum {
                target: CamTarget::Incident,
                group: 0,
                camera: 7,
            },
            B::CamSwitchNum {
                target: CamTarget::Exciting,
                group: 2,
                camera: 1,
            },
            B::CamSwitchNum {
                target: CamTarget::Car(32767),
                group: 2,
                camera: 1,
            },
            B::CamSetState { state: 0x1ff },
            B::ReplaySetPlaySpeed {
                speed: i16::MIN,
                slow_motion: false,
            },
            B::ReplaySetPlayPosition {
                mode: RpyPosMode::End,
                frame: -600,
            },
            B::ReplaySetPlayPosition {
                mode: RpyPosMode::Current,
                frame: i32::MAX,
            },
            B::ReloadTextures {
                mode: ReloadTexturesMode::CarIdx,
                car_idx: 63,
            },
            B::ChatCommand {
                mode: ChatCommandMode::Macro,
                sub: 15,
            },
            B::PitCommand {
                mode: PitCommandMode::Lf,
                param: -1,
            },
            B::FfbCommand {
                mode: FfbCommandMode::MaxForce,
                value: -3.5,
            },
            B::ReplaySearchSessionTime {
                session_num: 65535,
                session_time_ms: i32::MIN,
            },
            B::Unknown {
                msg: 14,
                var1: 1,
                var2: 2,
            },
            B::Unknown {
                msg: 5,
                var1: 10, // no RpySrchMode 10
                var2: 0,
            },
        ];
        all.extend(RpySrchMode::ALL.iter().map(|&m| B::ReplaySearch(m)));
        all.extend(RpyStateMode::ALL.iter().map(|&m| B::ReplaySetState(m)));
        all.extend(TelemCommandMode::ALL.iter().map(|&m| B::TelemCommand(m)));
        all.extend(VideoCaptureMode::ALL.iter().map(|&m| B::VideoCapture(m)));
        for m in all {
            let (w, l) = encode(&m);
            assert_eq!(decode(w, l), m, "{m}");
            // Only the low 32 bits count: a zero-extended wParam decodes the same.
            assert_eq!(decode(w & 0xffff_ffff, l), m, "{m}");
        }
    }

    #[test]
    fn stray_bits_stay_raw() {
        // ReplaySearch takes no var2: a non-zero one is kept as Unknown rather than dropped.
        assert_eq!(
            decode(5, 9),
            BroadcastMsg::Unknown {
                msg: 5,
                var1: 0,
                var2: 9
            }
        );
        // Slow motion is a boolean in the SDK; 2 is not something it sends.
        assert!(matches!(
            decode(3 | 1 << 16, 2),
            BroadcastMsg::Unknown { .. }
        ));
    }

    #[test]
    fn car_numbers_pad_like_pyirsdk() {
        // Values from pyirsdk's _pad_car_num: "1" → 1, "01" → 2001, "001" → 3001,
        // "07" → 2007, "10" → 10, "010" → 3010, "0" → 0, "00" → 2000, "100" → 100 (run
        // against pyirsdk 1.3.7).
        let cases = [
            ("1", 1),
            ("01", 2001),
            ("001", 3001),
            ("07", 2007),
            ("10", 10),
            ("010", 3010),
            ("0", 0),
            ("00", 2000),
            ("100", 100),
        ];
        for (t, want) in cases {
            assert_eq!(pad_car_number(t), Some(want), "{t}");
        }
        assert_eq!(pad_car_number(""), None);
        assert_eq!(pad_car_number("1234"), None);
        assert_eq!(pad_car_number("1a"), None);
    }

    #[test]
    fn replay_messages_become_player_commands() {
        use BroadcastMsg as B;
        // Every message is announced; the replay ones then act.
        let acts = |m: &B| {
            let mut v = player_commands(m);
            assert_eq!(
                v.first(),
                Some(&PlayerCommand::Notice(format!("iRacing broadcast: {m}")))
            );
            v.remove(0);
            v
        };
        let speed = |speed, slow_motion| acts(&B::ReplaySetPlaySpeed { speed, slow_motion });
        assert_eq!(speed(0, false), vec![PlayerCommand::Pause]);
        assert_eq!(speed(2, false), vec![PlayerCommand::Speed(2.0)]);
        assert_eq!(speed(1, true), vec![PlayerCommand::Speed(0.5)]);
        assert_eq!(speed(3, true), vec![PlayerCommand::Speed(0.25)]);
        assert_eq!(
            player_commands(&B::ReplaySetPlaySpeed {
                speed: -1,
                slow_motion: false
            }),
            vec![PlayerCommand::Notice(
                "iRacing broadcast: replay speed -1 (ksana play cannot play backwards)".into()
            )]
        );
        assert_eq!(
            acts(&B::ReplaySetPlayPosition {
                mode: RpyPosMode::Begin,
                frame: 120
            }),
            vec![PlayerCommand::Seek {
                anchor: SeekAnchor::Start,
                offset_ns: 2_000_000_000
            }]
        );
        assert_eq!(
            acts(&B::ReplaySetPlayPosition {
                mode: RpyPosMode::End,
                frame: -60
            }),
            vec![PlayerCommand::Seek {
                anchor: SeekAnchor::End,
                offset_ns: -1_000_000_000
            }]
        );
        assert_eq!(
            acts(&B::ReplaySearch(RpySrchMode::PrevFrame)),
            vec![PlayerCommand::Seek {
                anchor: SeekAnchor::Current,
                offset_ns: -16_666_666
            }]
        );
        assert_eq!(
            acts(&B::ReplaySearch(RpySrchMode::ToEnd)),
            vec![PlayerCommand::Seek {
                anchor: SeekAnchor::End,
                offset_ns: 0
            }]
        );
        assert_eq!(
            player_commands(&B::CamSwitchPos {
                position: 1,
                group: 2,
                camera: 3,
            }),
            vec![PlayerCommand::Notice(
                "iRacing broadcast: camera: position 1, group 2, camera 3 (no effect on a recording)"
                    .into()
            )]
        );
        assert_eq!(
            player_commands(&B::ReplaySearch(RpySrchMode::NextLap)),
            vec![PlayerCommand::Notice(
                "iRacing broadcast: replay search next-lap (ksana play seeks by time and frame only)"
                    .into()
            )]
        );
    }

    /// Counts what reaches the inner publisher.
    #[derive(Default)]
    struct Counting {
        stops: u32,
        beats: u32,
    }

    impl SimPublisher for Counting {
        fn publish(&mut self, _: &FrameRef<'_>, _: PublishContext) -> Result<(), SimError> {
            Ok(())
        }
        fn stop(&mut self) -> Result<(), SimError> {
            self.stops += 1;
            Ok(())
        }
        fn heartbeat_interval(&self) -> Option<std::time::Duration> {
            Some(std::time::Duration::from_millis(16))
        }
        fn heartbeat(&mut self) -> Result<(), SimError> {
            self.beats += 1;
            Ok(())
        }
        fn commands(&mut self) -> Vec<PlayerCommand> {
            vec![PlayerCommand::Notice("inner".into())]
        }
    }

    #[test]
    fn a_linked_publisher_delegates_and_adds_commands() {
        let dir = tempfile::tempdir().unwrap();
        let ns = ShmNamespace::with_root(dir.path());
        let mut p = LinkedPublisher::new(Counting::default(), &ns);
        assert_eq!(
            p.heartbeat_interval(),
            Some(std::time::Duration::from_millis(16))
        );
        p.heartbeat().unwrap();
        p.stop().unwrap();
        assert_eq!((p.inner.stops, p.inner.beats), (1, 1));
        // Nothing was broadcast: only the inner publisher's own commands.
        assert_eq!(p.commands(), vec![PlayerCommand::Notice("inner".into())]);
    }

    #[test]
    fn private_namespaces_get_their_own_message() {
        let a = ShmNamespace::with_root("/tmp/a");
        let b = ShmNamespace::with_root("/tmp/b");
        assert_ne!(message_name(&a), message_name(&b));
        assert!(message_name(&a).starts_with("IRSDK_BROADCASTMSG-ksana-"));
        assert_eq!(
            message_name(&a),
            message_name(&ShmNamespace::with_root("/tmp/a"))
        );
    }

    #[test]
    fn mode_names_parse_back() {
        for m in RpySrchMode::ALL {
            assert_eq!(RpySrchMode::parse(m.as_str()), Some(*m));
        }
        assert_eq!(RpyPosMode::parse("end"), Some(RpyPosMode::End));
        assert_eq!(RpyPosMode::parse("middle"), None);
    }
}
