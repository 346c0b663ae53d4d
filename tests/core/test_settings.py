"""Settings come from the environment; a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cybercap.conf import Env, ImproperlyConfiguredError

CYBERCAP = str(Path(sys.executable).with_name("cybercap"))
PRODUCTION = {
    "CYBERCAP_SECRET_KEY": "k7#Qz!v9Lr2@xWp4$Tn8^Hc6&Jm1*Bf5(Ds3)Gy0-Ea+Uk=Vo_Ni~Pl|Rw;Sq:Xt",
    "CYBERCAP_ALLOWED_HOSTS": "cybercap.example.org",
    "CYBERCAP_DEBUG": "0",
}


def run(
    *args: str, env: dict[str, str] | None = None, tmp: Path
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CYBERCAP_", "DATABASE_URL", "DJANGO_"))
    }
    clean.update({"CYBERCAP_VAR_DIR": str(tmp), **(env or {})})
    return subprocess.run(
        [CYBERCAP, *args], env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def test_env_reads_booleans_strictly() -> None:
    env = Env({"A": "yes", "B": "0", "C": "maybe"})
    assert env.bool("A") is True
    assert env.bool("B") is False
    assert env.bool("MISSING", True) is True
    with pytest.raises(ImproperlyConfiguredError) as caught:
        env.bool("C")
    assert str(caught.value) == (
        "C='maybe' is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def test_env_reads_numbers_lists_and_choices() -> None:
    env = Env({"N": "12", "BAD": "twelve", "LOW": "0", "L": "a, b,,c", "CH": "x"})
    assert env.int("N", 1) == 12
    assert env.list("L") == ["a", "b", "c"]
    with pytest.raises(ImproperlyConfiguredError, match=r"^BAD='twelve' is not a whole number\.$"):
        env.int("BAD", 1)
    with pytest.raises(ImproperlyConfiguredError, match=r"^LOW=0 is below the minimum of 1\.$"):
        env.int("LOW", 5, minimum=1)
    with pytest.raises(ImproperlyConfiguredError, match=r"^CH='x' is not one of: a, b\.$"):
        env.choice("CH", ("a", "b"), "a")


def test_env_reads_secrets_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    assert Env({"KEY_FILE": str(secret)}).str("KEY") == "s3cr3t"
    with pytest.raises(ImproperlyConfiguredError, match="KEY and KEY_FILE are both set"):
        Env({"KEY_FILE": str(secret), "KEY": "x"}).str("KEY")
    with pytest.raises(ImproperlyConfiguredError, match="KEY_FILE='/nonexistent' cannot be read"):
        Env({"KEY_FILE": "/nonexistent"}).str("KEY")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CYBERCAP_DEBUG", "maybe", "CYBERCAP_DEBUG='maybe' is not a boolean"),
        ("CYBERCAP_EMAIL_PORT", "smtp", "CYBERCAP_EMAIL_PORT='smtp' is not a whole number."),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must point at PostgreSQL"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must start with redis://"),
        ("CYBERCAP_TIME_ZONE", "Mars/Olympus", "CYBERCAP_TIME_ZONE='Mars/Olympus' is not a known"),
    ],
)
def test_a_bad_variable_stops_start_up_naming_it(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = run("check", env={variable: value}, tmp=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"cybercap: configuration error: {message}")
    assert list(tmp_path.iterdir()) == []  # nothing was created


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = run("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_unsafe_settings(tmp_path: Path) -> None:
    result = run("check", "--deploy", env={"CYBERCAP_DEBUG": "1"}, tmp=tmp_path)
    assert result.returncode == 1
    assert "cybercap.E001) CYBERCAP_DEBUG is on" in result.stderr
    assert "CYBERCAP_SECRET_KEY is missing or the development default" in result.stderr


def test_serve_refuses_unsafe_settings_saying_which(tmp_path: Path) -> None:
    result = run("serve", env={"CYBERCAP_DEBUG": "1", "CYBERCAP_ALLOWED_HOSTS": ""}, tmp=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "cybercap serve refuses to start with unsafe settings:",
        "  - CYBERCAP_DEBUG is on: turn it off in production.",
        "  - CYBERCAP_SECRET_KEY is missing or the development default: set a long random value.",
        "  - CYBERCAP_ALLOWED_HOSTS is empty: list the host names the site answers to.",
    ]


def test_serve_runs_gunicorn_with_safe_settings(tmp_path: Path) -> None:
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CYBERCAP_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(PRODUCTION)
    env.update(
        {
            "CYBERCAP_VAR_DIR": str(tmp_path),
            "CYBERCAP_HTTPS": "0",
            "CYBERCAP_ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    server = subprocess.Popen(
        [CYBERCAP, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body == '{"status": "ok"}'
    finally:
        server.terminate()
        server.wait(timeout=20)
