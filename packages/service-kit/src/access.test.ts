import { describe, expect, it } from 'vitest';
import { requireOwner, requirePerson, requireRole } from './access.js';

const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
const rider = { id: 'rider-1', role: 'RIDER' } as const;
/** An administrator whose id happens to be a customer's. */
const admin = { id: 'customer-1', role: 'ADMIN' } as const;

describe('requireRole', () => {
  it('lets the role and administrators pass, and refuses other roles', () => {
    expect(requireRole(customer, 'CUSTOMER')).toBe(customer);
    expect(requireRole(admin, 'CUSTOMER')).toBe(admin);
    expect(() => requireRole(rider, 'CUSTOMER')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => requireRole(null)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});

describe('requirePerson', () => {
  it('lets only a person in exactly that role act as one', () => {
    expect(requirePerson(customer, 'CUSTOMER')).toBe(customer);
    expect(requirePerson(rider, 'RIDER')).toBe(rider);
  });

  it('refuses an administrator, who would otherwise act under its own id as a customer', () => {
    expect(() => requirePerson(admin, 'CUSTOMER')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'Only a customer may do this.' }),
    );
  });

  it('refuses another role with FORBIDDEN and nobody with UNAUTHENTICATED', () => {
    expect(() => requirePerson(rider, 'CUSTOMER')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => requirePerson(null, 'RIDER')).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
  });
});

describe('requireOwner', () => {
  it('lets the owner and administrators pass', () => {
    expect(() => requireOwner(customer, 'customer-1', 'Not yours.')).not.toThrow();
    expect(() => requireOwner(admin, 'customer-2', 'Not yours.')).not.toThrow();
  });

  it('refuses anyone else with FORBIDDEN and the given message', () => {
    expect(() => requireOwner(customer, 'customer-2', 'Not yours.')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'Not yours.' }),
    );
    expect(() => requireOwner(rider, 'customer-1', 'Not yours.')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'Not yours.' }),
    );
  });
});
