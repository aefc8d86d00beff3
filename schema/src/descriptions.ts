import { type DefinitionNode, Kind, parse } from 'graphql';

/** An element of an SDL that a description documents, by its schema coordinate. */
export interface SchemaElement {
  /** `Order`, `Order.status`, `Query.order(id:)`, `OrderStatus.PLACED`. */
  readonly coordinate: string;
  readonly kind: 'type' | 'field' | 'input field' | 'argument' | 'enum value';
  readonly described: boolean;
}

/**
 * Every type, field, input field, argument and enum value that an SDL defines, and whether it
 * has a description: what API users read in the playground's docs and in generated clients.
 */
export function schemaElements(sdl: string): SchemaElement[] {
  return parse(sdl).definitions.flatMap(elementsOf);
}

function elementsOf(definition: DefinitionNode): SchemaElement[] {
  switch (definition.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.UNION_TYPE_DEFINITION:
      break;
    default:
      return [];
  }
  const type = definition.name.value;
  const elements: SchemaElement[] = [
    { coordinate: type, kind: 'type', described: Boolean(definition.description) },
  ];
  if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
    for (const value of definition.values ?? []) {
      elements.push({
        coordinate: `${type}.${value.name.value}`,
        kind: 'enum value',
        described: Boolean(value.description),
      });
    }
  }
  if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
    for (const field of definition.fields ?? []) {
      elements.push({
        coordinate: `${type}.${field.name.value}`,
        kind: 'input field',
        described: Boolean(field.description),
      });
    }
  }
  if (
    definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
    definition.kind === Kind.INTERFACE_TYPE_DEFINITION
  ) {
    for (const field of definition.fields ?? []) {
      const coordinate = `${type}.${field.name.value}`;
      elements.push({ coordinate, kind: 'field', described: Boolean(field.description) });
      for (const argument of field.arguments ?? []) {
        elements.push({
          coordinate: `${coordinate}(${argument.name.value}:)`,
          kind: 'argument',
          described: Boolean(argument.description),
        });
      }
    }
  }
  return elements;
}
