import { createRequestsHandler } from '../../shared/app/requests-handler.js';

/** The requests function: GET /v1/requests/{requestId} and GET /v1/openapi.json. */
export const handler = createRequestsHandler();
