"""The Closte console in a real browser: Debian's Chromium, driven by Playwright, against
the network served by nginx and php-fpm on loopback (nginx is given to Chromium as its
HTTP proxy, so pages are asked for as http://example.test/ and WordPress sees its own
host). Run by tests/wordpress/browser.php, which set up the world and checks what this
prints: one JSON object per line, {"step": ..., ...observations}.

usage: browser.py PROXY_PORT EMULATOR_URL SCREENSHOT_PATH
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

PROXY_PORT, EMULATOR, SHOT = sys.argv[1], sys.argv[2], sys.argv[3]
BASE = "http://example.test"
CONSOLE = BASE + "/wp-admin/network/admin.php?page=closte-native"
KEY = os.environ["CLOSTE_WP_KEY"]
HOLD = os.environ["CLOSTE_TEST_RUNNER_HOLD"]
PHP = os.environ["CLOSTE_WP_PHP"].split()


AXE_DIR = os.path.expanduser("~/.cache/closte/axe-core")
AXE = os.path.join(AXE_DIR, "node_modules", "axe-core", "axe.min.js")


def axe_script():
    """axe-core's axe.min.js from npm (axe-core 4), installed into ~/.cache/closte/axe-core
    when missing; None (and why) when npm cannot install it: the check then fails."""
    if not os.path.exists(AXE):
        try:
            r = subprocess.run(["npm", "install", "--prefix", AXE_DIR, "--no-audit", "--no-fund", "--no-save", "axe-core@4"],
                               capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            return None, f"npm install axe-core: {e}"
        if r.returncode != 0 or not os.path.exists(AXE):
            return None, f"npm install axe-core failed ({r.returncode}): {(r.stderr or r.stdout)[-500:]}"
    with open(AXE, encoding="utf-8") as f:
        return f.read(), None


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


def clear_faults():
    """Drops any fault still queued on the emulator (one a step expected to be taken and was not)."""
    req = urllib.request.Request(EMULATOR + "/__emulator/faults", method="DELETE")
    urllib.request.urlopen(req, timeout=10).read()


def lab(*args):
    """A change made behind the admin's back, in the network's database (a run queued for
    longer, a domain mapped as Ultimate Multisite maps it, every record gone): browser.php
    in lab mode, a PHP process of its own with WordPress loaded. Returns what it printed."""
    r = subprocess.run(PHP + [os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser.php"), "lab", *args],
                       capture_output=True, text=True, timeout=300)
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"browser.php lab {' '.join(args)}: exit {r.returncode}: {(r.stdout + r.stderr)[-1000:]}")
    return json.loads(lines[-1])


def text(page, selector):
    """The visible text of the first element the selector finds, or None when there is none."""
    el = page.query_selector(selector)
    return el.inner_text().strip() if el else None


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
    """Every table row: its name and each cell's visible text (buttons and details left out)."""
    return page.evaluate("""() => {
        const out = {};
        for (const tr of document.querySelectorAll("table.wp-list-table tbody tr[data-name]")) {
            const cells = {};
            for (const td of tr.querySelectorAll("td, th")) {
                const col = [...td.classList].find(c => c.startsWith("column-") && c !== "column-primary");
                if (!col) continue;
                const copy = td.cloneNode(true);
                copy.querySelectorAll("button, details, .screen-reader-text, label, input").forEach(n => n.remove());
                copy.querySelectorAll("br").forEach(n => n.replaceWith(" "));
                cells[col.slice(7)] = copy.textContent.replace(/\\s+/g, " ").trim();
            }
            out[tr.dataset.name] = cells;
        }
        return out;
    }""")


class held:
    """The node's runner loop paused (CLOSTE_TEST_RUNNER_HOLD, see runner.php) for the block:
    what a page shows of a refresh still queued does not depend on the machine's speed."""

    def __enter__(self):
        open(HOLD, "w").close()

    def __exit__(self, *exc):
        os.unlink(HOLD)


