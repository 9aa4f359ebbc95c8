"""Contact details: normalisation, masks and the keyed lookup hash (shared/domain/contacts.py,
shared/pii.py)."""

from __future__ import annotations

from typing import Any

import pytest

from shared import pii
from shared.domain.contacts import (
    InvalidContact,
    country_code,
    mask_email,
    mask_name,
    mask_phone,
    normalize_email,
    normalize_name,
    normalize_phone,
)
from shared.settings import ENV_PII_HMAC_KEY, ENV_PII_SECRET_ID


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+86 138-1234-5678",
        "008613812345678",
        " +86 (138) 1234 5678 ",
        "+8613812345678",
        "0086-138.1234.5678",
    ],
)
def test_every_way_of_writing_a_chinese_mobile_gives_one_e164_number(raw: str) -> None:
    assert normalize_phone(raw) == "+8613812345678"


def test_a_national_fixed_line_drops_its_trunk_zero() -> None:
    assert normalize_phone("010-6552-9988") == "+861065529988"


def test_numbers_of_other_countries_keep_their_code() -> None:
    assert normalize_phone("+852 5123 4567") == "+85251234567"
    assert normalize_phone("+1 (415) 555-0100") == "+14155550100"
    assert normalize_phone("4155550100", default_country="1") == "+14155550100"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "1381234567",  # 10 digits: not a mobile
        "138123456789",  # 12 digits
        "12812345678",  # 12x is no mobile range
        "+86 138 1234 567x",
        "+0 123456789",
        "+1234567",  # too short
        "+1234567890123456",  # 16 digits: longer than E.164 allows
        "++8613812345678",
        "138-1234-5678 ext 9",
    ],
)
def test_what_is_not_a_phone_number_is_refused_without_repeating_it(raw: str) -> None:
    with pytest.raises(InvalidContact) as refused:
        normalize_phone(raw)
    digits = "".join(c for c in raw if c.isdigit())
    assert not digits or digits not in str(refused.value)


def test_non_strings_are_refused() -> None:
    with pytest.raises(InvalidContact):
        normalize_phone(13812345678)  # type: ignore[arg-type]
    with pytest.raises(InvalidContact):
        normalize_email(None)  # type: ignore[arg-type]


def test_country_codes_are_read_as_the_prefix_code_they_are() -> None:
    assert country_code("+14155550100") == "1"
    assert country_code("+79161234567") == "7"
    assert country_code("+8613812345678") == "86"
    assert country_code("+85251234567") == "852"
    assert country_code("+886912345678") == "886"


def test_email_is_stripped_and_lower_cased() -> None:
    assert normalize_email("  Li.Lei@Example.COM ") == "li.lei@example.com"
    assert normalize_email("a+tag@mail.example.cn") == "a+tag@mail.example.cn"


@pytest.mark.parametrize(
    "raw",
    [
        "li.lei",
        "li@@example.com",
        "li@lei@example.com",
        "@example.com",
        "li@example",
        "li@.example.com",
        "li@example..com",
        "li lei@example.com",
        ".li@example.com",
        "li..lei@example.com",
        "li@example.123",
        "li@-example.com",
        "x" * 65 + "@example.com",
    ],
)
def test_what_is_not_an_email_address_is_refused(raw: str) -> None:
    with pytest.raises(InvalidContact) as refused:
        normalize_email(raw)
    assert raw.strip().lower() not in str(refused.value)


def test_names_are_trimmed_and_bounded() -> None:
    assert normalize_name("  张  三 ") == "张 三"
    with pytest.raises(InvalidContact):
        normalize_name("   ")
    with pytest.raises(InvalidContact):
        normalize_name("x" * 65)


def test_masks_show_only_the_ends() -> None:
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("+861065529988") == "10****9988"  # hides 4 of 10 digits
    assert mask_phone("+85251234567") == "+852 ****4567"
    assert mask_phone("+14155550100") == "+1 41****0100"
    assert mask_email("li.lei@example.com") == "l***@example.com"
    assert mask_name("张三") == "张*"
    assert mask_name("Li Lei") == "L*"


