//! Export channels of every sim with channels: the fake world rendered into the sim's pages and
//! decoded as channels reads back the world's values (speed, gear, laps, track name), names
//! are unique and expanded as documented, and short or foreign pages never panic.

use std::collections::HashSet;

use ksana_format::PageSpec;
use ksana_sims::channels::{ChannelList, ChannelType, Row, ValueRef};
use ksana_sims::{Sim, by_id};
use ksana_synth::world::{Scenario, World, WorldState};

/// A world some way into its first session: moving, a lap or more done.
fn world() -> WorldState {
    let mut w = World::new(Scenario::Laps, 1);
    for _ in 0..(200 * 60) {
        w.step(1.0 / 60.0);
    }
    w.state().clone()
}

fn render(sim: &dyn Sim, w: &WorldState) -> (Vec<PageSpec>, Vec<Vec<u8>>) {
    let mut f = sim.fake().expect("fake renderer");
    let specs = f.pages();
    let mut pages = vec![Vec::new(); specs.len()];
    let mut changed = vec![false; specs.len()];
    f.render(w, &mut pages, &mut changed).unwrap();
    (specs, pages)
}

fn decode(sim: &dyn Sim, specs: &[PageSpec], pages: &[Vec<u8>]) -> (ChannelList, Row) {
    let mut src = sim
        .channels(specs)
        .expect("channels for the sim's own pages");
    let refs: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
    let list = src.channels(&refs).unwrap();
    let mut row = Row::new();
    src.decode(&refs, &mut row).unwrap();
    assert_eq!(row.len(), list.channels.len());
    (list, row)
}

fn value<'a>(list: &ChannelList, row: &'a Row, name: &str) -> ValueRef<'a> {
    let i = list
        .channels
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no channel {name}"));
    row.get(i)
}

fn unique(list: &ChannelList) {
    let mut seen = HashSet::new();
    for c in &list.channels {
        assert!(seen.insert(c.name.as_str()), "duplicate channel {}", c.name);
    }
}

#[test]
fn assetto_family_channels_read_the_world() {
    let w = world();
    assert!(w.timing.completed_laps >= 1, "the world has done a lap");
    for id in ["ac", "acc", "acrally"] {
        let sim = by_id(id).unwrap();
        let (specs, pages) = render(sim, &w);
        let (list, row) = decode(sim, &specs, &pages);
        unique(&list);
        assert_eq!(
            value(&list, &row, "speedKmh"),
            ValueRef::F32((w.car.speed_ms * 3.6) as f32),
            "{id}"
        );
        assert_eq!(
            value(&list, &row, "completedLaps"),
            ValueRef::I32(w.timing.completed_laps as i32)
        );
        assert_eq!(
            value(&list, &row, "track"),
            ValueRef::Str(&w.session.track_id),
            "{id}"
        );
        // On two pages: prefixed on both.
        assert!(list.channels.iter().any(|c| c.name == "physics.packetId"));
        assert!(list.channels.iter().any(|c| c.name == "graphics.packetId"));
        assert!(!list.channels.iter().any(|c| c.name == "packetId"));
        // Arrays expanded in order; 2-D arrays as [i][j].
        let names: Vec<&str> = list.channels.iter().map(|c| c.name.as_str()).collect();
        let at = names.iter().position(|n| *n == "wheelSlip[0]").unwrap();
        assert_eq!(
            &names[at..at + 4],
            [
                "wheelSlip[0]",
                "wheelSlip[1]",
                "wheelSlip[2]",
                "wheelSlip[3]"
            ]
        );
        if id == "ac" {
            assert!(names.contains(&"carCoordinates[2]"));
        } else {
            assert!(names.contains(&"carCoordinates[0][2]"), "{id}");
        }
        assert!(
            !names
                .iter()
                .any(|n| n.contains("place_holder") || n.contains("_pad"))
        );
        // Types, units, rates.
        let ch = |n: &str| list.channels.iter().find(|c| c.name == n).unwrap();
        assert_eq!(ch("speedKmh").unit, "km/h");
        assert_eq!(ch("speedKmh").ty, ChannelType::F32);
        assert_eq!(ch("speedKmh").rate_hz, Some(333.0));
        assert_eq!(ch("track").ty, ChannelType::Str);
        assert_eq!(ch("track").rate_hz, None);
        let temp = &ch("tyreCoreTemperature[0]").unit;
        assert_eq!(temp, if id == "acrally" { "K" } else { "°C" }, "{id}");
        // The lap is completedLaps + 1.
        let lap = list.lap.expect("lap rule");
        assert_eq!(list.channels[lap.channel].name, "completedLaps");
        assert_eq!(lap.add, 1);
    }
}

