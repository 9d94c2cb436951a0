// ts_headline marks matches with these control characters (removed from the text first), and the
// page splits on them: highlighted text is rendered by React as text, never as HTML. Here, apart from
// the queries, so that client components can split on them too.
export const highlightStart = "\u0002";
export const highlightStop = "\u0003";
