import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkInput } from './input-checks.js';

const problem = (
  query: string,
  variables?: Record<string, unknown>,
): Record<string, unknown> | undefined => {
  const error = checkInput(parse(query), variables);
  return error && { message: error.message, ...error.extensions };
};

describe('checkInput', () => {
  it('refuses a float literal past the range of a double, naming the argument', () => {
    expect(problem('{ stores(near: { lat: 1e400, lng: 127 }) { id } }')).toEqual({
      message: 'near.lat: must be a finite number.',
      code: 'BAD_USER_INPUT',
      field: 'near.lat',
      http: { status: 400 },
    });
    expect(problem('query($at: [Float] = [1, -1e999]) { a }')?.field).toBe('$at[1]');
    expect(problem('{ stores(near: { lat: 1.7e308, lng: 127 }) { id } }')).toBeUndefined();
  });

  it('refuses a variable that is not finite or not well-formed text, naming where it is', () => {
    const input = { deliveryAddress: { address: 'A\ud800B' }, items: [{ quantity: 1 }] };
    expect(problem('mutation($input: I) { a }', { input })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: '$input.deliveryAddress.address',
      message: '$input.deliveryAddress.address: must be well-formed Unicode text.',
    });
    expect(problem('query($n: [Float]) { a }', { n: [0, Infinity] })?.field).toBe('$n[1]');
    expect(problem('query($s: String) { a }', { s: '배달 🛵' })).toBeUndefined();
  });

  it('walks deeply nested variables without overflowing the stack', () => {
    let deep: unknown = 'x\udc00';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(problem('query($d: D) { a }', { d: deep })?.code).toBe('BAD_USER_INPUT');
  });
});
