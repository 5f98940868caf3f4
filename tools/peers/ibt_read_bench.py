"""Times pyirsdk's own .ibt reader for `ksana-ibt-read-bench`: `IBT().open(path)`, then
`get_all(name)` for every variable, i.e. every value of every row decoded into Python values.

Usage: ibt_read_bench.py FILE RUNS
Prints one JSON line: best seconds over RUNS, the rows and variables read, and two cross-checks
computed after timing (the number of elements decoded and the sum of every int/bitfield
element) that the Rust side compares with its own.
"""

import json
import sys
import time

import irsdk

INT_TYPES = (2, 3)  # irsdk_int, irsdk_bitField


def read_all(path):
    ibt = irsdk.IBT()
    ibt.open(path)
    columns = {name: ibt.get_all(name) for name in ibt.var_headers_names}
    return ibt, columns


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        ibt, columns = read_all(path)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
        if _ != runs - 1:
            ibt.close()
    types = {h.name: h.type for h in ibt._var_headers}
    elements = 0
    int_sum = 0
    rows = 0
    for name, col in columns.items():
        rows = len(col)
        for v in col:
            vals = v if isinstance(v, list) else [v]
            elements += len(vals)
            if types[name] in INT_TYPES:
                int_sum += sum(vals)
    ibt.close()
    print(json.dumps({
        "seconds": best,
        "rows": rows,
        "vars": len(columns),
        "elements": elements,
        "int_sum": int_sum,
    }))


if __name__ == "__main__":
    main()
