"""Lab latency in a real browser, beside a trivial marimo app on the same machine:
page load until the first prediction can be committed, and, with every prediction
committed, the first slider's key press until the page stops changing (a MutationObserver
outside the slider; the trivial app is measured the same way right before each lab).
Medians; one JSON line per lab.
Targets: load < 3 s; slider < 200 ms and within 1.5x of the trivial app.
Run: python benchmarks/lab_latency.py [runs] [--lab v1.16 ...]  (needs Debian's chromium)"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
COMMIT = "Commit my prediction (final)"
TRIVIAL = '''import marimo
app = marimo.App()


@app.cell
def _():
    import marimo as mo
    x = mo.ui.slider(1, 100, value=1, label="x")
    return mo, x


@app.cell
def _(mo, x):
    mo.vstack([x, mo.Html(f"<div class='mls-card'><div class='mls-value'>{x.value * 2}</div></div>")])
    return
'''


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(cmd: list[str], url: str, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{url} did not come up")


# Records the time of the last change to the page outside the slider being moved.
_WATCH = """(slider) => {
  window.__mlsLast = 0;
  if (window.__mlsObs) window.__mlsObs.disconnect();
  window.__mlsObs = new MutationObserver(ms => {
    for (const m of ms) if (!slider.contains(m.target)) window.__mlsLast = performance.now();
  });
  window.__mlsObs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
_QUIET_MS = 400  # the update is over when nothing else changes for this long


def _slider_ms(page, runs: int, nth: int = 0) -> tuple[float, str]:
    """Median time from a key press on a slider to the last change of the page it causes
    (a MutationObserver outside the slider; the same measure for every app)."""
    slider = page.get_by_role("slider").nth(nth)
    slider.wait_for(timeout=60_000)
    name = slider.get_attribute("aria-label") or slider.evaluate("e => e.closest('[id]')?.id || ''")
    times = []
    for i in range(runs):
        slider.evaluate(_WATCH)
        slider.focus()
        t0 = page.evaluate("performance.now()")
        slider.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        deadline = time.perf_counter() + 30
        while True:
            last, now = page.evaluate("[window.__mlsLast, performance.now()]")
            if last > t0 and now - last > _QUIET_MS:
                break
            if time.perf_counter() > deadline:
                raise TimeoutError("the output did not update within 30 s")
            time.sleep(0.02)
        times.append(last - t0)
    return round(statistics.median(times), 1), name


def _commit_all(page) -> int:
    """Commit every prediction with its first option (numeric ones at their default)."""
    done = 0
    for _ in range(12):
        buttons = page.get_by_role("button", name=COMMIT)
        if buttons.count() == 0:
            break
        form = page.locator("form").filter(has=buttons.first).first
        radios = form.get_by_role("radio")
        if radios.count():
            radios.first.click()
        before = buttons.count()
        buttons.first.click()
        deadline = time.perf_counter() + 60
        while page.get_by_role("button", name=COMMIT).count() >= before and time.perf_counter() < deadline:
            time.sleep(0.1)
        done += 1
    return done


def main(runs: int = 10, only: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    env = dict(os.environ, MLSYSLABS_HOME=tempfile.mkdtemp())
    port, trivial_port = _port(), _port()
    trivial = Path(tempfile.mkdtemp()) / "trivial.py"
    trivial.write_text(TRIVIAL)
    base = f"http://127.0.0.1:{port}"
    procs = [_serve([sys.executable, "-m", "mlsyslabs.cli", "serve", "--port", str(port)], base + "/", env),
             _serve([sys.executable, "-m", "marimo", "run", str(trivial), "--port", str(trivial_port), "--headless"],
                    f"http://127.0.0.1:{trivial_port}/", env)]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)

            def trivial_ms() -> float:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{trivial_port}/")
                ms, _ = _slider_ms(page, runs)
                page.close()
                return ms

            from mlsyslabs.labs.catalog import ready_labs

            for lab in ready_labs():
                if only and lab.id not in only:
                    continue
                url = f"{base}/labs/{lab.id}/"
                loads = []
                for _ in range(max(3, runs // 3)):
                    page = browser.new_page()
                    t = time.perf_counter()
                    page.goto(url)
                    page.get_by_role("button", name=COMMIT).first.wait_for(timeout=60_000)
                    loads.append(time.perf_counter() - t)
                    page.close()
                row = {"lab": lab.id, "page_load_to_first_commit_s": round(statistics.median(loads), 3)}
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.goto(url)
                page.get_by_role("button", name=COMMIT).first.wait_for(timeout=60_000)
                row["predictions_committed"] = _commit_all(page)
                if page.get_by_role("slider").count():
                    # side by side: the trivial app measured right before, on the same machine
                    row["trivial_app_ms"] = trivial_ms()
                    row["slider_to_update_ms"], row["slider"] = _slider_ms(page, runs)
                    row["vs_trivial"] = round(row["slider_to_update_ms"] / row["trivial_app_ms"], 2)
                page.close()
                print(json.dumps(row), flush=True)
            browser.close()
    finally:
        for proc in procs:
            proc.terminate()


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="?", type=int, default=10)
    ap.add_argument("--lab", action="append", help="only these labs (repeatable)")
    a = ap.parse_args()
    main(a.runs, a.lab)
