/**
 * One Lambda execution environment in a child Node process (plain JavaScript: nothing but Node loads
 * the function's code). Like the Node.js runtime it reads `_HANDLER` (`<module>.<export>`) and
 * `LAMBDA_TASK_ROOT`, imports the module once (the init phase, which reports a failure instead of
 * crashing), then runs one invocation at a time with a Lambda context. It talks to the parent
 * (test/deploy/lambda-runtime.ts) over the IPC channel only; the function's own output goes to
 * stdout/stderr as in Lambda.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const send = (message) => process.send?.(message);

function failure(errorType, error) {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack.split('\n') : [];
  return { errorType, errorMessage: message, trace: stack };
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const spec = process.env._HANDLER ?? '';
  // `dir/index.handler`: the module is up to the first dot of the last path segment, the rest names the export.
  const slash = spec.lastIndexOf('/');
  const dot = spec.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === spec.length - 1) throw Object.assign(new Error(`Bad handler ${spec}`), { lambdaType: 'Runtime.MalformedHandlerName' });
  const moduleName = spec.slice(0, dot);
  const exportPath = spec.slice(dot + 1).split('.');
  const file = ['.js', '.mjs', '.cjs'].map((ext) => path.resolve(root, moduleName + ext)).find((candidate) => existsSync(candidate));
  if (!file) throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { lambdaType: 'Runtime.ImportModuleError' });
  let exported;
  try {
    exported = await import(pathToFileURL(file).href);
  } catch (error) {
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { lambdaType: 'Runtime.ImportModuleError' });
  }
  let handler = exported;
  for (const name of exportPath) handler = handler?.[name];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${moduleName}.${exportPath.join('.')} is undefined or not exported`), { lambdaType: 'Runtime.HandlerNotFound' });
  }
  return handler;
}

/** The handler's result: its promise if it returns one, else whatever it hands the callback. */
function invoke(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
}

let handler;
try {
  handler = await loadHandler();
  send({ type: 'ready', nodeVersion: process.version });
} catch (error) {
  send({ type: 'init-error', error: failure(error?.lambdaType ?? 'Runtime.ImportModuleError', error) });
}

process.on('message', async (message) => {
  if (message?.type !== 'invoke' || !handler) return;
  const { id, event, context: given } = message;
  const context = {
    ...given,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, given.deadlineMs - Date.now()),
  };
  try {
    const result = await invoke(handler, event, context);
    // Lambda hands back the JSON serialization of the result.
    send({ type: 'result', id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    send({ type: 'error', id, error: failure(error instanceof Error ? error.name : 'Error', error) });
  }
});
