use super::*;

fn f32_at(b: &[u8], off: usize) -> f32 {
    f32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
fn i32_at(b: &[u8], off: usize) -> i32 {
    i32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
fn f64_at(b: &[u8], off: usize) -> f64 {
    f64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

const PROFILES: [Profile; 2] = [Profile::AccLike, Profile::IracingLike];

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    for p in PROFILES {
        let a: Vec<SynthFrame> = Session::new(p, 7).take(500).collect();
        let b: Vec<SynthFrame> = Session::new(p, 7).take(500).collect();
        let c: Vec<SynthFrame> = Session::new(p, 8).take(500).collect();
        assert_eq!(a, b, "{p:?}");
        assert_ne!(a[499].pages[0], c[499].pages[0], "{p:?}");
        assert_eq!(Session::new(p, 7).pages(), Session::new(p, 8).pages());
    }
}

#[test]
fn sizes_match_specs_and_field_maps_cover_pages() {
    let expected: [(Profile, &[u32]); 2] = [
        (Profile::AccLike, &[800, 1588, 820]),
        (Profile::IracingLike, &[1072, 16_384]),
    ];
    for (p, sizes) in expected {
        let s = Session::new(p, 1);
        let specs = s.pages();
        assert_eq!(specs.iter().map(|s| s.size).collect::<Vec<_>>(), sizes);
        for spec in &specs {
            let covered: u64 = spec
                .fields
                .iter()
                .map(|(k, n)| (k.width() * *n as usize) as u64)
                .sum();
            assert_eq!(covered, spec.size as u64, "{}", spec.name);
        }
        for f in s.take(400) {
            for (page, spec) in f.pages.iter().zip(&specs) {
                assert_eq!(page.len() as u32, spec.size, "{}", spec.name);
            }
        }
    }
}

#[test]
fn iracing_row_matches_ibt_offsets() {
    let s = Session::new(Profile::IracingLike, 3);
    let f: Vec<SynthFrame> = s.take(2).collect();
    let row = &f[1].pages[0];
    // SessionTime f64 @0, SessionTick i32 @8 as in a real row.
    assert!((f64_at(row, 0) - (932.0 + 1.0 / 60.0)).abs() < 1e-9);
    assert_eq!(i32_at(row, 8), iracing::FIRST_TICK + 1);
    // Speed @302, Gear @201, RPM @205, LapDistPct @221 as in the 2024 .ibt.
    let speed = f32_at(row, 302);
    assert!((5.0..100.0).contains(&speed), "{speed}");
    assert!((1..=6).contains(&i32_at(row, 201)));
    assert!((2000.0..9000.0).contains(&f32_at(row, 205)));
    assert!((0.0..=1.0).contains(&f32_at(row, 221)));
    let yaml = &f[1].pages[1];
    assert!(yaml.starts_with(b"---\nWeekendInfo:\n TrackName: synth ring"));
    let text_len = yaml.iter().position(|&b| b == 0).expect("NUL padding");
    assert!(text_len > 8_000, "{text_len}");
}

#[test]
fn values_plausible_over_laps() {
    // Three minutes of ACC: speeds, gears, pedals in range, at least one lap completed,
    // graphics at 60 Hz, static never changing.
    let s = Session::new(Profile::AccLike, 11);
    let mut last_graphics: Option<Vec<u8>> = None;
    let mut graphics_updates = 0;
    let mut first_static: Option<Vec<u8>> = None;
    let mut max_speed = 0.0f32;
    let mut gears = std::collections::BTreeSet::new();
    let n = 333 * 180;
    let mut last = None;
    for f in s.take(n) {
        let phys = &f.pages[0];
        let kmh = f32_at(phys, 28);
        assert!((0.0..360.0).contains(&kmh), "{kmh}");
        max_speed = max_speed.max(kmh / 3.6);
        let gear = i32_at(phys, 16);
        assert!((2..=7).contains(&gear), "{gear}");
        gears.insert(gear);
        let (gas, brake) = (f32_at(phys, 4), f32_at(phys, 8));
        assert!((0.0..=1.0).contains(&gas) && (0.0..=1.0).contains(&brake));
        assert!(gas < 0.5 || brake < 0.5, "gas {gas} brake {brake} together");
        if last_graphics.as_ref() != Some(&f.pages[1]) {
            graphics_updates += 1;
            last_graphics = Some(f.pages[1].clone());
        }
        match &first_static {
            None => first_static = Some(f.pages[2].clone()),
            Some(s) => assert_eq!(s, &f.pages[2]),
        }
        last = Some(f);
    }
    assert!(max_speed > 60.0 && max_speed <= 100.0, "{max_speed}");
    assert!(gears.len() >= 4, "{gears:?}");
    assert!(
        (60 * 180 - 2..=60 * 180 + 1).contains(&graphics_updates),
        "{graphics_updates}"
    );
    let g = &last.unwrap().pages[1];
    let laps = i32_at(g, 132);
    assert!((1..=2).contains(&laps), "completed laps {laps}");
    let last_lap_ms = i32_at(g, 144);
    assert!((85_000..97_000).contains(&last_lap_ms), "{last_lap_ms}");
}

#[test]
fn timestamps_strictly_increase_at_rate() {
    for p in PROFILES {
        let frames: Vec<SynthFrame> = Session::new(p, 5).take(2000).collect();
        let period = 1e9 / p.rate_hz() as f64;
        for (i, w) in frames.windows(2).enumerate() {
            let d = w[1].timestamp_ns - w[0].timestamp_ns;
            assert!(w[1].timestamp_ns > w[0].timestamp_ns);
            assert!((d as f64 - period).abs() <= 1.0, "{p:?} {d}");
            assert_eq!(w[1].tick, i as u64 + 1);
        }
        assert_eq!(frames[0].timestamp_ns, 0);
        assert_eq!(
            frames[1999].timestamp_ns,
            1999 * 1_000_000_000 / p.rate_hz() as u64
        );
    }
}
