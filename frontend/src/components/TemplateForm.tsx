import type { ComponentChild } from 'preact';
import { useId } from 'preact/hooks';
import { t } from '../lib/i18n';
import { USER_CONTENT } from '../lib/userContent';
import type { Template, TemplateChoice } from '../types';

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export function parametersOf(template: Template): string[] {
  if (template.parameters?.length) return template.parameters;
  return [...new Set(Array.from(template.body.matchAll(VARIABLE), (match) => match[1] ?? ''))];
}

/** Every variable of the chosen template has a value. */
export function templateComplete(templates: Template[], choice: TemplateChoice | null): boolean {
  const template = choice && findTemplate(templates, choice.name, choice.language);
  return !!template && parametersOf(template).every((name) => (choice.variables[name] ?? '').trim() !== '');
}

function findTemplate(templates: Template[], name: string, language: string): Template | undefined {
  return templates.find((template) => template.name === name && template.language === language);
}

/** What a variable means (the administrator's label), else its name. */
export function variableLabel(template: Template, name: string): string {
  return template.labels?.[name] || name;
}

/** The template's body with each variable shown as its value (highlighted) or its meaning (to fill). */
export function TemplatePreview({ template, variables }: { template: Template; variables: Record<string, string> }) {
  const parts: ComponentChild[] = [];
  let last = 0;
  for (const match of template.body.matchAll(VARIABLE)) {
    const index = match.index ?? 0;
    parts.push(template.body.slice(last, index));
    const name = match[1] ?? '';
    const value = (variables[name] ?? '').trim();
    parts.push(
      value ? (
        <mark class="var var--filled" key={index}>
          {value}
        </mark>
      ) : (
        <mark class="var var--empty" key={index} data-testid="template-variable-empty">
          {variableLabel(template, name)}
        </mark>
      ),
    );
    last = index + match[0].length;
  }
  parts.push(template.body.slice(last));
  return (
    <p class="template-preview" data-testid="template-preview" {...USER_CONTENT}>
      {parts}
    </p>
  );
}

interface Props {
  templates: Template[];
  choice: TemplateChoice | null;
  onChange(choice: TemplateChoice | null): void;
}

/**
 * Choose an approved template, its language, and fill its variables. The preview shows the
 * message as it will go; values are typed by the agent (text only).
 */
export function TemplateForm({ templates, choice, onChange }: Props) {
  const id = useId();
  const names = [...new Set(templates.map((template) => template.name))].sort();
  const languages = choice ? templates.filter((t) => t.name === choice.name).map((t) => t.language).sort() : [];
  const template = choice ? findTemplate(templates, choice.name, choice.language) : undefined;

  const pickName = (name: string): void => {
    if (!name) {
      onChange(null);
      return;
    }
    const available = templates.filter((t) => t.name === name).map((t) => t.language);
    const language = choice && available.includes(choice.language) ? choice.language : (available.sort()[0] ?? '');
    onChange({ name, language, variables: choice?.variables ?? {} });
  };

  if (templates.length === 0) {
    return <p class="muted">{t('template.none')}</p>;
  }

  return (
    <div class="template-form">
      <div class="form-row">
        <div class="field">
          <label class="field__label" for={`${id}-template`}>
            {t('template.template')}
          </label>
          <select id={`${id}-template`} class="select" value={choice?.name ?? ''} onChange={(event) => pickName(event.currentTarget.value)}>
            <option value="">{t('template.select')}</option>
            {names.map((name) => (
              <option key={name} value={name} {...USER_CONTENT}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label class="field__label" for={`${id}-language`}>
            {t('template.language')}
          </label>
          <select
            id={`${id}-language`}
            class="select"
            value={choice?.language ?? ''}
            disabled={!choice}
            onChange={(event) => choice && onChange({ ...choice, language: event.currentTarget.value })}
          >
            {languages.map((language) => (
              <option key={language} value={language}>
                {language}
              </option>
            ))}
          </select>
        </div>
      </div>
      {template && choice && (
        <>
          <TemplatePreview template={template} variables={choice.variables} />
          {parametersOf(template).map((name) => (
            <label class="field" key={name} for={`${id}-${name}`}>
              <span class="field__label" {...USER_CONTENT}>
                {variableLabel(template, name)}
              </span>
              <input
                id={`${id}-${name}`}
                type="text"
                maxLength={1024}
                value={choice.variables[name] ?? ''}
                placeholder={t('template.enter_text')}
                onInput={(event) =>
                  onChange({ ...choice, variables: { ...choice.variables, [name]: event.currentTarget.value } })
                }
              />
            </label>
          ))}
        </>
      )}
    </div>
  );
}

/** The variables the chosen template uses, trimmed (the API refuses names it does not have). */
export function templateToSend(templates: Template[], choice: TemplateChoice): TemplateChoice {
  const template = findTemplate(templates, choice.name, choice.language);
  const names = template ? parametersOf(template) : Object.keys(choice.variables);
  return {
    name: choice.name,
    language: choice.language,
    variables: Object.fromEntries(names.map((name) => [name, (choice.variables[name] ?? '').trim()])),
  };
}

/** The message the template makes with these values (for the review step). */
export function filledBody(template: Template, variables: Record<string, string>): string {
  return template.body.replace(VARIABLE, (whole, name: string) => variables[name]?.trim() || whole);
}
