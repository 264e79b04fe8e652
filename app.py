#!/usr/bin/env python3
"""The CDK app: ``python app.py`` (or ``cdk synth``) synthesizes the contact inbox stack.

It needs no AWS credentials and no network beyond PyPI, which ``chalice package`` uses to build the
functions' deployment package. The app name comes from the ``app_name`` context value
(``cdk deploy -c app_name=...``).
"""

from __future__ import annotations

import os

# jsii warns at length when Node.js is newer than it was tested with; synthesis works regardless.
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")

import aws_cdk as cdk

from infra import constants
from infra.stack import build


def main() -> None:
    # `chalice package` needs a region, even though the stack itself is environment-agnostic.
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("CDK_DEFAULT_REGION", constants.DEFAULT_REGION))
    app = cdk.App()
    web_assets_dir = constants.WEB_ASSETS_DIR if constants.WEB_ASSETS_DIR.is_dir() else None
    build(app, web_assets_dir=web_assets_dir)
    app.synth()


if __name__ == "__main__":
    main()
