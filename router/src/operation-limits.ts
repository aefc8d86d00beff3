import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLFormattedError,
  parse,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Limits every operation must stay within, over HTTP and over the subscription socket alike:
 * nesting depth, a cost estimate, aliases (every one, `__typename` included), directives and
 * tokens.
 */
export const operationLimits = {
  maxDepth: 12,
  maxCost: 5000,
  maxAliases: 20,
  maxDirectives: 20,
  maxTokens: 2000,
} as const;

/**
 * graphql-armor reports a limit as a "Syntax Error: ..."; it is not one. Reported as a plain
 * validation error, which Apollo answers with HTTP 400 and `GRAPHQL_VALIDATION_FAILED`, and
 * whose message names the limit ("Aliases limit of 20 exceeded, found 21.").
 */
const reportLimit = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ],
};

const armor = new ApolloArmor({
  maxDepth: { n: operationLimits.maxDepth, ...reportLimit },
  costLimit: { maxCost: operationLimits.maxCost, ...reportLimit },
  // armor lets `__typename` aliases through by default: 600 of them are as much work.
  maxAliases: { n: operationLimits.maxAliases, allowList: [], ...reportLimit },
  maxDirectives: { n: operationLimits.maxDirectives, ...reportLimit },
  // armor's Apollo plugin parses in a hook whose errors Apollo answers with HTTP 500, syntax
  // errors included; the token limit is Apollo's own `parseOptions` instead.
  maxTokens: { enabled: false },
  blockFieldSuggestion: { enabled: true },
});
const protection = armor.protect();

/** The limits as validation rules (for Apollo, and for operations over the socket). */
export const limitRules: readonly ValidationRule[] = protection.validationRules;

/** Apollo plugins of the limits: field suggestions are hidden from error messages. */
export const limitPlugins = protection.plugins as unknown as ApolloServerPlugin[];

/** Apollo's `parseOptions`: parsing stops past the token limit. */
export const parseOptions = { maxTokens: operationLimits.maxTokens } as const;

const tokenLimitMessage = `Token limit of ${operationLimits.maxTokens} exceeded.`;

/**
 * graphql-js stops parsing at the token limit with a syntax error ("Document contains more
 * that 2000 tokens"): as the other limits, it becomes `GRAPHQL_VALIDATION_FAILED`, named.
 * Any other formatted error is returned as it is.
 */
export function tokenLimitAsLimit(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED' || !isTokenLimit(formatted.message)) {
    return formatted;
  }
  return {
    message: tokenLimitMessage,
    extensions: { ...formatted.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
  };
}

/**
 * Parses an operation sent over the socket within the token limit, with the codes Apollo
 * gives over HTTP: `GRAPHQL_PARSE_FAILED`, or `GRAPHQL_VALIDATION_FAILED` at the token limit.
 */
export function parseOperation(text: string): DocumentNode | GraphQLError {
  try {
    return parse(text, parseOptions);
  } catch (error) {
    const { message, source, positions } = error as GraphQLError;
    if (isTokenLimit(message)) {
      return new GraphQLError(tokenLimitMessage, {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    }
    return new GraphQLError(message, {
      ...(source && { source }),
      ...(positions && { positions }),
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  }
}

/** graphql-js 16's message ("more that" sic); `operation-limits.test.ts` notices a change. */
const isTokenLimit = (message: string) => /Document contains more th[ae]t \d+ tokens/.test(message);
