"""`mlsyslabs site build OUT [--offline]`: the browser edition as a static site.

Layout (every link relative, so it works from any sub-path of a static host and from
a local folder behind any static server):

    index.html               the gallery (progress read from browser storage)
    ledger/index.html        "Your ledger": what is stored, export, import
    labs/<id>/index.html     every ready lab (marimo html-wasm, run mode)
    assets/ ...              marimo's frontend, shared by every page
    pyodide/                 the Python runtime, its lock file, and the wheels
    site.json                what was built (labs, mode, versions, files, bytes)

Offline, `pyodide/` holds everything (zero requests off the serving origin). Online,
it holds the lock file and the wheels PyPI does not host (this project's, the slim
plotly, pure-Python PyYAML); the runtime comes from jsDelivr and the other wheels
from PyPI's file host.
"""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import runtime as R

SITE_MARKER = ".mlsyslabs-site"
MATHJAX_CDN = b"https://cdn.jsdelivr.net/npm/mathjax-full@3.2.2/es5/tex-mml-svg.min.js"
# The labs never put LaTeX in charts: an inline empty script keeps the page off the CDN.
MATHJAX_STUB = b"data:text/javascript,/*no-mathjax*/"
_LOCAL_ATTR = re.compile(r'\b(href|src)="\./')

# Online builds: the lock file names this site's own wheels with a placeholder; the
# page turns it into the absolute URL of its pyodide/ folder before marimo starts
# (Pyodide resolves relative wheel names against the runtime's CDN folder).
ONLINE_LOCK_SCRIPT = """<script>(function(){
var el=document.querySelector('marimo-wasm');if(!el)return;
var lock=new URL(el.dataset.pyodideLockfileUrl,document.baseURI).href,base=new URL('./',lock).href;
try{var x=new XMLHttpRequest();x.open('GET',lock,false);x.send();
if(x.status===200){el.dataset.pyodideLockfileUrl=URL.createObjectURL(new Blob(
[x.responseText.split('%s').join(base)],{type:'application/json'}));}}catch(e){}
})();</script>""" % R.SITE_PLACEHOLDER


def _static_dir() -> Path:
    import marimo

    return Path(marimo.__file__).parent / "_static"


def copy_frontend(out: Path) -> int:
    """marimo's frontend (once for all pages), with the MathJax CDN URL stubbed."""
    src = _static_dir()
    patched = 0
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if path.is_dir() or rel.name in ("index.html", "CLAUDE.md"):
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        if path.suffix == ".js" and MATHJAX_CDN in data:
            data = data.replace(MATHJAX_CDN, MATHJAX_STUB)
            patched += 1
        target.write_bytes(data)
    return patched


def page_html(notebook: Path, up: str, *, offline: bool) -> str:
    """One notebook as an html-wasm page whose links go `up` to the site's root."""
    from marimo._export.file import export_wasm
    from marimo._export.requests import WASMFileExportRequest
    from marimo._schemas.export_options import WASMExportOptions, WASMRuntimeConfig
    from marimo._utils.marimo_path import MarimoPath

    index = f"{up}pyodide/" if offline else R.PYODIDE_CDN.format(version=R.pyodide_version())
    runtime = WASMRuntimeConfig(pyodide_index_url=index, pyodide_lockfile_url=f"{up}pyodide/pyodide-lock.json")
    req = WASMFileExportRequest(path=MarimoPath(str(notebook)),
                                options=WASMExportOptions(mode="run", show_code=False, runtime=runtime))
    # marimo's exporter is a coroutine; run it on a thread of its own so a build also
    # works where an event loop is already running (a notebook, Playwright's sync API)
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(asyncio.run, export_wasm(req)).result()
    if result.did_error:
        raise R.SiteBuildError(f"marimo could not export {notebook.name}")
    html = result.contents if isinstance(result.contents, str) else result.contents.decode("utf-8")
    html = _LOCAL_ATTR.sub(lambda m: f'{m.group(1)}="{up}', html)
    if not offline:
        html = html.replace("<head>", "<head>" + ONLINE_LOCK_SCRIPT.replace("\n", ""), 1)
    return html


