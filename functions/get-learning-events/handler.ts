import { createOperationHandler } from '../../shared/app/operation-handler.js';

/** The getLearningEvents function: API Gateway (HTTP) and SQS events for this one LRS operation. */
export const handler = createOperationHandler('getLearningEvents');
