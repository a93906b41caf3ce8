"""The Python runtime of the browser edition: Pyodide and every wheel the labs load.

Everything comes from two registries, PyPI and npm (no CDN, no GitHub), and is
cached under `cache` (one download per file, checked by SHA-256), so a second build
is offline and fast:

- Pyodide's runtime (pyodide.mjs, pyodide.asm.mjs/.wasm, python_stdlib.zip and its
  lock file) from the npm package `pyodide` at the version marimo's frontend expects;
- marimo-base (the version of the installed marimo, so kernel and frontend agree) and
  what it needs in a browser, plotly, and Pyodide's own micropip, from PyPI: pure
  Python wheels, plus the one compiled wheel (msgspec) that PyPI publishes for
  Pyodide's platform;
- rebuilt here: PyYAML as pure Python (PyPI has no Pyodide build), plotly without the
  ~19 MB of JavaScript bundles it ships for Jupyter (marimo draws charts with its own
  plotly.js), jedi without its type stubs (see SLIM), and this project's own wheel.

The lock file the page loads (`pyodide-lock.json`) lists exactly these packages, with
what each imports and depends on, so Pyodide installs a notebook's imports from it and
micropip never consults an index.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

PYPI_JSON = "https://pypi.org/pypi/{name}/json"
NPM_TARBALL = "https://registry.npmjs.org/pyodide/-/pyodide-{version}.tgz"
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
PYODIDE_CDN = "https://cdn.jsdelivr.net/pyodide/v{version}/full/"
# Placeholder in an online build's lock file for the folder of this site's own wheels
# (replaced in the page, see pages.ONLINE_LOCK_SCRIPT).
SITE_PLACEHOLDER = "@MLSYSLABS_SITE@/"


class SiteBuildError(RuntimeError):
    """A download or a build step failed; the message says which and why."""


@dataclass
class Package:
    """One entry of the lock file."""

    name: str  # canonical (lower-case, dashes)
    imports: list[str]
    depends: list[str] = field(default_factory=list)
    version: str | None = None  # None: pick (Pyodide's lock, else the installed one, else newest)
    source: str = "pypi"  # pypi | yaml | plotly | own


# marimo-base and what it needs in a browser (its Requires-Dist for sys_platform ==
# "emscripten"), micropip (marimo's kernel uses it), plotly (the labs' charts), and
# this project. `depends` is what Pyodide loads with a package: jedi and docutils are
# loaded only when used (code completion, reST docstrings), never at start.
PACKAGES: list[Package] = [
    Package("micropip", ["micropip"]),
    Package("packaging", ["packaging"]),
    Package("msgspec", ["msgspec"]),
    Package("narwhals", ["narwhals"]),
    Package("markdown", ["markdown"]),
    Package("pyyaml", ["yaml"], source="yaml"),
    Package("pymdown-extensions", ["pymdownx"], ["markdown", "pyyaml"]),
    Package("pygments", ["pygments"]),
    Package("tomlkit", ["tomlkit"]),
    Package("python-multipart", ["multipart", "python_multipart"]),
    Package("itsdangerous", ["itsdangerous"]),
    Package("docutils", ["docutils"]),
    Package("parso", ["parso"]),
    Package("jedi", ["jedi"], ["parso"]),
    Package("pyodide-http", ["pyodide_http"]),
    # marimo-base's entry also names what its kernel imports at start (jedi, docutils,
    # pyodide-http) and what every page of the site imports (plotly, mlsyslabs), so all
    # wheels are fetched in the first parallel batch, while the runtime compiles,
    # instead of in a second round after marimo has started.
    Package("marimo-base", ["marimo"], ["micropip", "packaging", "msgspec", "narwhals", "markdown",
                                        "pymdown-extensions", "pygments", "tomlkit", "python-multipart",
                                        "itsdangerous", "pyyaml", "jedi", "docutils", "pyodide-http",
                                        "plotly", "mlsyslabs"]),
    Package("plotly", ["plotly", "_plotly_utils"], ["narwhals", "packaging"]),
    Package("mlsyslabs", ["mlsyslabs"], ["plotly"], source="own"),
]

# Files a run-mode notebook never reads, dropped from the wheels (fewer bytes to fetch
# and fewer files to unpack at every start): plotly's JavaScript bundles for Jupyter
# and its standalone HTML writer (marimo draws charts with its own plotly.js), and
# jedi's ~5,500 type stubs (marimo imports jedi at start; completion is unused in run
# mode, and jedi works without them).
SLIM = {
    "plotly": re.compile(r"^(plotly/package_data/.*\.js|plotly/labextension/.*|plotly-[^/]+\.data/.*)$"),
    "jedi": re.compile(r"^jedi/third_party/(typeshed|django-stubs)/.*$"),
}


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _get(url: str, timeout: float = 120) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "mlsyslabs-site-build"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (https registry URLs only)
            return r.read()
    except OSError as exc:
        raise SiteBuildError(f"could not download {url}: {exc}") from None


def pyodide_version() -> str:
    from marimo._pyodide.pyodide_constraints import PYODIDE_VERSION

    return PYODIDE_VERSION


def marimo_version() -> str:
    import marimo

    return marimo.__version__


class Cache:
    """Downloads kept under `root`, each verified by its SHA-256 when known."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def file(self, name: str, url: str, sha256: str | None = None) -> Path:
        path = self.root / name
        if path.is_file() and (sha256 is None or _sha256(path.read_bytes()) == sha256):
            return path
        data = _get(url)
        if sha256 and _sha256(data) != sha256:
            raise SiteBuildError(f"{url}: checksum mismatch (expected {sha256})")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
        return path

    def release_files(self, name: str, version: str) -> list[dict]:
        """PyPI's files of `name` at `version` (the project's JSON, cached; fetched
        again when the cached copy predates that version)."""
        path = self.root / "meta" / f"{_canon(name)}.json"
        for attempt in (0, 1):
            if attempt or not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_get(PYPI_JSON.format(name=_canon(name))))
            files = json.loads(path.read_text()).get("releases", {}).get(version)
            if files:  # a mirror may give file URLs relative to the JSON's own
                base = PYPI_JSON.format(name=_canon(name))
                return [dict(f, url=urljoin(base, f["url"])) for f in files]
        raise SiteBuildError(f"PyPI has no release {version} of {name}")


