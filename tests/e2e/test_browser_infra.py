"""The browser plumbing: two isolated contexts on one served app, across a server restart."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.app_server import AppServer
from tests.support.browser import BrowserSession

PID_APP = """
import os

import streamlit as st

st.title("infra check")
st.write(f"server pid {os.getpid()}")
if st.button("count"):
    st.session_state["clicks"] = st.session_state.get("clicks", 0) + 1
st.write(f"clicks {st.session_state.get('clicks', 0)}")
"""


def test_two_contexts_see_the_app_and_reconnect_after_a_restart(
    browser: BrowserSession, tmp_path: Path
) -> None:
    """Each context keeps its own session; an open page goes on with a restarted server."""
    script = tmp_path / "pid_app.py"
    script.write_text(PID_APP)
    with AppServer(db_url=f"sqlite:///{tmp_path / 'game.db'}", script=script) as server:
        seoul = browser.new_page(server.url)
        tokyo = browser.new_page(server.url)
        first_pid = server.process.pid
        for page in (seoul, tokyo):
            page.get_by_text(f"server pid {first_pid}").wait_for()

        seoul.get_by_role("button", name="count").click()
        seoul.get_by_text("clicks 1").wait_for()
        tokyo.get_by_text("clicks 0").wait_for()  # separate contexts, separate sessions

        server.restart()
        second_pid = server.process.pid
        assert second_pid != first_pid
        # An open page reconnects by itself but shows its old content until the next
        # interaction, which runs on the new server in a new session (memory is gone: what must
        # survive a restart has to live in the database).
        for page in (seoul, tokyo):
            page.get_by_role("button", name="count").click()
            page.get_by_text(re.compile(rf"server pid {second_pid}\b")).wait_for()
            page.get_by_text("clicks 1").wait_for()
