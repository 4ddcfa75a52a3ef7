// Numbers only, with no imports: handlers that read policies use them without pulling in the validators.

/** RFC 8461 §3.2 allows 0, but several senders treat 0 as invalid, so 1 is the floor. */
export const MIN_MAX_AGE_SECONDS = 1;
/** RFC 8461 §3.2 maximum (one year). */
export const MAX_MAX_AGE_SECONDS = 31557600;
export const ONE_DAY_SECONDS = 86400;
/** Senders may refuse larger bodies (RFC 8461 §3.3 suggests 64 KB; Mimecast stops at 64000). */
export const MAX_POLICY_BYTES = 64000;
