"""The web apps on AWS: private bucket behind CloudFront (OAC), headers, SPA routing, the
deployment of the build plus config.json, the Cognito hosted UI and the web app clients."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.config import ROOT
from tests.infra.conftest import WEB_DIST_FILES

pytestmark = pytest.mark.infra

DISTRIBUTION = "AWS::CloudFront::Distribution"


def _one(synth, type_: str, stage: str = "dev") -> tuple[str, dict[str, Any]]:
    (found,) = synth.template(stage).find_resources(type_).items()
    return found[0], found[1]["Properties"]


def _logical_id(synth, type_: str, prefix: str, stage: str = "dev") -> str:
    (found,) = [k for k in synth.template(stage).find_resources(type_) if k.startswith(prefix)]
    return found


def _distribution(synth, stage: str = "dev") -> dict[str, Any]:
    return _one(synth, DISTRIBUTION, stage)[1]["DistributionConfig"]


def _behavior(synth, path: str) -> dict[str, Any]:
    (found,) = [b for b in _distribution(synth)["CacheBehaviors"] if b["PathPattern"] == path]
    return found


def _text(value: Any) -> str:
    """A template string, its tokens (``Fn::Join`` parts that are objects) as ``<json>``."""
    parts = value["Fn::Join"][1] if isinstance(value, dict) else [value]
    return "".join(
        p if isinstance(p, str) else f"<{json.dumps(p, separators=(',', ':'))}>" for p in parts
    )


def _csp(synth) -> dict[str, list[Any]]:
    """CSP directive -> its sources; a token (the Cognito domain) stays an object."""
    config = _one(synth, "AWS::CloudFront::ResponseHeadersPolicy")[1]
    policy = config["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    text = _text(policy["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    directives = (d.split() for d in text.split(";"))
    return {name: sources for name, *sources in directives}


# --- bucket and origin access ---------------------------------------------------------------


def test_site_bucket_is_private_encrypted_and_logged(synth) -> None:
    logs = _logical_id(synth, "AWS::S3::Bucket", "SiteLogs")
    synth.template().has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "LoggingConfiguration": {"DestinationBucketName": {"Ref": logs}},
        },
    )


def test_only_the_distribution_may_read_the_site_bucket_and_only_over_tls(synth) -> None:
    bucket = _logical_id(synth, "AWS::S3::Bucket", "SiteBucket")
    distribution = _one(synth, DISTRIBUTION)[0]
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synth.template().find_resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    allows = [s for s in policy if s["Effect"] == "Allow"]
    denies = [s for s in policy if s["Effect"] == "Deny"]

    assert [(s["Principal"], s["Action"]) for s in allows] == [
        ({"Service": "cloudfront.amazonaws.com"}, "s3:GetObject")
    ]
    source_arn = json.dumps(allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert ":distribution/" in source_arn and distribution in source_arn
    assert [s["Condition"] for s in denies] == [{"Bool": {"aws:SecureTransport": "false"}}]


def test_s3_origin_uses_origin_access_control_not_an_identity(synth) -> None:
    oac_id, oac = _one(synth, "AWS::CloudFront::OriginAccessControl")
    bucket = _logical_id(synth, "AWS::S3::Bucket", "SiteBucket")
    (s3_origin,) = [o for o in _distribution(synth)["Origins"] if "S3OriginConfig" in o]

    config = oac["OriginAccessControlConfig"]
    assert (config["OriginAccessControlOriginType"], config["SigningProtocol"]) == ("s3", "sigv4")
    assert config["SigningBehavior"] == "always"
    assert s3_origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert s3_origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert s3_origin["DomainName"] == {"Fn::GetAtt": [bucket, "RegionalDomainName"]}
    synth.template().resource_count_is("AWS::CloudFront::CloudFrontOriginAccessIdentity", 0)


def test_access_logs_are_kept_then_expire(synth) -> None:
    logs_id = _logical_id(synth, "AWS::S3::Bucket", "SiteLogs")
    for stage, days in (("dev", 30), ("prod", 365)):
        logs = synth.template(stage).find_resources("AWS::S3::Bucket")[logs_id]
        assert logs["DeletionPolicy"] == "Retain"
        (rule,) = logs["Properties"]["LifecycleConfiguration"]["Rules"]
        assert rule["ExpirationInDays"] == days
    # CloudFront writes none there: its standard log keeps query strings (test_access_logs.py)
    assert "Logging" not in _distribution(synth)


# --- distribution ----------------------------------------------------------------------------


def test_pages_redirect_to_https_and_the_api_accepts_https_only(synth) -> None:
    default = _distribution(synth)["DefaultCacheBehavior"]
    api = _behavior(synth, "/v1/*")

    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["AllowedMethods"] == ["GET", "HEAD"]
    assert api["ViewerProtocolPolicy"] == "https-only"


def test_api_behavior_forwards_everything_but_host_and_caches_nothing(synth) -> None:
    api = _behavior(synth, "/v1/*")
    (api_origin,) = [o for o in _distribution(synth)["Origins"] if o["Id"] == api["TargetOriginId"]]

    assert set(api["AllowedMethods"]) == {
        *("GET", "HEAD", "OPTIONS"),
        *("PUT", "PATCH", "POST", "DELETE"),
    }
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    # AllViewerExceptHostHeader: Authorization, Idempotency-Key, Accept-Language, query.
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert api_origin["CustomOriginConfig"] == {
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
    }
    assert "HttpApi" in json.dumps(api_origin["DomainName"])
    assert "ApiEndpoint" in json.dumps(api_origin["DomainName"])


def test_static_cache_policy_follows_the_objects_cache_control(synth) -> None:
    policy_id, policy = _one(synth, "AWS::CloudFront::CachePolicy")
    config = policy["CachePolicyConfig"]

    assert _distribution(synth)["DefaultCacheBehavior"]["CachePolicyId"] == {"Ref": policy_id}
    assert config["MinTTL"] == 0  # "no-cache" pages and config.json are revalidated
    assert config["MaxTTL"] >= 365 * 24 * 3600
    keys = config["ParametersInCacheKeyAndForwardedToOrigin"]
    assert keys["EnableAcceptEncodingBrotli"] and keys["EnableAcceptEncodingGzip"]


# --- response headers ------------------------------------------------------------------------


def test_both_behaviors_send_the_security_headers(synth) -> None:
    policy_id, policy = _one(synth, "AWS::CloudFront::ResponseHeadersPolicy")
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]

    assert _distribution(synth)["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {
        "Ref": policy_id
    }
    assert _behavior(synth, "/v1/*")["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert hsts["IncludeSubdomains"] and hsts["Override"]
    assert headers["ContentTypeOptions"] == {"Override": True}  # X-Content-Type-Options: nosniff
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "same-origin"
    assert headers["ContentSecurityPolicy"]["Override"] is True


def test_csp_allows_scripts_only_from_the_site_and_fetches_to_it_and_cognito(synth) -> None:
    csp = _csp(synth)
    domain = _logical_id(synth, "AWS::Cognito::UserPoolDomain", "AuthUserPoolHostedUi")
    staff_domain = _logical_id(synth, "AWS::Cognito::UserPoolDomain", "AuthStaffPoolStaffHostedUi")

    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    (connect_self, cognito, staff_cognito, _files) = csp["connect-src"]
    assert connect_self == "'self'"
    # The token endpoints of both pools: the member app's and the console's.
    assert cognito.startswith(f'https://<{{"Ref":"{domain}"}}>.auth.')
    assert staff_cognito.startswith(f'https://<{{"Ref":"{staff_domain}"}}>.auth.')
    assert cognito.endswith(".amazoncognito.com")


def test_csp_lets_the_console_put_imports_to_its_own_file_store_bucket_only(synth) -> None:
    """The presigned PUT goes to the stage's bucket on its regional endpoint (shared/files.py
    presigns for it): that origin exactly, no wildcard, no other S3 host."""
    (bucket,) = [
        r["Properties"]
        for k, r in synth.raw()["Resources"].items()
        if r["Type"] == "AWS::S3::Bucket" and k.startswith("Files")
    ]
    name = _text(bucket["BucketName"])
    region, suffix = '<{"Ref":"AWS::Region"}>', '<{"Ref":"AWS::URLSuffix"}>'

    files = _csp(synth)["connect-src"][-1]  # after the site and both pools

    assert name == f'loyalty-points-dev-files-<{{"Ref":"AWS::AccountId"}}>-{region}'
    assert files == f"https://{name}.s3.{region}.{suffix}"
    assert not any("*" in source for source in _csp(synth)["connect-src"])


@pytest.mark.parametrize("page", ["index.html", "console/index.html"])
def test_web_pages_carry_no_inline_script_the_csp_would_block(page: str) -> None:
    html = (ROOT / "web" / page).read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)

    assert scripts, page
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), page


# --- SPA routing -----------------------------------------------------------------------------


def _route(synth, uris: list[str]) -> list[dict[str, Any]]:
    """Runs the CloudFront Function's code (plain ES5) in node on viewer requests."""
    code = _one(synth, "AWS::CloudFront::Function")[1]["FunctionCode"]
    script = (
        code
        + f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map(function (uri) "
        + "{ return handler({ request: { uri: uri, headers: {} } }); })));"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_routing_function_runs_on_viewer_requests_of_the_pages(synth) -> None:
    function_id, function = _one(synth, "AWS::CloudFront::Function")

    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert _distribution(synth)["DefaultCacheBehavior"]["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}
    ]
    assert "FunctionAssociations" not in _behavior(synth, "/v1/*")


def test_app_routes_fall_back_to_their_app_and_files_pass_through(synth) -> None:
    cases = {
        "/": "/index.html",
        "/mall": "/index.html",
        "/orders/o-123": "/index.html",
        "/callback": "/index.html",
        "/console/": "/console/index.html",
        "/console/members/m-alice": "/console/index.html",
        "/console/callback": "/console/index.html",
        "/consoles": "/index.html",
        "/index.html": "/index.html",
        "/console/index.html": "/console/index.html",
        "/assets/member-Ab12Cd34.js": "/assets/member-Ab12Cd34.js",
        "/favicon.svg": "/favicon.svg",
        "/config.json": "/config.json",
        "/.vite/manifest.json": "/index.html",  # not deployed
    }

    routed = _route(synth, list(cases))

    assert {uri: r["uri"] for uri, r in zip(cases, routed, strict=True)} == cases


def test_console_without_slash_is_redirected(synth) -> None:
    (response,) = _route(synth, ["/console"])

    assert response["statusCode"] == 301
    assert response["headers"]["location"]["value"] == "/console/"


# --- deployment ------------------------------------------------------------------------------


def _deployments(synth, stage: str = "dev") -> dict[str, dict[str, Any]]:
    found = synth.template(stage).find_resources("Custom::CDKBucketDeployment")
    return {key.removeprefix("Site").split("CustomResource")[0]: r for key, r in found.items()}


def _asset(synth, key: str) -> Path:
    return synth.outdir / f"asset.{key.removesuffix('.zip')}"


def test_bundles_are_deployed_first_cached_for_a_year_and_kept(synth) -> None:
    deployments = _deployments(synth)
    bundles, pages = deployments["DeployAssets"], deployments["DeployPages"]
    bucket = _logical_id(synth, "AWS::S3::Bucket", "SiteBucket")

    assert set(deployments) == {"DeployAssets", "DeployPages"}
    props = bundles["Properties"]
    assert props["DestinationBucketName"] == {"Ref": bucket}
    assert (props["Exclude"], props["Include"]) == (["*"], ["assets/*"])
    assert props["Prune"] is False  # a page loaded before a deploy still finds its chunks
    assert props["SystemMetadata"]["cache-control"] == "public, max-age=31536000, immutable"
    bundles_id = _logical_id(synth, "Custom::CDKBucketDeployment", "SiteDeployAssets")
    assert bundles_id in pages["DependsOn"]


def test_pages_and_config_are_deployed_uncached_and_pruned(synth) -> None:
    props = _deployments(synth)["DeployPages"]["Properties"]

    assert props["Exclude"] == ["assets/*"]
    assert "Prune" not in props or props["Prune"] is True
    assert props["SystemMetadata"]["cache-control"] == "no-cache"
    assert len(props["SourceObjectKeys"]) == 2  # the build and config.json


def test_deployed_build_is_the_web_dist_without_hidden_files(synth) -> None:
    (build_key,) = {
        d["Properties"]["SourceObjectKeys"][0] for d in _deployments(synth).values()
    }  # both deployments upload the same build asset
    asset = _asset(synth, build_key)
    deployed = sorted(p.relative_to(asset).as_posix() for p in asset.rglob("*") if p.is_file())

    assert deployed == sorted(name for name in WEB_DIST_FILES if not name.startswith("."))
    assert (asset / "index.html").read_text() == WEB_DIST_FILES["index.html"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_config_json_names_the_api_origin_hosted_ui_and_web_clients(synth, stage: str) -> None:
    props = _deployments(synth, stage)["DeployPages"]["Properties"]
    (config_dir,) = [
        _asset(synth, key)
        for key in props["SourceObjectKeys"]
        if (_asset(synth, key) / "config.json").is_file()
    ]
    text = (config_dir / "config.json").read_text()
    markers = {k: json.dumps(v) for m in props["SourceMarkers"] for k, v in m.items()}
    config = json.loads(re.sub(r"<<marker:0xbaba:\d+>>", lambda m: json.dumps(m[0]), text))
    cognito = config["cognito"]

    assert (config["mode"], config["apiBaseUrl"]) == ("aws", "")  # /v1 on the site's origin
    pool = r'"Ref": "AuthUserPool[0-9A-F]{8}"'
    staff_pool = r'"Ref": "AuthStaffPool[0-9A-F]{8}"'
    hosted_ui = r'"Ref": "AuthUserPoolHostedUi\w+".*\.amazoncognito\.com'
    staff_hosted_ui = r'"Ref": "AuthStaffPoolStaffHostedUi\w+".*\.amazoncognito\.com'
    assert re.search(hosted_ui, markers[cognito["domain"]])
    assert re.search(staff_hosted_ui, markers[cognito["staffDomain"]])  # the console's
    assert "AWS::Region" in markers[cognito["region"]]
    assert '"Ref": "AuthUserPoolMemberClient' in markers[cognito["memberClientId"]]
    assert '"Ref": "AuthStaffPoolStaffClient' in markers[cognito["staffClientId"]]
    assert re.search(pool, markers[cognito["memberUserPoolId"]])
    assert re.search(staff_pool, markers[cognito["staffUserPoolId"]])
    assert "redirectUri" not in cognito  # each app calls back to its own path


def test_deployment_handler_logs_to_its_own_group_with_no_managed_policy(synth) -> None:
    resources = synth.raw()["Resources"]
    (handler,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function" and "FunctionName" not in r["Properties"]
    ]
    role = resources[handler["Role"]["Fn::GetAtt"][0]]["Properties"]
    log_group = handler["LoggingConfig"]["LogGroup"]["Ref"]

    assert "ManagedPolicyArns" not in role
    (logs_policy,) = role["Policies"]
    (statement,) = logs_policy["PolicyDocument"]["Statement"]
    assert statement["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]}
    assert resources[log_group]["Properties"]["RetentionInDays"] > 0


@pytest.mark.parametrize(("stage", "retained"), [("dev", False), ("prod", True)])
def test_only_prod_keeps_the_site_files_when_the_stack_goes(synth, stage, retained) -> None:
    for deployment in _deployments(synth, stage).values():
        assert deployment["Properties"]["RetainOnDelete"] is retained


def test_missing_web_build_fails_synthesis_with_the_command_to_run(tmp_path: Path) -> None:
    from infra import assets

    (tmp_path / "index.html").write_text("")

    with pytest.raises(FileNotFoundError, match=r"console/index\.html.*make web-build"):
        assets.web_dist(tmp_path)


# --- Cognito ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_hosted_ui_domain_is_per_stage_and_unique_per_stack(synth, stage: str) -> None:
    domain_id = _logical_id(synth, "AWS::Cognito::UserPoolDomain", "AuthUserPoolHostedUi", stage)
    domain = synth.template(stage).find_resources("AWS::Cognito::UserPoolDomain")[domain_id][
        "Properties"
    ]
    prefix, suffix = domain["Domain"]["Fn::Join"][1]

    assert prefix == f"loyalty-points-{stage}-"
    assert "AWS::StackId" in json.dumps(suffix)
    assert domain["UserPoolId"] == {
        "Ref": _logical_id(synth, "AWS::Cognito::UserPool", "AuthUserPool", stage)
    }


def _web_client(synth, name: str, stage: str = "dev") -> dict[str, Any]:
    (client,) = [
        c["Properties"]
        for c in synth.template(stage).find_resources("AWS::Cognito::UserPoolClient").values()
        if c["Properties"]["ClientName"] == f"loyalty-points-{stage}-{name}"
    ]
    return client


def _site_url(synth, path: str) -> dict[str, Any]:
    distribution = _one(synth, DISTRIBUTION)[0]
    return {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}, path]]}


@pytest.mark.parametrize(("name", "path"), [("member-web", "/"), ("console-web", "/console/")])
def test_web_clients_use_the_code_flow_without_secret_and_call_back_to_the_site(
    synth, name: str, path: str
) -> None:
    dev, prod = _web_client(synth, name), _web_client(synth, name, "prod")

    for client in (dev, prod):
        assert client["AllowedOAuthFlows"] == ["code"]
        assert client["AllowedOAuthFlowsUserPoolClient"] is True
        assert client["AllowedOAuthScopes"] == ["openid", "email", "profile"]
        assert client["GenerateSecret"] is False
        assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
        assert client["SupportedIdentityProviders"] == ["COGNITO"]
    site_callback = _site_url(synth, f"{path}callback")
    assert dev["CallbackURLs"] == [site_callback, f"http://localhost:5173{path}callback"]
    assert dev["LogoutURLs"] == [_site_url(synth, path), f"http://localhost:5173{path}"]
    # Outside dev, only the site itself.
    assert len(prod["CallbackURLs"]) == 1 and "localhost" not in json.dumps(prod)


def test_members_srp_client_keeps_srp_and_no_hosted_ui(synth) -> None:
    client = _web_client(synth, "app")

    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert "ALLOW_USER_SRP_AUTH" in client["ExplicitAuthFlows"]
    # app, member-web, console-web and the systems' client (tests/infra/test_auth.py).
    synth.template().resource_count_is("AWS::Cognito::UserPoolClient", 4)
