"""What the browser edition needs from the package itself: no numpy, marimo or
platformdirs required in the browser (they are native-only or an extra), the ledger
home and the catalog's readiness known without platformdirs or plain files, and the
engine and every lab's scenario layer importable with numpy absent."""
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
BROWSER_ENV = {"platform_system": "Emscripten", "sys_platform": "emscripten", "python_version": "3.14",
               "python_full_version": "3.14.0", "platform_machine": "wasm32", "os_name": "posix",
               "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}


def test_browser_install_needs_only_plotly():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in deps["dependencies"]]
    in_browser = {r.name for r in reqs if r.marker is None or r.marker.evaluate(BROWSER_ENV)}
    native = {r.name for r in reqs if r.marker is None or r.marker.evaluate()}
    assert in_browser == {"plotly"}
    assert {"marimo", "platformdirs", "plotly"} <= native and "numpy" not in native
    assert any(Requirement(r).name == "numpy" for r in deps["optional-dependencies"]["numpy"])


def test_labs_and_engine_run_without_numpy():
    code = ("import sys; sys.modules['numpy'] = None\n"  # any `import numpy` now fails
            "from mlsyslabs.labs.catalog import ready_labs\n"
            "from mlsyslabs import physics as P\n"
            "e = P.estimate('llama3-8b', 'h100-sxm', phase='decode', batch=1, seq_len=1024, precision='fp16')\n"
            "assert e.itl_s > 0\n"
            "for lab in ready_labs():\n"
            "    src = lab.path.read_text()\n"
            "    assert 'numpy' not in src, lab.id\n"
            "print(len(ready_labs()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 6


def test_browser_home_and_backend_need_no_platformdirs(monkeypatch):
    from mlsyslabs.ledger import store
    from mlsyslabs.ledger.browser_store import BrowserLedger

    monkeypatch.delenv("MLSYSLABS_HOME", raising=False)
    monkeypatch.setattr(store, "BROWSER", True)
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # not installed in the browser
    assert str(store.home()) == "/marimo/mlsyslabs"
    monkeypatch.setenv("MLSYSLABS_HOME", "/tmp/x")
    assert str(store.home()) == "/tmp/x"
    BrowserLedger.backend_factory = lambda: __import__("mlsyslabs.ledger.browser_store").ledger.browser_store.Backend()
    try:
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            led = store.Ledger.open(d)
            assert isinstance(led, BrowserLedger)  # the same API, the browser backend
            assert "only in this tab" in led.notice  # (no storage in this fake): said at once
    finally:
        BrowserLedger.backend_factory = None


def test_readiness_comes_from_the_package_resources():
    from mlsyslabs.labs import catalog

    catalog.ready_ids.cache_clear()
    on_disk = {lab.id for lab in catalog.LABS if lab.path.is_file()}
    assert catalog.ready_ids() == on_disk and {"v1.00", "v1.16"} <= on_disk
    assert all(lab.ready == (lab.id in on_disk) for lab in catalog.LABS)
