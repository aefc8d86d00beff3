import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError } from '@baedal/domain';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger.js';

/**
 * Apollo's `formatError`: a `DomainError` becomes an error with its stable code and details
 * in `extensions`; errors GraphQL itself raised (parse, validation, variable coercion) keep
 * their codes; anything else is a bug, logged in full and masked for the client.
 */
export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...(formatted.locations && { locations: formatted.locations }),
        ...(formatted.path && { path: formatted.path }),
        extensions: { code: original.code, ...original.details },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return {
      message: 'Internal server error',
      ...(formatted.path && { path: formatted.path }),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
