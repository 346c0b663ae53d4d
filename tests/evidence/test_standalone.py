"""The field CLI runs with no Django, no settings and no database (and no RDF library)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from cybercap.cli import main
status = main(['evidence', 'acquire', sys.argv[1], '--case', 'C', '--exhibit', 'E',
               '--examiner', 'X', '--output', sys.argv[2], '--quiet'])
assert status == 0, status
status = main(['evidence', 'verify', sys.argv[2], '--quiet'])
assert status == 0, status
status = main(['evidence', 'export-case', sys.argv[2], '--output', sys.argv[2] + '/case.jsonld'])
assert status == 0, status
loaded = sorted(
    m for m in sys.modules
    if m.split('.')[0] in {'django', 'rdflib', 'pyshacl', 'case_utils'}
)
assert not loaded, loaded
print('no django')
"""


def test_evidence_commands_import_no_django(tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "f").write_bytes(b"evidence")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "no.such.settings"  # would fail if anything set Django up
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(source), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "no django"
