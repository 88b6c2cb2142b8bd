"""The web client (web/src/api/client.ts, typed from docs/openapi.yaml) against the real server:
runs `npm run test:live` in web/ with a dedicated server's URL and the admin's credentials."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, REPO

WEB = REPO / "web"
TIMEOUT_S = 300


def test_web_client_against_live_server(start_server):
    if not (WEB / "node_modules").is_dir():
        pytest.fail(f"{WEB}/node_modules is missing: run `npm ci` in web/ first "
                    "(scripts/test does that)", pytrace=False)
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH (Node.js 20+ is needed for the web client tests)", pytrace=False)

    server = start_server()
    env = {
        **os.environ,
        "HRMS_TEST_URL": server.url,
        "HRMS_TEST_ADMIN_EMAIL": ADMIN_EMAIL,
        "HRMS_TEST_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CI": "true",  # vitest: no watch mode, plain output
        "NO_COLOR": "1",
    }
    r = subprocess.run([npm, "run", "--silent", "test:live"], cwd=WEB, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert r.returncode == 0, (f"npm run test:live exited {r.returncode}\n"
                               f"--- stdout ---\n{r.stdout[-8000:]}\n--- stderr ---\n{r.stderr[-4000:]}")
    # Every test ran and passed: vitest's summary line is "Tests  N passed (N)" then.
    summary = re.search(r"Tests\s+(\d+) passed \((\d+)\)", r.stdout)
    assert summary and summary.group(1) == summary.group(2), r.stdout[-4000:]
