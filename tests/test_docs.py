"""Docs stay true: every finding code the checks can emit is catalogued and documented,
and every CLI option shown by --help is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.checks.codes import CODES, render_markdown
from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]


def emitted_codes() -> set[str]:
    found: set[str] = set()
    paths = [
        *(ROOT / "checker" / "checks").glob("*.py"),
        ROOT / "checker" / "links" / "findings.py",
    ]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'Finding\(\s*"([a-z0-9-]+)"', text))
        found |= set(re.findall(r'\(\s*"(link-[a-z0-9-]+)",\s*Severity', text))
        if 'f"invalid-{kind}"' in text:
            found |= {"invalid-isbn", "invalid-issn"}
    return found


def test_every_emitted_code_is_catalogued() -> None:
    emitted = emitted_codes()
    assert len(emitted) > 20
    assert emitted <= set(CODES), emitted - set(CODES)


def test_catalogue_is_documented() -> None:
    doc = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), "regenerate docs/findings.md from the catalogue"
    for code in CODES:
        assert f"`{code}`" in doc, code


@pytest.mark.parametrize(
    "command", ["check", "import", "patch", "config", "load", "crawl", "report"]
)
def test_readme_documents_every_option(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    help_text = CliRunner().invoke(main, [command, "--help"]).output
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    assert options or command == "config"
    missing = [o for o in sorted(options) if o not in readme]
    assert not missing, missing
