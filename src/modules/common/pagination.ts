import { ArgsType, Field, Int, ObjectType } from "type-graphql";
import { IsInt, IsOptional, Max, MaxLength, Min } from "class-validator";
import { isUuid } from "../../db/ids.js";
import { badInput } from "../../errors.js";
import { isStorableDate } from "./scalars.js";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge of the previous page" })
  @IsOptional()
  @MaxLength(200)
  after?: string;
}

@ObjectType({ description: "Relay page information" })
export class PageInfo {
  @Field(() => Boolean, { description: "True when more items follow this page" })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "Cursor of the last edge; pass as `after` for the next page",
  })
  endCursor!: string | null;
}

interface Keyed {
  id: string;
  createdAt: Date;
}

/** Opaque keyset cursor over (createdAt, id). */
export function encodeCursor(row: Keyed): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [iso, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const createdAt = new Date(String(iso));
    // Checked before the database sees them: an id that is not a UUID or an unstorable date is no cursor of ours.
    if (typeof id !== "string" || !isUuid(id) || !isStorableDate(createdAt)) throw new Error("bad cursor");
    return { createdAt, id: id.toLowerCase() };
  } catch {
    throw badInput("Invalid cursor", [{ path: "after", message: "is not a cursor returned by this API" }]);
  }
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  /** A getter: counted only when a client selects it. */
  readonly totalCount: Promise<number>;
}

/**
 * Keyset pagination in creation order. `find` gets a where clause and a take;
 * `count` the unpaged filter. One statement per page, one more for totalCount.
 */
export async function paginate<Row extends Keyed, Where extends object, T>(
  where: Where,
  page: PageArgs,
  find: (args: {
    where: Where;
    take: number;
    orderBy: { createdAt?: "asc"; id?: "asc" }[];
  }) => Promise<Row[]>,
  count: (args: { where: Where }) => Promise<number>,
  map: (row: Row) => T,
): Promise<Page<T>> {
  const first = page.first ?? DEFAULT_PAGE_SIZE;
  let pageWhere: Where = where;
  if (page.after) {
    const { createdAt, id } = decodeCursor(page.after);
    pageWhere = {
      AND: [where, { OR: [{ createdAt: { gt: createdAt } }, { createdAt, id: { gt: id } }] }],
    } as unknown as Where;
  }
  const rows = await find({
    where: pageWhere,
    take: first + 1,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const pageRows = rows.slice(0, first);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(row), node: map(row) }));
  let total: Promise<number> | undefined;
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    get totalCount() {
      return (total ??= count({ where }));
    },
  };
}
