import { createOperationHandler } from '../../shared/app/operation-handler.js';

/** The getBatchRegistrationOutput function: API Gateway (HTTP) and SQS events for this one LRS operation. */
export const handler = createOperationHandler('getBatchRegistrationOutput');
