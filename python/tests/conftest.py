"""Shared helpers: the repository's paths and the command-line binary to compare with."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments"


def cli_binary() -> Path:
    """The `xrplace` binary: $XRPLACE_BIN, else target/release/xrplace (built if missing)."""
    given = os.environ.get("XRPLACE_BIN")
    if given:
        return Path(given)
    binary = ROOT / "target" / "release" / "xrplace"
    if not binary.is_file():
        cargo = shutil.which("cargo")
        if cargo is None:
            pytest.skip("no xrplace binary and no cargo to build it")
        subprocess.run([cargo, "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return binary


def run_cli(*args: str) -> None:
    subprocess.run([str(cli_binary()), *args, "--quiet"], cwd=ROOT, check=True)


@pytest.fixture
def strategies_eu() -> Path:
    return EXPERIMENTS / "strategies-eu.toml"


@pytest.fixture(autouse=True)
def clean_registry():
    import xrplace

    before = xrplace.registered()
    yield
    for name in xrplace.registered():
        if name not in before:
            xrplace.unregister(name)