def pyodide_runtime(cache: Cache, version: str) -> Path:
    """The unpacked npm package `pyodide@version` (a folder holding RUNTIME_FILES)."""
    folder = cache.root / f"pyodide-{version}"
    if all((folder / f).is_file() for f in (*RUNTIME_FILES, "pyodide-lock.json")):
        return folder
    tgz = cache.file(f"pyodide-{version}.tgz", NPM_TARBALL.format(version=version))
    tmp = Path(tempfile.mkdtemp(prefix=".pyodide-", dir=cache.root))
    try:
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                name = member.name.split("/", 1)[-1]
                if member.isfile() and name in (*RUNTIME_FILES, "pyodide-lock.json"):
                    with tar.extractfile(member) as src:
                        (tmp / name).write_bytes(src.read())
        missing = [f for f in (*RUNTIME_FILES, "pyodide-lock.json") if not (tmp / f).is_file()]
        if missing:
            raise SiteBuildError(f"npm package pyodide@{version} lacks {', '.join(missing)}")
        if not folder.exists():  # another build may have unpacked it meanwhile
            tmp.replace(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _wheel_tags_ok(filename: str, py_tag: str, platform: str) -> bool:
    """A wheel Pyodide can install: pure Python, or built for `platform` (cp314)."""
    parts = filename[:-4].split("-")
    if len(parts) < 5:
        return False
    pys, plats = parts[-3].split("."), parts[-1].split(".")
    if "any" in plats:
        return any(p in ("py3", py_tag.replace("cp", "py")[:3], py_tag) for p in pys) or "py2.py3" in parts[-3]
    return platform in plats and py_tag in pys


@dataclass
class Wheel:
    name: str
    version: str
    filename: str
    path: Path
    url: str | None  # where an online site loads it from (None: served by the site)


def pypi_wheel(cache: Cache, name: str, version: str, py_tag: str, platform: str) -> Wheel:
    files = [f for f in cache.release_files(name, version) if f["packagetype"] == "bdist_wheel" and
             _wheel_tags_ok(f["filename"], py_tag, platform)]
    if not files:
        raise SiteBuildError(f"PyPI has no wheel of {name} {version} for the browser runtime "
                             f"({py_tag}, {platform}, or pure Python)")
    files.sort(key=lambda f: "any" in f["filename"])  # a build for the platform first
    f = files[0]
    path = cache.file(f["filename"], f["url"], f["digests"]["sha256"])
    return Wheel(_canon(name), version, f["filename"], path, f["url"])


def _pick_version(pkg: Package, pyodide_lock: dict) -> str:
    if pkg.version:
        return pkg.version
    import importlib.metadata as md

    try:  # what the native install runs with, known to work with this marimo
        return md.version(pkg.name)
    except md.PackageNotFoundError:
        pass
    entry = pyodide_lock["packages"].get(pkg.name)
    if entry:
        return entry["version"]
    raise SiteBuildError(f"no version known for {pkg.name}: install it or pin it in site.runtime.PACKAGES")


PURE_WHEEL = b"Wheel-Version: 1.0\nGenerator: mlsyslabs\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(path: Path, files: dict[str, bytes], dist_info: str) -> None:
    """A wheel from `files` (name -> bytes) with a fresh RECORD, entries in a fixed
    order and fixed dates (the same inputs give the same bytes)."""
    record = [_record_line(n, d) for n, d in files.items()] + [f"{dist_info}/RECORD,,"]
    files = dict(files)
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 2, 2, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name])
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(path)  # atomic: a concurrent build never reads half a wheel


