#!/usr/bin/env python3
"""Peer check of `ksana export --format parquet` against pyirsdk: the Parquet file that ksana
wrote of an .ibt, read with pyarrow, holds every value of every variable of every row exactly
as pyirsdk's IBT reader returns it, in columns of the variable's own type.

Usage: parquet_vs_ibt.py EXPORT.parquet FILE.ibt

Checks: the columns (time_s, lap, then every variable in var-header order, arrays as name[i]);
their Arrow types (float -> float32, not widened; double -> float64; int -> int32; bitField ->
uint32; bool -> bool; char -> string); no nulls; the key/value metadata (ksana.sim, and
ksana.units equal to the var headers' units); one row per .ibt record; floats equal as float32
bits, doubles as float64 bits, ints, bit fields and bools equal; `lap` equal to `Lap`;
`time_s` increasing. Prints one summary line; exits 1 listing the first mismatches.
"""
import json
import math
import sys

import irsdk
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# irsdk_VarType
CHAR, BOOL, INT, BITFIELD, FLOAT, DOUBLE = range(6)
ARROW_TYPE = {
    CHAR: pa.string(),
    BOOL: pa.bool_(),
    INT: pa.int32(),
    BITFIELD: pa.uint32(),
    FLOAT: pa.float32(),
    DOUBLE: pa.float64(),
}


def main():
    parquet_path, ibt_path = sys.argv[1], sys.argv[2]
    table = pq.read_table(parquet_path)
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}

    ibt = irsdk.IBT()
    ibt.open(ibt_path)
    records = ibt._disk_header.session_record_count
    headers = ibt._var_headers

    expected = ["time_s", "lap"]
    types = {"time_s": pa.float64(), "lap": pa.int32()}
    units = {"time_s": "s", "lap": ""}
    for h in headers:
        names = [h.name] if h.count == 1 else [f"{h.name}[{i}]" for i in range(h.count)]
        expected.extend(names)
        for n in names:
            types[n] = ARROW_TYPE[h.type]
            units[n] = h.unit
    errors = []
    if table.column_names != expected:
        missing = [c for c in expected if c not in table.column_names]
        extra = [c for c in table.column_names if c not in expected]
        errors.append(f"columns differ: missing {missing[:5]}, extra {extra[:5]}")
    for field in table.schema:
        want = types.get(field.name)
        if want is not None and field.type != want:
            errors.append(f"column {field.name} is {field.type}, expected {want}")
    if meta.get("ksana.sim") != "iracing":
        errors.append(f"ksana.sim is {meta.get('ksana.sim')!r}")
    got_units = json.loads(meta.get("ksana.units", "{}"))
    if list(got_units.items()) != [(c, units[c]) for c in expected]:
        bad = [(c, got_units.get(c), units[c]) for c in expected if got_units.get(c) != units[c]]
        errors.append(f"ksana.units differ: {bad[:5]}")
    if table.num_rows != records:
        errors.append(f"{table.num_rows} Parquet rows, {records} records in the .ibt")
    for name in table.column_names:
        if table.column(name).null_count:
            errors.append(f"column {name} has {table.column(name).null_count} nulls")

    compared = 0
    rows = min(records, table.num_rows)
    for h in headers:
        values = ibt.get_all(h.name)
        for i in range(h.count):
            col = h.name if h.count == 1 else f"{h.name}[{i}]"
            if col not in table.column_names:
                continue
            got = table.column(col).to_pylist() if h.type == CHAR else table.column(col).to_numpy()
            for r in range(rows):
                want = values[r][i] if h.count > 1 else values[r]
                g = got[r]
                if h.type == FLOAT:
                    a, b = np.float32(want), g
                    ok = isinstance(b, np.float32) and (
                        (math.isnan(a) and math.isnan(b)) or a.tobytes() == b.tobytes())
                elif h.type == DOUBLE:
                    a, b = np.float64(want), g
                    ok = isinstance(b, np.float64) and (
                        (math.isnan(a) and math.isnan(b)) or a.tobytes() == b.tobytes())
                elif h.type == CHAR:
                    w = want.decode("latin-1") if isinstance(want, bytes) else str(want)
                    ok = g == w.rstrip("\0")
                elif h.type == BOOL:
                    ok = bool(g) == bool(want)
                else:  # int, bitfield
                    ok = int(g) == int(want)
                compared += 1
                if not ok and len(errors) < 20:
                    errors.append(f"row {r} {col}: parquet {g!r}, pyirsdk {want!r}")

    if "Lap" in table.column_names and "lap" in table.column_names:
        if table.column("lap").to_pylist() != table.column("Lap").to_pylist():
            errors.append("lap differs from Lap")
    t = table.column("time_s").to_numpy()
    if len(t) > 1 and not (np.diff(t) > 0).all():
        errors.append("time_s is not increasing")

    if errors:
        print("MISMATCH:\n" + "\n".join(errors))
        sys.exit(1)
    print(f"ok: {len(headers)} variables, {table.num_columns} columns, {table.num_rows} rows, "
          f"{compared} values equal")


if __name__ == "__main__":
    main()
