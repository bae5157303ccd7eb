// The terms of the tag query language (src/query.c) as the search box
// shows them: "cat|dog" is one term, any of its alternatives; "-x"
// leaves out; "*" inside an alternative is any run of characters; "\|"
// and "\\" are a literal bar and backslash. Pure: no DOM, no API.

const ALT = '|';
const WILD = '*';
const ESCAPE = '\\';

// The alternatives of a term, split at the bars that are not escaped.
// Each keeps its escapes: it is a piece of the query, not yet a tag.
export function alternatives(term) {
  const alts = [];
  let cur = '';
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === ESCAPE && i + 1 < term.length) {
      cur += c + term[++i];
    } else if (c === ALT) {
      alts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  alts.push(cur);
  return alts;
}

const unescape = (alt) => alt.replace(/\\(.)/g, '$1');
const wild = (alt) => /(^|[^\\])(\\\\)*\*/.test(alt);

// What a term is: left out or not, its alternatives as the owner reads
// them, and whether any is a pattern.
export function describeTerm(term) {
  const negative = term.startsWith('-');
  const alts = alternatives(negative ? term.slice(1) : term);
  return {
    negative,
    alts: alts.map(unescape),
    any: alts.length > 1,
    pattern: alts.some(wild),
  };
}

// The chip's text: "cat or dog", "not sad*".
export function termLabel(term) {
  const d = describeTerm(term);
  return `${d.negative ? 'not ' : ''}${d.alts.join(' or ')}`;
}

// A term is more than a tag when it has a bar or a wildcard.
export const isTerm = (text) => /^-|[|*]/.test(text.trim());

// A term typed with blanks around its bars ("cat | dog") is the same term.
export const tidyTerm = (text) => text.trim().replace(/\s*\|\s*/g, ALT);

// What to suggest tags for while a term is typed: the alternative after
// the last bar; head is what goes before a picked tag. A pattern is
// complete as it is: no suggestion.
export function suggestionPart(text) {
  const t = tidyTerm(text);
  const negative = t.startsWith('-');
  const alts = alternatives(negative ? t.slice(1) : t);
  const last = alts.pop();
  if (wild(last) || last.includes(ESCAPE)) return null;
  const head = (negative ? '-' : '') + alts.map((a) => a + ALT).join('');
  return { negative, head, prefix: last, others: alts.map(unescape) };
}

// A tag as it is written inside a term: its bars and backslashes escaped.
export const escapeTag = (tag) => tag.replace(/[\\|]/g, '\\$&');

// Which term of tags (as joined with commas) holds character n (1-based,
// in characters as the API counts them), or -1.
export function termAt(tags, n) {
  let at = 0;
  for (let i = 0; i < tags.length; i++) {
    at += [...tags[i]].length + 1;
    if (n <= at) return i;
  }
  return -1;
}

export { WILD };
