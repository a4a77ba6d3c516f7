"""End to end in real headless Chromium: `tutor ui`, a learner signs in, answers, sees the grade
and their progress charts; a second learner in another browser session sees none of it.

The screenshot goes to tmp_path; `make docs` sets TUTOR_SCREENSHOT to have it copied to
docs/interview.png (a test run never writes into the working tree).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_http

CHROMIUM = Path("/usr/bin/chromium")
# read at import: the autouse fixture in conftest.py clears TUTOR_* variables before each test
SCREENSHOT_COPY = os.environ.get("TUTOR_SCREENSHOT")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FALLBACK_ANSWER = ("It learns patterns from its training data and uses them to produce new "
                   "content that resembles that data.")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian chromium at /usr/bin/chromium: "
                              "run scripts/install_browser.sh"),
]


@pytest.fixture
def ui_server(indexed_settings, tmp_path):
    """`tutor ui` on a free local port over the session's index; always stopped afterwards."""
    port = free_port()
    env = {**os.environ, "TUTOR_DATA_DIR": str(indexed_settings.data_dir),
           "TUTOR_DB_PATH": str(tmp_path / "tutor.db"), "HF_HUB_OFFLINE": "1"}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "tutor.cli", "ui", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        if not wait_http(f"http://127.0.0.1:{port}/_stcore/health", timeout=90):
            pytest.fail(f"tutor ui did not come up:\n{(tmp_path / 'server.log').read_text()}")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # its own group: nothing it started survives
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def partial_answer(kb, question: str) -> str:
    """A third of the guide's key points in its own words: a realistic, partial answer."""
    card = next((c for c in kb.cards if " ".join(c.question.split()) == question), None)
    points = card.key_points[: max(1, len(card.key_points) // 3)] if card else []
    return " ".join(" ".join(p.text.split()) for p in points) or FALLBACK_ANSWER


def sign_in(browser, url: str, name: str):
    """A new browser session (its own cookies and tabs) that answers the name prompt."""
    page = browser.new_context(viewport={"width": 1280, "height": 1600}).new_page()
    page.goto(url)
    page.get_by_text("Who is practising?").wait_for(timeout=120_000)
    page.get_by_label("Your name").or_(page.get_by_label("Or a new learner")).fill(name)
    page.get_by_role("button", name="Start practising").click()
    page.get_by_test_id("stSidebar").get_by_text(name).wait_for(timeout=60_000)
    return page


def open_progress(page):
    page.get_by_test_id("stSidebar").get_by_role("link", name="Progress").click()
    page.get_by_text("Your progress").wait_for(timeout=60_000)


def test_interview_in_a_real_browser(ui_server, kb, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = sign_in(browser, ui_server, "alice")
            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_role("button", name="Start interview").click(timeout=120_000)
            page.get_by_text("Question 1/5").wait_for(timeout=60_000)
            asked = page.get_by_test_id("stChatMessage").first.get_by_test_id("stMarkdown")
            answer = partial_answer(kb, " ".join(asked.nth(1).inner_text().split()))

            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(answer)
            box.press("Enter")
            card = page.get_by_test_id("stProgress")
            card.wait_for(timeout=60_000)
            page.get_by_text("To work on").or_(page.get_by_text("Covered")).first.wait_for()
            assert page.get_by_text(answer[:40]).count() >= 1
            assert page.get_by_text("Traceback").count() == 0

            # open the first missed point (when the answer missed any): its verbatim guide
            # passage goes in the screenshot
            expanders = page.get_by_test_id("stExpander")
            if expanders.count():
                expanders.first.locator("summary").click()
                page.wait_for_timeout(500)
            shot = tmp_path / "interview.png"
            page.screenshot(path=str(shot), full_page=True)

            # alice's progress: the charts are drawn (Vega renders each into a canvas or svg)
            open_progress(page)
            page.get_by_text("Score per interview").wait_for(timeout=60_000)
            page.locator("[data-testid='stVegaLiteChart'] canvas, "
                         "[data-testid='stVegaLiteChart'] svg").first.wait_for(timeout=60_000)
            assert page.get_by_test_id("stVegaLiteChart").count() == 3
            page.wait_for_timeout(1000)
            page.screenshot(path=str(tmp_path / "progress.png"), full_page=True)

            # bob, in another browser session on the same server, sees none of it
            other = sign_in(browser, ui_server, "bob")
            open_progress(other)
            other.get_by_text("No interviews yet").wait_for(timeout=60_000)
            assert other.get_by_text(answer[:40]).count() == 0
            assert other.get_by_test_id("stVegaLiteChart").count() == 0
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    if SCREENSHOT_COPY:
        target = Path(SCREENSHOT_COPY)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