def refresh(page, queued=None):
    """Presses Refresh (which only enqueues) and waits until the page, polling the progress
    endpoint, reloads itself with the finished run. Returns the progress texts seen: the
    first while the runner loop is held, so the page after the click shows the run queued.
    With `queued` (a dict), what else the page showed while the run was queued goes in it:
    the table's placeholder and the views' counts."""
    with held():
        submit(page, "form.closte-native-refresh button")
        seen = [page.inner_text("#closte-native-progress")]
        if queued is not None:
            queued.update(placeholder=text(page, "table.wp-list-table tbody tr.no-items"),
                          rows=sorted(rows(page).keys()), views=views(page))
    wait_done(page)
    seen.append(page.inner_text("#closte-native-progress"))
    return seen


def wait_done(page):
    """Waits for the page to show a finished run. A page rendered while the run was queued
    or running (it has the Reload link and polls) reloads itself when the run is done: this
    marks the document it sees, then waits for an unmarked one (the reload) that says done.
    A reload that began before the mark is found the same way; nothing is waited for when
    the page was rendered done."""
    try:
        polling = page.evaluate("""() => {
            window.__closteSeen = true;
            return document.querySelector(".closte-native-reload") !== null;
        }""")
    except Exception:  # the reload destroyed the document while the mark was set
        polling = True
    if polling:
        page.wait_for_function("""() => !window.__closteSeen && document.readyState === "complete"
            && document.getElementById("closte-native-progress")?.dataset.state === "done"
            && document.querySelector(".closte-native-reload") === null""", timeout=90000)


