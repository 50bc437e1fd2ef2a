export { DateTimeResolver as DateTimeScalar, JSONResolver as JSONScalar } from "graphql-scalars";
