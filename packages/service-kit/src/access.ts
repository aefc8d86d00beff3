import { ForbiddenError, type Role, UnauthenticatedError } from '@baedal/domain';
import type { Viewer } from '@baedal/identity';

const roleNames = (roles: readonly Role[]) => roles.join(' or ').toLowerCase().replaceAll('_', ' ');

/**
 * The signed-in viewer, if they have one of `roles` (any role when none are given).
 * Administrators (support staff) pass every role check. Use it for checks: who may read or
 * change something that already belongs to someone. For a command that acts as the person
 * (and writes under the viewer's id as that role's id), use `requirePerson`.
 */
export function requireRole(viewer: Viewer | null, ...roles: Role[]): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (roles.length > 0 && viewer.role !== 'ADMIN' && !roles.includes(viewer.role)) {
    throw new ForbiddenError(`Only a ${roleNames(roles)} may do this.`);
  }
  return viewer;
}

/**
 * The signed-in viewer, if they are a person in exactly `role`: no administrator bypass.
 * Use it for commands that act as that person (placing an order as the customer, claiming a
 * delivery as the rider), which record the viewer's id as a customer's or rider's id: an
 * administrator's id is none of those, so it would write into another role's namespace.
 * `UNAUTHENTICATED` without a viewer, `FORBIDDEN` for any other role.
 */
export function requirePerson(viewer: Viewer | null, role: Exclude<Role, 'ADMIN'>): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.role !== role) throw new ForbiddenError(`Only a ${roleNames([role])} may do this.`);
  return viewer;
}

/**
 * Refuses with `FORBIDDEN` and `message` unless `viewer` is the one whose id is `ownerId`
 * (a store's owner, an order's customer) or an administrator. Use it after `requireRole`,
 * which settles the role that `ownerId` is an id of.
 */
export function requireOwner(viewer: Viewer, ownerId: string, message: string): void {
  if (viewer.role !== 'ADMIN' && viewer.id !== ownerId) throw new ForbiddenError(message);
}
