"""The infrastructure suite: the whole app synthesized once per session, and helpers to read it.

Synthesis runs ``chalice package`` (which builds the functions' deployment package from PyPI), so
it happens once, in a session fixture. Chalice imports the Chalice app with the stack's environment
variables (CDK token strings) exported into ``os.environ``; the fixture gives the process its
environment, its ``app`` module and its cached settings back afterwards, so later suites in the
same run are unaffected. The tests read the written template, since a second synthesis would
package the app again.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import cloudformation_include as cfn_include
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, NagPack, ServerlessChecks

from infra import constants
from infra.stack import ContactStack, build
from tests.infra import sam

# Not the default: proves that the app name reaches every physical name, the packaged app included.
APP_NAME = "infra-test"
# The optional parts on, so that the checks of the whole stack (cdk-nag above all) see them.
EMAIL_ACCOUNTS = {"mail-account-1": "support@acme.example"}
CONTEXT = {
    constants.CONTEXT_APP_NAME: APP_NAME,
    constants.CONTEXT_EMAIL_ACCOUNTS: EMAIL_ACCOUNTS,
    constants.CONTEXT_COGNITO_SENDER: "no-reply@acme.example",
    constants.CONTEXT_MONTHLY_BUDGET: "500",
}


@dataclass(frozen=True)
class Synthesized:
    app_name: str
    stack: ContactStack
    template: dict[str, Any]
    # The cloud assembly: the template and the assets (the functions' deployment package).
    outdir: Path
    # The cdk-nag validation failure, if synthesis raised one (the template is written regardless).
    error: str | None
    # CDK's policy validation report; written only when there is a finding (errors or warnings).
    report: dict[str, Any] | None

    @property
    def assertions(self) -> Template:
        return Template.from_json(self.template)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {logical_id: resource for logical_id, resource in self.resources.items()
                if resource["Type"] == resource_type}

    def logical_id(self, construct: Any) -> str:
        """The logical id of an L1 resource or of an L2 construct's default child (as overridden,
        e.g. the ids CfnInclude keeps for Chalice's resources)."""
        element = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
        return str(self.stack.resolve(element.logical_id))


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    work = tmp_path_factory.mktemp("synth")
    web_assets = work / "web"
    web_assets.mkdir()
    (web_assets / constants.WEB_INDEX_DOCUMENT).write_text("<!doctype html><title>inbox</title>\n")
    outdir = work / "cdk.out"
    with _isolated_packaging(work):
        app = cdk.App(outdir=str(outdir), context=CONTEXT)
        stack = build(app, web_assets_dir=web_assets)
        error = None
        try:
            app.synth()
        except RuntimeError as failure:  # jsii raises cdk-nag's ValidationFailed as a RuntimeError
            error = str(failure)
    report_file = outdir / "validation-report.json"
    return Synthesized(
        app_name=APP_NAME,
        stack=stack,
        template=json.loads((outdir / stack.template_file).read_text()),
        outdir=outdir,
        error=error,
        report=json.loads(report_file.read_text()) if report_file.exists() else None,
    )


@contextmanager
def _isolated_packaging(work: Path) -> Iterator[None]:
    """Run the synthesis in ``work`` (Chalice writes chalice.out/ into the working directory) and
    restore the process state that packaging the Chalice app changes."""
    cwd, environ = os.getcwd(), dict(os.environ)
    app_module = sys.modules.pop("app", None)
    _clear_settings_cache()
    os.environ.setdefault("AWS_DEFAULT_REGION", constants.DEFAULT_REGION)
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    os.chdir(work)
    try:
        yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
        sys.modules.pop("app", None)
        if app_module is not None:
            sys.modules["app"] = app_module
        _clear_settings_cache()


def _clear_settings_cache() -> None:
    settings = sys.modules.get("chalicelib.core.settings")
    if settings is not None:
        settings.get_settings.cache_clear()


@dataclass(frozen=True)
class Expanded:
    """The synthesized template with its SAM resources expanded (``tests/infra/sam.py``)."""

    template: dict[str, Any]
    # Expanded logical id -> the logical id of the synthesized resource it comes from.
    origin: dict[str, str]
    # cdk-nag findings ("<pack>::<rule>[finding]", expanded logical id) not acknowledged on the
    # construct (or an ancestor) of the resource they come from.
    findings: list[tuple[str, str]]

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {logical_id: resource for logical_id, resource in self.template["Resources"].items()
                if resource["Type"] == resource_type}


NAG_PACKS: tuple[type[NagPack], ...] = (AwsSolutionsChecks, ServerlessChecks)


@pytest.fixture(scope="session")
def expanded(synthesized: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> Expanded:
    template = sam.expand(synthesized.template)
    origin = sam.sam_origin(synthesized.template, template)
    template_file = tmp_path_factory.mktemp("expanded") / "template.json"
    template_file.write_text(json.dumps(template))
    stack = cdk.Stack(cdk.App(), "Expanded")
    cfn_include.CfnInclude(stack, "Template", template_file=str(template_file))
    acknowledged = acknowledgments_by_logical_id(synthesized)
    findings = []
    for pack_type in NAG_PACKS:
        pack = pack_type()
        for violation in pack.validate_scope(stack).violations:
            for resource in violation.violating_resources:
                logical_id = str(resource.construct_path).rsplit("/", 1)[-1]
                rule = f"{pack.read_pack_name}::{violation.rule_name}"
                if rule not in acknowledged.get(origin[logical_id], set()):
                    findings.append((rule, logical_id))
    return Expanded(template=template, origin=origin, findings=findings)


def acknowledgments_by_logical_id(synthesized: Synthesized) -> dict[str, set[str]]:
    """Logical id of each resource of the stack -> the rules acknowledged on it or an ancestor."""
    acknowledged: dict[str, set[str]] = {}
    for construct in synthesized.stack.node.find_all():
        if not isinstance(construct, cdk.CfnElement):
            continue
        rules: set[str] = set()
        scope: Any = construct
        while scope is not None:
            for entry in scope.node.metadata:
                if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                    rules.update(entry.data)
            scope = scope.node.scope
        acknowledged[synthesized.logical_id(construct)] = rules
    return acknowledged


def join(value: Any) -> str:
    """A template string value with any Fn::Join of literals flattened (tokens become <Ref>)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(join(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        return str(value["Fn::Sub"])
    raise AssertionError(f"cannot flatten {value!r}")


def empty_stack() -> cdk.Stack:
    """A stack of its own for one construct (construct tests: fast, no Chalice packaging)."""
    return cdk.Stack(cdk.App(), "Test")
