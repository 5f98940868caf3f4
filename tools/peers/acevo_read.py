"""Independent check of an AC Evo publisher: reads the three acevo_pmf_* pages under a
shared-memory root and decodes them with acevo-sdk's decode_physics / decode_graphics /
decode_static (reference assetto-and-others.md §11.2), printing the decoded dicts as JSON.

Usage: acevo_read.py ROOT MIN_PACKET_ID TIMEOUT_S

Waits until the graphics status is AC_LIVE and the physics packet id is at least
MIN_PACKET_ID; each page is read twice and kept only when both reads are equal (a player may
be writing at that moment). The decoder falls back to heuristics silently on a wrong layout,
so decode_source is printed for the caller to assert.
"""

import json
import os
import struct
import sys
import time

from acevo.decoder import decode_graphics, decode_physics, decode_static

NAMES = ("acevo_pmf_physics", "acevo_pmf_graphics", "acevo_pmf_static")


def read(root, name):
    with open(os.path.join(root, name), "rb") as f:
        return f.read()


def stable(root, name):
    a = read(root, name)
    b = read(root, name)
    return a if a == b else None


def plain(d):
    """The JSON-friendly part of a decoded dict."""
    out = {}
    for k, v in d.items():
        if isinstance(v, (int, float, str, bool, list)) or v is None:
            out[k] = v
    return out


def main():
    root, min_id, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pages = [stable(root, n) for n in NAMES]
        except FileNotFoundError:
            time.sleep(0.01)
            continue
        if any(p is None or len(p) < 8 for p in pages):
            continue
        phys, gfx, stat = pages
        pid = struct.unpack_from("<i", phys, 0)[0]
        status = struct.unpack_from("<i", gfx, 4)[0]
        if status != 2 or pid < min_id:
            time.sleep(0.005)
            continue
        out = {
            "physics": plain(decode_physics(phys)),
            "graphics": plain(decode_graphics(gfx)),
            "static": plain(decode_static(stat)),
        }
        print(json.dumps(out))
        return 0
    print("timeout: no live AC Evo pages with packet id >= %d under %s" % (min_id, root), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
