/** What the API says about itself, kept apart so the CLI can read its version without loading the server. */
export const API_INFO = {
  title: "CubQueue",
  version: "0.1.0",
  description:
    "Runs registered scripts as background tasks and keeps what each produces: its log, its intermediate files (metadata) and its results (output).",
};
