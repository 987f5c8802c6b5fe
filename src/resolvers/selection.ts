import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from 'graphql';

/**
 * The names of the fields selected on the current field's type (through
 * fragments and inline fragments), e.g. `['id', 'createdAt']` for
 * `event(id: 1) { id createdAt }`.
 */
export function selectedFields(info: GraphQLResolveInfo): string[] {
  const names = new Set<string>();
  for (const node of info.fieldNodes) collect(node.selectionSet, info.fragments, names, []);
  return [...names];
}

/**
 * The fields selected on the nodes of a Relay connection: under `edges { node }`
 * and under `nodes`.
 */
export function selectedNodeFields(info: GraphQLResolveInfo): string[] {
  const names = new Set<string>();
  const top: FieldNode[] = [];
  for (const node of info.fieldNodes) collectFields(node.selectionSet, info.fragments, top);
  for (const field of top) {
    if (field.name.value === 'nodes') {
      collect(field.selectionSet, info.fragments, names, []);
    } else if (field.name.value === 'edges') {
      const edgeFields: FieldNode[] = [];
      collectFields(field.selectionSet, info.fragments, edgeFields);
      for (const edgeField of edgeFields) {
        if (edgeField.name.value === 'node')
          collect(edgeField.selectionSet, info.fragments, names, []);
      }
    }
  }
  return [...names];
}

function collect(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  names: Set<string>,
  scratch: FieldNode[],
): void {
  scratch.length = 0;
  collectFields(selectionSet, fragments, scratch);
  for (const field of scratch) names.add(field.name.value);
}

function collectFields(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  out: FieldNode[],
  seen = new Set<string>(),
): void {
  if (!selectionSet) return;
  for (const selection of selectionSet.selections) {
    if (selection.kind === 'Field') {
      out.push(selection);
    } else if (selection.kind === 'InlineFragment') {
      collectFields(selection.selectionSet, fragments, out, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (fragment && !seen.has(name)) {
        seen.add(name);
        collectFields(fragment.selectionSet, fragments, out, seen);
      }
    }
  }
}
