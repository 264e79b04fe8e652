// Display helpers: times, channel names, message statuses.

import type { MessageStatus } from '../types';
import { type MessageKey, t } from './i18n';
import { dateFormat, dayInZone, formatNumber } from './locale';

// In the profile's language and time zone (lib/locale.ts), read when each is used.
const timeOnly = (): Intl.DateTimeFormat => dateFormat('time', { hour: '2-digit', minute: '2-digit' });
const dayAndTime = (): Intl.DateTimeFormat =>
  dateFormat('day-time', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const full = (): Intl.DateTimeFormat => dateFormat('full', { dateStyle: 'medium', timeStyle: 'short' });

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Short time in the profile's zone: "14:05" today (there), "Mar 3, 14:05" otherwise. */
export function shortTime(iso: string | null | undefined, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return '';
  return dayInZone(date) === dayInZone(now) ? timeOnly().format(date) : dayAndTime().format(date);
}

/** Full date and time in the profile's zone, for tooltips. */
export function fullTime(iso: string | null | undefined): string {
  const date = parse(iso);
  return date ? full().format(date) : '';
}

/** "in 3 h 5 min" style distance to a future time; "" if past or invalid. */
export function timeUntil(iso: string | null | undefined, now: number = Date.now()): string {
  const date = parse(iso);
  if (!date) return '';
  const minutes = Math.round((date.getTime() - now) / 60_000);
  if (minutes <= 0) return '';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

interface ChannelInfo {
  label: string;
  short: string;
}

const CHANNELS: Record<string, ChannelInfo> = {
  whatsapp: { label: 'WhatsApp', short: 'WA' },
  messenger: { label: 'Messenger', short: 'FB' },
  instagram: { label: 'Instagram', short: 'IG' },
  telegram: { label: 'Telegram', short: 'TG' },
  sms: { label: 'SMS', short: 'SMS' },
  viber: { label: 'Viber', short: 'VB' },
  email: {
    get label() {
      return t('channel.email');
    },
    short: '@',
  },
};

export function channelInfo(channel: string): ChannelInfo {
  return (
    CHANNELS[channel] ?? {
      label: channel ? channel.charAt(0).toUpperCase() + channel.slice(1) : t('channel.unknown'),
      short: (channel || '?').slice(0, 2).toUpperCase(),
    }
  );
}

const STATUS_LABELS: Record<MessageStatus, MessageKey> = {
  received: 'status.received',
  queued: 'status.queued',
  sent: 'status.sent',
  delivered: 'status.delivered',
  read: 'status.read',
  failed: 'status.failed',
};

export function statusLabel(status: string): string {
  const key = STATUS_LABELS[status as MessageStatus];
  return key ? t(key) : status;
}

const STATE_LABELS: Record<string, MessageKey> = { new: 'state.new', assigned: 'state.assigned', archived: 'state.archived' };

export function stateLabel(state: string): string {
  const key = STATE_LABELS[state];
  return key ? t(key) : state;
}

/** "1.2 MB" style size of a file. */
export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return `${formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${units[unit]}`;
}

/** The customer's name, or their address on the channel when the channel gave no name. */
export function customerLabel(conversation: { customer_name: string | null; customer_id: string }): string {
  return conversation.customer_name || conversation.customer_id;
}

/** A name as people read it: compatibility forms folded, case ignored, invisible characters and extra spaces gone. */
function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLocaleLowerCase();
}

/**
 * Whether a customer's display name reads as a colleague's (a mail "From: Alex Agent <x@evil>"):
 * such a name is shown with a marker and the customer's own address, so nobody mistakes the
 * customer for staff. Colleagues' own notes carry no marker: their names come from the directory.
 */
export function impersonatesStaff(customerName: string | null, staffNames: Iterable<string>): boolean {
  if (!customerName) return false;
  const key = nameKey(customerName);
  if (!key) return false;
  for (const staff of staffNames) if (nameKey(staff) === key) return true;
  return false;
}
