import {
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type NameNode,
  type OperationDefinitionNode,
  parseType,
  print,
  type SelectionNode,
  type VariableDefinitionNode,
  visit,
} from 'graphql';

/** The query a live payload is resolved with, and where its payload sits in the answer. */
export interface SourceQuery {
  /** The printed query: also the key under which identical payload executions are shared. */
  readonly text: string;
  /** The response key of the subscription field (its alias or its name). */
  readonly responseKey: string;
  /** The subscription's variables that the query still uses. */
  readonly variableNames: readonly string[];
}

const sourceVariablePrefix = '_live_';

/** Variables the router adds for the source field's arguments: `$_live_<argument>`. */
export const sourceVariable = (argument: string) => `${sourceVariablePrefix}${argument}`;

const name = (value: string): NameNode => ({ kind: Kind.NAME, value });

/**
 * Rewrites a subscription into the query that resolves its payloads through the gateway. The
 * subscription's one root field is replaced by `source(<argument>: $_live_<argument> ...)`
 * under the same response key, with the same selection set and fragments; the subscription's
 * variables that the selection still uses are kept. `extraFields` are selected beside the
 * client's selection, for the router's own use (such as a feed cursor).
 *
 * This is how a subscriber may select anything reachable from the payload, in any subgraph:
 * the gateway plans the query like any other.
 */
export function toSourceQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  source: string,
  extraFields: readonly FieldNode[] = [],
): SourceQuery {
  const operation = getOperationAST(document, operationName) as OperationDefinitionNode;
  const [root] = operation.selectionSet.selections as SelectionNode[];
  if (root?.kind !== Kind.FIELD) {
    throw new GraphQLError('Select the subscription field directly, not through a fragment.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const sourceField = schema.getQueryType()?.getFields()[source];
  if (!sourceField) throw new Error(`The supergraph has no Query.${source} for live payloads.`);

  const arguments_ = sourceField.args.map(
    (argument): VariableDefinitionNode => ({
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: name(sourceVariable(argument.name)) },
      type: parseType(String(argument.type)),
    }),
  );
  const sourceRoot: FieldNode = {
    kind: Kind.FIELD,
    alias: name(root.alias?.value ?? root.name.value),
    name: name(source),
    arguments: sourceField.args.map((argument) => ({
      kind: Kind.ARGUMENT,
      name: name(argument.name),
      value: { kind: Kind.VARIABLE, name: name(sourceVariable(argument.name)) },
    })),
    selectionSet: root.selectionSet && {
      ...root.selectionSet,
      selections: [...root.selectionSet.selections, ...extraFields],
    },
  };
  const fragments = document.definitions.filter(
    (definition): definition is DefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  const used = usedVariables([sourceRoot, ...fragments]);
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    ...(operation.name && { name: operation.name }),
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((definition) =>
        used.has(definition.variable.name.value),
      ),
      ...arguments_,
    ],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [sourceRoot] },
  };
  return {
    text: print({ kind: Kind.DOCUMENT, definitions: [query, ...fragments] }),
    responseKey: sourceRoot.alias!.value,
    variableNames: [...used].filter((variable) => !variable.startsWith(sourceVariablePrefix)),
  };
}

function usedVariables(nodes: readonly (FieldNode | DefinitionNode)[]): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) {
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  }
  return names;
}