def views(page):
    """The views above the table: key (all, missing, ...) => its label with the count."""
    return {a.get_attribute("href").split("view=")[-1] if "view=" in a.get_attribute("href") else "all":
            a.inner_text() for a in page.query_selector_all("ul.subsubsub a")}


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
    # Every wait (a navigation, a selector) may take up to 90 s, not Playwright's 30: php-fpm
    # runs without opcache here, and the two nodes' runner loops share two cores with Chromium.
    admin.set_default_timeout(90000)
    page = admin.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, "admin", "password")
    say("login", url=page.url)

    page.goto(CONSOLE)
    say("first visit", status=page.title(), checked=page.inner_text(".closte-native-checked"),
        menu=page.is_visible("#adminmenu a[href$='page=closte-native']"))

    before = len(requests_seen())
    first_queued = {}
    progress = refresh(page, first_queued)
    say("refresh", progress=progress, queued=first_queued, noscript_reload=None, rows=rows(page), checked=page.inner_text(".closte-native-checked"),
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
    refresh(page)
    missing = rows(page).get("valid.example.test", {}).get("closte")
    before = len(requests_seen())
    submit(page, "tr[data-name='valid.example.test'] button[name=retry_one]")
    seen = requests_seen()[before:]
    say("retry", missing=missing, notice=notice(page), rows=rows(page),
        added=[r["form"]["domain"] for r in seen if r["path"] == "/adddomainalias"])

    # Closte refuses the alias for good: Retry says refused and why, and the row stays missing.
    closte("deletedomainalias", "valid.example.test")
    fault({"path": "adddomainalias", "domain": "valid.example.test",
           "status": 403, "json": {"success": False, "error": "Domain blocked by policy"}})
    refresh(page)
    submit(page, "tr[data-name='valid.example.test'] button[name=retry_one]")
    say("retry refused", notice=notice(page), notice_class=page.get_attribute(".closte-native-result", "class"),
        rows=rows(page))

    # An action by GET, with the page's own valid nonce: refused, nothing sent (a Sync
    # that ran would add the missing valid.example.test).
    nonce = page.get_attribute("form.closte-native-sync input[name=_wpnonce]", "value")
    before = len(requests_seen())
    response = page.goto(BASE + "/wp-admin/admin-post.php?action=closte_native_sync&_wpnonce=" + nonce)
    say("get", status=response.status, body=page.inner_text("body")[:300],
        sent=[r["path"] for r in requests_seen()[before:]])

    # Closte goes down right after a Retry's add: the add is taken, the list read that follows
    # it (the On Closte column) fails. What the page cannot know it says it does not know: each
    # row's On Closte is Unknown, and the unclaimed section says unknown, not "None.".
    page.goto(CONSOLE)
    with held():  # nothing of the runner's reads the list meanwhile (the fault is the Retry's)
        before = len(requests_seen())
        fault({"path": "getdomains", "status": 503})
        submit(page, "tr[data-name='valid.example.test'] button[name=retry_one]")
        seen = requests_seen()[before:]
        clear_faults()
        say("closte down", notice=notice(page), rows=rows(page),
            sent=[[r["path"], r.get("fault")] for r in seen],
            unclaimed_unknown=text(page, ".closte-native-unclaimed-unknown"),
            unclaimed_none=page.query_selector(".closte-native-unclaimed-none") is not None,
            unclaimed=[li.inner_text() for li in page.query_selector_all("ul.closte-native-unclaimed li")],
            errors=[n.inner_text() for n in page.query_selector_all(".closte-native-error")])

    # Closte hangs: Refresh comes back within the console's own timeout, and the unclaimed
    # section says unknown instead of "None.".
    page.goto(CONSOLE)
    fault({"path": "getdomains", "delay_ms": 40000})
    started = time.monotonic()
    submit(page, "form.closte-native-refresh button")
    click_seconds = time.monotonic() - started
    wait_done(page)
    say("hanging", seconds=time.monotonic() - started, click_seconds=click_seconds, notice=notice(page),
        unclaimed=page.inner_text(".closte-native-unclaimed-unknown") if page.query_selector(".closte-native-unclaimed-unknown") else None,
        errors=[n.inner_text() for n in page.query_selector_all(".closte-native-error")])

    # Without JavaScript, a running refresh offers a Reload link instead of updating itself.
    nojs = browser.new_context(java_script_enabled=False, viewport={"width": 1600, "height": 1000})
    nojs.set_default_timeout(90000)
    npage = nojs.new_page()
    login(npage, "admin", "password")
    npage.goto(CONSOLE)
    with held():
        submit(npage, "form.closte-native-refresh button")
        say("no javascript", state=npage.get_attribute("#closte-native-progress", "data-state"),
            reload=npage.get_attribute(".closte-native-reload a", "href") if npage.query_selector(".closte-native-reload a") else None)
    nojs.close()
    page.goto(CONSOLE)
    refresh(page)  # the admin's page finishes that run

    # No runner takes a refresh: the line says it is queued; once it waited longer than
    # Closte_Native_Refresh::QUEUED_HINT_AFTER (the run's queued time made older in the
    # database, not slept through) it says no runner took it and where a runner comes from;
    # when the runner comes (released), the page shows the finished run.
    page.goto(CONSOLE)
    with held():
        submit(page, "form.closte-native-refresh button")
        queued = page.inner_text("#closte-native-progress")
        aged = lab("age-queued")
        # The page polls the progress endpoint: its line changes by itself ...
        try:
            page.wait_for_function("""() => document.getElementById("closte-native-progress")?.textContent.includes("not started")""",
                                   timeout=30000)
        except PlaywrightTimeout:
            pass  # the line as it is, for the check to show
        polled = page.inner_text("#closte-native-progress")
        # ... and the page drawn now says the same.
        page.goto(CONSOLE)
        drawn = page.inner_text("#closte-native-progress")
        drawn_state = page.get_attribute("#closte-native-progress", "data-state")
    wait_done(page)
    say("no runner", queued=queued, aged=aged, polled=polled, drawn=drawn, drawn_state=drawn_state,
        after=page.inner_text("#closte-native-progress"), after_state=page.get_attribute("#closte-native-progress", "data-state"))

    # A view, a search, a bulk Retry, a CSV download.
    closte("adddomainalias", "valid.example.test")  # Closte took it back meanwhile
    closte("deletedomainalias", "hostile.example.test")
    closte("deletedomainalias", "expiring.example.test")
    refresh(page)
    counts = views(page)
    with page.expect_navigation():
        page.click("ul.subsubsub a[href*='view=missing']")
    missing_view = sorted(rows(page).keys())
    say("view", counts=counts, missing=missing_view, current=page.inner_text("ul.subsubsub a.current"))
    page.fill("#closte-native-search-search-input", "expir")
    with page.expect_navigation():
        page.click("#search-submit")
    say("search", rows=sorted(rows(page).keys()), url=page.url)
    with page.expect_download() as dl:
        page.click("form.closte-native-export button")
    path = dl.value.path()
    with open(path, encoding="utf-8") as f:
        csv_text = f.read()
    say("csv", filename=dl.value.suggested_filename, csv=csv_text)
    page.goto(CONSOLE + "&view=missing")
    for name in missing_view:
        page.check(f"tr[data-name='{name}'] input[name='names[]']")
    page.select_option("#closte-bulk-top", "retry")
    before = len(requests_seen())
    submit(page, "button[name=apply][value=top]")
    seen = requests_seen()[before:]
    back = dict(url=page.url, view_rows=sorted(rows(page).keys()), current=page.inner_text("ul.subsubsub a.current"),
                notice=notice(page), live=page.get_attribute(".closte-native-notices", "aria-live"))
    page.goto(CONSOLE)
    say("bulk retry", added=sorted(r["form"]["domain"] for r in seen if r["path"] == "/adddomainalias"), rows=rows(page), **back)
    labels = page.evaluate("""() => [...document.querySelectorAll('table.wp-list-table button')].map(b => b.textContent.replace(/\\s+/g, ' ').trim())""")
    say("accessible names", buttons=labels, caption=page.inner_text("table.wp-list-table caption") if page.query_selector("table.wp-list-table caption") else None)

    # axe-core on the console (rows, badges, notices, views, bulk actions): the violations
    # inside the console's own markup (div.wrap.closte-native), each with its nodes.
    # With an unclaimed alias listed, so the removal form (its red button) is on the page too.
    closte("adddomainalias", "stray.example.net")
    refresh(page)
    source, why = axe_script()
    if source is None:
        say("axe", error=why)
    else:
        page.goto(CONSOLE)
        removal_form = page.is_visible("form.closte-native-remove-unclaimed button")
        page.add_script_tag(content=source)
        result = page.evaluate("""async () => {
            const r = await axe.run(document.querySelector('div.wrap.closte-native'), {resultTypes: ['violations']});
            return {version: axe.version, passes: r.passes.length,
                    violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160))}))};
        }""")
        say("axe", removal_form=removal_form, **result)

    # A subscriber: no console, and a forged action is refused before anything is sent.
    sub = browser.new_context()
    sub.set_default_timeout(90000)
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
    progress_status = spage.goto(BASE + "/wp-admin/admin-ajax.php?action=closte_native_progress&_wpnonce=0123456789").status
    say("subscriber", console_status=response.status, post_status=nav.value.status, progress_status=progress_status,
        post_body=spage.inner_text("body")[:300], sent=[r["path"] for r in requests_seen()[before:]])
    sub.close()

    # A domain mapped since the last refresh (as Ultimate Multisite maps it: its alias sent to
    # Closte, its claim recorded): the table is the refresh's, and the page says which domain
    # it lacks and what to do; once a refresh read it, its row is there and the notice gone.
    page.goto(CONSOLE)
    wait_done(page)
    before = len(requests_seen())
    with held():  # the mapping's queued work is run by the lab, not half by the runner loop
        mapped = lab("map", "fresh.example.test")
    added = [r["form"]["domain"] for r in requests_seen()[before:] if r["path"] == "/adddomainalias"]
    page.goto(CONSOLE)
    stale = dict(notice=text(page, ".closte-native-stale"), rows=sorted(rows(page).keys()), state=page.get_attribute("#closte-native-progress", "data-state"))
    refresh(page)
    say("mapped since", mapped=mapped, added=added, stale=stale, notice_after=text(page, ".closte-native-stale"), rows_after=sorted(rows(page).keys()),
        fresh=rows(page).get("fresh.example.test"))

    # An empty network: every domain record gone (Closte still holds the aliases). After a
    # Refresh the table says it holds no name, the aliases are listed as unclaimed, and no
    # removal is offered (the action would refuse it): the page says why instead.
    lab("unmap-all")
    refresh(page)
    say("empty network", rows=sorted(rows(page).keys()), views=views(page),
        placeholder=text(page, "table.wp-list-table tbody tr.no-items"), checked=page.inner_text("#closte-native-progress"),
        unclaimed=sorted(li.inner_text() for li in page.query_selector_all("ul.closte-native-unclaimed li")),
        removal_form=page.query_selector("form.closte-native-remove-unclaimed") is not None,
        blocked=text(page, ".closte-native-removal-blocked"), stale=text(page, ".closte-native-stale"),
        alerts=[li.inner_text() for li in page.query_selector_all("ul.closte-native-alerts li")])
    browser.close()
