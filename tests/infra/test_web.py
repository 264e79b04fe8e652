"""The web app behind CloudFront (origin access control, private bucket) sharing its origin with the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from infra import constants
from infra.constructs.web import WebHosting
from tests.infra.conftest import Synthesized, empty_stack

pytestmark = pytest.mark.infra

BLOCK_ALL = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
             "RestrictPublicBuckets": True}


def _distribution(synthesized: Synthesized) -> dict[str, Any]:
    (distribution,) = synthesized.of_type("AWS::CloudFront::Distribution").values()
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def test_web_bucket_is_reached_through_origin_access_control_only(synthesized: Synthesized) -> None:
    # Given the distribution and the web bucket
    config = _distribution(synthesized)
    bucket_id = synthesized.logical_id(synthesized.stack.web.bucket)
    (oac_id,) = synthesized.of_type("AWS::CloudFront::OriginAccessControl")

    # When finding the bucket's origin
    (origin,) = [o for o in config["Origins"] if o["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}]

    # Then CloudFront signs its requests with origin access control (no legacy identity)
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    # And the bucket blocks all public access
    assert synthesized.resources[bucket_id]["Properties"]["PublicAccessBlockConfiguration"] == BLOCK_ALL


def test_every_bucket_blocks_public_access(synthesized: Synthesized) -> None:
    for bucket in synthesized.of_type("AWS::S3::Bucket").values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == BLOCK_ALL


def test_api_path_is_forwarded_to_the_rest_api_uncached(synthesized: Synthesized) -> None:
    # Given the distribution's behaviours
    config = _distribution(synthesized)
    (behaviour,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == constants.API_PATH_PATTERN]
    (origin,) = [o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"]]

    # Then the API origin is the execute-api domain of the Chalice REST API, over TLS 1.2
    assert origin["DomainName"]["Fn::Join"][1][:2] == [{"Ref": "RestAPI"}, ".execute-api."]
    assert origin["CustomOriginConfig"] == {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]}
    # And nothing is cached and every viewer header but Host reaches API Gateway
    assert behaviour["CachePolicyId"] == cloudfront.CachePolicy.CACHING_DISABLED.cache_policy_id
    assert behaviour["OriginRequestPolicyId"] == (
        cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.origin_request_policy_id)
    assert "POST" in behaviour["AllowedMethods"]
    assert behaviour["ViewerProtocolPolicy"] == "https-only"


def test_web_app_defaults(synthesized: Synthesized) -> None:
    config = _distribution(synthesized)
    assert config["DefaultRootObject"] == constants.WEB_INDEX_DOCUMENT
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    # The web app's own headers policy: CSP, nosniff, no framing, HSTS, referrer and permissions
    policy_id = synthesized.logical_id(synthesized.stack.web.headers_policy)
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    policy = synthesized.resources[policy_id]["Properties"]["ResponseHeadersPolicyConfig"]
    security = policy["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert [h["Header"] for h in policy["CustomHeadersConfig"]["Items"]] == ["Permissions-Policy"]
    # The SPA fallback runs on the default behaviour only: API 403/404 answers stay as they are
    assert "CustomErrorResponses" not in config
    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"


def _web_alone(assets_dir: Path | None) -> Template:
    stack = empty_stack()
    WebHosting(stack, "Web", app_name="unit", api_domain_name="example.execute-api.us-east-1.amazonaws.com",
               api_path_pattern=constants.API_PATH_PATTERN, index_document=constants.WEB_INDEX_DOCUMENT,
               access_logs=s3.Bucket(stack, "Logs"), log_prefix="cloudfront/", assets_dir=assets_dir)
    return Template.from_stack(stack)


def test_web_construct_deploys_the_built_app(tmp_path: Path) -> None:
    # Given a built web app
    (tmp_path / constants.WEB_INDEX_DOCUMENT).write_text("<!doctype html>")

    # When the construct is synthesized alone with it
    template = _web_alone(tmp_path)

    # Then the app is copied to the bucket and the distribution invalidated
    template.has_resource_properties("Custom::CDKBucketDeployment", {
        "DistributionPaths": ["/*"], "DistributionId": Match.any_value()})
    template.has_resource_properties("AWS::CloudFront::Function", {
        "FunctionConfig": {"Comment": Match.any_value(), "Runtime": "cloudfront-js-2.0"}})


def test_web_construct_without_a_built_app_keeps_the_bucket_only() -> None:
    template = _web_alone(None)
    template.resource_count_is("Custom::CDKBucketDeployment", 0)
    template.resource_count_is("AWS::CloudFront::Distribution", 1)
