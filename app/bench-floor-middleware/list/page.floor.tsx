// The list's floor again, at a path the middleware runs for (app/bench-floor/ is left out of it): the
// difference between the two is what the middleware costs a page.
export { default } from "../../bench-floor/list/page.floor";
