"""The least-privilege check: each function's role against the AWS calls its code was seen to make.

The local runtime records every AWS call each function makes while the integration and e2e suites
run (``local/aws_calls.py``, ``tests/fixtures/aws_calls.json``), as an IAM action and the resource
it touches, named ``queue/<key>``, ``table``, ``index/<name>``, ``media/<folder>/``, ... This module
reads the role policies of the synthesized template, names their resources the same way, and
compares:

- every recorded call must be allowed by the function's role (else it would fail in AWS);
- every grant must be used by some recorded call, or have a reason (``Reasons``) why it is needed
  although the suites do not show it (Lambda's own calls, paths no suite reaches, ...);
- every reason must still be needed (its grant exists and nothing recorded uses it).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from local.aws_calls import Call

# Calls that IAM does not authorize: Cognito's user pool operations that the user's own token (or
# nothing, for sign-in) authorizes. A role needs no grant for them.
NOT_AUTHORIZED_BY_IAM: frozenset[str] = frozenset({
    f"cognito-idp:{operation}" for operation in (
        "InitiateAuth", "RespondToAuthChallenge", "RevokeToken", "GlobalSignOut", "AssociateSoftwareToken",
        "VerifySoftwareToken", "SetUserMFAPreference", "ChangePassword", "ForgotPassword",
        "ConfirmForgotPassword", "GetUser", "GetTokensFromRefreshToken")})


@dataclass(frozen=True, order=True)
class Grant:
    """An action a role allows on a resource named as the recorded calls name them (may be a pattern)."""

    action: str
    resource: str

    def allows(self, action: str, resource: str) -> bool:
        return fnmatch.fnmatchcase(action, self.action) and fnmatch.fnmatchcase(resource, self.resource)


@dataclass(frozen=True)
class Reason:
    """Why ``function`` (``*``: every function) holds ``action`` on ``resource`` (a grant's resource
    name, exactly as the check names it) without a recorded call using it."""

    function: str
    action: str
    resource: str
    why: str

    def covers(self, function: str, grant: Grant) -> bool:
        return (self.function in {"*", function} and fnmatch.fnmatchcase(grant.action, self.action)
                and grant.resource == self.resource)


@dataclass(frozen=True)
class Findings:
    # Recorded calls the function's role does not allow: they would fail in AWS.
    denied: tuple[Call, ...]
    # Grants no recorded call uses and no reason explains: more than the function needs.
    unused: tuple[tuple[str, Grant], ...]
    # Reasons that explain nothing any more (the grant is gone, or a recorded call uses it now).
    stale_reasons: tuple[Reason, ...]

    def report(self) -> str:
        lines = []
        lines += [f"DENIED  {call.describe()}, which its role does not allow: grant it in infra/ (or re-record "
                  "with `make record-aws-calls` if the call is gone)" for call in self.denied]
        lines += [f"UNUSED  function {function} is granted {grant.action} on {grant.resource}, which no recorded "
                  "call uses: remove the grant, or add a reason to REASONS in tests/infra/test_least_privilege.py"
                  for function, grant in self.unused]
        lines += [f"STALE   reason for {reason.function}: {reason.action} on {reason.resource} explains no "
                  "unused grant any more: remove it" for reason in self.stale_reasons]
        return "\n".join(lines)

    def __bool__(self) -> bool:
        return bool(self.denied or self.unused or self.stale_reasons)


def check(granted: Mapping[str, set[Grant]], recorded: Iterable[Call], reasons: Iterable[Reason]) -> Findings:
    """Compare each function's grants with its recorded calls (functions: the keys of ``granted``)."""
    calls = [call for call in recorded if call.action not in NOT_AUTHORIZED_BY_IAM]
    reasons = list(reasons)
    denied = tuple(sorted(call for call in calls
                          if not any(grant.allows(call.action, call.resource)
                                     for grant in granted.get(call.function, set()))))
    unused: list[tuple[str, Grant]] = []
    used_reasons: set[Reason] = set()
    for function, grants in sorted(granted.items()):
        for grant in sorted(grants):
            if any(call.function == function and grant.allows(call.action, call.resource) for call in calls):
                continue
            explained = [reason for reason in reasons if reason.covers(function, grant)]
            used_reasons.update(explained)
            if not explained:
                unused.append((function, grant))
    stale = tuple(reason for reason in reasons if reason not in used_reasons)
    return Findings(denied=denied, unused=tuple(unused), stale_reasons=stale)


# --- the template's policies, named as the recorded calls name resources -------------------------


def flatten(value: Any) -> str:
    """A policy resource as one string: references become ``<LogicalId>`` / ``<LogicalId.Attribute>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(flatten(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    if isinstance(value, dict) and "Fn::Sub" in value:
        template = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        return re.sub(r"\$\{([^}]+)\}", r"<\1>", str(template))
    raise AssertionError(f"cannot read the policy resource {value!r}")


def resource_name(resource: Any, names: Mapping[str, str]) -> str:
    """The recorded-call name of a policy resource; ``names``: logical id -> name (queues, the table,
    the media bucket, state machines, the user pool)."""
    text = flatten(resource)
    if text == "*":
        return "*"
    reference = re.fullmatch(r"<([A-Za-z0-9]+)(?:\.Arn)?>(.*)", text)
    if reference and reference.group(1) in names:
        base, rest = names[reference.group(1)], reference.group(2)
        if base == "table" and rest.startswith("/index/"):
            return "index/" + rest.removeprefix("/index/")
        return base + rest
    if ":secret:" in text:
        name = text.rsplit(":secret:", 1)[1]
        return "secret/" + name.split("/", 1)[1] if "/" in name else f"secret/{name}"
    if ":identity/" in text:
        return "identity"
    if "@connections" in text:
        return "connections"
    raise AssertionError(f"no name for the policy resource {text}")


def grants_of(statements: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> set[Grant]:
    grants = set()
    for statement in statements:
        assert statement.get("Effect", "Allow") == "Allow", statement
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        grants |= {Grant(action, resource_name(resource, names)) for action in actions for resource in resources}
    return grants
