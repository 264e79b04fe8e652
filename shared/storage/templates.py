"""Approved message templates per channel account (WhatsApp). In production they follow the
provider's approved list (an administrator syncs them, domain/templates.py) and administrators
keep them through the API."""

from __future__ import annotations

from chalicelib.domain.errors import NotFound
from chalicelib.domain.work_models import Template
from pynamodb.pagination import ResultIterator

from . import keys
from .conditions import refused_as
from .items import TemplateItem


def _to_template(item: TemplateItem) -> Template:
    labels = item.labels.as_dict() if item.labels else {}
    return Template(account_id=item.account_id, name=item.name, language=item.language, body=item.body,
                    parameters=tuple(item.parameters or ()), labels={str(k): str(v) for k, v in labels.items()})


class TemplateRepository:
    def list(self, account_id: str, language: str | None = None) -> list[Template]:
        """One account's templates (one Query; an account has tens of templates, not more)."""
        results: ResultIterator[TemplateItem] = TemplateItem.query(keys.template_pk(account_id))
        return [_to_template(item) for item in results if language is None or item.language == language]

    def get(self, account_id: str, name: str, language: str) -> Template:
        try:
            return _to_template(TemplateItem.get(keys.template_pk(account_id), keys.template_sk(name, language)))
        except TemplateItem.DoesNotExist as error:
            raise NotFound(f"template {name!r} in language {language!r} is not approved for account {account_id}",
                           field="template.name") from error

    def put(self, template: Template) -> Template:
        TemplateItem(keys.template_pk(template.account_id), keys.template_sk(template.name, template.language),
                     account_id=template.account_id, name=template.name, language=template.language,
                     body=template.body, parameters=list(template.parameters),
                     labels=dict(template.labels) or None).save()
        return template

    def delete(self, account_id: str, name: str, language: str) -> None:
        with refused_as(NotFound(f"template {name!r} in language {language!r} does not exist", field="name")):
            TemplateItem(keys.template_pk(account_id), keys.template_sk(name, language)).delete(
                condition=TemplateItem.pk.exists())
