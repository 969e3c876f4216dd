/**
 * `@x/tracing/testing`: a loopback OTLP/HTTP receiver and an independent
 * decoder of what it receives, for end-to-end tests of anything that exports
 * spans (this package's tests, the server's multi-replica test).
 * @module
 */
export { refusedUrl, startReceiver, type Receiver, type ReceiverMode } from './otlp-receiver.js';
export { decodeTraceRequest, type WireSpan, type WireValue } from './otlp-decode.js';
