"""Approved templates: their variables, and filling them before a send."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from chalicelib.domain.errors import InvalidInput, NotFound, ProviderError

from .identity import Principal, require_administrator, require_team_member
from .models import Frozen, TemplateContent
from .ports.channels import SendFailed
from .work_models import Template

if TYPE_CHECKING:
    from .ports.conversations import Conversations
    from .ports.directory import ChannelAccounts
    from .ports.work import ProviderTemplates, TemplateStore

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
    names = list(template.parameters) if template.named else None
    return TemplateContent(name=template.name, language=template.language, variables=values,
                           parameter_names=names), body


_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]{2,4})?")
MAX_LABEL_LENGTH = 100


def _check_variables(parameters: tuple[str, ...]) -> None:
    """Positional variables are {{1}}, {{2}}, ... with none skipped; a template does not mix them
    with named ones ({{first_name}})."""
    positional = [name for name in parameters if name.isdigit()]
    if positional and len(positional) != len(parameters):
        raise InvalidInput("a template has either numbered variables ({{1}}) or named ones ({{first_name}}), "
                           "not both", field="body")
    if positional and sorted(int(name) for name in positional) != list(range(1, len(positional) + 1)):
        raise InvalidInput("numbered variables run {{1}}, {{2}}, ... without gaps", field="body")


def _checked_labels(labels: Mapping[str, str] | None, parameters: tuple[str, ...]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, label in (labels or {}).items():
        if name not in parameters:
            raise InvalidInput(f"label for {name!r}, which is not a variable of the body", field=f"labels.{name}")
        if len(label.strip()) > MAX_LABEL_LENGTH:
            raise InvalidInput(f"the label of {name!r} is longer than {MAX_LABEL_LENGTH} characters",
                               field=f"labels.{name}")
        if label.strip():
            kept[name] = label.strip()
    return kept


class TemplateSync(Frozen):
    """What a sync with the provider did: the account's templates now, and what changed."""

    items: list[Template]
    added: list[str]
    updated: list[str]
    # Templates kept here that the provider does not list as approved (not removed: an
    # administrator decides).
    not_at_provider: list[str]


class TemplateCatalogue:
    """Approved templates per channel account: agents list them, administrators keep them."""

    def __init__(self, repository: Conversations, templates: TemplateStore, *, accounts: ChannelAccounts,
                 source: ProviderTemplates | None = None) -> None:
        self._source = source
        self._repository = repository
        self._accounts = accounts
        self._templates = templates

    def for_conversation(self, principal: Principal, conversation_id: str, language: str | None) -> list[Template]:
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        return self._templates.list(conversation.account_id, language)

    def for_account(self, principal: Principal, account_id: str, language: str | None) -> list[Template]:
        self._account(account_id)
        return self._templates.list(account_id, language)

    def put(self, principal: Principal, account_id: str, *, name: str, language: str, body: str,
            parameters: list[str] | None, labels: Mapping[str, str] | None = None) -> Template:
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
        _check_variables(found)
        return self._templates.put(Template(account_id=account_id, name=name, language=language, body=body,
                                            parameters=found, labels=_checked_labels(labels, found)))

    def sync(self, principal: Principal, account_id: str) -> TemplateSync:
        """Take the provider's approved templates of the account: new ones added, changed bodies
        replaced (labels kept for variables that remain); templates the provider no longer lists
        are reported, not removed."""
        require_administrator(principal)
        account = self._accounts.cached(account_id)
        if account is None:
            raise NotFound(f"channel account {account_id} does not exist", field="account_id")
        if self._source is None:
            raise InvalidInput("templates cannot be read from providers here", field="account_id")
        current = {(t.name, t.language): t for t in self._templates.list(account_id)}
        added: list[str] = []
        updated: list[str] = []
        seen: set[tuple[str, str]] = set()
        try:
            approved = self._source.approved_templates(account)
        except SendFailed as failure:
            raise ProviderError(f"the provider did not list the templates of {account_id}: {failure.message}",
                                field="account_id") from failure
        for provided in approved:
            key = (provided.name, provided.language)
            seen.add(key)
            before = current.get(key)
            labels = {name: label for name, label in (before.labels if before else {}).items()
                      if name in provided.parameters}
            template = provided.model_copy(update={"account_id": account_id, "labels": labels})
            if before == template:
                continue
            self._templates.put(template)
            (updated if before else added).append(f"{provided.name} ({provided.language})")
        missing = [f"{name} ({language})" for name, language in sorted(set(current) - seen)]
        return TemplateSync(items=self._templates.list(account_id), added=added, updated=updated,
                            not_at_provider=missing)

    def delete(self, principal: Principal, account_id: str, name: str, language: str) -> None:
        require_administrator(principal)
        self._templates.delete(account_id, name, language)

    def _account(self, account_id: str) -> None:
        if self._accounts.cached(account_id) is None:
            raise NotFound(f"channel account {account_id} does not exist", field="account_id")
