"""Access logs keep no personal data from the query string: an operator finds a member by
``GET /v1/admin/members?phone=...`` (or ``email=``), so no log of the stack may record query
strings. CloudFront's standard log (legacy) always does (cs-uri-query), so it is off; the
API's access log names the route key, never the path as sent nor its query string."""

from __future__ import annotations

import json
import re

import pytest

from infra.constructs.api import ACCESS_LOG_FORMAT

pytestmark = pytest.mark.infra

# $context variables that carry what the caller sent in the URL (or could, like the path).
URL_VARIABLES = re.compile(r"path|query|querystring|uri|url|request\.?override", re.IGNORECASE)


def _stage_format(synth, stage: str) -> dict[str, str]:
    stages = synth.template(stage).find_resources("AWS::ApiGatewayV2::Stage")
    (props,) = [s["Properties"] for s in stages.values()]
    return json.loads(props["AccessLogSettings"]["Format"])


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_api_access_log_names_the_route_never_the_url(synth, stage: str) -> None:
    fields = _stage_format(synth, stage)
    assert fields == ACCESS_LOG_FORMAT  # the deployed format is the one reviewed here
    variables = re.findall(r"\$context\.[A-Za-z.]+", " ".join(fields.values()))
    assert "$context.routeKey" in variables  # "GET /v1/admin/members": which lookup, not whom
    assert not [v for v in variables if URL_VARIABLES.search(v)]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cloudfront_keeps_no_standard_log_of_query_strings(synth, stage: str) -> None:
    distributions = synth.template(stage).find_resources("AWS::CloudFront::Distribution")
    (distribution,) = distributions.values()
    config = distribution["Properties"]["DistributionConfig"]
    assert "Logging" not in config
    synth.template(stage).resource_count_is("AWS::CloudFront::RealtimeLogConfig", 0)


def test_the_url_pattern_would_catch_a_path_or_query_variable() -> None:
    for variable in ("$context.path", "$context.requestOverride.querystring.phone"):
        assert URL_VARIABLES.search(variable)
    for variable in ("$context.routeKey", "$context.requestId", "$context.requestTime"):
        assert not URL_VARIABLES.search(variable)
