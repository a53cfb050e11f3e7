"""The backend's host-allocator tuning: on by default on glibc Linux, off with
NUMTORCH_MALLOC_TUNING=0."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

import numtorch

glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc's mallopt only",
)


@glibc
def test_allocator_is_tuned_on_import():
    assert numtorch._backend.HOST_ALLOCATOR_TUNED is True


@glibc
@pytest.mark.parametrize(("value", "expected"), [("0", "False"), ("1", "True")])
def test_environment_switch(value, expected):
    code = "import numtorch; print(numtorch._backend.HOST_ALLOCATOR_TUNED)"
    env = {"NUMTORCH_MALLOC_TUNING": value, "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == expected
