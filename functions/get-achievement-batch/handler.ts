import { createOperationHandler } from '../../shared/app/operation-handler.js';

/** The getAchievementBatch function: API Gateway (HTTP) and SQS events for this one LRS operation. */
export const handler = createOperationHandler('getAchievementBatch');
