/** What the API says about itself, kept apart so the CLI can read its version without loading the server. */
export const API_INFO = {
  title: "CubQueue",
  version: "0.1.0",
  description:
    "Runs registered scripts as background tasks and keeps what each produces: its log, its intermediate files (metadata) and its results (output).",
};

/**
 * The header CubQueue's own clients (SDK, CLI, the /docs page) send. A page on
 * another site cannot add it without a CORS preflight, which the server never
 * grants, so a browser request carrying it is not a forged form post.
 */
export const CLIENT_HEADER = "X-CubQueue-Client";
