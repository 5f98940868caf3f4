//! `ksana-record-bench`: what recording costs. Runs `ksana simulate` (the sim's writer) and
//! `ksana dump` (the recorder) as processes under a private shared-memory root and samples the
//! recorder from /proc: CPU % of one core (user + sys over wall time, steady state after a
//! warm-up), peak RSS (VmHWM), RSS at the start and the end of the window (flat over time), and
//! the updates the recording misses. Baselines from the same run: the writer process's own CPU
//! and RSS, an idle `sleep` process's, and a loop that does nothing but wake at the sim's
//! update rate (what the wake-ups a polling reader needs cost on this machine).
//!
//! Targets (issue 7): ≤ 0.2 % of a core, ≤ 20 MB RSS, flat, nothing missed. Linux only.
//!
//! ```text
//! cargo build --release -p ksana -p ksana-bench
//! target/release/ksana-record-bench --seconds 60   # test pattern at 1 kHz, 333 Hz, 60 Hz
//! target/release/ksana-record-bench --case acc:333 --case iracing:60   # the sims' stand-ins
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    about = "Recording cost: the recorder's CPU, RSS and missed updates against a sim writer"
)]
struct Args {
    /// Measured seconds per case (after the warm-up).
    #[arg(long, default_value_t = 60.0)]
    seconds: f64,
    /// Seconds before the measurement starts (sim found, file created, queues warm).
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// 10 s per case (CI smoke run).
    #[arg(long)]
    quick: bool,
    /// `SIM:RATE` to record (repeatable). Default: the test pattern at 1 kHz, 333 Hz (ACC's
    /// physics rate) and 60 Hz (iRacing's); its 4 KiB pages do not compress, so it is a worst
    /// case for the codec. `acc:333`, `acevo:333` and `iracing:60` record those sims'
    /// stand-ins (`ksana simulate --sim …`).
    #[arg(long = "case", value_name = "SIM:RATE")]
    cases: Vec<String>,
    /// The ksana binary; default: beside this one.
    #[arg(long, env = "KSANA_BIN")]
    ksana: Option<PathBuf>,
    /// Internal: be the wake-up baseline, sleeping `1/HZ` s in a loop doing nothing else.
    #[arg(long, value_name = "HZ", hide = true)]
    wake_loop: Option<f64>,
}

