/** Roles in increasing power: VIEWER reads; EDITOR also writes and runs; ADMIN also manages users and keys. */
export enum Role {
  VIEWER = "VIEWER",
  EDITOR = "EDITOR",
  ADMIN = "ADMIN",
}

const RANK: Record<Role, number> = { [Role.VIEWER]: 0, [Role.EDITOR]: 1, [Role.ADMIN]: 2 };

export function roleAtLeast(actual: Role, needed: Role): boolean {
  return RANK[actual] >= RANK[needed];
}

export const roleFromDb = (value: string): Role => value.toUpperCase() as Role;
export const roleToDb = (role: Role): string => role.toLowerCase();

/** Who is calling: resolved from the API key once per request or connection. */
export interface Principal {
  tenantId: string;
  userId: string;
  apiKeyId: string;
  role: Role;
}
