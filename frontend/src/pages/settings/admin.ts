// The administration API (docs/admin-api.md), loaded with the settings pages only.

import { api, query, request } from '../../api';
import type {
  AssignmentPolicy,
  ChannelAccount,
  ChannelAccountInput,
  OfficeHours,
  Page,
  Profile,
  QuickReplyGroup,
  Role,
  RoutingRule,
  ServiceSettings,
  Statistics,
  TeamSettings,
  Template,
  TemplateSync,
  UploadTicket,
  User,
} from '../../types';

const enc = encodeURIComponent;

/** Every page of a paged list. */
export async function allPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: Page<T> = await request('GET', `${path}${separator}limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export const admin = {
  profile: (): Promise<Profile> => api.profile(),
  updateProfile: (changes: Partial<Profile>): Promise<Profile> => request('PATCH', '/me/profile', { body: changes }),

  service: (): Promise<ServiceSettings> => request('GET', '/settings/service'),
  updateService: (changes: Partial<ServiceSettings>): Promise<ServiceSettings> =>
    request('PATCH', '/settings/service', { body: changes }),

  teams: (): Promise<TeamSettings[]> => allPages('/teams'),
  createTeam: (body: { name: string; id?: string }): Promise<TeamSettings> => request('POST', '/teams', { body }),
  updateTeam: (id: string, body: { name?: string; assignment?: AssignmentPolicy }): Promise<TeamSettings> =>
    request('PATCH', `/teams/${enc(id)}`, { body }),
  deleteTeam: (id: string): Promise<void> => request('DELETE', `/teams/${enc(id)}`),
  setOfficeHours: (id: string, hours: OfficeHours): Promise<TeamSettings> =>
    request('PUT', `/teams/${enc(id)}/office-hours`, { body: hours }),
  removeOfficeHours: (id: string): Promise<TeamSettings> => request('DELETE', `/teams/${enc(id)}/office-hours`),
  members: (id: string): Promise<User[]> => allPages(`/teams/${enc(id)}/members`),
  addMember: (team: string, user: string): Promise<User> =>
    request('PUT', `/teams/${enc(team)}/members/${enc(user)}`),
  removeMember: (team: string, user: string): Promise<User> =>
    request('DELETE', `/teams/${enc(team)}/members/${enc(user)}`),

  users: (): Promise<User[]> => allPages('/users'),
  invite: (body: { email: string; display_name: string; role?: Role; team_ids?: string[] }): Promise<User> =>
    request('POST', '/users', { body }),
  setRole: (id: string, role: Role): Promise<User> => request('PUT', `/users/${enc(id)}/role`, { body: { role } }),
  disable: (id: string): Promise<User> => request('POST', `/users/${enc(id)}/disable`),
  resendInvitation: (id: string): Promise<User> => request('POST', `/users/${enc(id)}/invitation`),
  resetMfa: (id: string): Promise<User> => request('DELETE', `/users/${enc(id)}/mfa`),
  enable: (id: string): Promise<User> => request('POST', `/users/${enc(id)}/enable`, { body: {} }),

  accounts: (): Promise<ChannelAccount[]> => allPages('/channel-accounts'),
  addAccount: (body: ChannelAccountInput): Promise<ChannelAccount> => request('POST', '/channel-accounts', { body }),
  updateAccount: (
    id: string,
    body: { name?: string; enabled?: boolean; team_id?: string },
  ): Promise<ChannelAccount> => request('PATCH', `/channel-accounts/${enc(id)}`, { body }),
  rotateCredentials: (id: string, credentials: Record<string, string>): Promise<void> =>
    request('PUT', `/channel-accounts/${enc(id)}/credentials`, { body: { credentials } }),
  outOfOffice: (id: string): Promise<{ account_id: string; messages: OutOfOfficeMessage[] }> =>
    request('GET', `/channel-accounts/${enc(id)}/out-of-office`),
  /** A presigned PUT for one picture or document of the account's out-of-office messages (400 when its channel cannot carry it). */
  outOfOfficeUpload: (id: string, file: { filename: string; content_type: string; size: number }): Promise<UploadTicket> =>
    request('POST', `/channel-accounts/${enc(id)}/out-of-office/uploads`, { body: file }),
  /** Media is sent back by key, so saving the texts keeps the pictures and documents uploaded through the API. */
  setOutOfOffice: (id: string, messages: OutOfOfficeMessage[]): Promise<{ messages: OutOfOfficeMessage[] }> =>
    request('PUT', `/channel-accounts/${enc(id)}/out-of-office`, {
      body: {
        messages: messages.map((message) => ({
          ...(message.text ? { text: message.text } : {}),
          ...(message.media ? { media: { key: message.media.key, filename: message.media.filename } } : {}),
        })),
      },
    }),
  templates: (id: string): Promise<{ items: Template[] }> => request('GET', `/channel-accounts/${enc(id)}/templates`),
  putTemplate: (
    id: string,
    body: { name: string; language: string; body: string; labels?: Record<string, string> },
  ): Promise<Template> => request('POST', `/admin/channel-accounts/${enc(id)}/templates`, { body }),
  syncTemplates: (id: string): Promise<TemplateSync> =>
    request('POST', `/admin/channel-accounts/${enc(id)}/templates/sync`),
  deleteTemplate: (id: string, name: string, language: string): Promise<void> =>
    request('DELETE', `/admin/channel-accounts/${enc(id)}/templates/${enc(name)}/${enc(language)}`),

  rules: (): Promise<RoutingRule[]> => allPages('/routing/rules'),
  addRule: (
    account: string,
    body: { team_id: string; priority?: number; language?: string | null; keyword?: string | null },
  ): Promise<RoutingRule> => request('POST', `/channel-accounts/${enc(account)}/routing-rules`, { body }),
  deleteRule: (account: string, rule: string): Promise<void> =>
    request('DELETE', `/channel-accounts/${enc(account)}/routing-rules/${enc(rule)}`),

  createGroup: (name: string): Promise<QuickReplyGroup> => request('POST', '/admin/quick-reply-groups', { body: { name } }),
  renameGroup: (id: string, name: string): Promise<QuickReplyGroup> =>
    request('PUT', `/admin/quick-reply-groups/${enc(id)}`, { body: { name } }),
  deleteGroup: (id: string): Promise<void> => request('DELETE', `/admin/quick-reply-groups/${enc(id)}`),
  createReply: (groupId: string, text: string): Promise<unknown> =>
    request('POST', '/admin/quick-replies', { body: { group_id: groupId, text } }),
  updateReply: (id: string, text: string): Promise<unknown> =>
    request('PUT', `/admin/quick-replies/${enc(id)}`, { body: { text } }),
  deleteReply: (id: string): Promise<void> => request('DELETE', `/admin/quick-replies/${enc(id)}`),

  defineTag: (tag: string): Promise<{ tag: string }> => request('POST', '/tags', { body: { tag } }),

  statistics: (since: string, until: string): Promise<Statistics> =>
    request('GET', `/statistics${query({ since, until })}`),
};

/** One out-of-office reply: text, media uploaded for the account, or both. */
export interface OutOfOfficeMessage {
  text: string | null;
  media?: { key: string; content_type: string; size: number; filename: string | null } | null;
}