/// The wake-up baseline: a loop that only sleeps until the next 1/`hz` s deadline, as a
/// reader with nothing to wait on must wake at least once per update. Its CPU is what the
/// wake-ups alone cost on this machine, the floor for a recorder of a sim without history.
fn wake_loop(hz: f64) -> ! {
    let period = Duration::from_secs_f64(1.0 / hz.max(0.1));
    let mut next = Instant::now();
    loop {
        next += period;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

/// CPU time (user + sys, all threads) of a process, from /proc/PID/stat, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// A `VmXXX:` figure of /proc/PID/status, in KiB.
fn vm_kib(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find_map(|l| {
        l.strip_prefix(key)?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    })
}

/// Clock ticks per second (USER_HZ), from `getconf CLK_TCK`; 100 if that fails.
fn clk_tck() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// One process's figures over the measured window.
struct Usage {
    cpu_pct: f64,
    rss_start_kib: u64,
    rss_end_kib: u64,
    hwm_kib: u64,
}

/// Samples `pids` every 250 ms for `window`; CPU over the window, RSS at its ends, peak RSS.
fn measure(pids: &[u32], window: Duration, tck: f64) -> Vec<Option<Usage>> {
    let t0 = Instant::now();
    let cpu0: Vec<Option<u64>> = pids.iter().map(|&p| cpu_ticks(p)).collect();
    let rss0: Vec<Option<u64>> = pids.iter().map(|&p| vm_kib(p, "VmRSS:")).collect();
    let mut last_cpu = cpu0.clone();
    let mut last_rss = rss0.clone();
    while t0.elapsed() < window {
        std::thread::sleep(Duration::from_millis(250).min(window.saturating_sub(t0.elapsed())));
        for (i, &p) in pids.iter().enumerate() {
            if let Some(c) = cpu_ticks(p) {
                last_cpu[i] = Some(c);
            }
            if let Some(r) = vm_kib(p, "VmRSS:") {
                last_rss[i] = Some(r);
            }
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    pids.iter()
        .enumerate()
        .map(|(i, &p)| {
            Some(Usage {
                cpu_pct: (last_cpu[i]? - cpu0[i]?) as f64 / tck / wall * 100.0,
                rss_start_kib: rss0[i]?,
                rss_end_kib: last_rss[i]?,
                hwm_kib: vm_kib(p, "VmHWM:")?,
            })
        })
        .collect()
}

fn spawn(cmd: &mut Command) -> Result<Child> {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {cmd:?}"))
}

/// Update counters of a recording's frames (when its sim's pages check themselves, like the
/// test pattern's): frames and the number of updates between first and last not recorded.
fn missed(path: &Path) -> Result<(u64, Option<u64>)> {
    let rec = ksana_format::Recording::open(path)?;
    let mut frames = rec.frames();
    let (mut n, mut miss, mut prev, mut ticks) = (0u64, 0u64, None::<u64>, true);
    while let Some(f) = frames.next_frame()? {
        n += 1;
        match f.tick() {
            Some(t) => {
                if let Some(p) = prev {
                    miss += t.saturating_sub(p + 1);
                }
                prev = Some(t);
            }
            None => ticks = false,
        }
    }
    Ok((n, ticks.then_some(miss)))
}

fn run_case(ksana: &Path, case: &str, a: &Args, tck: f64) -> Result<()> {
    let (sim, rate) = case
        .split_once(':')
        .context("a case is SIM:RATE, e.g. testpattern:1000")?;
    let rate: u32 = rate.parse().context("RATE")?;
    let root = tempfile::tempdir_in("/dev/shm").or_else(|_| tempfile::tempdir())?;
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("bench.ksana");
    let total = a.warmup + a.seconds + 5.0;
    let mut writer = spawn(
        Command::new(ksana)
            .args([
                "simulate",
                "--pattern",
                "--sim",
                sim,
                "--rate",
                &rate.to_string(),
            ])
            .args(["--duration", &format!("{total}"), "--shm-dir"])
            .arg(root.path()),
    )?;
    std::thread::sleep(Duration::from_millis(300));
    if let Some(st) = writer.try_wait()? {
        let err = writer.wait_with_output()?.stderr;
        bail!(
            "{case}: `ksana simulate --sim {sim}` exited ({st}): {}",
            String::from_utf8_lossy(&err).trim()
        );
    }
    let recorder = spawn(
        Command::new(ksana)
            .args(["dump", "--no-db", "--sim", sim, "--shm-dir"])
            .arg(root.path())
            .arg("-o")
            .arg(&out),
    )?;
    let idle = spawn(Command::new("sleep").arg(format!("{total}")))?;
    let mut wakes =
        spawn(Command::new(std::env::current_exe()?).args(["--wake-loop", &rate.to_string()]))?;
    std::thread::sleep(Duration::from_secs_f64(a.warmup));
    let pids = [recorder.id(), writer.id(), idle.id(), wakes.id()];
    let u = measure(&pids, Duration::from_secs_f64(a.seconds), tck);
    // Stop the recorder as a user would (Ctrl+C): it closes and re-packs the file.
    Command::new("kill")
        .args(["-INT", &recorder.id().to_string()])
        .status()?;
    let o = recorder.wait_with_output()?;
    let _ = Command::new("kill").arg(writer.id().to_string()).status();
    let _ = writer.wait();
    let mut idle = idle;
    let _ = idle.kill();
    let _ = idle.wait();
    let _ = wakes.kill();
    let _ = wakes.wait();
    if !o.status.success() {
        bail!(
            "{case}: ksana dump failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (frames, miss) = missed(&out)?;
    let size = std::fs::metadata(&out)?.len();
    println!(
        "\n{case}: {:.0} s measured after {:.0} s warm-up; {frames} frames recorded, file {:.1} MB",
        a.seconds,
        a.warmup,
        size as f64 / 1e6
    );
    println!(
        "  {:<26} {:>9} {:>11} {:>11} {:>11}",
        "process", "CPU %", "RSS start", "RSS end", "peak RSS"
    );
    for (name, u) in [
        ("recorder (ksana dump)", &u[0]),
        ("baseline: sim writer", &u[1]),
        ("baseline: idle sleep", &u[2]),
        (&format!("baseline: {rate} wake-ups/s"), &u[3]),
    ] {
        match u {
            Some(u) => println!(
                "  {name:<26} {:>8.3}% {:>8.1} MB {:>8.1} MB {:>8.1} MB",
                u.cpu_pct,
                u.rss_start_kib as f64 / 1024.0,
                u.rss_end_kib as f64 / 1024.0,
                u.hwm_kib as f64 / 1024.0
            ),
            None => println!("  {name:<26} (exited before the window ended)"),
        }
    }
    if let (Some(r), Some(w)) = (&u[0], &u[3])
        && w.cpu_pct > 0.0
    {
        println!(
            "  recorder / wake-up baseline: {:.2}x (the baseline alone is {} the 0.2 % target)",
            r.cpu_pct / w.cpu_pct,
            if w.cpu_pct > 0.2 { "over" } else { "within" }
        );
    }
    match miss {
        Some(m) => println!("  updates missed: {m} (from the recorded tick counters)"),
        None => println!("  updates missed: not countable (frames without ticks)"),
    }
    if let Some(r) = &u[0] {
        println!(
            "  targets: CPU <= 0.2 % of a core: {}; peak RSS <= 20 MB: {}; RSS growth over the window {:+.1} MB",
            if r.cpu_pct <= 0.2 { "met" } else { "MISSED" },
            if r.hwm_kib <= 20 * 1024 {
                "met"
            } else {
                "MISSED"
            },
            (r.rss_end_kib as f64 - r.rss_start_kib as f64) / 1024.0
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    let mut a = Args::parse();
    if let Some(hz) = a.wake_loop {
        wake_loop(hz);
    }
    if a.quick {
        a.seconds = 10.0;
    }
    if a.cases.is_empty() {
        a.cases = ["testpattern:1000", "testpattern:333", "testpattern:60"]
            .map(String::from)
            .to_vec();
    }
    let ksana = match &a.ksana {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory")?
            .join("ksana"),
    };
    if !ksana.is_file() {
        bail!(
            "{} not found: build it (cargo build --release -p ksana) or pass --ksana",
            ksana.display()
        );
    }
    let tck = clk_tck();
    println!(
        "ksana-record-bench: {} ({} CPUs), ksana = {}",
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| format!(
                "load average {}",
                l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
            ))
            .unwrap_or_default(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        ksana.display()
    );
    let mut failed = false;
    for c in a.cases.clone() {
        if let Err(e) = run_case(&ksana, &c, &a, tck) {
            eprintln!("error: {e:#}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
