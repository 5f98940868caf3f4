#!/usr/bin/env python3
"""Peer check of ksana's iRacing player: pyirsdk follows the live mapping while `ksana play`
publishes an .ibt, and every value it reads must be the .ibt's own.

Usage: iracing_live.py --mapping ROOT/IRSDKMemMapFileName --ibt FILE.ibt [--timeout S]

On Linux pyirsdk attaches to live memory only through `IRSDK().startup(test_file=PATH)`
(reference iracing.md §8.4): it mmaps the file once and re-reads the header and rows on
every access, so a player rewriting the file is seen live. The checker
* waits for the mapping, starts pyirsdk on it, and waits until `is_connected`;
* samples until the player sets status 0 (or the timeout): each sample freezes the newest
  buffer (`freeze_var_buffer_latest`) and reads SessionTime, Speed, RPM, Gear, then reads the
  same through pyirsdk's default path (the 2nd-newest buffer, unfrozen; each `ir[key]` picks
  the buffer anew, so those values may come from the next rows when a tick falls between
  two reads);
* looks each sample's SessionTime up in the .ibt as read by pyirsdk's own `IBT` class and
  compares Speed, RPM and Gear exactly (same bytes, so float equality is right);
* compares `WeekendInfo` and `DriverInfo` parsed by pyirsdk from the mapping and from the
  .ibt (`startup(test_file=ibt)`).

Prints `READY` on stderr once the .ibt is loaded (the test then starts the player), and at
the end one JSON object with the counts on stdout (the Rust test asserts on them); exit 1 on a
mismatch.
"""
import argparse
import json
import mmap
import os
import struct
import sys
import time

import irsdk

VARS = ("SessionTime", "Speed", "RPM", "Gear")


def ibt_rows(path):
    ibt = irsdk.IBT()
    ibt.open(path)
    cols = {k: ibt.get_all(k) for k in VARS}
    ibt.close()
    return [tuple(cols[k][i] for k in VARS) for i in range(len(cols["SessionTime"]))]


def ibt_session(path):
    ir = irsdk.IRSDK()
    assert ir.startup(test_file=path), "pyirsdk cannot open the .ibt"
    out = {k: ir[k] for k in ("WeekendInfo", "DriverInfo")}
    ir.shutdown()
    return out


def newest_tick(ir):
    return max(b.tick_count for b in ir._header.var_buf[: ir._header.num_buf])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mapping", required=True)
    ap.add_argument("--ibt", required=True)
    ap.add_argument("--timeout", type=float, default=60.0)
    a = ap.parse_args()

    rows = ibt_rows(a.ibt)
    expected = {r[0]: r[1:] for r in rows}
    index = {r[0]: i for i, r in enumerate(rows)}
    session = ibt_session(a.ibt)
    # The .ibt is loaded: the test may start the player now.
    print("READY", file=sys.stderr, flush=True)
    deadline = time.monotonic() + a.timeout

    # The player creates the file sized; an empty one cannot be mmapped yet.
    while not (os.path.exists(a.mapping) and os.path.getsize(a.mapping) > 0):
        if time.monotonic() > deadline:
            print(json.dumps({"error": "mapping never appeared"}))
            return 1
        time.sleep(0.01)
    ir = irsdk.IRSDK()
    while not (ir.startup(test_file=a.mapping) and ir._header.status == 1):
        ir.shutdown()
        if time.monotonic() > deadline:
            print(json.dumps({"error": "never connected"}))
            return 1
        time.sleep(0.01)
    event_path = os.path.join(os.path.dirname(a.mapping), "IRSDKDataValidEvent")

    res = {
        "connected": bool(ir.is_connected),
        "mapping_bytes": os.path.getsize(a.mapping),
        "samples": 0,
        "distinct_session_times": 0,
        "matched": 0,
        "unmatched": [],
        "mismatches": [],
        "second_newest_matched": 0,
        "second_newest_valid": 0,
        "session_time_backwards": 0,
        "tick_backwards": 0,
        "tick_advances": 0,
        "first_session_time": None,
        "last_session_time": None,
        "yaml_equal": None,
        "event_pulses": 0,
    }
    seen = set()
    last_t = None
    last_tick = None
    last_ev = None
    while time.monotonic() < deadline and ir._header.status == 1:
        ir.freeze_var_buffer_latest()
        tick = newest_tick(ir)
        vals = tuple(ir[k] for k in VARS)
        ir.unfreeze_var_buffer_latest()
        second = tuple(ir[k] for k in VARS)
        if res["yaml_equal"] is None:
            res["yaml_equal"] = all(ir[k] == session[k] for k in session)
        res["samples"] += 1
        t = vals[0]
        if last_tick is not None:
            if tick < last_tick:
                res["tick_backwards"] += 1
            elif tick > last_tick:
                res["tick_advances"] += 1
        last_tick = tick
        if last_t is not None and t < last_t:
            res["session_time_backwards"] += 1
        last_t = t
        if res["first_session_time"] is None:
            res["first_session_time"] = t
        res["last_session_time"] = t
        seen.add(t)
        want = expected.get(t)
        if want is None:
            res["unmatched"].append(t)
        elif want != vals[1:]:
            res["mismatches"].append({"SessionTime": t, "got": vals[1:], "want": want})
        else:
            res["matched"] += 1
        if expected.get(second[0]) == second[1:]:
            res["second_newest_matched"] += 1
        # Unfrozen, each ir[key] picks the 2nd-newest buffer anew, so a tick between two reads
        # moves the later ones to a newer row: each value must be that of the SessionTime's
        # row or one of the next few, never zeros or a torn row.
        i = index.get(second[0])
        if i is not None and all(
            any(rows[j][k] == second[k] for j in range(i, min(i + 4, len(rows))))
            for k in range(1, len(VARS))
        ):
            res["second_newest_valid"] += 1
        if os.path.exists(event_path):
            with open(event_path, "rb") as f:
                ev = struct.unpack("=Q", f.read(8))[0]
            if last_ev is not None and ev != last_ev:
                res["event_pulses"] += 1
            last_ev = ev
        time.sleep(0.005)
    res["distinct_session_times"] = len(seen)
    res["status_at_end"] = ir._header.status
    ir.shutdown()
    print(json.dumps(res))
    bad = res["mismatches"] or res["unmatched"] or res["yaml_equal"] is False
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