#[test]
fn ac_evo_channels_read_the_world() {
    let w = world();
    let sim = by_id("acevo").unwrap();
    let (specs, pages) = render(sim, &w);
    let (list, row) = decode(sim, &specs, &pages);
    unique(&list);
    assert_eq!(
        value(&list, &row, "speedKmh"),
        ValueRef::F32((w.car.speed_ms * 3.6) as f32)
    );
    assert_eq!(
        value(&list, &row, "track"),
        ValueRef::Str(&w.session.track_id)
    );
    assert_eq!(value(&list, &row, "sm_version"), ValueRef::Str("1.0"));
    // Embedded structs flattened as member.field; 64-bit ids typed u64.
    assert!(list.channels.iter().any(|c| c.name.starts_with("tyre_lf.")));
    let ids = list
        .channels
        .iter()
        .find(|c| c.name == "car_ids[0][0]")
        .unwrap();
    assert_eq!(ids.ty, ChannelType::U64);
    let lap = list.lap.expect("lap rule");
    assert_eq!(list.channels[lap.channel].name, "total_lap_count");
    assert_eq!(
        row.get(lap.channel),
        ValueRef::I32(w.timing.completed_laps as i32)
    );
}

#[test]
fn iracing_channels_are_the_var_headers() {
    let w = world();
    let sim = by_id("iracing").unwrap();
    let (specs, pages) = render(sim, &w);
    let (list, row) = decode(sim, &specs, &pages);
    unique(&list);
    assert_eq!(
        value(&list, &row, "Speed"),
        ValueRef::F32(w.car.speed_ms as f32)
    );
    assert_eq!(
        value(&list, &row, "Lap"),
        ValueRef::I32(w.timing.completed_laps as i32 + 1)
    );
    let speed = list.channels.iter().find(|c| c.name == "Speed").unwrap();
    assert_eq!(speed.unit, "m/s");
    assert_eq!(speed.rate_hz, Some(60.0));
    assert!(
        list.channels
            .iter()
            .any(|c| c.name == "CarIdxLapDistPct[63]")
    );
    assert!(!list.channels.iter().any(|c| c.name == "CarIdxLapDistPct"));
    let lap = list.lap.expect("lap rule");
    assert_eq!(list.channels[lap.channel].name, "Lap");
    assert_eq!(lap.add, 0);
}

#[test]
fn iracing_refuses_a_changed_variable_list_and_short_pages() {
    let w = world();
    let sim = by_id("iracing").unwrap();
    let (specs, mut pages) = render(sim, &w);
    let mut src = sim.channels(&specs).unwrap();
    let refs: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
    let list = src.channels(&refs).unwrap();
    // A row cut short: the values past its end are missing, nothing panics.
    let mut short = pages.clone();
    short[3].truncate(16);
    let refs: Vec<&[u8]> = short.iter().map(|p| p.as_slice()).collect();
    let mut row = Row::new();
    src.decode(&refs, &mut row).unwrap();
    assert_eq!(row.len(), list.channels.len());
    assert_eq!(row.get(list.channels.len() - 1), ValueRef::Missing);
    // Another variable list within the segment: refused.
    pages[1][20] ^= 0x20;
    let refs: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
    let e = src.decode(&refs, &mut row).unwrap_err().to_string();
    assert!(e.contains("variable list changed"), "{e}");
    // Missing pages: an error, not a panic.
    let mut fresh = sim.channels(&specs).unwrap();
    assert!(fresh.channels(&[]).is_err());
}

#[test]
fn assetto_short_pages_are_missing_values_and_foreign_pages_are_refused() {
    let w = world();
    let sim = by_id("acc").unwrap();
    let (specs, pages) = render(sim, &w);
    let mut src = sim.channels(&specs).unwrap();
    let refs: Vec<&[u8]> = vec![&pages[0][..28], &[], &pages[2]];
    let list = src.channels(&refs).unwrap();
    let mut row = Row::new();
    src.decode(&refs, &mut row).unwrap();
    assert_eq!(
        value(&list, &row, "gas"),
        ValueRef::F32(w.car.throttle as f32)
    );
    assert_eq!(value(&list, &row, "speedKmh"), ValueRef::Missing);
    assert_eq!(value(&list, &row, "completedLaps"), ValueRef::Missing);
    assert_eq!(
        value(&list, &row, "track"),
        ValueRef::Str(&w.session.track_id)
    );
    // ACC's pages are not AC Evo's, nor iRacing's.
    assert!(by_id("acevo").unwrap().channels(&specs).is_none());
    assert!(by_id("iracing").unwrap().channels(&specs).is_none());
    assert!(sim.channels(&[]).is_none());
    // Physics alone (AC Rally, some builds) is accepted.
    assert!(
        by_id("acrally")
            .unwrap()
            .channels(&render(by_id("acrally").unwrap(), &w).0[..1])
            .is_some()
    );
}
