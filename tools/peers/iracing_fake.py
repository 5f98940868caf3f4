#!/usr/bin/env python3
"""Peer check of ksana's fake iRacing (`ksana simulate --sim iracing`): pyirsdk follows the
live mapping and must read a running sim: Speed, LapDistPct and SessionTime advancing, ticks
and event pulses moving, and the session YAML (WeekendInfo, DriverInfo, SplitTimeInfo).

Usage: iracing_fake.py --mapping ROOT/IRSDKMemMapFileName [--timeout S]

On Linux pyirsdk attaches to live memory only through `IRSDK().startup(test_file=PATH)`
(reference iracing.md §8.4). The checker waits for the mapping and `status == 1`, then samples
(each sample frozen on the newest buffer) until the publisher sets status 0 or the timeout.
Prints one JSON object with what it saw on stdout (the Rust test asserts on it); exit 1 when
it never connected.
"""
import argparse
import json
import os
import struct
import sys
import time

import irsdk

VARS = ("SessionTime", "Speed", "LapDistPct", "Lap", "RPM", "Gear", "IsOnTrack",
        "PlayerTrackSurface", "CarIdxLapDistPct")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mapping", required=True)
    ap.add_argument("--timeout", type=float, default=30.0)
    a = ap.parse_args()
    deadline = time.monotonic() + a.timeout
    print("READY", file=sys.stderr, flush=True)
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
    weekend = ir["WeekendInfo"] or {}
    drivers = ir["DriverInfo"] or {}
    splits = ir["SplitTimeInfo"] or {}
    sessions = (ir["SessionInfo"] or {}).get("Sessions") or []
    me = None
    for d in drivers.get("Drivers") or []:
        if d.get("CarIdx") == drivers.get("DriverCarIdx"):
            me = d
    res = {
        "connected": bool(ir.is_connected),
        "track_name": weekend.get("TrackName"),
        "track_display_name": weekend.get("TrackDisplayName"),
        "track_length": weekend.get("TrackLength"),
        "driver": me and me.get("UserName"),
        "car": me and me.get("CarScreenName"),
        "session_types": [s.get("SessionType") for s in sessions],
        "sector_starts": [s.get("SectorStartPct") for s in splits.get("Sectors") or []],
        "samples": 0,
        "speed_max": None,
        "speed_changes": 0,
        "lap_dist_changes": 0,
        "session_time_advances": 0,
        "session_time_backwards": 0,
        "tick_advances": 0,
        "event_pulses": 0,
        "on_track_samples": 0,
        "car_idx_len": None,
        "car_idx0_matches": 0,
        "first_session_time": None,
        "last_session_time": None,
        "session_info_update_first": ir._header.session_info_update,
    }
    last = None
    last_tick = None
    last_ev = None
    while time.monotonic() < deadline and ir._header.status == 1:
        ir.freeze_var_buffer_latest()
        tick = max(b.tick_count for b in ir._header.var_buf[: ir._header.num_buf])
        v = {k: ir[k] for k in VARS}
        ir.unfreeze_var_buffer_latest()
        if v["SessionTime"] is None:
            time.sleep(0.005)
            continue
        res["samples"] += 1
        if res["first_session_time"] is None:
            res["first_session_time"] = v["SessionTime"]
        res["last_session_time"] = v["SessionTime"]
        sp = v["Speed"]
        res["speed_max"] = sp if res["speed_max"] is None else max(res["speed_max"], sp)
        if v["IsOnTrack"]:
            res["on_track_samples"] += 1
        arr = v["CarIdxLapDistPct"]
        res["car_idx_len"] = len(arr)
        if arr[0] == v["LapDistPct"]:
            res["car_idx0_matches"] += 1
        if last is not None:
            if v["SessionTime"] > last["SessionTime"]:
                res["session_time_advances"] += 1
            elif v["SessionTime"] < last["SessionTime"]:
                res["session_time_backwards"] += 1
            if sp != last["Speed"]:
                res["speed_changes"] += 1
            if v["LapDistPct"] != last["LapDistPct"]:
                res["lap_dist_changes"] += 1
        if last_tick is not None and tick > last_tick:
            res["tick_advances"] += 1
        last, last_tick = v, tick
        if os.path.exists(event_path):
            with open(event_path, "rb") as f:
                ev = struct.unpack("=Q", f.read(8))[0]
            if last_ev is not None and ev != last_ev:
                res["event_pulses"] += 1
            last_ev = ev
        time.sleep(0.01)
    res["session_info_update_last"] = ir._header.session_info_update
    res["status_at_end"] = ir._header.status
    ir.shutdown()
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
