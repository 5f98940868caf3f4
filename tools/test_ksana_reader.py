"""Cross-checks tools/ksana_reader.py (written from docs/FORMAT.md only) against the real
`ksana` binary: recordings written by `ksana synth` are read by both, and files written here,
from the specification alone, are read by `ksana inspect --json`.

The binary is $KSANA_BIN, or target/debug/ksana under the repository root (built with
`cargo build -p ksana` when missing).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import ksana_reader as kr  # noqa: E402

MARKER_NAMES = {1: "session_start", 2: "session_end", 3: "lap_start", 4: "user",
                5: "segment_start"}


# ---------------------------------------------------------------------------------------------
# The binary


@pytest.fixture(scope="session")
def ksana() -> str:
    env = os.environ.get("KSANA_BIN")
    if env:
        path = Path(env)
        if not path.is_absolute():
            path = ROOT / path
    else:
        path = ROOT / "target" / "debug" / "ksana"
        if not path.exists():
            subprocess.run(["cargo", "build", "-p", "ksana"], cwd=ROOT, check=True)
    if not path.exists():
        pytest.skip(f"ksana binary not found at {path}")
    return str(path)


def synth(ksana: str, out: Path, *args: str) -> Path:
    subprocess.run([ksana, "synth", *args, "-o", str(out)], check=True, capture_output=True)
    return out


def inspect(ksana: str, path: Path) -> tuple[dict, int]:
    p = subprocess.run([ksana, "inspect", "--json", str(path)], capture_output=True, text=True)
    assert p.stdout, f"ksana inspect printed nothing; stderr: {p.stderr}"
    return json.loads(p.stdout), p.returncode


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HERE / "ksana_reader.py"), *args],
                          capture_output=True, text=True)


# ---------------------------------------------------------------------------------------------
# A minimal writer, from FORMAT.md alone


def var(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zz(v: int) -> int:
    return ((v << 1) ^ (v >> 63)) & 0xFFFFFFFFFFFFFFFF


def s(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<I", len(raw)) + raw


def block(tag: bytes, body: bytes) -> bytes:
    head = tag + struct.pack("<II", len(body), kr.crc32c(body))
    return head + struct.pack("<I", kr.crc32c(head)) + body


PREAMBLE = kr.MAGIC + struct.pack("<HHI", 1, 0, 0)


def page_table(pages: list[tuple[str, int, str, int, list[tuple[int, int]]]]) -> bytes:
    out = struct.pack("<I", len(pages))
    for name, size, layout, lv, runs in pages:
        out += s(name) + struct.pack("<I", size) + s(layout) + struct.pack("<II", lv, len(runs))
        for kind, count in runs:
            out += struct.pack("<BI", kind, count)
    return out


def head_body(pages, sim="test", meta=(("source", "tools/test_ksana_reader.py"),),
              start_unix_ns=1_700_000_000_000_000_000) -> bytes:
    body = struct.pack("<q", start_unix_ns) + s(sim) + s("pytest") + s("0.0.1")
    body += struct.pack("<I", len(meta))
    for k, v in meta:
        body += s(k) + s(v)
    return body + page_table(pages)


def chnk_body(segment: int, frame_count: int, first_ns: int, last_ns: int, raw_bytes: int,
              payload: bytes) -> bytes:
    z = zstandard.ZstdCompressor(level=3).compress(payload)
    return struct.pack("<IIQQQIB3sI", segment, frame_count, first_ns, last_ns, raw_bytes,
                       len(payload), 1, b"\0\0\0", 0) + z


def foot_and_trailer(foot_off: int, chunks, seg_offsets, markers) -> bytes:
    body = struct.pack("<I", len(chunks))
    for c in chunks:
        body += struct.pack("<QQIIQQQ", *c)
    body += struct.pack("<I", len(seg_offsets)) + b"".join(struct.pack("<Q", o)
                                                           for o in seg_offsets)
    body += struct.pack("<I", len(markers))
    for t, k, lab in markers:
        body += struct.pack("<QH", t, k) + s(lab)
    return block(b"FOOT", body) + struct.pack("<Q", foot_off) + b"KSANAEND"


# The worked example of FORMAT.md 1.12, byte for byte.
EXAMPLE_PAYLOAD = bytes.fromhex(
    "02 01"
    "00 c0 84 3d"
    "01 05 02"
    "01 01"
    "00 08"
    "01 00 00 00 02 00 00 00"
    "00 03"
    "01 00 00 00"
    "00")
EXAMPLE_PAGES = [bytes.fromhex("0100000002000000"), bytes.fromhex("0100000003000000")]


def example_file() -> bytes:
    head = block(b"HEAD", head_body([("p", 8, "", 0, [])]))
    chnk = block(b"CHNK", chnk_body(0, 2, 0, 1_000_000, 16, EXAMPLE_PAYLOAD))
    return PREAMBLE + head + chnk


# ---------------------------------------------------------------------------------------------
# Unit checks of the primitives


def test_crc32c_check_value():
    assert kr.crc32c(b"123456789") == 0xE3069283
    assert kr.crc32c(b"") == 0


def test_field_list_derivation():
    # runs of u8 x3, f64 x2 on 13 bytes: 3 u8, one f64 (3..11) fits, the second does not ->
    # stop; then the 2 remaining bytes are single u8 fields
    assert kr.field_list([(1, 3), (6, 2)], 13) == [(0, 1), (1, 1), (2, 1), (3, 8), (11, 1),
                                                   (12, 1)]
    # no field map: 4-byte lanes, then 1..3 single bytes
    assert kr.field_list([], 11) == [(0, 4), (4, 4), (8, 1), (9, 1), (10, 1)]
    # a field map shorter than the page: the rest in u32 lanes
    assert kr.field_list([(2, 1)], 10) == [(0, 2), (2, 4), (6, 4)]


def test_worked_example_payload_decodes():
    data = example_file()
    rec = kr.read_bytes(data)
    assert rec.index_source == "rebuilt"
    assert [f.pages[0] for f in rec.frames] == EXAMPLE_PAGES
    assert [f.t for f in rec.frames] == [0, 1_000_000]
    assert [f.tick for f in rec.frames] == [5, 6]
    assert rec.damage == []


# ---------------------------------------------------------------------------------------------
# Against ksana's own recordings


def compare_with_inspect(rec: kr.Recording, rep: dict) -> None:
    s = kr.summary(rec)
    assert rep["format_version"] == s["format_version"]
    assert rep["sim"] == s["sim"]
    assert rep["recorder"] == {"name": s["recorder"], "version": s["recorder_version"]}
    assert rep["start_unix_ns"] == s["start_unix_ns"]
    assert [[m["key"], m["value"]] for m in rep["metadata"]] == s["metadata"]
    assert rep["frames"] == s["frames"]
    assert rep["chunks"] == s["chunks"]
    assert rep["first_ns"] == s["first_ns"]
    assert rep["last_ns"] == s["last_ns"]
    assert rep["raw_bytes"] == s["raw_bytes"]
    assert rep["index"]["source"] == s["index"]
    assert len(rep["markers"]) == len(s["markers"])
    for m, (t, kind, label) in zip(rep["markers"], s["markers"]):
        assert m["kind"] == MARKER_NAMES.get(kind, f"unknown_{kind}")
        assert m["label"] == label
        assert m["t_s"] == pytest.approx(t / 1e9, abs=1e-9)
    assert len(rep["segments"]) == len(s["segments"])
    for rs, ms in zip(rep["segments"], s["segments"]):
        assert rs["index"] == ms["index"]
        assert rs["reason"] == ms["reason"]
        assert rs["start_s"] == pytest.approx(ms["start_ns"] / 1e9, abs=1e-9)
        assert len(rs["pages"]) == len(ms["pages"])
        for rp, mp in zip(rs["pages"], ms["pages"]):
            assert rp["name"] == mp["name"]
            assert rp["size"] == mp["size"]
            assert rp["layout"] == mp["layout"]
            assert rp["layout_version"] == mp["layout_version"]
            # FORMAT.md 2 does not say what "field_runs" is; ksana prints the run count
            assert rp["field_runs"] == len(mp["fields"])


SYNTH_CASES = {
    "acc3": ("--profile", "acc", "--seconds", "3", "--seed", "7"),
    "iracing5": ("--profile", "iracing", "--seconds", "5"),
    "acc20": ("--profile", "acc", "--seconds", "20", "--seed", "7"),  # several chunks
}


@pytest.mark.parametrize("case", SYNTH_CASES)
def test_synth_matches_inspect(ksana, tmp_path, case):
    f = synth(ksana, tmp_path / f"{case}.ksana", *SYNTH_CASES[case])
    rec = kr.read_recording(str(f))
    rep, code = inspect(ksana, f)
    assert code == 0 and rep["ok"] is True and rep["damage"] == []
    assert rec.index_source == "footer" and rec.damage == []
    compare_with_inspect(rec, rep)
    # frames are in time order, every page has content, and ticks present
    ts = [fr.t for fr in rec.frames]
    assert ts == sorted(ts)
    # the footer path and the scanning path must give identical frames
    data = f.read_bytes()
    scanned = kr.read_bytes(data[:-1])  # trailer broken: forces a rebuild
    assert scanned.index_source == "rebuilt"
    assert kr.frames_sha256(scanned.frames) == kr.frames_sha256(rec.frames)
    assert [(m.t, m.kind, m.label) for m in scanned.markers] == \
        [(m.t, m.kind, m.label) for m in rec.markers]


def test_iracing_row_content_is_plausible(ksana, tmp_path):
    """ksana has no command that prints page bytes, so the columnar decoding (residual plane
    order, predictors) is checked on content: in the iRacing-like row the first field (f64)
    advances with the frame timestamps, and the second (u32) by one per frame."""
    f = synth(ksana, tmp_path / "ir.ksana", "--profile", "iracing", "--seconds", "20")
    rec = kr.read_recording(str(f))
    assert rec.segments[0].pages[0].runs[0] == (6, 1)
    t0 = struct.unpack_from("<d", rec.frames[0].pages[0], 0)[0]
    n0 = struct.unpack_from("<I", rec.frames[0].pages[0], 8)[0]
    for i, fr in enumerate(rec.frames):
        t = struct.unpack_from("<d", fr.pages[0], 0)[0]
        assert t - t0 == pytest.approx(fr.t / 1e9, abs=1e-3)
        assert struct.unpack_from("<I", fr.pages[0], 8)[0] == n0 + i
        assert fr.tick == i


def test_synth_same_seed_same_frames(ksana, tmp_path):
    a = synth(ksana, tmp_path / "a.ksana", *SYNTH_CASES["acc3"])
    b = synth(ksana, tmp_path / "b.ksana", *SYNTH_CASES["acc3"])
    ra, rb = kr.read_recording(str(a)), kr.read_recording(str(b))
    assert kr.frames_sha256(ra.frames) == kr.frames_sha256(rb.frames)


def test_cli_frames_and_summary(ksana, tmp_path):
    f = synth(ksana, tmp_path / "ir.ksana", *SYNTH_CASES["iracing5"])
    p = run_cli(str(f))
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    q = run_cli("--summary", str(f))
    assert q.returncode == 0, q.stderr
    summ = json.loads(q.stdout)
    assert len(lines) == summ["frames"]
    assert set(lines[0]) == {"t", "tick", "segment", "pages"}
    for key in ("sim", "recorder", "recorder_version", "start_unix_ns", "metadata", "segments",
                "frames", "chunks", "index", "markers", "sha256_of_frames"):
        assert key in summ
    import hashlib
    h = hashlib.sha256()
    for fr in lines:
        h.update(struct.pack("<Q", fr["t"]))
        for pg in fr["pages"]:
            h.update(bytes.fromhex(pg))
    assert h.hexdigest() == summ["sha256_of_frames"]
    assert summ["raw_bytes"] == sum(len(pg) // 2 for fr in lines for pg in fr["pages"])


@pytest.mark.parametrize("case", ["iracing5", "acc20"])
def test_truncated_in_last_chunk(ksana, tmp_path, case):
    f = synth(ksana, tmp_path / f"{case}.ksana", *SYNTH_CASES[case])
    full = kr.read_recording(str(f))
    last = full.chunks[-1]
    cut = last.offset + last.stored_bytes // 2
    t = tmp_path / f"{case}-cut.ksana"
    t.write_bytes(f.read_bytes()[:cut])

    rec = kr.read_recording(str(t))
    assert rec.index_source == "rebuilt"
    expect = sum(c.frame_count for c in full.chunks[:-1])
    assert len(rec.frames) == expect
    assert len(rec.chunks) == len(full.chunks) - 1
    assert kr.frames_sha256(rec.frames) == kr.frames_sha256(full.frames[:expect])
    assert len(rec.damage) == 1
    assert rec.damage[0].offset == last.offset
    assert rec.damage[0].length == cut - last.offset

    rep, code = inspect(ksana, t)
    assert code == 2 and rep["ok"] is False
    assert rep["frames"] == expect
    assert rep["chunks"] == len(rec.chunks)
    assert rep["index"]["source"] == "rebuilt"
    assert [(d["offset"], d["bytes"]) for d in rep["damage"]] == \
        [(last.offset, cut - last.offset)]
    if expect:
        compare_with_inspect(rec, rep)


def test_cli_reports_offset_on_garbage(tmp_path):
    f = tmp_path / "bad.ksana"
    f.write_bytes(PREAMBLE + b"HEAD" + b"\xff" * 12)
    p = run_cli(str(f))
    assert p.returncode == 2
    assert "offset 16" in p.stderr
    f.write_bytes(kr.MAGIC + struct.pack("<HHI", 2, 0, 0))
    p = run_cli(str(f))
    assert p.returncode == 2 and "2.0" in p.stderr and "offset 8" in p.stderr


def test_bit_flip_in_chunk_is_damage(ksana, tmp_path):
    f = synth(ksana, tmp_path / "a.ksana", *SYNTH_CASES["acc20"])
    data = bytearray(f.read_bytes())
    c = kr.read_bytes(bytes(data)).chunks[1]
    data[c.offset + 100] ^= 0x10
    bad = kr.read_bytes(bytes(data))
    assert bad.damage and bad.damage[0].offset == c.offset
    assert "checksum" in bad.damage[0].reason
    f.write_bytes(bytes(data))
    rep, code = inspect(ksana, f)
    assert code == 2 and rep["ok"] is False
    assert rep["frames"] == len(bad.frames)
    # Not specified by FORMAT.md, observed: with a valid footer, ksana keeps the footer as the
    # index, stops at the bad chunk with "error" naming the offset of its *body* (header + 16)
    # and leaves "damage" empty; "chunks" and "raw_bytes" then still count every chunk of the
    # footer, not the readable ones (2 says "readable chunks" / "every frame's page sizes").
    assert rep["index"]["source"] == "footer"
    assert f"at byte {c.offset + 16}" in rep["error"]


# ---------------------------------------------------------------------------------------------
# Files written here from the specification, read by ksana


def test_worked_example_file_read_by_ksana(ksana, tmp_path):
    f = tmp_path / "example.ksana"
    f.write_bytes(example_file())
    rec = kr.read_recording(str(f))
    assert len(rec.frames) == 2
    assert [fr.pages for fr in rec.frames] == [[EXAMPLE_PAGES[0]], [EXAMPLE_PAGES[1]]]

    rep, code = inspect(ksana, f)
    assert rep["frames"] == 2, rep
    assert rep["chunks"] == 1
    assert rep["first_ns"] == 0 and rep["last_ns"] == 1_000_000
    assert rep["raw_bytes"] == 16
    assert rep["index"]["source"] == "rebuilt"
    # FORMAT.md 2: ok is "true when every byte of the file was usable": a file without a
    # footer whose blocks are all whole is ok (exit 0), though its index is rebuilt.
    assert rep["ok"] is True and code == 0, rep
    assert rep["damage"] == []
    compare_with_inspect(rec, rep)


def rich_file(with_footer: bool) -> tuple[bytes, list[list[bytes]]]:
    """Two segments, patch mode, partial ticks, a marker-only chunk, a field map that does not
    fit the page, all four predictors, markers with negative offsets; optional footer."""
    # segment 0: page a (field map u16 x3, f64 x1, on 13 bytes), page b (80 KiB, patch mode)
    pages0 = [("a", 13, "t/a", 2, [(2, 3), (6, 1)]), ("b", 80_000, "t/b", 1, [])]
    out = bytearray(PREAMBLE + block(b"HEAD", head_body(pages0, sim="acc")))
    chunks, seg_offsets, markers = [], [16], []
    expected: list[list[bytes]] = []

    # chunk 1, segment 0: 4 frames
    a = [bytes([1, 0, 2, 0, 3, 0]) + struct.pack("<f", 1.5) + b"\x07\x00\xff",
         bytes([1, 0, 3, 0, 5, 0]) + struct.pack("<f", 1.75) + b"\x08\x01\x00",
         bytes([1, 0, 4, 0, 8, 0]) + struct.pack("<f", 2.0) + b"\x09\x03\x01",
         bytes([1, 0, 5, 0, 12, 0]) + struct.pack("<f", 2.5) + b"\x0a\x06\x02"]
    assert all(len(x) == 13 for x in a)
    # field list: u16 0, u16 2, u16 4; f64 at 6 does not fit 13 bytes; u32 at 6; u8 10,11,12
    fl = kr.field_list(pages0[0][4], 13)
    assert fl == [(0, 2), (2, 2), (4, 2), (6, 4), (10, 1), (11, 1), (12, 1)]
    preds = [0, 1, 2, 3, 1, 2, 1]

    def val(v: bytes, o: int, w: int) -> int:
        return int.from_bytes(v[o:o + w], "little")

    def zzw(x: int, w: int) -> int:
        bits = 8 * w
        x &= (1 << bits) - 1
        if x >> (bits - 1):
            x -= 1 << bits
        return ((x << 1) ^ (x >> (bits - 1))) & ((1 << bits) - 1)

    res = {}
    for f_i, ((o, w), pr) in enumerate(zip(fl, preds)):
        if pr == 0:
            continue
        vs = [val(v, o, w) for v in a]
        m = (1 << 8 * w) - 1
        r = []
        for j in range(1, 4):
            if pr == 1:
                r.append(zzw((vs[j] - vs[j - 1]) & m, w))
            elif pr == 2:
                d = (vs[j] - vs[j - 1]) & m
                if j == 1:
                    r.append(zzw(d, w))
                else:
                    r.append(zzw((d - (vs[j - 1] - vs[j - 2])) & m, w))
            else:
                r.append(vs[j] ^ vs[j - 1])
        res[f_i] = (w, r)
    col = bytearray(a[0]) + bytes(preds)
    for b_ in range(8):
        for f_i in sorted(res):
            w, r = res[f_i]
            if w > b_:
                col += bytes((x >> 8 * b_) & 0xFF for x in r)
    # page b: 80,000 bytes, stored in frames 0 and 2: full, then a 2-range patch
    b0 = bytes(range(256)) * 312 + bytes(128)
    assert len(b0) == 80_000
    b2 = bytearray(b0)
    b2[10:13] = b"xyz"
    b2[79_998:80_000] = b"!!"
    b2 = bytes(b2)
    pb = bytes([1]) + bytes([0]) + var(80_000) + b0
    pb += bytes([1]) + var(2) + var(10) + var(3) + var(79_998 - 13) + var(2) + b"xyz!!"
    ts = [1_000, 2_000, 2_000, 5_000]
    ticks = [100, None, 99, None]  # mode 2, and a backwards tick
    payload = var(4) + var(2)
    payload += var(0) + var(1_000) + var(0) + var(3_000)
    payload += bytes([2, 0b0101]) + var(100) + var(zz(-1))
    payload += bytes([0b11, 0b01, 0b11, 0b01])
    payload += bytes([0]) + var(13) + col + pb
    mk = [(500, 3, "1"), (5_000, 99, "strange")]  # before first_ns, unknown kind
    payload += var(len(mk))
    for t, k, lab in mk:
        payload += var(zz(t - 1_000)) + var(k) + var(len(lab)) + lab.encode()
    raw = sum(len(a[i]) + 80_000 for i in range(4))
    body = chnk_body(0, 4, 1_000, 5_000, raw, bytes(payload))
    chunks.append((len(out), 16 + len(body), 0, 4, 1_000, 5_000, raw))
    out += block(b"CHNK", body)
    markers += mk
    for i in range(4):
        expected.append([a[i], b0 if i < 2 else b2])

    # a marker-only chunk
    payload = var(0) + var(2) + bytes([0]) + var(1) + var(0) + var(4) + var(4) + b"note"
    body = chnk_body(0, 0, 6_000, 6_000, 0, bytes(payload))
    chunks.append((len(out), 16 + len(body), 0, 0, 6_000, 6_000, 0))
    out += block(b"CHNK", body)
    markers.append((6_000, 4, "note"))

    # an unknown block tag: skipped
    out += block(b"XTRA", b"future")

    # segment 1: one page of 5 bytes, with one frame of 0 bytes (page absent) then content
    seg_offsets.append(len(out))
    out += block(b"SEGM", struct.pack("<IQ", 1, 7_000) + s("sim restarted")
                 + page_table([("c", 5, "", 0, [(1, 2)])]))
    payload = var(2) + var(1) + var(0) + var(10) + bytes([1]) + var(42) + var(zz(1))
    payload += bytes([0, 1]) + bytes([0]) + var(5) + b"hello" + var(0)
    body = chnk_body(1, 2, 7_000, 7_010, 5, bytes(payload))
    chunks.append((len(out), 16 + len(body), 1, 2, 7_000, 7_010, 5))
    out += block(b"CHNK", body)
    expected += [[b""], [b"hello"]]

    if with_footer:
        out += foot_and_trailer(len(out), chunks, seg_offsets, markers)
    return bytes(out), expected


@pytest.mark.parametrize("with_footer", [True, False])
def test_rich_hand_built_file(ksana, tmp_path, with_footer):
    data, expected = rich_file(with_footer)
    f = tmp_path / "rich.ksana"
    f.write_bytes(data)
    rec = kr.read_recording(str(f))
    assert rec.damage == []
    assert rec.index_source == ("footer" if with_footer else "rebuilt"), rec.index_reason
    assert [fr.pages for fr in rec.frames] == expected
    assert [fr.tick for fr in rec.frames] == [100, None, 99, None, 42, 43]
    assert [fr.segment for fr in rec.frames] == [0, 0, 0, 0, 1, 1]
    assert [(m.t, m.kind, m.label) for m in rec.markers] == [
        (500, 3, "1"), (5_000, 99, "strange"), (6_000, 4, "note")]
    assert len(rec.segments) == 2 and rec.segments[1].reason == "sim restarted"

    rep, code = inspect(ksana, f)
    assert rep["error"] is None, rep
    assert rep["index"]["source"] == rec.index_source, rep["index"]
    assert code == 0 and rep["ok"] is True, rep
    assert rep["damage"] == []
    compare_with_inspect(rec, rep)
