#!/usr/bin/env python3
"""Independent reader of the ksana recording format (.ksana), major version 1.

Written only from docs/FORMAT.md section 1, without reading ksana's Rust code, to check that
the specification is complete.  Dependencies: the standard library and ``zstandard``.

Usage:
    python3 tools/ksana_reader.py FILE             # one JSON object per frame, per line
    python3 tools/ksana_reader.py --summary FILE   # one JSON summary object
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
from dataclasses import dataclass, field
from typing import Iterator

import zstandard

# ---------------------------------------------------------------------------------------------
# Constants (FORMAT.md 1.2, 1.4, 1.10)

MAGIC = b"\x89KSANA\r\n"
MAJOR = 1
MINOR = 0
PREAMBLE_LEN = 16
BLOCK_HEADER_LEN = 16
TRAILER_LEN = 16
TRAILER_MAGIC = b"KSANAEND"

MAX_BODY = 512 * 1024 * 1024
MAX_PAYLOAD = 256 * 1024 * 1024
MAX_PAGE = 64 * 1024 * 1024
MAX_COLUMNAR_PAGE = 65_536
MAX_PAGES = 4096
MAX_FRAMES = 1_048_576
MAX_STR = 1024 * 1024
MAX_LABEL = 65_536
MAX_META = 65_536
MAX_MARKER_KIND = 65_536
CHUNK_HEADER_LEN = 44

KIND_WIDTH = {1: 1, 2: 2, 3: 4, 4: 4, 5: 8, 6: 8}
KIND_NAME = {1: "u8", 2: "u16", 3: "u32", 4: "f32", 5: "u64", 6: "f64"}
MARKER_KINDS = {1: "session_start", 2: "session_end", 3: "lap_start", 4: "user",
                5: "segment_start"}

KNOWN_TAGS = (b"HEAD", b"SEGM", b"CHNK", b"FOOT")


def marker_kind_name(kind: int) -> str:
    return MARKER_KINDS.get(kind, f"unknown_{kind}")


class KsanaError(Exception):
    """Bad or unreadable input.  The message always names the byte offset."""

    def __init__(self, offset: int, message: str, where: str = "file"):
        self.offset = offset
        self.reason = message
        super().__init__(f"{where} offset {offset}: {message}")


# ---------------------------------------------------------------------------------------------
# CRC-32C (Castagnoli), table driven, reflected polynomial 0x82F63B78

def _make_crc_table() -> list[int]:
    poly = 0x82F63B78  # 0x1EDC6F41 bit-reversed
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _make_crc_table()


def crc32c(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    c = crc ^ 0xFFFFFFFF
    t = _CRC_TABLE
    for b in bytes(data):
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283, "CRC-32C check value mismatch"

# ---------------------------------------------------------------------------------------------
# Bounds-checked cursor


class Cursor:
    """Reads little-endian values from ``buf`` with bounds checks.

    ``base`` is the file offset of buf[0] (for messages); ``where`` names the space
    ("file" or "payload of chunk at N") in which offsets are reported.
    """

    def __init__(self, buf: bytes, pos: int = 0, end: int | None = None, base: int = 0,
                 where: str = "file"):
        self.buf = buf
        self.pos = pos
        self.end = len(buf) if end is None else end
        self.base = base
        self.where = where

    def off(self) -> int:
        return self.base + self.pos

    def fail(self, msg: str, at: int | None = None) -> KsanaError:
        return KsanaError(self.base + (self.pos if at is None else at), msg, self.where)

    def remaining(self) -> int:
        return self.end - self.pos

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.end:
            raise self.fail(f"truncated: {what} needs {n} bytes, {self.remaining()} left")

    def bytes(self, n: int, what: str = "bytes") -> bytes:
        self.need(n, what)
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return bytes(b)

    def u8(self, what: str = "u8") -> int:
        self.need(1, what)
        v = self.buf[self.pos]
        self.pos += 1
        return v

    def u16(self, what: str = "u16") -> int:
        self.need(2, what)
        v = struct.unpack_from("<H", self.buf, self.pos)[0]
        self.pos += 2
        return v

    def u32(self, what: str = "u32") -> int:
        self.need(4, what)
        v = struct.unpack_from("<I", self.buf, self.pos)[0]
        self.pos += 4
        return v

    def u64(self, what: str = "u64") -> int:
        self.need(8, what)
        v = struct.unpack_from("<Q", self.buf, self.pos)[0]
        self.pos += 8
        return v

    def i64(self, what: str = "i64") -> int:
        self.need(8, what)
        v = struct.unpack_from("<q", self.buf, self.pos)[0]
        self.pos += 8
        return v

    def var(self, what: str = "varint") -> int:
        start = self.pos
        result = 0
        shift = 0
        for i in range(10):
            if self.pos >= self.end:
                raise self.fail(f"truncated varint ({what})", start)
            b = self.buf[self.pos]
            self.pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                if result >= 1 << 64:
                    raise self.fail(f"varint ({what}) does not fit in 64 bits", start)
                return result
            shift += 7
        raise self.fail(f"varint ({what}) longer than 10 bytes", start)

    def str(self, what: str = "string", limit: int = MAX_STR) -> str:
        start = self.pos
        n = self.u32(f"{what} length")
        if n > limit:
            raise self.fail(f"{what} length {n} exceeds limit {limit}", start)
        raw = self.bytes(n, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.fail(f"{what} is not valid UTF-8: {e}", start) from None


def unzz64(v: int) -> int:
    """Inverse zigzag on 64 bits, result as a signed int."""
    return (v >> 1) ^ -(v & 1)


def unzzw(v: int, bits: int) -> int:
    """Inverse of zzw: returns the difference modulo 2^bits."""
    mask = (1 << bits) - 1
    return ((v >> 1) ^ -(v & 1)) & mask


# ---------------------------------------------------------------------------------------------
# Data model


@dataclass
class Page:
    name: str
    size: int
    layout: str
    layout_version: int
    runs: list[tuple[int, int]]  # (kind, count)


@dataclass
class Segment:
    index: int
    start_ns: int
    reason: str
    pages: list[Page]
    offset: int  # offset of the declaring block


@dataclass
class ChunkInfo:
    offset: int
    stored_bytes: int
    segment: int
    frame_count: int
    first_ns: int
    last_ns: int
    raw_bytes: int


@dataclass
class Marker:
    t: int
    kind: int
    label: str


@dataclass
class Frame:
    t: int
    tick: int | None
    segment: int
    pages: list[bytes]


@dataclass
class Damage:
    offset: int
    length: int
    reason: str


# ---------------------------------------------------------------------------------------------
# Blocks


@dataclass
class Block:
    tag: bytes
    offset: int  # offset of the block header
    body_start: int
    body_len: int

    @property
    def end(self) -> int:
        return self.body_start + self.body_len


def read_block_header(data: bytes, off: int, limit: int) -> Block:
    """Reads and checks a block header at ``off``; the body must end at or before ``limit``.
    Raises KsanaError if the header is unusable (truncated, CRC, too long, past the end)."""
    if off + BLOCK_HEADER_LEN > limit:
        raise KsanaError(off, f"incomplete block header ({limit - off} of 16 bytes)")
    tag = data[off:off + 4]
    body_len, body_crc, hdr_crc = struct.unpack_from("<III", data, off + 4)
    if crc32c(data[off:off + 12]) != hdr_crc:
        raise KsanaError(off, "block header checksum mismatch")
    if body_len > MAX_BODY:
        raise KsanaError(off, f"block body_len {body_len} exceeds 512 MiB")
    if off + BLOCK_HEADER_LEN + body_len > limit:
        raise KsanaError(off, f"block {tag!r} body ({body_len} bytes) extends past the end "
                              f"of the data ({limit - off - BLOCK_HEADER_LEN} bytes left)")
    return Block(bytes(tag), off, off + BLOCK_HEADER_LEN, body_len)


def check_block_body(data: bytes, blk: Block) -> None:
    body_crc = struct.unpack_from("<I", data, blk.offset + 8)[0]
    if crc32c(memoryview(data)[blk.body_start:blk.end]) != body_crc:
        raise KsanaError(blk.offset, f"block {blk.tag.decode('latin-1')} body checksum mismatch")


def read_block(data: bytes, off: int, limit: int, expect: bytes | None = None) -> Block:
    blk = read_block_header(data, off, limit)
    if expect is not None and blk.tag != expect:
        raise KsanaError(off, f"expected a {expect.decode()} block, found tag {blk.tag!r}")
    check_block_body(data, blk)
    return blk


# ---------------------------------------------------------------------------------------------
# Page tables, HEAD, SEGM (1.5 - 1.7)


def read_page_table(c: Cursor) -> list[Page]:
    start = c.pos
    count = c.u32("page_count")
    if count > MAX_PAGES:
        raise c.fail(f"page_count {count} exceeds {MAX_PAGES}", start)
    pages = []
    for i in range(count):
        name = c.str(f"page {i} name")
        size_at = c.pos
        size = c.u32(f"page {i} size")
        if size > MAX_PAGE:
            raise c.fail(f"page {i} size {size} exceeds 64 MiB", size_at)
        layout = c.str(f"page {i} layout")
        layout_version = c.u32(f"page {i} layout_version")
        run_at = c.pos
        run_count = c.u32(f"page {i} run_count")
        # each run needs 5 bytes: reject before allocating
        if run_count * 5 > c.remaining():
            raise c.fail(f"page {i} run_count {run_count} does not fit in the block", run_at)
        runs = []
        for _ in range(run_count):
            kat = c.pos
            kind = c.u8("field kind")
            cnt = c.u32("field count")
            if kind not in KIND_WIDTH:
                raise c.fail(f"page {i} ({name}): unknown field kind {kind}", kat)
            runs.append((kind, cnt))
        pages.append(Page(name, size, layout, layout_version, runs))
    return pages


@dataclass
class Header:
    version: tuple[int, int]
    flags: int
    start_unix_ns: int
    sim: str
    recorder: str
    recorder_version: str
    metadata: list[tuple[str, str]]
    segment0: Segment
    head_end: int


def read_preamble_and_head(data: bytes) -> Header:
    if len(data) < PREAMBLE_LEN:
        raise KsanaError(0, f"file too short for the preamble ({len(data)} of 16 bytes)")
    if data[:8] != MAGIC:
        raise KsanaError(0, "not a ksana recording (bad magic)")
    major, minor, flags = struct.unpack_from("<HHI", data, 8)
    if major != MAJOR:
        raise KsanaError(8, f"format version {major}.{minor} is not readable by this reader "
                            f"(it reads major version {MAJOR})")
    blk = read_block(data, PREAMBLE_LEN, len(data), b"HEAD")
    c = Cursor(data, blk.body_start, blk.end)
    start_unix_ns = c.i64("start_unix_ns")
    sim = c.str("sim")
    recorder = c.str("recorder")
    recorder_version = c.str("recorder_version")
    mat = c.pos
    meta_count = c.u32("meta_count")
    if meta_count > MAX_META:
        raise c.fail(f"meta_count {meta_count} exceeds {MAX_META}", mat)
    metadata = []
    for i in range(meta_count):
        k = c.str(f"metadata key {i}")
        v = c.str(f"metadata value {i}")
        metadata.append((k, v))
    pages = read_page_table(c)
    # bytes after the page table: fields of later minors, ignored (1.5)
    seg0 = Segment(0, 0, "", pages, PREAMBLE_LEN)
    return Header((major, minor), flags, start_unix_ns, sim, recorder, recorder_version,
                  metadata, seg0, blk.end)


def parse_segm(data: bytes, blk: Block) -> Segment:
    c = Cursor(data, blk.body_start, blk.end)
    index = c.u32("segment index")
    start_ns = c.u64("segment start_ns")
    reason = c.str("segment reason")
    pages = read_page_table(c)
    return Segment(index, start_ns, reason, pages, blk.offset)


# ---------------------------------------------------------------------------------------------
# Field list and columnar decoding (1.8.1)


def field_list(runs: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """(offset, width) of each field of a page of ``size`` bytes."""
    fields = []
    off = 0
    stop = False
    for kind, count in runs:
        w = KIND_WIDTH[kind]
        for _ in range(count):
            if off + w > size:
                stop = True
                break
            fields.append((off, w))
            off += w
        if stop:
            break
    while off + 4 <= size:
        fields.append((off, 4))
        off += 4
    while off < size:
        fields.append((off, 1))
        off += 1
    return fields


def decode_columnar(c: Cursor, k: int, size: int, runs: list[tuple[int, int]]) -> list[bytes]:
    key = c.bytes(size, "columnar key version")
    if k == 1:
        return [key]
    fields = field_list(runs, size)
    pred_at = c.pos
    preds = c.bytes(len(fields), "predictor table")
    for i, p in enumerate(preds):
        if p > 3:
            raise c.fail(f"unknown predictor {p} for field {i}", pred_at + i)
    nonconst = [i for i, p in enumerate(preds) if p != 0]
    # residuals r[f][j-1], j = 1..k-1
    m = k - 1
    resid = {f: [0] * m for f in nonconst}
    for b in range(8):
        for f in nonconst:
            if fields[f][1] > b:
                plane = c.bytes(m, "residual plane")
                shift = 8 * b
                rf = resid[f]
                for j in range(m):
                    rf[j] |= plane[j] << shift
    versions = [bytearray(key) for _ in range(k)]
    for f in nonconst:
        o, w = fields[f]
        bits = 8 * w
        mask = (1 << bits) - 1
        v = int.from_bytes(key[o:o + w], "little")
        p = preds[f]
        rf = resid[f]
        d = 0
        for j in range(1, k):
            r = rf[j - 1]
            if p == 1:
                v = (v + unzzw(r, bits)) & mask
            elif p == 2:
                d = (d + unzzw(r, bits)) & mask
                v = (v + d) & mask
            else:
                v ^= r
            versions[j][o:o + w] = v.to_bytes(w, "little")
    return [bytes(x) for x in versions]


# ---------------------------------------------------------------------------------------------
# Chunks (1.8)


@dataclass
class DecodedChunk:
    info: ChunkInfo
    frames: list[Frame]
    markers: list[Marker]


def decode_chunk(data: bytes, blk: Block, segments: dict[int, Segment],
                 expect_segment: int | None = None) -> DecodedChunk:
    c = Cursor(data, blk.body_start, blk.end)
    segment = c.u32("chunk segment")
    fc_at = c.pos
    frame_count = c.u32("frame_count")
    first_ns = c.u64("first_ns")
    last_ns = c.u64("last_ns")
    raw_bytes = c.u64("raw_bytes")
    pl_at = c.pos
    payload_len = c.u32("payload_len")
    codec = c.u8("codec")
    pad = c.bytes(3, "padding")
    dict_at = c.pos
    dictionary = c.u32("dictionary")
    if frame_count > MAX_FRAMES:
        raise c.fail(f"frame_count {frame_count} exceeds {MAX_FRAMES}", fc_at)
    if payload_len > MAX_PAYLOAD:
        raise c.fail(f"payload_len {payload_len} exceeds 256 MiB", pl_at)
    if codec != 1:
        raise c.fail(f"unknown chunk codec {codec}", pl_at + 4)
    if pad != b"\0\0\0":
        raise c.fail("non-zero reserved bytes in chunk header", pl_at + 5)
    if dictionary != 0:
        raise c.fail(f"chunk uses dictionary {dictionary}; this reader knows none", dict_at)
    if last_ns < first_ns:
        raise c.fail(f"chunk last_ns {last_ns} < first_ns {first_ns}", fc_at + 12)
    if segment not in segments:
        raise c.fail(f"chunk names unknown segment {segment}", blk.body_start)
    if expect_segment is not None and segment != expect_segment:
        raise c.fail(f"chunk names segment {segment} but follows segment {expect_segment}",
                     blk.body_start)
    seg = segments[segment]
    zstart = c.pos
    try:
        # bounded read: never decompress more than payload_len + 1 bytes (1.10 limits);
        # only the first zstd frame is read
        reader = zstandard.ZstdDecompressor().stream_reader(
            bytes(data[zstart:blk.end]), read_across_frames=False)
        payload = b""
        while len(payload) <= payload_len:
            piece = reader.read(payload_len + 1 - len(payload))
            if not piece:
                break
            payload += piece
    except zstandard.ZstdError as e:
        raise KsanaError(blk.body_start + zstart - blk.body_start,
                         f"zstd decompression failed: {e}") from None
    if len(payload) != payload_len:
        raise KsanaError(blk.offset, f"chunk payload is {len(payload)} bytes, header says "
                                     f"{payload_len}")
    where = f"payload of chunk at file offset {blk.offset}:"
    p = Cursor(payload, where=where)

    n = p.var("n")
    if n != frame_count:
        raise p.fail(f"payload frame count {n} != header frame_count {frame_count}", 0)
    pages = seg.pages
    P = p.var("P")
    if P != len(pages):
        raise p.fail(f"payload page count {P} != segment {segment}'s page_count {len(pages)}")
    # 2. timestamps
    ts = []
    t = first_ns
    for i in range(n):
        d = p.var("timestamp delta")
        t += d
        if t >= 1 << 64:
            raise p.fail("timestamp overflows u64")
        ts.append(t)
    if n and ts[-1] != last_ns:
        raise p.fail(f"last frame timestamp {ts[-1]} != chunk last_ns {last_ns}")
    if n == 0 and last_ns != first_ns:
        raise p.fail("chunk without frames has last_ns != first_ns", 0)
    # 3. ticks
    mode_at = p.pos
    tmode = p.u8("tick mode")
    if tmode == 0:
        has = [False] * n
    elif tmode == 1:
        has = [True] * n
    elif tmode == 2:
        bm = p.bytes((n + 7) // 8, "tick presence bitmap")
        has = [bool(bm[i // 8] >> (i % 8) & 1) for i in range(n)]
        if n % 8 and bm[-1] >> (n % 8):
            raise p.fail("tick presence bitmap has bits set past the last frame", p.pos - 1)
    else:
        raise p.fail(f"unknown tick mode {tmode}", mode_at)
    ticks: list[int | None] = [None] * n
    prev = None
    for i in range(n):
        if has[i]:
            if prev is None:
                v = p.var("first tick")
            else:
                v = (prev + unzz64(p.var("tick delta"))) & 0xFFFFFFFFFFFFFFFF
            ticks[i] = v
            prev = v
    # 4. change bitmaps
    bpf = (P + 7) // 8
    bitmaps_at = p.pos
    bitmaps = p.bytes(n * bpf, "change bitmaps")
    stored: list[list[bool]] = []
    counts = [0] * P
    for i in range(n):
        row = bitmaps[i * bpf:(i + 1) * bpf]
        if P % 8 and row[-1] >> (P % 8):
            raise p.fail(f"frame {i}'s change bitmap has bits set for pages >= {P}",
                         bitmaps_at + (i + 1) * bpf - 1)
        r = [bool(row[q // 8] >> (q % 8) & 1) for q in range(P)]
        for q in range(P):
            if r[q]:
                counts[q] += 1
        stored.append(r)
    # 5. pages
    versions: list[list[bytes]] = [[] for _ in range(P)]
    total = 0
    for q in range(P):
        k = counts[q]
        if k == 0:
            continue
        mat = p.pos
        mode = p.u8(f"page {q} mode")
        if mode == 0:
            sat = p.pos
            size = p.var(f"page {q} columnar size")
            if size > MAX_COLUMNAR_PAGE:
                raise p.fail(f"page {q} columnar size {size} exceeds 65,536", sat)
            total += size * k
            if total > MAX_PAYLOAD:
                raise p.fail("decoded page bytes exceed 256 MiB", sat)
            if size > p.remaining():
                raise p.fail(f"page {q} key version ({size} bytes) past the payload end", sat)
            versions[q] = decode_columnar(p, k, size, pages[q].runs)
        elif mode == 1:
            cur: bytes | None = None
            vs = []
            for j in range(k):
                kat = p.pos
                kind = p.u8(f"page {q} version {j} kind")
                if kind == 0:
                    lat = p.pos
                    ln = p.var("full version length")
                    if ln > MAX_PAGE:
                        raise p.fail(f"page {q} version length {ln} exceeds 64 MiB", lat)
                    cur = p.bytes(ln, "full page version")
                elif kind == 1:
                    if cur is None:
                        raise p.fail(f"page {q}: patch as first version in chunk", kat)
                    S = len(cur)
                    r = p.var("patch range count")
                    if r > S:
                        raise p.fail(f"page {q}: {r} patch ranges for a {S}-byte page", kat)
                    ranges = []
                    end = 0
                    for _ in range(r):
                        gat = p.pos
                        gap = p.var("patch gap")
                        ln = p.var("patch range length")
                        if ln < 1:
                            raise p.fail("patch range of length 0", gat)
                        start = end + gap
                        end = start + ln
                        if end > S:
                            raise p.fail(f"page {q}: patch range {start}..{end} outside the "
                                         f"page's {S} bytes", gat)
                        ranges.append((start, ln))
                    buf = bytearray(cur)
                    for start, ln in ranges:
                        buf[start:start + ln] = p.bytes(ln, "patch bytes")
                    cur = bytes(buf)
                else:
                    raise p.fail(f"page {q}: unknown version kind {kind}", kat)
                total += len(cur)
                if total > MAX_PAYLOAD:
                    raise p.fail("decoded page bytes exceed 256 MiB", kat)
                vs.append(cur)
            versions[q] = vs
        else:
            raise p.fail(f"page {q}: unknown page mode {mode}", mat)
    # 6. markers
    m_at = p.pos
    m = p.var("marker count")
    # each marker takes at least 3 bytes
    if m * 3 > p.remaining():
        raise p.fail(f"marker count {m} does not fit in the payload", m_at)
    markers = []
    for _ in range(m):
        at = p.pos
        dt = unzz64(p.var("marker time"))
        mt = first_ns + dt
        if not 0 <= mt < 1 << 64:
            raise p.fail("marker timestamp out of range", at)
        kind = p.var("marker kind")
        if kind >= MAX_MARKER_KIND:
            raise p.fail(f"marker kind {kind} >= 65,536", at)
        ln = p.var("marker label length")
        if ln > MAX_LABEL:
            raise p.fail(f"marker label length {ln} exceeds 65,536", at)
        raw = p.bytes(ln, "marker label")
        try:
            label = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise p.fail("marker label is not UTF-8", at) from None
        markers.append(Marker(mt, kind, label))
    # 7. nothing else
    if p.remaining():
        raise p.fail(f"{p.remaining()} bytes left over after the markers")

    # replay
    frames = []
    cur_pages = [b""] * P
    nxt = [0] * P
    raw = 0
    for i in range(n):
        for q in range(P):
            if stored[i][q]:
                cur_pages[q] = versions[q][nxt[q]]
                nxt[q] += 1
        raw += sum(len(x) for x in cur_pages)
        frames.append(Frame(ts[i], ticks[i], segment, list(cur_pages)))
    # raw_bytes is "for statistics" (1.8): ksana does not check it against the frames, and
    # neither does this reader; summary() computes raw bytes from the decoded frames.
    info = ChunkInfo(blk.offset, blk.end - blk.offset, segment, frame_count, first_ns, last_ns,
                     raw_bytes)
    return DecodedChunk(info, frames, markers)


# ---------------------------------------------------------------------------------------------
# Footer (1.9)


@dataclass
class Footer:
    offset: int
    chunks: list[ChunkInfo]
    segment_offsets: list[int]
    markers: list[Marker]


def read_footer(data: bytes, data_start: int) -> Footer:
    """Reads the trailer and FOOT block; raises KsanaError saying why it cannot be used."""
    size = len(data)
    if size < data_start + TRAILER_LEN:
        raise KsanaError(size, "no footer: the file is too short for a trailer")
    t_at = size - TRAILER_LEN
    if data[t_at + 8:] != TRAILER_MAGIC:
        raise KsanaError(t_at, "no footer: the writer did not close the file")
    foot_off = struct.unpack_from("<Q", data, t_at)[0]
    if foot_off < data_start or foot_off > t_at:
        raise KsanaError(t_at, f"trailer points at {foot_off}, outside the data")
    blk = read_block(data, foot_off, t_at, b"FOOT")
    if blk.end != t_at:
        raise KsanaError(foot_off, "FOOT block does not end where the trailer begins")
    c = Cursor(data, blk.body_start, blk.end)
    cat = c.pos
    n = c.u32("chunk_count")
    if n * 48 > c.remaining():
        raise c.fail(f"chunk_count {n} does not fit in the footer", cat)
    chunks = []
    prev_end = data_start
    prev_last = 0
    for i in range(n):
        at = c.pos
        off, stored, seg, fc, first, last, raw = (c.u64(), c.u64(), c.u32(), c.u32(), c.u64(),
                                                  c.u64(), c.u64())
        if off < prev_end or off + stored > foot_off or stored < BLOCK_HEADER_LEN:
            raise c.fail(f"footer chunk {i} at {off} (+{stored}) is out of order or outside "
                         "the data", at)
        if last < first or first < prev_last:
            raise c.fail(f"footer chunk {i} timestamps go backwards", at)
        if fc > MAX_FRAMES:
            raise c.fail(f"footer chunk {i} frame_count {fc} too large", at)
        prev_end = off + stored
        prev_last = last
        chunks.append(ChunkInfo(off, stored, seg, fc, first, last, raw))
    sat = c.pos
    ns = c.u32("segment_count")
    if ns * 8 > c.remaining() or ns < 1:
        raise c.fail(f"segment_count {ns} invalid", sat)
    segs = [c.u64() for _ in range(ns)]
    if segs[0] != PREAMBLE_LEN:
        raise c.fail(f"segment 0 offset {segs[0]} is not 16", sat + 4)
    mat = c.pos
    nm = c.u32("marker_count")
    if nm * 14 > c.remaining():
        raise c.fail(f"marker_count {nm} does not fit in the footer", mat)
    markers = []
    for _ in range(nm):
        t = c.u64("marker timestamp")
        k = c.u16("marker kind")
        lab = c.str("marker label", MAX_LABEL)
        markers.append(Marker(t, k, lab))
    # further bytes: fields of later minors, ignored
    for i, ch in enumerate(chunks):
        if ch.segment >= ns:
            raise KsanaError(foot_off, f"footer chunk {i} names segment {ch.segment}, but "
                                       f"only {ns} segments are declared")
    return Footer(foot_off, chunks, segs, markers)


# ---------------------------------------------------------------------------------------------
# Recording


@dataclass
class Recording:
    path: str
    header: Header
    segments: list[Segment]
    chunks: list[ChunkInfo]
    frames: list[Frame]
    markers: list[Marker]
    index_source: str  # "footer" or "rebuilt"
    index_reason: str | None
    damage: list[Damage] = field(default_factory=list)


def _segment_from_offset(data: bytes, off: int, limit: int, expect_index: int) -> Segment:
    blk = read_block(data, off, limit, b"SEGM")
    seg = parse_segm(data, blk)
    if seg.index != expect_index:
        raise KsanaError(off, f"SEGM block has index {seg.index}, expected {expect_index}")
    return seg


def _read_with_footer(data: bytes, hdr: Header, foot: Footer) -> tuple:
    segments = [hdr.segment0]
    for i, off in enumerate(foot.segment_offsets[1:], start=1):
        if off < hdr.head_end or off >= foot.offset:
            raise KsanaError(foot.offset, f"footer: segment {i} offset {off} outside the data")
        segments.append(_segment_from_offset(data, off, foot.offset, i))
    segmap = {s.index: s for s in segments}
    frames: list[Frame] = []
    markers: list[Marker] = []
    infos = []
    for ch in foot.chunks:
        blk = read_block(data, ch.offset, ch.offset + ch.stored_bytes, b"CHNK")
        if blk.end != ch.offset + ch.stored_bytes:
            raise KsanaError(ch.offset, "footer stored_bytes disagrees with the block")
        dc = decode_chunk(data, blk, segmap)
        got = dc.info
        if (got.segment, got.frame_count, got.first_ns, got.last_ns, got.raw_bytes) != (
                ch.segment, ch.frame_count, ch.first_ns, ch.last_ns, ch.raw_bytes):
            raise KsanaError(ch.offset, "footer entry disagrees with the chunk header")
        frames.extend(dc.frames)
        markers.extend(dc.markers)
        infos.append(got)
    if [(m.t, m.kind, m.label) for m in markers] != [(m.t, m.kind, m.label)
                                                     for m in foot.markers]:
        raise KsanaError(foot.offset, "footer markers disagree with the chunks' markers")
    return segments, infos, frames, foot.markers


def _scan(data: bytes, hdr: Header) -> tuple:
    """Rebuild the index by scanning blocks after HEAD (1.10 step 3-4)."""
    segments = [hdr.segment0]
    segmap = {0: hdr.segment0}
    frames: list[Frame] = []
    markers: list[Marker] = []
    infos: list[ChunkInfo] = []
    damage: list[Damage] = []
    off = hdr.head_end
    size = len(data)
    prev_last = 0
    while off < size:
        try:
            blk = read_block_header(data, off, size)
            check_block_body(data, blk)
            if blk.tag == b"CHNK":
                dc = decode_chunk(data, blk, segmap, expect_segment=segments[-1].index)
                if dc.info.first_ns < prev_last:
                    raise KsanaError(off, "chunk starts before the previous chunk's end")
                prev_last = dc.info.last_ns
                frames.extend(dc.frames)
                markers.extend(dc.markers)
                infos.append(dc.info)
            elif blk.tag == b"SEGM":
                seg = parse_segm(data, blk)
                if seg.index != len(segments):
                    raise KsanaError(off, f"SEGM index {seg.index}, expected {len(segments)}")
                segments.append(seg)
                segmap[seg.index] = seg
            elif blk.tag == b"FOOT":
                # An intact FOOT block whose trailer was not usable: the data ends here.
                # FORMAT.md does not say what follows; ksana ignores it (observed), so does
                # this reader.
                return segments, infos, frames, markers, damage
            elif blk.tag == b"HEAD":
                raise KsanaError(off, "second HEAD block")
            # unknown tags are skipped (1.3)
            off = blk.end
        except KsanaError as e:
            damage.append(Damage(off, size - off, e.reason))
            break
    return segments, infos, frames, markers, damage


def read_recording(path: str) -> Recording:
    with open(path, "rb") as f:
        data = f.read()
    return read_bytes(data, path)


def read_bytes(data: bytes, path: str = "<bytes>") -> Recording:
    hdr = read_preamble_and_head(data)
    try:
        foot = read_footer(data, hdr.head_end)
        segments, infos, frames, markers = _read_with_footer(data, hdr, foot)
        return Recording(path, hdr, segments, infos, frames, markers, "footer", None)
    except KsanaError as e:
        reason = str(e)
    segments, infos, frames, markers, damage = _scan(data, hdr)
    return Recording(path, hdr, segments, infos, frames, markers, "rebuilt", reason, damage)


# ---------------------------------------------------------------------------------------------
# CLI


def frames_sha256(frames: list[Frame]) -> str:
    h = hashlib.sha256()
    for fr in frames:
        h.update(struct.pack("<Q", fr.t))
        for pg in fr.pages:
            h.update(pg)
    return h.hexdigest()


def summary(rec: Recording) -> dict:
    h = rec.header
    return {
        "sim": h.sim,
        "recorder": h.recorder,
        "recorder_version": h.recorder_version,
        "format_version": f"{h.version[0]}.{h.version[1]}",
        "start_unix_ns": h.start_unix_ns,
        "metadata": [[k, v] for k, v in h.metadata],
        "segments": [
            {"index": s.index, "start_ns": s.start_ns, "reason": s.reason,
             "pages": [{"name": p.name, "size": p.size, "layout": p.layout,
                        "layout_version": p.layout_version,
                        "fields": [[k, c] for k, c in p.runs]} for p in s.pages]}
            for s in rec.segments],
        "frames": len(rec.frames),
        "chunks": len(rec.chunks),
        "first_ns": rec.frames[0].t if rec.frames else None,
        "last_ns": rec.frames[-1].t if rec.frames else None,
        "raw_bytes": sum(len(p) for fr in rec.frames for p in fr.pages),
        "index": rec.index_source,
        "index_reason": rec.index_reason,
        "damage": [[d.offset, d.length, d.reason] for d in rec.damage],
        "markers": [[m.t, m.kind, m.label] for m in rec.markers],
        "sha256_of_frames": frames_sha256(rec.frames),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--summary", action="store_true", help="print one JSON summary object")
    args = ap.parse_args(argv)
    try:
        rec = read_recording(args.file)
    except KsanaError as e:
        print(f"ksana_reader: {args.file}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"ksana_reader: {e}", file=sys.stderr)
        return 2
    out = sys.stdout
    if args.summary:
        out.write(json.dumps(summary(rec)) + "\n")
    else:
        for fr in rec.frames:
            out.write(json.dumps({"t": fr.t, "tick": fr.tick, "segment": fr.segment,
                                  "pages": [pg.hex() for pg in fr.pages]}) + "\n")
    if rec.damage:
        for d in rec.damage:
            print(f"ksana_reader: {args.file}: damage at offset {d.offset} ({d.length} bytes): "
                  f"{d.reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
