"""Lab latency in a real browser: page load to interactive, and slider change to
updated output (medians of 10). Prints one JSON line. Targets: < 3 s, < 200 ms.
Run: python benchmarks/lab_latency.py  (needs Debian's chromium)"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


def main(runs: int = 10) -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, MLSYSLABS_HOME=tempfile.mkdtemp())
    proc = subprocess.Popen([sys.executable, "-m", "mlsyslabs.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/labs/v1.00/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        loads, slides = [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            for _ in range(runs):
                page = browser.new_page()
                t = time.perf_counter()
                page.goto(url)
                page.get_by_text("about 300,000x").wait_for(timeout=60_000)
                loads.append(time.perf_counter() - t)
                page.close()
            page = browser.new_page()
            page.goto(url)
            page.get_by_text("about 300,000x").click()
            page.get_by_text("Does not fit").click()
            slider = page.get_by_role("slider").first
            slider.wait_for(timeout=60_000)
            card = page.locator(".mls-card", has_text="total footprint").locator(".mls-value")
            for _ in range(runs):
                before = card.inner_text()
                slider.focus()
                t = time.perf_counter()
                slider.press("ArrowRight")
                page.wait_for_function("([el, old]) => el.innerText !== old", arg=[card.element_handle(), before],
                                       polling="raf", timeout=30_000)
                slides.append(time.perf_counter() - t)
            browser.close()
    finally:
        proc.terminate()
    print(json.dumps({"lab": "v1.00", "runs": runs, "page_load_to_interactive_s": round(statistics.median(loads), 3),
                      "slider_to_update_ms": round(statistics.median(slides) * 1000, 1),
                      "targets": {"page_load_to_interactive_s": 3.0, "slider_to_update_ms": 200}}))


if __name__ == "__main__":
    main()
