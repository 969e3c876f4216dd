/**
 * @x/journey-viewer: a live view of request journeys. A plugin on the
 * server's request hooks and the scheduler's lifecycle hooks keeps the recent
 * journeys and step summaries in bounded rings; a page served beside the API
 * draws them as timelines and step charts, live over server-sent events, or
 * from a saved OTLP-JSON export of `@x/tracing`'s spans.
 * @module
 */
export {
  createJourneyViewer,
  type JourneyViewer,
  type JourneyViewerOptions,
} from './create-journey-viewer.js';
export { JourneyRecorder, type JourneyRecorderOptions, type RecorderWatcher } from './journey-recorder.js';
export { LiveFeed, type FeedMessage, type FeedSender } from './live-feed.js';
export { viewerRoutes, type ViewerConfig, type ViewerRoutesOptions } from './viewer-routes.js';
export { serveOfflineViewer, type OfflineViewer, type OfflineViewerOptions } from './serve-offline.js';
export { parseOtlpJson, OtlpParseError, type ParsedTrace } from './shared/otlp-json.js';
export {
  layoutJourney,
  type JourneyLayout,
  type JourneyStatus,
  type Segment,
} from './shared/journey-layout.js';
export { Ring } from './shared/ring.js';
export type {
  FinishStatus,
  Journey,
  JourneyEvent,
  JourneyEventType,
  JourneyLayer,
  JourneyProgress,
  JourneyRequestInfo,
  JourneySnapshot,
  JourneyUpdate,
  StepSummary,
} from './shared/journey-types.js';
