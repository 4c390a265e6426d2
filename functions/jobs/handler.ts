import { createJobsHandler } from '../../shared/handlers/jobs-handler.js';

/** The jobs function: POST /v1/jobs, GET /v1/jobs/{jobId}, GET /v1/jobs/{jobId}/results. */
export const handler = createJobsHandler();
