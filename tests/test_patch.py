"""patch: cell-exact, atomic, refusing what it must (property tests with hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.patch import atomic
from checker.patch.csvcells import edit, scan
from checker.patch.plan import CellChange, apply_csv
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb

# --- the CSV cell editor ----------------------------------------------------------------

cell_text = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\t;é€x1')), max_size=8)


@st.composite
def csv_files(draw: Any) -> tuple[str, list[list[str]]]:
    width = draw(st.integers(1, 5))
    rows = draw(
        st.lists(st.lists(cell_text, min_size=width, max_size=width), min_size=1, max_size=6)
    )
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO(newline="")
    csv.writer(out, quoting=quoting, lineterminator=ending).writerows(rows)
    text = out.getvalue()
    # The csv module cannot always read back what it wrote (a lone '\r' cell): such
    # files are not ones a user could have; skip them.
    assume(list(csv.reader(io.StringIO(text, newline=""))) == rows)
    return text, rows


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), source=csv_files())
def test_only_targeted_cells_change(data: Any, source: tuple[str, list[list[str]]]) -> None:
    text, rows = source
    targets: dict[int, dict[int, str]] = {}
    for _ in range(data.draw(st.integers(0, 4))):
        row = data.draw(st.integers(0, len(rows) - 1))
        col = data.draw(st.integers(0, len(rows[0]) - 1))
        targets.setdefault(row, {})[col] = data.draw(cell_text)
    new = edit(text, targets)
    parsed = list(csv.reader(io.StringIO(new, newline="")))
    expected = [list(r) for r in rows]
    for row, cols in targets.items():
        for col, value in cols.items():
            expected[row][col] = value
    assert parsed == expected
    # Outside the edited cells, every character is where it was.
    old_records, new_records = scan(text), scan(new)
    for r, (a, b) in enumerate(zip(old_records, new_records, strict=True)):
        for c, (ca, cb) in enumerate(zip(a.cells, b.cells, strict=True)):
            if c not in targets.get(r, {}):
                assert text[ca.start : ca.end] == new[cb.start : cb.end]
    if not targets:
        assert new == text


def test_quoting_style_and_short_rows_kept() -> None:
    text = 'id,a,b,c\r\n"1","x",,"y"\r\n2,p\r\n'
    assert edit(text, {1: {2: "new"}}) == 'id,a,b,c\r\n"1","x",new,"y"\r\n2,p\r\n'
    assert edit(text, {2: {3: "z"}}) == 'id,a,b,c\r\n"1","x",,"y"\r\n2,p,,z\r\n'
    assert edit(text, {1: {1: "has,comma"}}) == 'id,a,b,c\r\n"1","has,comma",,"y"\r\n2,p\r\n'


# --- atomic writes ----------------------------------------------------------------------


def test_crash_mid_write_leaves_the_input_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "references.csv"
    original = b"id,url,archive_url\n1,http://a.example/,\n"
    path.write_bytes(original)

    def crash(*args: Any) -> None:
        raise OSError("disk full (injected)")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="injected"):
        apply_csv(
            path, [CellChange("1", "archive_url", "", "http://web/1", "archive-found")], write=True
        )
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["references.csv"]  # no temp left


@settings(max_examples=50, deadline=None)
@given(source=csv_files(), at=st.integers(0, 3))
def test_crash_at_any_step_leaves_old_or_new(tmp_path_factory: Any, source: Any, at: int) -> None:
    text, _ = source
    folder = tmp_path_factory.mktemp("crash")
    path = folder / "f.csv"
    path.write_bytes(text.encode())
    steps = ["copy2", "fdopen", "copymode", "replace"]

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError("injected")

    mp = pytest.MonkeyPatch()
    target = atomic.shutil if steps[at] in ("copy2", "copymode") else atomic.os
    mp.setattr(target, steps[at], boom)
    try:
        with pytest.raises(OSError):
            atomic.write_atomic(path, b"NEW CONTENT")
    finally:
        mp.undo()
    assert path.read_bytes() == text.encode()
    assert sorted(p.name for p in folder.iterdir()) == ["f.csv"]  # no temp or backup left


# --- the command, end to end ------------------------------------------------------------

TITLE = "Chechnya detains 100 gay men in camps"


def _check(tmp_path: Path, web: SimWeb, archive: ArchiveDouble, src: Path, *extra: str) -> int:
    args = [
        "check",
        str(src),
        "--out",
        str(tmp_path / "reports"),
        "--confirm-now",
        "--timeout",
        "5",
        "--host-interval",
        "0",
        "--state",
        str(tmp_path / "state.sqlite"),
        "--fail-on",
        "never",
        *web.cli_args(),
        *archive.cli_args(),
        *extra,
    ]
    return CliRunner().invoke(main, args).exit_code


def _patch(tmp_path: Path, src: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        main, ["patch", str(src), "--report", str(tmp_path / "reports" / "report.json"), *extra]
    )


@pytest.fixture()
def rescued(simweb: SimWeb, tmp_path: Path) -> Any:
    with ArchiveDouble() as archive:
        gone = simweb.url("news.example", "/status/404")
        alive = simweb.url("news.example", "/article/real-story")
        archive.add_capture(gone, "20170415120000", title=TITLE)
        src = tmp_path / "references.csv"
        content = (
            "id,url,title,date,access_date,archive_url,archive_date,url_status,notes\r\n"
            f'1,{gone},"{TITLE}",10 April 2017,16 April 2017,,,,"keep, this"\r\n'
            f'2,{alive},"Real Story — Example News",14 March 2019,20 March 2019,,,,\r\n'
            f"3,,Dated wrong,December 21 2018,13 January 2018,,,,x\r\n"
        ).encode()
        src.write_bytes(b"\xef\xbb\xbf" + content)
        assert _check(tmp_path, simweb, archive, src) == 0
        yield src, content


def test_diff_is_the_default_and_writes_nothing(rescued: Any, tmp_path: Path) -> None:
    src, content = rescued
    result = _patch(tmp_path, src)
    assert result.exit_code == 0, result.output
    assert "+1," in result.output and "/web/20170415120000/" in result.output
    assert src.read_bytes() == b"\xef\xbb\xbf" + content


def test_write_changes_only_the_archive_cells(rescued: Any, tmp_path: Path) -> None:
    src, content = rescued
    result = _patch(tmp_path, src, "--write")
    assert result.exit_code == 0, result.output
    after = src.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")  # encoding and BOM kept
    before_lines = content.split(b"\r\n")
    after_lines = after[3:].split(b"\r\n")
    assert after_lines[0] == before_lines[0] and after_lines[2:] == before_lines[2:]
    row = next(csv.reader(io.StringIO(after_lines[1].decode())))
    assert row[5].endswith("/web/20170415120000/" + row[1])
    assert row[6:8] == ["15 April 2017", "dead"] and row[8] == "keep, this"
    assert not (tmp_path / "references.csv.citewatch-backup").exists()


def test_date_fixes_only_when_accepted(rescued: Any, tmp_path: Path) -> None:
    src, _ = rescued
    plain = _patch(tmp_path, src).output
    assert "December 21, 2018" not in plain
    accepted = _patch(tmp_path, src, "--accept-date-fixes").output
    assert '+3,,Dated wrong,"December 21, 2018"' in accepted


def test_staleness_is_judged_by_content_not_time(rescued: Any, tmp_path: Path) -> None:
    src, content = rescued
    later = time.time() + 60
    os.utime(src, (later, later))  # touched, not changed: still patchable
    assert _patch(tmp_path, src).exit_code == 0
    src.write_bytes(b"\xef\xbb\xbf" + content.replace(b"Real Story", b"Unreal Story"))
    os.utime(src, (0, 0))  # an older time changes nothing either
    result = _patch(tmp_path, src, "--write")
    assert result.exit_code == 2 and "changed after the report" in result.output
    assert "'2'" in result.output  # the reference whose cells differ


def test_refuses_an_inconclusive_run(rescued: Any, tmp_path: Path) -> None:
    src, _ = rescued
    report_path = tmp_path / "reports" / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["summary"]["inconclusive"] = True
    report_path.write_text(json.dumps(report), encoding="utf-8")
    result = _patch(tmp_path, src, "--write")
    assert result.exit_code == 2 and "inconclusive" in result.output


def test_refuses_a_missing_report(tmp_path: Path) -> None:
    src = tmp_path / "references.csv"
    src.write_text("id,url\n1,http://a.example/\n", encoding="utf-8")
    result = _patch(tmp_path, src)
    assert result.exit_code == 2 and "run citewatch check first" in result.output


def test_semicolon_file_keeps_its_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "references.csv"
    path.write_bytes(b'id;url;archive_url;notes\r\n1;http://a.example/;;"x; y"\r\n')
    apply_csv(
        path, [CellChange("1", "archive_url", "", "http://web/1", "archive-found")], write=True
    )
    assert (
        path.read_bytes()
        == b'id;url;archive_url;notes\r\n1;http://a.example/;http://web/1;"x; y"\r\n'
    )
