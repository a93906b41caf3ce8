"""A page on a second local origin (another 127.0.0.1 port) tries to drive the labs
from a real Chromium: read a lab page, call the kernel API, open the lab websocket.
Every attempt must fail; the same calls from the labs' own origin succeed."""
import functools
import http.server
import threading

import pytest

from .conftest import free_port

pytestmark = pytest.mark.browser
ATTACK_JS = """
async ([target, callKernel]) => {
  const out = {};
  try { const r = await fetch(target + "/labs/v1.00/"); out.read_page = "read " + r.status; }
  catch (e) { out.read_page = "blocked"; }
  if (callKernel) try {
    const r = await fetch(target + "/labs/v1.00/api/kernel/instantiate",
                          {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
    out.kernel_api = "read " + r.status;
  } catch (e) { out.kernel_api = "blocked"; }
  out.websocket = await new Promise((resolve) => {
    const ws = new WebSocket(target.replace("http", "ws") + "/labs/v1.00/ws?session_id=s_attack");
    ws.onopen = () => { resolve("open"); ws.close(); };
    ws.onerror = () => resolve("error");
    ws.onclose = () => resolve("closed");
  });
  return out;
}
"""


@pytest.fixture
def evil_site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>another local site</title><p>hello</p>")
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def chromium_page(browser):
    page = browser.new_page()
    yield page
    page.close()


def test_a_page_on_another_origin_cannot_drive_the_labs(labs_server, evil_site, chromium_page):
    page = chromium_page
    page.goto(evil_site + "/index.html")
    assert page.title() == "another local site"
    result = page.evaluate(ATTACK_JS, [labs_server["url"], True])
    assert result == {"read_page": "blocked", "kernel_api": "blocked", "websocket": "error"}, result

    # control: the very same script from the labs' own origin is allowed
    page.goto(labs_server["url"] + "/")
    own = page.evaluate(ATTACK_JS, [labs_server["url"], False])
    assert own["read_page"] == "read 200" and own["websocket"] == "open", own


def test_the_printed_token_url_opens_a_working_lab(token_server, chromium_page):
    page = chromium_page
    resp = page.goto(token_server["url"] + "/labs/v1.00/")
    assert resp.status == 403  # without the token
    page.goto(token_server["printed"].replace("/?token=", "/labs/v1.00/?token="))
    assert "token=" not in page.url  # the token moved into a cookie
    page.wait_for_selector(".mls-header", timeout=90_000)  # cells ran: the websocket carried the cookie
    assert page.evaluate("document.cookie") == ""  # HttpOnly: page scripts cannot read it
