/** BigQuery's limit on source URIs per load job (shared by the warehouse and the plan). */
export const MAX_URIS_PER_LOAD_JOB = 10_000;
