"""The inbox and preferences stories of ``test_inbox_api.py`` again on DynamoDB Local, where
moto may be lenient: the query's filter with ``Limit`` and a wider page, ``ttl`` compared
with the clock, the projected profile read and the conditional updates."""

from __future__ import annotations

import pytest

from shared import programme
from tests.integration.test_inbox_api import (  # noqa: F401 (collected here too)
    test_a_member_never_registered_has_no_inbox,
    test_another_members_message_and_unknown_ids_are_not_found,
    test_expired_messages_are_left_out_before_dynamodb_deletes_them,
    test_marking_read_twice_answers_the_first_read_time,
    test_messages_list_newest_first_with_text_and_the_unread_count,
    test_opting_in_without_a_contact_on_file_is_accepted_and_shown_unreachable,
    test_preferences_round_trip_and_a_partial_put_keeps_the_rest,
    test_refused_preferences_change_nothing,
    test_the_unread_badge_finds_an_old_unread_message_in_one_round_trip,
    test_unread_filter_and_pages_walk_the_inbox_once,
)
from tests.support import Api, register_member

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def api(local_api: Api) -> Api:
    programme.invalidate()  # each test has a table of its own
    return local_api


@pytest.fixture
def member(api: Api) -> str:
    return register_member(api, "m-1", phone="13800000001")
