import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, getNamedType, isObjectType, isScalarType, type GraphQLObjectType } from 'graphql';

const root = path.join(__dirname, '..', '..', '..');
const schema = buildSchema(readFileSync(path.join(root, 'schema', 'schema.graphql'), 'utf8'));
const guide = readFileSync(path.join(root, 'docs', 'metrics.md'), 'utf8');

/** The queries that report metrics: every number they return (at any depth) is a metric. */
const METRIC_QUERIES = [
  'feedbackAnalytics',
  'costAnalytics',
  'qualityMetrics',
  'businessMetrics',
  'modelComparison',
  'learningAnalytics',
];
/** Types that repeat another's fields with the same meaning (a series point of a figures type). */
const SAME_AS: Record<string, string> = { QualityPoint: 'QualityFigures' };

function metricFields(): string[] {
  const seen = new Set<string>();
  const fields: string[] = [];
  const visit = (type: GraphQLObjectType) => {
    if (seen.has(type.name)) return;
    seen.add(type.name);
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named)) visit(named);
      else if (isScalarType(named) && ['Int', 'Float', 'Boolean'].includes(named.name))
        fields.push(`${SAME_AS[type.name] ?? type.name}.${field.name}`);
    }
  };
  const query = schema.getQueryType()!.getFields();
  for (const name of METRIC_QUERIES) {
    const type = getNamedType(query[name]!.type);
    if (!isObjectType(type)) throw new Error(`${name} does not return an object type`);
    visit(type);
  }
  return [...new Set(fields)].sort();
}

/** The guide's entries: `### Title` sections with their bullet labels and the `Type.field`s their Fields line names. */
function entries() {
  return guide
    .split(/^### /m)
    .slice(1)
    .map((section) => {
      const title = section.split('\n')[0]!.trim();
      const fieldsLine = section.split('\n').find((line) => line.startsWith('- **Fields:**')) ?? '';
      return {
        title,
        fields: [...fieldsLine.matchAll(/`([A-Za-z0-9]+\.[A-Za-z0-9]+)`/g)].map((match) => match[1]!),
        labels: [...section.matchAll(/^- \*\*([A-Za-z ]+):\*\*/gm)].map((match) => match[1]!),
      };
    });
}

describe('docs/metrics.md, the metrics guide', () => {
  it('has an entry for every metric field the analytics queries return', () => {
    const documented = new Set(entries().flatMap((entry) => entry.fields));
    const missing = metricFields().filter((field) => !documented.has(field));
    expect(missing).toEqual([]);
  });

  it('documents no field the schema does not have', () => {
    const known = new Set(metricFields());
    const stale = entries()
      .flatMap((entry) => entry.fields)
      .filter((field) => !known.has(field));
    expect(stale).toEqual([]);
  });

  it('gives every entry its definition, formula, unit, target, interpretation and what to do when it moves', () => {
    const required = ['Fields', 'Definition', 'Formula', 'Unit', 'Target', 'Interpretation', 'When it moves'];
    const incomplete = entries()
      .filter((entry) => required.some((label) => !entry.labels.includes(label)))
      .map((entry) => entry.title);
    expect(incomplete).toEqual([]);
    expect(entries().length).toBeGreaterThan(20);
  });

  it('has a glossary', () => {
    expect(guide).toMatch(/^## Glossary$/m);
  });
});