def test_a_mask_hides_at_least_four_digits_of_any_valid_number() -> None:
    for number in ("+8613812345678", "+85251234567", "+14155550100", "+3531234567"):
        shown = sum(c.isdigit() for c in mask_phone(number).split(" ")[-1])
        national = len(number) - 1 - len(country_code(number))
        assert national - shown >= 4


def test_the_lookup_key_is_a_keyed_hash_of_kind_and_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_PII_HMAC_KEY, "a" * 40)
    pii.reset()
    key = pii.lookup_key("phone", "+8613812345678")
    assert len(key) == 64 and int(key, 16) >= 0
    assert "13812345678" not in key
    assert pii.lookup_key("phone", "+8613812345678") == key
    assert pii.lookup_key("email", "+8613812345678") != key
    monkeypatch.setenv(ENV_PII_HMAC_KEY, "b" * 40)
    pii.reset()
    assert pii.lookup_key("phone", "+8613812345678") != key  # another stage, another key
    pii.reset()


def test_without_a_key_lookups_fail_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_PII_HMAC_KEY, raising=False)
    monkeypatch.delenv(ENV_PII_SECRET_ID, raising=False)
    pii.reset()
    with pytest.raises(pii.PiiKeyMissing):
        pii.lookup_key("phone", "+8613812345678")
    monkeypatch.setenv(ENV_PII_HMAC_KEY, "short")
    pii.reset()
    with pytest.raises(pii.PiiKeyMissing):
        pii.lookup_key("phone", "+8613812345678")
    pii.reset()


def test_in_aws_the_key_is_the_stage_secret_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []

    def secret(secret_id: str) -> str:
        reads.append(secret_id)
        return "s" * 64

    monkeypatch.delenv(ENV_PII_HMAC_KEY, raising=False)
    monkeypatch.setenv(ENV_PII_SECRET_ID, "loyalty-dev-pii-hmac-key")
    monkeypatch.setattr(pii, "_secret", secret)
    pii.reset()
    first = pii.lookup_key("email", "li@example.com")
    assert pii.lookup_key("email", "li@example.com") == first
    pii.lookup_key("phone", "+8613812345678")
    assert reads == ["loyalty-dev-pii-hmac-key"]
    pii.reset()


def test_local_mode_keeps_its_key_between_runs(tmp_path: Any) -> None:
    from local.keys import kept_secret

    path = tmp_path / ".local" / "pii.key"
    first = kept_secret(path)
    assert len(first) >= pii.MIN_KEY_LENGTH
    assert kept_secret(path) == first
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_key_is_read_from_secrets_manager_by_its_id(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="loyalty-dev-pii-hmac-key", SecretString="k" * 64
        )["ARN"]
        monkeypatch.delenv(ENV_PII_HMAC_KEY)
        monkeypatch.setenv(ENV_PII_SECRET_ID, arn)
        pii.reset()
        from_secret = pii.lookup_key("phone", "+8613812345678")
    monkeypatch.setenv(ENV_PII_HMAC_KEY, "k" * 64)
    pii.reset()
    assert pii.lookup_key("phone", "+8613812345678") == from_secret


def test_the_local_access_log_keeps_query_names_but_not_their_values() -> None:
    from local.server import without_query

    line = "GET /v1/admin/members?phone=13812345678&limit=5 HTTP/1.1"
    assert without_query(line) == "GET /v1/admin/members?phone=…&limit=… HTTP/1.1"
    assert without_query("GET /v1/health HTTP/1.1") == "GET /v1/health HTTP/1.1"
    assert without_query(200) == 200


def test_the_registration_event_carries_no_contact_detail() -> None:
    from shared.events import from_stream_record

    image = {
        "pk": {"S": "MEMBER#m-1"},
        "sk": {"S": "PROFILE"},
        "member_id": {"S": "m-1"},
        "registered_at": {"S": "2027-01-10T02:00:00+00:00"},
        "phone": {"S": "+8613812345678"},
        "email": {"S": "li.lei@example.com"},
        "name": {"S": "李雷"},
    }
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": "1"}}
    (event,) = from_stream_record(record)
    assert event.detail == {"member_id": "m-1", "registered_at": "2027-01-10T02:00:00+00:00"}
