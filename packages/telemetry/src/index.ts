export { addLogFields, type LogFields, logFields, withLogFields } from './log-scope.js';
export {
  contextFrom,
  failSpan,
  inSpan,
  startTracing,
  type TraceCarrier,
  traceCarrier,
  tracer,
} from './tracing.js';
