"""Held-out cases, fifth round: what a fifth round of trying found (new personas, bad files of every kind, a later
SEN2 release laid out otherwise, flags and signals). Each expected value is worked out by hand in its docstring.

Why this module is long: one held-out case per test, each small, from one round of trying what users will try."""

from __future__ import annotations

import csv
import io

from .test_held_out_round3 import _build_refused, _release

# ============================================================================ a later SEN2 release


def _wandsworth_2024_row(raw: bytes, column: str, value: str) -> bytes:
    """requests.csv with Wandsworth's (212) 2024 total row's `column` set to `value`."""
    rows = list(csv.reader(raw.decode().splitlines()))
    head = rows[0]
    at = [i for i, r in enumerate(rows) if i and r[0] == "2024" and r[head.index("old_la_code")] == "212"]
    rows[at[-1]][head.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_a_release_with_a_cell_longer_than_csv_reads_is_one_line(tmp_path, capsys):
    """A cell of 200,000 characters (a damaged download, or a note pasted into a name) stopped the build inside the
    csv module with a traceback (`_csv.Error: field larger than field limit (131072)`). Now one line naming the file
    and the line of the row (the header is line 1; the row is the file's last), exit 2, nothing written."""
    p = _release(tmp_path, lambda raw: _wandsworth_2024_row(raw, "la_name", "W" * 200_000))
    line = len(p.read_text().splitlines())
    err = _build_refused(tmp_path, capsys)
    assert err.startswith(f"error: {p}:{line}: not valid CSV: field larger than field limit (131072) (allowed: "), err


def test_a_column_named_twice_in_a_releases_header_is_named(tmp_path, capsys):
    """A header naming `requests_received_in_year` twice (a spreadsheet's column copied over another, here over
    `request_assess_pc`) was read through csv.DictReader, which keeps the last of the two: the build compared the
    refusals with a percentage and said "requests_decided_not_to_assess: got 33141, more than
    requests_received_in_year 67.3" of England's row, a figure the file never gave as requests. Now the header's
    line names the column and how often it appears."""
    def twice(raw: bytes) -> bytes:
        head, rest = raw.split(b"\n", 1)
        return head.replace(b"request_assess_pc", b"requests_received_in_year") + b"\n" + rest

    p = _release(tmp_path, twice)
    err = _build_refused(tmp_path, capsys)
    assert err.startswith(f"error: {p}:1: column requests_received_in_year is named 2 times in the header (allowed: "
                          "each column once"), err


def test_a_folder_where_a_releases_file_is_meant_is_named_as_a_folder(tmp_path, capsys):
    """requests.csv made a folder (an archive unpacked into a folder of that name) was "no such file", which sends
    the user looking for a missing file that is there. Now it is named as a folder."""
    p = _release(tmp_path)
    p.unlink()
    p.mkdir()
    err = _build_refused(tmp_path, capsys)
    assert err.startswith(f"error: {p}: is a folder, not a file (allowed: a folder holding DfE SEN2's "), err
