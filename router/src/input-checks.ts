import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, type ValueNode, visit } from 'graphql';

/**
 * Input that GraphQL's own coercion lets through and the subgraphs would store damaged:
 * a float literal past the range of a double (`1e400` is `Infinity`, which JSON cannot even
 * carry to a subgraph), and a string in the variables that is not well-formed Unicode (a
 * lone surrogate such as `"\ud800"`, which PostgreSQL would store as U+FFFD). The first
 * found is a `BAD_USER_INPUT` error (HTTP 400) naming where it is: `near.lat` for an
 * argument, `$input.deliveryAddress.address` for a variable. Literal strings need no check:
 * the parser refuses lone surrogates in them.
 */
export function checkInput(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): GraphQLError | undefined {
  let literal = literalProblems.get(document);
  if (literal === undefined) {
    literal = documentProblem(document) ?? null;
    literalProblems.set(document, literal);
  }
  const problem = literal ?? variablesProblem(variables ?? {});
  return problem && badInput(problem);
}

/** What is wrong with an input, and where. */
interface Problem {
  readonly field: string;
  readonly message: string;
}

/**
 * The problem of each document's literals, or null: a document is parsed once per text and
 * then reused (Apollo's document store over HTTP, the live layer's cache over WebSocket), so
 * each is walked once rather than on every request.
 */
const literalProblems = new WeakMap<DocumentNode, Problem | null>();

function documentProblem(document: DocumentNode): Problem | undefined {
  let problem: Problem | undefined;
  visit(document, {
    Argument(argument) {
      problem ??= literalProblem(argument.value, argument.name.value);
    },
    VariableDefinition(definition) {
      if (definition.defaultValue) {
        problem ??= literalProblem(definition.defaultValue, `$${definition.variable.name.value}`);
      }
    },
  });
  return problem;
}

/** Refuses an operation whose input `checkInput` finds damaging, before it is executed. */
export const inputChecks: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, request }) {
        const problem = checkInput(document, request.variables);
        if (problem) throw problem;
      },
    };
  },
};

function literalProblem(value: ValueNode, field: string): Problem | undefined {
  switch (value.kind) {
    case Kind.FLOAT:
      return Number.isFinite(Number(value.value))
        ? undefined
        : { field, message: 'must be a finite number' };
    case Kind.LIST:
      for (const [index, item] of value.values.entries()) {
        const problem = literalProblem(item, `${field}[${index}]`);
        if (problem) return problem;
      }
      return undefined;
    case Kind.OBJECT:
      for (const member of value.fields) {
        const problem = literalProblem(member.value, `${field}.${member.name.value}`);
        if (problem) return problem;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Walks the variables without recursion: their nesting is the client's to choose. */
function variablesProblem(variables: Readonly<Record<string, unknown>>): Problem | undefined {
  const pending: [unknown, string][] = Object.entries(variables).map(([name, value]) => [
    value,
    `$${name}`,
  ]);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, field] = next;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return { field, message: 'must be a finite number' };
    }
    if (typeof value === 'string' && !isWellFormed(value)) {
      return { field, message: 'must be well-formed Unicode text' };
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        pending.push([item, `${field}[${index}]`]);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, member] of Object.entries(value)) pending.push([member, `${field}.${key}`]);
    }
  }
  return undefined;
}

/** `String.prototype.isWellFormed` (Node 20+), which this project's ES2023 typings lack. */
const isWellFormed = (text: string) =>
  (text as string & { isWellFormed(): boolean }).isWellFormed();

function badInput({ field, message }: Problem): GraphQLError {
  return new GraphQLError(`${field}: ${message}.`, {
    extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } },
  });
}
