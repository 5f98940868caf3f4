#!/usr/bin/env python3
"""Independent decode of an iRacing file for ksana's peer tests: every variable of every row.

Usage: ibt_dump.py FILE            # an .ibt, read with pyirsdk's IBT class
       ibt_dump.py --live FILE     # a raw live-memory image, read with pyirsdk's Header class

Prints one JSON object: {"header": {...}, "disk": {...} | null, "vars": [names],
"rows": [{name: value}], "yaml_len": n, "track_name": str}. track_name (.ibt only) comes from
IRSDK().startup(test_file=FILE), i.e. pyirsdk's own YAML parsing. Values: ints and bools as
JSON, chars as the byte's integer, floats as the unsigned 64-bit pattern of the value as a
double (exact, NaN-safe). A live image's rows are its buffers in tickCount order.
"""
import json
import mmap
import struct
import sys

import irsdk


def norm(v):
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, bytes):
        return v[0]
    if isinstance(v, float):
        return struct.unpack("<Q", struct.pack("<d", v))[0]
    return v


def header_dict(h):
    return {
        "ver": h.version,
        "status": h.status,
        "tick_rate": h.tick_rate,
        "session_info_update": h.session_info_update,
        "session_info_len": h.session_info_len,
        "session_info_offset": h.session_info_offset,
        "num_vars": h.num_vars,
        "var_header_offset": h.var_header_offset,
        "num_buf": h.num_buf,
        "buf_len": h.buf_len,
        "var_buf": [[b.tick_count, b.buf_offset] for b in h.var_buf],
    }


def session_track(path):
    """The YAML's WeekendInfo.TrackName as pyirsdk's test_file mode parses it (None if not)."""
    ir = irsdk.IRSDK()
    if not ir.startup(test_file=path):
        return None
    try:
        info = ir["WeekendInfo"]
        return info and info.get("TrackName")
    finally:
        ir.shutdown()


def dump_ibt(path):
    ibt = irsdk.IBT()
    ibt.open(path)
    try:
        names = ibt.var_headers_names
        d = ibt._disk_header
        n = d.session_record_count
        rows = [{k: norm(ibt.get(i, k)) for k in names} for i in range(n)]
        return {
            "header": header_dict(ibt._header),
            "disk": {
                "session_start_date": d.session_start_date,
                "session_start_time": norm(d.session_start_time),
                "session_end_time": norm(d.session_end_time),
                "session_lap_count": d.session_lap_count,
                "session_record_count": n,
            },
            "vars": names,
            "rows": rows,
            "yaml_len": ibt._header.session_info_len,
            "track_name": session_track(path),
        }
    finally:
        ibt.close()


def dump_live(path):
    with open(path, "rb") as f:
        mem = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        h = irsdk.Header(mem)
        vhs = [irsdk.VarHeader(mem, h.var_header_offset + i * 144) for i in range(h.num_vars)]
        bufs = sorted(h.var_buf[: h.num_buf], key=lambda b: b.tick_count)
        rows = []
        for b in bufs:
            row = {}
            for v in vhs:
                fmt = irsdk.VAR_TYPE_MAP[v.type] * v.count
                res = struct.unpack_from(fmt, mem, b.buf_offset + v.offset)
                row[v.name] = norm(list(res) if v.count > 1 else res[0])
            rows.append(row)
        yaml = mem[h.session_info_offset : h.session_info_offset + h.session_info_len]
        out = {
            "header": header_dict(h),
            "disk": None,
            "vars": [v.name for v in vhs],
            "rows": rows,
            "yaml_len": yaml.find(b"\0") if b"\0" in yaml else len(yaml),
        }
        del h, vhs
        return out


def main():
    args = sys.argv[1:]
    if args and args[0] == "--live":
        out = dump_live(args[1])
    else:
        out = dump_ibt(args[0])
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