GALLERY_SCRIPT = """<div id='mls-storage' class='mls-banner mls-warn' role='alert' hidden>
<strong>▲ Browser storage</strong>
<span></span></div><p class='mls-meta'><a href='ledger/'>Your ledger</a>: what is saved in this browser; export it to a
file, import one.</p>
<script>(function(){
var box=document.getElementById('mls-storage');
function warn(m){box.hidden=false;box.querySelector('span').textContent=' '+m;}
var NO=%(unavailable)s;
if(location.protocol==='file:'){warn('These labs run from a web server, not from a file: serve this folder with any '+
'static server (for example: mlsyslabs site serve FOLDER) and open the address it prints.');return;}
if(!self.indexedDB){warn(NO);return;}
if(navigator.storage&&navigator.storage.persist){navigator.storage.persist().catch(function(){});}
var req;try{req=indexedDB.open('%(db)s',21);}catch(e){warn(NO);return;}
req.onupgradeneeded=function(e){var db=e.target.result;if(!db.objectStoreNames.contains('%(store)s')){
db.createObjectStore('%(store)s').createIndex('timestamp','timestamp',{unique:false});}};
req.onerror=function(e){warn(NO);if(e&&e.preventDefault)e.preventDefault();};
req.onsuccess=function(){var db=req.result;try{var g=db.transaction(['%(store)s'],'readonly').objectStore('%(store)s')
.get('%(key)s');g.onsuccess=function(){var r=g.result;db.close();if(!r||!r.contents)return;var doc;
try{doc=JSON.parse(new TextDecoder().decode(r.contents));}catch(e){return;}
Object.keys(doc.labs||{}).forEach(function(id){var v=doc.labs[id];if(!v||!v.length)return;var rec=v[v.length-1];
var row=document.querySelector('[data-lab="'+id+'"] .mls-meta');if(!row)return;var p=rec.predictions||[];
var ok=p.filter(function(x){return x.correct;}).length;
row.textContent=row.textContent.replace('not started',
p.length?('✔ visited: '+ok+'/'+p.length+' predictions right'):'✔ visited');});};}
catch(e){db.close();}};
})();</script>"""


def gallery(labs) -> str:
    from ..ledger.browser_store import BROWSER_HOME, MOUNT, STORE, UNAVAILABLE
    from ..ui.gallery import gallery_html

    html = gallery_html(labs, {}, None, name_form=False)  # no server to answer it
    script = GALLERY_SCRIPT % {"unavailable": json.dumps(UNAVAILABLE), "db": MOUNT, "store": STORE,
                               "key": f"{BROWSER_HOME}/ledger.json"}
    html = html.replace("<main>", script + "<main>", 1)
    return html.replace("<head>", "<head><link rel='icon' href='favicon.ico'>", 1)


def _prepare(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise R.SiteBuildError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / SITE_MARKER).exists():
            raise R.SiteBuildError(f"{out} is not empty and holds no earlier site: choose an empty or new folder")
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / SITE_MARKER).write_text("built by mlsyslabs site build; the next build replaces this folder\n")
    (out / ".nojekyll").touch()  # GitHub Pages: serve folders starting with _ or . as they are


def folder_size(out: Path) -> tuple[int, int]:
    files = [p for p in out.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def build(out, *, offline: bool = False, cache=None, lab_ids=None, log=print) -> dict:
    """Build the site into `out` (an empty folder or an earlier site); returns the manifest."""
    from ..labs.catalog import LABS, get_lab

    t0 = time.perf_counter()
    out = Path(out)
    cache = Path(cache) if cache else Path(".cache/site")
    labs = [get_lab(i) for i in lab_ids] if lab_ids else [lab for lab in LABS if lab.ready]
    missing = [lab.id for lab in labs if not lab.ready]
    if missing:
        raise R.SiteBuildError(f"not ready, so not in a site: {', '.join(missing)}")
    rt = R.resolve(cache, log=log)
    _prepare(out)
    pyo = out / "pyodide"
    pyo.mkdir()
    if offline:
        for name in R.RUNTIME_FILES:
            shutil.copyfile(rt.pyodide_dir / name, pyo / name)
    for w in rt.wheels.values():
        if offline or w.url is None:
            shutil.copyfile(w.path, pyo / w.filename)
    lock = R.lock_file(rt, offline=offline)
    (pyo / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    patched = copy_frontend(out)
    log(f"frontend copied ({patched} asset(s) kept off the MathJax CDN)")
    for lab in labs:
        target = out / "labs" / lab.id / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page_html(lab.path, "../../", offline=offline), encoding="utf-8")
        log(f"{lab.id} {lab.title}")
    ledger_page = out / "ledger" / "index.html"
    ledger_page.parent.mkdir(parents=True)
    ledger_page.write_text(page_html(Path(__file__).with_name("ledger_notebook.py"), "../", offline=offline),
                           encoding="utf-8")
    (out / "index.html").write_text(gallery([lab for lab in LABS if lab.volume in (1, 2)] if not lab_ids else labs),
                                    encoding="utf-8")
    n, size = folder_size(out)
    manifest = {"labs": [lab.id for lab in labs], "offline": offline, "pyodide": rt.version,
                "marimo": R.marimo_version(), "packages": {w.name: w.version for w in rt.wheels.values()},
                "files": n + 1, "bytes": size, "build_s": round(time.perf_counter() - t0, 1)}
    (out / "site.json").write_text(json.dumps(manifest, indent=1))
    log(f"site: {n + 1} files, {size / 1e6:.1f} MB in {out} ({'offline' if offline else 'online'})")
    return manifest
