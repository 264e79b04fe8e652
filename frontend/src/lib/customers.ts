// The customer profile API as the panel beside a conversation and the customer page call it
// (GET/PATCH /customers/{id}, addresses, consent, merge, the communication log), and the pure
// helpers they share (which address a conversation's customer id is, its consent).

import { query, request } from '../api';
import type { Api, Page } from '../types';

export type CustomerView = Api.CustomerOut;
export type CustomerProfile = Api.CustomerProfile;
export type AddressView = Api.AddressView;
export type ConsentState = Api.ConsentState;
export type ConversationSummary = Api.ConversationSummary;
export type CommunicationEntry = Api.CommunicationEntry;
export type MergeRecord = Api.MergeRecord;
export type AttributeDefinition = Api.AttributeDefinition;
export type CustomerSummary = Api.CustomerSummary;
export type CustomerPatch = Api.CustomerPatch;
export type Channel = Api.Channel;
export type ReplyRoute = Api.ReplyRoute;

const enc = encodeURIComponent;

export const customerApi = {
  forConversation(conversationId: string, signal?: AbortSignal): Promise<CustomerView> {
    return request('GET', `/conversations/${enc(conversationId)}/customer`, { signal });
  },

  get(customerId: string, signal?: AbortSignal): Promise<CustomerView> {
    return request('GET', `/customers/${enc(customerId)}`, { signal });
  },

  update(customerId: string, patch: CustomerPatch): Promise<CustomerView> {
    return request('PATCH', `/customers/${enc(customerId)}`, { body: patch });
  },

  addAddress(customerId: string, address: string): Promise<CustomerView> {
    return request('POST', `/customers/${enc(customerId)}/addresses`, { body: { address } });
  },

  recordConsent(customerId: string, channel: Channel, address: string, optedOut: boolean, detail: string): Promise<unknown> {
    return request('POST', `/customers/${enc(customerId)}/consent`, {
      body: { channel, address, opted_out: optedOut, detail },
    });
  },

  conversations(customerId: string, cursor: string | null): Promise<Page<ConversationSummary>> {
    return request('GET', `/customers/${enc(customerId)}/conversations${query({ limit: 25, cursor })}`);
  },

  log(customerId: string, cursor: string | null): Promise<Page<CommunicationEntry>> {
    return request('GET', `/customers/${enc(customerId)}/log${query({ limit: 25, cursor })}`);
  },

  logInteraction(customerId: string, entry: { direction: 'inbound' | 'outbound'; medium: Api.Medium; text: string }): Promise<CommunicationEntry> {
    return request('POST', `/customers/${enc(customerId)}/log`, { body: entry });
  },

  merge(keptId: string, sourceId: string): Promise<MergeRecord> {
    return request('POST', `/customers/${enc(keptId)}/merge`, { body: { source_id: sourceId } });
  },

  /** Exact, or by prefix when the text ends in '%'. */
  search(field: 'name' | 'phone' | 'email' | 'channel_id', q: string, signal?: AbortSignal): Promise<Page<CustomerSummary>> {
    return request('GET', `/customers${query({ field, q, limit: 10 })}`, { signal });
  },

  /** Where a reply can go in a conversation; the next reply's route first. */
  replyRoutes(conversationId: string, signal?: AbortSignal): Promise<{ items: ReplyRoute[] }> {
    return request('GET', `/conversations/${enc(conversationId)}/reply-routes`, { signal });
  },

  attributes(): Promise<{ items: AttributeDefinition[] }> {
    return request('GET', '/customer-attributes');
  },
};

/** The value of the address a channel's customer id stands for on an account, as consent names it. */
export function addressValue(channel: string, customerId: string, accountId: string): string {
  if (channel === 'whatsapp' || channel === 'sms') return customerId.startsWith('+') ? customerId : `+${customerId}`;
  if (channel === 'email') return customerId.trim().toLowerCase();
  if (channel === 'api') return `${accountId}/${customerId}`;
  return customerId;
}

/** The consent of an address on a channel (absent: never changed, so messages may go). */
export function consentOf(view: CustomerView, channel: string, value: string): ConsentState | null {
  return view.consent.find((state) => state.channel === channel && state.address === value) ?? null;
}

let definitions: Promise<AttributeDefinition[]> | null = null;

/** The custom attributes an administrator defined, read once per session (again after a failure). */
export function attributeDefinitions(fresh = false): Promise<AttributeDefinition[]> {
  if (fresh) definitions = null;
  definitions ??= customerApi.attributes().then(
    (answer) => answer.items,
    (error: unknown) => {
      definitions = null;
      throw error;
    },
  );
  return definitions;
}

/** The attribute's value as shown (a choice or text as is, a number in the profile's locale by the caller). */
export function attributeText(value: string | number | undefined): string {
  return value === undefined ? '' : String(value);
}

/** One route's key: channel, account and the customer's id there. */
export function routeKey(route: { channel: string; account_id: string; customer_id: string }): string {
  return `${route.channel}|${route.account_id}|${route.customer_id}`;
}
