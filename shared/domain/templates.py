"""Approved templates: their variables, and filling them before a send."""

from __future__ import annotations

import re
from collections.abc import Mapping

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.templates import TemplateRepository

from .identity import Principal, require_administrator, require_team_member
from .models import Template, TemplateContent

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MAX_VARIABLE_LENGTH = 1024


def parameters_of(body: str) -> tuple[str, ...]:
    """The body's variables in order of first appearance ({{1}}, {{2}} or named ones)."""
    return tuple(dict.fromkeys(match.group(1) for match in VARIABLE.finditer(body)))


def fill(template: Template, variables: Mapping[str, str]) -> tuple[TemplateContent, str]:
    """The provider's template content (values in parameter order) and the filled body the
    thread shows. A missing or empty variable is refused, naming it."""
    values: list[str] = []
    for name in template.parameters:
        value = (variables.get(name) or "").strip()
        if not value:
            raise InvalidInput(f"template {template.name} needs a value for variable {name!r}",
                               field=f"template.variables.{name}")
        if len(value) > MAX_VARIABLE_LENGTH:
            raise InvalidInput(f"variable {name!r} is longer than {MAX_VARIABLE_LENGTH} characters",
                               field=f"template.variables.{name}")
        values.append(value)
    unknown = sorted(set(variables) - set(template.parameters))
    if unknown:
        raise InvalidInput(f"template {template.name} has no variable {unknown[0]!r}",
                           field=f"template.variables.{unknown[0]}")
    by_name = dict(zip(template.parameters, values, strict=True))
    body = VARIABLE.sub(lambda match: by_name.get(match.group(1), match.group(0)), template.body)
    return TemplateContent(name=template.name, language=template.language, variables=values), body


_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]{2,4})?")


class TemplateCatalogue:
    """Approved templates per channel account: agents list them, administrators keep them."""

    def __init__(self, repository: ContactRepository, templates: TemplateRepository) -> None:
        self._repository = repository
        self._templates = templates

    def for_conversation(self, principal: Principal, conversation_id: str, language: str | None) -> list[Template]:
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return self._templates.list(conversation.account_id, language)

    def for_account(self, principal: Principal, account_id: str, language: str | None) -> list[Template]:
        self._account(account_id)
        return self._templates.list(account_id, language)

    def put(self, principal: Principal, account_id: str, *, name: str, language: str, body: str,
            parameters: list[str] | None) -> Template:
        require_administrator(principal)
        self._account(account_id)
        if not _TEMPLATE_NAME.fullmatch(name):
            raise InvalidInput("a template name has lowercase letters, digits and underscores", field="name")
        if not _LANGUAGE.fullmatch(language):
            raise InvalidInput(f"{language!r} is not a language code such as en or en_US", field="language")
        if not body.strip():
            raise InvalidInput("a template body must not be empty", field="body")
        found = parameters_of(body)
        if parameters is not None and tuple(parameters) != found:
            raise InvalidInput(f"parameters {parameters} do not match the body's variables {list(found)}",
                               field="parameters")
        return self._templates.put(Template(account_id=account_id, name=name, language=language, body=body,
                                            parameters=found))

    def delete(self, principal: Principal, account_id: str, name: str, language: str) -> None:
        require_administrator(principal)
        self._templates.delete(account_id, name, language)

    def _account(self, account_id: str) -> None:
        if self._repository.get_channel_account(account_id) is None:
            raise NotFound(f"channel account {account_id} does not exist", field="account_id")
