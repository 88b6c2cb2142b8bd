"""Configuration: hrms.toml under HRMS_* variables, clear errors, and docs that list every setting."""
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("HRMS_BIN", str(ROOT / "build/release/bin/hrms"))


def run(args, env=None, cwd=None, **kw):
    e = {k: v for k, v in os.environ.items() if not k.startswith("HRMS_") or k in ("HRMS_BIN",)}
    e.update(env or {})
    return subprocess.run([BIN, *args], env=e, cwd=cwd, capture_output=True, text=True, timeout=60, **kw)


def test_every_setting_the_binary_reads_is_documented_in_operations_md():
    names = run(["config"]).stdout.split()
    assert "HRMS_LISTEN" in names and len(names) > 20
    doc = (ROOT / "docs/operations.md").read_text()
    documented = set(re.findall(r"`(HRMS_[A-Z0-9_]+)`", doc))
    missing = [n for n in names if n not in documented]
    assert not missing, f"settings missing from docs/operations.md: {missing}"


def test_unknown_toml_key_is_refused_naming_it(tmp_path):
    (tmp_path / "hrms.toml").write_text('listen = "127.0.0.1:0"\nlistne = "oops"\n')
    r = run(["--config", str(tmp_path / "hrms.toml"), "migrate"], env={"HRMS_DATA_DIR": str(tmp_path)})
    assert r.returncode != 0
    assert "listne" in r.stderr
    assert not (tmp_path / "hrms.db").exists(), "nothing may be created on a bad config"


def test_bad_value_is_refused_naming_the_setting(tmp_path):
    r = run(["migrate"], env={"HRMS_DATA_DIR": str(tmp_path), "HRMS_SESSION_TTL_S": "soon"})
    assert r.returncode != 0
    assert "session_ttl_s" in r.stderr
    assert not (tmp_path / "hrms.db").exists()


def test_a_movable_clock_is_refused_outside_dev_mode(tmp_path):
    r = run(["migrate"], env={"HRMS_DATA_DIR": str(tmp_path), "HRMS_TEST_CLOCK_FILE": str(tmp_path / "clock")})
    assert r.returncode != 0
    assert "test_clock_file" in r.stderr and "dev_mode" in r.stderr
    assert not (tmp_path / "hrms.db").exists()


def test_toml_is_read_from_the_working_directory_and_the_environment_wins(tmp_path):
    data_toml = tmp_path / "from_toml"
    data_env = tmp_path / "from_env"
    (tmp_path / "hrms.toml").write_text(f'data_dir = "{data_toml}"\nlog_level = "warn"\n')
    r = run(["migrate"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (data_toml / "hrms.db").exists()
    r = run(["migrate"], cwd=tmp_path, env={"HRMS_DATA_DIR": str(data_env)})
    assert r.returncode == 0, r.stderr
    assert (data_env / "hrms.db").exists()


def test_unknown_database_scheme_is_a_clear_error(tmp_path):
    r = run(["migrate"], env={"HRMS_DATABASE_URL": "mysql://x"})
    assert r.returncode != 0
    assert "sqlite://" in r.stderr and "postgresql://" in r.stderr


@pytest.mark.parametrize("env,setting", [
    ({"HRMS_EMAIL_FROM": "hr@localhost\r\nBcc: x@y.com"}, "email_from"),
    ({"HRMS_SMTP_STARTTLS": "sometimes"}, "smtp_starttls"),
    ({"HRMS_EMAIL_MAX_ATTEMPTS": "0"}, "email_max_attempts"),
    ({"HRMS_EMAIL_RATE_LIMITS": "smtp=10"}, "email_rate_limits"),
    ({"HRMS_EMAIL_DAILY_QUOTAS": "ses:0"}, "email_daily_quotas"),
])
def test_bad_email_settings_are_refused_naming_them(tmp_path, env, setting):
    r = run(["migrate"], env={"HRMS_DATA_DIR": str(tmp_path), **env})
    assert r.returncode != 0
    assert setting in r.stderr


@pytest.mark.parametrize("env,words", [
    ({"HRMS_EMAIL_PROVIDERS": "file,pigeon"}, ["HRMS_EMAIL_PROVIDERS", "pigeon"]),
    ({"HRMS_EMAIL_PROVIDERS": "smtp"}, ["HRMS_SMTP_URL"]),
    ({"HRMS_EMAIL_PROVIDERS": "smtp", "HRMS_SMTP_URL": "http://mail.example.com"}, ["HRMS_SMTP_URL", "smtp://"]),
])
def test_a_bad_provider_list_stops_the_server_with_a_clear_message(tmp_path, env, words):
    r = run(["serve"], env={"HRMS_DATA_DIR": str(tmp_path), "HRMS_LISTEN": "127.0.0.1:0", **env})
    assert r.returncode != 0
    assert all(w in r.stderr for w in words), r.stderr
