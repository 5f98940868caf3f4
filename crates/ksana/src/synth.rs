//! `ksana synth`: a synthetic recording written straight to a file.

use std::path::Path;

use anyhow::{Context, Result, bail};
use ksana_format::{Header, Marker, MarkerKind, PageUpdate, Writer, WriterOptions};
use ksana_synth::{Profile, Session};

/// The profiles offered on the command line.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SynthProfile {
    /// ACC-like: physics at 333 Hz, graphics at 60 Hz, static once.
    Acc,
    /// iRacing-like: one telemetry row at 60 Hz and a session YAML page.
    Iracing,
}

pub fn run(output: &Path, profile: SynthProfile, seconds: f64, seed: u64) -> Result<()> {
    if !(seconds > 0.0 && seconds <= 24.0 * 3600.0) {
        bail!("--seconds must be between 0 and 86400, got {seconds}");
    }
    let (profile, sim) = match profile {
        SynthProfile::Acc => (Profile::AccLike, "acc"),
        SynthProfile::Iracing => (Profile::IracingLike, "iracing"),
    };
    let session = Session::new(profile, seed);
    let mut header = Header::new(sim, session.pages());
    header.metadata.push((
        "source".into(),
        format!("ksana synth --profile {} --seed {seed}", profile.name()),
    ));
    let mut w = Writer::create(output, header, WriterOptions::default())?;
    let end_ns = (seconds * 1e9) as u64;
    w.add_marker(Marker::new(
        0,
        MarkerKind::SessionStart,
        "synthetic session",
    ))?;
    let mut last = 0;
    for f in session.take_while(|f| f.timestamp_ns <= end_ns) {
        let updates: Vec<PageUpdate<'_>> = f
            .pages
            .iter()
            .enumerate()
            .map(|(page, data)| PageUpdate { page, data })
            .collect();
        w.write_frame(f.timestamp_ns, Some(f.tick), &updates)?;
        last = f.timestamp_ns;
    }
    w.add_marker(Marker::new(
        last,
        MarkerKind::SessionEnd,
        "synthetic session",
    ))?;
    let closed = w
        .close()
        .with_context(|| format!("closing {}", output.display()))?;
    if let Some(Err(e)) = &closed.compaction {
        eprintln!("note: the file is complete but was not re-packed: {e}");
    }
    println!("wrote {}", closed.path.display());
    Ok(())
}
