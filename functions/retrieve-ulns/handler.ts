import { createOperationHandler } from '../../shared/handlers/operation-handler.js';

/** The retrieveUlns function: API Gateway (HTTP) and SQS events for this one LRS operation. */
export const handler = createOperationHandler('retrieveUlns');
