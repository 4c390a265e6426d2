import { createRequestsHandler } from '../../shared/handlers/requests-handler.js';

/** The requests function: GET /v1/requests/{requestId} and GET /v1/openapi.json. */
export const handler = createRequestsHandler();
