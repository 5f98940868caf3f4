use ksana_format::*;
fn main() {
    let b = std::fs::read("/work/shared/fixtures/iracing/ibt_2024_390rows.ibt").unwrap();
    let i32_at = |o: usize| i32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let nvars = i32_at(24) as usize;
    let vho = i32_at(28) as usize;
    let buflen = i32_at(36) as usize;
    let bufoff = i32_at(52) as usize;
    let mut vars: Vec<(usize, FieldKind, usize)> = (0..nvars)
        .map(|i| {
            let h = vho + i * 144;
            let t = i32_at(h);
            let k = match t {
                0 | 1 => FieldKind::U8,
                2 | 3 => FieldKind::U32,
                4 => FieldKind::F32,
                _ => FieldKind::F64,
            };
            (i32_at(h + 4) as usize, k, i32_at(h + 8) as usize)
        })
        .collect();
    vars.sort_by_key(|v| v.0);
    let mut runs = Vec::new();
    let mut off = 0;
    for (o, k, c) in vars {
        while off < o {
            runs.push((FieldKind::U8, 1));
            off += 1;
        }
        runs.push((k, c as u32));
        off += k.width() * c;
    }
    let rows: Vec<&[u8]> = (0..390)
        .map(|i| &b[bufoff + i * buflen..bufoff + (i + 1) * buflen])
        .collect();
    let level: i32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(6);
    let dur: u64 = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(1_000_000_000);
    let nomap = std::env::args().nth(3).is_some();
    let page = PageSpec::new("row", buflen as u32).with_fields(if nomap { vec![] } else { runs });
    let opts = WriterOptions {
        zstd_level: level,
        chunk_duration_ns: dur,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let mut out = Vec::new();
    for _ in 0..20 {
        let mut w = Writer::new(
            Vec::new(),
            Header::new("iracing", vec![page.clone()]),
            opts.clone(),
        )
        .unwrap();
        for (i, r) in rows.iter().enumerate() {
            w.write_frame(
                i as u64 * 16_666_667,
                Some(i as u64),
                &[PageUpdate { page: 0, data: r }],
            )
            .unwrap();
        }
        out = w.finish().unwrap();
    }
    let enc = t.elapsed().as_secs_f64() / 20.0;
    if std::env::var("ONLY_ENC").is_ok() {
        println!("enc {:.0} MB/s", (390 * buflen) as f64 / enc / 1e6);
        return;
    }
    let path = "/tmp/probe/p.ksana";
    let mut w = Writer::create(
        path,
        Header::new("iracing", vec![page.clone()]),
        opts.clone(),
    )
    .unwrap();
    for (i, r) in rows.iter().enumerate() {
        w.write_frame(
            i as u64 * 16_666_667,
            Some(i as u64),
            &[PageUpdate { page: 0, data: r }],
        )
        .unwrap();
    }
    let t = std::time::Instant::now();
    let (_, rep) = w.close().unwrap();
    println!(
        "close+compact {:?} {:?} ratio {:.2}",
        t.elapsed(),
        rep,
        raw_total(&rows) as f64 / std::fs::metadata(path).unwrap().len() as f64
    );
    let raw = 390 * buflen;
    let rec = Recording::from_bytes(out.clone()).unwrap();
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..20 {
        let mut f = rec.frames();
        while let Some(fr) = f.next_frame().unwrap() {
            n += fr.page(0).len();
        }
    }
    let dec = t.elapsed().as_secs_f64() / 20.0;
    let chunk_bytes: u64 = rec.chunks().iter().map(|c| c.stored_bytes).sum();
    println!(
        "level {level} dur {dur}: file {} chunks {} ({} chunks) ratio file {:.2} chunks {:.2} enc {:.0} MB/s dec {:.0} MB/s n={}",
        out.len(),
        chunk_bytes,
        rec.chunks().len(),
        raw as f64 / out.len() as f64,
        raw as f64 / chunk_bytes as f64,
        raw as f64 / enc / 1e6,
        raw as f64 / dec / 1e6,
        n / 20
    );
}

fn raw_total(r: &[&[u8]]) -> usize {
    r.iter().map(|x| x.len()).sum()
}
