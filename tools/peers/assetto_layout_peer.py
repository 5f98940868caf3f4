"""Independent decode of AC-family page images for the typed-layout tests
(crates/ksana-sims/tests/assetto_layouts.rs): ACC pages with pyaccsharedmemory's own decoders
(reference assetto-and-others.md §11.1), AC Evo pages with acevo-sdk's decode_* (§11.2).

Usage: assetto_layout_peer.py acc PHYSICS GRAPHICS STATIC
       assetto_layout_peer.py acevo PHYSICS GRAPHICS STATIC

Each argument is a file holding one page image. Prints {"physics": …, "graphics": …,
"static": …} as JSON: every attribute the decoder produced, enums as their values, nested
objects as dicts.
"""

import enum
import json
import mmap
import os
import sys


def plain(v):
    """A JSON-friendly copy of a decoded value."""
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return list(v)
    if hasattr(v, "__dict__"):
        return {k: plain(x) for k, x in vars(v).items() if not k.startswith("_")}
    return v


def acc(paths):
    from pyaccsharedmemory import accSM, read_graphics_map, read_physic_map, read_static_map

    def page(path):
        fd = os.open(path, os.O_RDONLY)
        try:
            return accSM(fd, os.path.getsize(path), access=mmap.ACCESS_READ)
        finally:
            os.close(fd)

    p, g, s = (page(x) for x in paths)
    return {
        "physics": plain(read_physic_map(p)),
        "graphics": plain(read_graphics_map(g)),
        "static": plain(read_static_map(s)),
    }


def acevo(paths):
    from acevo.decoder import decode_graphics, decode_physics, decode_static

    p, g, s = (open(x, "rb").read() for x in paths)
    return {
        "physics": plain(decode_physics(p)),
        "graphics": plain(decode_graphics(g)),
        "static": plain(decode_static(s)),
    }


def main():
    mode, paths = sys.argv[1], sys.argv[2:5]
    out = {"acc": acc, "acevo": acevo}[mode](paths)
    print(json.dumps(out, default=repr, allow_nan=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