def slim(cache: Cache, wheel: Wheel, drop: re.Pattern) -> Wheel:
    """`wheel` without the files `drop` matches (see SLIM), served by the site."""
    out = cache.root / "built" / wheel.filename
    if not out.is_file() or out.stat().st_mtime < wheel.path.stat().st_mtime:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel.path) as z:
            names = [n for n in z.namelist() if not n.endswith("/RECORD") and not drop.match(n)]
            dist_info = next(n.split("/")[0] for n in z.namelist() if n.endswith(".dist-info/METADATA"))
            _write_wheel(out, {n: z.read(n) for n in names}, dist_info)
    return Wheel(wheel.name, wheel.version, wheel.filename, out, None)


def pure_pyyaml(cache: Cache, version: str) -> Wheel:
    """PyYAML as pure Python from its sdist (the `yaml` package works without
    libyaml: `yaml.__with_libyaml__` is then False)."""
    filename = f"pyyaml-{version}-py3-none-any.whl"
    out = cache.root / "built" / filename
    if out.is_file():
        return Wheel("pyyaml", version, filename, out, None)
    sdist = next((f for f in cache.release_files("pyyaml", version) if f["packagetype"] == "sdist"), None)
    if sdist is None:
        raise SiteBuildError(f"PyPI has no source of PyYAML {version}")
    tgz = cache.file(sdist["filename"], sdist["url"], sdist["digests"]["sha256"])
    files: dict[str, bytes] = {}
    with tarfile.open(tgz) as tar:
        for m in tar.getmembers():
            parts = m.name.split("/")
            if m.isfile() and len(parts) == 4 and parts[1:3] == ["lib", "yaml"] and parts[3].endswith(".py"):
                with tar.extractfile(m) as src:
                    files[f"yaml/{parts[3]}"] = src.read()
    if "yaml/__init__.py" not in files:
        raise SiteBuildError(f"{sdist['filename']} has no lib/yaml package")
    dist_info = f"pyyaml-{version}.dist-info"
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: PyYAML\nVersion: {version}\n"
                                      "Summary: YAML parser and emitter (pure Python build)\nLicense: MIT\n").encode()
    files[f"{dist_info}/WHEEL"] = PURE_WHEEL
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_wheel(out, files, dist_info)
    return Wheel("pyyaml", version, filename, out, None)


