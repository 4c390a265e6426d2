import { createCallbacksHandler } from '../../shared/handlers/callbacks-handler.js';

/** The job-callbacks function: delivers signed job callbacks from the callback queue, with retries. */
export const handler = createCallbacksHandler();
