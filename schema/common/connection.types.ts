import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

@ObjectType({
  simpleResolvers: true,
  description: 'Relay page information. Cursors are opaque; pass endCursor as `after` to get the next page.',
})
export class PageInfo {
  @Field(() => Boolean, { description: 'True when another page follows this one.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last node of this page; null on an empty page.' })
  endCursor!: string | null;
}

/** A Relay connection type for `node`: edges with cursors, pageInfo and totalCount. */
export function connectionOf<T extends object>(node: ClassType<T>, name: string, description: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true, description: `One ${name} with its cursor.` })
  class Edge {
    @Field(() => node, { description: 'The row.' })
    node!: T;

    @Field(() => String, { description: 'Opaque cursor of this row.' })
    cursor!: string;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true, description })
  class Connection {
    @Field(() => [Edge], {
      description: 'The rows of this page, newest first (createdAt, then id, descending): a stable order.',
    })
    edges!: Edge[];

    @Field(() => [node], { description: 'The rows of this page without cursors (same order as edges).' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Whether there is a next page, and the cursor to get it.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many rows match the filter in total, across all pages.' })
    totalCount!: number;
  }
  return Connection;
}

/** Maps a service page to the connection shape. */
export function toConnection<T>(page: {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}) {
  return {
    edges: page.nodes.map((node, index) => ({ node, cursor: page.cursors[index]! })),
    nodes: page.nodes,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.totalCount,
  };
}
