#!/usr/bin/env python3
"""Peer check of `ksana export --format csv` against pyirsdk: the CSV that ksana wrote of an
.ibt, read with pandas, holds every value of every variable of every row exactly as pyirsdk's
IBT reader returns it.

Usage: csv_vs_ibt.py EXPORT.csv FILE.ibt

Checks: the header (time_s, lap, then every variable in var-header order, arrays as name[i]);
the units line against the var headers' units; one CSV row per .ibt record; floats equal as
float32 (pandas reads float64, narrowed here: the shortest round-trip text must survive that),
doubles equal as float64 (read with float_precision="round_trip"), ints, bit fields and bools (written 1/0) equal as integers; `lap`
equal to `Lap`; `time_s` increasing. Prints one summary line; exits 1 listing the first
mismatches.
"""
import csv
import math
import sys

import irsdk
import numpy as np
import pandas as pd

# irsdk_VarType
CHAR, BOOL, INT, BITFIELD, FLOAT, DOUBLE = range(6)


def main():
    csv_path, ibt_path = sys.argv[1], sys.argv[2]
    with open(csv_path, encoding="utf-8") as f:
        first = f.readline()
        second = f.readline()
    assert first.startswith("# ksana export of "), first
    assert second.startswith("# units: "), second
    units = next(csv.reader([second[len("# units: "):]]))

    # pandas' default float parser ("high") is not correctly rounded for 17-digit doubles
    # (SessionTime, Lat, Lon came back one ulp off); "round_trip" is (docs/EXPORT.md).
    df = pd.read_csv(csv_path, comment="#", float_precision="round_trip")

    ibt = irsdk.IBT()
    ibt.open(ibt_path)
    records = ibt._disk_header.session_record_count
    headers = ibt._var_headers

    expected = ["time_s", "lap"]
    expected_units = ["s", ""]
    for h in headers:
        if h.count == 1:
            expected.append(h.name)
        else:
            expected.extend(f"{h.name}[{i}]" for i in range(h.count))
        expected_units.extend([h.unit] * h.count)
    errors = []
    if list(df.columns) != expected:
        missing = [c for c in expected if c not in df.columns]
        extra = [c for c in df.columns if c not in expected]
        errors.append(f"columns differ: missing {missing[:5]}, extra {extra[:5]}")
    if units != expected_units:
        bad = [(c, u, e) for c, u, e in zip(expected, units, expected_units) if u != e]
        errors.append(f"units differ ({len(units)} vs {len(expected_units)}): {bad[:5]}")
    if len(df) != records:
        errors.append(f"{len(df)} CSV rows, {records} records in the .ibt")

    compared = 0
    for h in headers:
        values = ibt.get_all(h.name)
        for i in range(h.count):
            col = h.name if h.count == 1 else f"{h.name}[{i}]"
            if col not in df.columns:
                continue
            got = df[col].to_numpy()
            for r in range(min(records, len(df))):
                want = values[r][i] if h.count > 1 else values[r]
                g = got[r]
                if h.type == FLOAT:
                    a, b = np.float32(want), np.float32(g)
                    ok = (math.isnan(a) and math.isnan(b)) or a.tobytes() == b.tobytes()
                elif h.type == DOUBLE:
                    a, b = np.float64(want), np.float64(g)
                    ok = (math.isnan(a) and math.isnan(b)) or a.tobytes() == b.tobytes()
                elif h.type == CHAR:
                    w = want.decode("latin-1") if isinstance(want, bytes) else str(want)
                    w = w.rstrip("\0")
                    ok = (w == "" and (isinstance(g, float) and math.isnan(g))) or str(g) == w
                else:  # bool (1/0), int, bitfield
                    ok = int(g) == int(want)
                compared += 1
                if not ok and len(errors) < 20:
                    errors.append(f"row {r} {col}: csv {g!r}, pyirsdk {want!r}")

    if "Lap" in df.columns and "lap" in df.columns:
        if not (df["lap"] == df["Lap"]).all():
            errors.append("lap differs from Lap")
    t = df["time_s"].to_numpy()
    if len(t) > 1 and not (np.diff(t) > 0).all():
        errors.append("time_s is not increasing")

    if errors:
        print("MISMATCH:\n" + "\n".join(errors))
        sys.exit(1)
    print(f"ok: {len(headers)} variables, {len(df.columns)} columns, {len(df)} rows, "
          f"{compared} values equal")


if __name__ == "__main__":
    main()