def own_wheel(work: Path) -> Wheel:
    """This project's wheel, packed from the package's files as they are (a checkout's
    working tree or an installed copy): pure Python, no dependencies to resolve (the
    lock file says what it needs in the browser)."""
    import importlib.metadata as md

    import mlsyslabs

    pkg_dir = Path(mlsyslabs.__file__).resolve().parent
    try:
        version = md.version("mlsyslabs")
    except md.PackageNotFoundError:
        version = "0"
    files = {}
    for p in sorted(pkg_dir.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
            files[f"mlsyslabs/{p.relative_to(pkg_dir).as_posix()}"] = p.read_bytes()
    dist_info = f"mlsyslabs-{version}.dist-info"
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: mlsyslabs\nVersion: {version}\n"
                                      "Requires-Dist: plotly>=5.20\n").encode()
    files[f"{dist_info}/WHEEL"] = PURE_WHEEL
    filename = f"mlsyslabs-{version}-py3-none-any.whl"
    work.mkdir(parents=True, exist_ok=True)
    _write_wheel(work / filename, files, dist_info)
    return Wheel("mlsyslabs", version, filename, work / filename, None)


@dataclass
class Runtime:
    pyodide_dir: Path  # the unpacked npm package
    version: str
    wheels: dict[str, Wheel]  # canonical name -> wheel
    lock_info: dict


def resolve(cache_dir: Path, log=print) -> Runtime:
    """Download (or reuse) everything the site's runtime needs."""
    cache = Cache(cache_dir)
    version = pyodide_version()
    log(f"Pyodide {version} (npm)")
    pdir = pyodide_runtime(cache, version)
    plock = json.loads((pdir / "pyodide-lock.json").read_text())
    info = plock["info"]
    py_tag = "cp" + info["python"].replace(".", "")[:3]
    platform = f"pyemscripten_{info['abi_version']}_{info['arch']}"
    wheels: dict[str, Wheel] = {}
    for pkg in PACKAGES:
        if pkg.source == "own":
            wheels[pkg.name] = own_wheel(cache.root / "own")
            continue
        ver = marimo_version() if pkg.name == "marimo-base" else _pick_version(pkg, plock)
        if pkg.source == "yaml":
            wheels[pkg.name] = pure_pyyaml(cache, ver)
            continue
        w = pypi_wheel(cache, pkg.name, ver, py_tag, platform)
        wheels[pkg.name] = slim(cache, w, SLIM[pkg.name]) if pkg.name in SLIM else w
    log(f"{len(wheels)} wheels: " + ", ".join(f"{w.name} {w.version}" for w in wheels.values()))
    return Runtime(pdir, version, wheels, info)


_PYPI_FILE = re.compile(r"/packages/([0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}/[^/]+\.whl)$")


def lock_file(rt: Runtime, *, offline: bool) -> dict:
    """Pyodide's lock file for the site: our packages only. Offline, every file_name is
    a wheel next to the lock; online, wheels PyPI hosts load from PyPI and the others
    from the site (SITE_PLACEHOLDER)."""
    by_name = {p.name: p for p in PACKAGES}
    packages = {}
    for name, w in rt.wheels.items():
        pkg = by_name[name]
        if offline:
            file_name = w.filename
        elif w.url:
            m = _PYPI_FILE.search(w.url)  # PyPI's public file host, whichever index mirror was used
            file_name = f"https://files.pythonhosted.org/packages/{m.group(1)}" if m else w.url
        else:
            file_name = SITE_PLACEHOLDER + w.filename
        packages[name] = {"name": name, "version": w.version, "file_name": file_name, "install_dir": "site",
                          "sha256": _sha256(w.path.read_bytes()), "package_type": "package",
                          "imports": list(pkg.imports), "depends": list(pkg.depends), "unvendored_tests": False}
    return {"info": dict(rt.lock_info), "packages": packages}
