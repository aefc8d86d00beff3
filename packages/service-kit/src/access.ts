import { ForbiddenError, type Role, UnauthenticatedError } from '@baedal/domain';
import type { Viewer } from '@baedal/identity';

/**
 * The signed-in viewer, if they have one of `roles` (any role when none are given).
 * Administrators (support staff) pass every role check.
 */
export function requireRole(viewer: Viewer | null, ...roles: Role[]): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (roles.length > 0 && viewer.role !== 'ADMIN' && !roles.includes(viewer.role)) {
    throw new ForbiddenError(
      `Only a ${roles.join(' or ').toLowerCase().replaceAll('_', ' ')} may do this.`,
    );
  }
  return viewer;
}
