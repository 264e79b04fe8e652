import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { t } from '../lib/i18n';
import type { Conversation, Message, Template, TemplateChoice } from '../types';
import { Dialog } from './Dialog';
import { TemplateForm, templateComplete, templateToSend } from './TemplateForm';

interface Props {
  conversation: Conversation;
  /** The customer message whose route the template goes on (the agent's Send on choice). */
  replyTo?: string | null;
  onClose(): void;
  onSent(message: Message): void;
}

/** Send an approved template: the only message that may go once the window has closed, and a
 * ready-made one while it is open. */
export function TemplateDialog({ conversation, replyTo = null, onClose, onSent }: Props) {
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [choice, setChoice] = useState<TemplateChoice | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.conversationTemplates(conversation.id).then(
      (answer) => live && setTemplates(answer.items),
      (caught: unknown) => {
        if (!live) return;
        setTemplates([]);
        setError(errorMessage(caught));
      },
    );
    return () => {
      live = false;
    };
  }, [conversation.id]);

  const ready = templates !== null && templateComplete(templates, choice);

  const send = async (): Promise<void> => {
    if (!ready || !choice || !templates) return;
    setBusy(true);
    setError(null);
    try {
      onSent(await api.sendTemplate(conversation.id, templateToSend(templates, choice), replyTo));
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('template.send_title')} testId="template-dialog" onClose={onClose}>
      {templates === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : (
        <TemplateForm templates={templates} choice={choice} onChange={setChoice} />
      )}
      {choice && !ready && <p class="muted">{t('template.fill_all')}</p>}
      <p class={error ? 'dialog__error' : 'dialog__error dialog__error--empty'} role="alert">
        {error}
      </p>
      <div class="dialog__actions">
        <button type="button" class="button" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" class="button button--primary" disabled={!ready || busy} onClick={() => void send()}>
          {t('template.send')}
        </button>
      </div>
    </Dialog>
  );
}
