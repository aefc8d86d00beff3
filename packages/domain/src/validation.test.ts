import { describe, expect, it } from 'vitest';
import {
  isCleanId,
  isUuid,
  requireIntInRange,
  requireParagraph,
  requireText,
} from './validation.js';

describe('requireText', () => {
  it('answers the text trimmed', () => {
    expect(requireText('  152 Teheran-ro \n', 'input.address', 200)).toBe('152 Teheran-ro');
  });

  it('refuses empty and too long text, naming the field', () => {
    for (const value of ['', '   ', 'x'.repeat(11)]) {
      expect(() => requireText(value, 'input.name', 10)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'input.name' } }),
      );
    }
  });

  it('refuses a NUL byte, any other control character and DEL, naming the field', () => {
    for (const value of ['Seoul\u0000', 'line one\nline two', 'a\tb', 'a\u001fb', 'a\u007fb']) {
      expect(() => requireText(value, 'input.address', 200)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'input.address' } }),
      );
    }
  });

  it('keeps characters beyond ASCII', () => {
    expect(requireText('강남치킨 €', 'input.name', 100)).toBe('강남치킨 €');
  });
});

describe('isCleanId', () => {
  it('accepts ids of 1 to 100 characters', () => {
    expect(isCleanId('store-gangnam-chicken')).toBe(true);
    expect(isCleanId('x'.repeat(100))).toBe(true);
  });

  it('refuses an empty id, one over 100 characters and one with control characters', () => {
    for (const id of ['', 'x'.repeat(101), 'store\u0000', 'store\n', '\u007f']) {
      expect(isCleanId(id)).toBe(false);
    }
  });
});

describe('requireIntInRange', () => {
  it('refuses a fraction and a number out of range, naming the field', () => {
    expect(requireIntInRange(5, 'n', 1, 5)).toBe(5);
    for (const value of [0, 6, 1.5, Number.NaN]) {
      expect(() => requireIntInRange(value, 'n', 1, 5)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'n' } }),
      );
    }
  });
});

describe('isUuid', () => {
  it('tells a UUID from other text', () => {
    expect(isUuid('8f14e45f-ceea-467f-a0e6-1d7f3c9b2a10')).toBe(true);
    expect(isUuid('not-a-uuid')).toBe(false);
  });
});

describe('requireParagraph', () => {
  it('keeps line breaks and tabs, and allows empty text', () => {
    expect(requireParagraph(' Crispy.\n\tSpicy. ', 'input.description', 500)).toBe(
      'Crispy.\n\tSpicy.',
    );
    expect(requireParagraph('', 'input.description', 500)).toBe('');
  });

  it('refuses other control characters and over-long text, naming the field', () => {
    for (const text of ['a\u0000b', 'a\u001bb', 'x'.repeat(501)]) {
      expect(() => requireParagraph(text, 'input.description', 500)).toThrow(
        expect.objectContaining({
          code: 'BAD_USER_INPUT',
          details: { field: 'input.description' },
        }),
      );
    }
  });
});
