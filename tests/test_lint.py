"""The code style the project holds itself to (ruff, configured in pyproject.toml):
120 columns, no unused imports or names, no undefined names (which in a marimo
notebook means a cell reading a value it does not declare)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
