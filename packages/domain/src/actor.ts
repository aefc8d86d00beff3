/** The roles a signed-in person has; `sub` of the token is their id in that role. */
export const Role = {
  Customer: 'CUSTOMER',
  StoreOwner: 'STORE_OWNER',
  Rider: 'RIDER',
  Admin: 'ADMIN',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const roles = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as string[]).includes(value);
}

/** Who caused a change: a person in a role, or the system itself (timeouts, reconciliation). */
export type Actor =
  | { readonly role: Role; readonly id: string }
  | { readonly role: 'SYSTEM'; readonly id: null };

export const systemActor: Actor = Object.freeze({ role: 'SYSTEM', id: null });
