// Why a message did not reach the customer, in words an agent can act on. Providers report
// codes ("131026", "21610", "403") with their own terse text; the known ones get a reason and
// what to do, the others the provider's text.

import { type MessageKey, t } from './i18n';

const REASONS: Record<string, MessageKey> = {
  // WhatsApp (Cloud API)
  '131026': 'failure.undeliverable',
  '131047': 'failure.window_closed',
  '470': 'failure.window_closed',
  '131048': 'failure.spam_limit',
  '131049': 'failure.marketing_limit',
  '130429': 'failure.rate_limit',
  '131056': 'failure.rate_limit',
  '80007': 'failure.rate_limit',
  '131051': 'failure.unsupported',
  '132000': 'failure.template_params',
  '132001': 'failure.template_missing',
  // Messenger and Instagram
  '551': 'failure.blocked',
  '10/2018278': 'failure.window_closed',
  '2018278': 'failure.window_closed',
  // Telegram (the bot was blocked or the chat is gone)
  '403': 'failure.blocked',
  // Twilio SMS
  '21610': 'failure.opted_out',
  '21211': 'failure.bad_number',
  '21614': 'failure.not_mobile',
  '30003': 'failure.unreachable',
  '30004': 'failure.blocked',
  '30005': 'failure.bad_number',
  '30006': 'failure.not_mobile',
  '30007': 'failure.filtered',
  // ours
  network: 'failure.network',
  mms_unsupported: 'failure.mms',
  media_unavailable: 'failure.media_gone',
  message_too_large: 'failure.too_large',
  template_unsupported: 'failure.no_templates',
};

/** The agent's reason for a failure code, or null when the code is not one we know. */
export function failureReason(code: string | null | undefined): string | null {
  const key = code ? REASONS[code] : undefined;
  return key ? t(key) : null;
}
