export {
  type ConsumerOptions,
  EventConsumer,
  type EventHandler,
  on,
  type Subscription,
} from './consumer.js';
export {
  type Logger,
  type SqlClient,
  type TransactionalClient,
  transactionLimits,
} from './database.js';
export {
  type DeadLetter,
  listDeadLetters,
  replayDeadLetter,
} from './dead-letters.js';
export {
  defineEvent,
  type EventContext,
  type EventDefinition,
  type EventEnvelope,
  type PayloadOf,
  parseEnvelope,
} from './envelope.js';
export { Outbox, type OutboxOptions, publishEvent, type UnitOfWork } from './outbox.js';
export {
  compareEntryIds,
  eventStream,
  replayStream,
  replyRecord,
  streamField,
} from './streams.js';
