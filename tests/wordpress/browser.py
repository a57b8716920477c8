"""The Closte console in a real browser: Debian's Chromium, driven by Playwright, against
the network served by nginx and php-fpm on loopback (nginx is given to Chromium as its
HTTP proxy, so pages are asked for as http://example.test/ and WordPress sees its own
host). Run by tests/wordpress/browser.php, which set up the world and checks what this
prints: one JSON object per line, {"step": ..., ...observations}.

usage: browser.py PROXY_PORT EMULATOR_URL SCREENSHOT_PATH
"""

import json
import os
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

PROXY_PORT, EMULATOR, SHOT = sys.argv[1], sys.argv[2], sys.argv[3]
BASE = "http://example.test"
CONSOLE = BASE + "/wp-admin/network/admin.php?page=closte-native"
KEY = os.environ["CLOSTE_WP_KEY"]


def say(step, **obs):
    print(json.dumps({"step": step, **obs}), flush=True)


def requests_seen():
    with urllib.request.urlopen(EMULATOR + "/__emulator/requests", timeout=10) as r:
        return json.load(r)["requests"]


def closte(endpoint, domain):
    """A change made on Closte's side, as Closte's own dashboard would."""
    data = f"apikey={KEY}&domain={domain}&wildcard=0".encode()
    urllib.request.urlopen(EMULATOR + "/api/client/" + endpoint, data=data, timeout=10).read()


