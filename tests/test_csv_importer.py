"""The canonical CSV: known columns, aliases, unknown columns kept, bad input reported."""

from __future__ import annotations

from pathlib import Path

from checker.importers import InputFormat, detect_format, load
from checker.model import KNOWN_FIELDS
from checker.table import to_frame, write_csv


def write(tmp_path: Path, text: str | bytes, name: str = "refs.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_known_columns_and_aliases(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ID,URL,Title,access-date,archiveurl,website\n"
        "7,https://a.example/,T,1 May 2017,,The Work\n",
    )
    result = load(path)
    assert result.problems == ()
    (ref,) = result.references
    assert (ref.id, ref.url, ref.title, ref.access_date, ref.work) == (
        "7",
        "https://a.example/",
        "T",
        "1 May 2017",
        "The Work",
    )
    assert ref.location is not None and ref.location.line == 2


def test_unknown_columns_round_trip(tmp_path: Path) -> None:
    path = write(tmp_path, 'id,notes,title,reviewer\n1,"keep, me",T,ann\n2,,U,\n')
    result = load(path)
    assert result.problems == ()
    assert result.references[0].extra == {"notes": "keep, me", "reviewer": "ann"}
    out = tmp_path / "out.csv"
    write_csv(result.references, result.columns, out)
    again = load(out)
    assert [r.extra for r in again.references] == [r.extra for r in result.references]
    assert [r.fields() for r in again.references] == [r.fields() for r in result.references]
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == [*KNOWN_FIELDS, "notes", "reviewer"]


def test_frame_has_every_column(tmp_path: Path) -> None:
    result = load(write(tmp_path, "id,title,x\n1,T,y\n"))
    frame = to_frame(result.references, result.columns)
    assert list(frame.columns)[-1] == "x"
    assert frame.loc[0, "title"] == "T" and frame.loc[0, "url"] == ""


def test_malformed_row_is_reported_and_the_rest_processed(tmp_path: Path) -> None:
    path = write(tmp_path, "id,title,date\n1,A,2017\n2,B,2017,extra\n3,C\n4,D,2018\n")
    result = load(path)
    assert [r.id for r in result.references] == ["1", "2", "3", "4"]
    rows = {(p.row, p.ref_id) for p in result.problems}
    assert rows == {(3, "2"), (4, "3")}
    assert all(str(path) in str(p) for p in result.problems)
    assert "row 3" in str(result.problems[0])


def test_missing_id_column(tmp_path: Path) -> None:
    result = load(write(tmp_path, "url,title\nhttps://a.example/,A\n"))
    assert [r.id for r in result.references] == ["line-2"]
    assert any(p.field == "id" and "missing" in p.message for p in result.problems)


def test_empty_and_duplicate_ids(tmp_path: Path) -> None:
    result = load(write(tmp_path, "id,title\n,A\n5,B\n5,C\n"))
    messages = [str(p) for p in result.problems]
    assert any("empty id" in m and "row 2" in m for m in messages)
    assert any("already used on line 3" in m and "row 4" in m for m in messages)
    assert len(result.references) == 3


def test_typo_column_is_flagged_but_kept(tmp_path: Path) -> None:
    result = load(write(tmp_path, "id,acess_date\n1,1 May 2017\n"))
    (problem,) = result.problems
    assert "did you mean 'access_date'" in problem.message and problem.field == "acess_date"
    assert result.references[0].extra == {"acess_date": "1 May 2017"}


def test_undecodable_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b"id,title\n1,caf\xe9\n2,ok\n")
    result = load(path)
    assert [r.title for r in result.references] == ["caf\ufffd", "ok"]
    (problem,) = result.problems
    assert problem.row == 2 and problem.field == "title" and "0xE9" in problem.message


def test_bom_and_crlf(tmp_path: Path) -> None:
    result = load(write(tmp_path, '\ufeffid,title\r\n1,A\r\n2,"multi\r\nline"\r\n3,C\r\n'))
    assert result.problems == ()
    assert [r.id for r in result.references] == ["1", "2", "3"]
    assert result.references[2].location is not None
    assert result.references[2].location.line == 5


def test_empty_file_is_fatal(tmp_path: Path) -> None:
    result = load(write(tmp_path, ""))
    (problem,) = result.problems
    assert problem.fatal and "empty" in problem.message


def test_missing_file_is_fatal(tmp_path: Path) -> None:
    result = load(tmp_path / "nope.csv")
    assert result.problems[0].fatal and "cannot read" in result.problems[0].message


def test_detect_format() -> None:
    assert detect_format("x.csv", b"") is InputFormat.CSV
    assert detect_format("x.txt", b"") is InputFormat.TEXT
    assert detect_format("refs", b"id,title\n1,A\n") is InputFormat.CSV
    assert detect_format("page", b"Some article\n 1. ^ Ref") is InputFormat.TEXT


def test_semicolon_and_tab_separated(tmp_path: Path) -> None:
    semi = load(write(tmp_path, "id;title;date\n1;Un titre, long;13 April 2017\n", "s.csv"))
    assert semi.problems == () and semi.references[0].title == "Un titre, long"
    tabs = load(write(tmp_path, "id\ttitle\n1\tA, B\n", "t.tsv"))
    assert tabs.references[0].title == "A, B"
