import type { AuthChecker } from "type-graphql";
import { AppError, ErrorCode } from "../../errors.js";
import type { AppContext } from "../context.js";
import { roleAtLeast, Role } from "./principal.js";

/** `@Authorized(Role.EDITOR)` requires at least that role; a bare `@Authorized()` any caller. */
export const authChecker: AuthChecker<AppContext, Role> = ({ context }, roles) => {
  const needed = roles[0] ?? Role.VIEWER;
  if (!roleAtLeast(context.principal.role, needed)) {
    throw new AppError(ErrorCode.FORBIDDEN, `This operation requires the ${needed} role`);
  }
  return true;
};
