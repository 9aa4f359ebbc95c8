"""What a members-import CSV row must hold (shared/domain/imports.py), without storage."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.imports import BadHeader, ImportRow, Rejected, header, parse_row

TODAY = date(2026, 11, 30)
COLUMNS = ("member_id", "phone", "email", "birthday", "points", "expires_on")


def row(line: str, number: int = 2) -> ImportRow:
    return parse_row(number, line.encode(), COLUMNS, TODAY)


def reason(line: str) -> str:
    with pytest.raises(Rejected) as refused:
        row(line)
    return str(refused.value)


def test_the_header_names_the_columns_in_any_order_each_once() -> None:
    assert header(b"\xef\xbb\xbfMember_ID, points,phone,email,birthday,expires_on") == (
        "member_id",
        "points",
        "phone",
        "email",
        "birthday",
        "expires_on",
    )
    for bad in (b"member_id,points", b"member_id,phone,email,birthday,points,points", b"\xff"):
        with pytest.raises(BadHeader):
            header(bad)


def test_a_good_row_is_normalised() -> None:
    got = row(" m-1 ,+86 138-1234-5678, Li@Example.COM ,1990-05-17,1500,2026-11-30", 7)

    assert got == ImportRow(
        row=7,
        member_id="m-1",
        points=1500,
        expires_on=TODAY,
        phone="+8613812345678",
        email="li@example.com",
        birthday="05-17",
    )
    assert row("m-2,,,02-29,1,").expires_on is None  # the programme's validity
    assert row('"m-3",,,,10,').member_id == "m-3"  # quoted fields


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("m-1,,,,0,", "points"),
        ("m-1,,,,-5,", "points"),
        ("m-1,,,,1.5,", "points"),
        ("m-1,,,,1000000001,", "points"),
        ("m-1,,,,,", "points"),
        ("m-1,,,,10,2026-11-29", "in the past"),
        ("m-1,,,,10,30/11/2027", "expires_on"),
        ("m-1,,,,10,2027-02-30", "expires_on"),
        ("bad id,,,,10,", "member_id"),
        (",,,,10,", "member_id"),
        ("m-1,12345,,,10,", "phone"),
        ("m-1,,a@b,,10,", "email"),
        ("m-1,,,13-01,10,", "birthday"),
        ("m-1,,,1990-02-30,10,", "birthday"),
        ("m-1,,,,10", "columns"),
        ('m-1,"unclosed,,,10,', "CSV"),
    ],
)
def test_a_bad_row_is_rejected_with_a_reason(line: str, word: str) -> None:
    assert word in reason(line)


def test_a_reason_never_repeats_a_contact_detail() -> None:
    assert "13999" not in reason("m-1,13999,,,10,")
    assert "secret" not in reason("m-1,,secret@,,10,")


def test_a_line_that_is_not_utf8_is_rejected() -> None:
    with pytest.raises(Rejected, match="UTF-8"):
        parse_row(2, b"m-1,\xff,,,10,", COLUMNS, TODAY)
