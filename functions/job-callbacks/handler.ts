import { createCallbacksHandler } from '../../shared/jobs/callbacks-handler.js';

/** The job-callbacks function: delivers signed job callbacks from the callback queue, with retries. */
export const handler = createCallbacksHandler();
