//! iRacing broadcast messages end to end: on Windows (Wine in CI) every kind of message sent to
//! `HWND_BROADCAST` reaches a hidden top-level window and decodes to what was sent, and
//! private namespaces do not hear each other; elsewhere sending is a typed "Windows only"
//! error and a player link stays silent.

#[cfg(not(windows))]
#[test]
fn elsewhere_sending_is_unsupported_and_links_are_silent() {
    use ksana_shm::ShmNamespace;
    use ksana_sims::iracing::broadcast::{self, BroadcastMsg, PlayerLink};

    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let m = BroadcastMsg::ReplaySetPlaySpeed {
        speed: 2,
        slow_motion: false,
    };
    let e = broadcast::send(&ns, &m).unwrap_err();
    assert!(matches!(e, broadcast::BroadcastError::Unsupported));
    assert_eq!(
        e.to_string(),
        "iRacing broadcast messages exist only on Windows"
    );
    let mut link = PlayerLink::start(&ns).unwrap();
    assert!(link.commands().is_empty());
}

#[cfg(windows)]
mod windows {
    use std::time::{Duration, Instant};

    use ksana_shm::ShmNamespace;
    use ksana_sims::iracing::broadcast::{
        self, BroadcastMsg, CamTarget, FfbCommandMode, PitCommandMode, PlayerLink, Receiver,
        RpyPosMode, RpySrchMode, VideoCaptureMode,
    };
    use ksana_sims::{PlayerCommand, SeekAnchor};

    const PATIENCE: Duration = Duration::from_secs(20);

    fn kinds() -> Vec<BroadcastMsg> {
        use BroadcastMsg as B;
        vec![
            B::CamSwitchPos {
                position: 3,
                group: 10,
                camera: 2,
            },
            B::CamSwitchNum {
                target: CamTarget::Leader,
                group: 1,
                camera: 0,
            },
            B::CamSwitchNum {
                target: CamTarget::Car(broadcast::pad_car_number("007").unwrap()),
                group: 4,
                camera: 1,
            },
            B::CamSetState { state: 0x8 },
            B::ReplaySetPlaySpeed {
                speed: -4,
                slow_motion: false,
            },
            B::ReplaySetPlayPosition {
                mode: RpyPosMode::End,
                frame: -600,
            },
            B::ReplaySearch(RpySrchMode::NextIncident),
            B::PitCommand {
                mode: PitCommandMode::Fuel,
                param: 30,
            },
            B::FfbCommand {
                mode: FfbCommandMode::MaxForce,
                value: 12.5,
            },
            B::ReplaySearchSessionTime {
                session_num: 2,
                session_time_ms: 3_600_000,
            },
            B::VideoCapture(VideoCaptureMode::Toggle),
            B::Unknown {
                msg: 200,
                var1: 1,
                var2: -1,
            },
        ]
    }

    #[test]
    fn every_kind_arrives_decoded() {
        let root = ksana_testkit::shm_root();
        let ns = ShmNamespace::with_root(root.path());
        let (_rx_window, rx) = Receiver::start_named(&broadcast::message_name(&ns)).unwrap();
        let sent = kinds();
        for m in &sent {
            broadcast::send(&ns, m).unwrap();
        }
        let mut got = Vec::new();
        let until = Instant::now() + PATIENCE;
        while got.len() < sent.len() && Instant::now() < until {
            if let Ok(m) = rx.recv_timeout(Duration::from_millis(200)) {
                got.push(m);
            }
        }
        assert_eq!(got, sent);
    }

    #[test]
    fn a_player_link_turns_replay_messages_into_commands_in_its_namespace_only() {
        let root_a = ksana_testkit::shm_root();
        let root_b = ksana_testkit::shm_root();
        let a = ShmNamespace::with_root(root_a.path());
        let b = ShmNamespace::with_root(root_b.path());
        let mut link_a = PlayerLink::start(&a).unwrap();
        let mut link_b = PlayerLink::start(&b).unwrap();
        broadcast::send(
            &a,
            &BroadcastMsg::ReplaySetPlaySpeed {
                speed: 2,
                slow_motion: false,
            },
        )
        .unwrap();
        broadcast::send(&a, &BroadcastMsg::ReplaySearch(RpySrchMode::ToStart)).unwrap();
        let want = vec![
            PlayerCommand::Notice("iRacing broadcast: replay speed 2".into()),
            PlayerCommand::Speed(2.0),
            PlayerCommand::Notice("iRacing broadcast: replay search to-start".into()),
            PlayerCommand::Seek {
                anchor: SeekAnchor::Start,
                offset_ns: 0,
            },
        ];
        let mut got = Vec::new();
        let until = Instant::now() + PATIENCE;
        while got.len() < want.len() && Instant::now() < until {
            got.extend(link_a.commands());
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(got, want);
        // b's link heard nothing: both messages went under a's name.
        std::thread::sleep(Duration::from_millis(300));
        assert!(link_b.commands().is_empty());
    }
}
