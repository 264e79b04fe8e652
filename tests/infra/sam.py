"""The synthesized template as CloudFormation creates it: Chalice's SAM resources expanded.

Chalice emits ``AWS::Serverless::Function`` and ``AWS::Serverless::Api``; CloudFormation's
``AWS::Serverless-2016-10-31`` transform turns them into functions, event source mappings,
permissions, a REST API, its deployment and stages at deployment time. cdk-nag and template
assertions only see what is in the template, so the infra suite runs the same transform (AWS's own
translator library, offline) and checks what comes out.
"""

from __future__ import annotations

import copy
from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from infra import constants

SERVERLESS_PREFIX = "AWS::Serverless::"


def expand(template: dict[str, Any]) -> dict[str, Any]:
    """``template`` with its SAM resources replaced by the CloudFormation resources they become."""
    # The region only fills the AWS::Region pseudo parameter; no call is made.
    translator = Translator({}, Parser(), boto_session=boto3.session.Session(region_name=constants.DEFAULT_REGION))
    expanded: dict[str, Any] = translator.translate(copy.deepcopy(template), {}, passthrough_metadata=True,
                                                    get_managed_policy_map=dict)
    return expanded


def sam_origin(template: dict[str, Any], expanded: dict[str, Any]) -> dict[str, str]:
    """Logical id of each resource of ``expanded`` -> the logical id in ``template`` it comes from
    (itself, or the SAM resource whose expansion created it: SAM prefixes what it adds with the
    SAM resource's logical id)."""
    sam_ids = sorted((logical_id for logical_id, resource in template["Resources"].items()
                      if resource["Type"].startswith(SERVERLESS_PREFIX)), key=len, reverse=True)
    origin = {}
    for logical_id in expanded["Resources"]:
        if logical_id in template["Resources"]:
            origin[logical_id] = logical_id
        else:
            origin[logical_id] = next(sam_id for sam_id in sam_ids if logical_id.startswith(sam_id))
    return origin
