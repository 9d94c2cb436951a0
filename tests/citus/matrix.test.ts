/**
 * The isolation matrix of tests/db/matrix.test.ts, generated from the catalog of the Citus coordinator:
 * every tenant table, distributed or kept on the coordinator, x 4 operations x 6 contexts as app_user,
 * each cell with its BYPASSRLS control. npm test runs this file on the Citus cluster only.
 */
import "../db/matrix.test";
