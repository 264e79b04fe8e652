"""The web app: a private bucket behind CloudFront, which also forwards the API path to API Gateway.

Sharing one origin keeps the browser free of CORS. The single-page-app fallback is a viewer-request
CloudFront Function on the default behaviour, not distribution-wide error responses: those would
also turn the API's own 403 and 404 answers into ``index.html``.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, DefaultStackSynthesizer, Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from chalicelib.core import web_policy
from constructs import Construct

from .buckets import private_bucket
from .nag import SERVERLESS, acknowledge, managed_policy_finding, objects_finding

BUCKET_DEPLOYMENT_HANDLER_PREFIX = "Custom::CDKBucketDeployment"
# Paths whose last segment has no dot are app routes: serve the app's entry page for them.
SPA_REWRITE_CODE = """\
function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/%s';
  }
  return request;
}
"""


class WebHosting(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, app_name: str, api_domain_name: str,
                 api_path_pattern: str, index_document: str, access_logs: s3.IBucket, log_prefix: str,
                 assets_dir: Path | None) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self, "Bucket",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web/",
        )
        spa_rewrite = cloudfront.Function(
            self, "SpaRewrite",
            code=cloudfront.FunctionCode.from_inline(SPA_REWRITE_CODE % index_document),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            # CloudFront functions are global to the account: the name tells installations apart.
            function_name=f"{app_name}-{Aws.REGION}-spa-rewrite",
            comment="Serves the web app's entry page for its client-side routes",
        )
        api_origin = origins.HttpOrigin(
            api_domain_name,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.headers_policy = self._headers_policy(app_name)
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment="Contact inbox web app and API",
            default_root_object=index_document,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers_policy,
                function_associations=[cloudfront.FunctionAssociation(
                    function=spa_rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)],
            ),
            additional_behaviors={
                api_path_pattern: cloudfront.BehaviorOptions(
                    origin=api_origin,
                    # A redirect would drop the body of a POST, so plain HTTP is refused instead.
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                ),
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix=log_prefix,
        )
        acknowledge(self.distribution, "CFR1",
                    "Agents and customers' providers may call from any country; no geo restriction applies.")
        acknowledge(self.distribution, "CFR2",
                    "No AWS WAF web ACL yet: it must live in us-east-1 and is billed per rule; API "
                    "Gateway throttling and Cognito-authenticated routes protect the API meanwhile.")
        acknowledge(self.distribution, "CFR4",
                    "The distribution uses the default *.cloudfront.net certificate (no custom domain), "
                    "for which CloudFront cannot enforce a minimum TLS version.")
        self.url = f"https://{self.distribution.distribution_domain_name}"
        self.deployment = self._deploy(assets_dir) if assets_dir is not None else None

    def _headers_policy(self, app_name: str) -> cloudfront.ResponseHeadersPolicy:
        """The web app's security headers and Content-Security-Policy (shared/core/web_policy.py,
        which the local runtime serves too)."""
        headers = web_policy.web_headers(web_policy.AWS_MEDIA_ORIGINS, web_policy.AWS_PUSH_ORIGINS)
        return cloudfront.ResponseHeadersPolicy(
            self, "WebHeaders",
            response_headers_policy_name=f"{app_name}-{Aws.REGION}-web-headers",
            comment="Security headers and CSP of the agents' web app",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=headers["Content-Security-Policy"], override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(web_policy.HSTS_SECONDS), include_subdomains=True,
                    override=True),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=[
                cloudfront.ResponseCustomHeader(header="Permissions-Policy", value=headers["Permissions-Policy"],
                                                override=True)]),
        )

    def _deploy(self, assets_dir: Path) -> s3deploy.BucketDeployment:
        deployment = s3deploy.BucketDeployment(
            self, "Assets",
            sources=[s3deploy.Source.asset(str(assets_dir))],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
        )
        # The deployment's Lambda function is a singleton that CDK puts at the stack's root.
        stack = Stack.of(self)
        handlers = [child for child in stack.node.children
                    if child.node.id.startswith(BUCKET_DEPLOYMENT_HANDLER_PREFIX)]
        reason = ("aws-cdk-lib generates BucketDeployment's singleton Lambda function, its runtime and "
                  "its role's policy (asset bucket read, web bucket write, CloudFront invalidation); "
                  "they cannot be configured and run only during deployments.")
        asset_bucket = (DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME
                        .replace("${Qualifier}", DefaultStackSynthesizer.DEFAULT_QUALIFIER)
                        .replace("${AWS::AccountId}", "<AWS::AccountId>")
                        .replace("${AWS::Region}", "<AWS::Region>"))
        for handler in handlers:
            acknowledge(handler, "L1", reason)
            for rule in ("LambdaLatestVersion", "LambdaTracing"):
                acknowledge(handler, rule, reason, pack=SERVERLESS)
            acknowledge(handler, "LambdaDLQ", "CloudFormation invokes the deployment function for its custom "
                        "resource and fails the deployment when it fails; there is no event to keep.", pack=SERVERLESS)
            acknowledge(handler, "IAM4", reason, managed_policy_finding("service-role/AWSLambdaBasicExecutionRole"))
            acknowledge(handler, "IAM5", reason,
                        *(f"Action::s3:{action}*" for action in ("GetObject", "GetBucket", "List", "DeleteObject",
                                                                  "Abort")),
                        "Resource::*",
                        f"Resource::arn:<AWS::Partition>:s3:::{asset_bucket}/*",
                        objects_finding(self.bucket))
        return deployment
