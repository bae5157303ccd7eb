// A reporter for node's test runner that writes the TAP prove reads: one
// line per top-level test, a failure's reason as comment lines (node's own
// TAP reporter puts it in YAML that prove's parser refuses), the plan last.
// A failure goes to stderr as well, its name and message without the
// stack: prove shows stderr but not comments, and a CI log keeps only
// what prove shows.

const STDERR_LINES = 12;

export default async function* tap(source) {
  let n = 0;
  yield 'TAP version 13\n';
  for await (const { type, data } of source) {
    if ((type !== 'test:pass' && type !== 'test:fail') || data.nesting !== 0) {
      if (type === 'test:diagnostic' && data.nesting === 0) yield comment(data.message);
      continue;
    }
    n++;
    const name = data.name.replace(/#/g, '\\#');
    if (type === 'test:pass') {
      yield `ok ${n} - ${name}${data.skip ? ' # SKIP' : ''}\n`;
      continue;
    }
    yield `not ok ${n} - ${name}\n`;
    const error = data.details && data.details.error;
    const cause = error && (error.cause || error);
    yield comment(cause ? (cause.stack || String(cause)) : 'failed');
    const message = cause ? String(cause.message || cause).split('\n').slice(0, STDERR_LINES).join('\n') : 'failed';
    process.stderr.write(comment(`not ok ${n} - ${name}\n${message}${where(cause)}`));
  }
  yield `1..${n}\n`;
}

function comment(text) {
  return `${String(text).split('\n').map((line) => `# ${line}`).join('\n')}\n`;
}

// The test file's line the failure came from, when the stack names one.
function where(cause) {
  const line = cause && cause.stack && cause.stack.split('\n').find((l) => /\.test\.js:\d+/.test(l));
  return line ? `\n${line.trim()}` : '';
}