def fault(spec):
    """Queues a fault on the emulator (what Closte answers next)."""
    req = urllib.request.Request(EMULATOR + "/__emulator/faults", data=json.dumps(spec).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert json.load(r).get("ok"), "fault refused"


def submit(page, selector):
    """Clicks a submit button and waits for the page it leads to (after any redirect)."""
    with page.expect_navigation():
        page.click(selector)


def login(page, user, password):
    page.goto(BASE + "/wp-login.php")
    page.fill("#user_login", user)
    page.fill("#user_pass", password)
    submit(page, "#wp-submit")


def rows(page):
    """Every table row: its domain and each cell's visible text."""
    out = {}
    for tr in page.query_selector_all("table.wp-list-table tbody tr[data-domain]"):
        cells = {}
        for td in tr.query_selector_all("td, th"):
            cls = [c for c in (td.get_attribute("class") or "").split() if c.startswith("column-")]
            if cls:
                text = td.inner_text().replace("Retry", "").strip()
                cells[cls[0][len("column-"):]] = text
        out[tr.get_attribute("data-domain")] = cells
    return out


def notice(page):
    el = page.query_selector(".closte-native-result")
    return el.inner_text().strip() if el else None


with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox"],
        proxy={"server": f"http://127.0.0.1:{PROXY_PORT}"},
    )
    admin = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = admin.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, "admin", "password")
    say("login", url=page.url)

    page.goto(CONSOLE)
    say("first visit", status=page.title(), checked=page.inner_text(".closte-native-checked"),
        menu=page.is_visible("#adminmenu a[href$='page=closte-native']"))

    before = len(requests_seen())
    submit(page, "form.closte-native-refresh button")
    say("refresh", notice=notice(page), rows=rows(page), checked=page.inner_text(".closte-native-checked"),
        unclaimed=[li.inner_text() for li in page.query_selector_all("ul.closte-native-unclaimed li")],
        alerts=[li.inner_text() for li in page.query_selector_all("ul.closte-native-alerts li")],
        notice_alerts=" ".join(n.inner_text() for n in page.query_selector_all(".notice-error")),
        sent=[r["path"] for r in requests_seen()[before:]], title=page.title(), dialogs=dialogs)
    page.screenshot(path=SHOT, full_page=True)

    before = len(requests_seen())
    submit(page, "form.closte-native-sync button")
    seen = requests_seen()[before:]
    say("sync", notice=notice(page), rows=rows(page),
        added=[r["form"]["domain"] for r in seen if r["path"] == "/adddomainalias"],
        removed=[r["form"]["domain"] for r in seen if r["path"] == "/deletedomainalias"])

    # Removing unclaimed aliases without ticking the confirmation changes nothing.
    before = len(requests_seen())
    submit(page, "form.closte-native-remove-unclaimed button")
    say("remove unconfirmed", notice=notice(page), sent=[r["path"] for r in requests_seen()[before:]])

    # Removing them, confirmed: only the alias no record claims goes. The record stored as
    # bücher.example claims xn--bcher-kva.example and its www. twin, so they stay.
    before = len(requests_seen())
    page.check("form.closte-native-remove-unclaimed input[name=confirm]")
    submit(page, "form.closte-native-remove-unclaimed button")
    seen = requests_seen()[before:]
    say("remove confirmed", notice=notice(page), rows=rows(page),
        removed=[r["form"]["domain"] for r in seen if r["path"] == "/deletedomainalias"],
        unclaimed_none=page.is_visible(".closte-native-unclaimed-none"))

    # An alias lost on Closte's side: Refresh shows it missing, its Retry re-sends it.
    closte("deletedomainalias", "valid.example.test")
    submit(page, "form.closte-native-refresh button")
    missing = rows(page).get("valid.example.test", {}).get("closte")
    before = len(requests_seen())
    submit(page, "tr[data-domain='valid.example.test'] form.closte-native-retry button")
    seen = requests_seen()[before:]
    say("retry", missing=missing, notice=notice(page), rows=rows(page),
        added=[r["form"]["domain"] for r in seen if r["path"] == "/adddomainalias"])

    # Closte refuses the alias for good: Retry says refused and why, and the row stays missing.
    closte("deletedomainalias", "valid.example.test")
    fault({"path": "adddomainalias", "domain": "valid.example.test",
           "status": 403, "json": {"success": False, "error": "Domain blocked by policy"}})
    submit(page, "form.closte-native-refresh button")
    submit(page, "tr[data-domain='valid.example.test'] form.closte-native-retry button")
    say("retry refused", notice=notice(page), notice_class=page.get_attribute(".closte-native-result", "class"),
        rows=rows(page))

    # An action by GET, with the page's own valid nonce: refused, nothing sent (a Sync
    # that ran would add the missing valid.example.test).
    nonce = page.get_attribute("form.closte-native-sync input[name=_wpnonce]", "value")
    before = len(requests_seen())
    response = page.goto(BASE + "/wp-admin/admin-post.php?action=closte_native_sync&_wpnonce=" + nonce)
    say("get", status=response.status, body=page.inner_text("body")[:300],
        sent=[r["path"] for r in requests_seen()[before:]])

    # Closte hangs: Refresh comes back within the console's own timeout, and the unclaimed
    # section says unknown instead of "None.".
    page.goto(CONSOLE)
    fault({"path": "getdomains", "delay_ms": 40000})
    started = time.monotonic()
    submit(page, "form.closte-native-refresh button")
    say("hanging", seconds=time.monotonic() - started, notice=notice(page),
        unclaimed=page.inner_text(".closte-native-unclaimed-unknown") if page.query_selector(".closte-native-unclaimed-unknown") else None,
        errors=[n.inner_text() for n in page.query_selector_all(".closte-native-error")])

    # A subscriber: no console, and a forged action is refused before anything is sent.
    sub = browser.new_context()
    spage = sub.new_page()
    login(spage, "subscriber", "subscriber-password")
    response = spage.goto(CONSOLE)
    # The action posted from a page the subscriber can open, as a forged form would be.
    spage.goto(BASE + "/wp-admin/profile.php")
    before = len(requests_seen())
    with spage.expect_navigation() as nav:
        spage.evaluate("""() => {
            const f = document.createElement('form');
            f.method = 'post';
            f.action = '/wp-admin/admin-post.php';
            for (const [k, v] of [['action', 'closte_native_sync'], ['_wpnonce', '0123456789']]) {
                const i = document.createElement('input');
                i.type = 'hidden'; i.name = k; i.value = v;
                f.appendChild(i);
            }
            document.body.appendChild(f);
            f.submit();
        }""")
    say("subscriber", console_status=response.status, post_status=nav.value.status,
        post_body=spage.inner_text("body")[:300], sent=[r["path"] for r in requests_seen()[before:]])
    browser.close()
