import { Field, Int, ObjectType, type ClassType } from "type-graphql";
import { PageInfo } from "./pagination.js";

/**
 * Builds the Relay connection and edge types for a node type. `totalCount` is
 * a getter on the page object (see `paginate`), so it is counted only on demand.
 */
export function connectionType<T extends object>(Node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `An edge to a ${name}` })
  class Edge {
    @Field(() => String, { description: "Opaque cursor of this edge" })
    cursor!: string;

    @Field(() => Node, { description: `The ${name}` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items in creation order` })
  class Connection {
    @Field(() => [Edge], { description: "The items of this page" })
    edges!: Edge[];

    @Field(() => PageInfo, { description: "Where this page ends and whether more follow" })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: "Number of items matching the filter, over all pages" })
    totalCount!: number;
  }
  return Connection;
}
