import { buildSchema, GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  limitRules,
  operationLimits,
  parseOperation,
  tokenLimitAsLimit,
} from './operation-limits.js';

const schema = buildSchema('type Query { a: Int }');
const problems = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, ...limitRules]).map((error) => error.message);

describe('operation limits', () => {
  it('count every alias, __typename included, and name the limit', () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    expect(problems(aliases(operationLimits.maxAliases))).toEqual([]);
    expect(problems(aliases(operationLimits.maxAliases + 1))).toEqual([
      `Aliases limit of ${operationLimits.maxAliases} exceeded, found ${operationLimits.maxAliases + 1}.`,
    ]);
  });

  it('answer the token limit as a limit, and a syntax error as a parse failure', () => {
    const tooLong = parseOperation(`{ ${'a '.repeat(operationLimits.maxTokens)} }`);
    expect(tooLong).toBeInstanceOf(GraphQLError);
    expect(tooLong).toMatchObject({
      message: `Token limit of ${operationLimits.maxTokens} exceeded.`,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(parseOperation('{ a')).toMatchObject({
      message: 'Syntax Error: Expected Name, found <EOF>.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });

  it("recognize graphql-js's token-limit error as Apollo formats it, and nothing else", () => {
    let message = '';
    try {
      parse(`{ ${'a '.repeat(operationLimits.maxTokens)} }`, {
        maxTokens: operationLimits.maxTokens,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(tokenLimitAsLimit({ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })).toEqual({
      message: `Token limit of ${operationLimits.maxTokens} exceeded.`,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const syntax = {
      message: 'Syntax Error: Expected Name',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    };
    expect(tokenLimitAsLimit(syntax)).toBe(syntax);
  });
});
