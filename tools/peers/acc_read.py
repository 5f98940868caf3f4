"""Independent check of an ACC publisher: reads the three acpmf_* pages under a shared-memory
root with pyaccsharedmemory's own decoders (reference assetto-and-others.md §11.1: the module
functions work on any accSM built over a /dev/shm file) and prints what they decoded as JSON.

Usage: acc_read.py ROOT MIN_PACKET_ID TIMEOUT_S

Waits until the graphics status is ACC_LIVE and the physics packet id is at least
MIN_PACKET_ID, then decodes each page twice and keeps the result only when both decodes agree
(a player may be writing at that moment).
"""

import json
import mmap
import os
import sys
import time

from pyaccsharedmemory import accSM, read_graphics_map, read_physic_map, read_static_map

SIZES = {"acpmf_physics": 800, "acpmf_graphics": 1588, "acpmf_static": 820}


def page(root, name):
    fd = os.open(os.path.join(root, name), os.O_RDONLY)
    try:
        return accSM(fd, SIZES[name], access=mmap.ACCESS_READ)
    finally:
        os.close(fd)


def clean(s):
    return s.split("\x00", 1)[0]


def main():
    root, min_id, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    deadline = time.monotonic() + timeout
    maps = None
    while time.monotonic() < deadline:
        try:
            if maps is None:
                maps = {n: page(root, n) for n in SIZES}
        except (FileNotFoundError, ValueError, OSError):
            maps = None
            time.sleep(0.01)
            continue
        g = read_graphics_map(maps["acpmf_graphics"])
        p = read_physic_map(maps["acpmf_physics"])
        if g.status.value != 2 or p.packed_id < min_id:
            time.sleep(0.005)
            continue
        p2 = read_physic_map(maps["acpmf_physics"])
        g2 = read_graphics_map(maps["acpmf_graphics"])
        if p != p2 or g != g2:
            continue
        s = read_static_map(maps["acpmf_static"])
        out = {
            "physics": {
                "packed_id": p.packed_id,
                "gas": p.gas,
                "gear": p.gear,
                "rpm": p.rpm,
                "speed_kmh": p.speed_kmh,
                "tyre_core_temp": [
                    p.tyre_core_temp.front_left,
                    p.tyre_core_temp.front_right,
                    p.tyre_core_temp.rear_left,
                    p.tyre_core_temp.rear_right,
                ],
                "water_temp": p.water_temp,
            },
            "graphics": {
                "packed_id": g.packed_id,
                "status": g.status.value,
                "session_type": g.session_type.value,
                "current_time_str": clean(g.current_time_str),
                "completed_lap": g.completed_lap,
                "position": g.position,
                "current_time": g.current_time,
                "tyre_compound": clean(g.tyre_compound),
                "flag": g.flag.value,
                "gap_ahead": g.gap_ahead,
            },
            "static": {
                "sm_version": clean(s.sm_version),
                "ac_version": clean(s.ac_version),
                "car_model": clean(s.car_model),
                "track": clean(s.track),
                "player_name": clean(s.player_name),
                "max_rpm": s.max_rpm,
                "max_fuel": s.max_fuel,
                "dry_tyres_name": clean(s.dry_tyres_name),
                "wet_tyres_name": clean(s.wet_tyres_name),
            },
        }
        print(json.dumps(out))
        return 0
    print("timeout: no live ACC pages with packet id >= %d under %s" % (min_id, root), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
