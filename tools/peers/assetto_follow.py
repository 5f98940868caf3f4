"""Independent follower of a live ACC or AC Evo publisher (`ksana simulate --sim acc|acevo`):
reads the pages under a shared-memory root with the peers' own decoders (pyaccsharedmemory's
read_*_map for ACC, acevo-sdk's decode_* for AC Evo; reference assetto-and-others.md §11) every
20 ms, from the first AC_LIVE graphics status until the status turns AC_OFF again (the
publisher's stop) or TIMEOUT_S pass, and prints a summary of what it decoded as JSON.

Usage: assetto_follow.py acc|acevo ROOT TIMEOUT_S
"""

import json
import mmap
import os
import sys
import time


def clean(s):
    return s.split("\x00", 1)[0]


class Acc:
    SIZES = {"acpmf_physics": 800, "acpmf_graphics": 1588, "acpmf_static": 820}

    def __init__(self, root):
        from pyaccsharedmemory import accSM

        self.maps = {}
        for n, size in self.SIZES.items():
            fd = os.open(os.path.join(root, n), os.O_RDONLY)
            try:
                self.maps[n] = accSM(fd, size, access=mmap.ACCESS_READ)
            finally:
                os.close(fd)

    def read(self):
        from pyaccsharedmemory import read_graphics_map, read_physic_map, read_static_map

        p = read_physic_map(self.maps["acpmf_physics"])
        g = read_graphics_map(self.maps["acpmf_graphics"])
        s = read_static_map(self.maps["acpmf_static"])
        return {
            "status": g.status.value,
            "physics_id": p.packed_id,
            "speed_kmh": p.speed_kmh,
            "rpm": p.rpm,
            "gear": p.gear,
            "completed_laps": g.completed_lap,
            "current_time_ms": g.current_time,
            "current_time_str": clean(g.current_time_str),
            "npos": g.normalized_car_position,
            "track": clean(s.track),
            "car": clean(s.car_model),
            "player": clean(s.player_name),
            "sm_version": clean(s.sm_version),
            "decoder": "pyaccsharedmemory",
        }


class Evo:
    NAMES = ("acevo_pmf_physics", "acevo_pmf_graphics", "acevo_pmf_static")

    def __init__(self, root):
        self.root = root
        for n in self.NAMES:
            if not os.path.exists(os.path.join(root, n)):
                raise FileNotFoundError(n)

    def read(self):
        from acevo.decoder import decode_graphics, decode_physics, decode_static

        raw = []
        for n in self.NAMES:
            with open(os.path.join(self.root, n), "rb") as f:
                raw.append(f.read())
        p, g, s = decode_physics(raw[0]), decode_graphics(raw[1]), decode_static(raw[2])
        return {
            "status": g.get("status"),
            "physics_id": p.get("packet_id"),
            "speed_kmh": p.get("speed_kmh"),
            "rpm": g.get("rpm"),
            "gear": p.get("gear"),
            "completed_laps": g.get("total_lap_count"),
            "current_time_ms": g.get("current_lap_time_ms"),
            "npos": g.get("npos"),
            "track": s.get("track"),
            "car": g.get("car_model"),
            "player": g.get("driver_name"),
            "sm_version": s.get("sm_version"),
            "decoder": "/".join(str(d.get("_decoder")) for d in (p, g, s)),
        }


def main():
    kind, root, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    cls = {"acc": Acc, "acevo": Evo}[kind]
    deadline = time.monotonic() + timeout
    reader = None
    live = []
    stopped = False
    while time.monotonic() < deadline:
        if reader is None:
            try:
                reader = cls(root)
            except (FileNotFoundError, ValueError, OSError):
                time.sleep(0.01)
                continue
        a = reader.read()
        b = reader.read()
        if a != b:
            continue  # a write in progress: read again
        if a["status"] == 2:
            live.append(a)
        elif live and a["status"] == 0:
            stopped = True
            break
        time.sleep(0.02)
    if not live:
        print("timeout: no live %s pages under %s" % (kind, root), file=sys.stderr)
        return 1
    out = {
        "samples": len(live),
        "stopped": stopped,
        "first": live[0],
        "last": live[-1],
        "max_speed_kmh": max(s["speed_kmh"] for s in live),
        "laps": sorted({s["completed_laps"] for s in live}),
        "physics_ids_increase": all(
            x["physics_id"] <= y["physics_id"] for x, y in zip(live, live[1:])
        ),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
