// Facts the app reads once per session and shares: what each channel carries, the team's
// members (names for user ids), the tag catalogue. Each is one promise, read again on demand.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { ChannelCapabilities, User } from '../types';

let capabilities: Promise<Map<string, ChannelCapabilities>> | null = null;

/** What each channel can carry (GET /channels/capabilities), by channel. */
export function channelCapabilities(): Promise<Map<string, ChannelCapabilities>> {
  capabilities ??= api.capabilities().then(
    (answer) => new Map(answer.items.map((item) => [item.channel, item])),
    (error: unknown) => {
      capabilities = null; // try again next time
      throw error;
    },
  );
  return capabilities;
}

export function useCapabilities(channel: string | null): ChannelCapabilities | null {
  const [found, setFound] = useState<ChannelCapabilities | null>(null);
  useEffect(() => {
    if (!channel) return undefined;
    let live = true;
    channelCapabilities().then(
      (all) => live && setFound(all.get(channel) ?? null),
      () => undefined, // without them the API still checks every send
    );
    return () => {
      live = false;
    };
  }, [channel]);
  return found;
}

const members = new Map<string, Promise<User[]>>();

/** The members of a team (every page), kept for the session. */
export function teamMembers(teamId: string, fresh = false): Promise<User[]> {
  let found = fresh ? undefined : members.get(teamId);
  if (!found) {
    found = (async () => {
      const all: User[] = [];
      let cursor: string | null = null;
      do {
        const page = await api.members(teamId, cursor);
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return all;
    })();
    found.catch(() => members.delete(teamId));
    members.set(teamId, found);
  }
  return found;
}

/** Display names by user id of the team's members (empty until read, or if it cannot be). */
export function useMemberNames(teamId: string): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(() => new Map());
  useEffect(() => {
    let live = true;
    teamMembers(teamId).then(
      (users) => live && setNames(new Map(users.map((user) => [user.id, user.display_name]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [teamId]);
  return names;
}

/** The whole tag catalogue (every page). */
export async function tagCatalogue(): Promise<string[]> {
  const all: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await api.tags(cursor);
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

/** Roles as the seed's table has them. */
export const canWork = (role: string): boolean => role === 'administrator' || role === 'agent';
/** Settings and statistics: administrators change them, watchers and supervisors read them. */
export const canReadSettings = (role: string): boolean =>
  role === 'administrator' || role === 'watcher' || role === 'supervisor';
export const isAdministrator = (role: string): boolean => role === 'administrator';
