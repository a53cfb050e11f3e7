"""Fuzzing numtorch.load: damaged files fail with a clear error, never with anything else.

Every case either loads (a damaged byte can land where it changes nothing) or raises one of
RuntimeError, pickle.UnpicklingError and ValueError: no other exception type, no hang, no
crash. Zip-level mutations are mostly caught by the records' CRC, so the pickle is also mutated
inside a well-formed archive, to reach the weights-only interpreter itself.
"""

from __future__ import annotations

import io
import os
import pickle
import random
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numtorch
from numtorch import serialization as S

EXPECTED = (RuntimeError, pickle.UnpicklingError, ValueError)
CASES: dict[str, int] = {}
OUTCOMES: dict[str, int] = {}
FUZZ = settings(
    deadline=None,
    derandomize=True,  # the same cases on every CI run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _base_blob() -> bytes:
    w = numtorch.arange(12.0).reshape(3, 4)
    obj = {
        "sd": OrderedDict(w=w, v=w[1:, 2:], b=numtorch.tensor([1, 2, 3]), h=numtorch.ones(2)),
        "meta": {"step": 7, "name": "x", "lr": 0.5, "t": (1, None, True), "by": b"\x01"},
    }
    buf = io.BytesIO()
    S.save(obj, buf)
    return buf.getvalue()


BLOB = _base_blob()
with zipfile.ZipFile(io.BytesIO(BLOB)) as _zf:
    RECORDS = [(n.split("/", 1)[1], _zf.read(n)) for n in _zf.namelist()]
PKL = dict(RECORDS)["data.pkl"]


def rezip(pkl: bytes, records=RECORDS) -> bytes:
    buf = io.BytesIO()
    S._write_zip(
        buf, "archive", [("data.pkl", pkl), *((n, d) for n, d in records if n != "data.pkl")]
    )
    return buf.getvalue()


def touch(obj, depth: int = 0) -> None:
    """Walks what loaded, reading every tensor's memory (a bad view would crash here)."""
    if depth > 50:
        return
    if isinstance(obj, numtorch.Tensor):
        if obj.numel():  # first and last element: a broadcast view may span 2**31 elements
            obj._data.flat[0], obj._data.flat[-1]
    elif isinstance(obj, dict):
        for value in list(obj.values())[:100]:
            touch(value, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for value in list(obj)[:100]:
            touch(value, depth + 1)


def check(blob: bytes, kind: str) -> None:
    CASES[kind] = CASES.get(kind, 0) + 1
    try:
        out = S.load(io.BytesIO(blob))
    except EXPECTED as e:
        assert str(e), "errors must say what went wrong"
        OUTCOMES[type(e).__name__] = OUTCOMES.get(type(e).__name__, 0) + 1
        return
    touch(out)
    OUTCOMES["loaded"] = OUTCOMES.get("loaded", 0) + 1


def test_the_base_checkpoint_loads():
    out = S.load(io.BytesIO(BLOB))
    assert out["meta"]["step"] == 7 and np.shares_memory(out["sd"]["w"]._data, out["sd"]["v"]._data)


def test_every_truncation():
    for cut in range(0, len(BLOB), 3):
        check(BLOB[:cut], "truncation")


@settings(FUZZ, max_examples=300)
@given(
    st.lists(st.tuples(st.integers(0, len(BLOB) - 1), st.integers(0, 255)), min_size=1, max_size=8)
)
def test_byte_flips_in_the_archive(flips):
    blob = bytearray(BLOB)
    for pos, value in flips:
        blob[pos] = value
    check(bytes(blob), "archive flip")


@settings(FUZZ, max_examples=300)
@given(
    st.lists(st.tuples(st.integers(0, len(PKL) - 1), st.integers(0, 255)), min_size=1, max_size=6),
    st.integers(0, len(PKL)),
)
def test_byte_flips_in_the_pickle(flips, cut):
    pkl = bytearray(PKL)
    for pos, value in flips:
        pkl[pos] = value
    check(rezip(bytes(pkl[: max(cut, len(PKL) // 2)])), "pickle flip")


@settings(FUZZ, max_examples=200)
@given(st.integers(0, len(PKL) - 1), st.integers(0, len(PKL) - 1), st.binary(max_size=16))
def test_splices_in_the_pickle(start, stop, insert):
    start, stop = min(start, stop), max(start, stop)
    check(rezip(PKL[:start] + insert + PKL[stop:]), "pickle splice")


NAMES = [
    "collections\nOrderedDict",
    "torch._utils\n_rebuild_tensor_v2",
    "torch._utils\n_rebuild_parameter",
    "torch._tensor\n_rebuild_from_type_v2",
    "torch\nFloatStorage",
    "torch\nLongStorage",
    "torch\nSize",
    "torch\nfloat32",
    "__builtin__\nset",
    "_codecs\nencode",
    "builtins\nbytearray",
    "os\nsystem",
    "builtins\neval",
    "builtins\ngetattr",
    "numpy\nndarray",
    "torch\nTensor",
]
ATOMS = [
    b"(",
    b")",
    b"}",
    b"]",
    b"N",
    b"\x88",
    b"\x89",
    b"t",
    b"\x85",
    b"\x86",
    b"\x87",
    b"R",
    b"b",
    b"a",
    b"e",
    b"s",
    b"u",
    b"l",
    b"d",
    b"Q",
    b"0",
    b"1",
    b"2",
    b"\x8f",
    b"\x90",
    b"\x91",
    b"\x93",
    b"\x94",
    b"\x81",
    b"X\x07\x00\x00\x00storage",
    b"X\x01\x00\x00\x000",
    b"X\x01\x00\x00\x009",
    b"X\x03\x00\x00\x00cpu",
    b"X\x04\x00\x00\x00keys",
    b"X\x06\x00\x00\x00latin1",
]


@st.composite
def opcode_programs(draw):
    """A random pickle program from opcodes a checkpoint uses, with random arguments."""
    parts = [b"\x80\x02"]
    for _ in range(draw(st.integers(1, 40))):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            parts.append(b"c" + draw(st.sampled_from(NAMES)).encode() + b"\n")
        elif kind == 1:
            parts.append(b"K" + bytes([draw(st.integers(0, 255))]))
        elif kind == 2:
            parts.append(b"J" + struct.pack("<i", draw(st.integers(-(2**31), 2**31 - 1))))
        elif kind == 3:
            parts.append(draw(st.sampled_from([b"h", b"q"])) + bytes([draw(st.integers(0, 5))]))
        elif kind == 4:
            parts.append(b"\x8a" + bytes([draw(st.integers(0, 9))]) + draw(st.binary(max_size=9)))
        else:
            parts.append(draw(st.sampled_from(ATOMS)))
    parts.append(b".")
    return b"".join(parts)


STORAGE_RECORDS = [("data/0", np.arange(6, dtype="<f4").tobytes())]


@settings(FUZZ, max_examples=500)
@given(opcode_programs())
def test_hostile_opcode_programs(program):
    check(rezip(program, STORAGE_RECORDS), "opcode program")


@settings(FUZZ, max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["data.pkl", "data/0", "data/1", "version", "byteorder", "x/../y", ""]),
            st.binary(max_size=64),
        ),
        max_size=5,
    ),
    st.sampled_from(["archive", "a/b", "", "ünï"]),
)
def test_random_zip_members(members, prefix):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in dict(members).items():
            zf.writestr(f"{prefix}/{name}", data)
    check(buf.getvalue(), "zip members")


def random_program(rng: random.Random) -> bytes:
    """opcode_programs' cases without hypothesis's per-case cost, for the bulk of the runs."""
    parts = [b"\x80\x02"]
    for _ in range(rng.randint(1, 40)):
        kind = rng.randint(0, 6)
        if kind == 0:
            parts.append(b"c" + rng.choice(NAMES).encode() + b"\n")
        elif kind == 1:
            parts.append(b"K" + bytes([rng.randint(0, 255)]))
        elif kind == 2:
            parts.append(b"J" + struct.pack("<i", rng.randint(-(2**31), 2**31 - 1)))
        elif kind == 3:
            parts.append(rng.choice([b"h", b"q"]) + bytes([rng.randint(0, 5)]))
        else:
            parts.append(rng.choice(ATOMS))
    return b"".join(parts) + b"."


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(out))
        what = rng.randint(0, 3)
        if what == 0:
            out[pos] = rng.randint(0, 255)
        elif what == 1:
            out[pos] ^= 1 << rng.randint(0, 7)
        elif what == 2:
            del out[pos : pos + rng.randint(1, 8)]
        else:
            out[pos:pos] = rng.randbytes(rng.randint(1, 8))
        if not out:
            break
    return bytes(out)


def test_seeded_mutations():
    """The cheap bulk: random flips, deletions and insertions, and random opcode programs."""
    rng = random.Random(20240501)
    for _ in range(1500):
        check(rezip(mutate(rng, PKL)), "seeded pickle mutation")
    for _ in range(500):
        check(mutate(rng, BLOB), "seeded archive mutation")
    for _ in range(1500):
        check(rezip(random_program(rng), STORAGE_RECORDS), "seeded opcode program")


def test_case_count():
    """Runs last (file order): the total the README quotes."""
    total = sum(CASES.values())
    print(f"\nnumtorch.load fuzz cases: {total} {CASES} outcomes: {OUTCOMES}")
    if len(CASES) >= 9:  # the whole module ran, not a -k selection
        assert total >= 3000


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("NUMTORCH_SLOW"), reason="slow: set NUMTORCH_SLOW=1")
@settings(FUZZ, max_examples=10000, derandomize=False)
@given(opcode_programs())
def test_hostile_opcode_programs_long(program):
    check(rezip(program, STORAGE_RECORDS), "opcode program (slow)")
